"""`python -m pipelines.check_catalogue`: write checks/README.md, the catalogue of everything that
judges the data, from the code and the dbt project (issue 38: one fact, one place).

The prose is pipelines/check_catalogue.md; each `<!-- table: NAME -->` line in it becomes a table
read from where the facts are declared:

- the row rules: each `RowRule` and `ResolvedRule` with its title and why (assets/ingest/);
- the asset checks: each check's name, asset and description, and its severity as its definition
  says (a WARN check is declared with checks/warn.py's `warn_check`, read by foundation/warn_checks.py);
- the dbt tests: per kind, where the models' YAML applies it and with what severity (the manifest),
  and why it is there (its docs block, assets/dbt/tests/generic/test_kinds.md).

`--check` writes nothing and exits 1 when the committed catalogue differs (tests/test_catalogue.py
does the same).
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import dagster as dg

from assets.ingest import messages
from assets.ingest.declaration_rules import DECLARATION_RULES
from assets.ingest.declarations import D09
from assets.ingest.declarations import DUPLICATE as DUPLICATE_LINE
from assets.ingest.row_rules import ResolvedRule, RowRule
from assets.ingest.survey_rules import SURVEY_RULES
from assets.ingest.surveys import S09
from assets.transform import MANIFEST, test_kind_why
from checks.contract_checks import STAGING_GATES
from foundation.warn_checks import is_warn
from pipelines.definitions import ASSETS, CHECKS

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = Path(__file__).with_suffix(".md")
CATALOGUE = ROOT / "checks" / "README.md"
COMMAND = "python -m pipelines.check_catalogue"
TABLE = re.compile(r"^<!-- table: (\w+) -->$", re.MULTILINE)

Rule = RowRule | ResolvedRule
# the row rules of each kind of file: those judged row by row in their order, then those resolved after
RULES: dict[str, tuple[Rule, ...]] = {
    "declaration_rules": (*DECLARATION_RULES, D09, DUPLICATE_LINE),
    "survey_rules": (*SURVEY_RULES, S09),
    "message_rules": (*(r for k in messages.MESSAGE_KINDS for r in k.rules), messages.DUPLICATE),
}
FAMILY = 4  # checks sharing a description that many or more, each named after its asset: one line


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _table(header: tuple[str, ...], rows: Iterable[tuple[str, ...]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows])


def rules_table(rules: Iterable[Rule], seen: dict[str, str]) -> str:
    """id, rule, why; a why said before (`seen`: why -> the first id) is referred to by that id."""
    rows = []
    for r in rules:
        rows.append((r.rule_id, r.title, f"as {seen[r.why]}" if r.why in seen else r.why))
        seen.setdefault(r.why, r.rule_id)
    return _table(("id", "rule", "why"), rows)


def _layer(group: str) -> str:
    """A group as the catalogue names it: `3_marts` is marts (the number is the group's place in the
    pipeline, foundation/asset_groups.py, by which the catalogue orders the checks too)."""
    return group.partition("_")[2] if group[:1].isdigit() else group


def severity(spec: dg.AssetCheckSpec) -> str:
    if is_warn(spec.metadata or {}):
        return "WARN"
    return "ERROR, blocking" if spec.blocking else "not blocking"


def check_rows() -> list[tuple[str, str, str, str]]:
    """check, asset (layer), severity, what and why: one line per check, or per family of checks that
    share their description (a family of many, each named after its asset, as `<asset>_suffix`)."""
    layer = {key: group for a in ASSETS for key, group in a.group_names_by_key.items()}
    families: dict[tuple[str, str], list[tuple[str, dg.AssetKey]]] = defaultdict(list)
    # the Python checks: each asset check of checks/, and the blocking ones on staging that the dbt step judges
    for spec in [*(s for checks in CHECKS for s in checks.check_specs), *(g.spec for g in STAGING_GATES)]:
        families[(spec.description or "", severity(spec))].append((spec.name, spec.asset_key))
    rows = []
    for (description, level), members in families.items():
        names = [n for n, _ in members]
        assets = list(dict.fromkeys(a.to_user_string() for _, a in members))
        groups = sorted({layer.get(a, "?") for _, a in members})
        layers = [_layer(g) for g in groups]
        suffix = names[0].removeprefix(members[0][1].to_user_string())  # each named <its asset><suffix>?
        if len(members) >= FAMILY and all(n == a.to_user_string() + suffix for n, a in members):
            each = layers[0].removesuffix("s") if len(layers) == 1 else "asset"  # marts: <mart>
            name, on = f"`<{each}>{suffix}`", f"one per {each}: {len(assets)}"
        else:
            name, on = ", ".join(f"`{n}`" for n in names), ", ".join(assets)
        rank = groups[0]
        rows.append((rank, (name, f"{on} ({', '.join(layers)})", level, description)))
    return [row for _, row in sorted(rows, key=lambda r: r[0])]


def _target(test: Mapping[str, Any]) -> str | None:
    """The model a relationships test points to (`to: ref('dim_x')`), or None."""
    found = re.search(r"ref\(['\"](\w+)['\"]\)", str(test["test_metadata"]["kwargs"].get("to", "")))
    return found.group(1) if found else None


def test_kinds(manifest: Mapping[str, Any] = MANIFEST) -> dict[str, list[Mapping[str, Any]]]:
    """The dbt tests by kind (their generic test's name), in the order the kinds' docs blocks come."""
    kinds: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for node in manifest["nodes"].values():
        if node["resource_type"] == "test":
            kinds[(node.get("test_metadata") or {}).get("name", "singular")].append(node)
    documented = [k.rsplit(".test_", 1)[1] for k in manifest["docs"] if ".test_" in k]
    return {k: kinds[k] for k in sorted(kinds, key=lambda k: (documented.index(k) if k in documented else 99, k))}


def dbt_rows(manifest: Mapping[str, Any] = MANIFEST) -> list[tuple[str, str, str, str]]:
    """test, on, severity, why: one line per kind of dbt test."""
    rows = []
    for kind, tests in test_kinds(manifest).items():
        macro = manifest["macros"].get(f"macro.{manifest['metadata']['project_name']}.test_{kind}")
        name = f"`{kind}`" + (f" (`assets/dbt/{macro['original_file_path']}`)" if macro else "")
        by_target: dict[str | None, list[str]] = defaultdict(list)
        for t in sorted(tests, key=lambda t: t["attached_node"] or ""):
            model = (t["attached_node"] or "").rsplit(".", 1)[-1]
            named = not t["name"].startswith(f"{kind}_") and not t["name"].startswith(f"{model}_")
            shown = f"{model} (as `{t['name']}`)" if named else model
            shown += " (warn)" if t["config"]["severity"].lower() == "warn" else ""
            if shown not in by_target[_target(t)]:
                by_target[_target(t)].append(shown)
        on = "; ".join((f"to `{target}`: " if target else "") + ", ".join(models)
                       for target, models in sorted(by_target.items(), key=lambda kv: kv[0] or ""))
        levels = [t["config"]["severity"].lower() for t in tests]
        level = levels[0] if len(set(levels)) == 1 else ", ".join(
            f"{s} ({levels.count(s)} of {len(levels)})" for s in sorted(set(levels)))
        rows.append((name, f"{len(tests)} tests on {on}", level, test_kind_why(manifest, kind)))
    return rows


def render() -> str:
    """The catalogue as it should read: the template with every table filled in."""
    seen: dict[str, str] = {}
    tables = {name: rules_table(rules, seen) for name, rules in RULES.items()}
    tables["asset_checks"] = _table(("check", "asset (layer)", "severity", "what and why"), check_rows())
    tables["dbt_tests"] = _table(("test", "on", "severity", "why"), dbt_rows())
    return TABLE.sub(lambda m: tables[m.group(1)], TEMPLATE.read_text(encoding="utf-8"))


def main(argv: list[str] | None = None) -> int:
    text = render()
    if "--check" in (sys.argv[1:] if argv is None else argv):
        if CATALOGUE.read_text(encoding="utf-8") != text:
            print(f"{CATALOGUE.relative_to(ROOT)} is out of date: run `{COMMAND}`", file=sys.stderr)
            return 1
        return 0
    CATALOGUE.write_text(text, encoding="utf-8")
    print(f"rule and check catalogue: {CATALOGUE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
