"""The rule and check catalogue (checks/README.md) is generated from the code and the dbt project,
never edited by hand: the committed file is what the generator writes, and every rule, check and
kind of dbt test says why it is there."""

from pipelines import check_catalogue
from pipelines.definitions import CHECKS


def test_the_committed_catalogue_is_the_generated_one():
    committed = check_catalogue.CATALOGUE.read_text(encoding="utf-8")
    assert committed == check_catalogue.render(), (
        f"checks/README.md is not what the code and the dbt project say: run `{check_catalogue.COMMAND}` "
        "(make docs runs it too), and edit the prose in pipelines/check_catalogue.md and each why where it "
        "is declared, not the README")


def test_every_rule_says_why():
    rules = [r for kind in check_catalogue.RULES.values() for r in kind]
    assert len(rules) > 30
    assert [r.rule_id for r in rules if not r.why.strip()] == []


def test_every_check_says_what_and_why_under_a_name_of_its_own():
    specs = [spec for c in CHECKS for spec in c.check_specs]
    assert len([s.name for s in specs]) == len({s.name for s in specs})  # a check name says which check it is
    assert [s.name for s in specs if len((s.description or "").split()) < 8] == []


def test_every_kind_of_dbt_test_says_why():
    kinds = check_catalogue.test_kinds()
    assert {"unique_key", "unique", "not_null", "relationships", "accepted_values"} <= set(kinds)
    assert [k for k in kinds if not check_catalogue.test_kind_why(check_catalogue.MANIFEST, k)] == []


def test_a_family_of_checks_named_after_their_assets_is_one_line():
    rows = check_catalogue.check_rows()
    publishable = [r for r in rows if r[0] == "`<mart>_is_publishable`"]
    assert len(publishable) == 1 and publishable[0][1].startswith("one per mart: ")
    assert not any("_is_publishable`," in r[0] for r in rows)
