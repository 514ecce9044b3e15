"""The letter's text: plain Dutch sentences, tables and charts built from the loaded data
(assets/reports/data.py). Every figure the letter prints passes through `Figures`, which formats it
and writes down the query that returns it from the published file, so the letter's figure list
(beside the PDF) explains every number in it. Where a value is missing the letter prints "–" with
the true reason in words (hidden to protect small numbers, not measured, or no data yet), never 0.

A document is a dict the Typst template lays out: title lines, an opening, a short summary, and
sections of blocks (`p`, `sub`, `empty`, `table`, `chart`, `note`, `terms`). No code names, file names,
table names or formulas reach the text: terms that need it are explained in the begrippenlijst.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from assets.reports import charts
from assets.reports.data import count_sql, trace_sql
from assets.reports.formatting import FORMATS, MONTHS, SMALL_N, long_date
from foundation.warn_checks import KIND_NL

DASH = "–"
# why a value is missing, as the letter says it; the begrippenlijst explains each
MISSING = {"hidden": "verborgen", "not_measured": "niet gemeten", "no_data": "nog geen gegevens"}
MISSING_MEANING = {
    "hidden": "het cijfer rust op zo weinig kinderen of gezinnen dat iemand herkenbaar zou kunnen worden, of het zou "
              "zo'n klein aantal laten terugrekenen; het wordt daarom niet getoond",
    "not_measured": "er is niets gemeten waarop het cijfer kan rusten (bijvoorbeeld geen ingevulde vragenlijst of "
                    "geen traject dat lang genoeg geleden eindigde)",
    "no_data": "de gegevens bevatten hier (nog) niets over: er is niet gedeclareerd of het jaar is nog niet "
               "aangeleverd",
}
# the NJi Databank Effectieve Jeugdinterventies' own words for its levels
NJI_LEVELS = {"effectief - sterke aanwijzingen": "effectief volgens sterke aanwijzingen",
              "effectief - goede aanwijzingen": "effectief volgens goede aanwijzingen",
              "effectief - eerste aanwijzingen": "effectief volgens eerste aanwijzingen",
              "goed onderbouwd": "goed onderbouwd", "niet beoordeeld": "niet beoordeeld door het NJi"}
# the competition authority's bands of the HHI (queries/landscape.sql: hhi_band)
HHI_LEVEL = {"below 1500": "niet geconcentreerd", "1500-2500": "matig geconcentreerd",
             "above 2500": "sterk geconcentreerd"}
TOP5_BAND = {"below 25": "minder dan een kwart", "25-50": "tussen een kwart en de helft",
             "50-75": "tussen de helft en driekwart", "above 75": "meer dan driekwart"}
TERMS = [
    ("Beëindigd volgens plan", "het traject is afgesloten zoals de hulpverlener en het gezin hadden afgesproken."),
    ("Uitval", "het traject is voortijdig afgebroken, zonder dat de afgesproken hulp klaar was."),
    ("Geen nieuwe jeugdhulp", "binnen een half jaar na het einde van een traject is er voor het kind geen nieuwe "
                              "jeugdhulp begonnen."),
    ("Betrouwbare verandering", "een verbetering op een vragenlijst die groter is dan het toeval en de meetfout "
                                "kunnen verklaren."),
    ("Concentratie-index (HHI)", "een maat voor hoe sterk het geld bij een paar aanbieders terechtkomt: de som van "
                                 "de kwadraten van de marktaandelen in procenten. De toezichthouder ACM noemt een "
                                 "markt boven 1.500 matig en boven 2.500 sterk geconcentreerd."),
    ("Erkenning door het NJi", "de Databank Effectieve Jeugdinterventies van het Nederlands Jeugdinstituut beoordeelt "
                               "interventies als goed onderbouwd, of als effectief volgens eerste, goede of sterke "
                               "aanwijzingen. Alleen die laatste drie tellen hier als effectief erkend."),
    ("Uitsplitsing van de verandering", "de verandering van de uitgaven tussen twee jaren is op twee manieren precies "
                                        "verdeeld: over het aantal cliënten en het geld per cliënt, en over de "
                                        "tarieven en de hoeveelheid en soort zorg. Elk deel rekent met het gemiddelde "
                                        "van beide jaren, zodat de delen precies optellen tot de verandering."),
    ("Casemix", "de kenmerken van de kinderen en trajecten die een aanbieder behandelt, zoals leeftijd, geslacht, "
                "soort hulp (productcategorie), verwijzer en duur van het traject; welke de vergelijking gebruikt, "
                "staat erbij. Andere kinderen geven een andere verwachte uitkomst."),
    ("Verwacht aantal", "het aantal trajecten met een uitkomst (uitval, of beëindigd volgens plan) dat je zou "
                        "verwachten als de kinderen van deze aanbieder het deden zoals vergelijkbare kinderen in alle "
                        "gemeenten in deze gegevens: de som van ieders kans volgens een rekenmodel op de casemix. De "
                        "verhouding waargenomen gedeeld door verwacht is één als het loopt zoals verwacht."),
    ("Trechter (funnelplot)", "een figuur met per aanbieder de verhouding waargenomen gedeeld door verwacht tegen hoe "
                              "nauwkeurig die verhouding is. Die nauwkeurigheid groeit met het aantal trajecten, en "
                              "is groter naarmate de uitkomst bij de kinderen van de aanbieder vaker te verwachten "
                              "is. De lijnen tonen hoe ver een aanbieder door toeval van één kan afwijken: bij weinig "
                              "trajecten ver, bij veel trajecten weinig, zodat de lijnen samen een trechter vormen. "
                              "Een punt buiten de lijnen is een signaal om te bespreken, geen oordeel."),
    ("Overdispersie", "aanbieders verschillen altijd meer dan zuiver toeval geeft, ook door wat de gegevens niet "
                      "meten. Als die extra spreiding tussen de aanbieders aantoonbaar is, worden de lijnen van de "
                      "trechter er zoveel breder door gemaakt; anders niet."),
    ("Klein aantal", "een cijfer dat op minder dan dertig trajecten of antwoorden rust; het kan door toeval sterk "
                     "schommelen. Lees het als een aanwijzing, niet als een vaststelling."),
    *((f"{DASH} {MISSING[k]}", MISSING_MEANING[k]) for k in MISSING),
]
_NUMBER = re.compile(r"\d")


class Figures:
    """Formats every figure the letter prints and writes down what it is: the text exactly as
    printed, the query that returns its value from the published file, and the format that turns
    that value into the text. Names and fixed wording that hold digits are written down too, so a
    test can account for every number in the PDF's text."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def val(self, row: dict | None, column: str, kind: str, count: str | None = None,
            empty: str = "hidden") -> str:
        """`row[column]` as printed; "– <reason>" when it is missing: no row is no data, a
        suppressed row is hidden. An empty value in a shown row: not measured when `count` (the
        column of the same row that says how many cases were measured) is 0, else `empty` (hidden
        by disclosure control, unless the column is one the file never hides)."""
        if row is None:
            return self.missing("no_data", None, kind)
        value = row.get(column)
        if value is None:
            reason = ("hidden" if row.get("suppressed")
                      else "not_measured" if count is not None and row.get(count) == 0 else empty)
            return self.missing(reason, trace_sql(row, column), kind)
        return self._record(FORMATS[kind](value), trace_sql(row, column), kind, value)

    def calc(self, result: dict, kind: str, empty: str = "hidden") -> str:
        """A figure computed by its own query (a total, a count: data.scalar); `empty`: why it is
        missing when it is (hidden, unless the caller knows better)."""
        if result["value"] is None:
            return self.missing(empty, result["sql"], kind)
        return self._record(FORMATS[kind](result["value"]), result["sql"], kind, result["value"])

    def name(self, text: str | None, fallback: str) -> str:
        """A name (municipality, provider, intervention) as printed; the reference data may not name
        it: then the fallback, which says so."""
        printed = text if text else fallback
        if _NUMBER.search(printed):
            self.items.append({"text": printed, "kind": "name"})
        return printed

    def const(self, text: str, why: str) -> str:
        """Fixed wording that holds a number (a legal threshold, a band), with why it is fixed."""
        self.items.append({"text": text, "kind": "wording", "why": why})
        return text

    def _record(self, text: str, sql: str, kind: str, value: Any) -> str:
        self.items.append({"text": text, "kind": "figure", "format": kind, "sql": sql, "value": value})
        return text

    def missing(self, reason: str, sql: str | None, kind: str) -> str:
        text = f"{DASH} {MISSING[reason]}"
        self.items.append({"text": text, "kind": "missing", "reason": reason, "format": kind, "sql": sql})
        return text


def _p(text: str, sticky: bool = False) -> dict:
    """A paragraph; sticky: keep it on the page of the block that follows (the chart it introduces)."""
    return {"type": "p", "text": text, "sticky": sticky}


def _empty(text: str) -> dict:
    return {"type": "empty", "text": text}


def _sub(text: str) -> dict:
    """A subheading within a section."""
    return {"type": "sub", "text": text}


def _note(text: str) -> dict:
    return {"type": "note", "text": text}


def _table(columns: list[str], rows: list[list[str]], align: str, widths: list[float] | None = None) -> dict:
    return {"type": "table", "columns": columns, "rows": rows, "align": align, "widths": widths}


def _chart(svg: str, caption: str) -> dict:
    return {"type": "chart", "svg": svg, "caption": caption}


def _at(bench: dict, measure: str, year: int) -> dict | None:
    return bench.get(measure, {}).get(year)


def _shown(row: dict | None, column: str = "value") -> bool:
    return row is not None and row.get(column) is not None


def _outcomes_of(d: dict) -> list[str]:
    """The outcome measures (queries/measures.sql: measure_group), in their order."""
    return [m for m, r in d["measures"].items() if r["measure_group"] == "outcome"]


def _label(d: dict, measure: str) -> str:
    """How the letters name a measure in a table's row (queries/measures.sql: letter_label)."""
    return d["measures"][measure]["letter_label"]


def _format(d: dict, measure: str) -> str:
    """The format a letter prints a measure's value in (queries/measures.sql: letter_format)."""
    return d["measures"][measure]["letter_format"]


def _hidden(f: Figures, rows: list[dict], what: str) -> list[dict]:
    """A note saying how many rows of a table are hidden (a traced count), when any are."""
    n = sum(bool(r.get("suppressed")) for r in rows)
    if not n:
        return []
    count = f.calc({"value": n, "sql": count_sql(rows[0], "t.suppressed")}, "int")
    return [_note(f"{count} {what} niet getoond om kleine aantallen te beschermen: te weinig cliënten om ze te tonen "
                  "zonder dat iemand herkenbaar wordt.")]


def _terms(f: Figures, missing_only: bool = False) -> dict:
    """The begrippenlijst; `missing_only`: just the reasons for a dash (the monthly letter uses no
    other term)."""
    terms = [t for t in TERMS if t[0].startswith(DASH)] if missing_only else TERMS
    if any("HHI" in t[0] for t in terms):
        for threshold in ("1.500", "2.500"):
            f.const(threshold, "the competition authority's (ACM) thresholds of the HHI, in the begrippenlijst")
    return {"title": "Begrippenlijst", "blocks": [{"type": "terms", "items": [list(t) for t in terms]}]}


def _numbered(f: Figures, sections: list[dict]) -> list[dict]:
    """The sections with their heading numbers (listed as wording: they count sections, not care)."""
    return [{**s, "number": f.const(str(i), "the number of a section heading")} for i, s in enumerate(sections, 1)]


def _opening(f: Figures, d: dict, subject: str, period_title: str) -> str:
    motion = d.get("motion")
    text = (f"Met deze brief informeren wij u over de jeugdhulp in {subject} in {period_title}: wat die kostte, wat "
            f"die opleverde en hoe {subject} zich verhoudt tot vergelijkbare gemeenten.")
    if motion:
        text += f" Zo geven wij antwoord op {f.name(motion, motion)}."
    return text


def _meta(f: Figures, d: dict) -> list[list[str]]:
    about = d["publication"]
    through = long_date(date.fromisoformat(about["data_through"]))
    quarter = [["Jaarcijfers", f"{d['period']['year']} tot nu toe: 1 januari tot en met {through}"]] \
        if d["period"]["kind"] == "quarter" else []
    return [["Gegevens tot en met", through], *quarter,
            ["Jeugdzorgregio", d["region"] or "niet bekend in de referentielijst"],
            ["Kleine aantallen", f"minder dan {f.val(about, 'min_cell_size', 'int')} cliënten: niet getoond"],
            ["Bron", "het gepubliceerde bestand van de jeugdzorgmonitor"], *_publication_meta(f, about)]


def citation(about: dict) -> str | None:
    """'publicatie v3 van 7 december 2026': the publication a letter's figures come from (None: a file
    published before publications had numbers)."""
    if about.get("publication_version") is None:
        return None
    return (f"publicatie v{about['publication_version']} van "
            f"{long_date(datetime.fromisoformat(about['published_at']).date())}")


def _provisional_from(d: dict) -> date | None:
    start = d["publication"].get("provisional_from")
    return date.fromisoformat(start) if start else None


def is_provisional(d: dict, last_day: date) -> bool:
    """A period still open to backdated declarations and credits: it reaches into the last
    `provisional_months` months (the publication's) before the data's cut-off (docs/publications.md)."""
    start = _provisional_from(d)
    return start is not None and last_day >= start


def _year_label(d: dict, year: int) -> str:
    return f"{year} (voorlopig)" if is_provisional(d, date(year, 12, 31)) else str(year)


def _publication_meta(f: Figures, about: dict) -> list[list[str]]:
    """The publication the letter cites, and from which month its figures are still provisional."""
    out = []
    if about.get("publication_version") is not None:
        published = long_date(datetime.fromisoformat(about["published_at"]).date())
        out.append(["Publicatie", f"v{f.val(about, 'publication_version', 'int')} van {published}"])
    start = date.fromisoformat(about["provisional_from"]) if about.get("provisional_from") else None
    if start is not None:
        out.append(["Voorlopig", f"cijfers vanaf {MONTHS[start.month - 1]} {start.year} (de laatste "
                                 f"{f.val(about, 'provisional_months', 'int')} maanden) kunnen nog veranderen door "
                                 "nagekomen declaraties en creditregels"])
    return out


def _provisional_summary(d: dict, period_title: str) -> list[str]:
    """The summary's first line when the letter's period is still provisional."""
    if not is_provisional(d, date.fromisoformat(d["period"]["last_day"])):
        return []
    return [f"Voorlopig: de cijfers over {period_title} kunnen nog veranderen, omdat aanbieders declaraties en "
            "creditregels over die maanden nog later insturen."]


def _group(f: Figures, d: dict) -> str:
    """The comparison group named for what it is: the municipalities in these data, not the country."""
    return f"de {f.calc(d['group_size'], 'int')} gemeenten in deze gegevens"


# ---------------------------------------------------------------------------------------------- municipality

def municipality_document(d: dict[str, Any], period_title: str) -> dict[str, Any]:
    f = Figures()
    y, name = d["period"]["year"], f.name(d["name"], "")
    region = f.name(d["region"], "(regio niet bekend)")
    opening = _opening(f, d, name, period_title)
    meta = _meta(f, d)
    summary = _provisional_summary(d, period_title) + _municipality_summary(f, d, y, region)
    sections = [_spend(f, d, y, region), _growth(f, d, y), _outcomes(f, d, y), _long_running(f, d, y),
                _what_works(f, d, y),
                _access(f, d, y), _duration_section(f, d["duration"], region, y), _providers(f, d, y),
                _allocation(f, d, y), _quality(f, d, y), _terms(f)]
    return {"kind": "municipality", "title": f"Jeugdhulp in {name}: uitgaven en resultaten, {period_title}",
            "to": f"de gemeenteraad van {name}", "from": "het college van burgemeester en wethouders",
            "region": region, "demo": bool(d.get("demo")), "opening": opening, "meta": meta, "summary": summary,
            "sections": _numbered(f, sections), "figures": f.items}


def _municipality_summary(f: Figures, d: dict, y: int, region: str) -> list[str]:
    b, name = d["benchmark"], d["name"]
    out = []
    cost = next((r for r in d["cost_years"] if r["year"] == y), None)
    if _shown(cost, "spend_eur"):
        out.append(f"{name} gaf in {y} {f.val(cost, 'spend_eur', 'euro')} uit aan jeugdhulp, voor "
                   f"{f.val(cost, 'clients', 'int')} cliënten.")
    spy = _at(b, "spend_per_youth_eur", y)
    if _shown(spy):
        out.append(f"Per jeugdige was dat {f.val(spy, 'value', 'euro2')}; in de regio {region} "
                   f"{f.val(spy, 'region_value', 'euro2')}.")
    planned = _at(b, "ended_as_planned_pct", y)
    if _shown(planned):
        out.append(f"{f.val(planned, 'value', 'pct')} van de {f.val(planned, 'n', 'int')} beëindigde trajecten "
                   f"eindigde volgens plan (regio: {f.val(planned, 'region_value', 'pct', 'region_n')}).")
    ebs = _at(b, "evidence_based_spend_pct", y)
    if _shown(ebs):
        out.append(f"{f.val(ebs, 'value', 'pct')} van het geld ging naar interventies die het NJi als effectief "
                   f"erkent, volgens eerste, goede of sterke aanwijzingen (regio: "
                   f"{f.val(ebs, 'region_value', 'pct')}).")
    if not out:
        out.append(f"Over {name} bevatten de gegevens voor {y} niets dat getoond kan worden: de aantallen zijn te "
                   "klein om te tonen, of er is niet gedeclareerd.")
    return out


def _alone(row: dict | None) -> bool:
    """The municipality is the only one of its region in the data: the region's figures are its own."""
    return _shown(row, "region_municipalities") and row["region_municipalities"] <= 1


def _rank(f: Figures, row: dict) -> str:
    """A rank says what it counts: the municipalities of the region that have a value that year."""
    if _alone(row):
        return "enige in de regio"
    if not _shown(row, "region_rank"):
        return f.val(row, "region_rank", "int")
    return (f"{f.val(row, 'region_rank', 'int')} van {f.val(row, 'region_municipalities', 'int')}")


def _spend(f: Figures, d: dict, y: int, region: str) -> dict:
    b, name = d["benchmark"], d["name"]
    blocks: list[dict] = []
    spy = _at(b, "spend_per_youth_eur", y)
    cost = next((r for r in d["cost_years"] if r["year"] == y), None)
    if not _shown(spy):
        blocks.append(_empty(f"Voor {y} tonen de gegevens geen uitgaven per jeugdige voor {name}: "
                             f"{f.val(spy, 'value', 'euro2')}."))
    else:
        text = (f"In {y} gaf {name} {f.val(cost, 'spend_eur', 'euro')} uit aan jeugdhulp. Per inwoner jonger dan "
                f"achttien jaar was dat {f.val(spy, 'value', 'euro2')}, tegen {f.val(spy, 'region_value', 'euro2')} "
                f"in de regio {region} en {f.val(spy, 'all_value', 'euro2')} in {_group(f, d)} samen.")
        if _alone(spy):
            text += (f" {name} is de enige gemeente van de regio {region} in deze gegevens: de regiocijfers in deze "
                     f"brief zijn dus die van {name} zelf. Vergelijk met {_group(f, d)}.")
        elif _shown(spy, "region_rank"):
            text += (f" Gerangschikt van laag naar hoog staat {name} op plaats {f.val(spy, 'region_rank', 'int')} "
                     f"van de {f.val(spy, 'region_municipalities', 'int')} gemeenten in de regio die een cijfer "
                     "hebben (de eerste plaats: de laagste uitgaven per jeugdige).")
        blocks.append(_p(text))
        cpy, spc = _at(b, "clients_per_1000_youth", y), _at(b, "spend_per_client_eur", y)
        if _shown(cpy) and _shown(spc):
            blocks.append(_p(f"Dat bedrag hangt af van twee dingen: hoeveel jongeren hulp krijgen "
                             f"({f.val(cpy, 'value', 'dec1')} per duizend jeugdigen, regio "
                             f"{f.val(cpy, 'region_value', 'dec1')}) en wat de hulp per cliënt kost "
                             f"({f.val(spc, 'value', 'euro2')}, regio {f.val(spc, 'region_value', 'euro2')})."))
    years = sorted(b.get("spend_per_youth_eur", {}))
    series = {role: [(_at(b, "spend_per_youth_eur", yr) or {}).get(col) for yr in years]
              for role, col in (("subject", "value"), ("region", "region_value"), ("all", "all_value"))}
    if sum(v is not None for v in series["subject"]) >= 2:
        blocks.append(_chart(charts.trend(years, [(name, series["subject"], "subject"),
                                                  (f"regio {region}", series["region"], "region"),
                                                  ("gemeenten in deze gegevens", series["all"], "all")],
                                          "eur", "Uitgaven per jeugdige per jaar"),
                             f"Uitgaven per jeugdige: {name} tegen de regio {region} en {_group(f, d)}."))
    rows = []
    for r in d["cost_years"]:
        bm = _at(b, "spend_per_youth_eur", r["year"])
        rows.append([_year_label(d, r["year"]), f.val(r, "spend_eur", "euro"), f.val(r, "clients", "int"),
                     f.val(r, "spend_per_youth_eur", "euro2"), f.val(bm, "region_value", "euro2"),
                     f.val(bm, "all_value", "euro2")])
    if rows:
        blocks.append(_table(["Jaar", "Uitgaven", "Cliënten", "Per jeugdige", f"Regio {region}",
                              "Gemeenten in deze gegevens"], rows, "lrrrrr", [0.6, 1.3, 0.9, 1.1, 1.2, 1.3]))
    peers = [(p["name"], p["value"], None) for p in d["peers"]]
    if _shown(spy) and len(peers) > 1:
        blocks.append(_chart(charts.benchmark_bar(peers, name, spy["region_value"], f"regio {region}", "eur",
                                                  f"Uitgaven per jeugdige in {y}, gemeenten in de regio {region}"),
                             f"{name} in kleur; de stippellijn is de regio als geheel."))
    if d["months"]:
        month_rows = [[long_date(date.fromisoformat(m["month"]))[2:].strip(), f.val(m, "spend_eur", "euro"),
                       f.val(m, "clients", "int")] for m in d["months"]]
        blocks.append(_p("De maanden van dit kwartaal:", sticky=True))
        blocks.append(_table(["Maand", "Uitgaven", "Cliënten"], month_rows, "lrr"))
    return {"title": "Uitgaven aan jeugdhulp", "blocks": blocks}


def _growth(f: Figures, d: dict, y: int) -> dict:
    title = "Waarom veranderden de uitgaven?"
    g = d["growth"][0] if d["growth"] else None
    if not _shown(g, "spend_change_eur"):
        return {"title": title, "blocks": [_empty(
            f"Voor {y} tegen {y - 1} tonen de gegevens geen uitsplitsing van de verandering: "
            f"{f.val(g, 'spend_change_eur', 'euro_signed')}.")]}
    direction = "stegen" if g["spend_change_eur"] >= 0 else "daalden"
    blocks = [_p(f"De uitgaven {direction} van {f.val(g, 'spend_year_before_eur', 'euro')} in {y - 1} naar "
                 f"{f.val(g, 'spend_eur', 'euro')} in {y}: {f.val(g, 'spend_change_eur', 'euro_signed')}"
                 + (f" ({f.val(g, 'change_pct', 'pct_signed')})." if _shown(g, "change_pct") else ".")
                 + " De tabel verdeelt die verandering op twee manieren precies (zie de begrippenlijst: "
                   "uitsplitsing van de verandering).")]
    rows = [["Meer of minder cliënten",
             f"{f.val(g, 'clients_year_before', 'int')} → {f.val(g, 'clients', 'int')}",
             f.val(g, "client_effect_eur", "euro_signed")],
            ["Meer of minder geld per cliënt", f"{f.val(g, 'spend_per_client_year_before_eur', 'euro')} → "
             f"{f.val(g, 'spend_per_client_eur', 'euro')}", f.val(g, "per_client_effect_eur", "euro_signed")],
            ["Hogere of lagere tarieven", f"tarieven {f.val(g, 'tariff_change_pct', 'pct_signed')}",
             f.val(g, "price_effect_eur", "euro_signed")],
            ["Meer, minder of andere zorg", "", f.val(g, "volume_mix_effect_eur", "euro_signed")]]
    blocks.append(_table(["Oorzaak", "Van → naar", "Deel van de verandering"], rows, "llr"))
    blocks.append(_note("De eerste twee regels tellen samen op tot de verandering, en de laatste twee ook."))
    if _shown(g, "youth_population") and _shown(g, "youth_population_change"):
        change = g["youth_population_change"]
        verb = "steeg met" if change > 0 else "daalde met" if change < 0 else "bleef gelijk op"
        amount = f"{f.val(g, 'youth_population_change_abs', 'int')} tot " if change else ""
        blocks.append(_p(f"Het aantal jeugdigen (inwoners jonger dan achttien jaar) {verb} {amount}"
                         f"{f.val(g, 'youth_population', 'int')}."))
    return {"title": title, "blocks": blocks}


def _outcomes(f: Figures, d: dict, y: int) -> dict:
    b, name = d["benchmark"], d["name"]
    title = "Resultaten van de hulp"
    rows, small = [], False
    for m in _outcomes_of(d):
        r = _at(b, m, y)
        kind = _format(d, m)
        n = r.get("n") if r else None
        small |= _shown(r) and n is not None and n < SMALL_N
        rows.append([_label(d, m), f.val(r, "value", kind, "n"),
                     f.val(r, "n", "int") + (" (klein aantal)" if _shown(r) and n is not None and n < SMALL_N else ""),
                     f.val(r, "region_value", kind, "region_n"), f.val(r, "all_value", kind, "all_n"),
                     _rank(f, r) if r else f.val(r, "region_rank", "int")])
    group = f"{f.calc(d['group_size'], 'int')} gemeenten samen"
    blocks = [_p(f"Hoe liepen de trajecten af die in {y} eindigden? Bij elk cijfer staat op hoeveel trajecten of "
                 "antwoorden het rust (n). De plaats in de regio telt de gemeenten van de regio die een cijfer "
                 "hebben; de eerste plaats is de laagste waarde. Bij uitval is laag goed, bij de andere maten hoog.")]
    planned = _at(b, "ended_as_planned_pct", y)
    if _shown(planned) and _shown(planned, "region_value"):
        diff = planned["value"] - planned["region_value"]
        word = "hoger dan" if diff > 0 else "lager dan" if diff < 0 else "gelijk aan"
        blocks.append(_p(f"In {name} eindigde {f.val(planned, 'value', 'pct')} van de trajecten volgens plan, "
                         f"{word} in de regio ({f.val(planned, 'region_value', 'pct')})."))
    blocks.append(_table(["Maat", name, "n", "Regio", group, "Plaats in de regio"], rows, "lrrrrr",
                         [2.4, 1, 1.2, 1, 1.1, 1.1]))
    if small:
        blocks.append(_note("Een klein aantal: zie de begrippenlijst."))
    cat_rows = [[f.name(f"{c['product_category']} {c['description'] or '(omschrijving niet in de referentielijst)'}",
                        ""),
                 f.val(c, "trajectories_ended", "int"), f.val(c, "ended_as_planned_pct", "pct", "trajectories_ended"),
                 f.val(c, "dropout_pct", "pct", "trajectories_ended"), f.val(c, "no_recurrence_pct", "pct")]
                for c in d["categories"] if not c["suppressed"]]
    if cat_rows:
        blocks.append(_p(f"Per soort hulp (productcategorie), voor de trajecten die in {y} eindigden:", sticky=True))
        blocks.append(_table(["Productcategorie", "Beëindigd", "Volgens plan", "Uitval", "Geen nieuwe hulp"],
                             cat_rows, "lrrrr", [3, 1, 1, 1, 1.2]))
    blocks += _hidden(f, d["categories"], "productcategorieën")
    return {"title": title, "blocks": blocks}


RUNNING = (("running_over_12m_pct", "Langer dan een jaar"), ("running_over_24m_pct", "Langer dan twee jaar"),
           ("running_without_outcome_over_12m_pct", "Langer dan een jaar, zonder uitkomstmeting"))


def _long_running(f: Figures, d: dict, y: int) -> dict:
    """Hoogeveen's and Almelo's ask: trajectories that run long without a result, with their trend."""
    title = "Lang lopende trajecten zonder resultaat"
    b, region = d["benchmark"], d["region"] or "(regio niet bekend)"
    years = sorted(b.get("running_over_12m_pct", {}))
    if not years:
        return {"title": title, "blocks": [_empty(f"De gegevens tonen voor {d['name']} geen lopende trajecten: "
                                                  f"{f.val(None, 'value', 'pct')}.")]}
    rows = [[str(yr), f.val(_at(b, "running_over_12m_pct", yr), "n", "int"),
             *(f.val(_at(b, m, yr), "value", "pct", "n") for m, _label in RUNNING)] for yr in years]
    last = [f"regio {y}", f.val(_at(b, "running_over_12m_pct", y), "region_n", "int"),
            *(f.val(_at(b, m, y), "region_value", "pct", "region_n") for m, _label in RUNNING)]
    blocks = [_p("Hoeveel trajecten liepen aan het eind van elk jaar al lang, en hoeveel daarvan hadden na meer dan "
                 "een jaar nog geen enkele uitkomstmeting (geen vragenlijst over het resultaat)? Het aandeel is het "
                 "deel van alle trajecten die aan het eind van het jaar liepen.", sticky=True),
              _table(["Jaar", "Lopend op 31 december", *(label for _m, label in RUNNING)], [*rows, last], "lrrrr",
                     [1.1, 1.1, 1.1, 1.1, 1.6])]
    now, before = _at(b, "running_without_outcome_over_12m_pct", y), _at(b, "running_without_outcome_over_12m_pct",
                                                                          y - 1)
    if _shown(now) and _shown(before):
        word = ("meer" if now["value"] > before["value"] else "minder" if now["value"] < before["value"]
                else "even veel")
        blocks.append(_p(f"Eind {y} liep {f.val(now, 'value', 'pct')} van de trajecten langer dan een jaar zonder "
                         f"uitkomstmeting: {word} dan eind {y - 1} ({f.val(before, 'value', 'pct')}). In de regio "
                         f"{region} was dat {f.val(now, 'region_value', 'pct')}."))
    return {"title": title, "blocks": blocks}


def _what_works(f: Figures, d: dict, y: int) -> dict:
    b, name = d["benchmark"], d["name"]
    blocks = []
    ebs = _at(b, "evidence_based_spend_pct", y)
    if _shown(ebs):
        blocks.append(_p(f"In {y} ging {f.val(ebs, 'value', 'pct')} van de uitgaven van {name} naar interventies die "
                         "de Databank Effectieve Jeugdinterventies van het NJi als effectief erkent: volgens eerste, "
                         "goede of sterke aanwijzingen. Goed onderbouwde interventies tellen hier niet mee. Regio: "
                         f"{f.val(ebs, 'region_value', 'pct')}; {_group(f, d)}: "
                         f"{f.val(ebs, 'all_value', 'pct')}."))
    years = sorted(b.get("evidence_based_spend_pct", {}))
    if years:
        assessed = {r["year"]: r for r in d["not_assessed"]}
        rows = [[str(yr), f.val(_at(b, "evidence_based_spend_pct", yr), "value", "pct"),
                 f.val(_at(b, "evidence_based_spend_pct", yr), "region_value", "pct"),
                 f.val(assessed.get(yr), "spend_eur", "euro"), f.val(assessed.get(yr), "shown_spend_eur", "euro")]
                for yr in years]
        blocks.append(_p("Het aandeel door het NJi als effectief erkende interventies door de jaren heen, en het geld "
                         "dat ging naar interventies die het NJi niet beoordeeld heeft (geteld over de interventies "
                         "die getoond kunnen worden):", sticky=True))
        blocks.append(_table(["Jaar", f"Effectief erkend, {name}", "Regio", "Niet beoordeeld door het NJi",
                              "Van de getoonde uitgaven"], rows, "lrrrr", [0.7, 1.3, 1, 1.4, 1.4]))
    shown = [i for i in d["by_intervention"] if not i["suppressed"]]
    rows = [[f.name(i["intervention"], f"product {i['product_code']} (geen interventie in de referentielijst)"),
             NJI_LEVELS.get(i["nji_recognition"] or "", i["nji_recognition"] or "niet in de referentielijst"),
             f.val(i, "spend_eur", "euro"), f.val(i, "clients", "int"), f.val(i, "trajectories_ended", "int"),
             f.val(i, "ended_as_planned_pct", "pct", "trajectories_ended")] for i in shown]
    if rows:
        blocks.append(_table(["Interventie", "Oordeel van het NJi", "Uitgaven", "Cliënten", "Beëindigd",
                              "Volgens plan"], rows, "llrrrr", [2.4, 2.2, 1.2, 0.9, 0.9, 1]))
    if not blocks:
        blocks.append(_empty(f"Voor {y} tonen de gegevens geen interventies voor {name}."))
    blocks += _hidden(f, d["by_intervention"], "interventies")
    return {"title": "Wat werkt: interventies en hun erkenning", "blocks": blocks}


def _access(f: Figures, d: dict, y: int) -> dict:
    title = "Toegang: langs welke weg begint de hulp?"
    started = [r for r in d["referral_starts"] if not r["suppressed"]]
    ended = [r for r in d["referral_endings"] if not r["suppressed"]]
    hidden = [*_hidden(f, d["referral_starts"], "verwijzers van begonnen trajecten"),
              *_hidden(f, d["referral_endings"], "verwijzers van beëindigde trajecten")]
    if not started and not ended:
        return {"title": title, "blocks": [_empty(f"Voor {y} tonen de gegevens geen verwijzers voor {d['name']}."),
                                           *hidden]}

    def who(r: dict) -> str:
        return f.name(r["description"], f"verwijzer met code {r['referrer']} (niet in de referentielijst)")

    blocks = []
    if started:
        blocks += [_p(f"Wie verwees de jongeren door die in {y} met hulp begonnen? Het aandeel is het deel van alle "
                      f"trajecten die in {y} begonnen.", sticky=True),
                   _table(["Verwijzer", f"Begonnen in {y}", "Aandeel", "Aandeel in de regio"],
                          [[who(r), f.val(r, "trajectories_started", "int"), f.val(r, "share_of_starts_pct", "pct"),
                            f.val(r, "region_share_of_starts_pct", "pct")] for r in started], "lrrr",
                          [3, 1.1, 1, 1.2])]
    if ended:
        blocks += [_p(f"Hoe liepen de trajecten af die in {y} eindigden, naar wie ze ooit verwees? Dat zijn andere "
                      f"trajecten dan hierboven: de meeste begonnen in een eerder jaar.", sticky=True),
                   _table(["Verwijzer", f"Beëindigd in {y}", "Volgens plan", "Uitval"],
                          [[who(r), f.val(r, "trajectories_ended", "int"),
                            f.val(r, "ended_as_planned_pct", "pct", "trajectories_ended"),
                            f.val(r, "dropout_pct", "pct", "trajectories_ended")] for r in ended], "lrrr",
                          [3, 1.1, 1, 1.2])]
    blocks += hidden
    return {"title": title, "blocks": blocks}


def _duration_lines(dur: dict[str, list[dict]]) -> dict[str, dict]:
    """Per product category the most reliable complete table: the region's, pooled over the years,
    when none of its rows is hidden; else the table of all municipalities in the data together."""
    bands = [b["duration_band"] for b in dur["bands"]]

    def by_category(rows: list[dict]) -> dict[str, dict]:
        out: dict[str, dict] = {}
        for r in rows:
            if r["duration_band"] not in bands:  # 'onbekend' (no start date): not a length of care
                continue
            cat = out.setdefault(r["product_category"], {"label": None, "bands": {}, "hidden": 0})
            cat["bands"][r["duration_band"]] = r
            cat["hidden"] += r.get("hidden_rows") or int(bool(r["suppressed"]))
            if r["description"]:
                cat["label"] = f"{r['product_category']} {r['description']}"
        return out

    def usable(cat: dict) -> bool:
        return sum(b["ended_as_planned_pct"] is not None for b in cat["bands"].values()) >= 2

    region, national = by_category(dur["region"]), by_category(dur["national"])
    chosen = {}
    for c in sorted(set(region) | set(national)):
        if c in region and not region[c]["hidden"] and usable(region[c]):
            chosen[c] = {**region[c], "source": "regio"}
        elif c in national and usable(national[c]):
            chosen[c] = {**national[c], "source": "alle gemeenten in deze gegevens"}
        else:
            continue
        chosen[c]["label"] = chosen[c]["label"] or f"{c} (omschrijving niet in de referentielijst)"
    return chosen


def _duration_section(f: Figures, dur: dict[str, list[dict]], region: str, y: int) -> dict:
    """Zoetermeer's ask, the longest duration that still helps: pooled over every year, from the most
    reliable table that hides nothing (the region's, else all municipalities in the data), with n."""
    title = "Duur en effect: helpt langer ook beter?"
    shown = _duration_lines(dur)
    if not shown:
        return {"title": title, "blocks": [_empty(f"Voor de regio {region} tonen de gegevens te weinig beëindigde "
                                                  "trajecten per duur om een verband te laten zien.")]}
    bands = [b["duration_band"] for b in dur["bands"]]
    words = {b["duration_band"]: b["duration_band_label"] for b in dur["bands"]}
    # the categories with the most ended trajectories, at most six lines
    top = sorted(sorted(shown), key=lambda c: -sum(b["n"] or 0 for b in shown[c]["bands"].values()))[:6]
    # the legend names the category only (the table below says where each line comes from)
    lines = {shown[c]["label"]: [
        ((shown[c]["bands"].get(b) or {}).get("ended_as_planned_pct"), (shown[c]["bands"].get(b) or {}).get("n"))
        for b in bands] for c in sorted(top)}
    blocks = [_p(f"Eindigen langere trajecten vaker volgens plan? Per soort hulp het aandeel dat volgens plan "
                 "eindigde, naar hoe lang het traject duurde, over alle jaren in de gegevens samen. Waar de regio "
                 f"{region} alle cijfers van een soort hulp kan tonen, komen ze uit de regio; anders uit alle "
                 "gemeenten in deze gegevens samen (zo blijven de aantallen groot genoeg). Bij elk cijfer staat op "
                 "hoeveel beëindigde trajecten het rust (n).", sticky=True),
              _chart(charts.duration_curve([b["duration_band_short_label"] for b in dur["bands"]], lines,
                                           f"Beëindigd volgens plan naar duur, tot en met {y}"),
                     "Een lijn die na een bepaalde duur vlak wordt of daalt, wijst erop dat langer doorgaan daar "
                     "weinig toevoegt. Een open punt rust op een klein aantal trajecten. De bron van elke lijn "
                     "staat in de tabel.")]
    rows, best = [], []
    for c in sorted(top):
        cat = shown[c]
        cells = [f"{f.name(cat['label'], '')} ({cat['source']})"]
        for b in bands:
            r = cat["bands"].get(b)
            if r is None or r["ended_as_planned_pct"] is None:
                cells.append(f.val(r, "ended_as_planned_pct", "pct", "n"))
                continue
            cells.append(f"{f.val(r, 'ended_as_planned_pct', 'pct')}\nn = {f.val(r, 'n', 'int')}"
                         f"{'*' if r['n'] < SMALL_N else ''}")
        rows.append(cells)
        firm = [(b, cat["bands"][b]) for b in bands if b in cat["bands"]
                and cat["bands"][b]["ended_as_planned_pct"] is not None and cat["bands"][b]["n"] >= SMALL_N]
        if firm:
            band, r = max(firm, key=lambda br: br[1]["ended_as_planned_pct"])
            best.append([f.name(cat["label"], ""), words[band],
                         f.val(r, "ended_as_planned_pct", "pct"), f.val(r, "n", "int")])
    blocks.append(_table(["Soort hulp (bron)", *words.values()], rows, "l" + "r" * len(bands),
                         [2.2, *[1] * len(bands)]))
    blocks.append(_note("Per cel: het aandeel volgens plan en daaronder het aantal beëindigde trajecten (n); "
                        "* klein aantal, zie de begrippenlijst."))
    if best:
        blocks.append(_p("Bij welke duur eindigen de meeste trajecten volgens plan? Alleen duren met minstens dertig "
                         "trajecten tellen mee. Dat is een samenhang, geen bewijs dat een kortere of langere duur het "
                         "resultaat veroorzaakt.", sticky=True))
        blocks.append(_table(["Soort hulp", "Duur met het hoogste aandeel", "Volgens plan", "n"], best, "llrr",
                             [2.4, 1.8, 1, 0.8]))
    return {"title": title, "blocks": blocks}


def _provider_name(f: Figures, p: dict) -> str:
    return f.name(p["provider_name"], f"aanbieder met AGB-code {p['provider_agb']} (naam niet in de referentielijst)")


def _providers(f: Figures, d: dict, y: int) -> dict:
    title = "Aanbieders: hoeveel, hoe geconcentreerd, en wie maakt meer dan drie procent winst"
    land = next((r for r in d["landscape"] if r["year"] == y), None)
    blocks = []
    if _shown(land, "providers"):
        level = HHI_LEVEL.get(land["hhi_band"] or "", "niet bekend")
        top5 = (f.val(land, "top5_share_pct", "pct") if _shown(land, "top5_share_pct")
                else TOP5_BAND.get(land["top5_share_band"] or "", f.val(land, "top5_share_pct", "pct")))
        index = (f"is {f.val(land, 'hhi', 'int')}" if _shown(land, "hhi") else
                 "wordt niet als getal getoond, omdat een kleine aanbieder verborgen blijft; de klasse is bekend")
        blocks.append(_p(f"In {y} ontvingen {f.val(land, 'providers', 'int')} aanbieders geld van {d['name']}. De vijf "
                         f"grootste kregen samen {top5} van het geld. De concentratie-index (HHI, zie de "
                         f"begrippenlijst) {index}: {level}."))
    else:
        blocks.append(_empty(f"Voor {y} tonen de gegevens geen aanbiedersoverzicht voor {d['name']}: "
                             f"{f.val(land, 'providers', 'int')}."))
    above = d["margins_above_3"]
    if above:
        names = ", ".join(f"{_provider_name(f, a)} ({f.val(a, 'margin_pct', 'pct')})" for a in above)
        blocks.append(_p(f"{f.calc(d['providers_above_3'], 'int')} van de {f.calc(d['provider_rows'], 'int')} "
                         f"aanbieders had volgens de eigen jaarrekening een winstmarge boven drie procent: {names}. "
                         "Jaarrekeningen zijn openbaar; deze namen worden dus altijd getoond."))
    elif d["provider_rows"]["value"]:
        blocks.append(_p(f"Geen van de {f.calc(d['provider_rows'], 'int')} aanbieders had volgens de jaarrekening een "
                         "winstmarge boven drie procent (voor zover de jaarrekening bekend is)."))
    shown = [p for p in d["providers"] if not p["suppressed"]]
    rows = [[_provider_name(f, p), f.val(p, "spend_eur", "euro"), f.val(p, "share_of_municipality_spend_pct", "pct"),
             f.val(p, "margin_pct", "pct", empty="no_data"), f.val(p, "trajectories_ended", "int"),
             f.val(p, "ended_as_planned_pct", "pct", "trajectories_ended"),
             f.val(p, "dropout_pct", "pct", "trajectories_ended"),
             f.val(p, "cost_per_planned_end_eur", "euro", "trajectories_ended")] for p in shown[:15]]
    if rows:
        blocks.append(_p(f"Per aanbieder: het geld dat {d['name']} in {y} betaalde, het aandeel daarvan, de winstmarge "
                         f"uit de jaarrekening, en de resultaten van de trajecten die in {y} eindigden, met wat één "
                         "traject dat volgens plan eindigde kostte (alle uitgaven aan de beëindigde trajecten gedeeld "
                         "door het aantal dat volgens plan eindigde).", sticky=True))
        blocks.append(_table(["Aanbieder", "Uitgaven", "Aandeel", "Marge", "Beëindigd", "Volgens plan", "Uitval",
                              "Kosten per traject volgens plan"], rows, "lrrrrrrr",
                             [2.1, 1.2, 0.9, 0.9, 1.05, 1.05, 1.05, 1.2]))
        blocks.append(_note("Vergelijk aanbieders niet alleen op deze ruwe cijfers: een aanbieder met zwaardere "
                            "problematiek haalt minder vaak het plan. Hieronder staat de vergelijking met wat bij "
                            "de kinderen van elke aanbieder te verwachten was."))
        if len(shown) > 15:
            blocks.append(_note("Hier de vijftien grootste van de aanbieders die getoond kunnen worden."))
    blocks += _hidden(f, d["providers"], "aanbieders")
    blocks += _funnel(f, d["funnel"], d["name"])
    return {"title": title, "blocks": blocks}


# the funnel's two outcomes (queries/funnel.sql) as the letter names them: (noun, chart title, y label)
FUNNEL_OUTCOME = {"dropout": ("uitval", "Uitval per aanbieder tegen wat verwacht werd",
                              "uitval: waargenomen / verwacht"),
                  "planned": ("beëindigd volgens plan", "Beëindigd volgens plan per aanbieder tegen wat verwacht werd",
                              "volgens plan: waargenomen / verwacht")}
SIGNAL_WORDS = {"above": "hoger dan verwacht", "below": "lager dan verwacht"}
# the case-mix model's factors (queries/case_mix_factors.sql) in the letter's words
FACTOR_WORDS = {"age_band": "leeftijd", "sex": "geslacht", "product_category": "soort hulp (productcategorie)",
                "referrer": "verwijzer", "duration_band": "duur van het traject",
                "end_year": "het jaar waarin het traject eindigde"}


def _factor_list(factors: list[str]) -> str:
    """'leeftijd, geslacht en verwijzer', in the glossary's order; a factor the letter has no words
    for is named as such rather than by its code."""
    words = [FACTOR_WORDS[k] for k in FACTOR_WORDS if k in factors]
    words += ["een ander kenmerk in de gegevens"] * any(k not in FACTOR_WORDS for k in factors)
    return " en ".join([", ".join(words[:-1]), words[-1]]) if len(words) > 1 else "".join(words)


def _drawable(r: dict, prefix: str) -> bool:
    """A provider's point can be drawn: its row is shown and neither n nor the ratio is emptied, and
    it has limits (none when every one of its children was expected to have the outcome)."""
    return (not r["suppressed"] and r["trajectories_ended"] is not None and r[f"{prefix}_ratio"] is not None
            and r[f"{prefix}_upper_95"] is not None)


def _not_drawable_sql(prefix: str) -> str:
    """`_drawable`'s opposite as a predicate on the mart, for the counts the letter prints."""
    return f"t.suppressed OR t.trajectories_ended IS NULL OR t.{prefix}_ratio IS NULL OR t.{prefix}_upper_95 IS NULL"


def _funnel_count(f: Figures, rows: list[dict], condition: str, value: int) -> str:
    """A count of the funnel's rows, printed with the query that counts them."""
    return f.calc({"value": value, "sql": count_sql(rows[0], condition)}, "int")


def _funnel(f: Figures, fun: dict, name: str) -> list[dict]:
    """Almelo's and Hoogeveen's ask, compared fairly: each provider's dropout (and planned endings)
    against what the children it treats predict, as a funnel plot with the published limits, and
    the providers outside them in a table. Worded as a signal to discuss, never a verdict, and with
    what the comparison cannot see. A letter shows the providers that worked in its municipality or
    region, each at its point over all municipalities in the file: one area's cell of a provider is
    mostly too small to show."""
    rows = fun["rows"]
    first, last = fun["period"].split("-")[0], fun["period"].split("-")[-1]
    when = f"{first} tot en met {last}" if fun["pooled"] else last
    # the area's providers, each at its point over all municipalities in the file
    subject = name if fun["area_level"] == "municipality" else f"de regio {name}"
    scope = f"de aanbieders van {subject}"
    among = f"aanbieders van {subject}, over alle gemeenten in deze gegevens samen"
    where = (f"bij de aanbieders die in {subject} werkten, elk over alle gemeenten in deze gegevens samen (per "
             "gemeente zijn de aantallen meestal te klein om te tonen)")
    hidden = sum(not _drawable(r, "dropout") for r in rows)
    has = "aanbieder heeft" if hidden == 1 else "aanbieders hebben"
    hidden_count = _funnel_count(f, rows, _not_drawable_sql("dropout"), hidden) if hidden else ""
    hidden_note = ([_note(f"{hidden_count} {has} ook over alle gemeenten in deze gegevens samen geen punt: te weinig "
                          "cliënten, of verborgen zodat kleine aantallen elders niet terug te rekenen zijn.")]
                   if hidden else [])
    blocks = [_sub("Uitval en einde volgens plan, vergeleken met wat bij deze kinderen te verwachten was")]
    if not any(_drawable(r, "dropout") for r in rows):
        return [*blocks, _empty(f"Voor {scope} tonen de gegevens over {when} geen aanbieder met genoeg cliënten om te "
                                "vergelijken."), *hidden_note]
    blocks += [_p("Heeft een aanbieder meer of minder uitval dan je zou verwachten gegeven de kinderen die "
                 "deze aanbieder behandelt? Per aanbieder staat het aantal trajecten dat voortijdig werd afgebroken "
                 "tegenover het aantal dat een rekenmodel verwacht voor deze kinderen, op grond van "
                 f"{_factor_list(fun['factors'])} (de casemix). De verhouding "
                 "waargenomen gedeeld door verwacht is één als het loopt zoals verwacht, en hoger bij meer uitval. "
                 f"Het gaat om de trajecten die eindigden in {when}, {where}"
                 + (": drie jaren samen, want die schommelen minder door toeval dan één jaar."
                    if fun["pooled"] else "."), sticky=True)]
    table_blocks = []
    for prefix, (noun, chart_title, ylabel) in FUNNEL_OUTCOME.items():
        shown = [r for r in rows if _drawable(r, prefix)]
        if not shown:
            continue
        phi = fun["overdispersion"][prefix]
        widened = (f"verbreed met de overdispersie ({f.calc(phi, 'dec2')})" if (phi["value"] or 1) > 1 else
                   "niet verbreed: de aanbieders liepen niet meer uiteen dan toeval verklaart")
        blocks.append(_chart(
            # the chart's words are drawn, not text: a name missing from the reference data gets its code
            charts.funnel([(r["provider_agb"], r["provider_name"] or f"AGB-code {r['provider_agb']}",
                            charts.precision(r[f"{prefix}_expected"], r["trajectories_ended"]),
                            r[f"{prefix}_ratio"], r[f"{prefix}_signal"]) for r in shown],
                          phi["value"] or 1, f"{chart_title}, {fun['period']}", ylabel, f"funnel-{prefix}"),
            f"{noun[0].upper()}{noun[1:]} per aanbieder ({among}): waargenomen gedeeld door verwacht, tegen hoe "
            "nauwkeurig die verhouding is (dat groeit met het aantal trajecten). Binnen de lijnen liggen de "
            "verschillen die ook door toeval ontstaan; een punt daarbuiten staat er met naam bij. De lijnen zijn "
            f"{widened} (zie de begrippenlijst).") | {"file": f"funnel_{prefix}"})
        outside = sorted((r for r in shown if r[f"{prefix}_signal"] != "within"),
                         key=lambda r: (-r[f"{prefix}_ratio"], r["provider_agb"]))
        drawn = f"NOT ({_not_drawable_sql(prefix)})"
        of_shown = f"de {_funnel_count(f, rows, drawn, len(shown))} getoonde aanbieders"
        label = f"{noun[0].upper()}{noun[1:]}"
        if not outside:
            table_blocks.append(_p(f"{label}: geen van {of_shown} ligt buiten de grenzen; de verschillen passen bij "
                                   "wat toeval geeft."))
            continue
        count = _funnel_count(f, rows, f"{drawn} AND t.{prefix}_signal <> 'within'", len(outside))
        table_blocks.append(_p(f"{label}: {count} van {of_shown} {'ligt' if len(outside) == 1 else 'liggen'} buiten "
                               f"de {f.const('95%', 'the inner limit of the funnel')}-grenzen (n: beëindigde "
                               f"trajecten; waargenomen en verwacht: het aantal met {noun}):", sticky=True))
        table_blocks.append(_table(
            ["Aanbieder", "n", "Waargenomen", "Verwacht", "Verhouding",
             f"{f.const('95%', 'the inner limit of the funnel')}-grenzen",
             f"{f.const('99,8%', 'the outer limit of the funnel')}-grenzen", "Signaal"],
            [[_provider_name(f, r), f.val(r, "trajectories_ended", "int"), f.val(r, f"{prefix}_observed", "int"),
              # ratio and limits to the three decimals the signal is judged on, so none reads equal
              f.val(r, f"{prefix}_expected", "dec1"), f.val(r, f"{prefix}_ratio", "dec3"),
              f"{f.val(r, f'{prefix}_lower_95', 'dec3')} – {f.val(r, f'{prefix}_upper_95', 'dec3')}",
              f"{f.val(r, f'{prefix}_lower_998', 'dec3')} – {f.val(r, f'{prefix}_upper_998', 'dec3')}",
              SIGNAL_WORDS[r[f"{prefix}_signal"].split("_")[0]]
              + (f", ook buiten {f.const('99,8%', 'the outer limit of the funnel')}"
                 if r[f"{prefix}_signal"].endswith("99.8") else "")] for r in outside],
            "lrrrrrrl", [1.9, 0.7, 1.45, 1, 1.1, 1.1, 1.15, 1.9]))
    blocks.append(_p("Hoger of lager dan verwacht gegeven de kinderen die deze aanbieder behandelt: dat is een signaal "
                     "om met de aanbieder te bespreken, geen oordeel. De vergelijking corrigeert alleen voor "
                     f"{_factor_list(fun['factors'])}, niet voor wat niet in de gegevens staat, zoals de zwaarte van "
                     "de problemen of de gezinssituatie. Ze zegt niets over een individueel kind."))
    return blocks + table_blocks + hidden_note


# an empty allocation figure: why (the YAML of the table queries/allocation.sql reads)
ALLOCATION_EMPTY = {"allocated_volume_eur": "not_measured", "declared_over_allocation_eur": "not_measured"}


def _allocation(f: Figures, d: dict, y: int) -> dict:
    title = "Toewijzingen en declaraties"
    a = d["allocation"]
    if not a["shown"]["value"]:
        return {"title": title, "blocks": [_empty(
            f"Voor {y} tonen de gegevens geen vergelijking van toewijzingen en declaraties voor {d['name']}: "
            f"{f.calc(a['rows'], 'int')} aanbieders, geen daarvan te tonen zonder kleine aantallen te verraden.")]}

    def total(col: str, kind: str) -> str:
        t = a["totals"][col]
        if t["value"] is None:
            return f.missing(ALLOCATION_EMPTY.get(col, "hidden"), t["sql"], kind)
        return f.calc(t, kind)

    blocks = [_p(f"Wijst de gemeente toe wat er gedeclareerd wordt? Van de {f.calc(a['rows'], 'int')} aanbieders "
                 f"met toewijzingen of declaraties kunnen er {f.calc(a['shown'], 'int')} getoond worden; de andere "
                 "hebben te weinig cliënten. Over die getoonde aanbieders samen:"),
              _table(["Signaal", f"Samen, bij de {f.calc(a['shown'], 'int')} getoonde aanbieders"], [
                  ["Toewijzingen", total("allocations", "int")],
                  ["Toegewezen bedrag (waar een budget of tarief een bedrag geeft)",
                   total("allocated_volume_eur", "euro")],
                  ["Gedeclareerd", total("declared_eur", "euro")],
                  ["Gedeclareerd boven de toegewezen omvang", total("declared_over_allocation_eur", "euro")],
                  ["Declaratieregels buiten de periode van de toewijzing",
                   total("lines_outside_allocation_period", "int")],
                  ["Toewijzingen zonder declaratie", total("allocations_without_declarations", "int")],
                  ["Declaraties zonder toewijzing", total("declarations_without_allocation", "int")],
              ], "lr", [3, 1])]
    blocks.append(_note(f"Een totaal staat er alleen als elke getoonde aanbieder het cijfer heeft. {DASH} verborgen: "
                        "bij ten minste één aanbieder te weinig cliënten (het kan ook nul zijn). "
                        f"{DASH} niet gemeten: bij ten minste één aanbieder is geen bedrag toegewezen of geen "
                        "tarief bekend."))
    return {"title": title, "blocks": blocks}


def _quality_blocks(f: Figures, d: dict) -> list[dict]:
    about = d["publication"]
    rejected = about["files_rejected"] or 0
    retracted = about["files_retracted"] or 0
    outcomes = (f"{long_date(date.fromisoformat(about['outcome_records_through']))} (uitkomstregistraties)"
                if about.get("outcome_records_through") else "nog zonder uitkomstregistraties")
    files = f"{f.val(about, 'files_loaded', 'int')} ingelezen bestanden"
    if rejected:
        files += (f"; {f.val(about, 'files_rejected', 'int')} "
                  + ("bestand werd geweigerd omdat het niet te lezen was" if rejected == 1 else
                     "bestanden werden geweigerd omdat ze niet te lezen waren"))
    if retracted:
        files += f"; {f.val(about, 'files_retracted', 'int')} {'werd' if retracted == 1 else 'werden'} ingetrokken"
    return [_p(f"De cijfers lopen tot en met {long_date(date.fromisoformat(about['data_through']))} (declaraties), "
               f"{outcomes}. De gegevens komen uit {files}."),
            _p(f"Een cijfer over minder dan {f.val(about, 'min_cell_size', 'int')} cliënten wordt niet getoond, en "
               "ook niet een cijfer waaruit zo'n klein aantal terug te rekenen zou zijn. Daardoor tellen de "
               "uitsplitsingen niet altijd op tot het totaal. Waar een cijfer ontbreekt staat een streepje met de "
               "reden: verborgen, niet gemeten of nog geen gegevens (zie de begrippenlijst).")]


def _quality(f: Figures, d: dict, y: int) -> dict:
    blocks = _quality_blocks(f, d)
    rows = [[d["table_labels"].get(r["table_name"], "andere uitsplitsing"), f.val(r, "spend_shown_eur", "euro"),
             f.val(r, "spend_not_shown_eur", "euro"), f.val(r, "rows_not_shown", "int")] for r in d["not_shown"]]
    if rows:
        # the table follows its own lead-in onto the next page rather than standing there alone
        blocks.append(_p(f"Per uitsplitsing van de uitgaven van {d['name']} in {y}: het bedrag dat getoond wordt, het "
                         "bedrag dat niet getoond wordt en het aantal regels dat daarvoor verborgen is.", sticky=True))
        blocks.append(_table(["Uitsplitsing van de uitgaven", "Getoond", "Niet getoond", "Regels niet getoond"], rows,
                             "lrrr"))
    return {"title": "Datakwaliteit en wat niet getoond wordt", "blocks": blocks}


# ---------------------------------------------------------------------------------------------- region

def region_document(d: dict[str, Any], period_title: str) -> dict[str, Any]:
    f = Figures()
    y, region = d["period"]["year"], f.name(d["name"], "")
    opening = _opening(f, d, f"de regio {region}", period_title)
    meta = [["Gemeenten in de gegevens", ", ".join(f.name(m["name"], "") for m in d["members"]) or DASH]
            if row[0] == "Jeugdzorgregio" else row for row in _meta(f, d)]
    summary = _provisional_summary(d, period_title) + _region_summary(f, d, y)
    sections = [_region_spend(f, d, y), _region_outcomes(f, d, y), _region_growth(f, d, y), _region_access(f, d, y),
                _duration_section(f, d["duration"], region, y), _region_providers(f, d, y), _region_quality(f, d, y),
                _terms(f)]
    return {"kind": "region", "title": f"Jeugdhulp in de regio {region}: uitgaven en resultaten, {period_title}",
            "to": f"de gemeenteraden in de jeugdzorgregio {region}", "region": region,
            "from": f"de colleges van burgemeester en wethouders in de regio {region}", "demo": bool(d.get("demo")),
            "opening": opening, "meta": meta, "summary": summary, "sections": _numbered(f, sections),
            "figures": f.items}


def _rb(d: dict, measure: str, y: int) -> dict | None:
    return d["benchmark"].get(measure, {}).get(y)


def _region_summary(f: Figures, d: dict, y: int) -> list[str]:
    out = []
    spy = _rb(d, "spend_per_youth_eur", y)
    if _shown(spy):
        out.append(f"De regio {d['name']} gaf in {y} {f.val(spy, 'value', 'euro2')} per jeugdige uit, tegen "
                   f"{f.val(spy, 'all_value', 'euro2')} in {_group(f, d)} samen.")
    planned = _rb(d, "ended_as_planned_pct", y)
    if _shown(planned):
        out.append(f"{f.val(planned, 'value', 'pct')} van de {f.val(planned, 'n', 'int')} beëindigde trajecten "
                   "eindigde volgens plan.")
    if not out:
        out.append(f"Over de regio {d['name']} bevatten de gegevens voor {y} niets dat getoond kan worden.")
    return out


def _peer(d: dict, measure: str, code: str) -> dict | None:
    return next((q for q in d["table"][measure] if q["municipality_code"] == code), None)


def _region_spend(f: Figures, d: dict, y: int) -> dict:
    region, blocks = d["name"], []
    spy = _rb(d, "spend_per_youth_eur", y)
    if not _shown(spy):
        blocks.append(_empty(f"Voor {y} tonen de gegevens geen uitgaven per jeugdige voor de regio {region}."))
    else:
        blocks.append(_p(f"Per inwoner jonger dan achttien jaar gaf de regio {region} in {y} "
                         f"{f.val(spy, 'value', 'euro2')} uit aan jeugdhulp, tegen {f.val(spy, 'all_value', 'euro2')} "
                         f"in {_group(f, d)} samen. De regiocijfers zijn gewogen: het geld van de hele regio gedeeld "
                         "door al haar jeugdigen, geen gemiddelde van de gemeentecijfers."))
        years = sorted(d["benchmark"].get("spend_per_youth_eur", {}))
        vals = [(_rb(d, "spend_per_youth_eur", yr) or {}) for yr in years]
        if sum(v.get("value") is not None for v in vals) >= 2:
            blocks.append(_chart(charts.trend(years, [(f"regio {region}", [v.get("value") for v in vals], "subject"),
                                                      ("gemeenten in deze gegevens", [v.get("all_value") for v in vals],
                                                       "all")], "eur", "Uitgaven per jeugdige per jaar"),
                                 f"Uitgaven per jeugdige: de regio {region} tegen {_group(f, d)}."))
    cols = ("spend_per_youth_eur", "clients_per_1000_youth", "spend_per_client_eur", "evidence_based_spend_pct")
    rows = [[f.name(p["name"], ""), *(f.val(_peer(d, m, p["municipality_code"]), "value", _format(d, m), "n")
                                      for m in cols)] for p in d["table"]["spend_per_youth_eur"]]
    if rows:
        blocks.append(_table(["Gemeente", "Per jeugdige", "Cliënten per duizend jeugdigen", "Per cliënt",
                              "Naar door het NJi als effectief erkende interventies"],
                             rows, "lrrrr", [2.2, 1.2, 1.2, 1.2, 1.4]))
    peers = [(p["name"], p["value"], None) for p in d["table"]["spend_per_youth_eur"]]
    if _shown(spy) and len(peers) > 1:
        blocks.append(_chart(charts.benchmark_bar(peers, None, spy["value"], f"regio {region}", "eur",
                                                  f"Uitgaven per jeugdige in {y}, gemeenten in de regio"),
                             "De stippellijn is de regio als geheel."))
    return {"title": "Uitgaven: de gemeenten naast elkaar", "blocks": blocks}


def _region_outcomes(f: Figures, d: dict, y: int) -> dict:
    title = "Resultaten van de hulp"
    outcomes = _outcomes_of(d)
    if not any(_shown(_rb(d, m, y)) for m in outcomes):
        return {"title": title, "blocks": [_empty(f"Voor {y} tonen de gegevens geen resultaten voor de regio "
                                                  f"{d['name']}.")]}
    rows = []
    for m in outcomes:
        r = _rb(d, m, y)
        rows.append([_label(d, m), f.val(r, "value", _format(d, m), "n"), f.val(r, "n", "int"),
                     f.val(r, "all_value", _format(d, m), "all_n")])
    blocks = [_table(["Maat", f"Regio {d['name']}", "n", f"{f.calc(d['group_size'], 'int')} gemeenten samen"], rows,
                     "lrrr", [2.6, 1.2, 1.2, 1.4])]
    per = []
    for p in d["table"]["ended_as_planned_pct"]:
        cells = [f.name(p["name"], "")]
        for m in outcomes:
            q = _peer(d, m, p["municipality_code"])
            n = q.get("n") if q else None
            cells.append(f.val(q, "value", _format(d, m), "n")
                         + (f" (n = {f.val(q, 'n', 'int')}{'*' if n < SMALL_N else ''})" if _shown(q) and n else ""))
        per.append(cells)
    if per:
        blocks.append(_p("Per gemeente, met op hoeveel trajecten of antwoorden elk cijfer rust (* klein aantal, zie de "
                         "begrippenlijst):", sticky=True))
        blocks.append(_table(["Gemeente", "Volgens plan", "Uitval", "Geen nieuwe hulp", "Tevredenheid"], per, "lrrrr",
                             [1.6, 1.4, 1.4, 1.4, 1.4]))
    return {"title": title, "blocks": blocks}


def _region_growth(f: Figures, d: dict, y: int) -> dict:
    parts = [("spend_change_pct", "Verandering van de uitgaven"), ("client_effect_pct", "waarvan: aantal cliënten"),
             ("per_client_effect_pct", "waarvan: uitgaven per cliënt"),
             ("price_effect_pct", "waarvan: tarieven"),
             ("volume_mix_effect_pct", "waarvan: hoeveelheid en soort zorg"),
             ("tariff_change_pct", "Tariefverandering")]
    rows = [[label, f.val(r, "value", "pct_signed"), f.val(r, "all_value", "pct_signed")]
            for m, label in parts if _shown(r := _rb(d, m, y))]
    if not rows:
        return {"title": "Waarom veranderden de uitgaven?", "blocks": [_empty(
            f"Voor {y} tegen {y - 1} tonen de gegevens geen uitsplitsing voor de regio {d['name']}.")]}
    blocks = [
        _p(f"De verandering van de uitgaven van {y - 1} op {y}, als percentage van de uitgaven in {y - 1}, verdeeld "
           "over meer of minder cliënten tegen meer of minder geld per cliënt, en over tarieven tegen de hoeveelheid "
           "en soort zorg (zie de begrippenlijst: uitsplitsing van de verandering)."),
        _table(["Onderdeel", f"Regio {d['name']}", f"{f.calc(d['group_size'], 'int')} gemeenten samen"], rows, "lrr",
               [3, 1.2, 1.2])]
    youth = {r["municipality_code"]: r for r in d["youth"]}
    side = [[f.name(p["name"], ""),
             *(f.val(_peer(d, m, p["municipality_code"]), "value", "pct_signed") for m, _l in parts[:5]),
             f.val(youth.get(p["municipality_code"]), "youth_population_change", "int")]
            for p in d["table"]["spend_change_pct"]]
    if side:
        change = d["youth_total"]["value"]
        trend = ("" if change is None else " Het aantal jeugdigen in de regio bleef in die tijd gelijk." if change == 0
                 else f" Het aantal jeugdigen in de regio {'daalde' if change < 0 else 'steeg'} in die tijd met "
                      f"{f.calc(d['youth_total_abs'], 'int')}.")
        blocks += [_p("Per gemeente naast elkaar: waar kwam de verandering vandaan, en hoe veranderde het aantal "
                      "jeugdigen (inwoners jonger dan achttien jaar)?" + trend, sticky=True),
                   _table(["Gemeente", "Uitgaven", "Cliënten", "Per cliënt", "Tarieven", "Soort zorg",
                           "Jeugdigen erbij of eraf"], side, "lrrrrrr", [1.8, 1, 1, 1, 1, 1, 1.2])]
    blocks += _region_history_blocks(f, d["history"], y)
    return {"title": "Waarom veranderden de uitgaven?", "blocks": blocks}


def _region_history_blocks(f: Figures, h: dict, y: int) -> list[dict]:
    """Spend against young people over every year in the file: the audit's 'more cost for fewer
    young people' is a trend, not one year's change."""
    if len(h["years"]) < 2:
        return []

    def why(r: dict | None) -> str:
        """Why a total of the region is empty: a member without data that year, or a hidden cell
        (else the value is not known: a population the reference data lack)."""
        return "no_data" if r is None or not r["complete"] else "hidden" if r["hidden"] else "no_data"

    rows = [[str(r["year"]), f.val(r, "spend_eur", "euro", empty=why(r)),
             f.val(r, "youth_population", "int", empty=why(r)),
             f.val(r, "spend_per_youth_eur", "euro2", empty=why(r))] for r in h["years"]]
    ends = (h["years"][0], next((r for r in h["years"] if r["year"] == y), None))

    def change(column: str) -> str:
        gaps = [r for r in ends if r is None or r[column] is None]  # an end year without the value says why
        return f.calc(h["change"][column], "pct_signed", empty=why(gaps[0]) if gaps else "hidden")

    text = (f"De regio over de jaren: van {h['first']} tot en met {y} veranderden de uitgaven met "
            f"{change('spend_eur')}, het aantal jeugdigen met {change('youth_population')} en de uitgaven per "
            f"jeugdige met {change('spend_per_youth_eur')}.")
    return [_p(text, sticky=True),
            _table(["Jaar", "Uitgaven", "Jeugdigen", "Uitgaven per jeugdige"], rows, "lrrr", [1, 1.6, 1.3, 1.6]),
            _note("Opgeteld over de gemeenten van de regio. Een cijfer blijft leeg zodra het bij één gemeente "
                  "verborgen of onbekend is, of zolang een gemeente in dat jaar nog geen gegevens heeft. De "
                  "uitgaven van het eerste jaar kunnen laag zijn als de gegevens in dat jaar beginnen.")]


def _region_access(f: Figures, d: dict, y: int) -> dict:
    title = "Toegang: langs welke weg begint de hulp?"
    rows = [[f.name(r["description"], f"verwijzer met code {r['referrer']} (niet in de referentielijst)"),
             f.val(r, "region_share_of_starts_pct", "pct")] for r in d["referral"]]
    if not rows:
        return {"title": title, "blocks": [_empty(f"Voor {y} tonen de gegevens geen verwijzers voor de regio "
                                                  f"{d['name']}.")]}
    return {"title": title, "blocks": [_p(f"Het aandeel van de in {y} begonnen trajecten in de regio per verwijzer:"),
                                       _table(["Verwijzer", "Aandeel van de trajecten"], rows, "lr", [4, 1.3])]}


def _region_providers(f: Figures, d: dict, y: int) -> dict:
    rows = []
    for r in d["landscape"]:
        hhi = f.val(r, "hhi", "int") if _shown(r, "hhi") else HHI_LEVEL.get(r["hhi_band"] or "", f.val(r, "hhi", "int"))
        top5 = (f.val(r, "top5_share_pct", "pct") if _shown(r, "top5_share_pct")
                else TOP5_BAND.get(r["top5_share_band"] or "", f.val(r, "top5_share_pct", "pct")))
        rows.append([f.name(r["name"], ""), f.val(r, "providers", "int"), hhi, top5])
    if not rows:
        return {"title": "Aanbieders", "blocks": [_empty(f"Voor {y} tonen de gegevens geen aanbieders voor de regio.")]}
    return {"title": "Aanbieders", "blocks": [
        _p("Per gemeente: hoeveel aanbieders geld ontvingen, hoe geconcentreerd de uitgaven zijn (de "
           "concentratie-index HHI, zie de begrippenlijst) en welk deel naar de vijf grootste ging. Welke aanbieders "
           "meer dan drie procent winst maken staat in de brief van elke gemeente."),
        _table(["Gemeente", "Aanbieders", "HHI", "Aandeel van de vijf grootste"], rows, "lrrr", [2.5, 1, 1.2, 1.4]),
        *_funnel(f, d["funnel"], d["name"])]}


def _region_quality(f: Figures, d: dict, y: int) -> dict:
    blocks = _quality_blocks(f, d)
    rows = [[d["table_labels"].get(r["table_name"], "andere uitsplitsing"), f.val(r, "spend_not_shown_eur", "euro"),
             f.val(r, "rows_not_shown", "int")] for r in d["not_shown"]]
    if rows:
        blocks.append(_table(["Uitsplitsing van de uitgaven", "Niet getoond (som over de gemeenten)",
                              "Regels niet getoond"], rows, "lrr"))
    return {"title": "Datakwaliteit en wat niet getoond wordt", "blocks": blocks}


# ---------------------------------------------------------------------------------------------- month

MONTH_LABELS = {"spend_eur": "Uitgaven", "clients": "Cliënten", "started": "Begonnen trajecten",
                "ended": "Beëindigde trajecten", "running": "Lopende trajecten aan het eind van de maand",
                "running_over_12m": "waarvan langer dan een jaar",
                "running_without_outcome_over_12m": "waarvan langer dan een jaar zonder uitkomstmeting"}
# the same measures as the subject of a sentence
MONTH_SUBJECT = {**MONTH_LABELS, "running_over_12m": "Het aantal trajecten dat langer dan een jaar loopt",
                 "running_without_outcome_over_12m": "Het aantal trajecten dat langer dan een jaar loopt zonder "
                                                     "uitkomstmeting"}
MONTH_FORMAT = {"spend_eur": "euro"}


def _warning_blocks(f: Figures, w: dict[str, Any]) -> list[dict]:
    """The WARN checks that spoke up, by the norm each watches: they let the night run finish, so
    only this says that a person was asked to look."""
    failing = w["failing"]["value"] or 0
    blocks = [_p(f"Welke controles sloegen alarm? De nachtelijke verwerking kent {f.calc(w['checks'], 'int')} "
                 "controles die niets tegenhouden, maar waarschuwen dat iemand moet kijken. Bij het publiceren van "
                 f"deze cijfers gaven er {f.calc(w['failing'], 'int')} een waarschuwing (voor de hele "
                 "gegevensverzameling, niet alleen deze gemeente)" + (":" if failing else "."), sticky=bool(failing))]
    if failing:
        blocks.append(_table(["Deze norm werd niet gehaald"], [[f.name(n, "")] for n in w["norms"]], "l"))
    if w["never_run"]["value"]:
        blocks.append(_note(f"{f.calc(w['never_run'], 'int')} van deze controles zijn nog nooit uitgevoerd; hun "
                            "uitkomst is onbekend."))
    return blocks


def month_document(d: dict[str, Any], period_title: str) -> dict[str, Any]:
    """Almere's monthly letter, kept short: the month against the same month a year before, what
    changed most, what the latest ingestion held back and which WARN checks spoke up."""
    f = Figures()
    name = f.name(d["name"], "")
    f.name(d["region"], "")  # the region's name is printed in the letter's details: digits in it are a name's
    subject = name if d["kind"] == "municipality" else f"de regio {name}"
    y = d["period"]["year"]
    m = d["measures"]
    opening = (f"Met dit maandbericht informeren wij u kort over de jeugdhulp in {subject} in {period_title}, "
               f"vergeleken met dezelfde maand een jaar eerder: wat ging goed en wat niet?")
    if d.get("motion"):
        opening += f" Zo geven wij antwoord op {f.name(d['motion'], '')}."
    rows = [[MONTH_LABELS[k], f.calc(v["now"], MONTH_FORMAT.get(k, "int")),
             f.calc(v["before"], MONTH_FORMAT.get(k, "int")), f.calc(v["change_pct"], "pct_signed")]
            for k, v in m.items()]
    summary = []
    spend = m["spend_eur"]
    if spend["now"]["value"] is not None:
        summary.append(f"In {period_title} ging {f.calc(spend['now'], 'euro')} naar jeugdhulp, tegen "
                       f"{f.calc(spend['before'], 'euro')} een jaar eerder.")
    started = m["started"]
    if started["now"]["value"] is not None:
        summary.append(f"Er begonnen {f.calc(started['now'], 'int')} trajecten, tegen "
                       f"{f.calc(started['before'], 'int')} een jaar eerder.")
    changed = [(k, v["change_pct"]["value"]) for k, v in m.items() if v["change_pct"]["value"] is not None]
    blocks = [_table(["", period_title, f"een jaar eerder ({y - 1})", "Verandering"], rows, "lrrr",
                     [2.6, 1.2, 1.3, 1])]
    if d["kind"] == "region":
        blocks.append(_note("Opgeteld over de gemeenten van de regio; een cijfer is verborgen zodra het bij één "
                            "gemeente verborgen is."))
    if changed:
        most, change = max(changed, key=lambda kv: abs(kv[1]))
        word = "steeg het meest" if change > 0 else "daalde het meest"
        sentence = f"{MONTH_SUBJECT[most]} {word}: {f.calc(m[most]['change_pct'], 'pct_signed')}"
        blocks.append(_p(f"Wat veranderde het meest? {sentence} tegen dezelfde maand een jaar eerder."))
        summary.append(f"{MONTH_SUBJECT[most]} {word}: {f.calc(m[most]['change_pct'], 'pct_signed')}.")
    if not summary:
        summary.append(f"Over {subject} bevatten de gegevens voor {period_title} niets dat getoond kan worden.")
    summary = _provisional_summary(d, period_title) + summary
    ingestion = [[KIND_NL.get(r["kind"], r["kind"]) + (" (geweigerd)" if r["status"] == "rejected" else ""),
                  f.val(r, "files", "int"), f.val(r, "rows_read", "int"), f.val(r, "rows_quarantined", "int")]
                 for r in d["ingestion"]]
    check_blocks = [_p("Wat hield de laatste inleesronde tegen? Per soort bestand: hoeveel bestanden en regels er "
                       "binnenkwamen en hoeveel regels werden tegengehouden omdat ze een regel van de controle niet "
                       "haalden (voor de hele gegevensverzameling, niet alleen deze gemeente).", sticky=True),
                    _table(["Soort bestand", "Bestanden", "Regels", "Tegengehouden"], ingestion, "lrrr",
                           [2.4, 1, 1, 1])] if ingestion else [_empty("Er is nog niets ingelezen.")]
    check_blocks += _warning_blocks(f, d["warnings"])
    sections = [{"title": "De maand tegen dezelfde maand een jaar eerder", "blocks": blocks},
                {"title": "Wat er bij het inlezen misging", "blocks": check_blocks},
                {"title": "Datakwaliteit", "blocks": _quality_blocks(f, d)}, _terms(f, missing_only=True)]
    return {"kind": d["kind"], "title": f"Jeugdhulp in {subject}: maandbericht {period_title}",
            "to": f"de gemeenteraad van {name}" if d["kind"] == "municipality"
            else f"de gemeenteraden in de jeugdzorgregio {name}",
            "from": "het college van burgemeester en wethouders" if d["kind"] == "municipality"
            else f"de colleges van burgemeester en wethouders in de regio {name}",
            "region": d["region"] or "", "demo": bool(d.get("demo")), "opening": opening,
            "meta": _meta(f, d), "summary": summary, "sections": _numbered(f, sections), "figures": f.items}
