"""Settings from the environment, read in exactly one place.

Every other module receives a `Settings` (or a resource built from it) instead of reading
os.environ itself, so tests can point the whole pipeline at a temporary directory.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DEMO_PSEUDONYM_KEY = "jeugdzorg-monitor-demo-key-NOT-FOR-PRODUCTION"
# disclosure control's protection targets (docs/disclosure.md): a hidden amount stays uncertain by this
# percentage either way; a hidden count's interval starts at 0 or is this share of k wide
PROTECTION_MONEY_PCT = 15.0
PROTECTION_COUNT_SHARE_OF_K = 0.5
# an outcome workbook (XLSX) is refused beyond these, measured while it is read, not as its zip declares:
# a provider's survey export holds hundreds to thousands of rows; a larger delivery belongs in a CSV
XLSX_MAX_UNPACKED_MB = 256
XLSX_MAX_ROWS = 200_000
# how many published files are kept as the history in file mode (docs/publications.md): a year of monthly publishes
PUBLICATIONS_KEPT = 12
# how long, in days, an earlier publication stays readable in the lake after it was superseded
# (foundation/lake_maintenance.py, docs/platform.md): 400, a year and a month, so that last year's
# council letters and the publication they cite can still be traced when this year's report is written
LAKE_RETENTION_DAYS = 400

log = logging.getLogger(__name__)


class SettingsError(RuntimeError):
    """A setting is missing or invalid; raised before any input file is read."""


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    pseudonym_key: str
    env: str
    min_cell_size: int
    using_demo_key: bool
    alert_webhook_url: str | None = None
    ui_url: str = "http://127.0.0.1:3000"
    digest_hour: int = 7
    youth_care_index_pct: float = 5.0
    report_period: str = "year"
    protection_money_pct: float = PROTECTION_MONEY_PCT
    protection_count_share_of_k: float = PROTECTION_COUNT_SHARE_OF_K
    xlsx_max_unpacked_mb: int = XLSX_MAX_UNPACKED_MB
    xlsx_max_rows: int = XLSX_MAX_ROWS
    publications_kept: int = PUBLICATIONS_KEPT
    # the DuckLake catalog and data folder (foundation/lake.py, docs/platform.md); both None: the
    # DuckDB working file of today, no lake
    lake_catalog: str | None = None
    lake_data_path: str | None = None
    lake_retention_days: int = LAKE_RETENTION_DAYS

    @property
    def warehouse_dir(self) -> Path:
        return self.data_dir / "warehouse"

    @property
    def reports_dir(self) -> Path:
        return self.data_dir / "reports"


DEMO_KEY_WARNED = "JEUGDZORG_DEMO_KEY_WARNED"


@lru_cache(maxsize=1)
def _warn_demo_key() -> None:
    """Say it loudly, but once: not at every connection, and not again in the processes this one
    starts (a run's steps, dbt), which inherit the marker."""
    if os.environ.get(DEMO_KEY_WARNED):
        return
    os.environ[DEMO_KEY_WARNED] = "1"
    log.warning(
        "JEUGDZORG_PSEUDONYM_KEY is not set: using the built-in DEMO key. "
        "Pseudonyms made with it are NOT secret; never use it for real data."
    )


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Build Settings from the environment (or the given mapping), failing loudly on bad values."""
    env_vars = os.environ if environ is None else environ
    env = env_vars.get("JEUGDZORG_ENV", "dev").strip() or "dev"
    data_dir = Path(env_vars.get("JEUGDZORG_DATA_DIR", "") or REPO_ROOT / "data")
    if not data_dir.is_absolute():
        data_dir = REPO_ROOT / data_dir

    key = env_vars.get("JEUGDZORG_PSEUDONYM_KEY", "")
    using_demo_key = not key
    if using_demo_key:
        if env == "production":
            raise SettingsError(
                "JEUGDZORG_ENV=production but JEUGDZORG_PSEUDONYM_KEY is not set. "
                "Set it to the municipality's secret pseudonymisation key; no file has been read."
            )
        _warn_demo_key()
        key = DEMO_PSEUDONYM_KEY

    raw_k = env_vars.get("JEUGDZORG_MIN_CELL_SIZE", "10")
    try:
        min_cell_size = int(raw_k)
    except ValueError as exc:
        raise SettingsError(f"JEUGDZORG_MIN_CELL_SIZE must be a whole number, got {raw_k!r}") from exc
    if min_cell_size < 1:
        raise SettingsError(f"JEUGDZORG_MIN_CELL_SIZE must be at least 1, got {min_cell_size}")

    webhook = env_vars.get("JEUGDZORG_ALERT_WEBHOOK_URL", "").strip() or None
    if webhook and not webhook.startswith(("http://", "https://")):
        # never echo the URL: a webhook's path is often its secret
        raise SettingsError("JEUGDZORG_ALERT_WEBHOOK_URL must start with http:// or https://")
    raw_hour = env_vars.get("JEUGDZORG_DIGEST_HOUR", "7")
    if not raw_hour.isdigit() or not 0 <= int(raw_hour) <= 23:
        raise SettingsError(f"JEUGDZORG_DIGEST_HOUR must be an hour from 0 to 23, got {raw_hour!r}")

    raw_index = env_vars.get("JEUGDZORG_YOUTH_CARE_INDEX_PCT", "5.0").strip() or "5.0"
    try:
        youth_care_index_pct = float(raw_index.replace(",", "."))
    except ValueError as exc:
        raise SettingsError(f"JEUGDZORG_YOUTH_CARE_INDEX_PCT must be a percentage such as 5.0, got {raw_index!r}"
                            ) from exc
    if not -50 <= youth_care_index_pct <= 100:
        raise SettingsError(f"JEUGDZORG_YOUTH_CARE_INDEX_PCT must be a yearly percentage between -50 and 100, "
                            f"got {raw_index!r}")

    protection_money_pct = _number(env_vars, "JEUGDZORG_PROTECTION_MONEY_PCT", PROTECTION_MONEY_PCT, 1.0, 50.0,
                                   "the share of a hidden amount an attacker must stay unsure of, in %")
    protection_count_share_of_k = _number(env_vars, "JEUGDZORG_PROTECTION_COUNT_SHARE_OF_K",
                                          PROTECTION_COUNT_SHARE_OF_K, 0.1, 2.0,
                                          "how wide, as a share of k, a hidden count's interval must stay")

    xlsx_max_unpacked_mb = _whole(env_vars, "JEUGDZORG_XLSX_MAX_UNPACKED_MB", XLSX_MAX_UNPACKED_MB, 1, 4096,
                                  "the megabytes an outcome workbook may unpack to")
    xlsx_max_rows = _whole(env_vars, "JEUGDZORG_XLSX_MAX_ROWS", XLSX_MAX_ROWS, 1, 10_000_000,
                           "the rows an outcome workbook's first sheet may hold")

    publications_kept = _whole(env_vars, "JEUGDZORG_PUBLICATIONS_KEPT", PUBLICATIONS_KEPT, 1, 1000,
                               "how many published files are kept as the history, the newest included")

    lake_retention_days = _whole(env_vars, "JEUGDZORG_LAKE_RETENTION_DAYS", LAKE_RETENTION_DAYS, 1, 36_500,
                                 "how many days an earlier publication stays readable in the lake after it was "
                                 "superseded")

    report_period = (env_vars.get("JEUGDZORG_REPORT_PERIOD", "year").strip() or "year").lower()
    if report_period not in ("year", "quarter", "month"):
        raise SettingsError(f"JEUGDZORG_REPORT_PERIOD must be 'year', 'quarter' or 'month', got {report_period!r}")

    lake_catalog, lake_data_path = _lake(env_vars)

    return Settings(
        data_dir=data_dir,
        pseudonym_key=key,
        env=env,
        min_cell_size=min_cell_size,
        using_demo_key=using_demo_key,
        alert_webhook_url=webhook,
        ui_url=(env_vars.get("JEUGDZORG_UI_URL", "").strip() or "http://127.0.0.1:3000").rstrip("/"),
        digest_hour=int(raw_hour),
        youth_care_index_pct=youth_care_index_pct,
        report_period=report_period,
        protection_money_pct=protection_money_pct,
        protection_count_share_of_k=protection_count_share_of_k,
        xlsx_max_unpacked_mb=xlsx_max_unpacked_mb,
        xlsx_max_rows=xlsx_max_rows,
        publications_kept=publications_kept,
        lake_catalog=lake_catalog,
        lake_data_path=lake_data_path,
        lake_retention_days=lake_retention_days,
    )


def _lake(env_vars) -> tuple[str | None, str | None]:
    """JEUGDZORG_LAKE_CATALOG and JEUGDZORG_LAKE_DATA_PATH come as a pair: a catalog without a data
    folder would write Parquet files wherever DuckLake defaults to, a folder without a catalog means
    nothing. The catalog must not hold a password: it is printed in DuckDB's errors and in the run's
    log, so the password comes from PGPASSWORD or a DuckDB secret, and the value is never echoed here."""
    return lake_pair(env_vars.get("JEUGDZORG_LAKE_CATALOG", ""), env_vars.get("JEUGDZORG_LAKE_DATA_PATH", ""))


def lake_pair(catalog: str | None, data_path: str | None) -> tuple[str | None, str | None]:
    """The two lake settings checked as `load_settings` checks them (also for a resource built
    without it, foundation/warehouse.Warehouse.lake): both or neither, no password, PostgreSQL."""
    catalog = (catalog or "").strip() or None
    data_path = (data_path or "").strip() or None
    if (catalog is None) != (data_path is None):
        given, missing = (("JEUGDZORG_LAKE_CATALOG", "JEUGDZORG_LAKE_DATA_PATH") if catalog
                          else ("JEUGDZORG_LAKE_DATA_PATH", "JEUGDZORG_LAKE_CATALOG"))
        raise SettingsError(f"{given} is set but {missing} is not: set both JEUGDZORG_LAKE_CATALOG and "
                            "JEUGDZORG_LAKE_DATA_PATH for the lake, or neither for the DuckDB working file")
    if catalog and re.search(r"password\s*=|://[^/@\s]*:[^/@\s]*@", catalog, re.IGNORECASE):
        raise SettingsError("JEUGDZORG_LAKE_CATALOG must not hold a password (it would appear in errors and logs): "
                            "leave password=... out and set PGPASSWORD, or create a DuckDB secret of TYPE postgres")
    if catalog and not catalog.startswith("postgres:"):
        # a DuckDB or SQLite catalog file can be attached only once per process, so it cannot hold the
        # working and the published catalog side by side, and it has no roles to keep the readers out
        raise SettingsError("JEUGDZORG_LAKE_CATALOG must be a PostgreSQL catalog as DuckLake spells it after "
                            "'ducklake:', e.g. 'postgres:dbname=lake host=127.0.0.1 port=5432 user=jeugdzorg'")
    return catalog, data_path


def _number(env_vars, name: str, default: float, low: float, high: float, what: str) -> float:
    """A decimal setting (a comma works as the decimal sign), refused outside [low, high]."""
    raw = env_vars.get(name, "").strip() or str(default)
    try:
        value = float(raw.replace(",", "."))
    except ValueError as exc:
        raise SettingsError(f"{name} must be a number ({what}), got {raw!r}") from exc
    if not low <= value <= high:
        raise SettingsError(f"{name} must lie between {low:g} and {high:g} ({what}), got {raw!r}")
    return value


def _whole(env_vars, name: str, default: int, low: int, high: int, what: str) -> int:
    """A whole-number setting, refused when it is not whole or lies outside [low, high]."""
    value = _number(env_vars, name, default, low, high, what)
    if not value.is_integer():
        raise SettingsError(f"{name} must be a whole number ({what}), got {env_vars.get(name)!r}")
    return int(value)
