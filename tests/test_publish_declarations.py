"""The publish and disclosure control name no mart: the tables they fill, rank, join or count come
from the marts' YAML (the dbt manifest), and the queries beside them get their tables as
placeholders. A declaration that is missing, or made twice, stops the publish (fail closed)."""

import re
from pathlib import Path

import pytest

from assets import publish
from assets.disclosure import cells
from assets.transform import MODELS, models_in
from checks import declared_warn

QUERY_FOLDERS = (publish.PUBLISH_SQL, cells.IDENTITIES_DIR, declared_warn.SQL_DIR)


@pytest.mark.parametrize("folder", QUERY_FOLDERS, ids=lambda p: p.name)
def test_the_queries_name_no_mart(folder: Path):
    marts = models_in("marts")
    named = {f"{path.name}: {m}" for path in sorted(folder.glob("*.sql")) for m in marts
             if re.search(rf"\b{m}\b", path.read_text())}
    assert list(folder.glob("*.sql")) and sorted(named) == []


def test_each_query_a_mart_lists_after_disclosure_control_exists():
    listed = {q for m in models_in("marts") for q in publish.model_meta(m).get("after_disclosure_control") or []}
    assert listed and {q for q in listed if not (publish.PUBLISH_SQL / f"{q}.sql").exists()} == set()


@pytest.mark.parametrize("key", ["publication_record", "figures"])
def test_a_role_two_marts_declare_stops_the_publish(key: str, monkeypatch):
    holder = publish.the_mart_declaring(key)
    other = next(m for m in cells.published_marts() if m != holder)
    monkeypatch.setitem(MODELS[other]["config"]["meta"], key, MODELS[holder]["config"]["meta"][key])
    with pytest.raises(RuntimeError, match=rf"one published mart must declare meta.{key}.*not 2"):
        publish.the_mart_declaring(key)


def test_a_remainder_table_no_breakdown_names_stops_the_publish(monkeypatch):
    """Without a breakdown naming it (a stale manifest, a declaration at the wrong level) the remainder
    table would be published empty: the publish stops before it writes anything."""
    remainders = [m for m in cells.published_marts() if publish.model_meta(m).get("remainder") is True]
    assert remainders
    monkeypatch.setattr(publish, "rollups", lambda table: [])
    with pytest.raises(RuntimeError, match=remainders[0]):
        publish.fill_not_shown(None, "pub")


def test_the_identities_join_the_dimensions_the_yaml_declares():
    """Each identity query with its tables filled in names only published marts, and the benchmark
    query runs once per table whose columns declare a side of the benchmark."""
    published = set(cells.published_marts())
    queries = cells.identities_sql("pub")
    joined = {t for sql in queries for t in re.findall(r"\bpub\.marts\.(\w+)", sql)}
    assert joined and joined <= published
    assert len(queries) == len(cells.IDENTITIES) - 1 + len(cells.benchmark_tables())
    assert cells.benchmark_tables() and set(cells.benchmark_tables()) <= published
