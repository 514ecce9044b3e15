"""What `make run` prints (pipelines/refresh.summary), read from a small published file: its queries
live in pipelines/summary_sql/ (issue 38), and the figures they return reach the text."""

from __future__ import annotations

import duckdb

from pipelines.refresh import summary


def test_the_summary_prints_the_files_and_disclosure_figures_of_the_published_file(tmp_path):
    db = tmp_path / "jeugdzorg.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE SCHEMA marts")
        con.execute("CREATE TABLE marts.data_quality_summary (kind VARCHAR, status VARCHAR, files BIGINT, "
                    "rows_read BIGINT, rows_loaded BIGINT, rows_quarantined BIGINT, rows_duplicate BIGINT)")
        con.execute("INSERT INTO marts.data_quality_summary VALUES ('declarations', 'loaded', 3, 1200, 1100, 60, 40), "
                    "('declarations', 'loaded', 1, 300, 300, 0, 0), ('surveys', 'rejected', 1, 0, 0, 0, 0)")
        con.execute("CREATE TABLE marts.about (min_cell_size INTEGER, rows_suppressed_small_cells BIGINT, "
                    "cells_suppressed_secondary BIGINT, clients_hidden_secondary BIGINT, "
                    "spend_hidden_secondary_eur DECIMAL(18, 2))")
        con.execute("INSERT INTO marts.about VALUES (10, 1326, 45, 812, 123456.78)")
    text = summary(str(db))
    assert ("  declarations  loaded               4 files  rows read      1,500  loaded      1,400  "
            "quarantined      60  duplicate      40") in text
    assert "  surveys       rejected             1 files" in text
    flat = " ".join(text.split())
    assert ("Disclosure control (k = 10): 1,326 rows suppressed as describing fewer than k clients; 45 more rows "
            "and values hidden so that none of them can be worked back; those rows held 812 clients and "
            "EUR 123,457") in flat
    assert "marts.about" in text and "marts.data_quality_summary" in text  # the table listing, with row counts
