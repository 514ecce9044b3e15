import re
from datetime import datetime
from zoneinfo import ZoneInfo

import dagster as dg
import duckdb
from dagster._core.definitions.metadata import normalize_metadata

from assets.transform import DBT_DIR, MANIFEST, models_in
from foundation.asset_groups import LAYERS
from foundation.warehouse import PUBLISHED_DB_NAME, WORKING_DB_NAME
from pipelines.definitions import defs


def test_code_location_loads():
    dg.Definitions.validate_loadable(defs)
    job = defs.resolve_job_def("nightly_refresh")
    assert job.executor_def is dg.in_process_executor
    assert defs.resolve_sensor_def("new_declaration_files").job_name == "ingest_declarations"
    # a sensor's run ingests and rebuilds the quality tables only; the refresh is a run of its own
    ingest = {k.to_user_string() for k in defs.resolve_job_def("ingest_declarations").asset_layer.selected_asset_keys}
    assert ingest == {"reference_data", "raw_declarations", "declaration_quarantine", "data_quality",
                      "data_quality_rules", "data_quality_summary", "data_quality_rules_summary"}
    refresh = defs.resolve_job_def("refresh_after_ingestion").asset_layer.selected_asset_keys
    nightly = defs.resolve_job_def("nightly_refresh").asset_layer.selected_asset_keys
    assert {k.to_user_string() for k in nightly - refresh} == {
        "reference_data", "raw_declarations", "raw_surveys", "raw_allocations", "raw_care_starts", "raw_care_stops"}


def test_nightly_schedule_starts_one_full_refresh_per_tick():
    schedule = defs.resolve_schedule_def("nightly_refresh_schedule")
    tick = datetime(2026, 3, 29, 2, tzinfo=ZoneInfo(schedule.execution_timezone))
    requests = schedule.evaluate_tick(dg.build_schedule_context(scheduled_execution_time=tick)).run_requests
    assert len(requests) == 1 and schedule.job_name == "nightly_refresh"


def test_every_dbt_model_is_an_asset_in_its_layer_with_its_edges_and_checks():
    graph = defs.resolve_asset_graph()

    def parents(name: str) -> set[str]:
        return {k.to_user_string() for k in graph.get(dg.AssetKey(name)).parent_keys}

    for layer in ("staging", "marts"):
        for model in models_in(layer):
            node = graph.get(dg.AssetKey(model))
            assert node.group_name == LAYERS[layer], model
            assert graph.get_check_keys_for_assets({node.key}), f"{model} has no checks"
        # every model file of the layer (SQL, or Python where SQL lacks a solver) is an asset of it
        files = {p.stem for p in (DBT_DIR / "models" / layer).iterdir() if p.suffix in {".sql", ".py"}}
        assert set(models_in(layer)) == files
    assert parents("spend_growth") == {"spend_changes"}
    assert parents("trajectory_flows") == {"monthly_flows"}
    assert {"spend_changes", "monthly_flows"} <= parents("region_benchmark")
    assert parents("declaration_lines") == {"raw_declarations"}
    assert parents("outcome_responses") == {"raw_surveys"}
    assert parents("trajectories") == {"declaration_lines", "outcome_responses", "care_starts", "care_stops",
                                       "allocations"}
    assert parents("care_stops") == {"raw_care_stops"}
    assert parents("allocation_control") == {"declaration_lines", "allocations", "allocation_use"}
    assert parents("data_quality") == {"raw_declarations", "raw_surveys", "raw_allocations",
                                       "raw_care_starts", "raw_care_stops"}
    assert parents("data_quality_rules") == {"raw_declarations", "raw_surveys", "raw_allocations", "raw_care_starts",
                                             "raw_care_stops"}
    assert parents("data_quality_summary") == {"data_quality"}
    assert parents("data_quality_rules_summary") == {"data_quality_rules", "dim_rule"}
    assert parents("duration_effect") == {"trajectory_outcomes"}
    assert parents("publication_candidate") == set(models_in("marts"))
    # reference data is drawn to the raw tables and to what reads nothing else; every model that
    # reads it still has it upstream, through its other parents, so Dagster's order and staleness hold
    reference = dg.AssetKey("reference_data")
    assert {k.to_user_string() for k in graph.get(reference).child_keys} >= {
        "raw_declarations", "raw_surveys", "raw_allocations", "raw_care_starts", "raw_care_stops"}
    assert len(graph.get(reference).child_keys) < 10
    readers = [n["name"] for n in MANIFEST["nodes"].values() if n["resource_type"] == "model"
               and any(p.startswith("source.jeugdzorg.ref.") for p in MANIFEST["parent_map"][n["unique_id"]])]
    assert len(readers) > 20
    for model in readers:
        assert reference in graph.get_ancestor_asset_keys(dg.AssetKey(model)), model
    assert parents("published_warehouse") == {"publication_candidate"}


def test_the_ui_says_where_each_table_is_stored_and_shows_no_unserializable_value(tmp_path):
    graph = defs.resolve_asset_graph()
    # the UI hides dagster-dbt's manifest and translator; any other value it cannot show reads
    # "[DbtProject] (unserializable)" and the like: normalize_metadata raises on such a value
    hidden = {"dagster_dbt/manifest", "dagster_dbt/dagster_dbt_translator"}
    for node in graph.asset_nodes:
        normalize_metadata({k: v for k, v in node.metadata.items() if k not in hidden})
    # a mart is where BI tools open it: the published file, whose catalog DuckDB names after the file
    with duckdb.connect(str(tmp_path / PUBLISHED_DB_NAME)) as con:
        (published,) = con.execute("SELECT current_database()").fetchone()
    for model in models_in("marts"):
        assert graph.get(dg.AssetKey(model)).metadata["dagster/table_name"] == f"{published}.marts.{model}"
    with duckdb.connect(str(tmp_path / WORKING_DB_NAME)) as con:
        (working,) = con.execute("SELECT current_database()").fetchone()
    for model in models_in("staging"):
        assert graph.get(dg.AssetKey(model)).metadata["dagster/table_name"].startswith(f"{working}.")


def test_every_dbt_check_name_reads_as_words():
    """dbt names a test from its kind, model and arguments, and shortens a long one to a hash
    ('relationships_cost_by_municipa_5c40...'), which the UI cuts off: such tests carry a name in
    their YAML (`municipality_is_known`, `one_row_per_municipality_year`)."""
    graph = defs.resolve_asset_graph()
    names = {key.name for key in graph.asset_check_keys}
    hashed = sorted(n for n in names if re.search(r"_[0-9a-f]{32}$", n))
    assert hashed == []
    assert {"municipality_is_known", "one_row_per_municipality_year",
            "duration_band_is_documented"} <= names
