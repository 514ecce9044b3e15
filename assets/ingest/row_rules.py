"""Row rules as data: a condition and a message per rule id, compiled to one SQL CASE.

Keeping rules declarative lets the same mechanism serve declarations (D01-D09) and outcome
records (S01-S09), and lets the rule catalogue (checks/README.md, `python -m pipelines.check_catalogue`)
be generated from the code that enforces it: each rule says what it holds back and why.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from foundation.pseudonyms import IDENTIFIER_FIELDS

# The Jeugdwet began on this day, and with it the iJw messages: no declaration, trajectory or answer
# under it is older. The row rules quarantine what lies before it; the staged tables' GX suites,
# which block the publish, test the same bound (checks/gx_suites.py), so a row they would refuse
# never gets past ingestion to block a night.
JEUGDWET_START = "2015-01-01"


@dataclass(frozen=True)
class RowRule:
    rule_id: str
    title: str  # what it holds back: the published table of rules shows it (ref.rules), so a change shows
    condition: str  # SQL: true when the row breaks the rule
    message: str  # SQL expression for the readable message
    why: str = field(kw_only=True)  # why such a row is held back (the rule catalogue's "why")


@dataclass(frozen=True)
class ResolvedRule:
    """A rule resolved over the rows loaded before rather than row by row (a reference number reused,
    a response superseded, an exact duplicate): declared where it is resolved, with its why."""

    rule_id: str
    title: str
    why: str


PHANTOM_CHILD = "a typing error would create a phantom child and split a real one"


def elfproef_rule(rule_id: str, why: str = PHANTOM_CHILD) -> RowRule:
    """The BSN's verdict, taken before it was replaced by its pseudonym (foundation/pseudonyms.py)."""
    return RowRule(rule_id, "BSN fails the elfproef", "NOT bsn_valid",
                   "'BSN is not 9 digits passing the elfproef (eleven-test)'", why=why)


def bsn_elsewhere_rule(rule_id: str) -> RowRule:
    """A BSN-like number outside the bsn field, masked before DuckDB saw it (foundation/pseudonyms.py):
    the row is kept out, and what it held is not shown anywhere."""
    return RowRule(rule_id, "a BSN-like number outside the bsn field (masked, not stored)",
                   "bsn_elsewhere IS NOT NULL",
                   "'a nine-digit number passing the elfproef (possibly a BSN) in ' || bsn_elsewhere || "
                   "': masked, never stored'",
                   why="a BSN typed into the wrong field (in an identifier field, which may pass the elfproef by "
                   f"chance: {', '.join(sorted(IDENTIFIER_FIELDS))}, only the row's own BSN): it is masked before "
                   "DuckDB sees the row (`foundation/pseudonyms.py`), so no raw value is stored, shown or logged")


def known_municipality_rule(rule_id: str, why: str) -> RowRule:
    return RowRule(rule_id, "municipality code not in the reference list",
                   "municipality_code NOT IN (SELECT municipality_code FROM ref.municipalities)",
                   "'gemeentecode ''' || municipality_code || ''' is not a municipality in the reference list'",
                   why=why)


def quoted(expr: str) -> str:
    """SQL for the value in quotes, or 'empty'."""
    return f"coalesce('''' || {expr} || '''', 'empty')"


def required_rule(rule_id: str, checks: tuple[tuple[str, str], ...], why: str) -> RowRule:
    """One rule for all required fields; the message lists every field that failed."""
    return RowRule(rule_id, "required field missing or unparseable", " OR ".join(f"({c})" for c, _ in checks),
                   "concat_ws('; ', " + ", ".join(f"CASE WHEN {c} THEN {m} END" for c, m in checks) + ")", why=why)


def judged_sql(rules: tuple[RowRule, ...], source: str) -> str:
    """`source` plus the first failing rule's id and message (both NULL for a clean row).

    The conditions are evaluated once, for the id; the message is then picked by id, so a clean
    row costs one pass over the conditions and nothing more. A message never shows a number that
    passes the elfproef (macro mask_bsns), even one an identifier holds by chance.
    """
    ids = "CASE " + " ".join(f"WHEN {r.condition} THEN '{r.rule_id}'" for r in rules) + " END"
    messages = "CASE rule_id " + " ".join(f"WHEN '{r.rule_id}' THEN {r.message}" for r in rules) + " END"
    return (f"SELECT *, CASE WHEN rule_id IS NOT NULL THEN mask_bsns({messages}) END AS message "
            f"FROM (SELECT *, {ids} AS rule_id FROM ({source}))")
