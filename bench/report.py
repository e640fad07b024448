"""The result table (printed) and ``BENCHMARKS.md`` (the latest figures, the machine, how to rerun)."""

from __future__ import annotations

import math
import os
import platform
import re
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

START = "<!-- bench:results:start -->"
END = "<!-- bench:results:end -->"


@dataclass
class Row:
    """One line of the table. ``ok`` is None for report-only rows."""

    what: str
    size: str
    median: float  # seconds, or bytes when ``unit`` is "MB"
    floor: float | None = None
    floor_label: str = ""  # shown before the floor figure, e.g. "scan"
    ratio: float | None = None
    ratio_label: str = "×"  # "×" (median / floor) or "× faster" (floor / median)
    target: str = "report"
    ok: bool | None = None
    unit: str = "ms"
    n: int = 0  # how many runs the median is over


def fmt_value(value: float | None, unit: str) -> str:
    """``12.3 ms``, ``1.52 s`` or ``212 MB``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if unit == "MB":
        return f"{value / 2**20:.0f} MB"
    if unit == "/s":
        return f"{value:.1f} /s"
    ms = value * 1000
    if ms >= 1000:
        return f"{ms / 1000:.2f} s"
    if ms >= 100:
        return f"{ms:.0f} ms"
    if ms >= 10:
        return f"{ms:.1f} ms"
    return f"{ms:.2f} ms"


def cells(row: Row) -> list[str]:
    """The row as table cells: what, size, median, floor, ratio, target, pass/fail."""
    floor = fmt_value(row.floor, row.unit) if row.floor is not None else "—"
    if row.floor is not None and row.floor_label:
        floor = f"{row.floor_label} {floor}"
    ratio = f"{row.ratio:.2f}{row.ratio_label}" if row.ratio is not None else "—"
    verdict = "report" if row.ok is None else ("pass" if row.ok else "FAIL")
    median = fmt_value(row.median, row.unit) + (f" (n={row.n})" if row.n else "")
    return [row.what, row.size, median, floor, ratio, row.target, verdict]


HEADER = ["what", "size", "median", "floor", "ratio", "target", "pass/fail"]


def text_table(rows: list[Row]) -> str:
    """A plain-text table for the terminal."""
    table = [HEADER, *(cells(r) for r in rows)]
    widths = [max(len(line[i]) for line in table) for i in range(len(HEADER))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) for line in table]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def markdown_table(rows: list[Row]) -> str:
    """The same table in Markdown."""
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    for row in rows:
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells(row)) + " |")
    return "\n".join(lines)


def _cpu_model() -> str:
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8")
    except OSError:
        return platform.processor() or "unknown"
    found = re.search(r"^model name\s*:\s*(.+)$", text, re.MULTILINE)
    return found.group(1).strip() if found else "unknown"


def _ram() -> str:
    try:
        text = Path("/proc/meminfo").read_text(encoding="utf-8")
    except OSError:
        return "unknown"
    found = re.search(r"^MemTotal:\s*(\d+) kB", text, re.MULTILINE)
    return f"{int(found.group(1)) / 2**20:.1f} GiB" if found else "unknown"


def _chromium() -> str:
    try:
        out = subprocess.run(
            ["/usr/bin/chromium", "--version"], capture_output=True, text=True, timeout=20
        )
    except (OSError, subprocess.SubprocessError):
        return "not found"
    return out.stdout.strip() or "unknown"


def machine(load_before: tuple[float, float, float] | None = None) -> dict[str, str]:
    """What the figures were measured on (``load_before``: the load average when the run began)."""
    import pydantic
    import streamlit

    load = os.getloadavg()
    return {
        "CPUs (nproc)": str(os.cpu_count()),
        "CPU": _cpu_model(),
        "RAM": _ram(),
        "OS": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(),
        "Streamlit": streamlit.__version__,
        "pydantic": pydantic.VERSION,
        "Chromium": _chromium(),
        "load average at the start (1, 5, 15 min)": (
            ", ".join(f"{x:.2f}" for x in load_before) if load_before else "not taken"
        ),
        "load average at the end (1, 5, 15 min)": ", ".join(f"{x:.2f}" for x in load),
    }


def results_block(rows: list[Row], info: dict[str, str], *, started: datetime, mode: str) -> str:
    """The generated part of ``BENCHMARKS.md``: the table and the machine."""
    lines = [
        START,
        f"Measured {started:%Y-%m-%d %H:%M} UTC by `python -m bench{mode}`.",
        "",
        markdown_table(rows),
        "",
        "Machine:",
        "",
        *(f"- {k}: {v}" for k, v in info.items()),
        END,
    ]
    return "\n".join(lines)


def write_markdown(path: Path, block: str) -> None:
    """Replace the generated block of ``path`` (the rest of the file is hand-written and kept)."""
    if path.exists():
        text = path.read_text(encoding="utf-8")
        if START in text and END in text:
            head, rest = text.split(START, 1)
            _, tail = rest.split(END, 1)
            path.write_text(head + block + tail, encoding="utf-8")
            return
    path.write_text(f"# Benchmarks\n\n{block}\n", encoding="utf-8")


def now() -> datetime:
    """The time the run started, in UTC."""
    return datetime.now(UTC)
