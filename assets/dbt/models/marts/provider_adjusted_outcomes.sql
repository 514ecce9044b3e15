-- Grain: one row per provider, area (a municipality, a youth-care region's municipalities in the file,
-- or all municipalities in the file) and period
-- (one year of ending; for all municipalities also three years pooled, e.g. '2023-2025'): observed
-- planned endings and dropouts against the number the case_mix_model expects for the children this
-- provider treated there (indirect standardisation), their ratio, and the funnel's control limits
-- for this provider's children (Spiegelhalter 2005). Limits: 1 +- z * sqrt(phi * (1 / E - 1 / n))
-- around a ratio of 1, with E the expected number as published and n the trajectories: the chance
-- spread of O / E when each of the n children has its own expected chance, at the provider's own mean
-- chance E / n (binomial; never narrower than the exact spread), normal approximation, floored at 0;
-- z = 1.96 (95 %) and 3.09 (99.8 %). phi (overdispersion) per outcome and three-year
-- period: the mean of the squared z-scores of the providers' all-municipality points with at least
-- 100 ended trajectories, Winsorised at their 10th and 90th percentiles, used when at least 10 such
-- providers give a value significantly above 1 (chi-square, 5 %), else 1. Rows with fewer than k
-- clients are suppressed like effectiveness_by_provider's (below). Left out on purpose, because
-- disclosure control must then hide far more to keep the hidden cells they add up from being worked
-- back (docs/provider_comparison.md, measured on the demo): three-year points per municipality and
-- per region (they tie every year's hidden cells of a provider into one sum: over 40 minutes instead
-- of two). A region's year is the sum of its municipalities' years (disclosure control knows it). A
-- letter shows the providers of its municipality or region at their point over all municipalities,
-- which is large enough to show and to pool.
{%- set min_phi_trajectories, min_phi_providers = 100, 10 %}
{%- set z95, z998 = var('funnel_z_95'), var('funnel_z_998') %}
{%- set factors = var('case_mix_factors') %}
WITH coef AS (
    SELECT factor, level,
           any_value(coefficient) FILTER (WHERE outcome = 'ended_as_planned') AS b_planned,
           any_value(coefficient) FILTER (WHERE outcome = 'dropout') AS b_dropout
    FROM {{ ref('case_mix_model') }}
    GROUP BY ALL
),
-- each trajectory's level of each factor, one row per factor (a NULL kept, to be caught below)
levels AS (
    SELECT * FROM (SELECT municipality_code, allocation_number, {{ factors | join(', ') }} FROM {{ ref('case_mix') }})
    UNPIVOT INCLUDE NULLS (level FOR factor IN ({{ factors | join(', ') }}))
),
-- the sum of the coefficients of its levels; every level has one (the model was fitted on these very
-- trajectories, and case_mix names an unknown value 'onbekend'), and a trajectory without one would
-- get a wrong chance: the build stops instead, naming the factor
terms AS (
    SELECT l.municipality_code, l.allocation_number,
           sum(c.b_planned) AS x_planned, sum(c.b_dropout) AS x_dropout,
           CASE WHEN count(c.factor) <> {{ factors | length }}
                THEN error('case mix: trajectory ' || l.allocation_number || ' has a factor without a coefficient '
                           || 'for its level (NULL, or not in case_mix_model): '
                           || string_agg(l.factor || ' = ' || coalesce(l.level, 'NULL'), ', ')
                                  FILTER (WHERE c.factor IS NULL))
           END AS complete
    FROM levels AS l
    LEFT JOIN coef AS c ON c.factor = l.factor AND c.level = l.level
    GROUP BY l.municipality_code, l.allocation_number
),
risk AS (
    SELECT
        c.*,
        1 / (1 + exp(-(i.b_planned + t.x_planned))) AS p_planned,
        1 / (1 + exp(-(i.b_dropout + t.x_dropout))) AS p_dropout
    FROM {{ ref('case_mix') }} AS c
    JOIN terms AS t USING (municipality_code, allocation_number)
    CROSS JOIN (SELECT * FROM coef WHERE factor = 'intercept') AS i
    WHERE t.complete IS NULL  -- (always: it is there to be evaluated)
),
periods AS (
    SELECT DISTINCT year AS first_year, year AS last_year FROM risk
    UNION
    SELECT year - 2, year FROM risk WHERE year - 2 >= (SELECT min(year) FROM risk)
),
cells AS (
    SELECT
        r.provider_agb,
        area.area_level,
        area.area_code,
        pr.first_year,
        pr.last_year,
        count(*) AS n_ended,
        count(DISTINCT r.client_pseudonym) AS n_clients,
        count(*) FILTER (WHERE r.planned) AS o_planned,
        sum(r.p_planned) AS e_planned,
        count(*) FILTER (WHERE r.dropout) AS o_dropout,
        sum(r.p_dropout) AS e_dropout
    FROM risk AS r
    JOIN periods AS pr ON r.year BETWEEN pr.first_year AND pr.last_year
    LEFT JOIN {{ source('ref', 'municipalities') }} AS g USING (municipality_code)
    CROSS JOIN LATERAL (VALUES ('municipality', r.municipality_code), ('region', g.youth_care_region), ('all', 'all'))
        AS area(area_level, area_code)
    -- three years pooled only over all municipalities: see the header
    WHERE (pr.first_year = pr.last_year OR area.area_level = 'all') AND area.area_code IS NOT NULL
    GROUP BY ALL
),
-- a year's row is suppressed as the tables that publish the same cells suppress it (a provider's
-- year over all municipalities as provider_performance, which also counts its clients by spend);
-- a three-year point only where none of its years is, so it never tells what a hidden year holds
-- (its YAML declares it own: false, hidden only with a hidden year, which the attacker hunts)
own_small AS (
    SELECT c.provider_agb, c.area_level, c.area_code, c.last_year AS year,
           {{ is_small_cell('c.n_clients') }} OR coalesce(c.area_level = 'all' AND pp.suppressed, false) AS small
    FROM cells AS c
    LEFT JOIN {{ ref('provider_performance') }} AS pp ON pp.provider_agb = c.provider_agb AND pp.year = c.last_year
    WHERE c.first_year = c.last_year
),
-- a region's year is shown only where the provider's year in every municipality of it is: else it
-- would give a hidden municipality's figures away (shown minus shown), and protecting a region's
-- row over hidden parts made disclosure control hide whole regions (docs/provider_comparison.md);
-- its YAML declares it own: false, like a three-year point
single AS (
    SELECT s.provider_agb, s.area_level, s.area_code, s.year,
           s.small OR coalesce(s.area_level = 'region' AND EXISTS (
               SELECT 1 FROM own_small AS part
               JOIN {{ source('ref', 'municipalities') }} AS g ON g.municipality_code = part.area_code
               WHERE part.area_level = 'municipality' AND part.small AND part.provider_agb = s.provider_agb
                 AND part.year = s.year AND g.youth_care_region = s.area_code), false) AS small
    FROM own_small AS s
),
-- the file's rate per period: what an adjusted percentage is a percentage of
reference AS (
    SELECT first_year, last_year, sum(o_planned) / sum(n_ended) AS r_planned, sum(o_dropout) / sum(n_ended) AS r_dropout
    FROM cells WHERE area_level = 'all' GROUP BY ALL
),
z_scores AS (
    SELECT first_year, last_year, outcome,
           (o / e - 1) / sqrt(1 / e - 1 / n_ended) AS z
    FROM cells,
    LATERAL (VALUES ('planned', o_planned, e_planned), ('dropout', o_dropout, e_dropout)) AS v(outcome, o, e)
    WHERE area_level = 'all' AND n_ended >= {{ min_phi_trajectories }} AND e > 0 AND e < n_ended
      -- only points the file shows: phi stands on every row and must say nothing of a hidden one
      AND NOT EXISTS (SELECT 1 FROM single AS y WHERE y.small AND y.area_level = 'all'
                      AND y.provider_agb = cells.provider_agb AND y.year BETWEEN cells.first_year AND cells.last_year)
),
winsorised AS (
    SELECT z.first_year, z.last_year, z.outcome,
           count(*) AS providers,
           avg(power(greatest(q.lo, least(q.hi, z.z)), 2)) AS phi_hat
    FROM z_scores AS z
    JOIN (SELECT first_year, last_year, outcome, quantile_cont(z, 0.1) AS lo, quantile_cont(z, 0.9) AS hi
          FROM z_scores GROUP BY ALL) AS q USING (first_year, last_year, outcome)
    GROUP BY ALL
),
estimated AS (
    -- chi-square 95 % point with I - 1 degrees of freedom (Wilson-Hilferty): I * phi above it is
    -- more spread between providers than chance gives
    SELECT first_year, last_year, outcome,
           CASE WHEN providers >= {{ min_phi_providers }} AND providers * phi_hat
                     > (providers - 1) * power(1 - 2 / (9 * (providers - 1)) + 1.644854 * sqrt(2 / (9 * (providers - 1))), 3)
                THEN phi_hat ELSE 1 END AS phi
    FROM winsorised
),
-- a single year has too few large providers to estimate phi: it takes that of the three years
-- ending with it (the file's first two years: of its first three years); a file of fewer than
-- three years estimates each year's own. No estimate: 1. Published rounded, and the limits use it
-- as published.
overdispersion AS (
    SELECT p.first_year, p.last_year, o.outcome,
           round(coalesce(CASE
               WHEN EXISTS (SELECT 1 FROM periods AS w WHERE w.first_year < w.last_year)
               THEN (SELECT e.phi FROM estimated AS e
                     WHERE e.outcome = o.outcome AND e.first_year < e.last_year
                       AND e.last_year = greatest(p.last_year, (SELECT min(first_year) FROM periods) + 2))
               ELSE (SELECT e.phi FROM estimated AS e WHERE e.outcome = o.outcome
                       AND (e.first_year, e.last_year) = (p.first_year, p.last_year))
           END, 1), 2) AS phi
    FROM periods AS p CROSS JOIN (VALUES ('planned'), ('dropout')) AS o(outcome)
),
limits AS (
    SELECT
        c.* REPLACE (round(c.e_planned, 6) AS e_planned, round(c.e_dropout, 6) AS e_dropout),
        (SELECT bool_or(y.small) FROM single AS y
         WHERE (y.provider_agb, y.area_level, y.area_code) = (c.provider_agb, c.area_level, c.area_code)
           AND y.year BETWEEN c.first_year AND c.last_year) AS suppressed,
        -- as published (a percentage to 1 decimal), so a reviewer recomputes the adjusted % from the row
        round(100 * ref.r_planned, 1) / 100 AS r_planned,
        round(100 * ref.r_dropout, 1) / 100 AS r_dropout,
        coalesce(op.phi, 1) AS phi_planned,
        coalesce(od.phi, 1) AS phi_dropout,
        {%- for name in ['planned', 'dropout'] %}
        {%- set e = 'round(c.e_' ~ name ~ ', 6)' %}
        CASE WHEN {{ e }} > 0 AND {{ e }} < c.n_ended
            THEN sqrt(coalesce(o{{ name[0] }}.phi, 1) * (1 / {{ e }} - 1 / c.n_ended)) END AS s_{{ name }}
        {{- "," if not loop.last }}
        {%- endfor %}
    FROM cells AS c
    JOIN reference AS ref USING (first_year, last_year)
    LEFT JOIN overdispersion AS op ON (op.first_year, op.last_year, op.outcome) = (c.first_year, c.last_year, 'planned')
    LEFT JOIN overdispersion AS od ON (od.first_year, od.last_year, od.outcome) = (c.first_year, c.last_year, 'dropout')
),
-- the published values, rounded, on which the signal is judged (so a reviewer's rerun agrees)
shown AS (
    SELECT
        l.*,
        {%- for name in ['planned', 'dropout'] %}
        CASE WHEN l.e_{{ name }} > 0 THEN round(l.o_{{ name }} / l.e_{{ name }}, 3) END AS {{ name }}_ratio,
        CASE WHEN l.e_{{ name }} > 0 THEN round(100 * l.o_{{ name }} / l.e_{{ name }} * l.r_{{ name }}, 1) END
            AS {{ name }}_adjusted_pct,
        round(greatest(0, 1 - {{ z998 }} * l.s_{{ name }}), 3) AS {{ name }}_lower_998,
        round(greatest(0, 1 - {{ z95 }} * l.s_{{ name }}), 3) AS {{ name }}_lower_95,
        round(1 + {{ z95 }} * l.s_{{ name }}, 3) AS {{ name }}_upper_95,
        round(1 + {{ z998 }} * l.s_{{ name }}, 3) AS {{ name }}_upper_998
        {{- "," if not loop.last }}
        {%- endfor %}
    FROM limits AS l
)
SELECT
    l.provider_agb,
    pv.provider_name,
    l.area_level,
    l.area_code,
    CASE l.area_level WHEN 'municipality' THEN m.municipality_name WHEN 'region' THEN 'regio ' || l.area_code
                      ELSE 'alle gemeenten in het bestand' END AS area_name,
    CASE WHEN l.first_year = l.last_year THEN l.last_year::VARCHAR ELSE l.first_year || '-' || l.last_year END
        AS period,
    l.first_year::INTEGER AS first_year,
    l.last_year::INTEGER AS last_year,
    {{ unless_suppressed('l.n_ended', 'l.suppressed') }} AS trajectories_ended,
    {%- for name, observed, expected in [('planned', 'ended_as_planned', 'expected_planned'),
                                         ('dropout', 'dropouts', 'expected_dropouts')] %}
    {{ unless_suppressed('l.o_' ~ name, 'l.suppressed') }} AS {{ observed }},
    {{ unless_suppressed('round(l.e_' ~ name ~ ', 6)', 'l.suppressed') }} AS {{ expected }},
    {%- for column in ['ratio', 'adjusted_pct', 'lower_998', 'lower_95', 'upper_95', 'upper_998'] %}
    {{ unless_suppressed('l.' ~ name ~ '_' ~ column, 'l.suppressed') }} AS {{ name }}_{{ column }},
    {%- endfor %}
    CASE WHEN NOT l.suppressed AND l.{{ name }}_ratio IS NOT NULL AND l.{{ name }}_upper_95 IS NOT NULL THEN
        CASE WHEN l.{{ name }}_ratio > l.{{ name }}_upper_998 THEN 'above_99.8'
             WHEN l.{{ name }}_ratio > l.{{ name }}_upper_95 THEN 'above_95'
             WHEN l.{{ name }}_ratio < l.{{ name }}_lower_998 THEN 'below_99.8'
             WHEN l.{{ name }}_ratio < l.{{ name }}_lower_95 THEN 'below_95'
             ELSE 'within' END
    END AS {{ name }}_signal,
    round(100 * l.r_{{ name }}, 1)::DOUBLE AS {{ name }}_reference_pct,
    l.phi_{{ name }}::DOUBLE AS {{ name }}_overdispersion,
    {%- endfor %}
    l.suppressed
FROM shown AS l
LEFT JOIN {{ source('ref', 'providers') }} AS pv USING (provider_agb)
LEFT JOIN {{ source('ref', 'municipalities') }} AS m ON l.area_level = 'municipality' AND m.municipality_code = l.area_code
ORDER BY l.provider_agb, l.area_level, l.area_code, l.first_year, l.last_year
