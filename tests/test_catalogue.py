"""The rule catalogue stays true: every rule id and every asset check is documented."""

from pathlib import Path

from assets.ingest.declaration_rules import DECLARATION_RULES
from assets.ingest.messages import MESSAGE_KINDS
from assets.ingest.survey_rules import SURVEY_RULES
from assets.transform import MANIFEST
from pipelines.definitions import ALL_CHECKS

CATALOGUE = (Path(__file__).parent.parent / "checks" / "README.md").read_text()


def test_every_rule_and_check_is_in_the_catalogue():
    rule_ids = [r.rule_id for r in (*DECLARATION_RULES, *SURVEY_RULES)] + ["D09", "S09"]
    rule_ids += [r.rule_id for k in MESSAGE_KINDS for r in k.rules]
    names = [spec.name for c in ALL_CHECKS for spec in c.check_specs]
    assert len(names) == len(set(names))  # a check name says which check it is
    names = [n for n in names if not n.endswith("_is_publishable")] + ["<mart>_is_publishable"]
    missing = [n for n in rule_ids + names if f"| {n} |" not in CATALOGUE and f"`{n}`" not in CATALOGUE]
    assert missing == []


def test_every_kind_of_dbt_test_is_in_the_catalogue():
    kinds = {n["test_metadata"]["name"] for n in MANIFEST["nodes"].values() if n["resource_type"] == "test"}
    assert {"unique_key", "unique", "not_null", "relationships", "accepted_values"} <= kinds
    assert [k for k in sorted(kinds) if f"`{k}`" not in CATALOGUE] == []
