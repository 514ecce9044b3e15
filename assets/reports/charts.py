"""The report's three charts, drawn by matplotlib (Agg, no display) as SVG that Typst embeds as
vectors: a trend line against the region, a benchmark bar with the municipality highlighted, and a
duration curve. Figures on few cases are drawn open (hollow marker, hatched bar) and the legend says
so. Output is deterministic (fixed SVG ids, no date), so an unchanged report renders byte for byte."""

from __future__ import annotations

import io
from functools import lru_cache

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.ticker import FuncFormatter, MaxNLocator

from assets.reports.formatting import SMALL_N, number

HIGHLIGHT = "#c0392b"
REGION = "#2c3e50"
ALL = "#7f8c8d"
OTHER = "#bdc3c7"
WIDTH_IN = 6.4

# names come from the data: a '$' in a municipality's or provider's name is text, never TeX or
# mathtext (a name like 'A $x$ B' would otherwise be typeset as maths, or stop the letter)
plt.rcParams.update({
    "text.usetex": False, "text.parse_math": False,
    "svg.hashsalt": "jeugdzorg-monitor", "svg.fonttype": "path", "font.family": "DejaVu Sans", "font.size": 8,
    "axes.spines.top": False, "axes.spines.right": False, "axes.titlesize": 9, "legend.fontsize": 7,
    "legend.frameon": False,
})


def _svg(fig: plt.Figure) -> str:
    # the constrained layout fits labels in one drawing pass (bbox_inches="tight" would draw twice)
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None})
    plt.close(fig)
    return buf.getvalue()


def _formatter(unit: str) -> FuncFormatter:
    if unit == "eur":
        return FuncFormatter(lambda v, _pos: f"€ {number(v)}")
    if unit == "pct":
        return FuncFormatter(lambda v, _pos: f"{number(v)}%")
    return FuncFormatter(lambda v, _pos: number(v, 1 if abs(v) < 10 else 0))


def trend(years: list[int], series: list[tuple[str, list[float | None], str]], unit: str, title: str) -> str:
    """One line per (label, values by year, role), role 'subject' | 'region' | 'all'."""
    fig, ax = plt.subplots(layout="constrained", figsize=(WIDTH_IN, 2.1))
    styles = {"subject": {"color": HIGHLIGHT, "lw": 2.2, "marker": "o", "ms": 4},
              "region": {"color": REGION, "lw": 1.4, "ls": "--", "marker": "s", "ms": 3},
              "all": {"color": ALL, "lw": 1.2, "ls": ":", "marker": None}}
    for label, values, role in series:
        xs = [y for y, v in zip(years, values, strict=True) if v is not None]
        ys = [v for v in values if v is not None]
        if xs:
            ax.plot(xs, ys, label=label, **styles[role])
    ax.set_title(title, loc="left")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_formatter(_formatter(unit))
    ax.set_ylim(bottom=0)
    ax.grid(axis="y", color="#eeeeee")
    ax.legend(loc="lower left", ncols=3)
    return _svg(fig)


def benchmark_bar(items: list[tuple[str, float | None, float | None]], highlight: str | None,
                  region_value: float | None, region_label: str, unit: str, title: str) -> str:
    """Horizontal bars, one per (name, value, n), the subject in colour; a bar on few cases hatched;
    a name whose value the file does not show gets 'niet getoond' instead of a bar."""
    ordered = sorted(items, key=lambda it: (it[1] is None, -(it[1] or 0), it[0]))
    fig, ax = plt.subplots(layout="constrained", figsize=(WIDTH_IN, 0.6 + 0.18 * len(ordered)))
    names = [it[0] for it in ordered][::-1]
    for i, (name, value, n) in enumerate(reversed(ordered)):
        if value is None:
            ax.text(0, i, "  niet getoond (kleine aantallen)", va="center", fontsize=7, color=ALL)
            continue
        small = n is not None and n < SMALL_N
        ax.barh(i, value, color=HIGHLIGHT if name == highlight else OTHER, height=0.7,
                hatch="////" if small else None, edgecolor="white" if not small else ALL)
        ax.text(value, i, f" {_formatter(unit)(value, 0)}", va="center", fontsize=7,
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5})
    if region_value is not None:
        ax.axvline(region_value, color=REGION, ls="--", lw=1)
        ax.text(region_value, len(names) - 0.4, f" {region_label}", color=REGION, fontsize=7, va="bottom")
    ax.set_yticks(range(len(names)), names)
    ax.xaxis.set_major_formatter(_formatter(unit))
    ax.set_xlim(0, max([it[1] for it in ordered if it[1] is not None] + [region_value or 0, 1]) * 1.18)
    ax.set_title(title, loc="left")
    return _svg(fig)


def duration_curve(bands: list[str], lines: dict[str, list[tuple[float | None, int | None]]], title: str) -> str:
    """Per product category the share ended as planned by duration band; points on fewer than
    SMALL_N trajectories are open circles. Every municipality of a region shows the same curve: it
    is drawn once per region and period."""
    return _duration_curve(tuple(bands), tuple((k, tuple(v)) for k, v in lines.items()), title)


@lru_cache(maxsize=64)
def _duration_curve(bands: tuple[str, ...], line_items: tuple, title: str) -> str:
    lines = dict(line_items)
    fig, ax = plt.subplots(layout="constrained", figsize=(WIDTH_IN, 3.1))
    colors = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2"]
    for (label, points), color in zip(lines.items(), colors, strict=False):
        xs = [i for i, (v, _n) in enumerate(points) if v is not None]
        ys = [v for v, _n in points if v is not None]
        ax.plot(xs, ys, color=color, lw=1.4, label=label)
        for x, (v, n) in enumerate(points):
            if v is not None:
                small = n is not None and n < SMALL_N
                ax.plot([x], [v], marker="o", ms=5, color=color, markerfacecolor="white" if small else color)
    ax.plot([], [], marker="o", ms=5, color=ALL, markerfacecolor="white", ls="",
            label=f"open punt: minder dan {SMALL_N} trajecten")
    ax.set_xticks(range(len(bands)), bands)
    ax.set_ylim(0, 100)
    ax.yaxis.set_major_formatter(_formatter("pct"))
    ax.set_ylabel("beëindigd volgens plan")
    ax.set_xlabel("duur van het traject")
    ax.grid(axis="y", color="#eeeeee")
    ax.set_title(title, loc="left")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.28), ncols=2)
    return _svg(fig)
