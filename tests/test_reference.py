"""Reference tables: shipped defaults, overrides from raw/reference, and rejected uploads."""

from assets.ingest.reference import load_reference
from checks.contract_checks import reference_data_meets_contract


def test_defaults_when_nothing_dropped(warehouse):
    with warehouse.connect() as con:
        report = load_reference(con, warehouse.raw_dir)
        assert report["municipalities"] == {"source": "shipped default", "rows": 342}
        assert con.execute("SELECT municipality_name, youth_care_region FROM ref.municipalities "
                           "WHERE municipality_code = '0141'").fetchone() == ("Almelo", "Twente")
        assert con.execute("SELECT count(*) FROM ref.population").fetchone()[0] == 0
        assert con.execute("SELECT counts_as_ended, cbs_code FROM ref.end_reason_cbs WHERE end_reason = '38'"
                           ).fetchone() == (True, "03")


def test_windows_1252_override_with_lost_zeros(warehouse, data_dir):
    (data_dir / "raw/reference/providers.csv").write_bytes("aanbieder_agb;naam\n1234567;Zorg – één\n".encode("cp1252"))
    with warehouse.connect() as con:
        report = load_reference(con, warehouse.raw_dir)
        assert report["providers"] == {"source": "reference/providers.csv", "rows": 1}
        assert con.execute("SELECT * FROM ref.providers").fetchall() == [("01234567", "Zorg – één")]


def test_broken_upload_is_rejected_and_default_stays(warehouse, data_dir):
    (data_dir / "raw/reference/population.csv").write_text("gemeentecode,jaar,inwoners_0_17\n0141,twee,5\n")
    with warehouse.connect() as con:
        report = load_reference(con, warehouse.raw_dir)
        assert report["population"]["source"] == "shipped default" and "note" in report["population"]
        status, message = con.execute("SELECT status, message FROM registry.files "
                                      "WHERE source_file = 'reference/population.csv'").fetchone()
    assert status == "rejected" and "shipped default" in message


def test_a_norm_without_its_direction_stops_the_run(warehouse, data_dir):
    """A blank lower_is_better would count SDQ's worsenings as reliable improvements (trajectory_outcomes):
    the reference contract, a blocking check, refuses the norms file and names the column."""
    (data_dir / "raw/reference/instrument_norms.csv").write_text(
        "instrument,lower_is_better,sd,reliability\nSDQ,,5.5,0.8\nCBCL,true,10.0,0.9\n")
    with warehouse.connect() as con:
        assert load_reference(con, warehouse.raw_dir)["instrument_norms"]["rows"] == 2
    result = reference_data_meets_contract(warehouse=warehouse)
    assert not result.passed and result.metadata["checks_failed"].value == 1
    assert "ref.instrument_norms" in result.metadata["results"].value
    assert "lower_is_better" in result.metadata["results"].value
    (data_dir / "raw/reference/instrument_norms.csv").write_text(
        "instrument,lower_is_better,sd,reliability\nSDQ,true,5.5,0.8\nCBCL,true,10.0,0.9\n")
    with warehouse.connect() as con:
        load_reference(con, warehouse.raw_dir)
    assert reference_data_meets_contract(warehouse=warehouse).passed
