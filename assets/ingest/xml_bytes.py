"""Read the records of a validated iJw message straight from its bytes, when they are written plainly.

Walking a parsed tree costs a Python object for every element: about half a worker's time
(docs/benchmark.md). Here the span of the element holding the clients is cut at every `<` and
`>` by Arrow, and each field's column is picked by its tag, with NumPy, in C; no element becomes
a Python object. It is used only on a message that lxml has already parsed and validated against
its XSD, and only where the bytes leave nothing to interpret:

- UTF-8, and no comment, CDATA section, processing instruction or DOCTYPE anywhere (`<!`, `<?`
  past the XML declaration), so every `<` in the file starts a real tag, and every `>` after it
  ends that tag (a tag must be bare: no attribute, whose value could hold a `>`);
- the element holding the clients (`MessageSpec.clients`) written once, as a bare start and end
  tag, and no namespace declared and no `&` inside it, so the prefixes in force there are the
  ones in its tags and a leaf's text is the bytes between its two tags (line ends normalised as
  the parser does);
- the XSD puts the record's fields nowhere else in that span, and its leaves hold text only.

Then a record's field is the text after the last tag of that name since the record's start tag,
as the walk reads it. Anything else returns None and the caller walks the tree as before; the
rows are the walk's to the value (tests/test_xml_source.py).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from lxml import etree

if TYPE_CHECKING:
    from assets.ingest.xml_source import MessageSpec

IJW_URI = "http://www.istandaarden.nl/ijw/3_2/basisschema/schema"
_BARE_TAG = "^/?[^ \t\n\r/=]+$"  # a start or end tag without attributes, not self-closing
_NULL = pa.scalar(None, pa.string())


def _prefix(nsmap: dict, uri: str) -> tuple[bool, str | None]:
    """(bound to exactly one prefix, that prefix) of a namespace among those in force."""
    prefixes = [p for p, u in nsmap.items() if u == uri]
    return len(prefixes) == 1, (prefixes[0] if prefixes else None)


def _qname(prefix: str | None, local: str) -> str:
    return f"{prefix}:{local}" if prefix else local


def _span(data: bytes, root: etree._Element, spec: MessageSpec) -> tuple[int, int, str | None, str | None] | None:
    """Where the bytes inside the clients' element start and end, with the message's and
    basisschema's prefixes there, or None where the bytes are not plainly written."""
    if spec.clients is None or spec.age_from or (root.getroottree().docinfo.encoding or "").upper() != "UTF-8":
        return None
    start = data.find(b"?>") + 2 if data.lstrip(b"\xef\xbb\xbf").startswith(b"<?xml") else 0
    if b"<!" in data or data.find(b"<?", start) != -1:
        return None
    holder = root.find("/".join(f"{spec.ns}{local}" for local in spec.clients.split("/")))
    if holder is None:
        return None
    (m_once, m), (i_once, i) = _prefix(holder.nsmap, spec.ns[1:-1]), _prefix(holder.nsmap, IJW_URI)
    if not (m_once and i_once) or holder.prefix != m:
        return None
    name = _qname(m, spec.clients.rsplit("/", 1)[-1])
    opening, closing = f"<{name}>".encode(), f"</{name}>".encode()
    if data.count(opening) != 1 or data.count(closing) != 1:
        return None
    start, end = data.index(opening) + len(opening), data.index(closing)
    if data.find(b"xmlns", start, end) != -1 or data.find(b"&", start, end) != -1:
        return None
    return start, end, m, i


def plain_rows(data: bytes, root: etree._Element, spec: MessageSpec) -> dict[str, pa.Array] | None:
    """The rows of a validated message as the tree walk would give them, as Arrow columns, or None
    where its bytes are not plainly written (see the module's docstring)."""
    found = _span(data, root, spec)
    if found is None:
        return None
    start, end, m, i = found
    raw = np.frombuffer(data, np.uint8, count=end - start, offset=start)
    opens, closes = np.flatnonzero(raw == ord("<")), np.flatnonzero(raw == ord(">"))
    if len(opens) == 0 or raw[:opens[0]].tobytes().strip(b" \t\n\r"):
        return None  # no tag, or text before the first client
    if len(closes) != len(opens):  # a text holds a `>`: each tag's own is the first after its `<`
        found_at = np.searchsorted(closes, opens)
        if found_at[-1] >= len(closes):
            return None
        closes = closes[found_at]
    if (closes < opens).any() or (closes[:-1] > opens[1:]).any():
        return None  # a `>` must close each tag before the next `<`
    # one string array over the span, zero-copy: tag, ">text<", tag, ... (even: tags, odd: texts)
    offsets = np.empty(2 * len(opens) + 1, np.int64)
    offsets[0:-1:2], offsets[1::2] = opens + 1, closes
    offsets[-1] = len(raw)
    pieces = pa.Array.from_buffers(pa.large_string(), len(offsets) - 1,
                                   [None, pa.py_buffer(offsets + start), pa.py_buffer(data)])
    coded = pc.dictionary_encode(pieces.take(pa.array(np.arange(0, len(offsets) - 1, 2))))
    names = coded.dictionary.to_pylist()
    if any(re.search(_BARE_TAG, name) is None for name in names):
        return None
    code = coded.indices.to_numpy()
    texts = pieces

    def tagged(*qnames: str) -> np.ndarray:
        """The positions of the tags named `qnames`, in document order."""
        mask = np.zeros(len(code), bool)
        for q in qnames:
            if q in names:
                mask |= code == names.index(q)
        return np.flatnonzero(mask)

    starts = tagged(_qname(m, spec.record))
    n = len(starts)
    if n == 0:
        return None
    rows: dict[str, pa.Array] = {"line_no": pa.array(np.arange(1, n + 1))}
    rows |= {column: pa.repeat(pa.scalar(value, pa.string()), n) for column, value in _header(root, spec).items()}
    # the client's BSN: the latest before each record's start, as the client's Bsn precedes its records
    at = tagged(_qname(m, "Bsn"))
    latest = np.searchsorted(at, starts) - 1
    rows["bsn"] = _text(texts, at).take(pa.array(latest, mask=latest < 0))
    for local, column in spec.fields.items():
        picked = _field(texts, tagged(_qname(m, local), _qname(i, local)), starts)
        if picked is None:
            return None
        rows[column] = picked
    return rows


def _text(pieces: pa.Array, at: np.ndarray) -> pa.Array:
    """The text after the tags at `at`, line ends normalised as the parser does and trimmed as
    Python's strip() trims (Arrow's trim equals it on every character XML allows)."""
    text = pc.utf8_slice_codeunits(pieces.take(pa.array(2 * at + 1, pa.int64())), 1, -1).cast(pa.string())
    if pc.any(pc.match_substring(text, "\r")).as_py():
        text = pc.replace_substring(pc.replace_substring(text, "\r\n", "\n"), "\r", "\n")
    return pc.utf8_trim_whitespace(text)


def _field(pieces: pa.Array, at: np.ndarray, starts: np.ndarray) -> pa.Array | None:
    """One value a record (whose start tags are at `starts`): the text after its tag at `at`, None
    when absent or empty; None for the whole column when such a tag stands before the first record
    or twice in one (left to the walk, whose rule is that the last wins)."""
    n = len(starts)
    owner = np.searchsorted(starts, at, side="right") - 1
    if len(owner) and (owner[0] < 0 or (np.diff(owner) <= 0).any()):
        return None
    value = _text(pieces, at)
    if len(at) != n:
        index = np.full(n, -1)
        index[owner] = np.arange(len(at))
        value = value.take(pa.array(index, mask=index < 0))
    return pc.if_else(pc.equal(pc.binary_length(value), 0), _NULL, value)


def _header(root: etree._Element, spec: MessageSpec) -> dict[str, str | None]:
    """The header's columns as the tree walk reads them: the last element of each name, stripped."""
    tags = {f"{spec.ns}{local}": column for local, column in spec.header.items()}
    tags |= {f"{{{IJW_URI}}}{local}": column for local, column in spec.ids.items()}
    values: dict[str, str | None] = dict.fromkeys((*spec.header.values(), *spec.ids.values()))
    for el in root.iter(*tags):
        values[tags[el.tag]] = (el.text or "").strip()
    return values
