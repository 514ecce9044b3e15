"""The two ways a message is walked (whole tree, or stream for large files) yield the same rows
and reject the same files."""

from __future__ import annotations

from pathlib import Path

import pytest

from assets.ingest import xml_source
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
    assert tree[0] == stream[0]
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
