"""Writers for the contract's input formats: JW323 XML, CSV exports, survey CSV/XLSX."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path

from openpyxl import Workbook

DECLARATION_COLUMNS = (
    "declaratienummer", "aanbieder_agb", "gemeentecode", "bsn", "referentienummer",
    "vorig_referentienummer", "toewijzingnummer", "productcategorie", "productcode",
    "product_begindatum", "product_einddatum", "geleverd_volume", "eenheid", "producttarief",
    "ingediend_bedrag", "debet_credit",
)
SURVEY_COLUMNS = (
    "response_id", "aanbieder_agb", "gemeentecode", "bsn", "toewijzingnummer", "productcategorie",
    "verwijzer", "startdatum", "einddatum", "reden_beeindiging", "informant", "invuldatum",
    "tevredenheid", "zonder_hulp_verder", "instrument", "score_begin", "score_eind",
)


def write_jw323(path: Path, *, agb: str, municipality: str, declaration_number: str, period: tuple[date, date],
                lines: Sequence[dict]) -> None:
    """One JW323 message: lines grouped per client, in the element order the XSD demands."""
    by_client: dict[str, list[dict]] = {}
    for line in lines:
        by_client.setdefault(line["bsn"], []).append(line)
    total = sum(ln["amount"] if ln["dc"] == "D" else -ln["amount"] for ln in lines)
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<jw323:Bericht xmlns:ijw="http://www.istandaarden.nl/ijw/3_2/basisschema/schema" '
        'xmlns:jw323="http://www.istandaarden.nl/ijw/3_2/jw323/schema">\n'
        "<jw323:Header><jw323:BerichtCode>490</jw323:BerichtCode><jw323:BerichtVersie>3</jw323:BerichtVersie>"
        "<jw323:BerichtSubversie>2</jw323:BerichtSubversie>"
        f"<jw323:Afzender>{agb}</jw323:Afzender><jw323:Ontvanger>{municipality}</jw323:Ontvanger>"
        f"<jw323:BerichtIdentificatie><ijw:Identificatie>{declaration_number}</ijw:Identificatie>"
        f"<ijw:Dagtekening>{period[1]:%Y-%m-%d}</ijw:Dagtekening></jw323:BerichtIdentificatie>"
        "<jw323:XsdVersie><ijw:BasisschemaXsdVersie>1.0.0</ijw:BasisschemaXsdVersie>"
        "<ijw:BerichtXsdVersie>1.0.0</ijw:BerichtXsdVersie></jw323:XsdVersie></jw323:Header>\n"
        f"<jw323:Declaratie><jw323:DeclaratieNummer>{declaration_number}</jw323:DeclaratieNummer>"
        f"<jw323:DeclaratiePeriode><ijw:Begindatum>{period[0]:%Y-%m-%d}</ijw:Begindatum>"
        f"<ijw:Einddatum>{period[1]:%Y-%m-%d}</ijw:Einddatum></jw323:DeclaratiePeriode>"
        f"<jw323:DeclaratieDagtekening>{period[1]:%Y-%m-%d}</jw323:DeclaratieDagtekening>"
        f"<jw323:TotaalIngediendBedrag><ijw:TotaalBedrag>{abs(total)}</ijw:TotaalBedrag>"
        f"<ijw:DebetCredit>{'D' if total >= 0 else 'C'}</ijw:DebetCredit></jw323:TotaalIngediendBedrag>\n"
        "<jw323:Clienten>\n"
    ]
    for bsn, client_lines in by_client.items():
        out.append(f"<jw323:Client><jw323:Bsn>{bsn}</jw323:Bsn><jw323:Prestaties>\n")
        for ln in client_lines:
            previous = (f"<ijw:VorigReferentieNummer>{ln['previous_ref']}</ijw:VorigReferentieNummer>"
                        if ln["previous_ref"] else "")
            tariff = f"<jw323:ProductTarief>{ln['tariff']}</jw323:ProductTarief>" if ln["tariff"] is not None else ""
            out.append(
                "<jw323:Prestatie><jw323:ProductReferentie>"
                f"<ijw:ReferentieNummer>{ln['ref']}</ijw:ReferentieNummer>{previous}</jw323:ProductReferentie>"
                f"<jw323:ToewijzingNummer>{ln['allocation']}</jw323:ToewijzingNummer>"
                f"<jw323:ProductCategorie>{ln['category']}</jw323:ProductCategorie>"
                f"<jw323:ProductCode>{ln['product_code']}</jw323:ProductCode>"
                f"<jw323:ProductPeriode><ijw:Begindatum>{ln['begin']:%Y-%m-%d}</ijw:Begindatum>"
                f"<ijw:Einddatum>{ln['end']:%Y-%m-%d}</ijw:Einddatum></jw323:ProductPeriode>"
                f"<jw323:GeleverdVolume>{ln['volume']}</jw323:GeleverdVolume>"
                f"<jw323:Eenheid>{ln['unit']}</jw323:Eenheid>{tariff}"
                f"<jw323:IngediendBedrag><ijw:Bedrag>{ln['amount']}</ijw:Bedrag>"
                f"<ijw:DebetCredit>{ln['dc']}</ijw:DebetCredit></jw323:IngediendBedrag></jw323:Prestatie>\n"
            )
        out.append("</jw323:Prestaties></jw323:Client>\n")
    out.append("</jw323:Clienten></jw323:Declaratie></jw323:Bericht>\n")
    path.write_text("".join(out), encoding="utf-8")


def _strip(code: str) -> str:
    """What a spreadsheet does to a code it mistakes for a number."""
    return str(int(code)) if code.isdigit() else code


def write_declaration_csv(path: Path, lines: Iterable[dict], *, style: str) -> None:
    """A provider's CSV export; style 'csv', 'csv-stripped' (lost zeros) or 'csv-1252' (; cp1252 NL dates)."""
    windows = style == "csv-1252"
    stripped = style == "csv-stripped"
    header = [*DECLARATION_COLUMNS, "omschrijving"] if windows else list(DECLARATION_COLUMNS)
    if stripped:
        header = [h.upper() for h in header]  # header names are matched case-insensitively
    fmt = "%d-%m-%Y" if windows else "%Y-%m-%d"
    with path.open("w", newline="", encoding="cp1252" if windows else "utf-8") as fh:
        writer = csv.writer(fh, delimiter=";" if windows else ",")
        writer.writerow(header)
        for ln in lines:
            row = [
                ln["declaration_number"], ln["agb"], ln["municipality"], ln["bsn"], ln["ref"],
                ln["previous_ref"] or "", ln["allocation"], ln["category"], ln["product_code"],
                ln["begin"].strftime(fmt), ln["end"].strftime(fmt), ln["volume"], ln["unit"],
                "" if ln["tariff"] is None else ln["tariff"], ln["amount"], ln["dc"],
            ]
            if stripped:
                for i in (1, 2, 3, 12):  # agb, gemeentecode, bsn, eenheid
                    row[i] = _strip(str(row[i]))
            if windows:
                row.append(f"{ln['description']} – € per eenheid")
            writer.writerow(row)


def write_surveys(path: Path, rows: Sequence[Sequence], *, fmt: str) -> None:
    """Outcome records as CSV, or as an Excel sheet in which codes became numbers."""
    if fmt == "csv":
        with path.open("w", newline="", encoding="utf-8-sig") as fh:
            writer = csv.writer(fh)
            writer.writerow(SURVEY_COLUMNS)
            writer.writerows(rows)
        return
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Uitkomsten")
    ws.append(list(SURVEY_COLUMNS))
    numeric = {2, 3, 4, 5, 6, 9, 13}  # gemeentecode, bsn, toewijzing, categorie, verwijzer, reden, 3.1
    for row in rows:
        ws.append([
            (int(v) if i in numeric and isinstance(v, str) and v.isdigit() else v)
            for i, v in enumerate(row)
        ])
    wb.save(path)


def write_table(path: Path, header: Sequence[str], rows: Iterable[Sequence]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)


# JW301 (allocation), JW305 (start), JW307 (stop): one client per message, as the XSDs demand.
MESSAGE_CODES = {"JW301": 436, "JW305": 438, "JW307": 440}
RECORDS = {"JW301": ("ToegewezenProducten", "ToegewezenProduct"), "JW305": ("StartProducten", "StartProduct"),
           "JW307": ("StopProducten", "StopProduct")}


def write_client_message(path: Path, message: str, *, sender: str, receiver: str, message_id: str, day: date,
                         client: dict, records: Sequence[dict]) -> None:
    """One JW301/JW305/JW307 message about one client. `client` has bsn, birth (date), sex, surname,
    first_name, street and postcode (only a JW301 carries contact details); each record the
    elements of one ToegewezenProduct/StartProduct/StopProduct in XSD order, as (name, value) pairs
    where a value of None leaves the element out."""
    p = message.lower()
    body = [f"<{p}:Bsn>{client['bsn']}</{p}:Bsn>",
            f"<{p}:Geboortedatum><ijw:Datum>{client['birth']:%Y-%m-%d}</ijw:Datum></{p}:Geboortedatum>",
            f"<{p}:Geslacht>{client['sex']}</{p}:Geslacht>",
            f"<{p}:Naam><ijw:Geslachtsnaam><ijw:Achternaam>{client['surname']}</ijw:Achternaam></ijw:Geslachtsnaam>"
            f"<ijw:Voornamen>{client['first_name']}</ijw:Voornamen>"
            + ("<ijw:NaamGebruik>1</ijw:NaamGebruik>" if message == "JW301" else "") + f"</{p}:Naam>"]
    if message == "JW301":
        body.append(f"<{p}:Contactgegevens><{p}:Contact><{p}:Soort>01</{p}:Soort><{p}:Adres>"
                    f"<ijw:Huis><ijw:Huisnummer>{client['house_number']}</ijw:Huisnummer></ijw:Huis>"
                    f"<ijw:Postcode>{client['postcode']}</ijw:Postcode><ijw:Straatnaam>{client['street']}"
                    f"</ijw:Straatnaam><ijw:Plaatsnaam>{client['town']}</ijw:Plaatsnaam>"
                    f"<ijw:LandCode>NL</ijw:LandCode></{p}:Adres></{p}:Contact></{p}:Contactgegevens>")
    group, one = RECORDS[message]
    body.append(f"<{p}:{group}>")
    for record in records:
        parts = []
        for name, value in record:
            if value is None:
                continue
            if name == "Product":
                value = f"<ijw:Categorie>{value[0]}</ijw:Categorie><ijw:Code>{value[1]}</ijw:Code>"
            elif name == "Omvang":
                value = (f"<ijw:Volume>{value[0]}</ijw:Volume><ijw:Eenheid>{value[1]}</ijw:Eenheid>"
                         f"<ijw:Frequentie>{value[2]}</ijw:Frequentie>")
            elif isinstance(value, date):
                value = f"{value:%Y-%m-%d}"
            parts.append(f"<{p}:{name}>{value}</{p}:{name}>")
        body.append(f"<{p}:{one}>{''.join(parts)}</{p}:{one}>")
    body.append(f"</{p}:{group}>")
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<{p}:Bericht xmlns:ijw="http://www.istandaarden.nl/ijw/3_2/basisschema/schema" '
        f'xmlns:{p}="http://www.istandaarden.nl/ijw/3_2/{p}/schema">\n'
        f"<{p}:Header><{p}:BerichtCode>{MESSAGE_CODES[message]}</{p}:BerichtCode>"
        f"<{p}:BerichtVersie>3</{p}:BerichtVersie><{p}:BerichtSubversie>2</{p}:BerichtSubversie>"
        f"<{p}:Afzender>{sender}</{p}:Afzender><{p}:Ontvanger>{receiver}</{p}:Ontvanger>"
        f"<{p}:BerichtIdentificatie><ijw:Identificatie>{message_id}</ijw:Identificatie>"
        f"<ijw:Dagtekening>{day:%Y-%m-%d}</ijw:Dagtekening></{p}:BerichtIdentificatie>"
        f"<{p}:XsdVersie><ijw:BasisschemaXsdVersie>1.0.0</ijw:BasisschemaXsdVersie>"
        f"<ijw:BerichtXsdVersie>1.0.0</ijw:BerichtXsdVersie></{p}:XsdVersie></{p}:Header>\n"
        f"<{p}:Client>{''.join(body)}</{p}:Client>\n</{p}:Bericht>\n", encoding="utf-8")
