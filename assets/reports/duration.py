"""Zoetermeer's question, shared by the municipality and region letters: does longer care end as
planned more often?"""

from __future__ import annotations

from assets.reports import charts
from assets.reports.blocks import blank, chart, note, para, table
from assets.reports.figures import Figures
from assets.reports.formatting import SMALL_N


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


def duration_section(f: Figures, dur: dict[str, list[dict]], region: str, y: int) -> dict:
    """Zoetermeer's ask, the longest duration that still helps: pooled over every year, from the most
    reliable table that hides nothing (the region's, else all municipalities in the data), with n."""
    title = "Duur en effect: helpt langer ook beter?"
    shown = _duration_lines(dur)
    if not shown:
        return {"title": title, "blocks": [blank(f"Voor de regio {region} tonen de gegevens te weinig beëindigde "
                                                 "trajecten per duur om een verband te laten zien.")]}
    bands = [b["duration_band"] for b in dur["bands"]]
    words = {b["duration_band"]: b["duration_band_label"] for b in dur["bands"]}
    # the categories with the most ended trajectories, at most six lines
    top = sorted(sorted(shown), key=lambda c: -sum(b["n"] or 0 for b in shown[c]["bands"].values()))[:6]
    # the legend names the category only (the table below says where each line comes from)
    lines = {shown[c]["label"]: [
        ((shown[c]["bands"].get(b) or {}).get("ended_as_planned_pct"), (shown[c]["bands"].get(b) or {}).get("n"))
        for b in bands] for c in sorted(top)}
    blocks = [para(f"Eindigen langere trajecten vaker volgens plan? Per soort hulp het aandeel dat volgens plan "
                   "eindigde, naar hoe lang het traject duurde, over alle jaren in de gegevens samen. Waar de regio "
                   f"{region} alle cijfers van een soort hulp kan tonen, komen ze uit de regio; anders uit alle "
                   "gemeenten in deze gegevens samen (zo blijven de aantallen groot genoeg). Bij elk cijfer staat op "
                   "hoeveel beëindigde trajecten het rust (n).", sticky=True),
              chart(charts.duration_curve([b["duration_band_short_label"] for b in dur["bands"]], lines,
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
    blocks.append(table(["Soort hulp (bron)", *words.values()], rows, "l" + "r" * len(bands),
                        [2.2, *[1] * len(bands)]))
    blocks.append(note("Per cel: het aandeel volgens plan en daaronder het aantal beëindigde trajecten (n); "
                       "* klein aantal, zie de begrippenlijst."))
    if best:
        blocks.append(para("Bij welke duur eindigen de meeste trajecten volgens plan? Alleen duren met minstens dertig "
                           "trajecten tellen mee. Dat is een samenhang, geen bewijs dat een kortere of langere duur "
                           "het resultaat veroorzaakt.", sticky=True))
        blocks.append(table(["Soort hulp", "Duur met het hoogste aandeel", "Volgens plan", "n"], best, "llrr",
                            [2.4, 1.8, 1, 0.8]))
    return {"title": title, "blocks": blocks}
