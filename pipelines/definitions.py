"""The one Definitions of the code location (loaded by workspace.yaml)."""

import dagster as dg

from assets.ingest.assets import (
    raw_allocations,
    raw_care_starts,
    raw_care_stops,
    raw_declarations,
    raw_surveys,
    reference_data,
)
from assets.publish import publication_candidate, published_warehouse
from assets.reports.council_reports import council_reports
from assets.transform import dbt_marts, dbt_staging
from checks.accounting import declaration_rows_add_up, message_rows_add_up, survey_rows_add_up
from checks.allocation_checks import allocation_checks
from checks.contract_checks import contract_checks
from checks.credits import credits_match_a_debit
from checks.disclosure import no_suppressed_cell_can_be_recovered
from checks.freshness import freshness_sensor, published_data_is_recent, published_is_fresh
from checks.growth_checks import growth_checks
from checks.operational import operational_checks
from checks.publishable import publishable_checks
from checks.reference_coverage import financials_are_complete, population_is_complete
from checks.survey_coverage import survey_coverage_checks
from pipelines.alerts import alert_on_failed_run, alert_on_rejected_files, warn_digest
from pipelines.core.warehouse import warehouse_from_settings
from pipelines.jobs import (
    full_rebuild,
    ingest_declarations_job,
    ingest_messages_jobs,
    ingest_surveys_job,
    nightly_refresh,
    render_council_reports,
)
from pipelines.retraction import retract_file_job
from pipelines.schedules import nightly_refresh_schedule
from pipelines.sensors import council_reports_after_publish, new_declaration_files, new_message_files, new_survey_files

ALL_ASSETS = [reference_data, raw_declarations, raw_surveys, raw_allocations, raw_care_starts, raw_care_stops,
              dbt_staging, dbt_marts, publication_candidate, published_warehouse]
# The council letters are partitioned (one per municipality and region): they are rendered in runs
# of their own (job render_council_reports, sensor council_reports_after_publish), never in a run
# of the unpartitioned refresh assets above.
REPORT_ASSETS = [council_reports]
ALL_CHECKS = [declaration_rows_add_up, survey_rows_add_up, *message_rows_add_up, credits_match_a_debit,
              population_is_complete, financials_are_complete, *contract_checks, *operational_checks,
              *survey_coverage_checks, *allocation_checks, *growth_checks, *publishable_checks,
              no_suppressed_cell_can_be_recovered, published_data_is_recent]

defs = dg.Definitions(
    assets=[*ALL_ASSETS, *REPORT_ASSETS],
    asset_checks=[*ALL_CHECKS, *published_is_fresh],
    jobs=[nightly_refresh, full_rebuild, ingest_declarations_job, ingest_surveys_job, *ingest_messages_jobs.values(),
          retract_file_job, render_council_reports],
    schedules=[nightly_refresh_schedule],
    sensors=[new_declaration_files, new_survey_files, *new_message_files, alert_on_failed_run,
             alert_on_rejected_files, warn_digest, freshness_sensor, council_reports_after_publish],
    resources={"warehouse": warehouse_from_settings()},
)
