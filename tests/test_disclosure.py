"""Disclosure control against a fixture built to be adversarial (k = 10): one small cell in each
hierarchy the file has. All care is in 2024, one line per client and month at EUR 100 a unit.

- Almelo (0141), 30 clients: R01-R14 get product 45A01 (category 45), R15-R28 54B01 (54) and
  R29-R30 46C01 (46: 2 clients, a small category). R01-R02 are with provider P3 (2 clients, a small
  provider), R03-R14 with P1, R15-R30 with P2. Everyone is declared every month except March, when
  only R01-R05 are (5 clients: a small month). Outcome records: R01-R14 referred by 01, R15-R28 by
  02, R29-R30 by 03 (2 starts: a small referrer); everyone ends on 2024-12-31 as planned, except
  the 2 of referrer 03, who drop out.
- Enschede (0153): 2 clients (a small municipality in Twente); Hengelo (0164): 12 clients.

Without disclosure control each small cell can be worked back from the published totals; the
tests show that (so the attackers can fail), then that the published file gives nothing back to
either attacker, and that every value it still shows is the value the models computed.
"""

from __future__ import annotations

import shutil

import dagster as dg
import duckdb
import pytest

from assets.publish import baseline_of, recoverable_cells, verdict_path
from demo_data.bsn import synthetic_bsn
from pipelines.definitions import ALL_ASSETS, ALL_CHECKS
from tests import disclosure_oracle
from tests.conftest import TEST_KEY, make_drop_folders, write_declarations, write_surveys

P1, P2, P3 = "11111111", "22222222", "33333333"


def clients() -> list[dict]:
    """One dict per client: municipality, product, provider, referrer, the months declared."""
    everyone = []
    for n in range(1, 31):
        code = "45A01" if n <= 14 else "54B01" if n <= 28 else "46C01"
        everyone.append({"id": f"R{n:02d}", "municipality": "0141", "code": code,
                         "provider": P3 if n <= 2 else P1 if n <= 14 else P2,
                         "referrer": "01" if n <= 14 else "02" if n <= 28 else "03",
                         "months": [m for m in range(1, 13) if m != 3 or n <= 5]})
    everyone += [{"id": f"E{n}", "municipality": "0153", "code": "45A01", "provider": P1, "referrer": "01",
                  "months": list(range(1, 13))} for n in range(1, 3)]
    everyone += [{"id": f"H{n:02d}", "municipality": "0164", "code": "45A01", "provider": P1, "referrer": "01",
                  "months": list(range(1, 13))} for n in range(1, 13)]
    return everyone


def build(data_dir) -> None:
    make_drop_folders(data_dir)
    (data_dir / "raw/reference/population.csv").write_text(
        "gemeentecode,jaar,inwoners_0_17\n0141,2024,15000\n0153,2024,30000\n0164,2024,16000\n")
    lines, surveys = [], []
    for c in clients():
        bsn = synthetic_bsn(f"disclosure/{c['id']}")
        for m in c["months"]:
            last = 29 if m == 2 else 30 if m in (4, 6, 9, 11) else 31
            lines.append({"referentienummer": f"{c['id']}-{m:02d}", "bsn": bsn, "gemeentecode": c["municipality"],
                          "aanbieder_agb": c["provider"], "toewijzingnummer": c["id"][1:] + c["municipality"],
                          "productcategorie": c["code"][:2], "productcode": c["code"],
                          "product_begindatum": f"2024-{m:02d}-01", "product_einddatum": f"2024-{m:02d}-{last}",
                          "geleverd_volume": "1", "producttarief": "10000", "ingediend_bedrag": "10000"})
        surveys.append({"bsn": bsn, "gemeentecode": c["municipality"], "aanbieder_agb": c["provider"],
                        "toewijzingnummer": c["id"][1:] + c["municipality"], "productcategorie": c["code"][:2],
                        "verwijzer": c["referrer"], "startdatum": "2024-01-01", "einddatum": "2024-12-31",
                        "reden_beeindiging": "32" if c["referrer"] == "03" else "31", "invuldatum": "2025-01-05"})
    write_declarations(data_dir / "raw/declarations/adversarial.csv", lines)
    write_surveys(data_dir / "raw/surveys/adversarial.csv", surveys)


def unprotected_copy(working_db, target) -> None:
    """The marts as the models built them, before disclosure control: what would be published without it."""
    with duckdb.connect() as con:
        con.execute(f"ATTACH '{working_db}' AS w (READ_ONLY)")
        con.execute(f"ATTACH '{target}' AS t")
        con.execute("CREATE SCHEMA t.marts")
        for (table,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = 'w' "
                                    "AND schema_name = 'marts'").fetchall():
            con.execute(f"CREATE TABLE t.marts.{table} AS SELECT * FROM w.marts.{table}")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from foundation.warehouse import Warehouse

    data = tmp_path_factory.mktemp("disclosure")
    build(data)
    warehouse = Warehouse(data_dir=str(data), pseudonym_key=TEST_KEY, min_cell_size=10)
    result = dg.materialize([*ALL_ASSETS, *ALL_CHECKS], resources={"warehouse": warehouse}, raise_on_error=False)
    assert result.success
    raw = data / "unprotected.duckdb"
    unprotected_copy(warehouse.working_db, raw)
    return warehouse, result, raw


def test_the_fixture_leaks_in_every_hierarchy_without_disclosure_control(built):
    _, _, raw = built
    with duckdb.connect(str(raw), read_only=True) as con:
        found = disclosure_oracle.recoverable(con)
    for hierarchy in ("spend by months", "spend by product categories", "spend by providers",
                      "region numerator over municipalities", "starts by referrer"):
        assert any(f.startswith(hierarchy) for f in found), (hierarchy, found)
    assert not recoverable_cells(str(raw)).empty


def test_nothing_suppressed_can_be_worked_back_from_the_published_file(built):
    warehouse, result, _ = built
    with duckdb.connect(str(warehouse.published_db), read_only=True) as con:
        assert disclosure_oracle.recoverable(con) == []
    assert recoverable_cells(str(warehouse.published_db), base=baseline_of(warehouse)).empty
    check = {c.check_name: c for c in result.get_asset_check_evaluations()}["no_suppressed_cell_can_be_recovered"]
    assert check.passed and check.metadata["recoverable_cells"].value == 0


def test_each_small_cell_is_hidden_with_a_complement(built):
    warehouse, _, _ = built
    with duckdb.connect(str(warehouse.published_db), read_only=True) as con:
        def hidden(sql: str) -> list:
            return [r[0] for r in con.execute(sql).fetchall()]

        months = hidden("SELECT month(month) FROM marts.cost_trends_by_municipality "
                        "WHERE municipality_code = '0141' AND suppressed ORDER BY 1")
        categories = hidden("SELECT product_category FROM marts.cost_by_municipality_product_year "
                            "WHERE municipality_code = '0141' AND suppressed ORDER BY 1")
        providers = hidden("SELECT provider_agb FROM marts.spend_by_municipality_provider_year "
                           "WHERE municipality_code = '0141' AND suppressed ORDER BY 1")
        referrers = hidden("SELECT referrer FROM marts.referral_channels "
                           "WHERE municipality_code = '0141' AND suppressed ORDER BY 1")
        region = con.execute("SELECT region_value FROM marts.region_benchmark WHERE municipality_code = '0164' "
                             "AND measure = 'spend_per_youth_eur'").fetchone()[0]
        twente_hidden = con.execute("SELECT count(*) FROM marts.cost_by_municipality_year "
                                    "WHERE youth_care_region = 'Twente' AND suppressed").fetchone()[0]
        about = con.execute("SELECT rows_suppressed_small_cells, cells_suppressed_secondary FROM marts.about"
                            ).fetchone()
    # March and the cheapest other month (all others cost the same: the earliest, deterministically)
    assert 3 in months and len(months) >= 2
    assert "46" in categories and len(categories) >= 2
    assert P3 in providers and len(providers) >= 2
    assert "03" in referrers and len(referrers) >= 2
    # Enschede is hidden; Twente's value would give it away beside Almelo's and Hengelo's, unless a
    # second municipality of Twente is hidden too (the cheaper complement: Hengelo, 12 clients)
    assert region is None or twente_hidden >= 2
    assert about[0] > 0 and about[1] > 0


def test_every_value_still_shown_is_the_value_the_models_computed(built):
    warehouse, _, raw = built
    assert disclosure_oracle.changed_values(warehouse.published_db, raw) == {}


def _copied(warehouse, data):
    """The warehouse on a copy of its data. A new resource: Dagster builds a run's resources from their
    config, and a model_copy of a resource keeps the original's, so its run would write the original."""
    from foundation.warehouse import Warehouse

    return Warehouse(data_dir=str(data), pseudonym_key=TEST_KEY, min_cell_size=warehouse.min_cell_size)


def test_a_file_the_attacker_breaks_is_not_published(built, tmp_path, monkeypatch):
    """With disclosure control switched off, the blocking check stops the publish: the BI file stays."""
    import assets.publish
    from assets.disclosure.suppress import Outcome

    warehouse, _, _ = built
    data = tmp_path / "data"
    shutil.copytree(warehouse.data_dir, data)
    copy = _copied(warehouse, data)
    before = copy.published_db.stat().st_mtime_ns
    monkeypatch.setattr(assets.publish, "protect", lambda con, catalog, targets: Outcome())
    result = dg.materialize([*ALL_ASSETS, *ALL_CHECKS], resources={"warehouse": copy}, raise_on_error=False,
                            selection=["publication_candidate", "published_warehouse"])
    check = {c.check_name: c for c in result.get_asset_check_evaluations()}["no_suppressed_cell_can_be_recovered"]
    assert not check.passed and check.metadata["recoverable_cells"].value > 0
    published = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert "published_warehouse" not in published
    assert copy.published_db.stat().st_mtime_ns == before


def test_a_candidate_changed_after_the_check_passed_is_attacked_again_and_not_published(built, tmp_path):
    """published_warehouse takes the check's clean verdict only for the very bytes it judged: a candidate
    in which a hidden cell reappeared after the check is attacked again, and the BI file stays."""
    warehouse, _, _ = built
    data = tmp_path / "data"
    shutil.copytree(warehouse.data_dir, data)
    copy = _copied(warehouse, data)
    result = dg.materialize([*ALL_ASSETS, *ALL_CHECKS], resources={"warehouse": copy},
                            selection=["publication_candidate"])
    check = {c.check_name: c for c in result.get_asset_check_evaluations()}["no_suppressed_cell_can_be_recovered"]
    verdict = verdict_path(copy.candidate_db)
    assert check.passed and verdict.exists()
    before = copy.published_db.read_bytes()
    with duckdb.connect(str(copy.candidate_db)) as con:  # Almelo's March (5 clients, EUR 500) shown after all
        where = "WHERE municipality_code = '0141' AND month(month) = 3"
        assert con.execute(f"SELECT bool_and(suppressed) FROM marts.cost_trends_by_municipality {where}").fetchone()[0]
        con.execute(f"UPDATE marts.cost_trends_by_municipality SET spend_eur = 500, clients = 5, suppressed = false "
                    f"{where}")
    result = dg.materialize([*ALL_ASSETS, *ALL_CHECKS], resources={"warehouse": copy}, raise_on_error=False,
                            selection=["published_warehouse"])
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    assert failure.step_key == "published_warehouse" and "can be worked back" in str(failure.event_specific_data.error)
    assert copy.published_db.read_bytes() == before


def test_every_breakdown_adds_up_to_the_year_with_what_is_not_shown(built):
    warehouse, _, _ = built
    with duckdb.connect(str(warehouse.published_db), read_only=True) as con:
        rows = con.execute("""
            SELECT table_name, spend_eur, spend_shown_eur, spend_not_shown_eur, rows_shown, rows_not_shown
            FROM marts.spend_not_shown WHERE municipality_code = '0141' ORDER BY table_name""").fetchall()
        months = con.execute("SELECT sum(spend_eur), count(*) FILTER (WHERE suppressed) "
                             "FROM marts.cost_trends_by_municipality WHERE municipality_code = '0141'").fetchone()
    # Almelo 2024: 30 clients x 11 months + 5 in March, EUR 100 each
    assert {r[0] for r in rows} == {"cost_trends_by_municipality", "cost_by_municipality_product_year",
                                    "spend_by_municipality_provider_year", "interventions"}
    for _, spend, shown, not_shown, _, hidden in rows:
        assert spend == 33500 and shown + not_shown == spend and hidden >= 2 and not_shown > 0
    by_month = [r[2:] for r in rows if r[0] == "cost_trends_by_municipality"]
    assert by_month == [(months[0], 33500 - months[0], 12 - months[1], months[1])]


def test_the_sums_the_attacker_knows_hold_in_the_file_before_protection(built):
    _, _, raw = built
    kinds, broken = disclosure_oracle.sums_that_do_not_hold(raw)
    assert broken == []
    assert kinds >= {"sum", "codes", "group", "rolling", "duration"}


def test_concentration_figures_give_way_to_their_bands_where_a_provider_is_hidden(built):
    """Almelo pays three providers, P3 hidden: the HHI and top-five share would narrow P3's spend
    beside the total and the other two, so they are empty and only their bands are shown."""
    warehouse, _, raw = built
    with duckdb.connect(str(raw), read_only=True) as con:
        computed = con.execute("SELECT hhi, hhi_band, top5_share_pct, top5_share_band FROM marts.provider_landscape "
                               "WHERE municipality_code = '0141'").fetchone()
    with duckdb.connect(str(warehouse.published_db), read_only=True) as con:
        published = con.execute("SELECT hhi, hhi_band, top5_share_pct, top5_share_band "
                                "FROM marts.provider_landscape WHERE municipality_code = '0141'").fetchone()
    # P1 12 clients x 11 months + 3 in March, P2 16 x 11, P3 2 x 12: spend shares of 33,500
    p1, p2, p3 = 13500 / 33500, 17600 / 33500, 2400 / 33500
    assert computed == (round((p1 ** 2 + p2 ** 2 + p3 ** 2) * 10000), "above 2500", 100.0, "90-100")
    assert published == (None, "above 2500", None, "90-100")
