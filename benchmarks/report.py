"""How the benches summarise and print what they measured: one table, on the terminal and in ``results/``.

Shared by ``bench.py`` (``make bench``) and ``bench_hub.py`` (``make bench-hub``), so both read the same way.
"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path

import psutil

RESULTS = Path(__file__).resolve().parent / "results"


def percentile(values: list[float], share: float) -> float:
    """The value ``share`` of the way up the sorted values (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def spread(values: list[float], unit: float = 1.0, digits: int = 2) -> str:
    """'p50 / p95 / max' of ``values`` scaled by ``unit`` (in a room, the slowest person matters too)."""
    shown = (statistics.median(values), percentile(values, 0.95), max(values))
    return " / ".join(f"{value * unit:.{digits}f}" for value in shown)


def report(rows: list[tuple[str, str]], command: str, started: float, file_name: str) -> None:
    """Print the rows as a Markdown table with the machine and the command, and save it as ``results/<file>``."""
    width = max(len(label) for label, _ in rows)
    lines = [f"| {'measurement'.ljust(width)} | value |", f"|{'-' * (width + 2)}|-------|"]
    lines += [f"| {label.ljust(width)} | {value} |" for label, value in rows]
    table = "\n".join(lines)
    machine = f"{os.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GiB"
    print(f"\n{table}\n\n({machine}; {time.monotonic() - started:.0f} s; {command})")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / file_name).write_text(table + "\n", encoding="utf-8")
