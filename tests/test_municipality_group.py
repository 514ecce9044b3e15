"""dim_municipality_group (issue 42): the groups a council adds up, from one reference file.

- The shipped gemeentegroepen.csv holds the nine municipalities of the Twente audit (named in the audit
  committees' letter of 1 June 2021; foundation/reference_data/gemeentegroepen.md) and OZJT, the purchasing
  region of all 14 Twente municipalities, which is the youth-care region Twente of the shipped CBS list.
- "The Twente audit group" total is one join away: the query in docs/council_questions.md, run on a file
  built from hand-made declarations (k = 1), gives the sum of the audit municipalities only. In 2024:
  Almelo (0141) EUR 100 and Enschede (0153) EUR 250 are in the audit group; Rijssen-Holten (1742, Twente,
  not audited) EUR 400 and Almere (0034) EUR 800 are not. Audit group: EUR 350 over 1,000 + 4,000 young
  people = EUR 0.07 per young inhabitant, two municipalities, none hidden.
- A group of one's own in raw/reference/gemeentegroepen.csv replaces the shipped list.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from assets.ingest.reference import load_reference
from demo_data.bsn import synthetic_bsn
from foundation.reference_data import REFERENCE_DIR
from foundation.warehouse import Warehouse
from pipelines.definitions import ALL_ASSETS, ALL_CHECKS
from tests.conftest import TEST_KEY, make_drop_folders, write_declarations

AUDIT_NINE = {"0141", "0147", "1774", "0153", "0164", "1735", "0168", "0173", "0183"}
DOCS = Path(__file__).parent.parent / "docs" / "council_questions.md"


def documented_query() -> str:
    """The SQL under the question about the Twente audit group in docs/council_questions.md."""
    text = DOCS.read_text(encoding="utf-8")
    section = text[text.index("**The nine municipalities of the Twente audit together"):]
    return re.search(r"```sql\n(.*?)```", section, re.S).group(1)


def test_the_shipped_groups_are_the_audit_nine_and_ozjt_the_fourteen_of_twente(tmp_path):
    (tmp_path / "raw").mkdir()
    warehouse = Warehouse(data_dir=str(tmp_path), pseudonym_key=TEST_KEY, min_cell_size=1)
    with warehouse.connect() as con:
        report = load_reference(con, warehouse.raw_dir)
        groups = dict(con.execute("SELECT group_code, list(municipality_code ORDER BY municipality_code) "
                                  "FROM ref.municipality_groups GROUP BY ALL").fetchall())
        kinds = set(con.execute("SELECT DISTINCT group_code, group_kind FROM ref.municipality_groups").fetchall())
        twente = con.execute("SELECT list(municipality_code ORDER BY municipality_code) FROM ref.municipalities "
                             "WHERE youth_care_region = 'Twente'").fetchone()[0]
    assert report["municipality_groups"] == {"source": "shipped default", "rows": 23}
    assert set(groups) == {"twente_audit", "ozjt"}
    assert set(groups["twente_audit"]) == AUDIT_NINE and len(groups["twente_audit"]) == 9
    assert groups["ozjt"] == twente and len(twente) == 14 and set(twente) > AUDIT_NINE
    assert kinds == {("twente_audit", "audit group"), ("ozjt", "purchasing region")}
    # the file says where the nine come from
    assert "1 June 2021" in (REFERENCE_DIR / "gemeentegroepen.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    data = tmp_path_factory.mktemp("groups")
    raw = data / "raw"
    make_drop_folders(data)
    amounts = {"0141": 100, "0153": 250, "1742": 400, "0034": 800}
    write_declarations(raw / "declarations/d.csv", [
        {"gemeentecode": code, "bsn": synthetic_bsn(f"groups/{code}"), "referentienummer": f"R{code}",
         "toewijzingnummer": f"1{code}", "geleverd_volume": "1", "producttarief": str(eur * 100),
         "ingediend_bedrag": str(eur * 100)}
        for code, eur in amounts.items()])
    (raw / "reference/population.csv").write_text(
        "gemeentecode,jaar,inwoners_0_17\n0141,2024,1000\n0153,2024,4000\n1742,2024,3000\n0034,2024,20000\n")
    warehouse = Warehouse(data_dir=str(data), pseudonym_key=TEST_KEY, min_cell_size=1)
    result = dg.materialize([*ALL_ASSETS, *ALL_CHECKS], resources={"warehouse": warehouse},
                            instance=dg.DagsterInstance.ephemeral(), raise_on_error=False)
    assert result.success
    with duckdb.connect(str(warehouse.published_db), read_only=True) as con:
        yield con


def test_the_audit_group_total_is_one_join_away(published):
    rows = published.execute(documented_query()).fetchall()
    # year, spend, youth population, spend per young inhabitant, municipalities, hidden
    assert rows == [(2024, Decimal("350.00"), 5000, 0.07, 2, 0)]


def test_the_published_dimension_lists_groups_and_regions(published):
    rows = published.execute("SELECT group_kind, count(DISTINCT group_code), count(*) "
                             "FROM marts.dim_municipality_group GROUP BY ALL ORDER BY ALL").fetchall()
    regions, municipalities = published.execute(
        "SELECT count(DISTINCT youth_care_region), count(*) FROM marts.dim_municipality "
        "WHERE youth_care_region IS NOT NULL").fetchone()
    assert rows == [("audit group", 1, 9), ("purchasing region", 1, 14),
                    ("youth-care region", regions, municipalities)]
    names = published.execute("SELECT list(municipality_name ORDER BY municipality_name) "
                              "FROM marts.dim_municipality_group WHERE group_code = 'twente_audit'").fetchone()[0]
    assert names == ["Almelo", "Borne", "Dinkelland", "Enschede", "Hengelo (O.)", "Hof van Twente", "Losser",
                     "Oldenzaal", "Tubbergen"]


def test_a_group_of_ones_own_replaces_the_shipped_list(tmp_path):
    (tmp_path / "raw" / "reference").mkdir(parents=True)
    (tmp_path / "raw/reference/gemeentegroepen.csv").write_text(
        "groepcode,groepnaam,soort,gemeentecode\nnoord,Noord,samenwerking,34\nnoord,Noord,samenwerking,0141\n")
    warehouse = Warehouse(data_dir=str(tmp_path), pseudonym_key=TEST_KEY, min_cell_size=1)
    with warehouse.connect() as con:
        report = load_reference(con, warehouse.raw_dir)
        rows = con.execute("SELECT * FROM ref.municipality_groups ORDER BY municipality_code").fetchall()
    assert report["municipality_groups"]["source"] == "reference/gemeentegroepen.csv"
    # a code without its leading zeros is padded, as in every reference file
    assert rows == [("noord", "Noord", "samenwerking", "0034"), ("noord", "Noord", "samenwerking", "0141")]
