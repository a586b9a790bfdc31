"""A room arriving at a workshop hub: N temporary users through ``make hub`` at once (``make bench-hub``).

Starts ``make hub`` on a free port (as the hub tests do), then N participants open ``/hub/tmplogin`` at the same
moment, as a room does when the facilitator shows the address: one in Chromium (what a person sees: the page
interactive, then a quiz answer checked), the others as browserless clients (:mod:`hub_client`: the hub's
login, the spawn, the page, the kernel and its widgets), because N Chromium pages on the hub's own two cores
would measure Chromium. For each: failures and the time from ``/hub/tmplogin`` to the app's widgets; then all of
them moving to the next module together. Then the memory of each participant's single-user server and its
kernel (RSS and PSS: PSS shares libraries fairly between processes), and of the hub's own processes (JupyterHub,
proxy, room service, idle culler). Prints one table and writes it to
``benchmarks/results/hub-latest.md``. Nothing here is a test: the numbers are reported, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil
from playwright.async_api import Browser, async_playwright

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "benchmarks"))

from hub_client import HubVisitor  # noqa: E402
from report import report, spread  # noqa: E402
from room_client import timed  # noqa: E402

from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.browser.hub import RunningHub, start_hub  # noqa: E402

READY = ".tw-module-title"
MiB = 2**20


async def arrive_in_chromium(browser: Browser, hub: RunningHub) -> dict[str, Any]:
    """The one participant in a real browser: /hub/tmplogin to an interactive app, then one answer checked."""
    context = await browser.new_context(viewport={"width": 1200, "height": 900})
    page = await context.new_page()
    outcome: dict[str, Any] = {"context": context, "errors": []}
    page.on("console", lambda message: outcome["errors"].append(message.text) if message.type == "error" else None)
    start = time.perf_counter()
    try:
        await page.goto(hub.url + "/hub/tmplogin", timeout=300_000)
        await page.wait_for_selector(READY, timeout=300_000)
        outcome["interactive"] = time.perf_counter() - start
        await page.get_by_role("navigation", name="Contents").get_by_role("link", name="Your rights in therapy").click()
        await page.wait_for_selector('.tw-module-title[data-module="01-rights"]', timeout=60_000)
        await page.locator(".tw-quiz input").first.check()
        clicked = time.perf_counter()
        await page.locator(".tw-quiz").get_by_role("button", name="Check").click()
        await page.locator(".tw-quiz .tw-feedback").wait_for(timeout=60_000)
        outcome["feedback"] = time.perf_counter() - clicked
    except Exception as error:  # a failure is what this counts, whatever its kind
        outcome["failure"] = f"Chromium: {type(error).__name__}: {str(error).splitlines()[0]}"
    return outcome


async def arrive_without_browser(hub: RunningHub) -> dict[str, Any]:
    """One participant's requests: login, spawn, page, kernel, widgets (see :mod:`hub_client`)."""
    visitor = HubVisitor(hub.url)
    outcome: dict[str, Any] = {"visitor": visitor}
    start = time.perf_counter()
    try:
        await visitor.arrive()
        await visitor.arrive_at("")
        outcome["interactive"] = time.perf_counter() - start
    except Exception as error:
        outcome["failure"] = f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
    return outcome


def cpu_seconds(server: psutil.Process) -> float:
    """User and system CPU a participant's server and its kernels have used since they started."""
    total = 0.0
    for process in [server, *server.children(recursive=True)]:
        try:
            times = process.cpu_times()
            total += times.user + times.system
        except psutil.NoSuchProcess:
            continue
    return total


def memory(process: psutil.Process) -> tuple[float, float]:
    """RSS and PSS of one process, in MiB (0 if it is gone)."""
    try:
        info = process.memory_full_info()
        return info.rss / MiB, getattr(info, "pss", info.rss) / MiB
    except psutil.NoSuchProcess:
        return 0.0, 0.0


async def run(users: int) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory(prefix="bench-hub-") as folder:
        started = time.perf_counter()
        hub = start_hub(Path(folder), {"CULL_SERVERS_AFTER": "3600", "CULL_AFTER": "600"})
        took = time.perf_counter() - started
        rows.append(("`make hub` to running (content check, hub, proxy, services)", f"{took:.1f} s"))
        try:
            async with async_playwright() as playwright:
                browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS))
                wave = time.perf_counter()
                arrivals = [arrive_without_browser(hub) for _ in range(users - 1)]
                outcomes = await asyncio.gather(arrive_in_chromium(browser, hub), *arrivals)
                everyone = time.perf_counter() - wave
                chromium, others = outcomes[0], outcomes[1:]
                failures = [outcome["failure"] for outcome in outcomes if "failure" in outcome]
                rows.append((f"{users} temporary users arriving at once: failures", str(len(failures))))
                times = [outcome["interactive"] for outcome in others if "interactive" in outcome]
                if times:
                    rows.append(("/hub/tmplogin to the app's widgets, p50 / p95 / max", f"{spread(times, digits=1)} s"))
                if "interactive" in chromium:
                    rows.append(
                        (
                            "the one Chromium participant: /hub/tmplogin to interactive",
                            f"{chromium['interactive']:.1f} s",
                        )
                    )
                if "feedback" in chromium:
                    rows.append(
                        ("the Chromium participant's first click to feedback", f"{chromium['feedback'] * 1000:.0f} ms")
                    )
                rows.append(("the whole room in", f"{everyone:.1f} s"))
                rows.append(("console errors in the Chromium page", str(len(chromium["errors"]))))
                visitors = [outcome["visitor"] for outcome in others if "interactive" in outcome]
                moves = await asyncio.gather(*(timed(visitor.go("01-rights")) for visitor in visitors))
                moved = [value for value in moves if value is not None]
                if moved:
                    rows.append(
                        (
                            f"{len(visitors)} moving to the next module together, p50 / p95 / max",
                            f"{spread(moved, 1000, 0)} ms",
                        )
                    )
                rows.append(("failed module moves", str(len(moves) - len(moved))))
                servers = hub.user_servers()
                per_user: list[tuple[float, float]] = []
                for server in servers.values():
                    parts = [memory(server), *(memory(kernel) for kernel in hub.kernels_of(server))]
                    per_user.append((sum(rss for rss, _ in parts), sum(pss for _, pss in parts)))
                if per_user:
                    rss = [value for value, _ in per_user]
                    pss = [value for _, value in per_user]
                    rows.append(
                        (
                            "memory per participant (server + kernel), RSS median / max",
                            f"{statistics.median(rss):.0f} / {max(rss):.0f} MiB",
                        )
                    )
                    median_pss = statistics.median(pss)
                    rows.append(("memory per participant (server + kernel), PSS median", f"{median_pss:.0f} MiB"))
                    server_rss = statistics.median(memory(server)[0] for server in servers.values())
                    rows.append(("of which the single-user server alone, RSS median", f"{server_rss:.0f} MiB"))
                    cpu = statistics.median(cpu_seconds(server) for server in servers.values())
                    rows.append(("CPU per participant so far (server + kernel), median", f"{cpu:.1f} s"))
                participant_pids = {server.pid for server in servers.values()} | {
                    kernel.pid for server in servers.values() for kernel in hub.kernels_of(server)
                }
                own = [p for p in hub.processes() if p.pid not in participant_pids and p.pid != hub.make.pid]
                hub_rss = sum(memory(process)[0] for process in own)
                rows.append(("the hub's own processes (hub, proxy, room, culler), RSS", f"{hub_rss:.0f} MiB"))
                for failure in sorted(set(failures))[:5]:
                    rows.append(("a failure", failure))
                await chromium["context"].close()
                await browser.close()
        finally:
            stopping = time.perf_counter()
            left = hub.stop(timeout=60)
            took = time.perf_counter() - stopping
            rows.append(("stopping the hub: seconds, processes left", f"{took:.1f} s, {len(left)}"))
            hub.kill()
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20, help="temporary users arriving at once")
    arguments = parser.parse_args()
    started = time.monotonic()
    rows = asyncio.run(run(arguments.users))
    report(rows, f"python benchmarks/bench_hub.py --users {arguments.users}", started, "hub-latest.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
