"""`python -m pipelines.lake_roles --database lake | sudo -u postgres psql -d lake`: the SQL that sets
up the lake's writer and reader roles (foundation/lake_roles.py), for an administrator who runs it
with psql as PostgreSQL's superuser over the local socket, where no password is needed. Running it
again changes nothing; the roles' passwords are set after it with psql's `\\password`."""

from __future__ import annotations

import argparse
import sys

from foundation.lake_roles import DEFAULT_READER, DEFAULT_WRITER, role_statements


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="lake", help="the lake's PostgreSQL database (created before)")
    parser.add_argument("--writer", default=DEFAULT_WRITER, help="the pipeline's role")
    parser.add_argument("--reader", default=DEFAULT_READER, help="the BI tools' role")
    args = parser.parse_args(argv)
    try:
        statements = role_statements(args.database, args.writer, args.reader)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print("\n".join(f"{statement};" for statement in statements))
    return 0


if __name__ == "__main__":
    sys.exit(main())
