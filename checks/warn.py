"""The decorator of every Python WARN check: what it watches in Dutch, and why it is blocking.

A WARN check never stops anything: Dagster stops the assets downstream of a blocking check only
when it fails with severity ERROR. It is declared blocking so that the assets downstream wait for
its verdict: the publish step writes every WARN check's latest verdict into the BI file
(`marts.quality_warnings`), and a verdict still running beside it would be last night's.
"""

from collections.abc import Callable

import dagster as dg

from pipelines.core.warn_checks import warn_metadata


def warn_check(asset, *, label_nl: str, description: str,
               name: str | None = None) -> Callable[[Callable[..., dg.AssetCheckResult]], dg.AssetChecksDefinition]:
    """`dg.asset_check` for a check whose results carry severity WARN; `label_nl` is its norm as
    a council letter prints it ("Van elke aanbieder met uitgaven is de jaarrekening bekend.")."""
    return dg.asset_check(asset=asset, name=name, description=description, blocking=True,
                          metadata=warn_metadata(label_nl))
