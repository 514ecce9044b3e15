"""One fact, one place (issue 38): a mart is named in its own .sql and .yml, in SQL that reads it, and
in tests and docs; no Python outside tests/ names one. Code that needs a mart reads the dbt manifest
(assets/transform.py: models_in, the YAML's meta) or runs a query file (assets/reports/queries/*.sql),
so a search for a mart's name finds its SQL and YAML, not a hand-kept list in Python.

The marts are walked from the dbt manifest, not listed here. `NOT_YET_CLEANED` names the Python that
still names a mart while the work of issue 38 is under way elsewhere; it may only shrink: an entry
that no longer names a mart fails the test until it is taken out."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from assets.transform import models_in

ROOT = Path(__file__).resolve().parent.parent
# the Python still naming a mart, by path or package (a trailing slash), until its own clean-up lands
# (issue 38); what each names is in the failure message of test_the_list_of_what_is_not_yet_cleaned_only_shrinks
NOT_YET_CLEANED = (
    "assets/publish.py",
    "checks/",
    "pipelines/",
    "foundation/",
    # comments and messages that point a reader at a mart
    "assets/ingest/",
    "assets/transform.py",
    "demo_data/",
)


def _pattern(mart: str) -> re.Pattern[str]:
    """A mart's name as a word; `about` is an ordinary English word too, so it counts only as a
    table: `marts.about`, or the quoted name."""
    if mart == "about":
        return re.compile(r"\bmarts\.about\b|[\"']about[\"']")
    return re.compile(rf"\b{re.escape(mart)}\b")


def _python_files() -> list[Path]:
    """Every Python file of the project's packages (pyproject.toml's packages.find include: not tests/,
    not the data folder, where dbt writes compiled copies of the Python model), outside the dbt models
    themselves (a Python model is its mart's own source)."""
    include = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]["include"]
    packages = sorted({pattern.rstrip("*") for pattern in include})
    models = ROOT / "assets" / "dbt" / "models"
    skip = {"target", "__pycache__"}
    return sorted(p for package in packages for p in (ROOT / package).rglob("*.py")
                  if not skip & set(p.relative_to(ROOT).parts) and not p.is_relative_to(models))


def marts_named_in_python() -> dict[str, list[str]]:
    """path -> the marts its text names, for every Python file that names one."""
    patterns = {m: _pattern(m) for m in models_in("marts")}
    found = {}
    for path in _python_files():
        text = path.read_text(encoding="utf-8")
        names = sorted(m for m, p in patterns.items() if p.search(text))
        if names:
            found[path.relative_to(ROOT).as_posix()] = names
    return found


def _not_yet_cleaned(path: str) -> bool:
    return any(path == e or (e.endswith("/") and path.startswith(e)) for e in NOT_YET_CLEANED)


def _listing(found: dict[str, list[str]]) -> str:
    return "\n".join(f"  {path}: {', '.join(names)}" for path, names in sorted(found.items()))


def test_no_python_outside_tests_names_a_mart():
    assert len(models_in("marts")) > 10  # the manifest was read
    offenders = {path: names for path, names in marts_named_in_python().items() if not _not_yet_cleaned(path)}
    assert not offenders, ("Python outside tests/ names a mart; read it from the dbt manifest or move the SQL into "
                           f"a .sql file:\n{_listing(offenders)}")


def test_the_list_of_what_is_not_yet_cleaned_only_shrinks():
    found = marts_named_in_python()
    clean = [e for e in NOT_YET_CLEANED if not any(p == e or (e.endswith("/") and p.startswith(e)) for p in found)]
    assert not clean, (f"these name no mart any more: take them out of NOT_YET_CLEANED: {clean}\n"
                       f"still named:\n{_listing({p: n for p, n in found.items() if _not_yet_cleaned(p)})}")


def test_the_council_letters_name_no_mart_and_the_rule_would_see_one():
    found = marts_named_in_python()
    assert not [p for p in found if p.startswith("assets/reports/")]
    # the rule itself: a mart named in code, `about` only as a table
    assert _pattern("spend_growth").search('select(con, "spend_growth")')
    assert not _pattern("spend_growth").search("spend_growth_extra = 1")
    assert _pattern("about").search("SELECT k FROM marts.about") and _pattern("about").search('rows["about"]')
    assert not _pattern("about").search("what the letter says about a municipality")
