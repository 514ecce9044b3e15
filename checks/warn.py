"""The decorator of every Python WARN check: what it watches in Dutch, why it is blocking, and why
it never raises.

A WARN check never stops anything. Dagster stops the assets downstream of a blocking check only
when it fails with severity ERROR, and a check that raises fails as a step, which stops them too:
so the check's own error becomes a WARN result that names it (a bug in an advisory check must not
withhold the BI file). It is declared blocking so that the assets downstream wait for its verdict:
the publish step writes every WARN check's latest verdict into the BI file
(registry.warn_verdicts, which a mart shows), and a verdict still running beside it would be last night's.
"""

import functools
from collections.abc import Callable, Mapping
from typing import Any

import dagster as dg

from foundation.warn_checks import warn_metadata


def warn_result(passed: bool, metadata: Mapping[str, Any] | None = None, **fields: Any) -> dg.AssetCheckResult:
    """The result of a WARN check: its severity is what `warn_check` declares, said in one place."""
    return dg.AssetCheckResult(passed=passed, severity=dg.AssetCheckSeverity.WARN,
                               metadata={**(metadata or {}), **fields})


def warn_check(asset, *, label_nl: str, description: str,
               name: str | None = None) -> Callable[[Callable[..., dg.AssetCheckResult]], dg.AssetChecksDefinition]:
    """`dg.asset_check` for a check whose results carry severity WARN; `label_nl` is its norm as
    a council letter prints it ("Van elke aanbieder met uitgaven is de jaarrekening bekend.")."""

    def decorate(check: Callable[..., dg.AssetCheckResult]) -> dg.AssetChecksDefinition:
        @functools.wraps(check)  # (Dagster reads the resources from the wrapped signature)
        def never_raises(*args, **kwargs) -> dg.AssetCheckResult:
            try:
                return check(*args, **kwargs)
            except Exception as exc:  # any error of an advisory check is reported, not raised
                dg.get_dagster_logger().exception(f"WARN check {name or check.__name__} could not run")
                return warn_result(False, error=f"{type(exc).__name__}: {exc}",
                                   what_to_do="The check itself failed to run (a bug or a broken working file), so "
                                   "its norm is unknown; the run's log has the traceback.")

        return dg.asset_check(asset=asset, name=name, description=description, blocking=True,
                              metadata=warn_metadata(label_nl))(never_raises)

    return decorate
