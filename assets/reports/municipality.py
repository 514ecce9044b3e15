"""The year (or quarter) letter of one municipality: its sections, in order."""

from __future__ import annotations

from datetime import date
from typing import Any

from assets.reports import charts
from assets.reports.blocks import blank, chart, glossary, hidden_rows, note, numbered, para, table
from assets.reports.duration import duration_section
from assets.reports.figures import DASH, Figures
from assets.reports.formatting import SMALL_N, long_date
from assets.reports.heading import details, group_of, opening_text, provisional_summary, year_label
from assets.reports.lookup import at, filled, fmt, measures_in, name_of, outcomes_of, short_of, widths
from assets.reports.provider_funnel import funnel_blocks, provider_name
from assets.reports.quality import quality_blocks
from assets.reports.words import HHI_LEVEL, NJI_LEVELS, TOP5_BAND


def municipality_document(d: dict[str, Any], period_title: str) -> dict[str, Any]:
    f = Figures()
    y, name = d["period"]["year"], f.name(d["name"], "")
    region = f.name(d["region"], "(regio niet bekend)")
    opening = opening_text(f, d, name, period_title)
    meta = details(f, d)
    summary = provisional_summary(d, period_title) + _municipality_summary(f, d, y, region)
    sections = [_spend(f, d, y, region), _growth(f, d, y), _outcomes(f, d, y), _long_running(f, d, y),
                _what_works(f, d, y),
                _access(f, d, y), duration_section(f, d["duration"], region, y), _providers(f, d, y),
                _allocation(f, d, y), _quality(f, d, y), glossary(f)]
    return {"kind": "municipality", "title": f"Jeugdhulp in {name}: uitgaven en resultaten, {period_title}",
            "to": f"de gemeenteraad van {name}", "from": "het college van burgemeester en wethouders",
            "region": region, "demo": bool(d.get("demo")), "opening": opening, "meta": meta, "summary": summary,
            "sections": numbered(f, sections), "figures": f.items}


def _municipality_summary(f: Figures, d: dict, y: int, region: str) -> list[str]:
    b, name = d["benchmark"], d["name"]
    out = []
    cost = next((r for r in d["cost_years"] if r["year"] == y), None)
    if filled(cost, "spend_eur"):
        out.append(f"{name} gaf in {y} {f.val(cost, 'spend_eur', 'euro')} uit aan jeugdhulp, voor "
                   f"{f.val(cost, 'clients', 'int')} cliënten.")
    spy = at(b, "spend_per_youth_eur", y)
    if filled(spy):
        out.append(f"Per jeugdige was dat {f.val(spy, 'value', 'euro2')}; in de regio {region} "
                   f"{f.val(spy, 'region_value', 'euro2')}.")
    planned = at(b, "ended_as_planned_pct", y)
    if filled(planned):
        out.append(f"{f.val(planned, 'value', 'pct')} van de {f.val(planned, 'n', 'int')} beëindigde trajecten "
                   f"eindigde volgens plan (regio: {f.val(planned, 'region_value', 'pct', 'region_n')}).")
    ebs = at(b, "evidence_based_spend_pct", y)
    if filled(ebs):
        out.append(f"{f.val(ebs, 'value', 'pct')} van het geld ging naar interventies die het NJi als effectief "
                   f"erkent, volgens eerste, goede of sterke aanwijzingen (regio: "
                   f"{f.val(ebs, 'region_value', 'pct')}).")
    if not out:
        out.append(f"Over {name} bevatten de gegevens voor {y} niets dat getoond kan worden: de aantallen zijn te "
                   "klein om te tonen, of er is niet gedeclareerd.")
    return out


def _alone(row: dict | None) -> bool:
    """The municipality is the only one of its region in the data: the region's figures are its own."""
    return filled(row, "region_municipalities") and row["region_municipalities"] <= 1


def _rank(f: Figures, row: dict) -> str:
    """A rank says what it counts: the municipalities of the region that have a value that year."""
    if _alone(row):
        return "enige in de regio"
    if not filled(row, "region_rank"):
        return f.val(row, "region_rank", "int")
    return (f"{f.val(row, 'region_rank', 'int')} van {f.val(row, 'region_municipalities', 'int')}")


def _spend(f: Figures, d: dict, y: int, region: str) -> dict:
    b, name = d["benchmark"], d["name"]
    blocks: list[dict] = []
    spy = at(b, "spend_per_youth_eur", y)
    cost = next((r for r in d["cost_years"] if r["year"] == y), None)
    if not filled(spy):
        blocks.append(blank(f"Voor {y} tonen de gegevens geen uitgaven per jeugdige voor {name}: "
                            f"{f.val(spy, 'value', 'euro2')}."))
    else:
        text = (f"In {y} gaf {name} {f.val(cost, 'spend_eur', 'euro')} uit aan jeugdhulp. Per inwoner jonger dan "
                f"achttien jaar was dat {f.val(spy, 'value', 'euro2')}, tegen {f.val(spy, 'region_value', 'euro2')} "
                f"in de regio {region} en {f.val(spy, 'all_value', 'euro2')} in {group_of(f, d)} samen.")
        if _alone(spy):
            text += (f" {name} is de enige gemeente van de regio {region} in deze gegevens: de regiocijfers in deze "
                     f"brief zijn dus die van {name} zelf. Vergelijk met {group_of(f, d)}.")
        elif filled(spy, "region_rank"):
            text += (f" Gerangschikt van laag naar hoog staat {name} op plaats {f.val(spy, 'region_rank', 'int')} "
                     f"van de {f.val(spy, 'region_municipalities', 'int')} gemeenten in de regio die een cijfer "
                     "hebben (de eerste plaats: de laagste uitgaven per jeugdige).")
        blocks.append(para(text))
        cpy, spc = at(b, "clients_per_1000_youth", y), at(b, "spend_per_client_eur", y)
        if filled(cpy) and filled(spc):
            blocks.append(para(f"Dat bedrag hangt af van twee dingen: hoeveel jongeren hulp krijgen "
                               f"({f.val(cpy, 'value', 'dec1')} per duizend jeugdigen, regio "
                               f"{f.val(cpy, 'region_value', 'dec1')}) en wat de hulp per cliënt kost "
                               f"({f.val(spc, 'value', 'euro2')}, regio {f.val(spc, 'region_value', 'euro2')})."))
    years = sorted(b.get("spend_per_youth_eur", {}))
    series = {role: [(at(b, "spend_per_youth_eur", yr) or {}).get(col) for yr in years]
              for role, col in (("subject", "value"), ("region", "region_value"), ("all", "all_value"))}
    if sum(v is not None for v in series["subject"]) >= 2:
        blocks.append(chart(charts.trend(years, [(name, series["subject"], "subject"),
                                                 (f"regio {region}", series["region"], "region"),
                                                 ("gemeenten in deze gegevens", series["all"], "all")],
                                         "eur", "Uitgaven per jeugdige per jaar"),
                            f"Uitgaven per jeugdige: {name} tegen de regio {region} en {group_of(f, d)}."))
    rows = []
    for r in d["cost_years"]:
        bm = at(b, "spend_per_youth_eur", r["year"])
        rows.append([year_label(d, r["year"]), f.val(r, "spend_eur", "euro"), f.val(r, "clients", "int"),
                     f.val(r, "spend_per_youth_eur", "euro2"), f.val(bm, "region_value", "euro2"),
                     f.val(bm, "all_value", "euro2")])
    if rows:
        blocks.append(table(["Jaar", "Uitgaven", "Cliënten", "Per jeugdige", f"Regio {region}",
                             "Gemeenten in deze gegevens"], rows, "lrrrrr", [0.6, 1.3, 0.9, 1.1, 1.2, 1.3]))
    peers = [(p["name"], p["value"], None) for p in d["peers"]]
    if filled(spy) and len(peers) > 1:
        blocks.append(chart(charts.benchmark_bar(peers, name, spy["region_value"], f"regio {region}", "eur",
                                                 f"Uitgaven per jeugdige in {y}, gemeenten in de regio {region}"),
                            f"{name} in kleur; de stippellijn is de regio als geheel."))
    if d["months"]:
        month_rows = [[long_date(date.fromisoformat(m["month"]))[2:].strip(), f.val(m, "spend_eur", "euro"),
                       f.val(m, "clients", "int")] for m in d["months"]]
        blocks.append(para("De maanden van dit kwartaal:", sticky=True))
        blocks.append(table(["Maand", "Uitgaven", "Cliënten"], month_rows, "lrr"))
    return {"title": "Uitgaven aan jeugdhulp", "blocks": blocks}


def _growth(f: Figures, d: dict, y: int) -> dict:
    title = "Waarom veranderden de uitgaven?"
    g = d["growth"][0] if d["growth"] else None
    if not filled(g, "spend_change_eur"):
        return {"title": title, "blocks": [blank(
            f"Voor {y} tegen {y - 1} tonen de gegevens geen uitsplitsing van de verandering: "
            f"{f.val(g, 'spend_change_eur', 'euro_signed')}.")]}
    direction = "stegen" if g["spend_change_eur"] >= 0 else "daalden"
    blocks = [para(f"De uitgaven {direction} van {f.val(g, 'spend_year_before_eur', 'euro')} in {y - 1} naar "
                   f"{f.val(g, 'spend_eur', 'euro')} in {y}: {f.val(g, 'spend_change_eur', 'euro_signed')}"
                   + (f" ({f.val(g, 'change_pct', 'pct_signed')})." if filled(g, "change_pct") else ".")
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
    blocks.append(table(["Oorzaak", "Van → naar", "Deel van de verandering"], rows, "llr"))
    blocks.append(note("De eerste twee regels tellen samen op tot de verandering, en de laatste twee ook."))
    if filled(g, "youth_population") and filled(g, "youth_population_change"):
        change = g["youth_population_change"]
        verb = "steeg met" if change > 0 else "daalde met" if change < 0 else "bleef gelijk op"
        amount = f"{f.val(g, 'youth_population_change_abs', 'int')} tot " if change else ""
        blocks.append(para(f"Het aantal jeugdigen (inwoners jonger dan achttien jaar) {verb} {amount}"
                           f"{f.val(g, 'youth_population', 'int')}."))
    return {"title": title, "blocks": blocks}


def _outcomes(f: Figures, d: dict, y: int) -> dict:
    b, name = d["benchmark"], d["name"]
    title = "Resultaten van de hulp"
    rows, small = [], False
    for m in outcomes_of(d):
        r = at(b, m, y)
        kind = fmt(d, m)
        n = r.get("n") if r else None
        small |= filled(r) and n is not None and n < SMALL_N
        rows.append([name_of(d, m), f.val(r, "value", kind, "n"),
                     f.val(r, "n", "int") + (" (klein aantal)" if filled(r) and n is not None and n < SMALL_N else ""),
                     f.val(r, "region_value", kind, "region_n"), f.val(r, "all_value", kind, "all_n"),
                     _rank(f, r) if r else f.val(r, "region_rank", "int")])
    group = f"{f.calc(d['group_size'], 'int')} gemeenten samen"
    blocks = [para(f"Hoe liepen de trajecten af die in {y} eindigden? Bij elk cijfer staat op hoeveel trajecten of "
                   "antwoorden het rust (n). De plaats in de regio telt de gemeenten van de regio die een cijfer "
                   "hebben; de eerste plaats is de laagste waarde. Bij uitval is laag goed, bij de andere maten hoog.")]
    planned = at(b, "ended_as_planned_pct", y)
    if filled(planned) and filled(planned, "region_value"):
        diff = planned["value"] - planned["region_value"]
        word = "hoger dan" if diff > 0 else "lager dan" if diff < 0 else "gelijk aan"
        blocks.append(para(f"In {name} eindigde {f.val(planned, 'value', 'pct')} van de trajecten volgens plan, "
                           f"{word} in de regio ({f.val(planned, 'region_value', 'pct')})."))
    blocks.append(table(["Maat", name, "n", "Regio", group, "Plaats in de regio"], rows, "lrrrrr",
                        [2.4, 1, 1.2, 1, 1.1, 1.1]))
    if small:
        blocks.append(note("Een klein aantal: zie de begrippenlijst."))
    cat_rows = [[f.name(f"{c['product_category']} {c['description'] or '(omschrijving niet in de referentielijst)'}",
                        ""),
                 f.val(c, "trajectories_ended", "int"), f.val(c, "ended_as_planned_pct", "pct", "trajectories_ended"),
                 f.val(c, "dropout_pct", "pct", "trajectories_ended"), f.val(c, "no_recurrence_pct", "pct")]
                for c in d["categories"] if not c["suppressed"]]
    if cat_rows:
        blocks.append(para(f"Per soort hulp (productcategorie), voor de trajecten die in {y} eindigden:", sticky=True))
        blocks.append(table(["Productcategorie", "Beëindigd", "Volgens plan", "Uitval", "Geen nieuwe hulp"],
                            cat_rows, "lrrrr", [3, 1, 1, 1, 1.2]))
    blocks += hidden_rows(f, d["categories"], "productcategorieën")
    return {"title": title, "blocks": blocks}


def _long_running(f: Figures, d: dict, y: int) -> dict:
    """Hoogeveen's and Almelo's ask: trajectories that run long without a result, with their trend."""
    title = "Lang lopende trajecten zonder resultaat"
    b, region = d["benchmark"], d["region"] or "(regio niet bekend)"
    years = sorted(b.get("running_over_12m_pct", {}))
    if not years:
        return {"title": title, "blocks": [blank(f"De gegevens tonen voor {d['name']} geen lopende trajecten: "
                                                 f"{f.val(None, 'value', 'pct')}.")]}
    # the shares of the running trajectories: the caseload measures printed as a percentage
    running = [m for m in measures_in(d, "caseload") if fmt(d, m) == "pct"]
    rows = [[str(yr), f.val(at(b, "running_over_12m_pct", yr), "n", "int"),
             *(f.val(at(b, m, yr), "value", fmt(d, m), "n") for m in running)] for yr in years]
    last = [f"regio {y}", f.val(at(b, "running_over_12m_pct", y), "region_n", "int"),
            *(f.val(at(b, m, y), "region_value", fmt(d, m), "region_n") for m in running)]
    headers = [short_of(d, m) for m in running]
    blocks = [para("Hoeveel trajecten liepen aan het eind van elk jaar al lang, en hoeveel daarvan hadden na meer dan "
                   "een jaar nog geen enkele uitkomstmeting (geen vragenlijst over het resultaat)? Het aandeel is het "
                   "deel van alle trajecten die aan het eind van het jaar liepen.", sticky=True),
              table(["Jaar", "Lopend op 31 december", *headers], [*rows, last], "lr" + "r" * len(headers),
                    [1.1, 1.1, *widths(headers, 1.1, 1.6)])]
    now, before = at(b, "running_without_outcome_over_12m_pct", y), at(b, "running_without_outcome_over_12m_pct",
                                                                         y - 1)
    if filled(now) and filled(before):
        word = ("meer" if now["value"] > before["value"] else "minder" if now["value"] < before["value"]
                else "even veel")
        blocks.append(para(f"Eind {y} liep {f.val(now, 'value', 'pct')} van de trajecten langer dan een jaar zonder "
                           f"uitkomstmeting: {word} dan eind {y - 1} ({f.val(before, 'value', 'pct')}). In de regio "
                           f"{region} was dat {f.val(now, 'region_value', 'pct')}."))
    return {"title": title, "blocks": blocks}


def _what_works(f: Figures, d: dict, y: int) -> dict:
    b, name = d["benchmark"], d["name"]
    blocks = []
    ebs = at(b, "evidence_based_spend_pct", y)
    if filled(ebs):
        blocks.append(para(f"In {y} ging {f.val(ebs, 'value', 'pct')} van de uitgaven van {name} naar interventies die "
                           "de Databank Effectieve Jeugdinterventies van het NJi als effectief erkent: volgens eerste, "
                           "goede of sterke aanwijzingen. Goed onderbouwde interventies tellen hier niet mee. Regio: "
                           f"{f.val(ebs, 'region_value', 'pct')}; {group_of(f, d)}: "
                           f"{f.val(ebs, 'all_value', 'pct')}."))
    years = sorted(b.get("evidence_based_spend_pct", {}))
    if years:
        assessed = {r["year"]: r for r in d["not_assessed"]}
        rows = [[str(yr), f.val(at(b, "evidence_based_spend_pct", yr), "value", "pct"),
                 f.val(at(b, "evidence_based_spend_pct", yr), "region_value", "pct"),
                 f.val(assessed.get(yr), "spend_eur", "euro"), f.val(assessed.get(yr), "shown_spend_eur", "euro")]
                for yr in years]
        blocks.append(para("Het aandeel door het NJi als effectief erkende interventies door de jaren heen, en het "
                           "geld dat ging naar interventies die het NJi niet beoordeeld heeft (geteld over de "
                           "interventies die getoond kunnen worden):", sticky=True))
        blocks.append(table(["Jaar", f"Effectief erkend, {name}", "Regio", "Niet beoordeeld door het NJi",
                             "Van de getoonde uitgaven"], rows, "lrrrr", [0.7, 1.3, 1, 1.4, 1.4]))
    shown = [i for i in d["by_intervention"] if not i["suppressed"]]
    rows = [[f.name(i["intervention"], f"product {i['product_code']} (geen interventie in de referentielijst)"),
             NJI_LEVELS.get(i["nji_recognition"] or "", i["nji_recognition"] or "niet in de referentielijst"),
             f.val(i, "spend_eur", "euro"), f.val(i, "clients", "int"), f.val(i, "trajectories_ended", "int"),
             f.val(i, "ended_as_planned_pct", "pct", "trajectories_ended")] for i in shown]
    if rows:
        blocks.append(table(["Interventie", "Oordeel van het NJi", "Uitgaven", "Cliënten", "Beëindigd",
                             "Volgens plan"], rows, "llrrrr", [2.4, 2.2, 1.2, 0.9, 0.9, 1]))
    if not blocks:
        blocks.append(blank(f"Voor {y} tonen de gegevens geen interventies voor {name}."))
    blocks += hidden_rows(f, d["by_intervention"], "interventies")
    return {"title": "Wat werkt: interventies en hun erkenning", "blocks": blocks}


def _access(f: Figures, d: dict, y: int) -> dict:
    title = "Toegang: langs welke weg begint de hulp?"
    started = [r for r in d["referral_starts"] if not r["suppressed"]]
    ended = [r for r in d["referral_endings"] if not r["suppressed"]]
    hidden = [*hidden_rows(f, d["referral_starts"], "verwijzers van begonnen trajecten"),
              *hidden_rows(f, d["referral_endings"], "verwijzers van beëindigde trajecten")]
    if not started and not ended:
        return {"title": title, "blocks": [blank(f"Voor {y} tonen de gegevens geen verwijzers voor {d['name']}."),
                                           *hidden]}

    def who(r: dict) -> str:
        return f.name(r["description"], f"verwijzer met code {r['referrer']} (niet in de referentielijst)")

    blocks = []
    if started:
        blocks += [para(f"Wie verwees de jongeren door die in {y} met hulp begonnen? Het aandeel is het deel van alle "
                        f"trajecten die in {y} begonnen.", sticky=True),
                   table(["Verwijzer", f"Begonnen in {y}", "Aandeel", "Aandeel in de regio"],
                         [[who(r), f.val(r, "trajectories_started", "int"), f.val(r, "share_of_starts_pct", "pct"),
                           f.val(r, "region_share_of_starts_pct", "pct")] for r in started], "lrrr",
                         [3, 1.1, 1, 1.2])]
    if ended:
        blocks += [para(f"Hoe liepen de trajecten af die in {y} eindigden, naar wie ze ooit verwees? Dat zijn andere "
                        f"trajecten dan hierboven: de meeste begonnen in een eerder jaar.", sticky=True),
                   table(["Verwijzer", f"Beëindigd in {y}", "Volgens plan", "Uitval"],
                         [[who(r), f.val(r, "trajectories_ended", "int"),
                           f.val(r, "ended_as_planned_pct", "pct", "trajectories_ended"),
                           f.val(r, "dropout_pct", "pct", "trajectories_ended")] for r in ended], "lrrr",
                         [3, 1.1, 1, 1.2])]
    blocks += hidden
    return {"title": title, "blocks": blocks}


def _providers(f: Figures, d: dict, y: int) -> dict:
    title = "Aanbieders: hoeveel, hoe geconcentreerd, en wie maakt meer dan drie procent winst"
    land = next((r for r in d["landscape"] if r["year"] == y), None)
    blocks = []
    if filled(land, "providers"):
        level = HHI_LEVEL.get(land["hhi_band"] or "", "niet bekend")
        top5 = (f.val(land, "top5_share_pct", "pct") if filled(land, "top5_share_pct")
                else TOP5_BAND.get(land["top5_share_band"] or "", f.val(land, "top5_share_pct", "pct")))
        index = (f"is {f.val(land, 'hhi', 'int')}" if filled(land, "hhi") else
                 "wordt niet als getal getoond, omdat een kleine aanbieder verborgen blijft; de klasse is bekend")
        blocks.append(para(f"In {y} ontvingen {f.val(land, 'providers', 'int')} aanbieders geld van {d['name']}. De "
                           f"vijf grootste kregen samen {top5} van het geld. De concentratie-index (HHI, zie de "
                           f"begrippenlijst) {index}: {level}."))
    else:
        blocks.append(blank(f"Voor {y} tonen de gegevens geen aanbiedersoverzicht voor {d['name']}: "
                            f"{f.val(land, 'providers', 'int')}."))
    above = d["margins_above_3"]
    if above:
        names = ", ".join(f"{provider_name(f, a)} ({f.val(a, 'margin_pct', 'pct')})" for a in above)
        blocks.append(para(f"{f.calc(d['providers_above_3'], 'int')} van de {f.calc(d['provider_rows'], 'int')} "
                           f"aanbieders had volgens de eigen jaarrekening een winstmarge boven drie procent: {names}. "
                           "Jaarrekeningen zijn openbaar; deze namen worden dus altijd getoond."))
    elif d["provider_rows"]["value"]:
        blocks.append(para(f"Geen van de {f.calc(d['provider_rows'], 'int')} aanbieders had volgens de jaarrekening "
                           "een winstmarge boven drie procent (voor zover de jaarrekening bekend is)."))
    shown = [p for p in d["providers"] if not p["suppressed"]]
    rows = [[provider_name(f, p), f.val(p, "spend_eur", "euro"), f.val(p, "share_of_municipality_spend_pct", "pct"),
             f.val(p, "margin_pct", "pct", empty="no_data"), f.val(p, "trajectories_ended", "int"),
             f.val(p, "ended_as_planned_pct", "pct", "trajectories_ended"),
             f.val(p, "dropout_pct", "pct", "trajectories_ended"),
             f.val(p, "cost_per_planned_end_eur", "euro", "trajectories_ended")] for p in shown[:15]]
    if rows:
        blocks.append(para(f"Per aanbieder: het geld dat {d['name']} in {y} betaalde, het aandeel daarvan, de "
                           f"winstmarge uit de jaarrekening, en de resultaten van de trajecten die in {y} "
                           "eindigden, met wat één traject dat volgens plan eindigde kostte (alle uitgaven aan de "
                           "beëindigde trajecten gedeeld door het aantal dat volgens plan eindigde).", sticky=True))
        blocks.append(table(["Aanbieder", "Uitgaven", "Aandeel", "Marge", "Beëindigd", "Volgens plan", "Uitval",
                             "Kosten per traject volgens plan"], rows, "lrrrrrrr",
                            [2.1, 1.2, 0.9, 0.9, 1.05, 1.05, 1.05, 1.2]))
        blocks.append(note("Vergelijk aanbieders niet alleen op deze ruwe cijfers: een aanbieder met zwaardere "
                           "problematiek haalt minder vaak het plan. Hieronder staat de vergelijking met wat bij "
                           "de kinderen van elke aanbieder te verwachten was."))
        if len(shown) > 15:
            blocks.append(note("Hier de vijftien grootste van de aanbieders die getoond kunnen worden."))
    blocks += hidden_rows(f, d["providers"], "aanbieders")
    blocks += funnel_blocks(f, d["funnel"], d["name"])
    return {"title": title, "blocks": blocks}


# an empty allocation figure: why (the YAML of the table queries/allocation.sql reads)
ALLOCATION_EMPTY = {"allocated_volume_eur": "not_measured", "declared_over_allocation_eur": "not_measured"}


def _allocation(f: Figures, d: dict, y: int) -> dict:
    title = "Toewijzingen en declaraties"
    a = d["allocation"]
    if not a["shown"]["value"]:
        return {"title": title, "blocks": [blank(
            f"Voor {y} tonen de gegevens geen vergelijking van toewijzingen en declaraties voor {d['name']}: "
            f"{f.calc(a['rows'], 'int')} aanbieders, geen daarvan te tonen zonder kleine aantallen te verraden.")]}

    def total(col: str, kind: str) -> str:
        t = a["totals"][col]
        if t["value"] is None:
            return f.missing(ALLOCATION_EMPTY.get(col, "hidden"), t["sql"], kind)
        return f.calc(t, kind)

    blocks = [para(f"Wijst de gemeente toe wat er gedeclareerd wordt? Van de {f.calc(a['rows'], 'int')} aanbieders "
                   f"met toewijzingen of declaraties kunnen er {f.calc(a['shown'], 'int')} getoond worden; de andere "
                   "hebben te weinig cliënten. Over die getoonde aanbieders samen:"),
              table(["Signaal", f"Samen, bij de {f.calc(a['shown'], 'int')} getoonde aanbieders"], [
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
    blocks.append(note(f"Een totaal staat er alleen als elke getoonde aanbieder het cijfer heeft. {DASH} verborgen: "
                       "bij ten minste één aanbieder te weinig cliënten (het kan ook nul zijn). "
                       f"{DASH} niet gemeten: bij ten minste één aanbieder is geen bedrag toegewezen of geen "
                       "tarief bekend."))
    return {"title": title, "blocks": blocks}


def _quality(f: Figures, d: dict, y: int) -> dict:
    blocks = quality_blocks(f, d)
    rows = [[d["table_labels"].get(r["table_name"], "andere uitsplitsing"), f.val(r, "spend_shown_eur", "euro"),
             f.val(r, "spend_not_shown_eur", "euro"), f.val(r, "rows_not_shown", "int")] for r in d["not_shown"]]
    if rows:
        # the table follows its own lead-in onto the next page rather than standing there alone
        blocks.append(para(f"Per uitsplitsing van de uitgaven van {d['name']} in {y}: het bedrag dat getoond wordt, "
                           "het bedrag dat niet getoond wordt en het aantal regels dat daarvoor verborgen is.",
                           sticky=True))
        blocks.append(table(["Uitsplitsing van de uitgaven", "Getoond", "Niet getoond", "Regels niet getoond"], rows,
                            "lrrr"))
    return {"title": "Datakwaliteit en wat niet getoond wordt", "blocks": blocks}
