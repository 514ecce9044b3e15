"""A WARN check reports and never stops anything, not even when it crashes."""

import dagster as dg

from checks.warn import warn_check
from foundation.warn_checks import is_warn, label


class Source(dg.ConfigurableResource):
    fail: bool


@dg.asset
def upstream() -> None: ...


@warn_check(asset=upstream, description="toy", label_nl="De toy-norm wordt gehaald.")
def toy_norm(source: Source) -> dg.AssetCheckResult:
    if source.fail:
        raise RuntimeError("the working file is broken")
    return dg.AssetCheckResult(passed=True, severity=dg.AssetCheckSeverity.WARN)


@dg.asset(deps=[upstream])
def downstream() -> None: ...


def run(fail: bool) -> dg.ExecuteInProcessResult:
    return dg.materialize([upstream, downstream, toy_norm], resources={"source": Source(fail=fail)},
                          raise_on_error=False)


def test_a_warn_check_declares_its_norm_and_is_blocking():
    (spec,) = toy_norm.check_specs
    assert spec.blocking and is_warn(spec.metadata) and label(spec.metadata) == "De toy-norm wordt gehaald."
    result = run(fail=False)
    assert result.success
    (evaluation,) = result.get_asset_check_evaluations()
    assert evaluation.passed


def test_a_warn_check_that_crashes_is_a_failed_warn_and_the_run_goes_on():
    result = run(fail=True)
    assert result.success
    (evaluation,) = result.get_asset_check_evaluations()
    assert not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.WARN
    assert evaluation.metadata["error"].value == "RuntimeError: the working file is broken"
    assert {e.asset_key for e in result.get_asset_materialization_events()} == {dg.AssetKey("upstream"),
                                                                                 dg.AssetKey("downstream")}


def test_a_failing_dbt_warn_test_says_what_to_do_from_its_yaml():
    """dbt tests carry no what-to-do of their own: the YAML's config.meta.what_to_do is added to a
    failing result (assets/transform.py), so a dbt WARN test reads like the Python ones."""
    from assets.transform import MANIFEST, WHAT_TO_DO, with_what_to_do

    warn_tests = {(MANIFEST["nodes"][n["attached_node"]]["name"], n["name"]) for n in MANIFEST["nodes"].values()
                  if n["resource_type"] == "test" and n["config"].get("severity", "").lower() == "warn"}
    assert warn_tests and warn_tests <= set(WHAT_TO_DO)  # every dbt WARN test says what to do
    key = ("provider_performance", "provider_is_known")  # a readable name, on two marts
    assert key in warn_tests and ("effectiveness_by_provider", key[1]) in warn_tests
    failing = dg.AssetCheckResult(asset_key=key[0], check_name=key[1], passed=False,
                                  severity=dg.AssetCheckSeverity.WARN, metadata={"failed_rows": 1})
    told = with_what_to_do(failing)
    assert told.metadata["what_to_do"].value == WHAT_TO_DO[key] and told.metadata["failed_rows"].value == 1
    assert "providers.csv" in WHAT_TO_DO[key]
    passing = failing._replace(passed=True)
    assert with_what_to_do(passing) is passing
