{#- The measures of region_benchmark, written once: dim_measure lists them, region_benchmark
    computes them. Each is numerator / denominator x scale over the columns of region_benchmark's
    `base` (one row per municipality and year), so a region or national value is the sum of the
    numerators over the sum of the denominators, never a mean of ratios. `basis` counts what the
    small-cell rule counts: clients for the cost measures, clients of the ended trajectories for
    the outcome measures, responses for satisfaction. higher_is_better is empty where neither
    direction is better in itself (spend, use). -#}
{% macro benchmark_measures() -%}
{{ return([
    {'measure': 'spend_per_youth_eur', 'label': 'Uitgaven per jeugdige (0-17 jaar), euro', 'numerator': 'spend_eur',
     'denominator': 'youth_population', 'scale': 1, 'decimals': 2, 'higher_is_better': none, 'basis': 'clients',
     'year_of': 'levering'},
    {'measure': 'clients_per_1000_youth', 'label': 'Cliënten per 1.000 jeugdigen (0-17 jaar)', 'numerator': 'clients',
     'denominator': 'youth_population', 'scale': 1000, 'decimals': 1, 'higher_is_better': none, 'basis': 'clients',
     'year_of': 'levering'},
    {'measure': 'spend_per_client_eur', 'label': 'Uitgaven per cliënt, euro', 'numerator': 'spend_eur',
     'denominator': 'clients', 'scale': 1, 'decimals': 2, 'higher_is_better': none, 'basis': 'clients',
     'year_of': 'levering'},
    {'measure': 'evidence_based_spend_pct', 'label': 'Aandeel uitgaven aan NJi-effectieve interventies, %',
     'numerator': 'evidence_based_eur', 'denominator': 'spend_eur', 'scale': 100, 'decimals': 1,
     'higher_is_better': true, 'basis': 'clients', 'year_of': 'levering'},
    {'measure': 'ended_as_planned_pct', 'label': 'Beëindigd volgens plan (CBS 01), % van beëindigde trajecten',
     'numerator': 'ended_as_planned', 'denominator': 'trajectories_ended', 'scale': 100, 'decimals': 1,
     'higher_is_better': true, 'basis': 'ended_clients', 'year_of': 'beëindiging'},
    {'measure': 'dropout_pct', 'label': 'Uitval (CBS 03), % van beëindigde trajecten', 'numerator': 'dropouts',
     'denominator': 'trajectories_ended', 'scale': 100, 'decimals': 1, 'higher_is_better': false,
     'basis': 'ended_clients', 'year_of': 'beëindiging'},
    {'measure': 'no_recurrence_pct', 'label': 'Geen nieuw traject binnen 182 dagen, % van meetbare trajecten',
     'numerator': 'no_recurrence', 'denominator': 'recurrence_measurable', 'scale': 100, 'decimals': 1,
     'higher_is_better': true, 'basis': 'ended_clients', 'year_of': 'beëindiging'},
    {'measure': 'satisfaction_mean', 'label': 'Gemiddeld rapportcijfer tevredenheid (1-10)',
     'numerator': 'satisfaction_sum', 'denominator': 'satisfaction_responses', 'scale': 1, 'decimals': 1,
     'higher_is_better': true, 'basis': 'satisfaction_responses', 'year_of': 'beëindiging'},
]) }}
{%- endmacro %}
