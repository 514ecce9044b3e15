"""The WARN checks a model's YAML declares (meta.warn_checks), each built here as a Dagster asset check.

A WARN check that is one query lives beside the table it watches: the model's YAML gives its name,
its norm in Dutch (`label_nl`, as the letters and the BI file's WARN verdicts print it), what it watches
and why (`description`), what a person does when it speaks up (`what_to_do`), and the names under
which its result shows how many rows the query found (`count`) and the first of them (`rows`). Its
query is checks/warn_sql/<name>.sql, one per file (a .sql file beside the model would be a dbt
model). A query reads `$name` parameters: `parameters` gives fixed values (and fills `{name}` in the
description), `settings` names the Warehouse setting behind a parameter (read at run time, so a
changed setting needs no new definitions). Every parameter is also in the result's metadata.

The check passes when the query finds no row. It is a WARN check like every other (checks/warn.py):
blocking only so that the publish waits for its verdict, and never raising.

A check that needs more than one query, or Python beyond counting rows, stays a Python WARN check.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dagster as dg

from assets.transform import MODELS, meta_of
from checks.metadata import examples
from checks.warn import warn_check, warn_result
from foundation.warehouse import Warehouse

SQL_DIR = Path(__file__).parent / "warn_sql"
# a named parameter of DuckDB, outside comments
PARAMETER = re.compile(r"\$([A-Za-z_]\w*)")


@dataclass(frozen=True)
class DeclaredWarnCheck:
    """One entry of a model's meta.warn_checks, with its query read."""

    model: str
    name: str
    label_nl: str
    description: str
    what_to_do: str
    count: str
    rows: str
    sql: str
    parameters: Mapping[str, Any]
    settings: Mapping[str, str]

    def values(self, warehouse: Warehouse) -> dict[str, Any]:
        """Every parameter's value: the fixed ones and the Warehouse settings as they are now."""
        return {**self.parameters, **{p: getattr(warehouse, s) for p, s in self.settings.items()}}


def _without_comments(sql: str) -> str:
    return "\n".join(line.split("--", 1)[0] for line in sql.splitlines())


def declared(models: Mapping[str, Mapping[str, Any]] = MODELS) -> list[DeclaredWarnCheck]:
    """Every WARN check the models' YAML declares, in model and declaration order. A declaration
    that does not fit its query (a parameter used but not declared, or declared but not used) or
    names a setting the Warehouse does not have stops the definitions from loading: a check that
    could only fail at night is no check."""
    found = []
    for model in sorted(models):
        meta = meta_of(models[model])
        for spec in meta.get("warn_checks") or []:
            parameters, settings = dict(spec.get("parameters") or {}), dict(spec.get("settings") or {})
            sql = (SQL_DIR / f"{spec['name']}.sql").read_text()
            used, given = set(PARAMETER.findall(_without_comments(sql))), set(parameters) | set(settings)
            if used != given or set(parameters) & set(settings):
                raise ValueError(f"{model}: WARN check {spec['name']}: its query uses the parameters {sorted(used)}, "
                                 f"its YAML gives {sorted(parameters)} and settings {sorted(settings)}")
            if unknown := sorted(s for s in settings.values() if s not in Warehouse.model_fields):
                raise ValueError(f"{model}: WARN check {spec['name']}: no Warehouse setting {unknown}")
            found.append(DeclaredWarnCheck(
                model=model, name=spec["name"], label_nl=spec["label_nl"],
                description=spec["description"].format_map(parameters), what_to_do=spec["what_to_do"],
                count=spec["count"], rows=spec["rows"], sql=sql, parameters=parameters, settings=settings))
    return found


def build_declared_check(check: DeclaredWarnCheck) -> dg.AssetChecksDefinition:
    """The asset check on `check.model` that runs its query: passed when no row comes back."""

    @warn_check(asset=dg.AssetKey(check.model), name=check.name, description=check.description,
                label_nl=check.label_nl)
    def _check(warehouse: Warehouse) -> dg.AssetCheckResult:
        values = check.values(warehouse)
        with warehouse.connect() as con:
            found = con.execute(check.sql, values).df()
        return warn_result(passed=found.empty, metadata={
            check.count: len(found), **values, check.rows: examples(found),
            "what_to_do": dg.MetadataValue.text(check.what_to_do)})

    return _check


declared_warn_checks = [build_declared_check(c) for c in declared()]
