-- Grain: one row per municipality, year and measure (dim_measure): the municipality's value
-- beside its youth-care region's and that of all municipalities in the data, with the numerator
-- and denominator of each, so a BI tool can aggregate them again. Region and all values are the
-- sum of the numerators over the sum of the denominators of their municipalities (weighted,
-- never a mean of ratios), published when the group holds at least k clients (k responses for
-- satisfaction); a municipality's own value follows its own small-cell rule. region_rank: 1 =
-- lowest value among the region's published values that year. Cost measures count by year of
-- service, outcome measures by year of ending. The growth measures (issue: why spend grows) are
-- each part of staging.spend_changes over the year before's spend, so a region's parts are its
-- municipalities' parts summed and still add up to its change; the flow measures describe the care
-- running at the end of the year (December, or the data cut-off in the last year).
{%- set k = min_cell_size() %}
WITH spend AS (
    SELECT
        l.municipality_code,
        l.service_year AS year,
        sum(l.amount_eur) AS spend_eur,
        coalesce(sum(l.amount_eur) FILTER (WHERE {{ is_evidence_based('p.nji_recognition') }}), 0)
            AS evidence_based_eur
    FROM {{ ref('declaration_lines') }} AS l
    LEFT JOIN {{ source('ref', 'products') }} AS p USING (product_code)
    GROUP BY ALL
),
clients AS (
    {{ clients_with_positive_net(ref('declaration_lines'), ['municipality_code', 'service_year AS year']) }}
),
outcomes AS (
    SELECT
        municipality_code,
        year,
        count(*) AS trajectories_ended,
        count(DISTINCT client_pseudonym) AS ended_clients,
        count(*) FILTER (WHERE cbs_end_reason = '01') AS ended_as_planned,
        count(*) FILTER (WHERE cbs_end_reason = '03') AS dropouts,
        count(*) FILTER (WHERE recurrence_measurable) AS recurrence_measurable,
        count(*) FILTER (WHERE recurrence_measurable AND no_recurrence) AS no_recurrence,
        sum(satisfaction_responses)::BIGINT AS satisfaction_responses,
        sum(satisfaction_sum)::BIGINT AS satisfaction_sum
    FROM {{ ref('trajectory_outcomes') }}
    GROUP BY ALL
),
flows_at_year_end AS (
    SELECT *, year(month) AS year
    FROM {{ ref('monthly_flows') }}
    QUALIFY month = max(month) OVER (PARTITION BY year(month))
),
base AS (
    SELECT
        k.municipality_code,
        k.year,
        s.spend_eur,
        s.evidence_based_eur,
        c.clients,
        pop.youth_population,
        o.trajectories_ended,
        o.ended_clients,
        o.ended_as_planned,
        o.dropouts,
        o.recurrence_measurable,
        o.no_recurrence,
        o.satisfaction_responses,
        o.satisfaction_sum,
        g.spend_year_before_eur,
        g.spend_change_eur,
        g.client_effect_eur,
        g.per_client_effect_eur,
        g.price_effect_eur,
        g.volume_mix_effect_eur,
        g.price_base_eur,
        least(g.clients, g.clients_year_before) AS growth_clients,
        f.running,
        f.running_over_12m,
        f.running_over_24m,
        f.running_without_outcome_over_12m,
        f.running_days_sum,
        f.clients AS flow_clients
    FROM (SELECT municipality_code, year FROM spend UNION SELECT municipality_code, year FROM outcomes
          UNION SELECT municipality_code, year FROM flows_at_year_end) AS k
    LEFT JOIN spend AS s USING (municipality_code, year)
    LEFT JOIN clients AS c USING (municipality_code, year)
    LEFT JOIN {{ source('ref', 'population') }} AS pop USING (municipality_code, year)
    LEFT JOIN outcomes AS o USING (municipality_code, year)
    LEFT JOIN {{ ref('spend_changes') }} AS g USING (municipality_code, year)
    LEFT JOIN flows_at_year_end AS f USING (municipality_code, year)
),
long AS (
    {%- for m in benchmark_measures() %}
    SELECT
        municipality_code,
        year,
        '{{ m.measure }}' AS measure,
        {{ m.numerator }}::DECIMAL(18, 2) AS numerator,
        {{ m.denominator }}::DECIMAL(18, 2) AS denominator,
        coalesce({{ m.basis }}, 0) AS basis,
        {{ m.scale }} AS scale,
        {{ m.decimals }} AS decimals,
        {{ 'NULL' if m.higher_is_better is none else m.higher_is_better }}::BOOLEAN AS higher_is_better
    FROM base
    WHERE {{ m.denominator }} > 0 AND {{ m.numerator }} IS NOT NULL
    {% if not loop.last %}UNION ALL{% endif %}
    {%- endfor %}
),
grouped AS (
    SELECT
        l.*,
        g.municipality_name,
        g.youth_care_region,
        {{ is_small_cell('l.basis') }} AS suppressed,
        sum(l.numerator) OVER region AS region_numerator,
        sum(l.denominator) OVER region AS region_denominator,
        sum(l.basis) OVER region AS region_basis,
        sum(l.numerator) OVER everyone AS all_numerator,
        sum(l.denominator) OVER everyone AS all_denominator,
        sum(l.basis) OVER everyone AS all_basis
    FROM long AS l
    LEFT JOIN {{ source('ref', 'municipalities') }} AS g USING (municipality_code)
    WINDOW region AS (PARTITION BY g.youth_care_region, l.year, l.measure),
           everyone AS (PARTITION BY l.year, l.measure)
),
valued AS (
    SELECT
        *,
        CASE WHEN NOT suppressed THEN round(scale * numerator / denominator, decimals)::DOUBLE END
            AS municipality_value,
        region_basis >= {{ k }} AS region_published,
        all_basis >= {{ k }} AS all_published
    FROM grouped
)
SELECT
    municipality_code,
    municipality_name,
    youth_care_region,
    year::INTEGER AS year,
    measure,
    municipality_value,
    CASE WHEN NOT suppressed THEN numerator END AS municipality_numerator,
    CASE WHEN NOT suppressed THEN denominator END AS municipality_denominator,
    CASE WHEN region_published THEN round(scale * region_numerator / region_denominator, decimals)::DOUBLE END
        AS region_value,
    CASE WHEN region_published THEN region_numerator::DECIMAL(18, 2) END AS region_numerator,
    CASE WHEN region_published THEN region_denominator::DECIMAL(18, 2) END AS region_denominator,
    CASE WHEN all_published THEN round(scale * all_numerator / all_denominator, decimals)::DOUBLE END AS all_value,
    CASE WHEN all_published THEN all_numerator::DECIMAL(18, 2) END AS all_numerator,
    CASE WHEN all_published THEN all_denominator::DECIMAL(18, 2) END AS all_denominator,
    CASE WHEN NOT suppressed
        THEN rank() OVER (PARTITION BY youth_care_region, year, measure, suppressed ORDER BY municipality_value)
    END AS region_rank,
    sum(CASE WHEN suppressed THEN 0 ELSE 1 END) OVER (PARTITION BY youth_care_region, year, measure)::BIGINT
        AS region_municipalities,
    higher_is_better,
    suppressed
FROM valued
ORDER BY municipality_code, year, measure
