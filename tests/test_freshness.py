"""How current the data is: "data through" on every mart and the published file, and the WARN
check that compares it with today."""

import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import dagster as dg

from assets.transform import MART_KEYS
from tests.conftest import write_declarations
from tests.test_blocking_checks import checks, refresh


def _last_month() -> date:
    today = date.today()
    return date(today.year - (today.month == 1), (today.month - 2) % 12 + 1, 1)


def test_recent_data_is_fresh_and_every_mart_says_how_current_it_is(warehouse, data_dir):
    month = _last_month()
    end = (month.replace(day=28)).isoformat()
    write_declarations(data_dir / "raw/declarations/a.csv", [
        {"product_begindatum": "2024-03-01", "product_einddatum": "2024-03-31"},
        {"referentienummer": "R2", "product_begindatum": month.isoformat(), "product_einddatum": end}])
    result = refresh(warehouse)
    assert result.success
    check = checks(result)["published_data_is_recent"]
    assert check.passed and check.metadata["months_old"].value == 1
    materialized = {e.asset_key: e.materialization.metadata for e in result.get_asset_materialization_events()}
    expected = month.strftime("%Y-%m")
    assert all(materialized[key]["data_through"].value == expected for key in MART_KEYS)
    assert materialized[dg.AssetKey("published_warehouse")]["data_through"].value == expected
    # previews show the newest month first, dates as dates, and nothing as "nan"
    preview = materialized[dg.AssetKey("cost_trends_by_municipality")]["preview"].value
    first_row = preview.splitlines()[2]
    assert f"| {month.isoformat()} " in first_row and "00:00:00" not in preview and "nan" not in preview
    assert materialized[dg.AssetKey("cost_trends_by_municipality")]["label_nl"].value.startswith("Kostentrend")


def test_old_data_warns_with_its_age(warehouse, data_dir):
    from checks.freshness import published_data_is_recent

    with warehouse.connect() as con:
        con.execute("CREATE SCHEMA IF NOT EXISTS staging")
        con.execute("CREATE VIEW staging.declaration_lines AS SELECT DATE '2024-03-01' AS service_month")
    result = published_data_is_recent(warehouse)
    today = date.today()
    assert not result.passed and result.severity == dg.AssetCheckSeverity.WARN
    assert result.metadata["months_old"].value == (today.year - 2024) * 12 + today.month - 3
    assert result.metadata["data_through"].value == "2024-03"


def _fresh_check(instance: dg.DagsterInstance) -> dg.AssetCheckResult:
    from checks.freshness import published_is_fresh

    return published_is_fresh(dg.build_asset_check_context(instance=instance))


def test_the_freshness_check_says_in_words_how_old_the_bi_file_is():
    from checks.freshness import in_words, published_is_fresh

    (spec,) = published_is_fresh.check_specs
    assert spec.description.startswith("By 06:00 Amsterdam time the BI file was replaced")
    assert in_words(0.4) == "less than a minute"
    assert in_words(86400 + 2 * 3600 + 5 * 60 + 7) == "1 day, 2 hours, 5 minutes"
    assert in_words(3 * 86400 + 60) == "3 days, 1 minute"

    with dg.instance_for_test() as instance:
        never = _fresh_check(instance)
        assert not never.passed and never.description == "The BI file has never been published."

        instance.report_runless_asset_event(dg.AssetMaterialization("published_warehouse"))
        fresh = _fresh_check(instance)
        assert fresh.passed and fresh.severity == dg.AssetCheckSeverity.WARN
        assert "Amsterdam time: less than a minute before this check ran (" in fresh.description
        # the sensor looks again at the next 06:00 in Amsterdam
        now = datetime.now(ZoneInfo("Europe/Amsterdam"))
        six = now.replace(hour=6, minute=0, second=0, microsecond=0)
        next_six = six if six > now else six + timedelta(days=1)
        assert fresh.metadata["dagster/fresh_until_timestamp"].value == next_six.timestamp()

    with dg.instance_for_test() as instance:
        # a night with nothing new observes the file with the time it was found current
        old = time.time() - (3 * 86400 + 2 * 3600)
        instance.report_runless_asset_event(dg.AssetObservation("published_warehouse", metadata={
            "dagster/last_updated_timestamp": dg.MetadataValue.timestamp(old)}))
        overdue = _fresh_check(instance)
        assert not overdue.passed
        assert "3 days, 2 hours before this check ran" in overdue.description
        assert overdue.description.endswith("The nightly run failed or did not run.")
        assert overdue.metadata["dagster/last_updated_timestamp"].value == old
