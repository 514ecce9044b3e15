"""Dutch labels and definitions for every published table and column.

They become DuckDB comments in the published file, so Metabase, Superset or Power BI show a
council member's word for each number next to its definition. A column name means the same in
every table, so one dictionary serves all.
"""

from __future__ import annotations

TABLES: dict[str, str] = {
    "cost_trends_by_municipality": "Kostentrend per gemeente en maand: netto uitgaven (debet min credit) naar maand "
    "van levering, cliënten, uitgaven per cliënt, voortschrijdend 12-maandstotaal en verschil met een jaar eerder.",
    "cost_by_municipality_year": "Kosten per gemeente en jaar, afgezet tegen het aantal jeugdigen (0-17 jaar), "
    "met het aandeel uitgaven aan interventies die volgens NJi effectief zijn.",
    "cost_by_municipality_product_year": "Kosten per gemeente, jaar en productcategorie (JZ020), met het aandeel "
    "van de categorie in de uitgaven van de gemeente.",
    "provider_landscape": "Aanbiedersmarkt per gemeente en jaar: aantal aanbieders met positieve netto "
    "uitgaven, Herfindahl-Hirschman-index en aandeel van de vijf grootste.",
    "provider_performance": "Prestaties per aanbieder en jaar: uitgaven, cliënten, gemeenten, resultaten en "
    "winstmarge (met vlag boven 3%).",
    "effectiveness_by_municipality": "Effectiviteit per gemeente en jaar van beëindiging (outcome-indicatoren "
    "jeugd): beëindigd volgens plan, uitval, tevredenheid, zelfredzaamheid, herhaald beroep, kosten.",
    "effectiveness_by_municipality_product": "Effectiviteit per gemeente, jaar en productcategorie.",
    "effectiveness_by_provider": "Effectiviteit per gemeente, jaar en aanbieder.",
    "duration_effect": "Resultaten naar productcategorie en duur van het traject (<3m, 3-6m, 6-12m, 12-24m, >=24m).",
    "data_quality": "Datakwaliteit per bronbestand: status en aantallen rijen gelezen, geladen, in quarantaine, "
    "dubbel. Gelezen = geladen + quarantaine + dubbel.",
    "data_quality_rules": "Aantal rijen in quarantaine per bronbestand en regel.",
    "dim_municipality": "Gemeenten (CBS-indeling) met provincie en jeugdzorgregio.",
    "dim_provider": "Aanbieders (AGB-code) met naam en periode waarin zij declareerden.",
    "dim_product": "Producten met productcategorie (JZ020), interventie en NJi-erkenning.",
}

COLUMNS: dict[str, str] = {
    "municipality_code": "Gemeentecode: CBS-code van de gemeente, 4 cijfers met voorloopnullen.",
    "municipality_name": "Gemeentenaam.",
    "province": "Provincie.",
    "youth_care_region": "Jeugdzorgregio.",
    "has_declarations": "Declaraties geladen: of er voor deze gemeente declaratieregels zijn.",
    "month": "Maand van levering (eerste dag van de maand), naar begindatum van de productperiode.",
    "year": "Jaar.",
    "product_category": "Productcategorie (JZ020), 2 cijfers.",
    "product_category_description": "Omschrijving van de productcategorie (JZ020).",
    "product_code": "Productcode.",
    "product_description": "Omschrijving van het product.",
    "intervention": "Interventie.",
    "nji_recognition": "NJi-erkenning: niet beoordeeld, goed onderbouwd of effectief "
    "(eerste/goede/sterke aanwijzingen).",
    "evidence_based": "Effectief volgens NJi: erkenning begint met 'effectief'.",
    "provider_agb": "AGB-code van de aanbieder, 8 cijfers.",
    "provider_name": "Naam van de aanbieder.",
    "first_declared_month": "Eerste maand met gedeclareerde levering.",
    "last_declared_month": "Laatste maand met gedeclareerde levering.",
    "spend_eur": "Uitgaven (EUR): netto som van debet- min creditregels.",
    "clients": "Cliënten: aantal unieke jeugdigen met een positief netto bedrag binnen de rij.",
    "spend_per_client_eur": "Uitgaven per cliënt (EUR).",
    "spend_rolling_12m_eur": "Uitgaven voortschrijdend 12 maanden (EUR): deze en de 11 voorgaande maanden; "
    "leeg tenzij alle 12 maanden aanwezig zijn.",
    "spend_yoy_pct": "Verandering t.o.v. een jaar eerder (%); leeg als die periode ontbreekt of nul is.",
    "youth_population": "Inwoners 0-17 jaar (CBS); leeg als niet aangeleverd.",
    "spend_per_youth_eur": "Uitgaven per jeugdige inwoner 0-17 jaar (EUR).",
    "clients_per_1000_youth": "Cliënten per 1.000 jeugdige inwoners.",
    "evidence_based_spend_pct": "Aandeel uitgaven aan producten met NJi-erkenning 'effectief' (%).",
    "share_of_spend_pct": "Aandeel van deze productcategorie in de uitgaven van de gemeente dat jaar (%).",
    "providers": "Aantal aanbieders met positieve netto uitgaven.",
    "hhi": "Herfindahl-Hirschman-index: som van gekwadrateerde marktaandelen x 10.000 (10.000 = één aanbieder).",
    "top5_share_pct": "Aandeel van de vijf grootste aanbieders in de uitgaven (%).",
    "suppressed": "Onderdrukt: minder dan k cliënten (JEUGDZORG_MIN_CELL_SIZE); alle maten zijn dan leeg.",
    "source_file": "Bronbestand (pad binnen raw/).",
    "sha256": "SHA-256 van het bronbestand.",
    "kind": "Soort bestand: declarations, surveys of reference.",
    "status": "Status: loaded (geladen), rejected (afgewezen) of already_loaded (al eerder geladen).",
    "rows_read": "Rijen gelezen.",
    "rows_loaded": "Rijen geladen.",
    "rows_quarantined": "Rijen in quarantaine (afgekeurd door een regel).",
    "rows_duplicate": "Exacte dubbele rijen, overgeslagen.",
    "message": "Toelichting, bijvoorbeeld de reden van afwijzing.",
    "ingested_at": "Tijdstip van inlezen.",
    "rule_id": "Regelcode (zie checks/README.md).",
    "rows": "Aantal rijen.",
    "trajectories_ended": "Beëindigde trajecten: toewijzingen met einddatum en een reden die als einde telt (JZ588 "
    "naar CBS 01-05; 20, 36 en 37 tellen niet).",
    "ended_as_planned_pct": "Beëindigd volgens plan (%): CBS-categorie 01 (o.a. JZ588 31 en 39) van de "
    "beëindigde trajecten.",
    "dropout_pct": "Uitval (%): CBS-categorie 03, eenzijdig door de cliënt beëindigd (o.a. JZ588 32 en 38).",
    "ended_early_pct": "Voortijdig beëindigd (%): CBS-categorieën 02-05 van de beëindigde trajecten.",
    "satisfaction_responses": "Aantal metingen tevredenheid (cijfer 1-10) bij deze trajecten.",
    "satisfaction_mean": "Gemiddeld tevredenheidscijfer (1-10, 'hoe nuttig was de hulp'); leeg bij minder dan "
    "k metingen.",
    "self_reliance_responses": "Aantal metingen 'zonder hulp verder' (outcome 3.1).",
    "no_further_help_pct": "Geen verdere hulp nodig (%): code 04 van de metingen zonder hulp verder.",
    "lighter_or_no_help_pct": "Lichtere of geen hulp (%): codes 02-04 van de metingen zonder hulp verder.",
    "recurrence_measurable": "Trajecten waarvan herhaald beroep meetbaar is: einddatum minstens 182 dagen voor de "
    "peildatum (laatste product_einddatum in de declaraties).",
    "no_recurrence_pct": "Geen herhaald beroep (%): dezelfde jeugdige start binnen 182 dagen na einde geen nieuw "
    "traject (bij welke gemeente of aanbieder ook).",
    "reliable_improvement_pct": "Betrouwbaar verbeterd (%): verschil begin-eindscore groter dan 1,96 x wortel(2) "
    "x sd x wortel(1 - betrouwbaarheid) in de goede richting; leeg zonder normen of bij minder dan k metingen.",
    "cost_per_trajectory_eur": "Kosten per beëindigd traject (EUR).",
    "cost_per_planned_end_eur": "Kosten per volgens plan beëindigd traject (EUR).",
    "duration_band": "Duur van het traject: <3m, 3-6m, 6-12m, 12-24m, >=24m (dagen van start tot einde).",
    "municipalities": "Aantal gemeenten waar de aanbieder dat jaar declareerde.",
    "margin_pct": "Winstmarge (%): bedrijfsresultaat / omzet x 100 uit de jaarrekening; leeg als die ontbreekt.",
    "margin_above_3pct": "Winstmarge boven 3%: marge strikt groter dan 3 (motie Hoogeveen).",
}
