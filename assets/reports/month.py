"""Almere's monthly letter: the month against the same month a year before, what the latest
ingestion held back, and which WARN checks spoke up."""

from __future__ import annotations

from typing import Any

from assets.reports.blocks import blank, glossary, note, numbered, para, table
from assets.reports.figures import Figures
from assets.reports.heading import details, provisional_summary
from assets.reports.quality import quality_blocks
from foundation.warn_checks import KIND_NL


def _warning_blocks(f: Figures, w: dict[str, Any]) -> list[dict]:
    """The WARN checks that spoke up, by the norm each watches: they let the night run finish, so
    only this says that a person was asked to look."""
    failing = w["failing"]["value"] or 0
    blocks = [para(f"Welke controles sloegen alarm? De nachtelijke verwerking kent {f.calc(w['checks'], 'int')} "
                   "controles die niets tegenhouden, maar waarschuwen dat iemand moet kijken. Bij het publiceren van "
                   f"deze cijfers gaven er {f.calc(w['failing'], 'int')} een waarschuwing (voor de hele "
                   "gegevensverzameling, niet alleen deze gemeente)" + (":" if failing else "."), sticky=bool(failing))]
    if failing:
        blocks.append(table(["Deze norm werd niet gehaald"], [[f.name(n, "")] for n in w["norms"]], "l"))
    if w["never_run"]["value"]:
        blocks.append(note(f"{f.calc(w['never_run'], 'int')} van deze controles zijn nog nooit uitgevoerd; hun "
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
    # the measures, their words and formats, as queries/month_measures.sql lists them
    rows = [[v["letter_label"], f.calc(v["now"], v["letter_format"]), f.calc(v["before"], v["letter_format"]),
             f.calc(v["change_pct"], "pct_signed")] for v in m.values()]
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
    blocks = [table(["", period_title, f"een jaar eerder ({y - 1})", "Verandering"], rows, "lrrr",
                    [2.6, 1.2, 1.3, 1])]
    if d["kind"] == "region":
        blocks.append(note("Opgeteld over de gemeenten van de regio; een cijfer is verborgen zodra het bij één "
                           "gemeente verborgen is."))
    if changed:
        most, change = max(changed, key=lambda kv: abs(kv[1]))
        word = "steeg het meest" if change > 0 else "daalde het meest"
        sentence = f"{m[most]['letter_subject']} {word}: {f.calc(m[most]['change_pct'], 'pct_signed')}"
        blocks.append(para(f"Wat veranderde het meest? {sentence} tegen dezelfde maand een jaar eerder."))
        summary.append(f"{m[most]['letter_subject']} {word}: {f.calc(m[most]['change_pct'], 'pct_signed')}.")
    if not summary:
        summary.append(f"Over {subject} bevatten de gegevens voor {period_title} niets dat getoond kan worden.")
    summary = provisional_summary(d, period_title) + summary
    ingestion = [[KIND_NL.get(r["kind"], r["kind"]) + (" (geweigerd)" if r["status"] == "rejected" else ""),
                  f.val(r, "files", "int"), f.val(r, "rows_read", "int"), f.val(r, "rows_quarantined", "int")]
                 for r in d["ingestion"]]
    check_blocks = [para("Wat hield de laatste inleesronde tegen? Per soort bestand: hoeveel bestanden en regels er "
                         "binnenkwamen en hoeveel regels werden tegengehouden omdat ze een regel van de controle niet "
                         "haalden (voor de hele gegevensverzameling, niet alleen deze gemeente).", sticky=True),
                    table(["Soort bestand", "Bestanden", "Regels", "Tegengehouden"], ingestion, "lrrr",
                          [2.4, 1, 1, 1])] if ingestion else [blank("Er is nog niets ingelezen.")]
    check_blocks += _warning_blocks(f, d["warnings"])
    sections = [{"title": "De maand tegen dezelfde maand een jaar eerder", "blocks": blocks},
                {"title": "Wat er bij het inlezen misging", "blocks": check_blocks},
                {"title": "Datakwaliteit", "blocks": quality_blocks(f, d)}, glossary(f, missing_only=True)]
    return {"kind": d["kind"], "title": f"Jeugdhulp in {subject}: maandbericht {period_title}",
            "to": f"de gemeenteraad van {name}" if d["kind"] == "municipality"
            else f"de gemeenteraden in de jeugdzorgregio {name}",
            "from": "het college van burgemeester en wethouders" if d["kind"] == "municipality"
            else f"de colleges van burgemeester en wethouders in de regio {name}",
            "region": d["region"] or "", "demo": bool(d.get("demo")), "opening": opening,
            "meta": details(f, d), "summary": summary, "sections": numbered(f, sections), "figures": f.items}
