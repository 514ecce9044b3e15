"""Row rules for outcome records (S01-S08); S09 (superseded response) is resolved across files.

The first failing rule is recorded. `current_date` is the ingestion date: an outcome filled in
or a trajectory ending in the future is a typing error, not a forecast.
"""

from __future__ import annotations

from assets.ingest.row_rules import JEUGDWET_START, RowRule, bsn_elsewhere_rule, elfproef_rule, quoted, required_rule

_REQUIRED = (
    ("response_id IS NULL", "'response_id missing'"),
    ("provider_agb IS NULL", "'aanbieder_agb missing'"),
    ("municipality_code IS NULL", "'gemeentecode missing'"),
    ("client_pseudonym IS NULL", "'bsn missing'"),
    ("allocation_number IS NULL", f"'toewijzingnummer ' || {quoted('allocation_text')} || ' is not a whole number'"),
    ("product_category IS NULL", "'productcategorie missing'"),
    ("start_date IS NULL", f"'startdatum ' || {quoted('start_text')} || ' is not a date'"),
    ("end_text IS NOT NULL AND end_date IS NULL", f"'einddatum ' || {quoted('end_text')} || ' is not a date'"),
    ("informant IS NULL", "'informant missing'"),
    ("filled_date IS NULL", f"'invuldatum ' || {quoted('filled_text')} || ' is not a date'"),
    ("(score_begin_text IS NOT NULL AND score_begin IS NULL) "
     "OR (score_end_text IS NOT NULL AND score_end IS NULL)", "'score_begin/score_eind is not a number'"),
)

# the largest score an instrument's scale could hold (S11): what lies beyond is a typing error, and an
# infinite or undefined number would break every mean and reliable-change figure made from it
MAX_SCORE = 1_000_000

SURVEY_RULES: tuple[RowRule, ...] = (
    bsn_elsewhere_rule("S10"),
    required_rule("S01", _REQUIRED, why="the response cannot be tied to a trajectory"),
    elfproef_rule("S02"),
    RowRule("S03", "unknown municipality or AGB code not 8 digits",
            "municipality_code NOT IN (SELECT municipality_code FROM ref.municipalities) "
            "OR NOT is_agb(provider_agb)",
            "CASE WHEN NOT is_agb(provider_agb) "
            "THEN 'AGB code ''' || provider_agb || ''' is not 8 digits' "
            "ELSE 'gemeentecode ''' || municipality_code || ''' is not a municipality in the reference list' END",
            why="the response must belong to a real municipality and an identifiable provider"),
    RowRule("S04", "satisfaction not an integer 1-10",
            "satisfaction_text IS NOT NULL AND (satisfaction IS NULL OR satisfaction NOT BETWEEN 1 AND 10)",
            f"'tevredenheid ' || {quoted('satisfaction_text')} || ' is not a whole grade from 1 to 10'",
            why="the national outcome set asks for a grade 1-10"),
    RowRule("S05", "self-reliance code not 01-04",
            "self_reliance IS NOT NULL AND self_reliance NOT IN ('01', '02', '03', '04')",
            "'zonder_hulp_verder ''' || self_reliance || ''' is not one of 01, 02, 03, 04'",
            why="outcome 3.1 has four answers"),
    RowRule("S06", "informant not jeugdige/ouder", "informant NOT IN ('jeugdige', 'ouder')",
            "'informant ''' || informant || ''' is not jeugdige or ouder'",
            why="the outcome set distinguishes only these two"),
    RowRule("S07", "end reason not a JZ588 code",
            "end_reason IS NOT NULL AND end_reason NOT IN (SELECT code FROM ref.end_reasons)",
            "'reden_beeindiging ''' || end_reason || ''' is not in code list JZ588'",
            why="dropout and planned endings are derived from it"),
    RowRule("S08", "end before start, end reason without end date, or a date after the ingestion date",
            "end_date < start_date OR (end_reason IS NOT NULL AND end_date IS NULL) "
            "OR greatest(start_date, coalesce(end_date, start_date), filled_date) > current_date",
            "CASE WHEN end_date < start_date THEN 'einddatum ' || end_date || ' is before startdatum ' || start_date "
            "WHEN end_reason IS NOT NULL AND end_date IS NULL THEN 'reden_beeindiging given without einddatum' "
            "ELSE 'a date lies after the ingestion date ' || current_date END",
            why="an impossible trajectory, or a typing error"),
    RowRule("S11", "a score beyond the bounds of any scale, or a date before the Jeugdwet",
            f"NOT coalesce(abs(score_begin) <= {MAX_SCORE}, true) OR NOT coalesce(abs(score_end) <= {MAX_SCORE}, true) "
            f"OR least(start_date, filled_date) < DATE '{JEUGDWET_START}'",
            f"CASE WHEN least(start_date, filled_date) < DATE '{JEUGDWET_START}' THEN 'startdatum ' || start_date || "
            f"' or invuldatum ' || filled_date || ' lies before the Jeugdwet ({JEUGDWET_START})' "
            f"ELSE 'score_begin ' || {quoted('score_begin_text')} || ' or score_eind ' || "
            f"{quoted('score_end_text')} || ' lies beyond +/-{MAX_SCORE:,}' END",
            why=f"a score beyond +/-{MAX_SCORE:,} (or not a finite number), or a start or fill-in date before the "
            f"Jeugdwet ({JEUGDWET_START}): no scale goes there, an infinite score would break every mean and "
            "reliable-change figure, and the date window is the GX suite's, kept as a row rule"),
    RowRule("S12", "referrer not a COD327 code",
            "referrer IS NOT NULL AND referrer NOT IN (SELECT code FROM ref.referrers)",
            "'verwijzer ''' || referrer || ''' is not in code list COD327'",
            why="the referral marts group by it; the GX suite's code list, kept as a row rule"),
)
