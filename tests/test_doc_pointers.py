"""Every pointer that an alert, a check or the code gives into the docs ("docs/runbook.md, 'The
nightly run is red'") names a heading the page has: a reader sent to a section must find it."""

from __future__ import annotations

import re
from pathlib import Path

import dagster as dg

from foundation.alerts import quarantined_files_alert, rejected_files_alert
from foundation.settings import REPO_ROOT, load_settings
from pipelines.alerts import digest_alert, failed_run_alert, unpublished_run_alert

# a page, then the heading in quotes: docs/runbook.md, 'The nightly run is red'
POINTER = re.compile(r"""((?:docs/|checks/)?\w+\.md),? ['"]([^'"]+)['"]""")
PACKAGES = ("foundation", "assets", "checks", "pipelines", "demo_data")


def headings(page: Path) -> set[str]:
    return {line.lstrip("#").strip() for line in page.read_text(encoding="utf-8").splitlines()
            if line.startswith("#")}


def unresolved(text: str) -> list[str]:
    """The pointers in `text` whose page or heading does not exist; a heading may go on with a
    parenthesis ("Scale and the nightly cost (2026-12-05, ...)")."""
    bad = []
    for page, name in POINTER.findall(text):
        path = REPO_ROOT / page
        if not path.exists() or not any(h == name or h.startswith(f"{name} (") for h in headings(path)):
            bad.append(f"{page}, '{name}'")
    return bad


def test_the_pointer_pattern_reads_a_pointer_and_catches_a_wrong_heading():
    assert POINTER.findall("see docs/runbook.md, 'A run seems stuck'.") == [("docs/runbook.md", "A run seems stuck")]
    assert unresolved("docs/runbook.md, 'A run seems stuck'") == []
    assert unresolved("docs/runbook.md, 'When the nightly run is red'") == [
        "docs/runbook.md, 'When the nightly run is red'"]


def test_every_alert_points_at_a_heading_that_exists(tmp_path):
    settings = load_settings({"JEUGDZORG_DATA_DIR": str(tmp_path)})
    run = dg.DagsterRun(job_name="nightly_refresh", run_id="r1")
    texts = [failed_run_alert(run, [("dbt_marts", "dbt build failed")], settings).text,
             digest_alert([{"check": "c", "asset": "a", "counts": {}, "what_to_do": ""}], settings, "2026-12-07").text,
             rejected_files_alert("declarations", ["declarations/a.xml: invalid"], "r1", settings).text,
             quarantined_files_alert("declarations", [("declarations/a.csv", 2, 1, "D02: ...")], 0.05, "r1",
                                     settings).text,
             unpublished_run_alert(run, ["declaration_lines / declaration_lines_meet_contract"], settings).text]
    for text in texts:
        assert POINTER.search(text), text
        assert unresolved(text) == []


def test_every_pointer_in_the_code_names_a_heading_that_exists():
    found, bad = set(), []
    for package in PACKAGES:
        for source in sorted((REPO_ROOT / package).rglob("*.py")):
            text = source.read_text(encoding="utf-8")
            found |= set(POINTER.findall(text))
            bad += [f"{source.relative_to(REPO_ROOT)}: {b}" for b in unresolved(text)]
    # the pattern finds the pointers of the alerts and of the freshness check's what_to_do
    assert {("docs/runbook.md", "The nightly run is red"), ("docs/runbook.md", "A WARN digest arrives"),
            ("docs/refresh.md", "Untrusted input")} <= found
    assert bad == []
