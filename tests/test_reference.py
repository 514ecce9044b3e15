"""Reference tables: shipped defaults, overrides from raw/reference, and rejected uploads."""

from assets.ingest.reference import load_reference


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
