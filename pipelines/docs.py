"""`make docs`: the rule and check catalogue checks/README.md (pipelines/check_catalogue.py), and the
dbt docs site, a browsable catalogue of every table with its Dutch column labels, tests and lineage,
written as one self-contained page to $JEUGDZORG_DATA_DIR/docs/index.html.

The catalogue reads the working file (column types, comments), so it describes the tables as the
last refresh built them; run it after `make demo` or `make run`.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from foundation.settings import SettingsError


def main() -> int:
    try:
        from foundation.warehouse import warehouse_from_settings

        warehouse = warehouse_from_settings()
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    from pipelines import check_catalogue

    check_catalogue.main([])
    if not warehouse.working_db.exists():
        print(f"error: no working file at {warehouse.working_db}: run `make demo` or `make run` first", file=sys.stderr)
        return 1
    from assets.transform import run_dbt

    invocation = run_dbt(warehouse, "docs", "generate", "--static")
    page = Path(invocation.target_path) / "static_index.html"
    out = Path(warehouse.data_dir) / "docs" / "index.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(page, out)
    print(f"dbt docs: {out} (open it in a browser; it needs no server)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
