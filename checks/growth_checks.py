"""WARN checks on why spend grows and how long care runs (Twente audit, Almelo, Hoogeveen).

Both judge the latest state, not history, and neither blocks: the figures are right, they are
what a council should hear about. What each watches, and why, is its description.
"""

import dagster as dg

from checks.metadata import examples
from checks.warn import warn_check, warn_result
from foundation.warehouse import Warehouse

RISING_MONTHS = 3


@warn_check(asset="trajectory_flows",
            description=f"No municipality's trajectories running over 24 months rose in each of the "
            f"{RISING_MONTHS} months up to the data cut-off (a month without a row counts as 0). Hoogeveen asks "
            "to stop trajectories that do not reach their goals; a steady rise is the moment to review them with "
            "the providers. `region_benchmark` (`running_over_24m_pct`) says whether the region shows the same.",
            label_nl="Bij geen gemeente stijgt het aantal trajecten dat langer dan twee jaar loopt drie maanden achter "
                     "elkaar.")
def long_running_care_is_not_rising(warehouse: Warehouse) -> dg.AssetCheckResult:
    with warehouse.connect() as con:
        rising = con.execute(f"""
            WITH cutoff AS (SELECT max(month) AS month FROM staging.monthly_flows),
            months AS (
                SELECT m.municipality_code, s.month::DATE AS month
                FROM (SELECT DISTINCT municipality_code FROM staging.monthly_flows) AS m, cutoff AS c,
                     generate_series(c.month - INTERVAL {RISING_MONTHS} MONTH, c.month, INTERVAL 1 MONTH) AS s(month)
            ),
            series AS (
                SELECT m.municipality_code, m.month, coalesce(f.running_over_24m, 0) AS running_over_24m
                FROM months AS m LEFT JOIN staging.monthly_flows AS f USING (municipality_code, month)
            ),
            steps AS (
                SELECT *, running_over_24m - lag(running_over_24m) OVER (PARTITION BY municipality_code ORDER BY month)
                              AS rise
                FROM series
            )
            SELECT municipality_code,
                   strftime(min(month) FILTER (WHERE rise IS NULL), '%Y-%m') AS from_month,
                   arg_min(running_over_24m, month) AS running_over_24m_then,
                   strftime(max(month), '%Y-%m') AS to_month,
                   arg_max(running_over_24m, month) AS running_over_24m_now
            FROM steps
            GROUP BY municipality_code
            HAVING count(*) FILTER (WHERE rise > 0) = {RISING_MONTHS}
            ORDER BY running_over_24m_now - running_over_24m_then DESC, municipality_code""").df()
    return warn_result(
        passed=rising.empty,
        metadata={"municipalities_rising": len(rising), "months": RISING_MONTHS, "rising": examples(rising),
                  "what_to_do": dg.MetadataValue.text(
                      "Review the trajectories that have run longer than two years with the providers: are they "
                      "still reaching their goals? `marts.trajectory_flows` shows the months, `region_benchmark` "
                      "(running_over_24m_pct) whether the region shows the same.")})


@warn_check(asset="spend_growth",
            description="In the latest year, no municipality's tariff change (`spend_growth.tariff_change_pct`: "
            "the price effect over what the same volume cost at the year before's tariffs, over product codes "
            "declared in both years) exceeds the youth-care index `JEUGDZORG_YOUTH_CARE_INDEX_PCT`. Judged on the "
            "latest year only: an old overrun has been discussed, and a check that stays red over history drowns "
            "the digest. A tariff rise beyond the index is money that buys no extra care; contract management "
            "compares the agreed tariffs.",
            label_nl="Bij geen gemeente stijgen de tarieven meer dan de jeugdzorgindex die zij hanteert.")
def tariff_rise_within_index(warehouse: Warehouse) -> dg.AssetCheckResult:
    index = warehouse.youth_care_index_pct
    with warehouse.connect() as con:
        above = con.execute("""
            SELECT c.municipality_code, m.municipality_name, c.year, round(c.tariff_change_pct, 2) AS tariff_change_pct,
                   c.price_effect_eur, c.spend_change_eur
            FROM staging.spend_changes AS c
            LEFT JOIN ref.municipalities AS m USING (municipality_code)
            WHERE c.year = (SELECT max(year) FROM staging.spend_changes) AND c.tariff_change_pct > ?
            ORDER BY c.tariff_change_pct DESC, c.municipality_code""", [index]).df()
    return warn_result(
        passed=above.empty,
        metadata={"youth_care_index_pct": index, "municipalities_above": len(above), "above": examples(above),
                  "what_to_do": dg.MetadataValue.text(
                      "For each municipality listed, find the products whose price per unit rose most "
                      "(`marts.cost_by_municipality_product_year`, spend per client and per unit by product) and "
                      "compare the tariffs agreed with their providers against the index; `marts.spend_growth` has "
                      "the price effect (tariff_change_pct, price_effect_eur) per year.")})


growth_checks = [long_running_care_is_not_rising, tariff_rise_within_index]
