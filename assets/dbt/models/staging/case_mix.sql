-- Grain: one ended trajectory, internal only: what its provider does not choose (age band at the
-- start, sex, product category, referrer, duration band, and the year of ending, so that all
-- providers together are as expected in every year) and its two outcomes (ended as planned = CBS 01,
-- dropout = CBS 03), the input of case_mix_model. A level with fewer ended trajectories in the whole
-- file than case_mix_min_level (or than k) becomes 'overig', and an 'overig' that is still that small
-- joins its factor's commonest level, so no coefficient rests on a handful of children (the year of
-- ending excepted: merging it would undo what it is there for). An unknown value is a level of its
-- own ('onbekend').
{%- set min_level = [var('case_mix_min_level') | int, min_cell_size() | trim | int] | max %}
{%- set factors = var('case_mix_factors') %}
WITH outcomes AS (
    SELECT
        o.municipality_code,
        o.allocation_number,
        o.client_pseudonym,
        o.provider_agb,
        o.year,
        o.age_band,
        CASE o.sex WHEN '1' THEN 'man' WHEN '2' THEN 'vrouw' ELSE 'onbekend' END AS sex,
        coalesce(o.product_category, 'onbekend') AS product_category,
        coalesce(o.referrer, 'onbekend') AS referrer,
        o.duration_band,
        o.year::VARCHAR AS end_year,
        o.cbs_end_reason = '01' AS planned,
        o.cbs_end_reason = '03' AS dropout
    FROM {{ ref('trajectory_outcomes') }} AS o
),
merged AS (
    SELECT
        * REPLACE (
            {%- for f in factors if f != 'end_year' %}
            CASE WHEN count(*) OVER (PARTITION BY {{ f }}) < {{ min_level }} THEN 'overig' ELSE {{ f }} END AS {{ f }}
            {{- "," if not loop.last }}
            {%- endfor %}
        )
    FROM outcomes
)
SELECT
    * REPLACE (
        {%- for f in factors if f != 'end_year' %}
        CASE WHEN {{ f }} = 'overig' AND count(*) OVER (PARTITION BY {{ f }}) < {{ min_level }}
            THEN mode({{ f }} ORDER BY {{ f }}) OVER () ELSE {{ f }} END AS {{ f }}
        {{- "," if not loop.last }}
        {%- endfor %}
    )
FROM merged
