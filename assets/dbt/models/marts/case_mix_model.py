# Grain: one row per outcome (ended_as_planned, dropout) and model term (the intercept, or one level of
# age band, sex, product category, referrer, duration band or year of ending): the logistic regression behind
# provider_adjusted_outcomes, fitted on every ended trajectory in the file (staging case_mix), so
# anyone can recompute a trajectory's expected probability from this table alone.
"""Why a Python model: a logistic regression needs a solver, which SQL lacks. The fit is made on the
covariate patterns (counts per combination of levels), which gives exactly the same estimates as a
fit on the trajectories one by one, in a table of at most a few thousand rows at any scale."""

from __future__ import annotations

import numpy as np
import pandas as pd

OUTCOMES = {"ended_as_planned": "planned", "dropout": "dropouts"}
# a whisper of ridge keeps a level in which every trajectory ended the same way finite (its coefficient
# goes to about -/+15 instead of infinity), and the intercept of an outcome nobody had (a small file
# without a single dropout); on real data it changes nothing
RIDGE = 1e-6


def _design(patterns: pd.DataFrame, factors: list[str]) -> tuple[np.ndarray, list[tuple[str, str]], dict[str, str],
                                                                dict]:
    """The intercept and one column per level that is not its factor's reference level (the most
    common one, so every coefficient compares with the usual case). A level that holds exactly the
    trajectories of an earlier one (unknown age and unknown sex come from the same messages) gets no
    column of its own: the two effects cannot be told apart, and the earlier term carries both
    (`aliases`: level -> that term)."""
    columns, terms, reference, aliases = [np.ones(len(patterns))], [("intercept", "")], {}, {}
    for factor in factors:
        sizes = patterns.groupby(factor)["trajectories"].sum()
        reference[factor] = sorted(sizes.index, key=lambda level: (-sizes[level], level))[0]
        for level in sorted(sizes.index):
            if level != reference[factor]:
                column = (patterns[factor] == level).to_numpy(dtype=float)
                twin = next((t for t, c in zip(terms[1:], columns[1:], strict=True) if np.array_equal(c, column)),
                            None)
                if twin is not None:
                    aliases[(factor, level)] = twin
                    continue
                columns.append(column)
                terms.append((factor, level))
    return np.column_stack(columns), terms, reference, aliases


def _fit(x: np.ndarray, successes: np.ndarray, trials: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Maximum likelihood by iteratively reweighted least squares; returns coefficients and their
    standard errors (from the inverse Fisher information)."""
    penalty = np.full(x.shape[1], RIDGE)
    rate = successes.sum() / trials.sum()
    beta = np.zeros(x.shape[1])
    beta[0] = np.log(rate / (1 - rate)) if 0 < rate < 1 else 0.0
    for _ in range(100):
        p = 1 / (1 + np.exp(-(x @ beta)))
        weight = trials * p * (1 - p)
        information = x.T @ (x * weight[:, None]) + np.diag(penalty)
        step = np.linalg.solve(information, x.T @ (successes - trials * p) - penalty * beta)
        beta = beta + step
        if np.max(np.abs(step)) < 1e-10:
            break
    p = 1 / (1 + np.exp(-(x @ beta)))
    information = x.T @ (x * (trials * p * (1 - p))[:, None]) + np.diag(penalty)
    return beta, np.sqrt(np.diag(np.linalg.inv(information)))


def model(dbt, session) -> pd.DataFrame:
    dbt.config(materialized="table")
    # the factors as dbt_project.yml lists them (case_mix_factors; the year of ending among them, so
    # that a maximum-likelihood fit matches every year's total for all providers together)
    factors = list(dbt.config.get("factors"))
    patterns = dbt.ref("case_mix").aggregate(
        ", ".join(factors) + ", count(*) AS trajectories, count(*) FILTER (WHERE planned) AS planned, "
        "count(*) FILTER (WHERE dropout) AS dropouts", ", ".join(factors)).order(", ".join(factors)).df()
    # (in a fixed order: the same trajectories give the same coefficients to the last bit, nightly or rebuilt)
    labels = {("sex", "man"): "man", ("sex", "vrouw"): "vrouw"}
    # (dbt reads the refs of a Python model from its source: each must be written out literally)
    for factor, codes in (("referrer", dbt.ref("dim_referrer").project("referrer, referrer_description")),
                          ("product_category", dbt.ref("dim_product_category").project(
                              "product_category, product_category_description"))):
        labels |= {(factor, code): text for code, text in codes.fetchall()}
    rows = []
    if len(patterns):
        x, terms, reference, aliases = _design(patterns, factors)
        trials = patterns["trajectories"].to_numpy(dtype=float)
        for outcome, column in OUTCOMES.items():
            beta, se = _fit(x, patterns[column].to_numpy(dtype=float), trials)
            for factor, level in [("intercept", "")] + [(f, reference[f]) for f in factors]:
                if factor == "intercept":
                    i = terms.index(("intercept", ""))
                    rows.append((outcome, factor, level, "basis: de meest voorkomende waarde van elke factor",
                                 False, beta[i], se[i]))
                else:
                    rows.append((outcome, factor, level, labels.get((factor, level), level), True, 0.0, None))
            rows += [(outcome, f, lv, labels.get((f, lv), lv), False, beta[i], se[i])
                     for i, (f, lv) in enumerate(terms) if f != "intercept"]
            rows += [(outcome, f, lv, f"{labels.get((f, lv), lv)} (dezelfde trajecten als {tf} {tl}: het effect "
                      "staat daar)", False, 0.0, None) for (f, lv), (tf, tl) in aliases.items()]
    out = pd.DataFrame(rows, columns=["outcome", "factor", "level", "level_label", "is_reference", "coefficient",
                                      "std_error"])
    out["odds_ratio"] = np.exp(out["coefficient"]).where(out["factor"] != "intercept")
    return out.sort_values(["outcome", "factor", "level"], ignore_index=True)
