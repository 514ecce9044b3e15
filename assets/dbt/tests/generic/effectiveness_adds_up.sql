{#- The numbers of an effectiveness mart that a council would catch: percentages within 0-100,
    ended as planned + ended early = 100 % (every ending that counts maps to CBS 01-05), dropout
    within ended early, self-reliance shares nested, recurrence measured on at most the ended
    trajectories, and suppressed rows without numbers; with response_rates, the trajectories with an
    answer within the endings and within the answers. Two shares each rounded to one decimal may
    miss by 0.1. A failure means a model is wrong: the BI file is not replaced. -#}
{% test effectiveness_adds_up(model, response_rates=false) %}
{%- set percentages = ['ended_as_planned_pct', 'dropout_pct', 'ended_early_pct', 'no_further_help_pct',
                       'lighter_or_no_help_pct', 'no_recurrence_pct', 'reliable_improvement_pct'] -%}
{%- set rounding = 0.11 -%}
SELECT *
FROM {{ model }}
WHERE ({% for p in percentages %}NOT ({{ p }} BETWEEN 0 AND 100){{ ' OR ' if not loop.last }}{% endfor %})
   OR abs(ended_as_planned_pct + ended_early_pct - 100) > {{ rounding }}
   OR dropout_pct > ended_early_pct + {{ rounding }}
   OR lighter_or_no_help_pct < no_further_help_pct - {{ rounding }}
   OR recurrence_measurable > trajectories_ended
   OR (suppressed AND trajectories_ended IS NOT NULL)
{%- if response_rates %}
   -- the response per trajectory: within the endings and within the answers (one per informant)
   OR NOT (satisfaction_response_pct BETWEEN 0 AND 100) OR NOT (self_reliance_response_pct BETWEEN 0 AND 100)
   OR satisfaction_trajectories > trajectories_ended OR satisfaction_trajectories > satisfaction_responses
   OR self_reliance_trajectories > trajectories_ended OR self_reliance_trajectories > self_reliance_responses
{%- endif %}
{% endtest %}
