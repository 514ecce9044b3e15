"""DuckDB's extensions from the Python packages, never from the network.

DuckLake and its PostgreSQL catalog are DuckDB extensions, which DuckDB would otherwise download
from its own server on first use: a machine here reaches only the package registries, and a
production server should not fetch code at run time either. The PyPI packages duckdb-ext-ducklake
and duckdb-ext-postgres (pinned to the DuckDB version, 1.4.4) ship the binaries in
`duckdb_ext/extensions/v1.4.4/<platform>/`, the layout DuckDB expects of its extension_directory;
autoinstall and autoload are off, so a missing one fails at LOAD instead of reaching out.
"""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

import duckdb

LAKE_EXTENSIONS = ("ducklake", "postgres")


def extension_directory() -> Path:
    """The packages' shared folder (both install into the same duckdb_ext/extensions)."""
    return Path(str(importlib.metadata.distribution("duckdb-ext-ducklake").locate_file("duckdb_ext/extensions")))


def offline_config() -> dict[str, str | bool]:
    """DuckDB configuration that loads extensions from the packages only."""
    return {"extension_directory": str(extension_directory()), "autoinstall_known_extensions": False,
            "autoload_known_extensions": False}


def connect_offline() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with DuckLake and the PostgreSQL extension loaded from the packages."""
    con = duckdb.connect(config=offline_config())
    for name in LAKE_EXTENSIONS:
        con.execute(f"LOAD {name}")
    return con
