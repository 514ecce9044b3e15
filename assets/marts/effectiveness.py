"""The effectiveness columns, written once and shared by every mart that reports them.

Each effectiveness mart groups staging.trajectory_outcomes (one row per ended trajectory) by its
own grain; `AGGREGATES` are the counts per cell, `MEASURES` turn them into the contract's
columns with small-cell suppression: a cell with fewer than k distinct clients shows only its
keys, and a survey-based measure resting on fewer than k responses is NULL.
"""

AGGREGATES = """
        count(*) AS n_ended,
        count(DISTINCT client_pseudonym) AS n_clients,
        count(*) FILTER (WHERE cbs_end_reason = '01') AS n_planned,
        count(*) FILTER (WHERE cbs_end_reason = '03') AS n_dropout,
        count(*) FILTER (WHERE cbs_end_reason IN ('02', '03', '04', '05')) AS n_early,
        sum(satisfaction_responses) AS n_satisfaction,
        sum(satisfaction_sum) AS satisfaction_sum,
        sum(self_reliance_responses) AS n_self_reliance,
        sum(no_further_help) AS n_no_further_help,
        sum(lighter_or_no_help) AS n_lighter_or_no_help,
        count(*) FILTER (WHERE recurrence_measurable) AS n_recurrence_measurable,
        count(*) FILTER (WHERE recurrence_measurable AND no_recurrence) AS n_no_recurrence,
        sum(change_responses) AS n_change,
        sum(reliable_improvements) AS n_reliable_improvement,
        sum(spend_eur) AS spend_sum"""


def _pct(part: str, whole: str, condition: str = "true") -> str:
    return (f"CASE WHEN NOT c.suppressed AND {whole} > 0 AND {condition} "
            f"THEN round(100.0 * {part} / {whole}, 1)::DOUBLE END")


def measures(k: int, with_spend: bool = True) -> str:
    """The contract's effectiveness columns over a cells relation `c` with a `suppressed` flag.

    provider_performance has its own spend_eur (all declared money), so it leaves this one out.
    """
    spend = "CASE WHEN NOT c.suppressed THEN c.spend_sum::DECIMAL(18, 2) END AS spend_eur," if with_spend else ""
    return f"""
    CASE WHEN NOT c.suppressed THEN c.n_ended END AS trajectories_ended,
    {_pct("c.n_planned", "c.n_ended")} AS ended_as_planned_pct,
    {_pct("c.n_dropout", "c.n_ended")} AS dropout_pct,
    {_pct("c.n_early", "c.n_ended")} AS ended_early_pct,
    CASE WHEN NOT c.suppressed THEN c.n_satisfaction END AS satisfaction_responses,
    CASE WHEN NOT c.suppressed AND c.n_satisfaction >= {k} AND c.n_satisfaction > 0
        THEN round(c.satisfaction_sum / c.n_satisfaction, 1)::DOUBLE END AS satisfaction_mean,
    CASE WHEN NOT c.suppressed THEN c.n_self_reliance END AS self_reliance_responses,
    {_pct("c.n_no_further_help", "c.n_self_reliance", f"c.n_self_reliance >= {k}")} AS no_further_help_pct,
    {_pct("c.n_lighter_or_no_help", "c.n_self_reliance", f"c.n_self_reliance >= {k}")} AS lighter_or_no_help_pct,
    CASE WHEN NOT c.suppressed THEN c.n_recurrence_measurable END AS recurrence_measurable,
    {_pct("c.n_no_recurrence", "c.n_recurrence_measurable")} AS no_recurrence_pct,
    {_pct("c.n_reliable_improvement", "c.n_change", f"c.n_change >= {k}")} AS reliable_improvement_pct,
    {spend}
    CASE WHEN NOT c.suppressed THEN (c.spend_sum / c.n_ended)::DECIMAL(18, 2) END AS cost_per_trajectory_eur,
    CASE WHEN NOT c.suppressed AND c.n_planned > 0 THEN (c.spend_sum / c.n_planned)::DECIMAL(18, 2) END
        AS cost_per_planned_end_eur"""


def cells(k: int, keys: str) -> str:
    """Aggregated cells per `keys`, flagged for suppression (fewer than k distinct clients)."""
    return (f"(SELECT *, n_clients < {k} AS suppressed FROM (SELECT {keys}, {AGGREGATES} "
            f"FROM staging.trajectory_outcomes GROUP BY ALL)) AS c")


def sql_params(k: int) -> dict[str, str]:
    """Placeholders the effectiveness SQL models use."""
    return {
        "measures": measures(k),
        "measures_without_spend": measures(k, with_spend=False),
        "aggregates": AGGREGATES,
        "cells_municipality_year": cells(k, "municipality_code, year"),
        "cells_municipality_year_product": cells(k, "municipality_code, year, product_category"),
        "cells_municipality_year_provider": cells(k, "municipality_code, year, provider_agb"),
        "cells_product_duration": cells(k, "product_category, duration_band"),
    }
