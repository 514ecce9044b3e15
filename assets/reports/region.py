"""The year (or quarter) letter of a youth-care region: its municipalities side by side."""

from __future__ import annotations

from typing import Any

from assets.reports import charts
from assets.reports.blocks import blank, chart, glossary, note, numbered, para, table
from assets.reports.duration import duration_section
from assets.reports.figures import DASH, Figures
from assets.reports.formatting import SMALL_N
from assets.reports.heading import details, group_of, opening_text, provisional_summary
from assets.reports.lookup import at, filled, fmt, measures_in, name_of, outcomes_of, short_of, widths
from assets.reports.provider_funnel import funnel_blocks
from assets.reports.quality import quality_blocks
from assets.reports.words import HHI_LEVEL, TOP5_BAND


def region_document(d: dict[str, Any], period_title: str) -> dict[str, Any]:
    f = Figures()
    y, region = d["period"]["year"], f.name(d["name"], "")
    opening = opening_text(f, d, f"de regio {region}", period_title)
    meta = [["Gemeenten in de gegevens", ", ".join(f.name(m["name"], "") for m in d["members"]) or DASH]
            if row[0] == "Jeugdzorgregio" else row for row in details(f, d)]
    summary = provisional_summary(d, period_title) + _region_summary(f, d, y)
    sections = [_region_spend(f, d, y), _region_outcomes(f, d, y), _region_growth(f, d, y), _region_access(f, d, y),
                duration_section(f, d["duration"], region, y), _region_providers(f, d, y), _region_quality(f, d, y),
                glossary(f)]
    return {"kind": "region", "title": f"Jeugdhulp in de regio {region}: uitgaven en resultaten, {period_title}",
            "to": f"de gemeenteraden in de jeugdzorgregio {region}", "region": region,
            "from": f"de colleges van burgemeester en wethouders in de regio {region}", "demo": bool(d.get("demo")),
            "opening": opening, "meta": meta, "summary": summary, "sections": numbered(f, sections),
            "figures": f.items}


def _region_summary(f: Figures, d: dict, y: int) -> list[str]:
    out = []
    spy = at(d["benchmark"], "spend_per_youth_eur", y)
    if filled(spy):
        out.append(f"De regio {d['name']} gaf in {y} {f.val(spy, 'value', 'euro2')} per jeugdige uit, tegen "
                   f"{f.val(spy, 'all_value', 'euro2')} in {group_of(f, d)} samen.")
    planned = at(d["benchmark"], "ended_as_planned_pct", y)
    if filled(planned):
        out.append(f"{f.val(planned, 'value', 'pct')} van de {f.val(planned, 'n', 'int')} beëindigde trajecten "
                   "eindigde volgens plan.")
    if not out:
        out.append(f"Over de regio {d['name']} bevatten de gegevens voor {y} niets dat getoond kan worden.")
    return out


def _peer(d: dict, measure: str, code: str) -> dict | None:
    return next((q for q in d["table"][measure] if q["municipality_code"] == code), None)


def _region_spend(f: Figures, d: dict, y: int) -> dict:
    region, blocks = d["name"], []
    spy = at(d["benchmark"], "spend_per_youth_eur", y)
    if not filled(spy):
        blocks.append(blank(f"Voor {y} tonen de gegevens geen uitgaven per jeugdige voor de regio {region}."))
    else:
        blocks.append(para(f"Per inwoner jonger dan achttien jaar gaf de regio {region} in {y} "
                           f"{f.val(spy, 'value', 'euro2')} uit aan jeugdhulp, tegen "
                           f"{f.val(spy, 'all_value', 'euro2')} in {group_of(f, d)} samen. De regiocijfers zijn "
                           "gewogen: het geld van de hele regio gedeeld door al haar jeugdigen, geen gemiddelde van "
                           "de gemeentecijfers."))
        years = sorted(d["benchmark"].get("spend_per_youth_eur", {}))
        vals = [(at(d["benchmark"], "spend_per_youth_eur", yr) or {}) for yr in years]
        if sum(v.get("value") is not None for v in vals) >= 2:
            blocks.append(chart(charts.trend(years, [(f"regio {region}", [v.get("value") for v in vals], "subject"),
                                                     ("gemeenten in deze gegevens", [v.get("all_value") for v in vals],
                                                      "all")], "eur", "Uitgaven per jeugdige per jaar"),
                                f"Uitgaven per jeugdige: de regio {region} tegen {group_of(f, d)}."))
    cost = measures_in(d, "cost")
    rows = [[f.name(p["name"], ""), *(f.val(_peer(d, m, p["municipality_code"]), "value", fmt(d, m), "n")
                                      for m in cost)] for p in d["table"]["spend_per_youth_eur"]]
    if rows:
        headers = [short_of(d, m) for m in cost]
        blocks.append(table(["Gemeente", *headers], rows, "l" + "r" * len(cost),
                            [2.2, *widths(headers, 1.2, 1.4)]))
    peers = [(p["name"], p["value"], None) for p in d["table"]["spend_per_youth_eur"]]
    if filled(spy) and len(peers) > 1:
        blocks.append(chart(charts.benchmark_bar(peers, None, spy["value"], f"regio {region}", "eur",
                                                 f"Uitgaven per jeugdige in {y}, gemeenten in de regio"),
                            "De stippellijn is de regio als geheel."))
    return {"title": "Uitgaven: de gemeenten naast elkaar", "blocks": blocks}


def _region_outcomes(f: Figures, d: dict, y: int) -> dict:
    title = "Resultaten van de hulp"
    outcomes = outcomes_of(d)
    if not any(filled(at(d["benchmark"], m, y)) for m in outcomes):
        return {"title": title, "blocks": [blank(f"Voor {y} tonen de gegevens geen resultaten voor de regio "
                                                 f"{d['name']}.")]}
    rows = []
    for m in outcomes:
        r = at(d["benchmark"], m, y)
        rows.append([name_of(d, m), f.val(r, "value", fmt(d, m), "n"), f.val(r, "n", "int"),
                     f.val(r, "all_value", fmt(d, m), "all_n")])
    blocks = [table(["Maat", f"Regio {d['name']}", "n", f"{f.calc(d['group_size'], 'int')} gemeenten samen"], rows,
                    "lrrr", [2.6, 1.2, 1.2, 1.4])]
    per = []
    for p in d["table"]["ended_as_planned_pct"]:
        cells = [f.name(p["name"], "")]
        for m in outcomes:
            q = _peer(d, m, p["municipality_code"])
            n = q.get("n") if q else None
            cells.append(f.val(q, "value", fmt(d, m), "n")
                         + (f" (n = {f.val(q, 'n', 'int')}{'*' if n < SMALL_N else ''})" if filled(q) and n else ""))
        per.append(cells)
    if per:
        blocks.append(para("Per gemeente, met op hoeveel trajecten of antwoorden elk cijfer rust (* klein aantal, "
                           "zie de begrippenlijst):", sticky=True))
        blocks.append(table(["Gemeente", *(short_of(d, m) for m in outcomes)], per, "l" + "r" * len(outcomes),
                            [1.6, *[1.4] * len(outcomes)]))
    return {"title": title, "blocks": blocks}


def _region_growth(f: Figures, d: dict, y: int) -> dict:
    # the change of spend and its parts, then the change of tariffs
    growth = measures_in(d, "growth")
    rows = [[name_of(d, m), f.val(r, "value", fmt(d, m)), f.val(r, "all_value", fmt(d, m))]
            for m in [*growth, *measures_in(d, "tariff")] if filled(r := at(d["benchmark"], m, y))]
    if not rows:
        return {"title": "Waarom veranderden de uitgaven?", "blocks": [blank(
            f"Voor {y} tegen {y - 1} tonen de gegevens geen uitsplitsing voor de regio {d['name']}.")]}
    blocks = [
        para(f"De verandering van de uitgaven van {y - 1} op {y}, als percentage van de uitgaven in {y - 1}, verdeeld "
             "over meer of minder cliënten tegen meer of minder geld per cliënt, en over tarieven tegen de hoeveelheid "
             "en soort zorg (zie de begrippenlijst: uitsplitsing van de verandering)."),
        table(["Onderdeel", f"Regio {d['name']}", f"{f.calc(d['group_size'], 'int')} gemeenten samen"], rows, "lrr",
              [3, 1.2, 1.2])]
    youth = {r["municipality_code"]: r for r in d["youth"]}
    side = [[f.name(p["name"], ""),
             *(f.val(_peer(d, m, p["municipality_code"]), "value", fmt(d, m)) for m in growth),
             f.val(youth.get(p["municipality_code"]), "youth_population_change", "int")]
            for p in d["table"]["spend_change_pct"]]
    if side:
        change = d["youth_total"]["value"]
        trend = ("" if change is None else " Het aantal jeugdigen in de regio bleef in die tijd gelijk." if change == 0
                 else f" Het aantal jeugdigen in de regio {'daalde' if change < 0 else 'steeg'} in die tijd met "
                      f"{f.calc(d['youth_total_abs'], 'int')}.")
        blocks += [para("Per gemeente naast elkaar: waar kwam de verandering vandaan, en hoe veranderde het aantal "
                        "jeugdigen (inwoners jonger dan achttien jaar)?" + trend, sticky=True),
                   table(["Gemeente", *(short_of(d, m) for m in growth), "Jeugdigen erbij of eraf"], side,
                         "l" + "r" * (len(growth) + 1), [1.8, *[1] * len(growth), 1.2])]
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
    return [para(text, sticky=True),
            table(["Jaar", "Uitgaven", "Jeugdigen", "Uitgaven per jeugdige"], rows, "lrrr", [1, 1.6, 1.3, 1.6]),
            note("Opgeteld over de gemeenten van de regio. Een cijfer blijft leeg zodra het bij één gemeente "
                 "verborgen of onbekend is, of zolang een gemeente in dat jaar nog geen gegevens heeft. De "
                 "uitgaven van het eerste jaar kunnen laag zijn als de gegevens in dat jaar beginnen.")]


def _region_access(f: Figures, d: dict, y: int) -> dict:
    title = "Toegang: langs welke weg begint de hulp?"
    rows = [[f.name(r["description"], f"verwijzer met code {r['referrer']} (niet in de referentielijst)"),
             f.val(r, "region_share_of_starts_pct", "pct")] for r in d["referral"]]
    if not rows:
        return {"title": title, "blocks": [blank(f"Voor {y} tonen de gegevens geen verwijzers voor de regio "
                                                 f"{d['name']}.")]}
    return {"title": title, "blocks": [para(f"Het aandeel van de in {y} begonnen trajecten in de regio per verwijzer:"),
                                       table(["Verwijzer", "Aandeel van de trajecten"], rows, "lr", [4, 1.3])]}


def _region_providers(f: Figures, d: dict, y: int) -> dict:
    rows = []
    for r in d["landscape"]:
        hhi = f.val(r, "hhi", "int") if filled(r, "hhi") else HHI_LEVEL.get(r["hhi_band"] or "", f.val(r, "hhi", "int"))
        top5 = (f.val(r, "top5_share_pct", "pct") if filled(r, "top5_share_pct")
                else TOP5_BAND.get(r["top5_share_band"] or "", f.val(r, "top5_share_pct", "pct")))
        rows.append([f.name(r["name"], ""), f.val(r, "providers", "int"), hhi, top5])
    if not rows:
        return {"title": "Aanbieders", "blocks": [blank(f"Voor {y} tonen de gegevens geen aanbieders voor de regio.")]}
    return {"title": "Aanbieders", "blocks": [
        para("Per gemeente: hoeveel aanbieders geld ontvingen, hoe geconcentreerd de uitgaven zijn (de "
             "concentratie-index HHI, zie de begrippenlijst) en welk deel naar de vijf grootste ging. Welke aanbieders "
             "meer dan drie procent winst maken staat in de brief van elke gemeente."),
        table(["Gemeente", "Aanbieders", "HHI", "Aandeel van de vijf grootste"], rows, "lrrr", [2.5, 1, 1.2, 1.4]),
        *funnel_blocks(f, d["funnel"], d["name"])]}


def _region_quality(f: Figures, d: dict, y: int) -> dict:
    blocks = quality_blocks(f, d)
    rows = [[d["table_labels"].get(r["table_name"], "andere uitsplitsing"), f.val(r, "spend_not_shown_eur", "euro"),
             f.val(r, "rows_not_shown", "int")] for r in d["not_shown"]]
    if rows:
        blocks.append(table(["Uitsplitsing van de uitgaven", "Niet getoond (som over de gemeenten)",
                             "Regels niet getoond"], rows, "lrr"))
    return {"title": "Datakwaliteit en wat niet getoond wordt", "blocks": blocks}
