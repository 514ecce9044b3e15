"""The invented world of the demo: who lives where, who provides what, at which tariff.

Municipality codes, names and regions are real (CBS 2026); youth populations are synthetic
round figures of the right order of magnitude, shaped so that Twente's youth population slowly
falls (as the Twente audit found) while Almere's grows a little.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

FIRST_YEAR, LAST_YEAR = 2021, 2025

# code: (synthetic youth population 2021, yearly change)
MUNICIPALITIES: dict[str, tuple[int, float]] = {
    "0141": (15200, -0.007), "0147": (5100, -0.006), "1774": (5600, -0.009), "0153": (27400, -0.006),
    "0158": (4700, -0.008), "0163": (7900, -0.007), "0164": (14600, -0.005), "1735": (6900, -0.008),
    "0168": (4400, -0.009), "0173": (6000, -0.006), "1742": (9500, -0.004), "0183": (5300, -0.010),
    "1700": (7800, -0.008), "0189": (5800, -0.006), "0034": (50500, 0.004), "0118": (10100, -0.005),
    "0637": (24200, -0.002),
}
HIGH_DROPOUT_PROVIDER, HIGH_DROPOUT_FACTOR = 2, 3.0  # a national provider (index into build_providers), its factor
NO_ACCOUNTS_PROVIDER = 39  # never sent its annual accounts
# Planted case mix (demo_manifest.json: planted_effects): dropout is likelier for adolescents and young
# adults, in residential care and after a referral by a certified institution or a court, whoever
# provides the care. Multipliers of the dropout weights (odds): what the case-mix adjusted provider
# outcomes must correct for.
CASE_MIX_DROPOUT = {"age_band": {"12-17": 1.5, "18+": 2.0}, "product_category": {"43": 1.8, "44": 1.5},
                    "referrer": {"04": 1.6, "08": 2.0}}
# A national provider of residential care that takes only those heavy cases, with average quality for
# them (dropout factor 1): worst on raw dropout rates, inside the funnel once the case mix is counted.
# Its volume is a share of each municipality's starts on top of the others (it takes no one's share).
HEAVY_CASE_PROVIDER, HEAVY_CASE_SHARE, HEAVY_CASE_MIN_AGE = 40, 0.05, 12
HEAVY_CASE_REFERRERS = {"04": 60, "08": 40}
TWENTE = frozenset(c for c in MUNICIPALITIES if c not in {"0034", "0118", "0637"})

# Planted growth drivers (demo_manifest.json: planted_effects): in these Twente municipalities one
# cause drives the growth of spend, so the spend-growth decomposition must name it as the largest effect.
GROWTH_BY_CLIENTS = ("0153", "1742")  # Enschede, Rijssen-Holten: 20 % more starts a year
GROWTH_BY_SPEND_PER_CLIENT = ("0141", "1700")  # Almelo, Twenterand: more care per client (+30 %/year)
GROWTH_BY_TARIFFS = ("0164",)  # Hengelo: tariffs +20 %/year instead of the usual 3.5 %
STARTS_GROWTH_TWENTE, STARTS_GROWTH_ELSEWHERE, STARTS_GROWTH_PLANTED = 0.02, 0.01, 0.06
INTENSITY_GROWTH_PLANTED, TARIFF_GROWTH, TARIFF_GROWTH_PLANTED = 0.10, 0.025, 0.08
# Planted outcome plateau: in this category ending as planned stops becoming likelier after
# 12 months of care, while in the others it keeps rising up to 36 months.
PLATEAU_CATEGORY, PLATEAU_MONTHS, IMPROVING_MONTHS = "54", 12, 36


@dataclass(frozen=True)
class Product:
    code: str
    category: str
    unit: str
    tariff_cents: int | None  # per unit in 2021; None for unit 83 (euros)
    description: str
    intervention: str
    nji: str
    median_months: float
    volume: tuple[int, int]  # per full month
    instrument: str | None = None


PRODUCTS: tuple[Product, ...] = (
    Product("45A01", "45", "04", 9800, "Ambulante jeugdhulp individueel", "Ambulante begeleiding",
            "niet beoordeeld", 6, (3, 12)),
    Product("45A02", "45", "04", 10400, "Ambulante gezinsbehandeling", "Multisysteem Therapie (MST)",
            "effectief - sterke aanwijzingen", 5, (6, 16), "SDQ"),
    Product("45A03", "45", "04", 10100, "Ouderbegeleiding", "Parent Management Training Oregon (PMTO)",
            "effectief - goede aanwijzingen", 7, (3, 8), "SDQ"),
    Product("45A04", "45", "01", 165, "Ambulante behandeling groep", "Triple P",
            "effectief - eerste aanwijzingen", 4, (180, 600)),
    Product("45A05", "45", "04", 9500, "Gezinscoaching", "Functional Family Therapy (FFT)",
            "effectief - goede aanwijzingen", 6, (4, 10), "SDQ"),
    Product("54B01", "54", "01", 190, "Jeugd-ggz diagnostiek en behandeling", "Cognitieve gedragstherapie",
            "goed onderbouwd", 10, (120, 720), "CBCL"),
    Product("54B02", "54", "01", 205, "Traumabehandeling", "EMDR voor kinderen",
            "effectief - eerste aanwijzingen", 5, (90, 480), "CBCL"),
    Product("41D01", "41", "16", 7300, "Dagbehandeling", "Dagbehandeling jonge kind",
            "niet beoordeeld", 9, (8, 20)),
    Product("43V01", "43", "14", 16000, "Verblijf met behandeling", "Residentiele behandeling",
            "niet beoordeeld", 12, (28, 31)),
    Product("44V01", "44", "14", 9800, "Gezinshuis", "Gezinshuis", "goed onderbouwd", 14, (28, 31)),
    Product("35P01", "35", "14", 3400, "Pleegzorg", "Pleegzorg", "goed onderbouwd", 24, (28, 31)),
    Product("46C01", "46", "04", 14200, "Crisisinterventie", "Crisisinterventie", "niet beoordeeld",
            1, (4, 20)),
    Product("48J01", "48", "83", None, "Jeugdbescherming maatregel", "Ondertoezichtstelling",
            "niet beoordeeld", 12, (900, 1600)),
)
# How often a new trajectory is for each product (same order as PRODUCTS).
PRODUCT_WEIGHTS = (22, 6, 6, 6, 5, 18, 6, 5, 2, 2, 3, 3, 4)

INSTRUMENT_NORMS = (
    # instrument, lower_is_better, sd, reliability: illustrative values, not published norms
    ("SDQ", True, 5.5, 0.80),
    ("CBCL", True, 10.0, 0.90),
)

_NAME_PARTS = (
    ("Jeugdhulp", "Kinderpraktijk", "Gezinsplein", "Jeugd-ggz", "Zorggroep", "Opvoedhuis", "Stichting"),
    ("De Linde", "Horizon", "Het Anker", "De Brug", "Kompas", "Tij", "Vlinder", "Eik", "Overstag",
     "Noorderlicht", "Sterk", "Samen", "Kiem", "Duin", "Veld"),
)
REGION_OF = {c: ("Twente" if c in TWENTE else c) for c in MUNICIPALITIES}


@dataclass
class Provider:
    agb: str
    name: str
    municipalities: tuple[str, ...]
    products: tuple[Product, ...]
    fmt: str  # "xml" | "csv" | "csv-stripped" | "csv-1252"
    survey_fmt: str  # "csv" | "xlsx"
    dropout_factor: float
    margin: float  # operating result / revenue
    weights: dict[str, float] = field(default_factory=dict)
    heavy_cases: bool = False  # takes only heavy cases, on top of the municipality's other starts


def build_providers(rng: random.Random, count: int = HEAVY_CASE_PROVIDER + 1) -> list[Provider]:
    """About 40 providers: regional ones serve one area, a few national ones serve all; the last is
    the heavy-case provider."""
    codes = list(MUNICIPALITIES)
    areas = [sorted(TWENTE), ["0034"], ["0118"], ["0637"]]
    providers: list[Provider] = []
    used_agb: set[str] = set()
    for i in range(count):
        while True:
            agb = f"{rng.randint(1, 99):02d}{rng.randint(0, 999999):06d}"
            if agb not in used_agb:
                used_agb.add(agb)
                break
        if i < 5:
            munis = tuple(codes)  # national providers
        else:
            area = areas[i % len(areas)] if i % 7 else areas[0]
            munis = tuple(sorted(rng.sample(area, k=max(1, min(len(area), rng.randint(3, 10))))))
        n_products = rng.randint(2, 5)
        idx = rng.sample(range(len(PRODUCTS)), k=n_products)
        if i == HEAVY_CASE_PROVIDER:
            munis = tuple(codes)
            idx = [j for j, p in enumerate(PRODUCTS) if p.category in ("43", "44")]
        fmt = "xml"
        if i in (7, 11, 19):
            fmt = "csv"
        elif i == 13:
            fmt = "csv-stripped"
        elif i == 23:
            fmt = "csv-1252"
        margin = round(rng.uniform(-0.02, 0.028), 4)
        if i in (3, 17, 29):
            margin = round(rng.uniform(0.045, 0.09), 4)  # earns too much (Hoogeveen motion)
        if i == 31:
            margin = 0.03  # exactly on the line: not above 3 %
        providers.append(
            Provider(
                agb=agb,
                name=f"{rng.choice(_NAME_PARTS[0])} {rng.choice(_NAME_PARTS[1])} {i + 1}",
                municipalities=munis,
                products=tuple(PRODUCTS[j] for j in sorted(idx)),
                fmt=fmt,
                survey_fmt="xlsx" if i % 4 == 1 else "csv",
                # provider 3 (national) is planted with clearly higher dropout (demo_manifest.json: planted_effects)
                dropout_factor=(HIGH_DROPOUT_FACTOR if i == HIGH_DROPOUT_PROVIDER
                                else 1.0 if i == HEAVY_CASE_PROVIDER else rng.choice((0.6, 0.8, 1.0, 1.3))),
                margin=margin,
                weights={c: rng.uniform(0.3, 1.5) for c in munis},
                heavy_cases=i == HEAVY_CASE_PROVIDER,
            )
        )
    return providers


def youth_population(code: str, year: int) -> int:
    base, change = MUNICIPALITIES[code]
    return round(base * (1 + change) ** (year - FIRST_YEAR))


def starts_growth(code: str) -> float:
    """Yearly growth of new trajectories in a municipality."""
    if code in GROWTH_BY_CLIENTS:
        return STARTS_GROWTH_PLANTED
    if code in GROWTH_BY_SPEND_PER_CLIENT or code in GROWTH_BY_TARIFFS:
        return 0.0  # flat, so the planted driver is the one that shows
    return STARTS_GROWTH_TWENTE if code in TWENTE else STARTS_GROWTH_ELSEWHERE


def tariff_cents(product: Product, code: str, year: int) -> int | None:
    """The tariff per unit a municipality pays in a year: indexed yearly from 2021."""
    if product.tariff_cents is None:
        return None
    growth = TARIFF_GROWTH_PLANTED if code in GROWTH_BY_TARIFFS else TARIFF_GROWTH
    return round(product.tariff_cents * (1 + growth) ** (year - FIRST_YEAR))


def intensity(product: Product, code: str, year: int) -> float:
    """How much more care a client gets per month than in 2021 (not for care paid per day)."""
    if code not in GROWTH_BY_SPEND_PER_CLIENT or product.unit == "14":
        return 1.0
    return (1 + INTENSITY_GROWTH_PLANTED) ** (year - FIRST_YEAR)


def planned_end_weight(product: Product, months: float) -> float:
    """How much likelier a planned end is after `months` of care than at the start. In the plateau
    category most of the gain comes in the first months and none after 12; elsewhere it keeps
    rising evenly up to 36 months."""
    if product.category == PLATEAU_CATEGORY:
        return 0.2 + 1.8 * (min(months, PLATEAU_MONTHS) / PLATEAU_MONTHS) ** 0.25
    return 0.2 + 1.8 * min(months, IMPROVING_MONTHS) / IMPROVING_MONTHS




# Age at the start of care, as a share of trajectories per band, like CBS's age mix of young people
# with youth care (jeugdhulp 2022, StatLine/Jeugdmonitor): 4.4 % of under-4s and 1.4 % of 18-22-year-olds
# received it, about 1 in 7.5 under-18s overall. With the Dutch population by age that puts about 7 %
# of clients at 0-3 and 3 % at 18-22; CBS's rates for 4-11 and 12-17 differ little, so the rest is
# split by the number of years in each band, a little more to the teens (documented approximation:
# docs/demo_data.md). 18+ starts are mostly at 18 (care continued or resumed after turning 18).
AGE_MIX = {"0-3": 0.07, "4-11": 0.46, "12-17": 0.44, "18+": 0.03}
_AGES_18_PLUS = {18: 0.5, 19: 0.25, 20: 0.13, 21: 0.07, 22: 0.05}


def age_weights(min_age: int = 0) -> dict[int, float]:
    """Weight of each whole year of age at the start of care (AGE_MIX spread evenly over a band's
    years, 18+ falling off with age), from min_age up."""
    spans = {"0-3": range(0, 4), "4-11": range(4, 12), "12-17": range(12, 18)}
    weights = {a: AGE_MIX[band] / len(years) for band, years in spans.items() for a in years}
    weights |= {a: AGE_MIX["18+"] * w for a, w in _AGES_18_PLUS.items()}
    return {a: w for a, w in weights.items() if a >= min_age}


def age_band(age: int) -> str:
    """The age bands of the marts (staging trajectories)."""
    return "0-3" if age <= 3 else "4-11" if age <= 11 else "12-17" if age <= 17 else "18+"


def case_mix_dropout(age: int, category: str, referrer: str) -> float:
    """How much likelier (in odds) dropout is for this child than for the usual case (CASE_MIX_DROPOUT)."""
    levels = {"age_band": age_band(age), "product_category": category, "referrer": referrer}
    factor = 1.0
    for name, level in levels.items():
        factor *= CASE_MIX_DROPOUT[name].get(level, 1.0)
    return factor
