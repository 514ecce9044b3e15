"""The rule catalogue stays true: every rule id and every asset check is documented."""

from pathlib import Path

from assets.ingest.declaration_rules import DECLARATION_RULES
from assets.ingest.survey_rules import SURVEY_RULES
from pipelines.definitions import ALL_CHECKS

CATALOGUE = (Path(__file__).parent.parent / "checks" / "README.md").read_text()


def test_every_rule_and_check_is_in_the_catalogue():
    rule_ids = [r.rule_id for r in (*DECLARATION_RULES, *SURVEY_RULES)] + ["D09", "S09"]
    names = [spec.name for c in ALL_CHECKS for spec in c.check_specs]
    assert len(names) >= 19
    names = [n for n in names if not n.endswith("_is_publishable")] + ["<mart>_is_publishable"]
    missing = [n for n in rule_ids + names if f"| {n} |" not in CATALOGUE and f"`{n}`" not in CATALOGUE]
    assert missing == []
