"""A throwaway PostgreSQL server for the tests of the lake (foundation/lake.py): Debian's server
binaries, a cluster made by `initdb` in a temporary folder, listening on a free port of 127.0.0.1
and on a unix socket inside that folder, removed when the test session ends.

PostgreSQL refuses to run as root, and tests run as root in CI: then the cluster belongs to the
`postgres` system user that Debian's package creates, and initdb and the server run as it (runuser).
Logins over TCP need a password (scram-sha-256), so the tests go through the same authentication a
municipality's server asks for; the superuser's password is made here and stays in this process.
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

SUPERUSER = "postgres"
SYSTEM_USER = "postgres"  # Debian's package creates it; the server runs as it when the tests run as root


def server_binaries() -> Path | None:
    """The folder holding Debian's initdb and pg_ctl (newest major version first), else one on PATH."""
    debian = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if debian:
        return Path(debian[-1]).parent
    on_path = shutil.which("initdb")
    return Path(on_path).resolve().parent if on_path else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class Postgres:
    """A running server: where it listens and how its superuser logs in."""

    host: str
    port: int
    socket_dir: Path
    password: str

    binaries: Path

    def create_database(self, name: str) -> None:
        """CREATE DATABASE cannot run inside a transaction, where DuckDB's postgres_execute runs
        everything: createdb, over the unix socket (trusted locally, as in Debian's default)."""
        done = subprocess.run([str(self.binaries / "createdb"), "-h", str(self.socket_dir), "-p", str(self.port),
                               "-U", SUPERUSER, name], capture_output=True, text=True)
        if done.returncode:
            raise RuntimeError(f"createdb {name} failed: {done.stderr}")

    def libpq(self, dbname: str, user: str = SUPERUSER) -> str:
        """A libpq connection string without the password, as JEUGDZORG_LAKE_CATALOG holds one."""
        return f"dbname={dbname} host={self.host} port={self.port} user={user}"


def _as_server_user(args: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return args
    try:
        pwd.getpwnam(SYSTEM_USER)
    except KeyError as exc:
        raise RuntimeError(f"running as root, PostgreSQL needs an unprivileged user to run as, and there is no "
                           f"{SYSTEM_USER!r} user (Debian's postgresql package creates it)") from exc
    return ["runuser", "-u", SYSTEM_USER, "--", *args]


def _run(args: list[str]) -> None:
    done = subprocess.run(_as_server_user(args), capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"{' '.join(args[:2])} failed ({done.returncode}): {done.stderr or done.stdout}")


@contextmanager
def throwaway_postgres(binaries: Path) -> Iterator[Postgres]:
    """initdb in a fresh folder, start the server, yield it; stop it and remove the folder after."""
    folder = Path(tempfile.mkdtemp(prefix="jeugdzorg-pg-"))
    try:
        data, log = folder / "data", folder / "server.log"
        password = secrets.token_urlsafe(24)
        pwfile = folder / "superuser.pw"
        pwfile.write_text(password)
        if os.geteuid() == 0:
            user = pwd.getpwnam(SYSTEM_USER)
            for path in (folder, pwfile):
                os.chown(path, user.pw_uid, user.pw_gid)
        _run([str(binaries / "initdb"), "-D", str(data), "-U", SUPERUSER, f"--pwfile={pwfile}",
              "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8"])
        pwfile.unlink()
        port = free_port()
        options = f"-h 127.0.0.1 -p {port} -k {folder} -c fsync=off -c full_page_writes=off"
        try:
            _run([str(binaries / "pg_ctl"), "start", "-D", str(data), "-l", str(log), "-w", "-t", "60",
                  "-o", options])
        except RuntimeError as exc:
            raise RuntimeError(f"{exc}\nserver log:\n{log.read_text() if log.exists() else '(none)'}") from exc
        try:
            yield Postgres(host="127.0.0.1", port=port, socket_dir=folder, password=password,
                           binaries=binaries)
        finally:
            _run([str(binaries / "pg_ctl"), "stop", "-D", str(data), "-m", "fast", "-w"])
    finally:
        shutil.rmtree(folder, ignore_errors=True)
