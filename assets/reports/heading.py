"""The head of every letter: its opening, its details (period, region, k, source, publication), the
publication it cites, and whether its period is still provisional."""

from __future__ import annotations

from datetime import date, datetime

from assets.reports.figures import Figures
from assets.reports.formatting import MONTHS, long_date


def opening_text(f: Figures, d: dict, subject: str, period_title: str) -> str:
    motion = d.get("motion")
    text = (f"Met deze brief informeren wij u over de jeugdhulp in {subject} in {period_title}: wat die kostte, wat "
            f"die opleverde en hoe {subject} zich verhoudt tot vergelijkbare gemeenten.")
    if motion:
        text += f" Zo geven wij antwoord op {f.name(motion, motion)}."
    return text


def details(f: Figures, d: dict) -> list[list[str]]:
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


def year_label(d: dict, year: int) -> str:
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


def provisional_summary(d: dict, period_title: str) -> list[str]:
    """The summary's first line when the letter's period is still provisional."""
    if not is_provisional(d, date.fromisoformat(d["period"]["last_day"])):
        return []
    return [f"Voorlopig: de cijfers over {period_title} kunnen nog veranderen, omdat aanbieders declaraties en "
            "creditregels over die maanden nog later insturen."]


def group_of(f: Figures, d: dict) -> str:
    """The comparison group named for what it is: the municipalities in these data, not the country."""
    return f"de {f.calc(d['group_size'], 'int')} gemeenten in deze gegevens"
