"""Progress as the terminal shows it: a bar on a terminal, a line at every tenth elsewhere, and the
run page's progress lines spaced out when it is written to a file or a pipe."""

from __future__ import annotations

import io
from types import SimpleNamespace

from foundation.progress import at_step, is_progress_line, progress, progress_line
from pipelines.launch import PROGRESS_EVERY_SECONDS, ProgressPage


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_line_at_every_tenth():
    assert [i for i in range(1, 1001) if at_step(i, 1000)] == list(range(100, 1001, 100))
    assert [i for i in range(1, 8) if at_step(i, 7)] == list(range(1, 8))
    # 11,357 files (the demo's XML declarations): ten lines, the last at the end
    marks = [i for i in range(1, 11358) if at_step(i, 11357)]
    assert len(marks) == 10 and marks[-1] == 11357 and marks[0] == 1136
    assert not at_step(0, 0) and not at_step(1, 0)


def test_off_a_terminal_the_generator_prints_ten_short_lines():
    out = io.StringIO()
    providers = list(range(41))
    assert list(progress(providers, "simulated", "providers", out)) == providers
    lines = out.getvalue().splitlines()
    assert len(lines) == 10 and lines[-1] == "simulated 41/41 providers"
    assert all(is_progress_line(line) and "\r" not in line for line in lines)


def test_on_a_terminal_the_generator_draws_a_bar():
    out = Terminal()
    assert list(progress(list(range(5)), "simulated", "providers", out)) == list(range(5))
    assert "\r" in out.getvalue() and "5/5" in out.getvalue()


def _entry(message: str, at: float) -> SimpleNamespace:
    return SimpleNamespace(dagster_event=None, level=20, user_message=message, timestamp=at)


def _page(out: io.StringIO) -> ProgressPage:
    page = ProgressPage(out)
    page.step, page.last_progress = "raw_declarations", 0.0
    return page


def test_the_run_page_spaces_progress_lines_out_in_a_log():
    out = io.StringIO()
    page = _page(out)
    seconds = [1, 4, PROGRESS_EVERY_SECONDS + 1, PROGRESS_EVERY_SECONDS + 2, 2 * PROGRESS_EVERY_SECONDS + 1]
    for done, at in enumerate(seconds, 1):
        page.add(_entry(progress_line("parsed", done, len(seconds), "XML declaration files"), at))
    page.add(_entry("11657 new file(s): 11656 loaded, 1 rejected", 30))
    assert out.getvalue().splitlines() == [
        "  ▸ raw_declarations",
        "      parsed 3/5 XML declaration files",
        "      parsed 5/5 XML declaration files",
        "      11657 new file(s): 11656 loaded, 1 rejected"]


def test_on_a_terminal_the_run_page_redraws_one_progress_line():
    out = Terminal()
    page = _page(out)
    for done in (1, 2, 3):
        page.add(_entry(progress_line("parsed", done, 3, "XML declaration files"), done))
    page.add(_entry("3 new file(s): 3 loaded, 0 rejected", 4))
    text = out.getvalue()
    assert text.count("\r\x1b[2K") == 2  # the second and third redraw the first
    assert text.splitlines()[-1] == "      3 new file(s): 3 loaded, 0 rejected"
    assert text.splitlines()[0] == "  ▸ raw_declarations"
