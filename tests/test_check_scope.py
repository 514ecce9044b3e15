"""A night judges the new rows in full and the rows judged before by the null and range rules only;
every row in full after a full rebuild, new code or a retraction (checks/scope.py)."""

from __future__ import annotations

import dagster as dg

from assets.ingest.declarations import ingest_declarations
from assets.ingest.reference import load_reference
from assets.ingest.retract import retract
from foundation import fingerprint
from foundation.fingerprint import FULL_REBUILD_TAG, new_since_publication, record_publication
from pipelines.definitions import ALL_ASSETS, ALL_CHECKS
from tests.conftest import write_declarations
from tests.test_blocking_checks import checks


def _refresh(warehouse, full: bool = False) -> dg.ExecuteInProcessResult:
    return dg.materialize([*ALL_ASSETS, *ALL_CHECKS], resources={"warehouse": warehouse}, raise_on_error=False,
                          tags={FULL_REBUILD_TAG: "true"} if full else None)


def _contract(result) -> dg.AssetCheckEvaluation:
    return checks(result)["declaration_lines_meet_contract"]


def test_a_night_judges_its_new_rows_in_full_and_the_rest_by_the_invariant(warehouse, data_dir):
    write_declarations(data_dir / "raw/declarations/a.csv", [{}, {"referentienummer": "R2", "bsn": "123456782"}])
    first = _contract(_refresh(warehouse))
    assert first.passed
    assert first.metadata["rows_judged"].value.startswith("every row: everything, as no complete publish")
    assert first.metadata["rows_judged_in_full"].value == 2

    write_declarations(data_dir / "raw/declarations/b.csv", [{"referentienummer": "R3"}])
    second = _contract(_refresh(warehouse))
    assert second.passed
    assert second.metadata["rows_judged"].value.startswith("the rows of the files registered since the publish")
    assert second.metadata["rows_judged_in_full"].value == 1
    assert "| ok | rows judged before: not-null and range rules |  | 0 |" in second.metadata["results"].value

    # an old row that no longer holds (here: edited behind the pipeline's back) breaks the invariant,
    # which names it; a code that is merely not in the code list is left to a full rebuild
    with warehouse.connect() as con:
        con.execute("UPDATE raw.declaration_rows SET amount_cents = 99_000_000, product_category = 'ZZ' "
                    "WHERE line_no = 2 AND file_id = (SELECT min(file_id) FROM registry.files)")
    write_declarations(data_dir / "raw/declarations/c.csv", [{"referentienummer": "R4"}])
    third = _contract(_refresh(warehouse))
    assert not third.passed
    results = third.metadata["results"].value
    assert "| **FAIL** | rows judged before: not-null and range rules |  | 1 |" in results
    assert "declarations/a.csv line 2" in results
    assert "ZZ" not in results

    full = _contract(_refresh(warehouse, full=True))
    assert not full.passed and full.metadata["rows_judged"].value == "every row: everything, as this is a full rebuild"
    assert full.metadata["rows_judged_in_full"].value == 4
    assert "ZZ" in full.metadata["results"].value and "990000" in full.metadata["results"].value


def test_every_row_after_new_code_or_a_retraction(warehouse, data_dir, monkeypatch):
    write_declarations(data_dir / "raw/declarations/a.csv", [{}])
    write_declarations(data_dir / "raw/declarations/b.csv", [{"referentienummer": "R2"}])
    with warehouse.connect() as con:
        load_reference(con, warehouse.raw_dir)
        ingest_declarations(con, warehouse.raw_dir, warehouse.max_file_bytes, warehouse.pseudonymiser())
        assert new_since_publication(con, full_rebuild=False).everything  # never published
        record_publication(con, warehouse, "run-1", complete=False)
        assert new_since_publication(con, full_rebuild=False).everything  # a partial publish vouches for nothing
        record_publication(con, warehouse, "run-2", complete=True)
        judged = new_since_publication(con, full_rebuild=False)
        assert judged.files_after == con.execute("SELECT max(file_id) FROM registry.files").fetchone()[0]
        assert new_since_publication(con, full_rebuild=True).everything

        with monkeypatch.context() as m:
            m.setattr(fingerprint, "code_version", lambda: "another version")
            assert "the code or an engine changed" in new_since_publication(con, full_rebuild=False).reason

        retract(con, "declarations/b.csv", "sent by mistake")
        assert "a file was retracted" in new_since_publication(con, full_rebuild=False).reason
        record_publication(con, warehouse, "run-3", complete=True)
        assert not new_since_publication(con, full_rebuild=False).everything
