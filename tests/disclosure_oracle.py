"""A second attacker, written for the tests apart from the product's (assets/disclosure/attack.py),
the way a BI user with the published file and a spreadsheet would go about it: for every total
and its parts, the total minus the visible parts; for every year-on-year change, share and rolling
sum, the hidden side from the visible one; for every figure that stands in two tables, the copy;
and the running caseload's chain (running = last month's + starts - endings).

Each attack returns the cells it recovers, as readable strings. A recovered cell is one that its
own table suppressed (the row's `suppressed`, or the row's half for a half with its own rule), and
that the attack pins down exactly, or, for money, to within TOLERANCE_EUR. A cell worked back as
zero is not a disclosure (DATA_CONTRACT: a hidden count is protected when its interval starts at
0, a sum of money when +-15 % of it stays open: nobody can be shown to be in it).
"""

from __future__ import annotations

import duckdb

TOLERANCE_EUR = 5.0

# total <- parts: (name, parts SQL, total SQL, group keys, money). Parts yield the group keys, `value`
# and `secret` (suppressed there for its own sake); totals yield the group keys and `total`.
_SPEND_PARTS = {
    "months": "SELECT municipality_code, year, spend_eur AS value, suppressed AS secret "
              "FROM marts.cost_trends_by_municipality",
    "product categories": "SELECT municipality_code, year, spend_eur AS value, suppressed AS secret "
                          "FROM marts.cost_by_municipality_product_year",
    "providers": "SELECT municipality_code, year, spend_eur AS value, suppressed AS secret "
                 "FROM marts.spend_by_municipality_provider_year",
    "product codes": "SELECT municipality_code, year, spend_eur AS value, suppressed AS secret "
                     "FROM marts.interventions",
}
_YEAR_TOTALS = [
    "SELECT municipality_code, year, spend_eur AS total FROM marts.cost_by_municipality_year",
    "SELECT municipality_code, year, spend_eur AS total FROM marts.spend_growth",
    "SELECT municipality_code, year - 1, spend_year_before_eur FROM marts.spend_growth",
    "SELECT DISTINCT municipality_code, year, municipality_spend_eur FROM marts.spend_by_municipality_provider_year",
    "SELECT municipality_code, year, municipality_numerator FROM marts.region_benchmark "
    "WHERE measure = 'spend_per_youth_eur'",
]
_OUTCOME_PARTS = {
    "product categories": ("marts.effectiveness_by_municipality_product", "suppressed"),
    "providers": ("marts.effectiveness_by_provider", "suppressed"),
    "age bands": ("marts.effectiveness_by_municipality_age_band", "suppressed"),
    "product codes (outcomes)": ("marts.interventions", "trajectories_ended IS NULL"),
    "referrers (endings)": ("marts.referral_channels", "trajectories_ended IS NULL"),
}


# region_benchmark measures whose numerator / denominator is an amount in euros
_MONEY_SIDES = {
    "numerator": "measure LIKE 'spend_per_%' OR measure LIKE '%_effect_pct' OR measure IN "
                 "('evidence_based_spend_pct', 'spend_change_pct', 'tariff_change_pct')",
    "denominator": "measure LIKE '%_effect_pct' OR measure IN "
                   "('evidence_based_spend_pct', 'spend_change_pct', 'tariff_change_pct')",
}


# region_benchmark measures whose municipality denominator is the running caseload at year end
_RUNNING_MEASURES = ("'running_over_12m_pct', 'running_over_24m_pct', 'running_without_outcome_over_12m_pct', "
                     "'mean_running_duration_days'")


def _differences(con: duckdb.DuckDBPyConnection, name: str, parts: str, totals: list[str], keys: list[str],
                 money: bool) -> list[str]:
    on = " AND ".join(f"p.{k} IS NOT DISTINCT FROM t.{k}" for k in keys)
    tol = TOLERANCE_EUR if money else 0.5
    found = []
    for total in totals:
        rows = con.execute(f"""
            WITH p AS ({parts}), t AS (SELECT * FROM ({total}) AS x({', '.join(keys)}, total) WHERE total IS NOT NULL),
            g AS (
                SELECT {', '.join('p.' + k for k in keys)}, any_value(t.total) - coalesce(sum(p.value), 0) AS rest,
                       count(*) FILTER (WHERE p.value IS NULL) AS hidden,
                       count(*) FILTER (WHERE p.value IS NULL AND p.secret) AS secret
                FROM p JOIN t ON {on} GROUP BY ALL
            )
            SELECT * FROM g WHERE secret > 0 AND (hidden = 1 OR abs(rest) <= {tol})
              AND abs(rest) >= 0.5  -- a cell worked back as 0: nobody can be shown in it
            """).fetchall()
        found += [f"{name}: {r}" for r in rows]
    return found


def _ratio(con: duckdb.DuckDBPyConnection, name: str, sql: str) -> list[str]:
    """sql yields rows where a published ratio stands beside exactly one known side and a secret other."""
    return [f"{name}: {r}" for r in con.execute(sql).fetchall()]


def _adjusted_outcomes(con: duckdb.DuckDBPyConnection) -> list[str]:
    """provider_adjusted_outcomes: a pooled period is the sum of its years, a provider's figure in a
    region or all municipalities the sum of its municipalities'. Expected numbers (a sum of
    probabilities) count in hundredths, recovered to within TOLERANCE_EUR of them."""
    t = "marts.provider_adjusted_outcomes"
    found = []
    for column, scale in (("trajectories_ended", 1), ("ended_as_planned", 1), ("dropouts", 1),
                          ("expected_planned", 100), ("expected_dropouts", 100)):
        found += _differences(
            con, f"{column} of a pooled period over its years",
            f"SELECT y.provider_agb, y.area_level, y.area_code, p.period, y.{column} * {scale} AS value, "
            f"y.suppressed AS secret FROM {t} AS y JOIN {t} AS p ON p.provider_agb = y.provider_agb "
            "AND p.area_level = y.area_level AND p.area_code = y.area_code AND p.first_year < p.last_year "
            "AND y.first_year = y.last_year AND y.last_year BETWEEN p.first_year AND p.last_year",
            [f"SELECT provider_agb, area_level, area_code, period, {column} * {scale} FROM {t} "
             "WHERE first_year < last_year"],
            ["provider_agb", "area_level", "area_code", "period"], scale != 1)
        for level, key in (("region", "m.youth_care_region"), ("all", "'all'")):
            found += _differences(
                con, f"{column} of a provider in {level} over its municipalities",
                f"SELECT x.provider_agb, {key} AS area_code, x.period, x.{column} * {scale} AS value, "
                f"x.suppressed AS secret FROM {t} AS x "
                "LEFT JOIN marts.dim_municipality AS m ON m.municipality_code = x.area_code "
                "WHERE x.area_level = 'municipality'",
                [f"SELECT provider_agb, area_code, period, {column} * {scale} FROM {t} WHERE area_level = '{level}'"],
                ["provider_agb", "area_code", "period"], scale != 1)
    return found


def recoverable(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every suppressed cell this attacker works back from the published file `con` is open on."""
    found: list[str] = []
    for name, parts in _SPEND_PARTS.items():
        found += _differences(con, f"spend by {name}", parts, _YEAR_TOTALS, ["municipality_code", "year"], True)
    found += _differences(
        con, "spend by product codes within a category",
        "SELECT municipality_code, year, product_category, spend_eur AS value, suppressed AS secret "
        "FROM marts.interventions",
        ["SELECT municipality_code, year, product_category, spend_eur FROM marts.cost_by_municipality_product_year"],
        ["municipality_code", "year", "product_category"], True)
    found += _differences(
        con, "a provider's spend over municipalities",
        "SELECT provider_agb, year, spend_eur AS value, suppressed AS secret "
        "FROM marts.spend_by_municipality_provider_year",
        ["SELECT provider_agb, year, spend_eur FROM marts.provider_performance"], ["provider_agb", "year"], True)
    for side in ("numerator", "denominator"):
        for group, key in (("region", "youth_care_region"), ("all", "'all'")):
            for money in (True, False):  # euros (spend, growth) to within a few euros, counts exactly
                which = f"({_MONEY_SIDES[side]}) = {money}"
                found += _differences(
                    con, f"{group} {side} over municipalities",
                    f"SELECT {key} AS grp, year, measure, municipality_{side} AS value, suppressed AS secret "
                    f"FROM marts.region_benchmark WHERE {which}",
                    [f"SELECT DISTINCT {key}, year, measure, {group}_{side} FROM marts.region_benchmark "
                     f"WHERE {which}"],
                    ["grp", "year", "measure"], money)
    for name, (table, secret) in _OUTCOME_PARTS.items():
        for column in ("trajectories_ended", "ended_as_planned", "dropouts"):
            found += _differences(
                con, f"{column} by {name}",
                f"SELECT municipality_code, year, {column} AS value, {secret} AS secret FROM {table}",
                [f"SELECT municipality_code, year, {column} FROM marts.effectiveness_by_municipality"],
                ["municipality_code", "year"], False)
    found += _differences(
        con, "starts by referrer",
        "SELECT municipality_code, year, trajectories_started AS value, suppressed AS secret "
        "FROM marts.referral_channels",
        ["SELECT DISTINCT municipality_code, year, municipality_starts FROM marts.referral_channels"],
        ["municipality_code", "year"], False)
    found += _differences(
        con, "duration bands of a region and year, nationally",
        "SELECT product_category, duration_band, trajectories_ended AS value, suppressed AS secret "
        "FROM marts.duration_effect_by_region",
        ["SELECT product_category, duration_band, trajectories_ended FROM marts.duration_effect"],
        ["product_category", "duration_band"], False)
    found += _ratio(con, "year-on-year change of a month", """
        SELECT m.municipality_code, m.month FROM marts.cost_trends_by_municipality AS m
        JOIN marts.cost_trends_by_municipality AS p
          ON p.municipality_code = m.municipality_code AND p.month = m.month - INTERVAL 1 YEAR
        WHERE m.spend_yoy_pct IS NOT NULL AND ((m.spend_eur IS NULL AND m.suppressed)
                                               OR (p.spend_eur IS NULL AND p.suppressed))""")
    found += _ratio(con, "rolling 12 months, step by step", """
        SELECT m.municipality_code, m.month FROM marts.cost_trends_by_municipality AS m
        JOIN marts.cost_trends_by_municipality AS r1
          ON r1.municipality_code = m.municipality_code AND r1.month = m.month - INTERVAL 1 MONTH
        JOIN marts.cost_trends_by_municipality AS y
          ON y.municipality_code = m.municipality_code AND y.month = m.month - INTERVAL 1 YEAR
        WHERE m.spend_rolling_12m_eur IS NOT NULL AND r1.spend_rolling_12m_eur IS NOT NULL
          AND ((m.suppressed AND NOT y.suppressed) OR (y.suppressed AND NOT m.suppressed))""")
    found += _ratio(con, "a hidden month's running caseload from the next month's flows", """
        SELECT m.municipality_code, m.month FROM marts.trajectory_flows AS m
        JOIN marts.trajectory_flows AS n ON n.municipality_code = m.municipality_code
         AND n.month = m.month + INTERVAL 1 MONTH
        WHERE m.running IS NULL AND n.running IS NOT NULL AND n.started IS NOT NULL AND n.ended IS NOT NULL""")
    found += _ratio(con, "a year's endings from the running caseload (last December + the year's starts - this "
                    "December)", f"""
        WITH running AS (
            SELECT municipality_code, month, running FROM marts.trajectory_flows WHERE running IS NOT NULL
            UNION ALL
            SELECT b.municipality_code, make_date(b.year, 12, 1), b.municipality_denominator
            FROM marts.region_benchmark AS b
            WHERE b.measure IN ({_RUNNING_MEASURES}) AND b.municipality_denominator IS NOT NULL
        ),
        starts AS (
            SELECT municipality_code, year, municipality_starts FROM marts.referral_channels
            WHERE municipality_starts IS NOT NULL
            UNION ALL
            SELECT municipality_code, year(month), sum(started) FROM marts.trajectory_flows
            GROUP BY ALL HAVING count(started) = count(*)
        )
        SELECT DISTINCT e.municipality_code, e.year FROM marts.effectiveness_by_municipality AS e
        JOIN starts AS s USING (municipality_code, year)
        JOIN running AS before ON before.municipality_code = e.municipality_code
         AND before.month = make_date(e.year - 1, 12, 1)
        JOIN running AS after ON after.municipality_code = e.municipality_code
         AND after.month = make_date(e.year, 12, 1)
        WHERE e.trajectories_ended IS NULL AND e.suppressed""")
    found += _adjusted_outcomes(con)
    for table, column in (("cost_by_municipality_product_year", "share_of_spend_pct"),
                          ("spend_by_municipality_provider_year", "share_of_municipality_spend_pct")):
        found += _ratio(con, f"{table}.{column}", f"""
            SELECT municipality_code, year FROM marts.{table} WHERE {column} IS NOT NULL AND suppressed""")
    return found


def changed_values(published_db, models_db) -> dict[str, int]:
    """Per table, how many values the published file shows that differ from the models' own (the
    working file's marts, row for row): disclosure control may only empty values, never alter one."""
    changed = {}
    with duckdb.connect() as con:
        con.execute(f"ATTACH '{published_db}' AS p (READ_ONLY)")
        con.execute(f"ATTACH '{models_db}' AS m (READ_ONLY)")
        # a view in the working file (quality_warnings: the checks' verdicts at the publish) has no
        # rowid to pair rows by, and holds nothing disclosure control protects
        tables = [t for (t,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = 'p' AND schema_name = 'marts' "
            "AND table_name NOT IN ('about', 'spend_not_shown') AND table_name IN (SELECT table_name FROM "
            "duckdb_tables() WHERE database_name = 'm' AND schema_name = 'marts')").fetchall()]
        for table in tables:
            columns = [c for (c,) in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE database_name = 'p' AND schema_name = 'marts' "
                "AND table_name = ? "
                "AND column_name NOT IN ('suppressed', 'rank_in_municipality', 'region_rank', 'region_municipalities')",
                [table]).fetchall()]
            n = con.execute(f"""
                SELECT count(*) FROM (SELECT rowid AS i, * FROM p.marts.{table}) AS a
                JOIN (SELECT rowid AS i, * FROM m.marts.{table}) AS b USING (i)
                WHERE {' OR '.join(f'(a."{c}" IS NOT NULL AND a."{c}" IS DISTINCT FROM b."{c}")' for c in columns)}
                """).fetchone()[0]
            if n:
                changed[table] = n
    return changed


def sums_that_do_not_hold(db) -> tuple[set[str], list[tuple[str, float]]]:
    """The product's model of the file (assets/disclosure/cells.py) must be true, or its attacker
    hunts the wrong things: every sum whose cells are all shown in `db` (a file before secondary
    suppression) balances, counts exactly and money to the cent (a cost per trajectory times its
    trajectories to within its rounding). Returns the kinds of sum checked and those that fail."""
    from assets.disclosure import cells

    with duckdb.connect() as con:
        con.execute(f"ATTACH '{db}' AS f (READ_ONLY)")
        cells.load(con, "f")
        rows = con.execute("""
            SELECT split_part(iid, '|', 1), iid, sum(coef * value), bool_or(money), sum(err)
            FROM identities JOIN keys USING (q, a, b, c) GROUP BY iid HAVING bool_and(known)""").fetchall()
    # a derived value's declared rounding (half a cent per trajectory) is a bound, not an estimate
    broken = [(iid, rest) for _, iid, rest, money, rounding in rows
              if abs(rest) > (0.01 + rounding if money else 0)]
    return {kind for kind, *_ in rows}, broken
