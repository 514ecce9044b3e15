"""Additive facts apart from context (issue 42): every measure column of a published mart says in its
YAML whether a BI tool may SUM it, the mark reaches its comment in the published file, and what may be
summed adds up, by the keys its YAML declares (meta.rolls_up), to what the parent table says, with
spend_not_shown's remainder where rows are hidden. And region_benchmark_wide: one row per municipality
and year, its columns made from the one declaration of the measures, showing nothing that
region_benchmark hides.

On the adversarial fixture of test_disclosure.py (k = 10: a small cell in every hierarchy, so the
remainders and the hidden rows are really there).
"""

from __future__ import annotations

import re

import dagster as dg
import duckdb
import pytest

from assets.publish import KEY_COLUMNS, UndeclaredColumnsError, grain, publish_order, refuse_undeclared, unmarked
from assets.transform import MODELS, additive_columns, meta_of, rollups
from pipelines.definitions import ALL_ASSETS, ALL_CHECKS
from tests.conftest import TEST_KEY
from tests.test_disclosure import build

WIDE = "region_benchmark_wide"


def refreshed(tmp_path_factory, k: int):
    from foundation.warehouse import Warehouse

    data = tmp_path_factory.mktemp(f"additive_k{k}_")
    build(data)
    warehouse = Warehouse(data_dir=str(data), pseudonym_key=TEST_KEY, min_cell_size=k)
    assert dg.materialize([*ALL_ASSETS, *ALL_CHECKS], resources={"warehouse": warehouse}).success
    return warehouse


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    with duckdb.connect(str(refreshed(tmp_path_factory, 10).published_db), read_only=True) as con:
        yield con


@pytest.fixture(scope="module")
def unsuppressed(tmp_path_factory):
    """The same data at k = 1: no row is small, so every group is complete and every parent is compared."""
    with duckdb.connect(str(refreshed(tmp_path_factory, 1).published_db), read_only=True) as con:
        yield con


def comments(con, table: str) -> dict[str, str]:
    return dict(con.execute("SELECT column_name, comment FROM duckdb_columns() WHERE schema_name = 'marts' "
                            "AND table_name = ?", [table]).fetchall())


def test_every_measure_column_says_in_its_comment_whether_it_adds_up(published):
    catalog = published.execute("SELECT current_database()").fetchone()[0]
    assert unmarked(published, catalog) == []
    marked = 0
    for table in publish_order():
        shown = comments(published, table)
        for column, spec in MODELS[table]["columns"].items():
            meta = meta_of(spec)
            if "additive" not in meta:
                continue
            marked += 1
            assert shown[column].startswith(spec["description"].strip()), (table, column)
            marker = shown[column][len(spec["description"].strip()):].strip()
            if meta["additive"] is True:
                within = " binnen één " + " en ".join(meta["sum_within"]) if meta.get("sum_within") else ""
                assert marker == f"(optelbaar{within})", (table, column, marker)
            else:
                assert marker.startswith("(niet optelbaar: ") and marker.endswith(")"), (table, column, marker)
    assert marked > 300
    # what the issue found: a year total repeated on every breakdown row says it is not to be summed
    assert "niet optelbaar" in comments(published, "spend_not_shown")["spend_eur"]
    assert "niet optelbaar" in comments(published, "spend_by_municipality_provider_year")["municipality_spend_eur"]
    assert "optelbaar binnen één table_name" in comments(published, "spend_not_shown")["spend_not_shown_eur"]


def test_a_measure_column_without_a_mark_stops_the_publish():
    with duckdb.connect() as con:
        con.execute("ATTACH ':memory:' AS working")
        con.execute("CREATE SCHEMA working.marts")
        con.execute("CREATE TABLE working.marts.cost_by_municipality_year "
                    "(municipality_code VARCHAR, year INTEGER, spend_eur DECIMAL(18, 2), suppressed BOOLEAN)")
        con.execute("COMMENT ON COLUMN working.marts.cost_by_municipality_year.spend_eur IS 'Uitgaven (EUR).'")
        assert unmarked(con, "working") == ["cost_by_municipality_year.spend_eur"]
        with pytest.raises(UndeclaredColumnsError, match=r"cost_by_municipality_year\.spend_eur"):
            refuse_undeclared(con, "working")
        con.execute("COMMENT ON COLUMN working.marts.cost_by_municipality_year.spend_eur "
                    "IS 'Uitgaven (EUR). (optelbaar)'")
        assert unmarked(con, "working") == []
        refuse_undeclared(con, "working")


@pytest.mark.parametrize("file", ["published", "unsuppressed"])
def test_additive_columns_add_up_to_what_their_parent_says(file, request):
    published = request.getfixturevalue(file)
    compared = {}
    for child in publish_order():
        for r in rollups(child):
            assert set(r["columns"]) <= set(additive_columns(child)), (child, r)  # only what may be summed
            keys = ", ".join(r["by"])
            for column, parent_column in r["columns"].items():
                # the parent's figure for the keys (a total that repeats on the rows of its own table: once)
                parent = f"""SELECT {keys}, count(DISTINCT {parent_column}) AS versions,
                                    any_value({parent_column}) AS total
                             FROM marts.{r['to']} GROUP BY ALL"""
                children = f"""SELECT {keys}, sum({column}) AS summed,
                                      count(*) FILTER (WHERE {column} IS NULL) AS hidden
                               FROM marts.{child} GROUP BY ALL"""
                if r.get("not_shown"):  # what the hidden rows hold, labelled: every group adds up
                    remainder = f"""SELECT {keys}, spend_not_shown_eur FROM marts.{r['not_shown']}
                                    WHERE table_name = '{child}'"""
                    rows = published.execute(f"""
                        SELECT p.total, c.summed, n.spend_not_shown_eur FROM ({children}) AS c
                        JOIN ({parent}) AS p USING ({keys}) JOIN ({remainder}) AS n USING ({keys})
                        WHERE p.total IS NOT NULL""").fetchall()
                    assert rows and all(total == (summed or 0) + rest for total, summed, rest in rows), (child, column)
                else:  # where no row of the group is hidden, the rows add up to the parent's figure
                    # (at k = 1 nothing is hidden: an empty figure is one nobody measured, as empty in the parent)
                    complete = "true" if file == "unsuppressed" else "c.hidden = 0 AND p.total IS NOT NULL"
                    rows = published.execute(f"""
                        SELECT p.versions, p.total, c.summed FROM ({children}) AS c JOIN ({parent}) AS p USING ({keys})
                        WHERE {complete}""").fetchall()
                    assert all(versions <= 1 and total == summed for versions, total, summed in rows), \
                        (child, column, r["to"], [row for row in rows if row[1] != row[2]][:3])
                compared[(child, r["to"], column)] = len(rows)
    assert len(compared) > 60
    if file == "unsuppressed":  # nothing hidden: every column of every declaration is compared
        assert [key for key, n in compared.items() if not n] == []


def test_a_spend_not_shown_total_never_exceeds_the_spend_it_is_part_of(published):
    over = published.execute("""
        SELECT table_name, municipality_code, sum(spend_not_shown_eur), sum(spend_eur)
        FROM marts.spend_not_shown GROUP BY ALL HAVING sum(spend_not_shown_eur) > sum(spend_eur)""").fetchall()
    assert over == []
    assert published.execute("SELECT count(*) FILTER (WHERE spend_not_shown_eur > 0) FROM marts.spend_not_shown"
                             ).fetchone()[0] > 0


def test_the_wide_benchmark_is_the_long_one_a_row_per_municipality_and_year(published):
    meta = meta_of(MODELS[WIDE])
    measures = published.execute("SELECT measure, measure_label, numerator, denominator FROM marts.dim_measure "
                                 "ORDER BY sort_order").fetchall()
    quantities = list(dict.fromkeys(q for _, _, n, d in measures for q in (n, d)))
    columns = published.execute("SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = ? "
                                "ORDER BY column_index", [WIDE]).fetchall()
    # its columns are made from dim_measure (the one declaration) and the YAML's templates, in that order
    assert [c for c, _ in columns] == (
        grain(WIDE)[:1] + ["municipality_name", "youth_care_region", "year"]
        + [t["name"].replace("{measure}", m) for m, *_ in measures for t in meta["per_measure"]] + quantities)
    assert set(meta["quantities"]) == set(quantities)
    types = dict(columns)
    assert all(types[q] == ("DECIMAL(18,2)" if q.endswith("_eur") else "BIGINT") for q in quantities)
    assert {t for t in types.values()} <= {"VARCHAR", "INTEGER", "DOUBLE", "BIGINT", "DECIMAL(18,2)"}

    # one row per municipality and year of the long table
    assert published.execute(f"""
        SELECT (SELECT count(*) FROM marts.{WIDE}),
               (SELECT count(DISTINCT (municipality_code, year)) FROM marts.region_benchmark)""").fetchone() \
        in {(n, n) for n in range(1, 10_000)}

    # every value is the long table's, and what the long table hides is hidden here
    for m, label, _, _ in measures:
        for t in meta["per_measure"]:
            wide = t["name"].replace("{measure}", m)
            differs = published.execute(f"""
                SELECT count(*) FROM marts.region_benchmark AS l JOIN marts.{WIDE} AS w USING (municipality_code, year)
                WHERE l.measure = ? AND w."{wide}" IS DISTINCT FROM l.{t['source']}""", [m]).fetchone()[0]
            assert differs == 0, (m, wide)
            assert comments(published, WIDE)[wide].startswith(label)
    for q in quantities:
        sides = [(m, "municipality_numerator") for m, _, n, _ in measures if n == q] + \
                [(m, "municipality_denominator") for m, _, _, d in measures if d == q]
        for m, side in sides:
            wrong = published.execute(f"""
                SELECT count(*) FROM marts.region_benchmark AS l JOIN marts.{WIDE} AS w USING (municipality_code, year)
                WHERE l.measure = ? AND ((l.{side} IS NULL AND w."{q}" IS NOT NULL)
                                         OR (l.{side} IS NOT NULL AND w."{q}" IS NOT NULL AND w."{q}" <> l.{side}))""",
                [m]).fetchone()[0]
            assert wrong == 0, (q, m)
    # the fixture hides some of it (Enschede, 2 clients), so the hiding is really tested
    assert published.execute(f"SELECT count(*) FROM marts.{WIDE} WHERE spend_eur IS NULL").fetchone()[0] > 0
    assert published.execute(f"SELECT count(*) FROM marts.{WIDE} WHERE spend_eur IS NOT NULL").fetchone()[0] > 0


def test_the_wide_benchmark_marks_its_columns_too(published):
    shown = comments(published, WIDE)
    numbers = [c for c, kind in published.execute("SELECT column_name, data_type FROM duckdb_columns() "
                                                  "WHERE table_name = ?", [WIDE]).fetchall()
               if c not in KEY_COLUMNS and kind != "VARCHAR"]
    assert numbers and all(re.search(r"\((niet )?optelbaar", shown[c]) for c in numbers)
    assert shown["spend_eur"].endswith("(optelbaar)")
    assert "niet optelbaar" in shown["clients"] and "niet optelbaar" in shown["region_rank_dropout_pct"]
