"""Stress the room store as a workshop would: many kernels answering at once while the facilitator watches.

    python benchmarks/room_store_stress.py --rate 300 --seconds 30

Several writer processes (each one stands for a group of participants' kernels, with its own ``RoomStore`` on
the same file, as kernels have) send answers together at the given total rate, on a fixed schedule, for the
given time; a reader process polls the facilitator's counts twice a second meanwhile. Most answers are a
participant's first to an activity; about one in seven repeats an activity already answered, which the store
must turn away ("already answered"). At the end, every answer a writer was told was counted is compared with
the store's own counts: any difference is a lost or a double count, and must be 0.

It prints one Markdown table. Nothing is asserted about speed; the exit status is 1 only if counts differ.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from therapy_workshop.room.catalogue import Activity, Catalogue, current_catalogue
from therapy_workshop.room.store import RoomStore
from therapy_workshop.room.values import Outcome

REPEAT_SHARE = 1 / 7
READ_EVERY = 0.5


@dataclass
class WriterReport:
    """What one writer process saw: outcomes, the counts it caused, its latencies, how late it ran."""

    attempted: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)
    answerers: Counter[str] = field(default_factory=Counter)
    options: Counter[tuple[str, str]] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    worst_lag: float = 0.0


def random_answer(activity: Activity, rng: random.Random) -> object:
    """A valid answer to ``activity``, as a widget would send it."""
    if activity.kind == "quiz":
        if activity.multiple:
            return sorted(rng.sample(range(len(activity.options)), rng.randint(1, len(activity.options))))
        return [rng.randrange(len(activity.options))]
    if activity.kind == "choice":
        return rng.randrange(len(activity.options))
    return rng.choice(activity.options).value


def counted_values(answer: object) -> list[str]:
    """The option values an answer adds one to (several for a multiple-choice answer)."""
    return [str(index) for index in answer] if isinstance(answer, list) else [str(answer)]


def write(
    path: Path,
    catalogue: Catalogue,
    code: str,
    writer: int,
    writers: int,
    participants: int,
    args: Any,
    start: Any,
    reports: Any,
) -> None:
    rng = random.Random(writer)
    report = WriterReport()
    keys = list(catalogue)
    with RoomStore(path, catalogue) as store:
        tokens = [store.join(code) for _ in range(participants)]
        answered: list[list[str]] = [[] for _ in tokens]
        unanswered: list[list[str]] = [rng.sample(keys, len(keys)) for _ in tokens]
        total = int(args.rate * args.seconds)
        mine = range(writer, total, writers)  # writers interleave on one schedule at the total rate
        start.wait()
        began = time.perf_counter()
        for number in mine:
            due = began + number / args.rate
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            else:
                report.worst_lag = max(report.worst_lag, -delay)
            who = rng.randrange(participants)
            if answered[who] and (rng.random() < REPEAT_SHARE or not unanswered[who]):
                key = rng.choice(answered[who])
            else:
                key = unanswered[who].pop()
            answer = random_answer(catalogue[key], rng)
            sent = time.perf_counter()
            recorded = store.record(code, tokens[who], key, answer)
            report.latencies.append(time.perf_counter() - sent)
            report.attempted += 1
            report.outcomes[recorded.outcome.value] += 1
            if recorded.outcome is Outcome.COUNTED:
                answered[who].append(key)
                report.answerers[key] += 1
                report.options.update((key, value) for value in counted_values(answer))
            elif recorded.outcome is Outcome.REFUSED:
                report.reasons[recorded.reason] += 1
    reports.put(report)


def read(path: Path, catalogue: Catalogue, code: str, stop: Any, start: Any, reports: Any) -> None:
    latencies: list[float] = []
    with RoomStore(path, catalogue) as store:
        start.wait()
        while not stop.is_set():
            began = time.perf_counter()
            store.visible_counts(code)
            latencies.append(time.perf_counter() - began)
            stop.wait(READ_EVERY)
    reports.put(latencies)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def file_size(path: Path) -> int:
    return sum(Path(f"{path}{suffix}").stat().st_size for suffix in ("", "-wal") if Path(f"{path}{suffix}").exists())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=300, help="answers per second, all writers together")
    parser.add_argument("--seconds", type=float, default=30, help="how long to write")
    parser.add_argument("--writers", type=int, default=6, help="writer processes (groups of kernels)")
    parser.add_argument("--participants", type=int, default=40, help="participants per writer process")
    args = parser.parse_args()

    catalogue = current_catalogue()
    context = multiprocessing.get_context("fork")  # the catalogue is inherited, as built once
    with tempfile.TemporaryDirectory(prefix="room-stress-") as folder:
        path = Path(folder) / "rooms.sqlite"
        with RoomStore(path, catalogue) as store:
            code = store.open_room().code
        # Every process opens the file itself; no connection crosses a fork.
        start = context.Barrier(args.writers + 2)
        stop = context.Event()
        writer_reports, reader_reports = context.Queue(), context.Queue()
        writers = [
            context.Process(
                target=write,
                args=(path, catalogue, code, n, args.writers, args.participants, args, start, writer_reports),
            )
            for n in range(args.writers)
        ]
        reader = context.Process(target=read, args=(path, catalogue, code, stop, start, reader_reports))
        for process in [*writers, reader]:
            process.start()
        start.wait()
        began = time.perf_counter()
        reports: list[WriterReport] = [writer_reports.get() for _ in writers]
        elapsed = time.perf_counter() - began
        stop.set()
        reads: list[float] = reader_reports.get()
        for process in [*writers, reader]:
            process.join()

        with RoomStore(path, catalogue) as store:
            counts = store.counts(code)
            joined = store.participants(code)
            size = file_size(path)
            store.end(code)
            size_after_end = file_size(path)
            store.close_all_and_delete()

    answerers = sum((report.answerers for report in reports), Counter())
    options = sum((report.options for report in reports), Counter())
    stored_answerers = Counter({key: each.answerers for key, each in counts.items()})
    stored_options = Counter({(key, value): n for key, each in counts.items() for value, n in each.options.items()})
    lost = sum(((answerers - stored_answerers) + (options - stored_options)).values())
    double = sum(((stored_answerers - answerers) + (stored_options - options)).values())
    outcomes = sum((report.outcomes for report in reports), Counter())
    reasons = sum((report.reasons for report in reports), Counter())
    latencies = [latency for report in reports for latency in report.latencies]
    attempted = sum(report.attempted for report in reports)

    def ms(seconds: float) -> str:
        return f"{1000 * seconds:.2f} ms"

    rows = [
        ("writer processes × participants", f"{args.writers} × {args.participants} ({joined} joined)"),
        ("target", f"{args.rate:g} answers/s for {args.seconds:g} s"),
        ("writes attempted", f"{attempted} ({attempted / elapsed:.0f}/s achieved over {elapsed:.1f} s)"),
        ("counted (first answers)", str(outcomes[Outcome.COUNTED.value])),
        ("already answered (turned away)", str(outcomes[Outcome.ALREADY_ANSWERED.value])),
        ("refused", str(outcomes[Outcome.REFUSED.value]) + "".join(f"; {n}× {r}" for r, n in reasons.items())),
        ("lost counts", str(lost)),
        ("double counts", str(double)),
        (
            "write latency p50 / p95 / max",
            f"{ms(percentile(latencies, 0.5))} / {ms(percentile(latencies, 0.95))} / {ms(max(latencies))}",
        ),
        ("worst lag behind schedule", ms(max(report.worst_lag for report in reports))),
        (
            "facilitator read p50 / p95",
            f"{ms(percentile(reads, 0.5))} / {ms(percentile(reads, 0.95))} ({len(reads)} reads)",
        ),
        ("store file (database + WAL)", f"{size / 1024:.0f} KiB for {sum(stored_answerers.values())} answers"),
        ("store file after End room", f"{size_after_end / 1024:.0f} KiB"),
    ]
    print("### Room store stress (one room, SQLite WAL)\n")
    print("| measure | value |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")
    if lost or double:
        print(f"\nCOUNTS DIFFER: {lost} lost, {double} double", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
