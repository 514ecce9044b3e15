"""The answers layer (region benchmark, providers, access channels, interventions, duration by
region, dimensions, about) against a small fixture computed by hand, at k = 2.

Twente: Almelo (three clients A, B, C, EUR 100 each; 1,000 young inhabitants) and Enschede (one
client D, EUR 500; 3,000 young inhabitants: suppressed). Flevoland: Almere (clients E, F, EUR 50
each; 2,000 young inhabitants). Providers in Almelo: P1 (A, B; accounts with a margin of exactly
3 %) and P2 (C; no accounts); Enschede's D is at P3 (accounts, margin 4 %). Outcome records:
A ended as planned and B dropped out, both referred by the huisarts (02), from 10 January to
30 June 2024 (172 days: 3-6 months); C and D have none (referrer unknown).

The hand computations are checked on the marts as the models built them (`models`: the working
file); disclosure control then hides more in the published file (so few clients leave little to
show), which must show nothing but those same values, and keys and comments (`published`).
"""

from __future__ import annotations

import duckdb
import pytest

from assets.ingest.declaration_rules import DECLARATION_RULES
from assets.ingest.messages import CARE_STOPS, MESSAGE_KINDS
from assets.ingest.survey_rules import SURVEY_RULES
from demo_data.bsn import synthetic_bsn
from tests import disclosure_oracle
from tests.conftest import make_drop_folders, write_declarations, write_surveys
from tests.test_blocking_checks import refresh

P1, P2, P3 = "12345678", "87654321", "11223344"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from foundation.warehouse import Warehouse
    from tests.conftest import TEST_KEY

    data = tmp_path_factory.mktemp("answers")
    make_drop_folders(data)
    bsn = {c: synthetic_bsn(c) for c in "ABCDEF"}
    (data / "raw/reference/population.csv").write_text(
        "gemeentecode,jaar,inwoners_0_17\n0141,2024,1000\n0153,2024,3000\n0034,2024,2000\n")
    (data / "raw/reference/provider_financials.csv").write_text(
        f"aanbieder_agb,jaar,omzet_eur,bedrijfsresultaat_eur\n{P1},2024,1000000,30000\n{P3},2024,1000000,40000\n")
    (data / "raw/reference/products.csv").write_text(
        "productcode,productcategorie,omschrijving,interventie,nji_erkenning\n"
        "45A01,45,Ambulante begeleiding,Ambulante begeleiding,Effectief - goede aanwijzingen\n")

    def line(client: str, municipality: str, provider: str, euros: int) -> dict:
        cents = euros * 100
        return {"referentienummer": f"R{client}", "bsn": bsn[client], "gemeentecode": municipality,
                "aanbieder_agb": provider, "toewijzingnummer": f"10{ord(client)}", "geleverd_volume": "1",
                "producttarief": str(cents), "ingediend_bedrag": str(cents)}

    write_declarations(data / "raw/declarations/a.csv", [
        line("A", "0141", P1, 100), line("B", "0141", P1, 100), line("C", "0141", P2, 100),
        line("D", "0153", P3, 500), line("E", "0034", P1, 50), line("F", "0034", P1, 50)])
    write_surveys(data / "raw/surveys/s.csv", [
        {"bsn": bsn["A"], "aanbieder_agb": P1, "toewijzingnummer": f"10{ord('A')}", "verwijzer": "02",
         "reden_beeindiging": "31"},
        {"bsn": bsn["B"], "aanbieder_agb": P1, "toewijzingnummer": f"10{ord('B')}", "verwijzer": "02",
         "reden_beeindiging": "32"}])
    warehouse = Warehouse(data_dir=str(data), pseudonym_key=TEST_KEY, min_cell_size=2)
    result = refresh(warehouse)
    assert result.success
    return warehouse


@pytest.fixture(scope="module")
def models(built):
    with duckdb.connect(str(built.working_db), read_only=True) as con:
        yield con


@pytest.fixture(scope="module")
def published(built):
    with duckdb.connect(str(built.published_db), read_only=True) as con:
        yield con


def rows(con, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def test_region_values_are_weighted_not_a_mean_of_ratios(models):
    got = {r[0]: r[1:] for r in rows(models, """
        SELECT measure, municipality_value, municipality_numerator, municipality_denominator, region_value,
               region_numerator, region_denominator, all_value, region_rank, region_municipalities, suppressed
        FROM marts.region_benchmark WHERE municipality_code = '0141' AND year = 2024""")}
    # Almelo 300 / 1,000; Twente (Enschede's suppressed cell included) 800 / 4,000 = 0.20, where the mean of
    # the two ratios would be (0.30 + 0.1667) / 2 = 0.23; all three municipalities 900 / 6,000
    assert got["spend_per_youth_eur"] == (0.30, 300, 1000, 0.20, 800, 4000, 0.15, 1, 1, False)
    assert got["clients_per_1000_youth"][:8] == (3.0, 3, 1000, 1.0, 4, 4000, 1.0, 1)
    assert got["spend_per_client_eur"][:7] == (100.0, 300, 3, 200.0, 800, 4, 150.0)
    assert got["evidence_based_spend_pct"][0] == 100.0
    # outcomes: two ended trajectories in Almelo (two clients: models at k = 2)
    assert got["ended_as_planned_pct"][:7] == (50.0, 1, 2, 50.0, 1, 2, 50.0)
    assert got["dropout_pct"][0] == 50.0 and got["satisfaction_mean"][0] == 8.0


def test_a_suppressed_municipality_inside_a_published_region(models):
    enschede = rows(models, """
        SELECT municipality_value, municipality_numerator, region_value, region_rank, suppressed
        FROM marts.region_benchmark
        WHERE municipality_code = '0153' AND year = 2024 AND measure = 'spend_per_youth_eur'""")
    assert enschede == [(None, None, 0.20, None, True)]


def test_spend_by_provider_with_and_without_accounts(models):
    got = rows(models, """
        SELECT municipality_code, provider_agb, spend_eur, clients, municipality_spend_eur,
               share_of_municipality_spend_pct, rank_in_municipality, margin_pct, margin_above_3pct,
               trajectories_ended, ended_as_planned, dropout_pct, suppressed
        FROM marts.spend_by_municipality_provider_year WHERE year = 2024 ORDER BY 1, 2""")
    assert got == [
        ("0034", P1, 100, 2, 100, 100.0, 1, 3.0, False, None, None, None, False),
        # exactly 3 %: not above it, however it is rounded
        ("0141", P1, 200, 2, 300, 66.7, 1, 3.0, False, 2, 1, 50.0, False),
        ("0141", P2, None, None, None, None, None, None, None, None, None, None, True),  # no accounts
        # suppressed (one client), but annual accounts are public: the margin stays
        ("0153", P3, None, None, None, None, None, 4.0, True, None, None, None, True),
    ]


def test_referral_channels_with_an_unknown_referrer(models):
    got = rows(models, """
        SELECT referrer, trajectories_started, clients, municipality_starts, share_of_starts_pct, region_starts,
               region_all_starts, region_share_of_starts_pct, spend_eur, trajectories_ended, ended_as_planned_pct,
               dropouts, dropout_pct, suppressed
        FROM marts.referral_channels WHERE municipality_code = '0141' AND year = 2024 ORDER BY referrer""")
    assert got == [
        ("02", 2, 2, 3, 66.7, 2, 4, 50.0, 200, 2, 50.0, 1, 50.0, False),
        # C alone: suppressed; Twente's unknown referrals are C and D (2 of 4 starts)
        ("onbekend", None, None, None, None, 2, 4, 50.0, None, None, None, None, None, True),
    ]


def test_referral_channels_one_cohort_per_row(models):
    """The two cohorts of referral_channels, one table each: the start half of every row where it has starts,
    the ending half of every row where it has endings, with their own small-cell rules; nothing else."""
    starts = """SELECT municipality_code, year, referrer, trajectories_started, clients, municipality_starts,
                       share_of_starts_pct, region_starts, region_all_starts, region_share_of_starts_pct, spend_eur,
                       suppressed FROM marts.{}"""
    old_starts = rows(models, starts.format("referral_channels") + " WHERE trajectories_started > 0 OR suppressed "
                      "AND (municipality_code, year, referrer) IN (SELECT municipality_code, year, referrer "
                      "FROM marts.referral_channel_starts) ORDER BY ALL")
    assert rows(models, starts.format("referral_channel_starts") + " ORDER BY ALL") == old_starts
    assert ("0141", 2024, "02", 2, 2, 3, 66.7, 2, 4, 50.0, 200, False) in old_starts
    endings = """SELECT municipality_code, year, referrer, trajectories_ended, ended_as_planned, ended_as_planned_pct,
                        dropouts, dropout_pct, recurrence_measurable, no_recurrence, no_recurrence_pct FROM marts.{}"""
    new_endings = rows(models, endings.format("referral_channel_endings") + " ORDER BY ALL")
    assert new_endings == rows(models, endings.format("referral_channels") + """
        WHERE (municipality_code, year, referrer) IN (SELECT municipality_code, year, referrer
                                                      FROM marts.referral_channel_endings) ORDER BY ALL""")
    by_key = {r[:3]: r for r in new_endings}
    assert by_key[("0141", 2024, "02")][:8] == ("0141", 2024, "02", 2, 1, 50.0, 1, 50.0)
    # an ending row is suppressed on its own children, and then shows nothing
    assert rows(models, """SELECT count(*) FROM marts.referral_channel_endings
                           WHERE suppressed AND trajectories_ended IS NOT NULL""") == [(0,)]


def test_interventions_and_duration_by_region(models):
    assert rows(models, """
        SELECT product_code, nji_recognition, evidence_based, spend_eur, clients, trajectories_ended, ended_as_planned,
               ended_as_planned_pct, suppressed
        FROM marts.interventions WHERE municipality_code = '0141' AND year = 2024""") == [
        ("45A01", "effectief - goede aanwijzingen", True, 300, 3, 2, 1, 50.0, False)]
    assert rows(models, """
        SELECT youth_care_region, year, product_category, duration_band, duration_band_order, trajectories_ended,
               ended_as_planned, dropouts
        FROM marts.duration_effect_by_region""") == [("Twente", 2024, "45", "3-6m", 2, 2, 1, 1)]


def test_dimensions_about_and_bigint_counts(published):
    # every rule the code enforces, and nothing else: D09 and S09 are resolved across files, outside the tuples
    surveys, care_stops = len(SURVEY_RULES) + 1, len(CARE_STOPS.rules)
    total = len(DECLARATION_RULES) + 1 + surveys + sum(len(k.rules) for k in MESSAGE_KINDS)
    assert rows(published, "SELECT count(*), count(*) FILTER (WHERE applies_to = 'surveys'), "
                           "count(*) FILTER (WHERE applies_to = 'care_stops') FROM marts.dim_rule") \
        == [(total, surveys, care_stops)]
    assert rows(published, "SELECT referrer FROM marts.dim_referrer ORDER BY sort_order DESC LIMIT 1") \
        == [("onbekend",)]
    assert rows(published, "SELECT count(*) FROM marts.dim_measure") == [(18,)]
    assert rows(published, "SELECT product_category FROM marts.dim_product_category WHERE products = 1") \
        == [("45",)]
    about = rows(published, "SELECT data_through::VARCHAR, min_cell_size, files_loaded, files_rejected "
                            "FROM marts.about")
    assert about == [("2024-03-31", 2, 2, 0)]
    assert rows(published, "SELECT table_name, column_name FROM duckdb_columns() "
                           "WHERE schema_name = 'marts' AND data_type = 'HUGEINT'") == []


def test_keys_and_comments_reach_a_duckdb_1_4_client(published):
    # the CI's client is the project's own duckdb, pinned to 1.4 like the BI drivers
    assert duckdb.__version__.startswith("1.4.")
    keys = {(t, kind): text for t, kind, text in rows(published, """
        SELECT table_name, constraint_type, constraint_text FROM duckdb_constraints()
        WHERE constraint_type IN ('PRIMARY KEY', 'FOREIGN KEY') ORDER BY ALL""") if kind == "PRIMARY KEY"}
    tables = [t for (t,) in rows(published, "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts'")]
    assert {t for t, _ in keys} == set(tables) - {"about"}  # one row: nothing to key
    assert keys[("region_benchmark", "PRIMARY KEY")] == 'PRIMARY KEY(municipality_code, "year", measure)'
    foreign = {text for (text,) in rows(published, "SELECT constraint_text FROM duckdb_constraints() WHERE "
                                                   "table_name = 'interventions' AND constraint_type = 'FOREIGN KEY'")}
    assert foreign == {"FOREIGN KEY (municipality_code) REFERENCES dim_municipality(municipality_code)",
                       "FOREIGN KEY (product_code) REFERENCES dim_product(product_code)",
                       "FOREIGN KEY (product_category) REFERENCES dim_product_category(product_category)"}
    # a column that means something else here has its own comment here
    spend = dict(rows(published, "SELECT table_name, comment FROM duckdb_columns() WHERE column_name = 'spend_eur' "
                                 "AND table_name IN ('interventions', 'referral_channels')"))
    assert spend["interventions"].startswith("Netto uitgaven aan deze productcode")
    assert spend["referral_channels"].startswith("Netto uitgaven tot nu toe aan de trajecten")


def test_the_published_file_shows_only_what_the_models_computed(built):
    """Disclosure control hides; it never changes a value it leaves visible."""
    assert disclosure_oracle.changed_values(built.published_db, built.working_db) == {}
    with duckdb.connect(str(built.published_db), read_only=True) as con:
        assert disclosure_oracle.recoverable(con) == []


def test_renamed_columns_still_answer_under_their_old_names(published):
    """One vocabulary (issue 42): for one release the published file answers a dashboard's old column names
    through deprecated.<table>, a view of the table as published, commented as deprecated."""
    from assets.publish import deprecated_names, publish_order

    renamed = {t: deprecated_names(t) for t in publish_order() if deprecated_names(t)}
    assert renamed == {
        "duration_effect_by_region": {"end_year": "year"},
        "interventions": {"nji_erkenning": "nji_recognition", "is_effective": "evidence_based"},
        "spend_by_municipality_provider_year": {"provider_margin_pct": "margin_pct"},
    }
    views = dict(rows(published, "SELECT view_name, comment FROM duckdb_views() WHERE schema_name = 'deprecated'"))
    assert set(views) == set(renamed)
    for table, names in renamed.items():
        assert views[table].startswith("VEROUDERD (deprecated)") and f"Gebruik marts.{table}" in views[table]
        assert "verdwijnt in de volgende release" in views[table]
        old, new = ", ".join(names), ", ".join(names.values())
        assert rows(published, f"SELECT {old} FROM deprecated.{table} ORDER BY ALL") == \
            rows(published, f"SELECT {new} FROM marts.{table} ORDER BY ALL")
        # every other column under its own name, and nothing the table does not show
        view_columns = [c for (c,) in rows(published, "SELECT column_name FROM duckdb_columns() WHERE schema_name = "
                                                      f"'deprecated' AND table_name = '{table}' ORDER BY column_index")]
        table_columns = [c for (c,) in rows(published, "SELECT column_name FROM duckdb_columns() WHERE schema_name = "
                                                       f"'marts' AND table_name = '{table}' ORDER BY column_index")]
        assert view_columns == [{v: k for k, v in names.items()}.get(c, c) for c in table_columns]
        assert rows(published, f"SELECT * FROM deprecated.{table} EXCEPT ALL SELECT * FROM marts.{table}") == []
        comments = dict(rows(published, "SELECT column_name, comment FROM duckdb_columns() WHERE schema_name = "
                                         f"'deprecated' AND table_name = '{table}'"))
        for old_name, new_name in names.items():
            assert comments[old_name].startswith(f"VEROUDERD: oude naam van marts.{table}.{new_name}")
    # the new names are gone from the tables themselves
    assert rows(published, "SELECT table_name, column_name FROM duckdb_columns() WHERE schema_name = 'marts' AND "
                           "column_name IN ('nji_erkenning', 'is_effective', 'provider_margin_pct', 'end_year')") == []
