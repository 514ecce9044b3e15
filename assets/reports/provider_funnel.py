"""Providers compared fairly (Almelo, Hoogeveen), shared by the municipality and region letters:
each provider's dropout and planned endings against what its children predict, as a funnel plot."""

from __future__ import annotations

from assets.reports import charts
from assets.reports.blocks import blank, chart, note, para, sub, table
from assets.reports.data import count_sql
from assets.reports.figures import Figures


def provider_name(f: Figures, p: dict) -> str:
    return f.name(p["provider_name"], f"aanbieder met AGB-code {p['provider_agb']} (naam niet in de referentielijst)")


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


def funnel_blocks(f: Figures, fun: dict, name: str) -> list[dict]:
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
    hidden_note = ([note(f"{hidden_count} {has} ook over alle gemeenten in deze gegevens samen geen punt: te weinig "
                         "cliënten, of verborgen zodat kleine aantallen elders niet terug te rekenen zijn.")]
                   if hidden else [])
    blocks = [sub("Uitval en einde volgens plan, vergeleken met wat bij deze kinderen te verwachten was")]
    if not any(_drawable(r, "dropout") for r in rows):
        return [*blocks, blank(f"Voor {scope} tonen de gegevens over {when} geen aanbieder met genoeg cliënten om te "
                               "vergelijken."), *hidden_note]
    blocks += [para("Heeft een aanbieder meer of minder uitval dan je zou verwachten gegeven de kinderen die "
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
        blocks.append(chart(
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
            table_blocks.append(para(f"{label}: geen van {of_shown} ligt buiten de grenzen; de verschillen passen bij "
                                     "wat toeval geeft."))
            continue
        count = _funnel_count(f, rows, f"{drawn} AND t.{prefix}_signal <> 'within'", len(outside))
        table_blocks.append(para(f"{label}: {count} van {of_shown} {'ligt' if len(outside) == 1 else 'liggen'} buiten "
                                 f"de {f.const('95%', 'the inner limit of the funnel')}-grenzen (n: beëindigde "
                                 f"trajecten; waargenomen en verwacht: het aantal met {noun}):", sticky=True))
        table_blocks.append(table(
            ["Aanbieder", "n", "Waargenomen", "Verwacht", "Verhouding",
             f"{f.const('95%', 'the inner limit of the funnel')}-grenzen",
             f"{f.const('99,8%', 'the outer limit of the funnel')}-grenzen", "Signaal"],
            [[provider_name(f, r), f.val(r, "trajectories_ended", "int"), f.val(r, f"{prefix}_observed", "int"),
              # ratio and limits to the three decimals the signal is judged on, so none reads equal
              f.val(r, f"{prefix}_expected", "dec1"), f.val(r, f"{prefix}_ratio", "dec3"),
              f"{f.val(r, f'{prefix}_lower_95', 'dec3')} – {f.val(r, f'{prefix}_upper_95', 'dec3')}",
              f"{f.val(r, f'{prefix}_lower_998', 'dec3')} – {f.val(r, f'{prefix}_upper_998', 'dec3')}",
              SIGNAL_WORDS[r[f"{prefix}_signal"].split("_")[0]]
              + (f", ook buiten {f.const('99,8%', 'the outer limit of the funnel')}"
                 if r[f"{prefix}_signal"].endswith("99.8") else "")] for r in outside],
            "lrrrrrrl", [1.9, 0.7, 1.45, 1, 1.1, 1.1, 1.15, 1.9]))
    blocks.append(para("Hoger of lager dan verwacht gegeven de kinderen die deze aanbieder behandelt: dat is een "
                       "signaal om met de aanbieder te bespreken, geen oordeel. De vergelijking corrigeert alleen voor "
                       f"{_factor_list(fun['factors'])}, niet voor wat niet in de gegevens staat, zoals de zwaarte van "
                       "de problemen of de gezinssituatie. Ze zegt niets over een individueel kind."))
    return blocks + table_blocks + hidden_note
