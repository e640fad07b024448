"""``python -m bench [--quick] [--rows 1,2,...] [--keep] [--no-write]``: run the benchmarks.

Prints one table (what, size, median, floor, ratio, target, pass/fail) and writes the figures into
``BENCHMARKS.md`` (a full run only, unless ``--write``). Exit status 0 even when a target is missed:
the table says so, and the point is the figures.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

# Before Streamlit is imported anywhere: AppTest's bare-mode warnings would drown the table.
os.environ.setdefault("STREAMLIT_LOGGER_LEVEL", "error")

from . import (
    clicks,
    core,
    exports,
    pages,
    present_clips,
    present_sound,
    report,
    room,
    server,
    sessions,
    video_takes,
)
from .projects import generate_all
from .report import Row

ROOT = Path(__file__).resolve().parent.parent
ROWS = range(1, 15)  # every row; BENCHMARKS.md is written only when all of them ran


@dataclass(frozen=True)
class Plan:
    """How many times each row repeats."""

    sizes: list[str]
    save: int
    scan: int
    cold: int
    warm: int
    apptest: int
    hang_runs: int
    hang_rounds: int
    server_rounds: int
    clicks: int
    exports: int
    sessions: float  # seconds of the 10-session run


FULL = Plan(["1k", "10k", "50k"], 101, 31, 11, 101, 15, 10, 5, 3, 15, 3, 120)
QUICK = Plan(["1k", "10k"], 31, 11, 5, 31, 7, 10, 2, 1, 5, 1, 20)


def log(message: str) -> None:
    """Progress on stderr, so that stdout is only the table."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="1k and 10k only, fewer repeats")
    parser.add_argument(
        "--rows",
        default=",".join(str(n) for n in ROWS),
        help="which rows to run (default: all), e.g. 1,3",
    )
    parser.add_argument("--keep", action="store_true", help="keep the generated workspace")
    parser.add_argument("--write", action="store_true", help="write BENCHMARKS.md after --quick")
    parser.add_argument("--no-write", action="store_true", help="do not write BENCHMARKS.md")
    parser.add_argument("--md", type=Path, default=ROOT / "BENCHMARKS.md", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL
    wanted = {int(x) for x in args.rows.split(",") if x.strip()}
    started = report.now()
    load_before = os.getloadavg()

    workspace = Path(tempfile.mkdtemp(prefix="storyboard-bench-"))
    os.environ["STORYBOARD_WORKSPACE"] = str(workspace)
    os.environ.pop("STORYBOARD_COMFYUI_URL", None)
    rows: list[Row] = []
    try:
        t = time.perf_counter()
        # Rows 9 to 14 make their own projects: the big ones are generated only for the rows that use them.
        sizes = plan.sizes if wanted - set(range(9, 15)) else []
        projects = generate_all(workspace, sizes)
        log(f"generated {', '.join(sizes) or 'nothing'} in {time.perf_counter() - t:.1f} s")
        big = projects.get("10k")

        if 1 in wanted:
            log(f"row 1: save one shot edit, {', '.join(projects)} interleaved")
            rows += core.save_rows(workspace, projects, plan.save)
        if 2 in wanted:
            for label, project in projects.items():
                log(f"row 2: ours vs the original scan, {label}")
                rows.append(core.scan_rows(workspace, project, plan.scan))
        if 3 in wanted:
            for label, project in projects.items():
                log(f"row 3: project summary cold and warm, {label}")
                rows += core.summary_rows(workspace, project, plan.cold, plan.warm)
        if 4 in wanted:
            log("row 4: AppTest reruns of each page, 10k")
            assert big is not None  # generated whenever a row but 9 and 10 runs
            rows += pages.apptest_rows(big, plan.apptest)
            log("row 4b: the same, page scripts compiled once as on the real server")
            rows += pages.apptest_rows(big, plan.apptest, cached=True)
            # The pages' cost should not follow the project's size: the same rows at the other sizes.
            for label in (size for size in plan.sizes if size != "10k"):
                log(f"row 4c: compiled once, {label}")
                rows += pages.apptest_rows(projects[label], plan.apptest, cached=True)
        if 5 in wanted:
            log("row 5: dashboard with a hanging ComfyUI vs none, 10k")
            assert big is not None  # generated whenever a row but 9 and 10 runs
            rows += pages.hanging_rows(workspace, big, plan.hang_runs, plan.hang_rounds)
        if wanted & {6, 7}:
            log("rows 6-7: streamlit run in Chromium, start-up and memory, 10k")
            assert big is not None  # generated whenever a row but 9 and 10 runs
            rows += server.server_rows(workspace, big, plan.server_rounds)
        if 8 in wanted:
            log("row 8: click to visible result in Chromium vs a minimal app, 10k")
            assert big is not None  # generated whenever a row but 9 and 10 runs
            rows += clicks.click_rows(workspace, big, plan.clicks)
        if 9 in wanted:
            log("row 9: hand-outs of a 100-shot sequence with 1024x576 frames")
            rows += exports.export_rows(plan.exports)
        if 10 in wanted:
            log(f"row 10: 6 editors and 4 reviewers at once for {plan.sessions:.0f} s, AppTest")
            rows += sessions.sessions_rows(plan.sessions)
        if 11 in wanted:
            log("row 11: a 5 s 1280x720 clip becoming a take; choosing a server among 5")
            rows += video_takes.video_rows(plan.exports)
        if 12 in wanted:
            log(
                "row 12: Present on 50 video shots in Chromium (open time, server memory); their MP4"
            )
            # One MP4 export each: 50 clips take minutes where the stills take seconds.
            rows += present_clips.clip_rows(plan.server_rounds, exports=1)
        if 13 in wanted:
            log("row 13: Present with a 3-minute soundtrack: open time, Play to sound, drift")
            rows += present_sound.rows(3 if args.quick else 5)
        if 14 in wanted:
            log("row 14: a review room, 8 followers of a presenter in Chromium")
            rows += room.room_rows(6 if args.quick else 12)
    finally:
        if args.keep:
            log(f"workspace kept at {workspace}")
        else:
            shutil.rmtree(workspace, ignore_errors=True)

    print(report.text_table(rows))
    info = report.machine(load_before)
    misses = [r for r in rows if r.ok is False]
    print(f"\n{len(misses)} target(s) missed." if misses else "\nEvery target met.")
    write = (not args.quick or args.write) and not args.no_write and wanted == set(ROWS)
    if write:
        mode = " --quick" if args.quick else ""
        report.write_markdown(args.md, report.results_block(rows, info, started=started, mode=mode))
        log(f"wrote {args.md}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
