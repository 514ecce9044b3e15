"""The one Definitions of the code location (loaded by workspace.yaml), assembled by Dagster's own
loaders: every asset defined at module scope in the package assets/, every asset check in checks/,
and the jobs, schedules and sensors of the operations modules imported below, each alone or in a
list (not in a dict). Nothing is listed by hand: a new definition is picked up if it is defined in
its kind's place. One exception: the dbt step (assets/transform.py, `dbt_models_asset`) is made
here, with the blocking checks on staging that it judges before dbt starts (checks/contract_checks.py,
`STAGING_GATES`), since checks sit above the model layer."""

import warnings

import dagster as dg

import assets
import checks
from assets.transform import dbt_models_asset
from checks.contract_checks import STAGING_GATES
from checks.freshness import published_is_fresh
from foundation.warehouse import warehouse_from_settings
from pipelines import alerts, health, jobs, retraction, schedules, sensors

# the one dbt step: every model and dbt test, and the blocking checks on staging judged before dbt starts
DBT_MODELS = dbt_models_asset(STAGING_GATES)
ASSETS = [*dg.load_assets_from_package_module(assets), DBT_MODELS]
CHECKS = dg.load_asset_checks_from_package_module(checks)


def _operations() -> dg.Definitions:
    """The jobs, schedules and sensors. Their loader is a 'preview' in Dagster 1.13 (its warning would
    print at every load of the code location); the definitions it returns are the ordinary ones. (A
    function: the code location allows one Definitions object at module scope.)"""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.PreviewWarning)
        return dg.load_definitions_from_modules([jobs, schedules, sensors, alerts, retraction, health])


defs = dg.Definitions.merge(
    dg.Definitions(assets=ASSETS, asset_checks=CHECKS, resources={"warehouse": warehouse_from_settings()}),
    _operations(),
)

# What one run of everything materializes (the tests' dg.materialize): every asset but the council
# letters, which are partitioned (one per municipality and region) and rendered in runs of their own
# (job render_council_reports, sensor council_reports_after_publish), and every check but the
# freshness checks, which their sensor evaluates.
ALL_ASSETS = [a for a in ASSETS if a.partitions_def is None]
FRESHNESS = set(published_is_fresh.check_keys)
ALL_CHECKS = [c for c in CHECKS if not set(c.check_keys) <= FRESHNESS]
