"""The blocks a letter's sections are made of, as the Typst template lays them out (`p`, `sub`,
`empty`, `table`, `chart`, `note`, `terms`), the begrippenlijst, and the note that counts hidden rows.
No code names, file names, table names or formulas reach the text: terms that need it are explained
in the begrippenlijst."""

from __future__ import annotations

from assets.reports.data import count_sql
from assets.reports.figures import DASH, MISSING, MISSING_MEANING, Figures

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


def para(text: str, sticky: bool = False) -> dict:
    """A paragraph; sticky: keep it on the page of the block that follows (the chart it introduces)."""
    return {"type": "p", "text": text, "sticky": sticky}


def blank(text: str) -> dict:
    return {"type": "empty", "text": text}


def sub(text: str) -> dict:
    """A subheading within a section."""
    return {"type": "sub", "text": text}


def note(text: str) -> dict:
    return {"type": "note", "text": text}


def table(columns: list[str], rows: list[list[str]], align: str, widths: list[float] | None = None) -> dict:
    return {"type": "table", "columns": columns, "rows": rows, "align": align, "widths": widths}


def chart(svg: str, caption: str) -> dict:
    return {"type": "chart", "svg": svg, "caption": caption}


def hidden_rows(f: Figures, rows: list[dict], what: str) -> list[dict]:
    """A note saying how many rows of a table are hidden (a traced count), when any are."""
    n = sum(bool(r.get("suppressed")) for r in rows)
    if not n:
        return []
    count = f.calc({"value": n, "sql": count_sql(rows[0], "t.suppressed")}, "int")
    return [note(f"{count} {what} niet getoond om kleine aantallen te beschermen: te weinig cliënten om ze te tonen "
                 "zonder dat iemand herkenbaar wordt.")]


def glossary(f: Figures, missing_only: bool = False) -> dict:
    """The begrippenlijst; `missing_only`: just the reasons for a dash (the monthly letter uses no
    other term)."""
    terms = [t for t in TERMS if t[0].startswith(DASH)] if missing_only else TERMS
    if any("HHI" in t[0] for t in terms):
        for threshold in ("1.500", "2.500"):
            f.const(threshold, "the competition authority's (ACM) thresholds of the HHI, in the begrippenlijst")
    return {"title": "Begrippenlijst", "blocks": [{"type": "terms", "items": [list(t) for t in terms]}]}


def numbered(f: Figures, sections: list[dict]) -> list[dict]:
    """The sections with their heading numbers (listed as wording: they count sections, not care)."""
    return [{**s, "number": f.const(str(i), "the number of a section heading")} for i, s in enumerate(sections, 1)]
