-- Grain: one ended trajectory, internal only: what its provider does not choose (age band at the
-- start, sex, product category, referrer, duration band) and its two outcomes (ended as planned =
-- CBS 01, dropout = CBS 03), the input of case_mix_model. A level with fewer ended trajectories in
-- the whole file than case_mix_min_level (or than k) becomes 'overig', so no coefficient of the
-- model rests on a handful of children. An unknown value is a level of its own ('onbekend').
{%- set min_level = [var('case_mix_min_level') | int, min_cell_size() | trim | int] | max %}
{%- set factors = ['age_band', 'sex', 'product_category', 'referrer', 'duration_band'] %}
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
        coalesce(o.duration_band, 'onbekend') AS duration_band,
        o.cbs_end_reason = '01' AS planned,
        o.cbs_end_reason = '03' AS dropout
    FROM {{ ref('trajectory_outcomes') }} AS o
)
SELECT
    * REPLACE (
        {%- for f in factors %}
        CASE WHEN count(*) OVER (PARTITION BY {{ f }}) < {{ min_level }} THEN 'overig' ELSE {{ f }} END AS {{ f }}
        {{- "," if not loop.last }}
        {%- endfor %}
    )
FROM outcomes
