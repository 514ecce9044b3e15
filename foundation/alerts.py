"""Where an alert goes: a Markdown file in the data folder's alerts/ and, when set, a webhook.

An alert is written by whatever found the trouble, as soon as it found it: an ingestion step
that refused a file or held back many of a file's lines (assets/ingest/assets.py), the
sensors of the code location for a failed run and the daily WARN digest (pipelines/alerts.py).
The file is kept, so the history is there even without a webhook. The webhook receives JSON
with `text` (Markdown), which Slack and Mattermost incoming webhooks show as is, plus `kind`,
`title`, `run_id` and `url` for anything else (a Teams workflow, for example, can pick those out).
"""

from __future__ import annotations

import json
import urllib.request
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg

from foundation.settings import Settings

TIMEZONE = ZoneInfo("Europe/Amsterdam")
WEBHOOK_TIMEOUT_SECONDS = 10
LISTED_FILES = 20  # an alert is read on a phone: the rest is one click away, in the check


@dataclass(frozen=True)
class Alert:
    kind: str  # run_failed | warn_digest | files_rejected | files_quarantined | check_blocked
    title: str
    text: str  # Markdown
    url: str
    run_id: str | None = None


def send(alert: Alert, settings: Settings, folder: Path | None = None) -> Path:
    """Write the alert to its file (in `folder`, default the settings' data folder's alerts/), then
    post it; a webhook that fails is logged, never raised: the file is written either way, and the
    alarm must not become the failure."""
    folder = folder or settings.data_dir / "alerts"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(TIMEZONE).strftime("%Y-%m-%dT%H%M%S.%f")
    path = folder / f"{stamp}_{alert.kind}.md"
    path.write_text(f"# {alert.title}\n\n{alert.text}\n\n{alert.url}\n", encoding="utf-8")
    if settings.alert_webhook_url:
        request = urllib.request.Request(settings.alert_webhook_url, data=json.dumps(asdict(alert)).encode(),
                                         headers={"Content-Type": "application/json"}, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_SECONDS):
                pass
        except OSError as exc:
            dg.get_dagster_logger().warning(f"alert written to {path}, but the webhook failed: {exc}")
    return path


def rejected_files_alert(kind: str, rejected: list[str], run_id: str, settings: Settings) -> Alert:
    """A delivery refused in this run, by name and reason (`kind/name: reason`, names as the registry
    shows them: a BSN-like number in one is a keyed token), with what to do about it."""
    lines = [f"{len(rejected)} file(s) in raw/{kind}/ were rejected in run `{run_id}`; the other files loaded "
             "and the run goes on. A rejected file adds nothing until it is dealt with:", ""]
    lines.append(rejected_md(rejected))
    lines += ["", "What to do: ask the provider for a corrected delivery under the same name (the next run reads "
              "it), or acknowledge a file that will not come back with "
              "`make retract FILE=<kind/name> REASON='why'`. docs/refresh.md, 'Untrusted input'."]
    return Alert("files_rejected", f"jeugdzorg-monitor: {len(rejected)} file(s) rejected", "\n".join(lines),
                 f"{settings.ui_url}/runs/{run_id}", run_id)


def rejected_md(rejected: list[str]) -> str:
    """`name: reason` lines as a Markdown list, each name in a code span: a name such as
    01328668_0034_202306.xml keeps its underscores and digits in Markdown and in Slack's mrkdwn."""
    lines = []
    for entry in rejected:
        name, _, reason = entry.partition(": ")
        lines.append(f"- `{name}`: {reason}")
    return "\n".join(lines) or "_none_"


def quarantined_files_alert(kind: str, files: list[tuple[str, int, int, str]], threshold: float, run_id: str,
                            settings: Settings) -> Alert:
    """Files of this run that loaded, but with more of their lines held back than the threshold:
    (name, lines read, lines held back, the rule that held back most)."""
    lines = [f"{len(files)} file(s) in raw/{kind}/ loaded in run `{run_id}` with more than {100 * threshold:g} % "
             "of their lines quarantined; the other lines loaded and the run goes on:", ""]
    lines += [f"- `{name}`: {held:,} of {read:,} lines held back, most by {rule}"
              for name, read, held, rule in files[:LISTED_FILES]]
    if len(files) > LISTED_FILES:
        lines.append(f"- and {len(files) - LISTED_FILES} more (the check `{kind}_quarantine_rate` lists them all)")
    lines += ["", "What to do: ask the provider for a corrected file under the same name (the next run reads it). "
              "Which rules held which lines back, and what each rule means: the data-quality tables per rule in the "
              f"working file, and the check `{kind}_quarantine_rate`; docs/runbook.md, 'A WARN digest arrives', "
              "names them."]
    return Alert("files_quarantined", f"jeugdzorg-monitor: {len(files)} file(s) with many quarantined lines",
                 "\n".join(lines), f"{settings.ui_url}/runs/{run_id}", run_id)
