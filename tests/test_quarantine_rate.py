"""The quarantine-rate check judges a file and a provider by one rule (issue 41): only from the size
at which one quarantined row stays within the threshold (20 rows at 5 %)."""

import dagster as dg

from assets.ingest.assets import raw_declarations, reference_data
from checks.operational import operational_checks
from tests.conftest import write_declarations

BAD_BSN = "999900007"  # fails the elfproef: rule D02


def test_a_provider_is_judged_like_a_file_from_the_size_where_one_row_stays_within_the_threshold(warehouse,
                                                                                                   data_dir):
    """Provider 11111111 sends 10 lines, one bad: 10 %, but at 10 lines one line is already 'too many',
    so it is not listed (nor its file). Provider 22222222 sends 20 lines in two files of 10, two bad:
    10 % of 20 lines, listed; its files are too small to be judged on their own."""
    write_declarations(data_dir / "raw/declarations/small.csv", [
        {"aanbieder_agb": "11111111", "referentienummer": f"S{i}", **({"bsn": BAD_BSN} if i == 0 else {})}
        for i in range(10)])
    for half in ("a", "b"):
        write_declarations(data_dir / f"raw/declarations/{half}.csv", [
            {"aanbieder_agb": "22222222", "referentienummer": f"{half}{i}", **({"bsn": BAD_BSN} if i == 0 else {})}
            for i in range(10)])
    rate = next(c for c in operational_checks if c.check_specs and
                next(iter(c.check_specs)).name == "declarations_quarantine_rate")
    with dg.DagsterInstance.ephemeral() as instance:
        result = dg.materialize([reference_data, raw_declarations, rate], instance=instance,
                                resources={"warehouse": warehouse}, selection=[reference_data, raw_declarations])
    (evaluation,) = result.get_asset_check_evaluations()
    assert not evaluation.passed
    assert evaluation.metadata["files_above"].value == 0
    assert evaluation.metadata["providers_above"].value == 1
    (provider,) = evaluation.metadata["providers"].value.records  # as the UI shows it: text
    assert (provider.data["provider_agb"], provider.data["rows_read"], provider.data["rows_quarantined"]) == (
        "22222222", "20", "2")
    assert provider.data["main_rule"] == "D02: BSN fails the elfproef"
