"""Imports run one way (issue 38): the foundation at the bottom, the domains above it, the code
location on top. A package or module may import its own unit and the layers below it, never one
beside or above it; a unit not declared here fails the test until its place is decided."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# unit -> layer (lower is further down)
LAYERS = {
    "foundation": 0,  # settings, the Warehouse resource, schema, pseudonyms, SQL helpers, fingerprints
    "assets": 1,  # the package itself (empty)
    "assets.dbt": 1,  # the dbt project's Python models
    "assets.ingest": 1,
    "assets.transform": 1,
    "assets.reports": 1,
    "demo_data": 1,
    "assets.disclosure": 2,
    "assets.publish": 3,
    "checks": 4,
    "pipelines": 5,  # the code location: definitions, jobs, sensors, schedules, alerts, commands
}
PACKAGES = sorted({unit.split(".")[0] for unit in LAYERS})


def _unit(module: str) -> str | None:
    """The declared unit a module belongs to (the longest one that contains it)."""
    parts = module.split(".")
    return next((".".join(parts[:n]) for n in range(len(parts), 0, -1) if ".".join(parts[:n]) in LAYERS), None)


def _imports() -> list[tuple[str, str]]:
    """(importing module, imported module) for every import of this project's own packages."""
    found = []
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                         [node.module] if isinstance(node, ast.ImportFrom) and node.module and not node.level else [])
                found += [(module, name) for name in names if name.split(".")[0] in PACKAGES]
    return found


def _against_layering(imports: list[tuple[str, str]]) -> list[str]:
    return sorted(f"{src} imports {dst}" for src, dst in imports
                  if _unit(src) != _unit(dst) and LAYERS[_unit(dst)] >= LAYERS[_unit(src)])


def test_every_module_belongs_to_a_declared_layer():
    modules = {".".join(path.relative_to(ROOT).with_suffix("").parts)
               for package in PACKAGES for path in (ROOT / package).rglob("*.py")}
    assert len(modules) > 80
    assert sorted(m for m in modules if _unit(m) is None) == []


def test_no_import_runs_up_or_sideways():
    imports = _imports()
    assert len(imports) > 100  # the walk found the project's imports
    assert _against_layering(imports) == []


def test_the_rule_catches_an_import_that_runs_up_or_sideways():
    assert _against_layering([("foundation.settings", "pipelines.definitions"),
                              ("assets.ingest.files", "assets.reports.render"),
                              ("pipelines.jobs", "foundation.settings"),
                              ("assets.publish", "assets.disclosure.suppress"),
                              ("assets.disclosure.attack", "assets.disclosure.intervals")]) == [
        "assets.ingest.files imports assets.reports.render", "foundation.settings imports pipelines.definitions"]
