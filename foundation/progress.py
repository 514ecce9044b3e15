"""Progress that reads well wherever it goes: a bar on a terminal, a line every tenth elsewhere.

A bar redraws itself with carriage returns; written to a file, a pipe or a CI log those become one
line of several kilobytes. A line per item is as bad the other way: thousands of lines. A line at
every tenth of the way is what a log can hold and a person can follow.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import IO, TypeVar

from tqdm import tqdm

T = TypeVar("T")
STEPS = 10  # lines a non-terminal gets for a whole job: one per tenth
_LINE = re.compile(r"^\w+ \d+/\d+ ")  # what progress_line writes


def progress_line(verb: str, done: int, total: int, what: str) -> str:
    """`parsed 1136/11357 XML declaration files`: the one shape of a progress line in a run's log,
    which the terminal page (pipelines/launch.py) recognises with is_progress_line."""
    return f"{verb} {done}/{total} {what}"


def is_progress_line(message: str) -> bool:
    return bool(_LINE.match(message))


def at_step(done: int, total: int) -> bool:
    """True when `done` of `total` items is the first count at or past the next tenth (and at the
    end): 1,000 files give lines at 100, 200, ... 1,000; seven give one at each of 1 to 7."""
    if total <= 0 or done <= 0:
        return False
    return done == total or done * STEPS // total > (done - 1) * STEPS // total


def tenths(items: Iterable[T], total: int, say: Callable[[int], None]) -> Iterator[T]:
    """The items, calling `say(done)` after each one at which at_step holds."""
    for done, item in enumerate(items, 1):
        yield item
        if at_step(done, total):
            say(done)


def progress(items: list[T], verb: str, what: str, out: IO[str] | None = None) -> Iterator[T]:
    """The items with a tqdm bar when `out` (stderr by default) is a terminal, otherwise a
    progress_line at every tenth."""
    out = out or sys.stderr
    if out.isatty():
        return iter(tqdm(items, desc=f"{verb} {what}", file=out))
    return tenths(items, len(items), lambda done: print(progress_line(verb, done, len(items), what), file=out,
                                                           flush=True))
