"""The ways a message is read (its bytes when plainly written, a whole tree, or a stream for large
files) yield the same rows and reject the same files."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pyarrow as pa
import pytest
from lxml import etree

from assets.ingest import xml_bytes, xml_source
from assets.ingest.declarations import JW323
from assets.ingest.messages import ALLOCATIONS, CARE_STARTS, CARE_STOPS

FIXTURES = Path(__file__).parent / "fixtures"
SPECS = {"jw323_example.xml": JW323, "JW301.xml": ALLOCATIONS.spec, "JW305.xml": CARE_STARTS.spec,
         "JW307.xml": CARE_STOPS.spec}


def _both(path: Path, spec, monkeypatch) -> tuple[tuple, tuple]:
    tree = xml_source.parse_message(str(path), spec)
    monkeypatch.setattr(xml_source, "TREE_MAX_BYTES", 0)  # every file streams
    stream = xml_source.parse_message(str(path), spec)
    monkeypatch.undo()
    return tree, stream


@pytest.mark.parametrize("name", sorted(SPECS))
def test_tree_and_stream_yield_the_same_rows(name, monkeypatch):
    tree, stream = _both(FIXTURES / name, SPECS[name], monkeypatch)
    assert tree[1] is None and stream[1] is None
    assert _columns(tree[0]) == stream[0]
    assert len(tree[0]["line_no"]) >= 2  # a message with rows, not two empty answers


@pytest.mark.parametrize("fraction", [0.3, 0.77, 0.99])
def test_tree_and_stream_reject_a_truncated_file(fraction, tmp_path, monkeypatch):
    data = (FIXTURES / "jw323_example.xml").read_bytes()
    cut = tmp_path / "cut.xml"
    cut.write_bytes(data[: int(len(data) * fraction)])
    tree, stream = _both(cut, JW323, monkeypatch)
    assert tree[0] is None and stream[0] is None
    assert tree[1] and stream[1]


def test_tree_and_stream_reject_a_file_that_breaks_the_xsd(tmp_path, monkeypatch):
    text = (FIXTURES / "jw323_example.xml").read_text()
    bad = tmp_path / "bad.xml"
    bad.write_text(text.replace("<jw323:ProductCode>", "<jw323:Onbekend>x</jw323:Onbekend><jw323:ProductCode>", 1))
    tree, stream = _both(bad, JW323, monkeypatch)
    assert tree[0] is None and stream[0] is None
    assert tree[1].startswith("invalid JW323") and stream[1].startswith("invalid JW323")
    assert "Onbekend" in tree[1] and "Onbekend" in stream[1]


# A JW323 message is read from its bytes when they are plainly written (xml_bytes.py), and by
# walking the tree otherwise: the two must give the same rows, value for value.
WALK_ONLY = replace(JW323, clients=None)
PLAIN = {
    "as written (indented)": lambda t: t,
    "CRLF line ends": lambda t: t.replace("\n", "\r\n"),
    "no whitespace between tags": lambda t: re.sub(r">\s+<", "><", t),
    "values padded, multi-byte, with > and a line end": lambda t: t.replace(
        "<ijw:ReferentieNummer>RN001<", "<ijw:ReferentieNummer> \tR\u00e9>\r\n1\u00a0 <", 1),
    "an optional field in one record only": lambda t: t.replace("<jw323:ProductTarief>1500</jw323:ProductTarief>", ""),
    "a field of only whitespace": lambda t: t.replace("<ijw:ReferentieNummer>RN001<", "<ijw:ReferentieNummer>   <", 1),
    "a previous reference in one record": lambda t: t.replace(
        "<ijw:ReferentieNummer>RN001</ijw:ReferentieNummer>",
        "<ijw:ReferentieNummer>RN001</ijw:ReferentieNummer><ijw:VorigReferentieNummer>RN000</ijw:VorigReferentieNummer>",
        1),
    "other prefixes": lambda t: t.replace("jw323:", "m:").replace("xmlns:jw323", "xmlns:m").replace("ijw:", "b:")
    .replace("xmlns:ijw", "xmlns:b"),
}
NOT_PLAIN = {
    "a comment": lambda t: t.replace("<jw323:Prestatie>", "<jw323:Prestatie><!-- a note -->", 1),
    "a CDATA section": lambda t: t.replace(">RN001<", "><![CDATA[RN001]]><", 1),
    "a character reference": lambda t: t.replace(">RN001<", ">&#x52;N001<", 1),
    "an attribute": lambda t: t.replace("<jw323:Prestatie>", '<jw323:Prestatie xmlns:x="urn:x">', 1),
    "a processing instruction": lambda t: t.replace(">RN001<", "><?pi x?>RN001<", 1),
    "a namespace prefix bound twice": lambda t: t.replace(' xmlns:ijw=', ' xmlns:ijw2="http://www.istandaarden.nl/'
                                                          'ijw/3_2/basisschema/schema" xmlns:ijw=', 1),
    "Latin-1": lambda t: t.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"', 1),
}


def _columns(rows: dict | None) -> dict | None:
    return None if rows is None else {k: v.to_pylist() if isinstance(v, pa.Array) else v for k, v in rows.items()}


@pytest.mark.parametrize(("name", "plain"), [(n, True) for n in PLAIN] + [(n, False) for n in NOT_PLAIN])
def test_bytes_and_walk_yield_the_same_rows(name, plain, tmp_path):
    text = (FIXTURES / "jw323_example.xml").read_text()
    change = {**PLAIN, **NOT_PLAIN}[name]
    encoding = "latin-1" if name == "Latin-1" else "utf-8"
    path = tmp_path / "message.xml"
    path.write_bytes(change(text).encode(encoding))
    data = path.read_bytes()
    root = etree.fromstring(data, xml_source._safe_parser())
    xml_source._schema("JW323").assertValid(root)  # every variant is a valid message
    assert (xml_bytes.plain_rows(data, root, JW323) is not None) == plain
    by_bytes, error = xml_source.parse_message(str(path), JW323)
    walked, walk_error = xml_source.parse_message(str(path), WALK_ONLY)
    assert error is None and walk_error is None
    assert _columns(by_bytes) == walked
    assert len(walked["line_no"]) >= 2
