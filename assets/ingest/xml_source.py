"""Read an untrusted iJw message (JW323, JW301, JW305, JW307) into rows of text, validated
against its XSD.

A message of up to TREE_MAX_BYTES (a provider's monthly file is usually a few MB) is parsed whole
and validated: lxml validates a whole tree at about twice the speed of validating while it
parses. Its records are then read straight from its bytes where the message's spec allows and the
bytes are plainly written (xml_bytes.py, no Python object per element), and the tree is walked
otherwise. A larger one is validated while it is parsed, as a stream, so its size never becomes
memory. Both walks see the same "end" events and share one loop, so they yield the same rows, and
the bytes give the walk's rows (tests/test_xml_source.py). Entities are never resolved, no DTD or
network is touched, and a DOCTYPE is refused outright: iJw messages never carry one, so a file
that does is either broken or an entity attack. A file counts only if it parses and validates to
the end; otherwise it is rejected with the parser's message.

Only the elements a message's spec names are read. Names, addresses, contact details and the
birth date never leave this module: the birth date is turned into the age in whole years at the
record's start date here, and only that age is returned.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import BinaryIO

import pyarrow as pa
from lxml import etree

from assets.ingest.redact import redact
from assets.ingest.regular_files import open_regular
from assets.ingest.xml_bytes import plain_rows
from foundation.reference_data import XSD_DIR

IJW = "{http://www.istandaarden.nl/ijw/3_2/basisschema/schema}"
SNIFF_BYTES = 64 * 1024
# Measured on JW323 files (2026-12-04): whole-tree validation parses a 3.6 MB file 25 % faster than
# the stream, an 8 MB one 10 %, and a 16 MB one no faster; the tree costs about six times the
# file in memory, in each of the two worker processes.
TREE_MAX_BYTES = 8 * 1024**2


@dataclass(frozen=True)
class MessageSpec:
    """What to read from one iJw message type: one row per `record` element."""

    message: str  # "JW323"
    record: str  # the element that makes one row, e.g. "Prestatie"
    header: dict[str, str]  # header element (local name, message namespace) -> column
    fields: dict[str, str]  # element inside a record (local name, either namespace) -> column
    ids: dict[str, str] = field(default_factory=dict)  # ijw element in the header's BerichtIdentificatie -> column
    age_from: str | None = None  # the record column whose date the age at start is computed against
    # the path from the root to the element holding the Client elements, where the XSD puts the
    # record's fields nowhere but in records: read from the bytes when they are plain (xml_bytes.py)
    clients: str | None = None

    @property
    def ns(self) -> str:
        return f"{{http://www.istandaarden.nl/ijw/3_2/{self.message.lower()}/schema}}"

    @property
    def columns(self) -> tuple[str, ...]:
        """The text columns a row carries, in order: header, client, record."""
        client = ("bsn", "age_at_start", "geslacht") if self.age_from else ("bsn",)
        return (*self.header.values(), *self.ids.values(), *client, *self.fields.values())


def _safe_parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                           remove_comments=True)


def _end_events(fh: BinaryIO, message: str, tags: tuple[str, ...],
                validated: etree._Element | None = None) -> Iterator[tuple[str, etree._Element]]:
    """The "end" events of the elements named in `tags`, from a validated message: a small file as a
    tree validated whole (or the tree `validated` already is), a large one as a stream validated as
    it goes (see the module's docstring)."""
    if validated is not None:
        return etree.iterwalk(validated, events=("end",), tag=tags)
    if os.fstat(fh.fileno()).st_size <= TREE_MAX_BYTES:
        tree = etree.parse(fh, _safe_parser())
        _schema(message).assertValid(tree)
        return etree.iterwalk(tree, events=("end",), tag=tags)
    return etree.iterparse(fh, events=("end",), tag=tags, schema=_schema(message), resolve_entities=False,
                           no_network=True, load_dtd=False, huge_tree=False, remove_comments=True)


def _validated_tree(fh: BinaryIO, spec: MessageSpec) -> tuple[bytes, etree._Element] | None:
    """A small message's bytes and its tree, parsed and valid; None for a large or a rejected one
    (the walk parses it again and says why, exactly as it always has)."""
    if spec.clients is None or os.fstat(fh.fileno()).st_size > TREE_MAX_BYTES:
        return None
    data = fh.read()
    fh.seek(0)
    try:
        root = etree.fromstring(data, _safe_parser())
        _schema(spec.message).assertValid(root)
    except (etree.LxmlError, ValueError):
        return None
    return data, root


@lru_cache(maxsize=8)
def _schema(message: str) -> etree.XMLSchema:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.XMLSchema(etree.parse(str(XSD_DIR / f"{message}.xsd"), parser))


def age_in_years(birth: str | None, on: str | None) -> str | None:
    """Whole years between two ISO dates (as text, like every parsed value), or None."""
    try:
        b, d = date.fromisoformat(birth or ""), date.fromisoformat(on or "")
    except ValueError:
        return None
    return str(d.year - b.year - ((d.month, d.day) < (b.month, b.day)))


def parse_message(path: str, spec: MessageSpec) -> tuple[dict[str, list | pa.Array] | None, str | None]:
    """Return (text columns incl. line_no, None) for a valid message or (None, reason) for a rejected one.

    A column is a list, or an Arrow array where the records were read from the bytes (xml_bytes.py);
    to_arrow makes either a table. The file is opened once, as the regular file it was listed as
    (regular_files.py), and parsed from that handle.
    """
    with open_regular(path) as fh:
        return _parse(fh, spec)


def _parse(fh: BinaryIO, spec: MessageSpec) -> tuple[dict[str, list | pa.Array] | None, str | None]:
    head = fh.read(SNIFF_BYTES)
    fh.seek(0)
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
        return None, "DOCTYPE/ENTITY declarations are not allowed in an iJw message (possible entity attack)"
    validated = _validated_tree(fh, spec)
    if validated is not None and (rows := plain_rows(*validated, spec)) is not None:
        return rows, None
    ns = spec.ns
    header_tags = {f"{ns}{local}": column for local, column in spec.header.items()}
    header_tags |= {f"{IJW}{local}": column for local, column in spec.ids.items()}
    by_tag = {f"{n}{local}": column for local, column in spec.fields.items() for n in (ns, IJW)}
    client_tag, record_tag, root_tag = f"{ns}Client", f"{ns}{spec.record}", f"{ns}Bericht"
    columns = spec.columns
    header: dict[str, str] = {}
    client: dict[str, str | None] = {}
    rows: dict[str, list] = {c: [] for c in ("line_no", *columns)}
    position = 0
    tags = (*header_tags, f"{ns}Bsn", f"{ns}Geboortedatum", f"{ns}Geslacht", record_tag, client_tag, root_tag)
    complete = False
    try:
        for _, el in _end_events(fh, spec.message, tags, validated and validated[1]):
            tag = el.tag
            if tag == record_tag:
                position += 1
                values = {**header, "bsn": client.get("bsn")}
                for child in el.iter():
                    name = by_tag.get(child.tag)
                    if name is not None:
                        values[name] = (child.text or "").strip() or None
                if spec.age_from:
                    values["age_at_start"] = age_in_years(client.get("birth"), values.get(spec.age_from))
                    values["geslacht"] = client.get("geslacht")
                rows["line_no"].append(position)
                for c in columns:
                    rows[c].append(values.get(c))
                el.clear()
            elif tag in header_tags:
                header[header_tags[tag]] = (el.text or "").strip()
            elif tag == root_tag:
                complete = True
            elif tag == client_tag:
                el.clear()  # names, addresses and contacts go with it, unread
            elif el.getparent() is None or el.getparent().tag != client_tag:
                continue  # a relative's birth date or sex, not the client's
            elif tag == f"{ns}Bsn":
                client["bsn"] = (el.text or "").strip()
            elif tag == f"{ns}Geboortedatum":
                client["birth"] = el.findtext(f"{IJW}Datum")
            else:
                client["geslacht"] = (el.text or "").strip()
    except (etree.LxmlError, ValueError) as exc:
        where = f" after {position} {spec.record} line(s)" if position else ""
        # a syntax error without lxml's name for the document ("(<string>, line 24)", or a path whose
        # file name redact would mask): the reason is always shown beside the file's own name
        detail = exc.msg if isinstance(exc, etree.XMLSyntaxError) else exc
        return None, redact(f"invalid {spec.message}{where}: {detail}")
    if not complete:
        # lxml's iterparse can stop quietly at a premature end of file: only a closed root counts
        return None, f"file ends before the message is complete (truncated after {position} {spec.record} line(s))"
    if position == 0:
        return None, f"no {spec.record} lines in the message"
    return rows, None


def arrow_schema(columns: tuple[str, ...]) -> pa.Schema:
    """Parsed records as Arrow: file, position, then the contract columns as text."""
    return pa.schema([("file_id", pa.int32()), ("line_no", pa.int64()), *[(c, pa.string()) for c in columns]])


def to_arrow(columns: tuple[str, ...], parts: list[tuple[int, dict[str, list | pa.Array]]]) -> pa.Table:
    """Many parsed files as one Arrow table, tagged with their file ids. A file's columns are lists
    (the walk) or Arrow arrays (xml_bytes.plain_rows)."""
    schema = arrow_schema(columns)
    tables = []
    for file_id, rows in parts:
        arrays = [pa.repeat(pa.scalar(file_id, pa.int32()), len(rows["line_no"]))]
        arrays += [rows[f.name] if isinstance(rows[f.name], pa.Array) else pa.array(rows[f.name], f.type)
                   for f in list(schema)[1:]]
        tables.append(pa.Table.from_arrays(arrays, schema=schema))
    return pa.concat_tables(tables) if tables else schema.empty_table()
