"""Stream an untrusted JW323 message into rows of text, validating against the iJw XSD as it goes.

lxml validates while it parses (no DOM of the whole file), entities are never resolved, no DTD
or network is touched, and a DOCTYPE is refused outright: iJw messages never carry one, so a
file that does is either broken or an entity attack. A file counts only if it parses and
validates to the end; otherwise it is rejected with the parser's message.
"""

from __future__ import annotations

from functools import lru_cache

import pyarrow as pa
from lxml import etree

from assets.ingest.redact import redact
from pipelines.core.reference_data import XSD_PATH

NS = "{http://www.istandaarden.nl/ijw/3_2/jw323/schema}"
HEADER_TAGS = {f"{NS}Afzender": "aanbieder_agb", f"{NS}Ontvanger": "gemeentecode",
               f"{NS}DeclaratieNummer": "declaratienummer"}
# local element name inside a Prestatie -> contract column
PRESTATIE_FIELDS = {
    "ReferentieNummer": "referentienummer", "VorigReferentieNummer": "vorig_referentienummer",
    "ToewijzingNummer": "toewijzingnummer", "ProductCategorie": "productcategorie",
    "ProductCode": "productcode", "Begindatum": "product_begindatum", "Einddatum": "product_einddatum",
    "GeleverdVolume": "geleverd_volume", "Eenheid": "eenheid", "ProductTarief": "producttarief",
    "Bedrag": "ingediend_bedrag", "DebetCredit": "debet_credit",
}
IJW = "{http://www.istandaarden.nl/ijw/3_2/basisschema/schema}"
_BY_TAG = {f"{ns}{local}": column for local, column in PRESTATIE_FIELDS.items() for ns in (NS, IJW)}
SNIFF_BYTES = 64 * 1024


@lru_cache(maxsize=1)
def _schema() -> etree.XMLSchema:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.XMLSchema(etree.parse(str(XSD_PATH), parser))


def parse_jw323(path: str, columns: tuple[str, ...]) -> tuple[dict[str, list] | None, str | None]:
    """Return (text columns incl. line_no, None) for a valid message or (None, reason) for a rejected one.

    Runs in worker processes too, so it takes and returns plain lists: cheap to pickle.
    """
    with open(path, "rb") as fh:
        head = fh.read(SNIFF_BYTES)
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
        return None, "DOCTYPE/ENTITY declarations are not allowed in an iJw message (possible entity attack)"
    header: dict[str, str] = {}
    rows: dict[str, list] = {c: [] for c in ("line_no", *columns)}
    bsn = None
    position = 0
    tags = (*HEADER_TAGS, f"{NS}Bsn", f"{NS}Prestatie", f"{NS}Bericht")
    complete = False
    try:
        for _, el in etree.iterparse(path, events=("end",), tag=tags, schema=_schema(), resolve_entities=False,
                                     no_network=True, load_dtd=False, huge_tree=False, remove_comments=True):
            tag = el.tag
            if tag == f"{NS}Prestatie":
                position += 1
                values = dict(header)
                values["bsn"] = bsn
                for child in el.iter():
                    name = _BY_TAG.get(child.tag)
                    if name is not None:
                        values[name] = (child.text or "").strip() or None
                rows["line_no"].append(position)
                for c in columns:
                    rows[c].append(values.get(c))
                el.clear()
            elif tag == f"{NS}Bericht":
                complete = True
            elif tag == f"{NS}Bsn":
                bsn = (el.text or "").strip()
            else:
                header[HEADER_TAGS[tag]] = (el.text or "").strip()
    except (etree.LxmlError, ValueError) as exc:
        where = f" after {position} Prestatie line(s)" if position else ""
        return None, redact(f"invalid JW323{where}: {exc}")
    if not complete:
        # lxml's iterparse can stop quietly at a premature end of file: only a closed root counts
        return None, f"file ends before the message is complete (truncated after {position} Prestatie line(s))"
    if position == 0:
        return None, "no Prestatie lines in the message"
    return rows, None


def arrow_schema(columns: tuple[str, ...]) -> pa.Schema:
    """Parsed Prestatie lines as Arrow: file, position, then the contract columns as text."""
    return pa.schema([("file_id", pa.int32()), ("line_no", pa.int64()), *[(c, pa.string()) for c in columns]])


def to_arrow(columns: tuple[str, ...], parts: list[tuple[int, dict[str, list]]]) -> pa.Table:
    """Many parsed files as one Arrow table, tagged with their file ids."""
    schema = arrow_schema(columns)
    data: dict[str, list] = {name: [] for name in schema.names}
    for file_id, rows in parts:
        data["file_id"].extend([file_id] * len(rows["line_no"]))
        for name in schema.names[1:]:
            data[name].extend(rows[name])
    return pa.Table.from_pydict(data, schema=schema)
