"""The small-cell rule at its edges: at k = 1 nothing is hidden, not even a row without clients.

0141, March 2024: client a at provider P1, EUR 100; client b at provider P2, EUR 200, credited back
in full by a later credit line. P2's row then counts no client with a positive net amount (0 clients,
EUR 0.00): at k = 1 it is shown as it is; at k = 2 it is suppressed like any row under k.
"""

import dagster as dg
import duckdb
import pytest

from assets.ingest.assets import raw_declarations, reference_data
from assets.transform import run_dbt
from foundation.warehouse import Warehouse
from tests.conftest import TEST_KEY, make_drop_folders, write_declarations

P1, P2 = "11111111", "22222222"


@pytest.mark.parametrize("k", [1, 2])
def test_a_row_without_clients_is_small_only_when_k_asks_for_it(tmp_path, k):
    make_drop_folders(tmp_path)
    write_declarations(tmp_path / "raw/declarations/a.csv", [
        {"referentienummer": "A1", "aanbieder_agb": P1, "producttarief": "2500", "ingediend_bedrag": "10000"},
        {"referentienummer": "B1", "aanbieder_agb": P2, "bsn": "123456782", "producttarief": "5000",
         "ingediend_bedrag": "20000"},
        {"referentienummer": "B2", "aanbieder_agb": P2, "bsn": "123456782", "producttarief": "5000",
         "ingediend_bedrag": "20000", "vorig_referentienummer": "B1", "debet_credit": "C"}])
    warehouse = Warehouse(data_dir=str(tmp_path), pseudonym_key=TEST_KEY, min_cell_size=k)
    assert dg.materialize([reference_data, raw_declarations], resources={"warehouse": warehouse}).success
    run_dbt(warehouse, "build", "--select", "+spend_by_municipality_provider_year")
    with duckdb.connect(str(warehouse.working_db), read_only=True) as con:
        rows = con.execute("SELECT provider_agb, clients, spend_eur::VARCHAR, suppressed "
                           "FROM marts.spend_by_municipality_provider_year ORDER BY provider_agb").fetchall()
    if k == 1:
        assert rows == [(P1, 1, "100.00", False), (P2, 0, "0.00", False)]
    else:
        assert rows == [(P1, None, None, True), (P2, None, None, True)]
