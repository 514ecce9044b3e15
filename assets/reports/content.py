"""The letter's text: plain Dutch sentences, tables and charts built from the loaded data
(assets/reports/data.py). Every figure is formatted here from a value of the published file; where a
theme has nothing to show (no data, or everything suppressed) it says so in one sentence.

A document is a dict the Typst template lays out: title lines, a short summary, and sections of
blocks (`p`, `empty`, `table`, `chart`, `note`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from assets.reports import charts
from assets.reports.formatting import (
    SMALL_N,
    euro,
    euro_signed,
    grade,
    long_date,
    n_label,
    number,
    pct,
    pct_signed,
)

MEASURE_LABELS = {
    "spend_per_youth_eur": "Uitgaven per jeugdige (0-17 jaar)",
    "clients_per_1000_youth": "Cliënten per 1.000 jeugdigen",
    "spend_per_client_eur": "Uitgaven per cliënt",
    "evidence_based_spend_pct": "Aandeel uitgaven aan bewezen effectieve interventies",
    "ended_as_planned_pct": "Beëindigd volgens plan",
    "dropout_pct": "Uitval (voortijdig afgebroken)",
    "no_recurrence_pct": "Geen nieuwe jeugdhulp binnen een half jaar",
    "satisfaction_mean": "Tevredenheid (rapportcijfer 1-10)",
}
# what the n of a measure counts
MEASURE_N = {"ended_as_planned_pct": "beëindigde trajecten", "dropout_pct": "beëindigde trajecten",
             "no_recurrence_pct": "trajecten langer dan een half jaar geleden beëindigd",
             "satisfaction_mean": "antwoorden"}
TABLE_LABELS = {"cost_trends_by_municipality": "per maand", "cost_by_municipality_product_year": "per productcategorie",
                "spend_by_municipality_provider_year": "per aanbieder", "interventions": "per product (interventie)"}
BANDS = ["<3m", "3-6m", "6-12m", "12-24m", ">=24m"]
BAND_LABELS = ["< 3 mnd", "3-6 mnd", "6-12 mnd", "12-24 mnd", "≥ 24 mnd"]
DASH = "–"


def fmt(measure: str, value: float | None) -> str:
    """A measure's value as the report prints it everywhere (text, tables)."""
    if value is None:
        return DASH
    if measure.endswith("_eur"):
        return euro(value, 2)
    if measure.endswith("_pct"):
        return pct(value)
    if measure == "satisfaction_mean":
        return grade(value)
    return number(value, 1)


def _opt(value: Any, f) -> str:
    return DASH if value is None else f(value)


def _p(text: str, sticky: bool = False) -> dict:
    """A paragraph; sticky: keep it on the page of the block that follows (the chart it introduces)."""
    return {"type": "p", "text": text, "sticky": sticky}


def _empty(text: str) -> dict:
    return {"type": "empty", "text": text}


def _note(text: str) -> dict:
    return {"type": "note", "text": text}


def _table(columns: list[str], rows: list[list[str]], align: str, widths: list[float] | None = None) -> dict:
    return {"type": "table", "columns": columns, "rows": rows, "align": align, "widths": widths}


def _chart(svg: str, caption: str) -> dict:
    return {"type": "chart", "svg": svg, "caption": caption}


def _at(bench: dict, measure: str, year: int) -> dict | None:
    row = bench.get(measure, {}).get(year)
    return None if row is None or row.get("suppressed") else row


def _alone(row: dict | None) -> bool:
    """The municipality is the only one of its region in the file: the region's figures are its own."""
    return bool(row) and (row.get("region_municipalities") or 0) <= 1


def _hidden(n: int, what: str) -> list[dict]:
    return [_note(f"{number(n)} {what} niet getoond: te weinig cliënten om ze te tonen zonder dat iemand "
                  f"herkenbaar wordt.")] if n else []


# ---------------------------------------------------------------------------------------------- municipality

def municipality_document(d: dict[str, Any], period_title: str) -> dict[str, Any]:
    y, name, region = d["period"]["year"], d["name"], d["region"]
    about = d["about"]
    sections = [_spend(d, y), _growth(d, y), _outcomes(d, y), _what_works(d, y), _access(d, y),
                _duration_section(d["duration"], region, y), _providers(d, y), _allocation(d, y), _quality(d, y)]
    return {
        "kind": "municipality",
        "title": f"Jeugdhulp in {name}: uitgaven en resultaten, {period_title}",
        "to": f"de gemeenteraad van {name}",
        "from": "het college van burgemeester en wethouders",
        "region": region,
        "meta": _meta(about, d),
        "summary": _municipality_summary(d, y),
        "sections": sections,
    }


def _meta(about: dict, d: dict) -> list[list[str]]:
    through = long_date(date.fromisoformat(about["data_through"]))
    quarter = [["Jaarcijfers", f"{d['period']['year']} tot nu toe: 1 januari tot en met {through}"]] \
        if d["period"]["kind"] == "quarter" else []
    return [["Gegevens tot en met", through], *quarter,
            ["Jeugdzorgregio", d["region"]],
            ["Kleine aantallen", f"minder dan {about['min_cell_size']} cliënten: niet getoond"],
            ["Bron", "het gepubliceerde bestand van de jeugdzorgmonitor (jeugdzorg.duckdb)"]]


def _municipality_summary(d: dict, y: int) -> list[str]:
    b, name = d["benchmark"], d["name"]
    out = []
    spy = _at(b, "spend_per_youth_eur", y)
    cost = next((r for r in d["cost_years"] if r["year"] == y), None)
    if cost and cost["spend_eur"] is not None:
        out.append(f"{name} gaf in {y} {euro(cost['spend_eur'])} uit aan jeugdhulp"
                   + (f" voor {number(cost['clients'])} cliënten." if cost["clients"] is not None else "."))
    if spy and spy["value"] is not None:
        out.append(f"Per jeugdige was dat {fmt('spend_per_youth_eur', spy['value'])}; in de regio {d['region']} "
                   f"{fmt('spend_per_youth_eur', spy['region_value'])}"
                   + (f" ({name} is de enige gemeente van de regio in het bestand)." if _alone(spy) else "."))
    planned = _at(b, "ended_as_planned_pct", y)
    if planned and planned["value"] is not None:
        out.append(f"{pct(planned['value'])} van de {number(planned['n'])} beëindigde trajecten eindigde volgens plan "
                   f"(regio: {fmt('ended_as_planned_pct', planned['region_value'])}).")
    ebs = _at(b, "evidence_based_spend_pct", y)
    if ebs and ebs["value"] is not None:
        out.append(f"{pct(ebs['value'])} van het geld ging naar interventies met bewezen effect "
                   f"(regio: {fmt('evidence_based_spend_pct', ebs['region_value'])}).")
    if not out:
        out.append(f"Over {name} bevat het bestand voor {y} te weinig gegevens om iets te tonen: de aantallen zijn te "
                   "klein of er is niet gedeclareerd.")
    return out


def _spend(d: dict, y: int) -> dict:
    b, name, region = d["benchmark"], d["name"], d["region"]
    blocks: list[dict] = []
    spy = _at(b, "spend_per_youth_eur", y)
    cost = next((r for r in d["cost_years"] if r["year"] == y), None)
    if not spy or spy["value"] is None:
        blocks.append(_empty(f"Voor {y} toont het bestand geen uitgaven per jeugdige voor {name} (geen gegevens of "
                             "te kleine aantallen)."))
    else:
        text = (f"In {y} gaf {name} "
                + (f"{euro(cost['spend_eur'])} uit aan jeugdhulp. " if cost and cost["spend_eur"] is not None else
                   "geld uit aan jeugdhulp. ")
                + f"Per inwoner van 0 tot en met 17 jaar was dat {fmt('spend_per_youth_eur', spy['value'])}, tegen "
                f"{fmt('spend_per_youth_eur', spy['region_value'])} in de regio {region} en "
                f"{fmt('spend_per_youth_eur', spy['all_value'])} in alle gemeenten in het bestand samen.")
        if spy.get("region_rank") and not _alone(spy):
            text += (f" Van de {spy['region_municipalities']} gemeenten in de regio staat {name} op plaats "
                     f"{spy['region_rank']} (1 = de laagste uitgaven per jeugdige).")
        else:
            text += (f" {name} is de enige gemeente van de regio {region} in het bestand: de regiocijfers in deze "
                     "brief zijn dus die van {name} zelf; vergelijk met alle gemeenten.").replace("{name}", name)
        blocks.append(_p(text))
        cpy = _at(b, "clients_per_1000_youth", y)
        spc = _at(b, "spend_per_client_eur", y)
        if cpy and cpy["value"] is not None and spc and spc["value"] is not None:
            blocks.append(_p(f"Dat verschil komt van twee kanten: hoeveel jongeren hulp krijgen "
                             f"({fmt('clients_per_1000_youth', cpy['value'])} per 1.000 jeugdigen, regio "
                             f"{fmt('clients_per_1000_youth', cpy['region_value'])}) en hoeveel hulp per cliënt kost "
                             f"({fmt('spend_per_client_eur', spc['value'])}, regio "
                             f"{fmt('spend_per_client_eur', spc['region_value'])})."))
    years = sorted(b.get("spend_per_youth_eur", {}))
    series = {role: [(_at(b, "spend_per_youth_eur", yr) or {}).get(col) for yr in years]
              for role, col in (("subject", "value"), ("region", "region_value"), ("all", "all_value"))}
    if sum(v is not None for v in series["subject"]) >= 2:
        blocks.append(_chart(charts.trend(years, [(name, series["subject"], "subject"),
                                                  (f"regio {region}", series["region"], "region"),
                                                  ("alle gemeenten", series["all"], "all")],
                                          "eur", "Uitgaven per jeugdige (0-17 jaar) per jaar"),
                             f"Uitgaven per jeugdige: {name} tegen de regio {region} en alle gemeenten."))
    rows = []
    for r in d["cost_years"]:
        bm = _at(b, "spend_per_youth_eur", r["year"]) or {}
        rows.append([str(r["year"]), _opt(r["spend_eur"], euro), _opt(r["clients"], number),
                     fmt("spend_per_youth_eur", r["spend_per_youth_eur"]), fmt("spend_per_youth_eur",
                                                                               bm.get("region_value")),
                     fmt("spend_per_youth_eur", bm.get("all_value"))])
    if rows:
        blocks.append(_table(["Jaar", "Uitgaven", "Cliënten", "Per jeugdige", f"Regio {region}", "Alle gemeenten"],
                             rows, "lrrrrr", [0.6, 1.3, 0.8, 1.1, 1.2, 1.3]))
    peers = [(p["name"], p["value"], None) for p in d["peers"]]
    if spy and spy["value"] is not None and len(peers) > 1:
        blocks.append(_chart(charts.benchmark_bar(peers, name, spy["region_value"], f"regio {region}", "eur",
                                                  f"Uitgaven per jeugdige in {y}, gemeenten in de regio {region}"),
                             f"{name} in kleur; de stippellijn is de regio als geheel."))
    if d["months"]:
        month_rows = [[long_date(date.fromisoformat(m["month"]))[2:].strip(), _opt(m["spend_eur"], euro),
                       _opt(m["clients"], number)] for m in d["months"]]
        blocks.append(_p("De maanden van dit kwartaal:", sticky=True))
        blocks.append(_table(["Maand", "Uitgaven", "Cliënten"], month_rows, "lrr"))
    return {"title": "Uitgaven aan jeugdhulp", "blocks": blocks}


def _growth(d: dict, y: int) -> dict:
    g = d["growth"][0] if d["growth"] else None
    if not g or g["spend_change_eur"] is None:
        return {"title": "Waarom veranderden de uitgaven?",
                "blocks": [_empty(f"Voor {y} tegen {y - 1} toont het bestand geen uitsplitsing van de verandering "
                                  "(geen vorig jaar in de gegevens, of te kleine aantallen).")]}
    direction = "stegen" if g["spend_change_eur"] >= 0 else "daalden"
    change_pct = 100 * g["spend_change_eur"] / g["spend_year_before_eur"] if g["spend_year_before_eur"] else None
    blocks = [_p(f"De uitgaven {direction} van {euro(g['spend_year_before_eur'])} in {y - 1} naar "
                 f"{euro(g['spend_eur'])} in {y}: {euro_signed(g['spend_change_eur'])}"
                 + (f" ({pct_signed(change_pct)})." if change_pct is not None else ".")
                 + " De tabel splitst dat bedrag op twee manieren precies op.")]
    rows = []
    if g["client_effect_eur"] is not None:
        rows.append(["Meer of minder cliënten",
                     f"{_opt(g['clients_year_before'], number)} → {_opt(g['clients'], number)}",
                     euro_signed(g["client_effect_eur"])])
    if g["per_client_effect_eur"] is not None:
        rows.append(["Meer of minder geld per cliënt", f"{_opt(g['spend_per_client_year_before_eur'], euro)} → "
                     f"{_opt(g['spend_per_client_eur'], euro)}", euro_signed(g["per_client_effect_eur"])])
    if g["price_effect_eur"] is not None:
        rows.append(["Prijs: hogere of lagere tarieven", f"tarieven {_opt(g['tariff_change_pct'], pct_signed)}",
                     euro_signed(g["price_effect_eur"])])
    if g["volume_mix_effect_eur"] is not None:
        rows.append(["Volume en mix: meer, minder of andere zorg", "", euro_signed(g["volume_mix_effect_eur"])])
    if rows:
        blocks.append(_table(["Oorzaak", "Van → naar", "Deel van de verandering"], rows, "llr"))
        blocks.append(_note("De eerste twee regels tellen op tot de verandering, en de laatste twee ook "
                            "(middenpuntmethode, zie DATA_CONTRACT.md, spend_growth)."))
    change = g["youth_population_change"]
    if g["youth_population"] is not None and change is not None:
        verb = "steeg met" if change > 0 else "daalde met" if change < 0 else "bleef gelijk op"
        amount = f"{number(abs(change))} tot " if change else ""
        blocks.append(_p(f"Het aantal inwoners van 0 tot en met 17 jaar {verb} {amount}"
                         f"{number(g['youth_population'])}."))
    return {"title": "Waarom veranderden de uitgaven?", "blocks": blocks}


def _outcomes(d: dict, y: int) -> dict:
    b, name = d["benchmark"], d["name"]
    rows, small = [], False
    for m in ("ended_as_planned_pct", "dropout_pct", "no_recurrence_pct", "satisfaction_mean"):
        r = _at(b, m, y)
        if not r or r["value"] is None:
            rows.append([MEASURE_LABELS[m], "niet getoond", DASH, fmt(m, (r or {}).get("region_value")),
                         fmt(m, (r or {}).get("all_value")), DASH])
            continue
        n = int(r["n"]) if r["n"] is not None else None
        small |= n is not None and n < SMALL_N
        rows.append([MEASURE_LABELS[m], fmt(m, r["value"]), n_label(n), fmt(m, r["region_value"]),
                     fmt(m, r["all_value"]),
                     f"{r['region_rank']} van {r['region_municipalities']}" if r.get("region_rank") and not _alone(r)
                     else DASH])
    if all(r[1] == "niet getoond" for r in rows):
        return {"title": "Resultaten van de hulp",
                "blocks": [_empty(f"Voor {y} toont het bestand geen resultaten voor {name}: te weinig beëindigde "
                                  "trajecten of antwoorden.")]}
    blocks = [_p(f"Hoe liepen de trajecten af die in {y} eindigden? Bij elk cijfer staat op hoeveel trajecten of "
                 "antwoorden het rust (n). Plaats in de regio: 1 is de laagste waarde; bij uitval is laag goed, bij "
                 "de andere maten hoog.")]
    planned = _at(b, "ended_as_planned_pct", y)
    if planned and planned["value"] is not None and planned["region_value"] is not None:
        diff = planned["value"] - planned["region_value"]
        word = "hoger dan" if diff > 0 else "lager dan" if diff < 0 else "gelijk aan"
        blocks.append(_p(f"In {name} eindigde {pct(planned['value'])} van de trajecten volgens plan, "
                         f"{word} de regio ({pct(planned['region_value'])})."))
    blocks.append(_table(["Maat", name, "n", "Regio", "Alle gemeenten", "Plaats in regio"], rows, "lrrrrr",
                         [2.6, 1, 1.3, 0.9, 1.1, 1.1]))
    if small:
        blocks.append(_note(f"'klein aantal': minder dan {SMALL_N} trajecten of antwoorden. Zo'n cijfer kan van jaar "
                            "tot jaar sterk schommelen door toeval; lees het als een aanwijzing, niet als een "
                            "vaststelling."))
    cat_rows = [[f"{c['product_category']} {c['description'] or ''}".strip(), _opt(c["trajectories_ended"], number),
                 fmt("ended_as_planned_pct", c["ended_as_planned_pct"]), fmt("dropout_pct", c["dropout_pct"]),
                 fmt("no_recurrence_pct", c["no_recurrence_pct"])] for c in d["categories"]]
    if cat_rows:
        blocks.append(_p("Per soort hulp (productcategorie):", sticky=True))
        blocks.append(_table(["Productcategorie", "Beëindigd", "Volgens plan", "Uitval", "Geen nieuwe hulp"],
                             cat_rows, "lrrrr", [3, 1, 1, 1, 1.2]))
    blocks += _hidden(d["categories_hidden"], "productcategorieën")
    return {"title": "Resultaten van de hulp", "blocks": blocks}


def _what_works(d: dict, y: int) -> dict:
    b, name = d["benchmark"], d["name"]
    blocks = []
    ebs = _at(b, "evidence_based_spend_pct", y)
    if ebs and ebs["value"] is not None:
        blocks.append(_p(f"In {y} ging {pct(ebs['value'])} van de uitgaven van {name} naar interventies die de "
                         f"Databank Effectieve Jeugdinterventies van het NJi als effectief erkent (regio "
                         f"{fmt('evidence_based_spend_pct', ebs['region_value'])}, alle gemeenten "
                         f"{fmt('evidence_based_spend_pct', ebs['all_value'])})."))
    rows = [[i["intervention"] or i["product_code"], i["nji_erkenning"] or DASH, _opt(i["spend_eur"], euro),
             _opt(i["clients"], number), _opt(i["trajectories_ended"], number),
             fmt("ended_as_planned_pct", i["ended_as_planned_pct"])] for i in d["interventions"]]
    if rows:
        blocks.append(_table(["Interventie", "Erkenning (NJi)", "Uitgaven", "Cliënten", "Beëindigd", "Volgens plan"],
                             rows, "llrrrr", [2.4, 2.2, 1.2, 0.9, 0.9, 1]))
    if not blocks:
        blocks.append(_empty(f"Voor {y} toont het bestand geen interventies voor {name}: alle aantallen zijn te klein "
                             "of er is niet gedeclareerd."))
    blocks += _hidden(d["interventions_hidden"], "interventies")
    return {"title": "Wat werkt: interventies en hun erkenning", "blocks": blocks}


def _access(d: dict, y: int) -> dict:
    rows = [[r["description"], _opt(r["trajectories_started"], number), fmt("x_pct", r["share_of_starts_pct"]),
             fmt("x_pct", r["region_share_of_starts_pct"]), _opt(r["trajectories_ended"], number),
             fmt("x_pct", r["ended_as_planned_pct"]), fmt("x_pct", r["dropout_pct"])] for r in d["referral"]]
    if not rows:
        return {"title": "Toegang: langs welke weg begint de hulp?",
                "blocks": [_empty(f"Voor {y} toont het bestand geen verwijzers voor {d['name']} "
                                  "(te kleine aantallen)."),
                           *_hidden(d["referral_hidden"], "verwijzers")]}
    blocks = [_p(f"Wie verwees de jongeren door die in {y} met hulp begonnen, en hoe liep die hulp af? 'Aandeel' is "
                 "het deel van alle gestarte trajecten; de resultaten gaan over de trajecten die in het jaar "
                 "eindigden."),
              _table(["Verwijzer", "Gestart", "Aandeel", "Aandeel regio", "Beëindigd", "Volgens plan", "Uitval"], rows,
                     "lrrrrrr", [3, 0.8, 0.9, 1, 0.9, 1, 0.8])]
    if any(r["share_of_starts_pct"] is None for r in d["referral"]):
        blocks.append(_note("Een leeg aandeel is weggelaten omdat het anders een verborgen klein aantal zou verraden."))
    blocks += _hidden(d["referral_hidden"], "verwijzers")
    return {"title": "Toegang: langs welke weg begint de hulp?", "blocks": blocks}


def _duration_section(dur: dict, region: str, y: int) -> dict:
    title = "Duur en effect: helpt langer ook beter?"
    by_cat: dict[str, dict] = {}
    for r in dur["rows"]:
        by_cat.setdefault(r["product_category"], {"label": f"{r['product_category']} {r['description'] or ''}".strip(),
                                                  "bands": {}})["bands"][r["duration_band"]] = r
    shown = {c: v for c, v in by_cat.items() if sum(b["ended_as_planned_pct"] is not None
                                                    for b in v["bands"].values()) >= 2}
    if not shown:
        return {"title": title, "blocks": [_empty(f"Voor de regio {region} toont het bestand voor {y} te weinig "
                                                  "beëindigde trajecten per duur om een verband te laten zien."),
                                           *_hidden(dur["hidden"], "combinaties van soort hulp en duur")]}
    # the categories with the most ended trajectories, at most six lines
    top = sorted(shown, key=lambda c: -sum(b["trajectories_ended"] or 0 for b in shown[c]["bands"].values()))[:6]
    lines = {shown[c]["label"]: [((shown[c]["bands"].get(b) or {}).get("ended_as_planned_pct"),
                                       (shown[c]["bands"].get(b) or {}).get("trajectories_ended")) for b in BANDS]
             for c in sorted(top)}
    blocks = [_p(f"Eindigen langere trajecten vaker volgens plan? Per soort hulp het aandeel dat volgens plan "
                 f"eindigde, naar hoe lang het traject duurde, voor alle trajecten in de regio {region} die in {y} "
                 "eindigden. Het bestand geeft de duur per regio, niet per gemeente: zo blijven de aantallen groot "
                 "genoeg.", sticky=True),
              _chart(charts.duration_curve(BAND_LABELS, lines,
                                           f"Beëindigd volgens plan naar duur, regio {region}, {y}"),
                     "Een lijn die na een bepaalde duur vlak wordt of daalt, wijst erop dat langer doorgaan daar "
                     "weinig "
                     "toevoegt.")]
    rows = []
    for c in sorted(top):
        cells = [shown[c]["label"]]
        for b in BANDS:
            r = shown[c]["bands"].get(b)
            n = r["trajectories_ended"] if r else None
            cells.append(DASH if not r or r["ended_as_planned_pct"] is None else
                         f"{pct(r['ended_as_planned_pct'])} (n = {_opt(n, number)}"
                         f"{'*' if n is not None and n < SMALL_N else ''})")
        rows.append(cells)
    blocks.append(_table(["Soort hulp (volgens plan, n)", *BAND_LABELS], rows, "lrrrrr", [2.2, 1, 1, 1, 1, 1]))
    blocks.append(_note(f"* klein aantal: minder dan {SMALL_N} trajecten; zo'n cijfer kan door toeval sterk afwijken. "
                        "– : geen of te weinig trajecten om te tonen."))
    blocks += _hidden(dur["hidden"], "combinaties van soort hulp en duur")
    return {"title": title, "blocks": blocks}


# the competition authority's bands of the HHI (provider_landscape.hhi_band)
HHI_LEVEL = {"below 1500": "niet geconcentreerd", "1500-2500": "matig geconcentreerd",
             "above 2500": "sterk geconcentreerd"}


def _band(band: str | None) -> str:
    """'50-75' as '50 en 75'."""
    return (band or "?").replace("below ", "0-").replace("-", " en ")


def _providers(d: dict, y: int) -> dict:
    title = "Aanbieders: hoeveel, hoe geconcentreerd, en wie maakt meer dan 3% winst"
    land = next((r for r in d["landscape"] if r["year"] == y), None)
    blocks = []
    if land and land["providers"] is not None:
        hhi = land["hhi"]
        level = HHI_LEVEL.get(land["hhi_band"], "niet bekend")
        top5 = (fmt("x_pct", land["top5_share_pct"]) if land["top5_share_pct"] is not None
                else f"tussen {_band(land['top5_share_band'])} procent")
        index = (f"is {number(hhi)}" if hhi is not None else
                 "wordt niet als getal getoond, omdat een kleine aanbieder verborgen blijft; de klasse is bekend")
        blocks.append(_p(f"In {y} ontvingen {number(land['providers'])} aanbieders geld van {d['name']}. De vijf "
                         f"grootste kregen samen {top5} van het geld. De concentratie-index (HHI) {index}: {level} "
                         "(boven 1.500 heet een markt matig, boven 2.500 sterk geconcentreerd)."))
    else:
        blocks.append(_empty(f"Voor {y} toont het bestand geen aanbiedersoverzicht voor {d['name']}."))
    above = d["margins_above_3"]
    if above:
        names = ", ".join(f"{a['provider_name']} ({fmt('x_pct', a['provider_margin_pct'])})" for a in above)
        blocks.append(_p(f"{len(above)} van de {d['provider_rows']} aanbieders had volgens de eigen jaarrekening een "
                         f"winstmarge boven 3%: {names}. Jaarrekeningen zijn openbaar; deze namen worden dus altijd "
                         "getoond."))
    elif d["provider_rows"]:
        blocks.append(_p(f"Geen van de {d['provider_rows']} aanbieders had volgens de jaarrekening een winstmarge "
                         "boven 3% (voor zover de jaarrekening bekend is)."))
    rows = [[p["provider_name"], _opt(p["spend_eur"], euro), fmt("x_pct", p["share_of_municipality_spend_pct"]),
             fmt("x_pct", p["provider_margin_pct"]), "ja" if p["margin_above_3pct"] else "nee"]
            for p in d["providers"][:12]]
    if rows:
        blocks.append(_table(["Aanbieder", "Uitgaven", "Aandeel", "Winstmarge", "Boven 3%"], rows, "lrrrr",
                             [3, 1.3, 0.9, 1, 0.9]))
        if len(d["providers"]) > 12:
            blocks.append(_note(f"De {len(d['providers'])} getoonde aanbieders staan allemaal in het bestand "
                                "(spend_by_municipality_provider_year); hier de grootste twaalf."))
    blocks += _hidden(d["providers_hidden"], "aanbieders")
    return {"title": title, "blocks": blocks}


def _allocation(d: dict, y: int) -> dict:
    title = "Toewijzingen en declaraties"
    rows = d["allocation"]
    if not rows:
        return {"title": title, "blocks": [_empty(f"Voor {y} toont het bestand geen vergelijking van toewijzingen en "
                                                  f"declaraties voor {d['name']}."),
                                           *_hidden(d["allocation_hidden"], "aanbieders")]}

    def total(col: str) -> float:
        return sum(r[col] or 0 for r in rows)

    blocks = [_p(f"Wijst de gemeente toe wat er gedeclareerd wordt? Over de {len(rows)} aanbieders die getoond kunnen "
                 f"worden: {number(total('allocations'))} toewijzingen, samen {euro(total('allocated_volume_eur'))} "
                 f"toegewezen (waar een budget of tarief een bedrag geeft) en {euro(total('declared_eur'))} "
                 f"gedeclareerd."),
              _table(["Signaal", "Aantal of bedrag"], [
                  ["Gedeclareerd boven de toegewezen omvang", euro(total("declared_over_allocation_eur"))],
                  ["Declaratieregels buiten de periode van de toewijzing",
                   number(total("lines_outside_allocation_period"))],
                  ["Toewijzingen zonder declaratie", number(total("allocations_without_declarations"))],
                  ["Declaraties zonder toewijzing", number(total("declarations_without_allocation"))],
              ], "lr", [3, 1])]
    blocks += _hidden(d["allocation_hidden"], "aanbieders")
    if d["allocation_hidden"]:
        blocks.append(_note("De totalen gaan alleen over de getoonde aanbieders."))
    return {"title": title, "blocks": blocks}


def _quality(d: dict, y: int) -> dict:
    about = d["about"]
    rejected = about["files_rejected"] or 0
    rejected_text = ("geen bestand werd geweigerd" if not rejected else
                     "1 bestand werd geweigerd omdat het niet te lezen was" if rejected == 1 else
                     f"{number(rejected)} bestanden werden geweigerd omdat ze niet te lezen waren")
    retracted = f" en {number(about['files_retracted'])} ingetrokken" if about["files_retracted"] else ""
    outcomes = (f"{long_date(date.fromisoformat(about['outcome_records_through']))} (uitkomstregistraties)"
                if about.get("outcome_records_through") else "nog zonder uitkomstregistraties")
    blocks = [_p(f"De cijfers lopen tot en met {long_date(date.fromisoformat(about['data_through']))} (declaraties), "
                 f"{outcomes}. Het "
                 f"bestand bevat {number(about['files_loaded'])} ingelezen bestanden; {rejected_text}{retracted}."),
              _p(f"Een cijfer over minder dan {about['min_cell_size']} cliënten wordt niet getoond, en ook niet een "
                 "cijfer waaruit zo'n klein aantal terug te rekenen zou zijn. Daardoor tellen de uitsplitsingen niet "
                 "altijd op tot het totaal; de tabel laat zien hoeveel geld in elke uitsplitsing niet zichtbaar is. "
                 "Een streepje (–) in een tabel staat voor een cijfer dat om die reden niet getoond wordt.")]
    rows = [[TABLE_LABELS.get(r["table_name"], r["table_name"]), euro(r["spend_shown_eur"] or 0),
             euro(r["spend_not_shown_eur"] or 0), number(r["rows_not_shown"] or 0)] for r in d.get("not_shown", [])
            if "spend_shown_eur" in r]
    if rows:
        # the table follows its own lead-in onto the next page rather than standing there alone
        blocks.append(_p(f"Per uitsplitsing van de uitgaven van {d['name']} in {y}: het bedrag dat getoond wordt, het "
                         "bedrag dat niet getoond wordt en het aantal rijen dat daarvoor verborgen is.", sticky=True))
        blocks.append(_table(["Uitsplitsing van de uitgaven", "Getoond", "Niet getoond", "Rijen niet getoond"], rows,
                             "lrrr"))
    elif not d.get("not_shown"):
        blocks.append(_empty(f"Voor {y} is er geen uitsplitsing van de uitgaven van {d['name']}."))
    return {"title": "Datakwaliteit en wat niet getoond wordt", "blocks": blocks}


# ---------------------------------------------------------------------------------------------- region

def region_document(d: dict[str, Any], period_title: str) -> dict[str, Any]:
    y, region = d["period"]["year"], d["name"]
    sections = [_region_spend(d, y), _region_outcomes(d, y), _region_growth(d, y), _region_access(d, y),
                _duration_section(d["duration"], region, y), _region_providers(d, y), _region_quality(d, y)]
    meta = _meta(d["about"], d)
    meta = [["Gemeenten in het bestand", ", ".join(m["name"] for m in d["members"]) or DASH]
            if row[0] == "Jeugdzorgregio" else row for row in meta]
    return {"kind": "region", "title": f"Jeugdhulp in de regio {region}: uitgaven en resultaten, {period_title}",
            "to": f"de gemeenteraden in de jeugdzorgregio {region}", "region": region,
            "from": f"de colleges van burgemeester en wethouders in de regio {region}", "meta": meta,
            "summary": _region_summary(d, y), "sections": sections}


def _rb(d: dict, measure: str, y: int) -> dict | None:
    r = d["benchmark"].get(measure, {}).get(y)
    return r if r and r.get("value") is not None else None


def _region_summary(d: dict, y: int) -> list[str]:
    out = []
    spy = _rb(d, "spend_per_youth_eur", y)
    if spy:
        out.append(f"De regio {d['name']} gaf in {y} {fmt('spend_per_youth_eur', spy['value'])} per jeugdige uit, "
                   f"tegen {fmt('spend_per_youth_eur', spy['all_value'])} in alle gemeenten in het bestand.")
    planned = _rb(d, "ended_as_planned_pct", y)
    if planned:
        out.append(f"{pct(planned['value'])} van de {number(planned['n'])} beëindigde trajecten eindigde volgens plan.")
    if not out:
        out.append(f"Over de regio {d['name']} bevat het bestand voor {y} te weinig gegevens om iets te tonen.")
    return out


def _region_spend(d: dict, y: int) -> dict:
    region, blocks = d["name"], []
    spy = _rb(d, "spend_per_youth_eur", y)
    if not spy:
        blocks.append(_empty(f"Voor {y} toont het bestand geen uitgaven per jeugdige voor de regio {region}."))
    else:
        blocks.append(_p(f"Per inwoner van 0 tot en met 17 jaar gaf de regio {region} in {y} "
                         f"{fmt('spend_per_youth_eur', spy['value'])} uit aan jeugdhulp, tegen "
                         f"{fmt('spend_per_youth_eur', spy['all_value'])} in alle gemeenten in het bestand samen. "
                         "De regiocijfers zijn gewogen: het totaal van de regio gedeeld door het totaal van haar "
                         "jeugdigen, geen gemiddelde van gemeentecijfers."))
        years = sorted(d["benchmark"].get("spend_per_youth_eur", {}))
        vals = [(_rb(d, "spend_per_youth_eur", yr) or {}) for yr in years]
        if sum(v.get("value") is not None for v in vals) >= 2:
            blocks.append(_chart(charts.trend(years, [(f"regio {region}", [v.get("value") for v in vals], "subject"),
                                                      ("alle gemeenten", [v.get("all_value") for v in vals], "all")],
                                              "eur", "Uitgaven per jeugdige (0-17 jaar) per jaar"),
                                 f"Uitgaven per jeugdige: de regio {region} tegen alle gemeenten in het bestand."))
    rows = []
    for p in d["table"]["spend_per_youth_eur"]:
        cells = [p["name"]]
        for m in ("spend_per_youth_eur", "clients_per_1000_youth", "spend_per_client_eur", "evidence_based_spend_pct"):
            v = next((q["value"] for q in d["table"][m] if q["code"] == p["code"]), None)
            cells.append(fmt(m, v))
        rows.append(cells)
    if rows:
        blocks.append(_table(["Gemeente", "Per jeugdige", "Cliënten per 1.000", "Per cliënt", "Bewezen effectief"],
                             rows, "lrrrr", [2.2, 1.2, 1.2, 1.2, 1.2]))
    peers = [(p["name"], p["value"], None) for p in d["table"]["spend_per_youth_eur"]]
    if spy and len(peers) > 1:
        blocks.append(_chart(charts.benchmark_bar(peers, None, spy["value"], f"regio {region}", "eur",
                                                  f"Uitgaven per jeugdige in {y}, gemeenten in de regio"),
                             "De stippellijn is de regio als geheel."))
    return {"title": "Uitgaven: de gemeenten naast elkaar", "blocks": blocks}


def _region_outcomes(d: dict, y: int) -> dict:
    rows, small = [], False
    for m in ("ended_as_planned_pct", "dropout_pct", "no_recurrence_pct", "satisfaction_mean"):
        r = _rb(d, m, y)
        n = int(r["n"]) if r and r["n"] is not None else None
        small |= n is not None and n < SMALL_N
        rows.append([MEASURE_LABELS[m], fmt(m, r["value"]) if r else "niet getoond", n_label(n) if r else DASH,
                     fmt(m, r["all_value"]) if r else DASH])
    if all(r[1] == "niet getoond" for r in rows):
        return {"title": "Resultaten van de hulp", "blocks": [_empty(
            f"Voor {y} toont het bestand geen resultaten voor de regio {d['name']}.")]}
    blocks = [_table(["Maat", f"Regio {d['name']}", "n", "Alle gemeenten"], rows, "lrrr", [2.6, 1.2, 1.4, 1.2])]
    per = []
    for p in d["table"]["ended_as_planned_pct"]:
        cells = [p["name"]]
        for m in ("ended_as_planned_pct", "dropout_pct", "no_recurrence_pct", "satisfaction_mean"):
            q = next((q for q in d["table"][m] if q["code"] == p["code"]), {})
            n = int(q["n"]) if q.get("n") is not None else None
            cells.append(fmt(m, q.get("value")) + (f" (n = {number(n)}{'*' if n < SMALL_N else ''})"
                                                   if n is not None and q.get("value") is not None else ""))
        per.append(cells)
    if per:
        blocks.append(_p("Per gemeente, met op hoeveel trajecten of antwoorden elk cijfer rust (* klein aantal):",
                         sticky=True))
        blocks.append(_table(["Gemeente", "Volgens plan", "Uitval", "Geen nieuwe hulp", "Tevredenheid"], per, "lrrrr",
                             [1.6, 1.4, 1.4, 1.4, 1.4]))
    if small or any("*)" in c for r in per for c in r):
        blocks.append(_note(f"* en 'klein aantal': minder dan {SMALL_N} trajecten of antwoorden; lees zo'n cijfer als "
                            "een aanwijzing, niet als een vaststelling."))
    return {"title": "Resultaten van de hulp", "blocks": blocks}


def _region_growth(d: dict, y: int) -> dict:
    parts = [("spend_change_pct", "Verandering van de uitgaven"), ("client_effect_pct", "waarvan: aantal cliënten"),
             ("per_client_effect_pct", "waarvan: uitgaven per cliënt"),
             ("price_effect_pct", "waarvan: prijs (tarieven)"),
             ("volume_mix_effect_pct", "waarvan: volume en mix"), ("tariff_change_pct", "Tariefverandering")]
    rows = [[label, pct_signed(r["value"], 1), pct_signed(r["all_value"], 1) if r["all_value"] is not None else DASH]
            for m, label in parts if (r := _rb(d, m, y))]
    if not rows:
        return {"title": "Waarom veranderden de uitgaven?", "blocks": [_empty(
            f"Voor {y} tegen {y - 1} toont het bestand geen uitsplitsing voor de regio {d['name']}.")]}
    return {"title": "Waarom veranderden de uitgaven?", "blocks": [
        _p(f"De verandering van de uitgaven van {y - 1} op {y}, als percentage van de uitgaven in {y - 1}, "
           "gesplitst in meer of minder cliënten tegen meer of minder geld per cliënt, en in prijs tegen volume en "
           "mix."),
        _table(["Onderdeel", f"Regio {d['name']}", "Alle gemeenten"], rows, "lrr", [3, 1.2, 1.2])]}


def _region_access(d: dict, y: int) -> dict:
    rows = [[r["description"], fmt("x_pct", r["region_share_of_starts_pct"])] for r in d["referral"]
            if r["region_share_of_starts_pct"] is not None]
    if not rows:
        return {"title": "Toegang: langs welke weg begint de hulp?", "blocks": [_empty(
            f"Voor {y} toont het bestand geen verwijzers voor de regio {d['name']}.")]}
    return {"title": "Toegang: langs welke weg begint de hulp?", "blocks": [
        _p(f"Het aandeel van de in {y} gestarte trajecten in de regio per verwijzer:"),
        _table(["Verwijzer", "Aandeel van de starts"], rows, "lr", [4, 1.3])]}


def _region_providers(d: dict, y: int) -> dict:
    rows = [[r["name"], _opt(r["providers"], number),
             _opt(r["hhi"], number) if r["hhi"] is not None else HHI_LEVEL.get(r["hhi_band"], "–"),
             fmt("x_pct", r["top5_share_pct"]) if r["top5_share_pct"] is not None
             else (f"{_band(r['top5_share_band'])} %" if r["top5_share_band"] else "–")]
            for r in d["landscape"]]
    if not rows:
        return {"title": "Aanbieders", "blocks": [_empty(f"Voor {y} toont het bestand geen aanbieders voor de regio.")]}
    return {"title": "Aanbieders", "blocks": [
        _p("Per gemeente: hoeveel aanbieders geld ontvingen, hoe geconcentreerd de uitgaven zijn (HHI: boven 1.500 "
           "matig, boven 2.500 sterk geconcentreerd) en welk deel naar de vijf grootste ging. Welke aanbieders meer "
           "dan 3% winst maken staat in de brief van elke gemeente."),
        _table(["Gemeente", "Aanbieders", "HHI", "Aandeel top 5"], rows, "lrrr", [2.5, 1, 1, 1.2])]}


def _region_quality(d: dict, y: int) -> dict:
    section = _quality({**d, "not_shown": []}, y)
    rows = [[TABLE_LABELS.get(r["table_name"], r["table_name"]), euro(r["spend_not_shown_eur"] or 0),
             number(r["rows_not_shown"] or 0)] for r in d["not_shown"]]
    section["blocks"] = section["blocks"][:2]
    if rows:
        section["blocks"].append(_table(["Uitsplitsing van de uitgaven", "Niet getoond (som over de gemeenten)",
                                         "Rijen niet getoond"], rows, "lrr"))
    return section
