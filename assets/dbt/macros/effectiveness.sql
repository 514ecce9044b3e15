{#- The effectiveness columns, written once for every mart that reports them.

    Each effectiveness mart groups trajectory_outcomes (one row per ended trajectory) by its own
    grain. effectiveness_aggregates() are the counts per cell (BIGINT: a sum of counts would be
    HUGEINT, which BI drivers mishandle); effectiveness_measures() turn them into the contract's
    columns over a cells relation `c` with a `suppressed` flag: a cell with
    fewer than k distinct clients shows only its keys, and a survey-based measure resting on fewer
    than k responses is NULL. -#}

{% macro effectiveness_aggregates() -%}
        count(*) AS n_ended,
        count(DISTINCT client_pseudonym) AS n_clients,
        count(*) FILTER (WHERE cbs_end_reason = '01') AS n_planned,
        count(*) FILTER (WHERE cbs_end_reason = '03') AS n_dropout,
        count(*) FILTER (WHERE cbs_end_reason IN ('02', '03', '04', '05')) AS n_early,
        sum(satisfaction_responses)::BIGINT AS n_satisfaction,
        count(*) FILTER (WHERE satisfaction_responses > 0) AS n_satisfaction_trajectories,
        sum(satisfaction_sum)::BIGINT AS satisfaction_sum,
        sum(self_reliance_responses)::BIGINT AS n_self_reliance,
        count(*) FILTER (WHERE self_reliance_responses > 0) AS n_self_reliance_trajectories,
        sum(no_further_help)::BIGINT AS n_no_further_help,
        sum(lighter_or_no_help)::BIGINT AS n_lighter_or_no_help,
        count(*) FILTER (WHERE recurrence_measurable) AS n_recurrence_measurable,
        count(*) FILTER (WHERE recurrence_measurable AND no_recurrence) AS n_no_recurrence,
        sum(change_responses)::BIGINT AS n_change,
        sum(reliable_improvements)::BIGINT AS n_reliable_improvement,
        sum(spend_eur) AS spend_sum
{%- endmacro %}

{#- Aggregated cells of `outcomes` per `keys`, flagged for suppression, as relation `c`. -#}
{% macro effectiveness_cells(outcomes, keys) -%}
    (SELECT *, {{ is_small_cell('n_clients') }} AS suppressed
     FROM (SELECT {{ keys }}, {{ effectiveness_aggregates() }} FROM {{ outcomes }} GROUP BY ALL)) AS c
{%- endmacro %}

{#- A share in percent (0-100, 1 decimal) of a cell that is not suppressed and meets `condition`. -#}
{% macro effectiveness_pct(part, whole, condition='true') -%}
    CASE WHEN NOT c.suppressed AND {{ whole }} > 0 AND {{ condition }}
        THEN round(100.0 * {{ part }} / {{ whole }}, 1)::DOUBLE END
{%- endmacro %}

{#- A count that is the numerator of a share, published when the share would be (else the count
    beside its denominator would give the share away). -#}
{% macro effectiveness_count(part, condition='true') -%}
    CASE WHEN NOT c.suppressed AND {{ condition }} THEN {{ part }} END
{%- endmacro %}

{#- The contract's effectiveness columns, each share with its numerator beside it (its denominator
    is a column too), so a BI tool can add cells up again. provider_performance has its own
    spend_eur (all money declared that year), so it leaves this one out with with_spend=false. -#}
{% macro effectiveness_measures(with_spend=true) -%}
    {%- set k = min_cell_size() -%}
    {%- set enough_satisfaction = 'c.n_satisfaction >= ' ~ k -%}
    {%- set enough_self_reliance = 'c.n_self_reliance >= ' ~ k -%}
    {%- set enough_change = 'c.n_change >= ' ~ k -%}
    CASE WHEN NOT c.suppressed THEN c.n_ended END AS trajectories_ended,
    {{ effectiveness_count('c.n_planned') }} AS ended_as_planned,
    {{ effectiveness_pct('c.n_planned', 'c.n_ended') }} AS ended_as_planned_pct,
    {{ effectiveness_count('c.n_dropout') }} AS dropouts,
    {{ effectiveness_pct('c.n_dropout', 'c.n_ended') }} AS dropout_pct,
    {{ effectiveness_count('c.n_early') }} AS ended_early,
    {{ effectiveness_pct('c.n_early', 'c.n_ended') }} AS ended_early_pct,
    CASE WHEN NOT c.suppressed THEN c.n_satisfaction END AS satisfaction_responses,
    {{ effectiveness_count('c.satisfaction_sum', enough_satisfaction) }} AS satisfaction_sum,
    CASE WHEN NOT c.suppressed AND {{ enough_satisfaction }} AND c.n_satisfaction > 0
        THEN round(c.satisfaction_sum / c.n_satisfaction, 1)::DOUBLE END AS satisfaction_mean,
    CASE WHEN NOT c.suppressed THEN c.n_self_reliance END AS self_reliance_responses,
    {{ effectiveness_count('c.n_no_further_help', enough_self_reliance) }} AS no_further_help,
    {{ effectiveness_pct('c.n_no_further_help', 'c.n_self_reliance', enough_self_reliance) }}
        AS no_further_help_pct,
    {{ effectiveness_count('c.n_lighter_or_no_help', enough_self_reliance) }} AS lighter_or_no_help,
    {{ effectiveness_pct('c.n_lighter_or_no_help', 'c.n_self_reliance', enough_self_reliance) }}
        AS lighter_or_no_help_pct,
    CASE WHEN NOT c.suppressed THEN c.n_recurrence_measurable END AS recurrence_measurable,
    {{ effectiveness_count('c.n_no_recurrence') }} AS no_recurrence,
    {{ effectiveness_pct('c.n_no_recurrence', 'c.n_recurrence_measurable') }} AS no_recurrence_pct,
    {{ effectiveness_count('c.n_change', enough_change) }} AS change_responses,
    {{ effectiveness_count('c.n_reliable_improvement', enough_change) }} AS reliable_improvements,
    {{ effectiveness_pct('c.n_reliable_improvement', 'c.n_change', enough_change) }}
        AS reliable_improvement_pct,
    {% if with_spend -%}
    CASE WHEN NOT c.suppressed THEN c.spend_sum::DECIMAL(18, 2) END AS spend_eur,
    {% endif -%}
    CASE WHEN NOT c.suppressed THEN (c.spend_sum / c.n_ended)::DECIMAL(18, 2) END AS cost_per_trajectory_eur,
    CASE WHEN NOT c.suppressed AND c.n_planned > 0 THEN (c.spend_sum / c.n_planned)::DECIMAL(18, 2) END
        AS cost_per_planned_end_eur
{%- endmacro %}


{#- The questionnaires' response per trajectory (issue 42): a response counts per informant (the young
    person and a parent can each answer, at most two measurements per trajectory), so responses over
    endings can pass 100 %; these count the ended trajectories with at least one response, and their
    share of the ended trajectories. Shown with the row, as the response counts are. -#}
{% macro response_rate_measures() -%}
    CASE WHEN NOT c.suppressed THEN c.n_satisfaction_trajectories END AS satisfaction_trajectories,
    {{ effectiveness_pct('c.n_satisfaction_trajectories', 'c.n_ended') }} AS satisfaction_response_pct,
    CASE WHEN NOT c.suppressed THEN c.n_self_reliance_trajectories END AS self_reliance_trajectories,
    {{ effectiveness_pct('c.n_self_reliance_trajectories', 'c.n_ended') }} AS self_reliance_response_pct
{%- endmacro %}
