"""Render the council reports: data from the published file -> document -> PDF (Typst) and HTML.

`render_all` is what the Dagster asset and `make demo`/`make run` call. A report is written only
when its fingerprint (the SHA-256 of everything it shows, plus the layout code's own hash) differs
from the one stored beside it in `<period>/.fingerprints/`, so a nightly run that changed nothing
for a municipality leaves its letter byte for byte alone. Beside each PDF goes `<stem>.figures.json`:
every figure the letter prints, with the query that returns it from the published file, and each
chart meant for reuse (the funnel plots) as `<stem>.<chart>.svg`.

One letter's failure never stops the others: it is logged with the letter's name and returned as
`failed`, and the caller reports it.
"""

from __future__ import annotations

import csv
import hashlib
import html
import json
import logging
import os
import sys
import time
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import duckdb
import typst

from assets.reports import data, heading, month, municipality, region
from assets.reports.data import Subject
from assets.reports.period import ReportPeriod, cbs_code, file_stem, period_for

HERE = Path(__file__).parent
TEMPLATE = HERE / "letter.typ"
# the motion or audit each letter answers, by partition key; a key not listed names none
MOTIONS = HERE / "motions.csv"
# what the figure list does not explain, and why (the tracing test applies exactly this rule)
EXEMPT_RULE = ("Numbers in the PDF's text that are not figures: a year (four digits from 1900 to 2099, no thousands "
               "dot), a date (a day number before a Dutch month name, and the year after it), the page numbers of "
               "the footer ('pagina N van M'), the number of a figure's caption ('Figuur N') and the running header "
               "(the letter's title on every page after the first). Digits inside a name (kind 'name': a "
               "municipality, provider or intervention, wherever it appears) are exempt; fixed wording that holds "
               "a number (kind 'wording') is listed at every use.")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rendered:
    key: str
    name: str
    pdf: Path
    status: str  # 'rendered' | 'unchanged' | 'failed'
    fingerprint: str
    error: str | None = None


def code_version() -> str:
    """The hash of the code that turns data into a letter (every module of this package, the template
    and the queries): a change of layout re-renders everything."""
    h = hashlib.sha256()
    for path in sorted([*HERE.glob("*.py"), TEMPLATE, *data.QUERIES.glob("*.sql")]):
        h.update(path.relative_to(HERE).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


@lru_cache(maxsize=1)
def _compiler() -> typst.Compiler:
    # only Typst's embedded fonts: the same PDF on every machine, whatever fonts it has
    return typst.Compiler(str(TEMPLATE), root=str(HERE), ignore_system_fonts=True)


def compile_document(document: dict[str, Any], fmt: str = "pdf", ppi: float | None = None) -> bytes | list[bytes]:
    return _compiler().compile(format=fmt, ppi=ppi, sys_inputs={"doc": json.dumps(document, ensure_ascii=False)})


def is_demo(published_db: Path) -> bool:
    """The data are the demo's when the generator's manifest sits in the data folder's raw/: only
    `python -m demo_data` writes it, and no real delivery has it."""
    return (published_db.parent.parent / "raw" / "demo_manifest.json").exists()


def motions(path: Path = MOTIONS) -> dict[str, str]:
    """CBS code ('GM0141') or region key ('regio_Twente') -> the motion or audit its letter answers
    (a shipped default for the demo's municipalities; a deployment edits the file). The code, not
    the partition key, so that a motion stays with a renamed municipality."""
    with path.open(encoding="utf-8", newline="") as fh:
        return {r["key"]: r["motion"] for r in csv.DictReader(fh) if r["motion"].strip()}


def motion_for(motions_by_key: dict[str, str], subject: Subject) -> str | None:
    key = cbs_code(subject.code) if subject.kind == "municipality" else subject.key
    return motions_by_key.get(key)


def build_document(d: dict[str, Any], period: ReportPeriod) -> dict[str, Any]:
    if period.kind == "month":
        return month.month_document(d, period.title)
    if d["kind"] == "municipality":
        return municipality.municipality_document(d, period.title)
    return region.region_document(d, period.title)


def to_html(document: dict[str, Any]) -> str:
    """The same letter as one self-contained HTML page (charts inline as SVG)."""
    e = html.escape
    parts = [f"<!doctype html><html lang='nl'><head><meta charset='utf-8'><title>{e(document['title'])}</title>",
             "<style>body{font-family:Georgia,serif;max-width:46em;margin:2em auto;padding:0 1em;line-height:1.45}"
             "h1{font-size:1.5em}h2{color:#c0392b;font-size:1.15em;margin-top:1.6em}table{border-collapse:collapse;"
             "font-size:.9em;margin:.6em 0}td,th{padding:.2em .5em;border-bottom:1px solid #ddd}td.r,th.r{text-align:"
             "right}.empty{background:#f4f4f4;padding:.6em;font-style:italic}.note{color:#555;font-size:.85em}"
             ".summary{background:#f6eeed;padding:.6em 1em}figure{margin:1em 0}figure svg{max-width:100%;height:auto}"
             "figcaption{color:#555;font-size:.85em}</style></head><body>",
             "<p class='note'><strong>DEMO: synthetische gegevens</strong></p>" if document.get("demo") else "",
             f"<p class='note'>RAADSINFORMATIEBRIEF</p><h1>{e(document['title'])}</h1>",
             f"<p>Aan: {e(document['to'])}<br>Van: {e(document['from'])}<br>",
             "<br>".join(f"{e(k)}: {e(v)}" for k, v in document["meta"]) + "</p>",
             f"<p>{e(document['opening'])}</p>",
             "<div class='summary'><strong>In het kort</strong><ul>",
             "".join(f"<li>{e(s)}</li>" for s in document["summary"]), "</ul></div>"]
    for s in document["sections"]:
        parts.append(f"<h2>{e(s['number'])}. {e(s['title'])}</h2>")
        for b in s["blocks"]:
            if b["type"] == "p":
                parts.append(f"<p>{e(b['text'])}</p>")
            elif b["type"] == "sub":
                parts.append(f"<h3>{e(b['text'])}</h3>")
            elif b["type"] == "empty":
                parts.append(f"<p class='empty'>{e(b['text'])}</p>")
            elif b["type"] == "note":
                parts.append(f"<p class='note'>{e(b['text'])}</p>")
            elif b["type"] == "terms":
                parts.append("<dl>" + "".join(f"<dt><strong>{e(t)}</strong></dt><dd>{e(x)}</dd>" for t, x in b["items"])
                             + "</dl>")
            elif b["type"] == "chart":
                svg = b["svg"][b["svg"].find("<svg"):]
                parts.append(f"<figure>{svg}<figcaption>{e(b['caption'])}</figcaption></figure>")
            elif b["type"] == "table":
                cls = ["r" if c == "r" else "" for c in b["align"]]
                head = "".join(f"<th class='{c}'>{e(h)}</th>" for h, c in zip(b["columns"], cls, strict=True))
                body = "".join("<tr>" + "".join(f"<td class='{c}'>{e(v)}</td>" for v, c in zip(r, cls, strict=True))
                               + "</tr>" for r in b["rows"])
                parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
    parts.append("</body></html>")
    return "".join(parts)


def _write(path: Path, payload: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(payload)
    os.replace(tmp, path)


def render_subject(con: duckdb.DuckDBPyConnection, subject: Subject, period: ReportPeriod, about_row: dict,
                   reports_dir: Path, force: bool = False, version: str | None = None, demo: bool = False,
                   motion: str | None = None) -> Rendered:
    out_dir = reports_dir / period.label
    stem = file_stem(period, subject.key)
    pdf, stamp = out_dir / f"{stem}.pdf", stamp_path(reports_dir, period, subject)
    d = {**data.load(con, subject, period, about_row), "demo": demo, "motion": motion}
    fp = data.fingerprint(d, version or code_version())
    if not force and pdf.exists() and stamp.exists() and stamp.read_text().strip() == fp:
        return Rendered(subject.key, subject.name, pdf, "unchanged", fp)
    document = build_document(d, period)
    figures = document.pop("figures")
    payload = compile_document(document)
    stamp.parent.mkdir(parents=True, exist_ok=True)
    _write(pdf, payload)
    _write(pdf.with_suffix(".html"), to_html(document).encode())
    _write(out_dir / f"{stem}.figures.json", json.dumps(
        {"letter": pdf.name, **publication(about_row), "exempt": EXEMPT_RULE, "figures": figures},
        ensure_ascii=False, indent=1, default=str).encode())
    _write_chart_files(document, out_dir, stem)
    _write(stamp, (fp + "\n").encode())
    _remove_stale(reports_dir, period, subject, stem)
    return Rendered(subject.key, subject.name, pdf, "rendered", fp)


def publication(about_row: dict) -> dict[str, Any]:
    """What the figure list cites: the publication its queries were run on, and the kept copy of it
    (warehouse/publications/, for as long as JEUGDZORG_PUBLICATIONS_KEPT keeps it) on which a reviewer
    reruns them once a newer file is published."""
    cited = heading.citation(about_row)
    if cited is None:
        return {}
    version = about_row["publication_version"]
    return {"publication": {"cited_as": cited, "version": version, "published_at": about_row["published_at"],
                            "kept_as": f"warehouse/publications/jeugdzorg_v{version}.duckdb"}}


def _write_chart_files(document: dict[str, Any], out_dir: Path, stem: str) -> None:
    """A chart a BI user or adviser may reuse (its block names a `file`) goes beside the letter as
    `<stem>.<file>.svg`, the same drawing as in the PDF; one the letter no longer draws is removed,
    so no chart outlives the figures it was drawn from."""
    charts = {f"{stem}.{b['file']}.svg": b["svg"] for s in document["sections"] for b in s["blocks"]
              if b["type"] == "chart" and b.get("file")}
    for old in out_dir.glob(f"{stem}.*.svg"):
        if old.name not in charts:
            old.unlink()
    for name, svg in charts.items():
        _write(out_dir / name, svg.encode())


def _remove_stale(reports_dir: Path, period: ReportPeriod, subject: Subject, stem: str) -> None:
    """A renamed municipality keeps its code: its letters under the old name (same code, same
    period) go, so a clerk never finds two letters for one municipality."""
    if subject.kind != "municipality":
        return
    prefix = file_stem(period, f"{cbs_code(subject.code)}_")
    for folder in (reports_dir / period.label, reports_dir / period.label / ".fingerprints"):
        for old in folder.glob(f"{prefix}*"):
            if old.name.split(".")[0] != stem:
                old.unlink()


def current_period(con: duckdb.DuckDBPyConnection, kind: str) -> tuple[ReportPeriod | None, dict]:
    """The period the letters cover, from the latest declared month; None while the file holds no
    declarations (there is nothing to write a letter about yet)."""
    about_row = data.publication(con)
    if not about_row.get("data_through"):
        return None, about_row
    return period_for(kind, date.fromisoformat(about_row["data_through"])), about_row


def stamp_path(reports_dir: Path, period: ReportPeriod, subject: Subject) -> Path:
    return reports_dir / period.label / ".fingerprints" / f"{file_stem(period, subject.key)}.sha256"


def plan(published_db: Path, reports_dir: Path, period_kind: str) -> list[tuple[Subject, str, bool]]:
    """Every report the published file asks for, its fingerprint, and whether it differs from the
    letter on disk (or there is none): what the sensor hands to a run."""
    version, demo, motion = code_version(), is_demo(published_db), motions()
    out = []
    with data.connect(published_db) as con:
        period, about_row = current_period(con, period_kind)
        for s in data.subjects(con) if period else []:
            d = {**data.load(con, s, period, about_row), "demo": demo, "motion": motion_for(motion, s)}
            fp = data.fingerprint(d, version)
            stamp = stamp_path(reports_dir, period, s)
            out.append((s, fp, not (stamp.exists() and stamp.read_text().strip() == fp)))
    return out


def render_all(published_db: Path, reports_dir: Path, period_kind: str, keys: set[str] | None = None,
               force: bool = False, demo: bool | None = None) -> list[Rendered]:
    """Every report (or those whose partition key is in `keys`), skipping the unchanged ones. A
    letter that fails is logged by name and returned as `failed`; the others are still written.
    `demo`: watermark every page (None: the data folder says whether the data are the demo's)."""
    version = code_version()
    demo = is_demo(published_db) if demo is None else demo
    motion = motions()
    done = []
    with data.connect(published_db) as con:
        period, about_row = current_period(con, period_kind)
        for s in (data.subjects(con) if period else []):
            if keys is not None and s.key not in keys:
                continue
            try:
                done.append(render_subject(con, s, period, about_row, reports_dir, force, version, demo,
                                           motion_for(motion, s)))
            except Exception as exc:  # one letter's failure must not stop the others
                log.exception("council letter %s (%s) failed", s.key, s.name)
                done.append(Rendered(s.key, s.name, reports_dir / period.label / f"{file_stem(period, s.key)}"
                                     ".pdf", "failed", "", f"{type(exc).__name__}: {exc}"))
    return done


def render_from_settings(settings, force: bool = False) -> int:
    """Render every letter of the current period from the published file and print one line that
    says how many were written and where; `make reports`, `make demo` and `make run` call this. A
    failure is printed, not raised: the BI file is already published when it runs."""
    started = time.monotonic()
    try:
        done = render_all(settings.warehouse_dir / "jeugdzorg.duckdb", settings.reports_dir, settings.report_period,
                          force=force)
    except Exception as exc:
        print(f"council reports failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    written = sum(r.status == "rendered" for r in done)
    failed = [r for r in done if r.status == "failed"]
    folder = done[0].pdf.parent if done else settings.reports_dir
    print(f"Council reports (JEUGDZORG_REPORT_PERIOD={settings.report_period}): {written} written, "
          f"{len(done) - written - len(failed)} unchanged, {len(failed)} failed, in "
          f"{time.monotonic() - started:.1f} s: {folder}")
    for r in failed:
        print(f"council letter {r.key} ({r.name}) failed: {r.error}", file=sys.stderr)
    return 1 if failed else 0


def main() -> int:
    from foundation.settings import load_settings

    return render_from_settings(load_settings(), force="--force" in sys.argv)


if __name__ == "__main__":
    sys.exit(main())
