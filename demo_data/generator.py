"""Simulate trajectories provider by provider and stream them out as files.

Memory holds one provider's trajectories at a time (never all lines), so any --scale fits.
Defects are injected at small documented rates; `demo_manifest.json` counts each one so tests
can check that ingestion quarantines exactly what was planted.
"""

from __future__ import annotations

import calendar
import functools
import json
import math
import random
import shutil
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from demo_data import writers
from demo_data.bsn import break_elfproef, synthetic_bsn
from demo_data.messages import MessageWriter
from demo_data.world import (
    CASE_MIX_DROPOUT,
    FIRST_YEAR,
    GROWTH_BY_CLIENTS,
    GROWTH_BY_SPEND_PER_CLIENT,
    GROWTH_BY_TARIFFS,
    HEAVY_CASE_MIN_AGE,
    HEAVY_CASE_PROVIDER,
    HEAVY_CASE_REFERRERS,
    HEAVY_CASE_SHARE,
    HIGH_DROPOUT_PROVIDER,
    INSTRUMENT_NORMS,
    LAST_YEAR,
    MUNICIPALITIES,
    NO_ACCOUNTS_PROVIDER,
    PLATEAU_CATEGORY,
    PLATEAU_MONTHS,
    PRODUCT_WEIGHTS,
    PRODUCTS,
    Product,
    Provider,
    age_weights,
    build_providers,
    case_mix_dropout,
    intensity,
    planned_end_weight,
    starts_growth,
    tariff_cents,
    youth_population,
)
from foundation.progress import progress
from foundation.reference_data import REFERENCE_DIR

LAST_DATE = date(LAST_YEAR, 12, 31)
# Trajectory starts per young inhabitant per year at scale 1 (about 10 % of real volumes).
START_RATE = 0.00875
# The share of real volumes that scale 1 generates: the youth population written to the reference
# data is scaled the same way, so per-inhabitant figures come out real (about 1 in 8 young people
# in care, well over EUR 1,000 per young inhabitant) whatever --scale is.
REAL_VOLUME_SHARE = 0.1
END_REASONS = {"31": 56, "32": 9, "33": 5, "34": 10, "35": 4, "38": 5, "39": 4, "02": 0.3, "20": 2, "36": 3,
               "37": 2}
REFERRERS = {"01": 45, "02": 25, "03": 8, "04": 7, "05": 8, "06": 5, "08": 2}
BEST_REFERRER = "03"  # the jeugdarts: planted with clearly better outcomes (demo_manifest.json)

# Per declaration line, mutually exclusive; rates documented in docs/demo_data.md.
DECLARATION_DEFECTS = (
    ("bsn_fails_elfproef", 0.001),
    ("amount_not_volume_x_tariff", 0.001),
    ("unknown_municipality", 0.0005),  # CSV exports only
    ("resent_duplicate", 0.002),
    ("credit_and_correction", 0.01),
    ("reference_reused", 0.0005),
)
SURVEY_DEFECTS = (
    ("bsn_fails_elfproef", 0.002), ("satisfaction_out_of_range", 0.003), ("self_reliance_invalid", 0.002),
    ("informant_invalid", 0.002), ("end_reason_invalid", 0.002), ("end_before_start", 0.002),
    ("superseded_response", 0.005),
)


@dataclass
class Trajectory:
    municipality: str
    allocation: int
    bsn: str
    birth: date
    product: Product
    start: date
    end: date | None
    end_reason: str | None
    referrer: str


def _nested(tally: Counter[str]) -> dict[str, dict[str, int]]:
    """{"allocations/A01": 3} -> {"allocations": {"A01": 3}}."""
    out: dict[str, dict[str, int]] = {}
    for key, n in sorted(tally.items()):
        group, name = key.split("/")
        out.setdefault(group, {})[name] = n
    return out


def month_starts(first_year: int = FIRST_YEAR) -> list[date]:
    return [date(y, m, 1) for y in range(first_year, LAST_YEAR + 1) for m in range(1, 13)]


# Care starts are simulated from this many years before the data window, so care is already
# running in January 2021 (a warm start): 2021 costs, cost per trajectory and the long duration
# bands do not ramp up from nothing. Only what falls inside the window is written.
WARM_UP_YEARS = 6
FIRST_DATE = date(FIRST_YEAR, 1, 1)


@functools.cache
def month_end(d: date) -> date:
    """The last day of d's month (cached: asked for every trajectory in every month)."""
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def running_by_month(trajs: list[Trajectory], months: list[date]) -> list[list[Trajectory]]:
    """Per month, the trajectories running in it, in their own order: the month loop visits only
    these instead of every trajectory every month (at real size that loop was most of the time)."""
    index = {m: i for i, m in enumerate(months)}
    running: list[list[Trajectory]] = [[] for _ in months]
    for t in trajs:
        first = max(t.start.replace(day=1), months[0])
        last = min((t.end or LAST_DATE).replace(day=1), months[-1])
        for i in range(index[first], index[last] + 1) if first <= last else ():
            running[i].append(t)
    return running


def _age(birth: date, on: date) -> int:
    """Age in whole years on a day."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _weighted(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


class DemoGenerator:
    def __init__(self, out: Path, scale: float, seed: int) -> None:
        self.out = out
        self.scale = scale
        self.seed = seed
        self.rng = random.Random(seed)
        self.providers = build_providers(self.rng)
        # per municipality and product: the summed weights of the (ordinary) providers offering it there,
        # so each municipality gets the same product mix however its providers' ranges fall
        self.offered: Counter[tuple[str, str]] = Counter()
        for p in self.providers:
            if p.heavy_cases:
                continue
            for code, w in p.weights.items():
                for product in p.products:
                    self.offered[(code, product.code)] += w
        self.ages = age_weights()
        self.heavy_ages = age_weights(HEAVY_CASE_MIN_AGE)
        self.defects: Counter[str] = Counter()
        self.counts: Counter[str] = Counter()
        self.revenue: Counter[tuple[str, int]] = Counter()

    # -- simulation ------------------------------------------------------------------------
    def start_shares(self, provider: Provider, code: str) -> list[tuple[Product, float]]:
        """The share of a municipality's trajectory starts that go to this provider, per product:
        PRODUCT_WEIGHTS over the products offered in the municipality, each product's starts split
        over its providers there by their weights. The heavy-case provider's starts come on top."""
        if provider.heavy_cases:
            total = sum(PRODUCT_WEIGHTS[PRODUCTS.index(p)] for p in provider.products)
            return [(p, HEAVY_CASE_SHARE * PRODUCT_WEIGHTS[PRODUCTS.index(p)] / total) for p in provider.products]
        offered = [p for p in PRODUCTS if self.offered[(code, p.code)] > 0]
        total = sum(PRODUCT_WEIGHTS[PRODUCTS.index(p)] for p in offered)
        return [(p, PRODUCT_WEIGHTS[PRODUCTS.index(p)] / total * provider.weights[code]
                 / self.offered[(code, p.code)]) for p in provider.products]

    def client(self, code: str, start: date, clients: int, min_age: int, rng: random.Random) -> tuple[str, date]:
        """A client for care starting on `start`: an age drawn from AGE_MIX, then one of the
        municipality's children of that age. Each age has its own pool (its size in proportion to
        how often the age starts care), keyed by year of birth, so the same child comes back at a
        later age and keeps one BSN and one birth date."""
        ages = self.heavy_ages if min_age else self.ages
        age = rng.choices(list(ages), weights=list(ages.values()))[0]
        k = rng.randrange(max(1, round(clients * self.ages[age])))
        day = random.Random(f"{self.seed}/{code}/{k}").randrange(365)  # the same day of the year for child k
        for year in (start.year - age, start.year - age - 1):  # the one that makes the child `age` on `start`
            birth = date(year, 1, 1) + timedelta(days=day)
            if _age(birth, start) == age:
                break
        return synthetic_bsn(f"{self.seed}/{code}/{birth.year}/{k}"), birth

    def trajectories(self, index: int, provider: Provider, rng: random.Random) -> list[Trajectory]:
        result = []
        counter = 0
        for code in provider.municipalities:
            shares = self.start_shares(provider, code)
            pool = max(20, int(MUNICIPALITIES[code][0] * START_RATE * self.scale * 5 * 0.7))
            growth = starts_growth(code)
            # expected starts added up month by month from a random phase, a start at each whole number
            # passed: counts as steady as the rates allow, so a small municipality's spend per young
            # inhabitant does not jump from year to year on the luck of a few costly placements
            due = {product.code: rng.random() for product, _ in shares}
            for month in month_starts(FIRST_YEAR - WARM_UP_YEARS):
                trend = (1 + growth) ** (month.year - FIRST_YEAR)
                starts = youth_population(code, month.year) * START_RATE * self.scale / 12 * trend
                for product, share in shares:
                    before = due[product.code]
                    due[product.code] += starts * share
                    for _ in range(int(due[product.code]) - int(before)):
                        counter += 1
                        result.extend(self._trajectory(index, provider, code, product, month, trend, pool,
                                                       counter, rng))
        return result

    def _trajectory(self, index: int, provider: Provider, code: str, product: Product, month: date, trend: float,
                    pool: int, counter: int, rng: random.Random) -> list[Trajectory]:
        """One trajectory starting in `month` ([] if it ended before the data window)."""
        start = month + timedelta(days=rng.randint(0, 27))
        months = product.median_months * math.exp(rng.gauss(0, 0.6))
        end = start + timedelta(days=max(7, int(months * 30.4)))
        if end < FIRST_DATE:
            return []  # ended before the data window: nothing of it is written
        referrer = _weighted(rng, HEAVY_CASE_REFERRERS if provider.heavy_cases else REFERRERS)
        clients = max(20, int(pool * trend))  # more starts, more (new) clients
        bsn, birth = self.client(code, start, clients, HEAVY_CASE_MIN_AGE if provider.heavy_cases else 0, rng)
        # planted: the case mix drives dropout (CASE_MIX_DROPOUT), the provider its own part
        dropout = provider.dropout_factor * case_mix_dropout(_age(birth, start), product.category, referrer)
        reasons = dict(END_REASONS)
        reasons["32"] *= dropout
        reasons["38"] *= dropout
        reasons["31"] *= planned_end_weight(product, months)  # planted: see PLATEAU_CATEGORY
        if referrer == BEST_REFERRER:  # planted: care through this channel ends as planned more often
            reasons["31"] *= 2.5
        return [Trajectory(
            municipality=code,
            allocation=(index + 1) * 1_000_000 + counter,
            bsn=bsn,
            birth=birth,
            product=product,
            start=start,
            end=end if end <= LAST_DATE else None,
            end_reason=_weighted(rng, reasons) if end <= LAST_DATE else None,
            referrer=referrer,
        )]

    def declaration_lines(self, t: Trajectory, month: date, provider: Provider, rng: random.Random) -> dict | None:
        if t.start > month_end(month) or (t.end is not None and t.end < month):
            return None
        begin = max(t.start, month)
        end = min(t.end or LAST_DATE, month_end(month))
        days = (end - begin).days + 1
        p = t.product
        if p.unit == "14":
            volume = days
        else:
            lo, hi = p.volume
            volume = max(1, round(rng.randint(lo, hi) * intensity(p, t.municipality, month.year)
                                  * days / month_end(month).day))
        tariff = tariff_cents(p, t.municipality, month.year)
        amount = volume * 100 if tariff is None else volume * tariff
        return {
            "agb": provider.agb, "municipality": t.municipality, "bsn": t.bsn,
            "ref": f"R{t.allocation}{month:%y%m}", "previous_ref": None, "allocation": t.allocation,
            "category": p.category, "product_code": p.code, "begin": begin, "end": end, "volume": volume,
            "unit": p.unit, "tariff": tariff, "amount": amount, "dc": "D", "description": p.description,
        }

    # -- output --------------------------------------------------------------------------
    def run(self) -> dict:
        for sub in ("declarations", "surveys", "reference"):
            (self.out / sub).mkdir(parents=True, exist_ok=True)
        months = month_starts()
        planted: Counter[str] = Counter()
        messages = MessageWriter(self.out, self.seed, planted)
        for index, provider in enumerate(progress(self.providers, "simulated", "providers")):
            rng = random.Random(f"{self.seed}/{provider.agb}")
            trajs = self.trajectories(index, provider, rng)
            messages.write(provider.agb, trajs)
            carry: list[dict] = []  # lines that belong in next month's file (resent, credits)
            for m_i, (month, running) in enumerate(zip(months, running_by_month(trajs, months), strict=True)):
                lines, carry = carry, []
                for t in running:
                    line = self.declaration_lines(t, month, provider, rng)
                    if line is not None:
                        lines.append(line)
                        carry.extend(self._inject(line, provider, rng, last=m_i == len(months) - 1))
                self._write_month(index, provider, month, lines)
            self._write_surveys(provider, trajs, rng)
        self._truncate_one_xml()
        self._write_reference()
        manifest = {"seed": self.seed, "scale": self.scale, "counts": dict(self.counts),
                    "declaration_defects": dict(self.defects),
                    "messages": _nested(planted),
                    "planted_allocations": messages.planted,
                    "planted_effects": {
                        "high_dropout_provider": self.providers[HIGH_DROPOUT_PROVIDER].agb,
                        "heavy_case_provider": self.providers[HEAVY_CASE_PROVIDER].agb,
                        "case_mix_dropout_odds": CASE_MIX_DROPOUT,
                        "best_referral_channel": BEST_REFERRER,
                        "outcome_plateau": {"product_category": PLATEAU_CATEGORY, "after_months": PLATEAU_MONTHS},
                        "growth_driven_by": {"clients": list(GROWTH_BY_CLIENTS),
                                             "spend_per_client": list(GROWTH_BY_SPEND_PER_CLIENT),
                                             "tariffs": list(GROWTH_BY_TARIFFS)}}}
        (self.out / "demo_manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True))
        return manifest

    def _inject(self, line: dict, provider: Provider, rng: random.Random, last: bool) -> list[dict]:
        """Maybe turn this line into a defect; return extra lines for next month's file."""
        u = rng.random()
        for name, rate in DECLARATION_DEFECTS:
            if u >= rate:
                u -= rate
                continue
            if name == "unknown_municipality" and provider.fmt == "xml":
                return []
            if last and name in {"resent_duplicate", "credit_and_correction", "reference_reused"}:
                return []
            if name == "amount_not_volume_x_tariff" and line["tariff"] is None:
                return []
            self.defects[name] += 1
            if name == "bsn_fails_elfproef":
                line["bsn"] = break_elfproef(line["bsn"])
            elif name == "amount_not_volume_x_tariff":
                line["amount"] += 100
            elif name == "unknown_municipality":
                line["municipality"] = "9999"
            elif name == "resent_duplicate":
                return [dict(line)]
            elif name == "reference_reused":
                return [dict(line, volume=line["volume"] + 1,
                             amount=line["amount"] + (line["tariff"] or 100))]
            elif name == "credit_and_correction":
                credit = dict(line, ref="C" + line["ref"][1:], previous_ref=line["ref"], dc="C")
                volume = max(1, line["volume"] - 1)
                fixed = dict(line, ref="K" + line["ref"][1:], volume=volume,
                             amount=volume * (line["tariff"] or 100))
                return [credit, fixed]
            return []
        return []

    def _write_month(self, index: int, provider: Provider, month: date, lines: list[dict]) -> None:
        if not lines:
            return
        period = (month, month_end(month))
        for ln in lines:
            signed = ln["amount"] if ln["dc"] == "D" else -ln["amount"]
            self.revenue[(provider.agb, ln["begin"].year)] += signed
        self.counts["declaration_lines"] += len(lines)
        folder = self.out / "declarations"
        if provider.fmt == "xml":
            by_muni: dict[str, list[dict]] = {}
            for ln in lines:
                by_muni.setdefault(ln["municipality"], []).append(ln)
            for code, group in by_muni.items():
                number = f"D{index:02d}{code}{month:%y%m}"
                writers.write_jw323(folder / f"{provider.agb}_{code}_{month:%Y%m}.xml", agb=provider.agb,
                                    municipality=code, declaration_number=number, period=period, lines=group)
                self.counts["xml_files"] += 1
        else:
            for ln in lines:
                ln["declaration_number"] = f"D{index:02d}{month:%y%m}"
            writers.write_declaration_csv(folder / f"{provider.agb}_{month:%Y%m}.csv", lines, style=provider.fmt)
            self.counts["csv_files"] += 1

    def _survey_rows(self, provider: Provider, trajs: list[Trajectory], rng: random.Random) -> Iterator[tuple]:
        for t in trajs:
            if t.end is None and rng.random() > 0.1:
                continue
            if t.end is not None and rng.random() > 0.7:
                continue
            informants = ["ouder"] if rng.random() < 0.6 else ["ouder", "jeugdige"]
            for informant in informants:
                filled = min(LAST_DATE, (t.end or LAST_DATE) + timedelta(days=rng.randint(0, 28)))
                planned = t.end_reason in {"31", "39"}
                grade = min(10, max(1, round(rng.gauss(7.4 if planned else 6.2, 1.3))))
                self_rel = _weighted(rng, {"01": 20, "02": 35, "03": 15, "04": 30} if planned
                                     else {"01": 45, "02": 30, "03": 15, "04": 10})
                instrument = score_b = score_e = ""
                if t.product.instrument and t.end is not None:
                    instrument = t.product.instrument
                    sd = 5.5 if instrument == "SDQ" else 10.0
                    score_b = max(0, round(rng.gauss(2.6 * sd + 4, sd)))
                    score_e = max(0, round(score_b - rng.gauss(0.9 * sd if planned else 0.1 * sd, sd)))
                row = [
                    f"{provider.agb}-{t.allocation}-{informant[0]}", provider.agb, t.municipality, t.bsn,
                    str(t.allocation), t.product.category, t.referrer, t.start,
                    t.end or "", t.end_reason or "", informant, filled,
                    "" if rng.random() < 0.08 else grade, "" if rng.random() < 0.08 else self_rel,
                    instrument, score_b, score_e,
                ]
                yield from self._survey_defect(row, t, rng)

    def _survey_defect(self, row: list, t: Trajectory, rng: random.Random) -> Iterator[tuple]:
        u = rng.random()
        for name, rate in SURVEY_DEFECTS:
            if u >= rate:
                u -= rate
                continue
            if name == "end_before_start" and t.end is None:
                break
            self.defects[f"survey_{name}"] += 1
            if name == "bsn_fails_elfproef":
                row[3] = break_elfproef(row[3])
            elif name == "satisfaction_out_of_range":
                row[12] = 11
            elif name == "self_reliance_invalid":
                row[13] = "05"
            elif name == "informant_invalid":
                row[10] = "moeder"
            elif name == "end_reason_invalid":
                row[9] = "99"
            elif name == "end_before_start":
                row[8] = t.start - timedelta(days=5)
            elif name == "superseded_response":
                older = list(row)
                older[0] += "-v0"
                older[11] = row[11] - timedelta(days=40)
                older[12] = 5
                yield tuple(older)
            break
        yield tuple(row)

    def _write_surveys(self, provider: Provider, trajs: list[Trajectory], rng: random.Random) -> None:
        by_year: dict[int, list[tuple]] = {}
        for row in self._survey_rows(provider, trajs, rng):
            by_year.setdefault(row[11].year, []).append(row)
        for year, rows in sorted(by_year.items()):
            ext = provider.survey_fmt
            if ext == "csv":
                rows = [tuple(v.isoformat() if isinstance(v, date) else v for v in r) for r in rows]
            writers.write_surveys(self.out / "surveys" / f"{provider.agb}_uitkomsten_{year}.{ext}", rows, fmt=ext)
            self.counts["survey_rows"] += len(rows)
            self.counts[f"survey_{ext}_files"] += 1

    def _truncate_one_xml(self) -> None:
        """A transfer that broke off halfway: the pipeline must reject it and carry on."""
        files = sorted((self.out / "declarations").glob("*_202306.xml"))
        if files:
            data = files[0].read_bytes()
            files[0].write_bytes(data[: len(data) // 2])
            self.defects["truncated_xml_file"] += 1
            self.counts["truncated_xml_lines"] = data.count(b"<jw323:Prestatie>")

    def _write_reference(self) -> None:
        ref = self.out / "reference"
        shutil.copyfile(REFERENCE_DIR / "gemeenten.csv", ref / "gemeenten.csv")
        writers.write_table(ref / "population.csv", ("gemeentecode", "jaar", "inwoners_0_17"),
                            [(c, y, max(1, round(youth_population(c, y) * self.scale * REAL_VOLUME_SHARE)))
                             for c in MUNICIPALITIES for y in range(FIRST_YEAR, LAST_YEAR + 1)])
        writers.write_table(ref / "providers.csv", ("aanbieder_agb", "naam"),
                            [(p.agb, p.name) for p in self.providers])
        fin = []
        for i, p in enumerate(self.providers):
            if i == NO_ACCOUNTS_PROVIDER:  # never sent its annual accounts
                continue
            for y in range(FIRST_YEAR, LAST_YEAR + 1):
                declared = self.revenue[(p.agb, y)] / 100
                if declared > 0:
                    revenue = round(declared * (1.5 + (int(p.agb) % 7) / 2))
                    if p.margin == 0.03:  # whole hundreds: the result is exactly 3 %, not a rounding above it
                        revenue = round(revenue, -2)
                    fin.append((p.agb, y, revenue, round(revenue * p.margin)))
        writers.write_table(ref / "provider_financials.csv",
                            ("aanbieder_agb", "jaar", "omzet_eur", "bedrijfsresultaat_eur"), fin)
        writers.write_table(ref / "products.csv",
                            ("productcode", "productcategorie", "omschrijving", "interventie", "nji_erkenning"),
                            [(p.code, p.category, p.description, p.intervention, p.nji) for p in PRODUCTS])
        writers.write_table(ref / "instrument_norms.csv", ("instrument", "lower_is_better", "sd", "reliability",
                                                           "bron"),
                            [(*n, "illustratief: demo-waarden, geen gepubliceerde norm") for n in INSTRUMENT_NORMS])
