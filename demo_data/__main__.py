"""Command line: python -m demo_data --out DIR --scale N --seed S."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from demo_data.generator import DemoGenerator


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m demo_data",
        description="Write synthetic youth-care declarations, outcome surveys and reference files "
        "(with a small documented rate of defects) into DIR/declarations, DIR/surveys, DIR/reference.",
    )
    parser.add_argument("--out", type=Path, required=True, help="target raw folder, e.g. data/raw")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="volume multiplier; 1 is about 10%% of the real volume (default 1)")
    parser.add_argument("--seed", type=int, default=2026, help="random seed; same seed, same files (default 2026)")
    args = parser.parse_args(argv)
    if args.scale <= 0:
        parser.error("--scale must be positive")
    started = time.perf_counter()
    manifest = DemoGenerator(args.out, args.scale, args.seed).run()
    c, m = manifest["counts"], manifest["messages"]
    messages = ", ".join(f"{m[kind]['records']:,} {label}" for kind, label in (
        ("allocations", "JW301"), ("care_starts", "JW305"), ("care_stops", "JW307")))
    print(
        f"demo data in {args.out}: {c.get('declaration_lines', 0):,} declaration lines in "
        f"{c.get('xml_files', 0):,} XML and {c.get('csv_files', 0):,} CSV files, "
        f"{c.get('survey_rows', 0):,} survey rows; messages {messages}; {time.perf_counter() - started:.1f}s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
