{#- The measures of region_benchmark, written once: dim_measure lists them, region_benchmark
    computes them. Each is numerator / denominator x scale over the columns of region_benchmark's
    `base` (one row per municipality and year), so a region or national value is the sum of the
    numerators over the sum of the denominators, never a mean of ratios. `basis` counts what the
    small-cell rule counts: clients for the cost measures, clients of the ended trajectories for
    the outcome measures, responses for satisfaction. higher_is_better is empty where neither
    direction is better in itself (spend, use, growth). The growth measures are parts of the spend
    change over the year before's spend (basis: the clients of the smaller year), so
    client + per-client and price + volume/mix each add up to spend_change_pct; the flow measures
    describe the care running at the year's end (basis: the clients of that month's trajectories).
    `group` is the family a measure belongs to (cost, outcome, growth, tariff, caseload): the council
    letters show a region's members on the cost, outcome and growth measures, read from dim_measure.
    `letter_label` is how a council letter names the measure in plain Dutch in a table's row (no
    unit: the figure beside it carries one), `letter_short` as a column's header where a letter sets
    its municipalities side by side, `letter_format` how it prints the value: a format of
    assets/reports/formatting.py (euro2: euros with cents, dec1: one decimal, pct: a percentage,
    pct_signed: a change in %, grade: a report mark). -#}
{% macro benchmark_measures() -%}
{{ return([
    {'measure': 'spend_per_youth_eur', 'group': 'cost', 'label': 'Uitgaven per jeugdige (0-17 jaar), euro', 'numerator': 'spend_eur',
     'letter_label': 'Uitgaven per jeugdige (0 tot en met 17 jaar)', 'letter_format': 'euro2',
     'letter_short': 'Per jeugdige',
     'denominator': 'youth_population', 'scale': 1, 'decimals': 2, 'higher_is_better': none, 'basis': 'clients',
     'year_of': 'levering'},
    {'measure': 'clients_per_1000_youth', 'group': 'cost', 'label': 'Cliënten per 1.000 jeugdigen (0-17 jaar)', 'numerator': 'clients',
     'letter_label': 'Cliënten per duizend jeugdigen', 'letter_format': 'dec1',
     'letter_short': 'Cliënten per duizend jeugdigen',
     'denominator': 'youth_population', 'scale': 1000, 'decimals': 1, 'higher_is_better': none, 'basis': 'clients',
     'year_of': 'levering'},
    {'measure': 'spend_per_client_eur', 'group': 'cost', 'label': 'Uitgaven per cliënt, euro', 'numerator': 'spend_eur',
     'letter_label': 'Uitgaven per cliënt', 'letter_format': 'euro2',
     'letter_short': 'Per cliënt',
     'denominator': 'clients', 'scale': 1, 'decimals': 2, 'higher_is_better': none, 'basis': 'clients',
     'year_of': 'levering'},
    {'measure': 'evidence_based_spend_pct', 'group': 'cost', 'label': 'Aandeel uitgaven aan NJi-effectieve interventies, %',
     'letter_label': 'Aandeel van de uitgaven aan door het NJi als effectief erkende interventies', 'letter_format': 'pct',
     'letter_short': 'Naar door het NJi als effectief erkende interventies',
     'numerator': 'evidence_based_eur', 'denominator': 'spend_eur', 'scale': 100, 'decimals': 1,
     'higher_is_better': true, 'basis': 'clients', 'year_of': 'levering'},
    {'measure': 'ended_as_planned_pct', 'group': 'outcome', 'label': 'Beëindigd volgens plan (CBS 01), % van beëindigde trajecten',
     'letter_label': 'Beëindigd volgens plan', 'letter_format': 'pct',
     'letter_short': 'Volgens plan',
     'numerator': 'ended_as_planned', 'denominator': 'trajectories_ended', 'scale': 100, 'decimals': 1,
     'higher_is_better': true, 'basis': 'ended_clients', 'year_of': 'beëindiging'},
    {'measure': 'dropout_pct', 'group': 'outcome', 'label': 'Uitval (CBS 03), % van beëindigde trajecten', 'numerator': 'dropouts',
     'letter_label': 'Uitval (voortijdig afgebroken)', 'letter_format': 'pct',
     'letter_short': 'Uitval',
     'denominator': 'trajectories_ended', 'scale': 100, 'decimals': 1, 'higher_is_better': false,
     'basis': 'ended_clients', 'year_of': 'beëindiging'},
    {'measure': 'no_recurrence_pct', 'group': 'outcome', 'label': 'Geen nieuw traject binnen 182 dagen, % van meetbare trajecten',
     'letter_label': 'Geen nieuwe jeugdhulp binnen een half jaar', 'letter_format': 'pct',
     'letter_short': 'Geen nieuwe hulp',
     'numerator': 'no_recurrence', 'denominator': 'recurrence_measurable', 'scale': 100, 'decimals': 1,
     'higher_is_better': true, 'basis': 'ended_clients', 'year_of': 'beëindiging'},
    {'measure': 'satisfaction_mean', 'group': 'outcome', 'label': 'Gemiddeld rapportcijfer tevredenheid (1-10)',
     'letter_label': 'Tevredenheid (rapportcijfer)', 'letter_format': 'grade',
     'letter_short': 'Tevredenheid',
     'numerator': 'satisfaction_sum', 'denominator': 'satisfaction_responses', 'scale': 1, 'decimals': 1,
     'higher_is_better': true, 'basis': 'satisfaction_responses', 'year_of': 'beëindiging'},
    {'measure': 'spend_change_pct', 'group': 'growth', 'label': 'Verandering van de uitgaven t.o.v. het jaar ervoor, %',
     'letter_label': 'Verandering van de uitgaven', 'letter_format': 'pct_signed',
     'letter_short': 'Uitgaven',
     'numerator': 'spend_change_eur', 'denominator': 'spend_year_before_eur', 'scale': 100, 'decimals': 2,
     'higher_is_better': none, 'basis': 'growth_clients', 'year_of': 'levering'},
    {'measure': 'client_effect_pct', 'group': 'growth', 'label': 'Deel van de verandering door het aantal cliënten, % van de uitgaven het jaar ervoor',
     'letter_label': 'waarvan: aantal cliënten', 'letter_format': 'pct_signed',
     'letter_short': 'Cliënten',
     'numerator': 'client_effect_eur', 'denominator': 'spend_year_before_eur', 'scale': 100, 'decimals': 2,
     'higher_is_better': none, 'basis': 'growth_clients', 'year_of': 'levering'},
    {'measure': 'per_client_effect_pct', 'group': 'growth', 'label': 'Deel van de verandering door de uitgaven per cliënt, % van de uitgaven het jaar ervoor',
     'letter_label': 'waarvan: uitgaven per cliënt', 'letter_format': 'pct_signed',
     'letter_short': 'Per cliënt',
     'numerator': 'per_client_effect_eur', 'denominator': 'spend_year_before_eur', 'scale': 100, 'decimals': 2,
     'higher_is_better': none, 'basis': 'growth_clients', 'year_of': 'levering'},
    {'measure': 'price_effect_pct', 'group': 'growth', 'label': 'Deel van de verandering door tarieven (prijseffect), % van de uitgaven het jaar ervoor',
     'letter_label': 'waarvan: tarieven', 'letter_format': 'pct_signed',
     'letter_short': 'Tarieven',
     'numerator': 'price_effect_eur', 'denominator': 'spend_year_before_eur', 'scale': 100, 'decimals': 2,
     'higher_is_better': none, 'basis': 'growth_clients', 'year_of': 'levering'},
    {'measure': 'volume_mix_effect_pct', 'group': 'growth', 'label': 'Deel van de verandering door volume en mix, % van de uitgaven het jaar ervoor',
     'letter_label': 'waarvan: hoeveelheid en soort zorg', 'letter_format': 'pct_signed',
     'letter_short': 'Soort zorg',
     'numerator': 'volume_mix_effect_eur', 'denominator': 'spend_year_before_eur', 'scale': 100, 'decimals': 2,
     'higher_is_better': none, 'basis': 'growth_clients', 'year_of': 'levering'},
    {'measure': 'tariff_change_pct', 'group': 'tariff', 'label': 'Tariefstijging bij gelijk volume, % (naast de jeugdzorgindex te leggen)',
     'letter_label': 'Tariefverandering', 'letter_format': 'pct_signed',
     'letter_short': 'Tariefverandering',
     'numerator': 'price_effect_eur', 'denominator': 'price_base_eur', 'scale': 100, 'decimals': 2,
     'higher_is_better': none, 'basis': 'growth_clients', 'year_of': 'levering'},
    {'measure': 'running_over_12m_pct', 'group': 'caseload', 'label': 'Lopende trajecten die langer dan 12 maanden lopen, % (eind van het jaar)',
     'letter_label': 'Lopende trajecten die langer dan een jaar lopen', 'letter_format': 'pct',
     'letter_short': 'Langer dan een jaar',
     'numerator': 'running_over_12m', 'denominator': 'running', 'scale': 100, 'decimals': 1,
     'higher_is_better': none, 'basis': 'flow_clients', 'year_of': 'de stand (december, of de peildatum)'},
    {'measure': 'running_over_24m_pct', 'group': 'caseload', 'label': 'Lopende trajecten die langer dan 24 maanden lopen, % (eind van het jaar)',
     'letter_label': 'Lopende trajecten die langer dan twee jaar lopen', 'letter_format': 'pct',
     'letter_short': 'Langer dan twee jaar',
     'numerator': 'running_over_24m', 'denominator': 'running', 'scale': 100, 'decimals': 1,
     'higher_is_better': none, 'basis': 'flow_clients', 'year_of': 'de stand (december, of de peildatum)'},
    {'measure': 'running_without_outcome_over_12m_pct', 'group': 'caseload',
     'letter_label': 'Lopende trajecten langer dan een jaar zonder uitkomstmeting', 'letter_format': 'pct',
     'letter_short': 'Langer dan een jaar, zonder uitkomstmeting',
     'label': 'Lopende trajecten langer dan 12 maanden zonder uitkomstmeting, % (eind van het jaar)',
     'numerator': 'running_without_outcome_over_12m', 'denominator': 'running', 'scale': 100, 'decimals': 1,
     'higher_is_better': false, 'basis': 'flow_clients', 'year_of': 'de stand (december, of de peildatum)'},
    {'measure': 'mean_running_duration_days', 'group': 'caseload', 'label': 'Gemiddelde looptijd van lopende trajecten, dagen (eind van het jaar)',
     'letter_label': 'Gemiddelde looptijd van lopende trajecten, in dagen', 'letter_format': 'dec1',
     'letter_short': 'Gemiddelde looptijd (dagen)',
     'numerator': 'running_days_sum', 'denominator': 'running', 'scale': 1, 'decimals': 1,
     'higher_is_better': none, 'basis': 'flow_clients', 'year_of': 'de stand (december, of de peildatum)'},
]) }}
{%- endmacro %}

{#- The numerators and denominators of benchmark_measures, each once, in the order the measures name
    them: the columns of base that region_benchmark_wide publishes per municipality. An amount (a name
    ending in _eur) is DECIMAL(18, 2); everything else counts (children, trajectories, answers, days,
    young inhabitants) and is a BIGINT. -#}
{% macro benchmark_quantities() -%}
  {%- set quantities = [] -%}
  {%- for m in benchmark_measures() -%}
    {%- for q in [m.numerator, m.denominator] if q not in quantities | map(attribute='name') | list -%}
      {%- do quantities.append({'name': q, 'type': 'DECIMAL(18, 2)' if q.endswith('_eur') else 'BIGINT'}) -%}
    {%- endfor -%}
  {%- endfor -%}
  {{ return(quantities) }}
{%- endmacro %}
