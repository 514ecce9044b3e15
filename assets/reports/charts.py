"""The report's charts, drawn by matplotlib (Agg, no display) as SVG that Typst embeds as
vectors: a trend line against the region, a benchmark bar with the municipality highlighted, a
duration curve, and a funnel plot of the providers against what their case mix predicts. Figures
on few cases are drawn open (hollow marker, hatched bar) and the legend says so. Output is
deterministic (fixed SVG ids, no date), so an unchanged report renders byte for byte."""

from __future__ import annotations

import io
import math
from functools import lru_cache
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import yaml
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


# the funnel's two limits, with the z the funnel's mart uses (dbt_project.yml vars): (z, line style, label)
_DBT_VARS = yaml.safe_load((Path(__file__).parents[1] / "dbt" / "dbt_project.yml").read_text(encoding="utf-8"))["vars"]
FUNNEL_LIMITS = ((_DBT_VARS["funnel_z_95"], "--", "95%-grenzen"), (_DBT_VARS["funnel_z_998"], "-", "99,8%-grenzen"))
# a point's colour by its signal, and what the legend says of it
FUNNEL_POINTS = {"within": ("#7f8c8d", "binnen de grenzen"), "95": ("#e67e22", "buiten de 95%-grenzen"),
                 "99.8": (HIGHLIGHT, "ook buiten de 99,8%-grenzen")}


def precision(expected: float, n: float) -> float:
    """How precisely a provider's ratio observed / expected is known: 1 / (1 / E - 1 / n), the
    inverse of the ratio's chance variance in the mart's limits (E expected of n trajectories). It
    grows with the trajectories and with how common the outcome is; for a rare outcome it is about
    the expected number."""
    return 1 / (1 / expected - 1 / n)


def funnel_limit(weight: float, z: float, overdispersion: float) -> float:
    """How far from 1 a ratio of that precision may lie by chance: z * sqrt(phi / precision), which at
    a provider's own precision is the mart's limit z * sqrt(phi * (1 / E - 1 / n)): a point outside
    the curves is outside its published limits."""
    return z * math.sqrt(overdispersion / weight)


def funnel(points: list[tuple[str, str, float, float, str]], overdispersion: float, title: str, ylabel: str,
           gid_prefix: str) -> str:
    """A funnel plot: one point per (id, name, precision, ratio, signal), x the precision of the
    ratio, y the ratio observed / expected, the 95 % and 99.8 % limits as curves around a line at 1.
    On a precision axis one pair of curves holds every provider's own limits, whatever its case mix
    (on an axis of trajectories, a provider of heavier or lighter cases than the average would sit
    against curves that are not its own). A point outside the 95 % limits is coloured and named
    (providers are public); the others stay grey and unnamed, so the eye goes to what is worth a
    conversation. Each point carries the SVG id `<gid_prefix>-<id>`, so someone who reuses the file
    can find a provider's point in it."""
    fig, ax = plt.subplots(layout="constrained", figsize=(WIDTH_IN, 2.8))
    n_max = max(p[2] for p in points)
    n_min = min(p[2] for p in points)
    x_max = n_max * 1.1
    # the curves run from the left edge: where they leave the plot, chance alone allows any ratio
    xs = [x_max * (i / 300) ** 2 for i in range(1, 301)]
    for z, style, label in FUNNEL_LIMITS:
        ax.plot(xs, [1 + funnel_limit(x, z, overdispersion) for x in xs], color=REGION, ls=style, lw=0.9,
                label=label)
        ax.plot(xs, [max(0.0, 1 - funnel_limit(x, z, overdispersion)) for x in xs], color=REGION, ls=style, lw=0.9)
    ax.axhline(1, color=ALL, lw=0.8, ls=":", label="zoals verwacht")
    for key, _name, n, ratio, signal in sorted(points, key=lambda p: p[4] != "within"):
        color, _ = FUNNEL_POINTS[signal.split("_")[-1]]
        (dot,) = ax.plot([n], [ratio], ls="", marker="o", ms=4.5 if signal == "within" else 5.5, color=color,
                         markeredgecolor="white", markeredgewidth=0.5, zorder=3)
        dot.set_gid(f"{gid_prefix}-{key}")
    for color, label in FUNNEL_POINTS.values():
        ax.plot([], [], ls="", marker="o", ms=5, color=color, label=label)
    # room for every point and for the limits at the smallest provider shown, not for the curves' tails
    ratios = [p[3] for p in points]
    spread = funnel_limit(n_min, 3.2, overdispersion)
    ax.set_ylim(max(0.0, min([*ratios, 1 - spread]) - 0.05), max([*ratios, 1 + spread]) + 0.1)
    ax.set_xlim(0, x_max)
    _name_points(ax, [(n, ratio, name, FUNNEL_POINTS[signal.split("_")[-1]][0])
                      for _key, name, n, ratio, signal in points if signal != "within"],
                 [(n, ratio) for _key, _name, n, ratio, _signal in points])
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: number(v)))
    # ticks on steps of 1, 2 or 5 (not 2.5), so one decimal, or two below a step of 0.1, prints them exactly
    ax.yaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 5, 10]))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: number(v, 1 if abs(10 * v - round(10 * v)) < 1e-6
                                                                        else 2)))
    ax.set_xlabel("nauwkeurigheid van de verhouding (groeit met het aantal trajecten)")
    ax.set_ylabel(ylabel)
    ax.grid(axis="y", color="#eeeeee")
    ax.set_title(title, loc="left")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), ncols=3)
    return _svg(fig)


# where a point's name may go, in points from the point: (dx, dy, horizontal, vertical alignment)
LABEL_SPOTS = ((5, 3, "left", "bottom"), (5, -3, "left", "top"), (-5, 3, "right", "bottom"),
               (-5, -3, "right", "top"), (5, 11, "left", "bottom"), (5, -11, "left", "top"),
               (-5, 11, "right", "bottom"), (-5, -11, "right", "top"))


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _name_points(ax: plt.Axes, named: list[tuple[float, float, str, str]], dots: list[tuple[float, float]]) -> None:
    """Name each (x, y, name, colour) beside its point, at the first spot where the name overlaps no
    other name or point and stays inside the plot (the first spot if none is free): two providers
    close together stay readable. Works in points from the plot's corner; widths are estimated from
    the number of characters."""
    if not named:
        return
    size, to_pt = 7.0, 72 / ax.figure.dpi
    # the constrained layout places the axes at draw time: measure where they will be, not where they start
    ax.figure.draw_without_rendering()
    frame = ax.get_window_extent()
    right, top = (frame.x1 - frame.x0) * to_pt, (frame.y1 - frame.y0) * to_pt

    def at(x: float, y: float) -> tuple[float, float]:
        px, py = ax.transData.transform((x, y))
        return (px - frame.x0) * to_pt, (py - frame.y0) * to_pt

    taken = [(px - 3, py - 3, px + 3, py + 3) for px, py in (at(x, y) for x, y in dots)]
    for x, y, name, color in sorted(named, key=lambda t: (t[0], t[1])):
        px, py = at(x, y)
        width, height = 0.56 * size * len(name), 1.25 * size
        # a point on the right of the plot looks for room on its left first
        spots = LABEL_SPOTS if px < right * 0.6 else (*LABEL_SPOTS[2:4], *LABEL_SPOTS[:2], *LABEL_SPOTS[6:],
                                                       *LABEL_SPOTS[4:6])
        boxes = []
        for dx, dy, ha, va in spots:
            x0, y0 = px + dx - (width if ha == "right" else 0), py + dy - (height if va == "top" else 0)
            boxes.append((x0, y0, x0 + width, y0 + height))
        chosen = next((i for i, b in enumerate(boxes) if b[0] >= 0 and b[2] <= right and b[1] >= 0 and b[3] <= top
                       and not any(_overlap(b, t) for t in taken)), 0)
        taken.append(boxes[chosen])
        dx, dy, ha, va = spots[chosen]
        ax.annotate(name, (x, y), xytext=(dx, dy), textcoords="offset points", ha=ha, va=va, fontsize=size,
                    color=color, zorder=4, bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.3, "alpha": 0.85})
