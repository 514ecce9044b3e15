"""One fact, one place (issue 38): a mart is named in its own .sql and .yml, in SQL that reads it, and
in tests and docs; no Python outside tests/ names one. Code that needs a mart reads the dbt manifest
(assets/transform.py: models_in, the YAML's meta) or runs a query file (assets/reports/queries/*.sql),
so a search for a mart's name finds its SQL and YAML, not a hand-kept list in Python. A message that
sends a reader to a table finds it by the role its YAML declares (transform.model_declaring).

The marts are walked from the dbt manifest, not listed here."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from assets.transform import model_declaring, models_in

ROOT = Path(__file__).resolve().parent.parent


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


def _listing(found: dict[str, list[str]]) -> str:
    return "\n".join(f"  {path}: {', '.join(names)}" for path, names in sorted(found.items()))


def test_no_python_outside_tests_names_a_mart():
    assert len(models_in("marts")) > 10  # the manifest was read
    offenders = marts_named_in_python()
    assert not offenders, ("Python outside tests/ names a mart; read it from the dbt manifest or move the SQL into "
                           f"a .sql file:\n{_listing(offenders)}")


def test_the_council_letters_name_no_mart_and_the_rule_would_see_one():
    found = marts_named_in_python()
    assert not [p for p in found if p.startswith("assets/reports/")]
    # the rule itself: a mart named in code, `about` only as a table
    assert _pattern("spend_growth").search('select(con, "spend_growth")')
    assert not _pattern("spend_growth").search("spend_growth_extra = 1")
    assert _pattern("about").search("SELECT k FROM marts.about") and _pattern("about").search('rows["about"]')
    assert not _pattern("about").search("what the letter says about a municipality")


@pytest.mark.parametrize(("role", "mart"), [("allocation_follow_up", "allocation_control"),
                                             ("file_accounting", "data_quality"),
                                             ("quarantine_per_file_rule", "data_quality_rules"),
                                             ("quarantine_per_kind_rule", "data_quality_rules_summary"),
                                             ("rule_catalogue", "dim_rule")])
def test_a_message_finds_its_table_by_the_role_the_yaml_declares(role, mart):
    assert model_declaring(role) == mart


def test_a_role_no_yaml_declares_is_an_error_not_a_guess():
    with pytest.raises(RuntimeError, match=r"meta\.no_such_role"):
        model_declaring("no_such_role")


def test_the_messages_name_the_tables_the_yaml_declares():
    from checks.allocation_checks import allocations_are_respected
    from pipelines.retraction import RetractFileConfig

    (spec,) = allocations_are_respected.check_specs
    assert spec.description.endswith("Contract management follows it up with `marts.allocation_control`.")
    assert RetractFileConfig.model_fields["file"].description == (
        "The file as data_quality names it, for example declarations/0118_202401.csv")
