"""Measure the workshop app on this machine and print one table (``make bench``).

What it measures, side by side in one run (so the ratios survive a noisy machine):
- time from navigation to an interactive page: the app with a preheated pool, the app without one, and a
  static HTML page of the same start content served locally (the floor);
- the same under Chromium's network emulation (local network, venue wifi, a slow phone network), cold cache:
  the static page's text, then the app's module text visible and its first usable widget, as separate rows;
- switching module inside the app versus loading that module's notebook as its own Voilà page;
- click-to-feedback latency (p50, p95) for a quiz check and a scenario choice;
- bytes for the first page, with and without compression, and on a second visit (browser cache);
- memory per participant kernel (RSS, PSS) and of the server, and a kernel's memory over a long session of
  random learner actions;
- a reload that restores the learner's place against a fresh load;
- a room: N participants opening the app at once, then moving to the next module together, and memory and
  kernel count after they leave; then N participants in a workshop room answering one question at once, timed
  until the facilitator's panel shows them all, and the room store alone at 300 answers a second.

Nothing here is a test: the numbers are reported, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import psutil
from playwright.async_api import Browser, Page, async_playwright
from report import percentile, report, spread
from room_client import Participant, timed

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO))  # for tests.browser.chromium: the browser tests and this launch Chromium alike
READY = ".tw-module-title"
#: The module's title as the learner first sees it: the page preview's (before the widgets) or the app's.
TEXT = ":is(.tw-module-title, .tw-preview-title) >> visible=true"
#: The facilitator's key of the servers the bench starts (a fresh one each run).
BENCH_KEY = secrets.token_urlsafe(32)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_http(url: str, timeout: float = 60) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


@contextmanager
def voila(target: str, *extra: str, kernels_ready: int = 0) -> Iterator[tuple[str, psutil.Process]]:
    """A Voilà server with the project's voila.json plus ``extra`` options, once ``kernels_ready`` run."""
    port = free_port()
    log_path = REPO / "benchmarks" / "results" / f"voila-{port}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, JUPYTER_PATH=str(REPO / "share" / "jupyter"), FACILITATOR_KEY=BENCH_KEY)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    process = subprocess.Popen(
        [sys.executable, "-m", "therapy_workshop.shell.serve", target, f"--port={port}", *extra],
        cwd=REPO,
        env=env,
        stdout=log_path.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_http(url + "voila/static/voila.js")  # a static file: asking for the page would take a pool kernel
        server = psutil.Process(process.pid)
        settle(server, kernels_ready)
        yield url, server
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)


def cpu_seconds(processes: list[psutil.Process]) -> float:
    total = 0.0
    for process in processes:
        with suppress(psutil.NoSuchProcess):
            times = process.cpu_times()
            total += times.user + times.system
    return total


def settle(server: psutil.Process, kernels_expected: int, timeout: float = 300) -> None:
    """Wait until ``kernels_expected`` kernels run and the server and kernels have gone quiet.

    Voilà logs "pool is filled" as soon as each kernel has *started*; the kernels then still run the app
    notebook. A facilitator who starts the app a minute early gets idle kernels, so that is what we measure.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(kernels(server)) >= kernels_expected:
            processes = [server, *kernels(server)]
            before = cpu_seconds(processes)
            time.sleep(2)
            if cpu_seconds(processes) - before < 0.1:  # under 5% of one core
                return
        else:
            time.sleep(0.5)
    raise RuntimeError(f"the server did not settle with {kernels_expected} kernels within {timeout:.0f} s")


@contextmanager
def static_server(folder: Path) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_http(f"http://127.0.0.1:{port}/index.html")
        yield f"http://127.0.0.1:{port}/index.html"
    finally:
        process.terminate()
        process.wait()


def static_start_page(folder: Path) -> None:
    """The start page's content as one static HTML file: the floor for 'time to interactive'."""
    from therapy_workshop.html.markdown import markdown_div, render_markdown
    from therapy_workshop.html.safe import join
    from therapy_workshop.model.notebook_source import read_cells
    from therapy_workshop.shell.frame import style_html, title_block_html
    from therapy_workshop.validate.loader import load_workshop

    workshop = load_workshop(REPO)
    cells = read_cells(REPO / "notebooks" / workshop.modules[0].notebook)
    body = join(render_markdown(cell.source) for cell in cells if cell.cell_type == "markdown")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "index.html").write_text(
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">{style_html()}</head><body><div class="tw-app">'
        f"{title_block_html(workshop, workshop.modules[0].id)}{markdown_div(body)}</div></body></html>",
        encoding="utf-8",
    )


def kernels(server: psutil.Process) -> list[psutil.Process]:
    found = []
    for child in server.children(recursive=True):
        try:
            if "ipykernel_launcher" in " ".join(child.cmdline()):
                found.append(child)
        except psutil.NoSuchProcess:
            continue
    return found


async def time_to_ready(browser: Browser, url: str, selector: str = READY) -> float:
    context = await browser.new_context()
    page = await context.new_page()
    start = time.perf_counter()
    await page.goto(url)
    await page.wait_for_selector(selector, timeout=60_000)
    elapsed = time.perf_counter() - start
    await page.goto("about:blank")
    await context.close()
    return elapsed


#: Chromium's network emulation (DevTools ``Network.emulateNetworkConditions``) for the profiles of issue 17:
#: round-trip latency added to every request, and throughput in bytes a second.
NETWORK_PROFILES = {
    "local network": None,
    "venue wifi (100 ms, 10 Mbit/s)": {"latency": 100, "downloadThroughput": 10e6 / 8, "uploadThroughput": 10e6 / 8},
    "slow phone network (150 ms, 4 Mbit/s)": {
        "latency": 150,
        "downloadThroughput": 4e6 / 8,
        "uploadThroughput": 4e6 / 8,
    },
}
#: The first widget a learner can use: a visible, enabled button whose view ipywidgets has rendered.
USABLE = ".tw-app button.jupyter-button:not([disabled]):visible"


#: Milliseconds from navigation to the first paint of the module's heading (``elementtiming="module-title"``).
PAINTED_JS = """() => new Promise((done) => {
  new PerformanceObserver((list, observer) => {
    const times = list.getEntries().filter((entry) => entry.identifier === 'module-title')
      .map((entry) => entry.renderTime || entry.loadTime);
    if (times.length) { observer.disconnect(); done(Math.min(...times)); }
  }).observe({ type: 'element', buffered: true });
})"""


async def under_profile(
    browser: Browser, url: str, profile: dict[str, float] | None, widgets: bool
) -> tuple[float, float]:
    """Seconds from navigation to the module's title being visible, and to the first usable widget, cold cache.

    A new context each time, so nothing is cached. For a static page both are the same moment.
    """
    context = await browser.new_context()
    page = await context.new_page()
    if profile is not None:
        session = await context.new_cdp_session(page)
        await session.send("Network.enable")
        await session.send("Network.emulateNetworkConditions", {"offline": False, **profile})
    start = time.perf_counter()
    await page.goto(url, wait_until="commit")
    await page.wait_for_selector(TEXT, timeout=120_000)
    # When the heading was painted, as the page's own Element Timing records it: Playwright's check above runs
    # on the page's main thread, which Voilà's scripts keep busy right after the first paint.
    text = float(await page.evaluate(PAINTED_JS)) / 1000
    if widgets:
        await page.wait_for_selector(USABLE, state="visible", timeout=120_000)
    usable = time.perf_counter() - start
    await page.goto("about:blank")
    await context.close()
    return text, usable


async def network_profiles(browser: Browser, app_url: str, static_url: str, repeat: int) -> list[tuple[str, str]]:
    """The app beside the static page of the same text under each profile: text visible, then usable."""
    rows: list[tuple[str, str]] = []
    for name, profile in NETWORK_PROFILES.items():
        static = [(await under_profile(browser, static_url, profile, widgets=False))[0] for _ in range(repeat)]
        app_text: list[float] = []
        app_usable: list[float] = []
        for _ in range(repeat):
            text, usable = await under_profile(browser, app_url, profile, widgets=True)
            app_text.append(text)
            app_usable.append(usable)
            await asyncio.sleep(2.5)  # the pool refills before the next cold visit
        floor = statistics.median(static)
        rows.append((f"{name}: static page of the same text, text visible", f"{floor:.2f} s"))
        rows.append(
            (
                f"{name}: app, module text visible",
                f"{statistics.median(app_text):.2f} s ({statistics.median(app_text) / floor:.1f}× the static page)",
            )
        )
        rows.append((f"{name}: app, first usable widget", f"{statistics.median(app_usable):.2f} s"))
    return rows


async def in_page_ms(page: Page, script: str) -> float:
    return float(await page.evaluate(script))


# Each script waits in the page until what the learner would see has appeared, then reports milliseconds.
UNTIL = (
    "const until = (test) => new Promise((done, fail) => { const end = performance.now() + 30000;"
    " const look = () => test() ? done() : performance.now() > end ? fail(new Error('timed out'))"
    " : requestAnimationFrame(look); look(); });"
)

SWITCH_JS = """async (target) => { UNTIL_HERE
  const start = performance.now();
  document.querySelector(`.tw-menu a[href="?module=${target}"]`).click();
  await until(() => document.querySelector(`.tw-module-title[data-module="${target}"]`));
  return performance.now() - start;
}""".replace("UNTIL_HERE", UNTIL)

CHECK_JS = """async () => { UNTIL_HERE
  const quiz = document.querySelector('.tw-quiz');
  const visibleCheck = () => [...quiz.querySelectorAll('button')]
    .find((b) => b.textContent === 'Check' && b.offsetParent);
  await until(visibleCheck);  // after Try again, the button reappears a moment after the feedback goes
  const button = visibleCheck();
  const start = performance.now();
  button.click();
  await until(() => quiz.querySelector('.tw-feedback'));
  return performance.now() - start;
}""".replace("UNTIL_HERE", UNTIL)

CHOICE_JS = """async () => { UNTIL_HERE
  const story = document.querySelector('.tw-scenario');
  await until(() => story.querySelector('.tw-scenario-choices button'));
  const button = story.querySelector('.tw-scenario-choices button');
  const start = performance.now();
  button.click();
  await until(() => story.querySelector('.tw-live .tw-feedback'));
  return performance.now() - start;
}""".replace("UNTIL_HERE", UNTIL)


async def latencies(browser: Browser, url: str, repeat: int) -> dict[str, list[float]]:
    context = await browser.new_context()
    page = await context.new_page()
    await page.goto(url + "?module=01-rights")
    await page.wait_for_selector('.tw-module-title[data-module="01-rights"]')
    await page.wait_for_selector(".tw-quiz .tw-choices input")
    checks, choices, switches = [], [], []
    for _ in range(repeat):
        await page.locator(".tw-quiz .tw-choices input").first.check()
        checks.append(await in_page_ms(page, CHECK_JS))
        await page.locator(".tw-quiz").get_by_role("button", name="Try again").click()
        await page.wait_for_selector(".tw-quiz .tw-feedback", state="detached")
    for _ in range(max(3, repeat // 4)):
        switches.append(float(await page.evaluate(SWITCH_JS, "03-ending")))
        switches.append(float(await page.evaluate(SWITCH_JS, "01-rights")))
    await page.evaluate(SWITCH_JS, "03-ending")
    story = page.locator(".tw-scenario").first
    await story.locator(".tw-scenario-choices button").first.wait_for()
    for _ in range(repeat):
        choices.append(await in_page_ms(page, CHOICE_JS))
        await story.get_by_role("button", name="Back").click()
        await story.locator(".tw-scenario-choices button").first.wait_for()
    await page.goto("about:blank")
    await context.close()
    return {"check": checks, "choice": choices, "switch": switches}


RESTORED = ".tw-quiz .tw-feedback"  # the place put back: question 1 checked, its feedback shown again
QUIZ_READY = ".tw-quiz .tw-choices input"


async def restored_reloads(browser: Browser, url: str, repeat: int) -> dict[str, list[float]]:
    """Reloads of module 01 in one browser: with nothing stored, and with a place there (a checked question).

    Both are reloads of the same page with the browser's cache warm, so the difference is what putting the
    place back costs; both are timed to the quiz being usable, the restored one also to its feedback. Kernels
    come from the pool of 2, given 2.5 s to refill between loads, as in the other page timings.
    """
    context = await browser.new_context()
    page = await context.new_page()
    await page.goto(url + "?module=01-rights")
    await page.locator(QUIZ_READY).first.wait_for()
    fresh = []
    for _ in range(repeat):
        await page.evaluate("window.localStorage.clear()")
        await asyncio.sleep(2.5)
        start = time.perf_counter()
        await page.reload()
        await page.wait_for_selector(QUIZ_READY, timeout=60_000)
        fresh.append(time.perf_counter() - start)
    await page.locator(QUIZ_READY).first.check()
    await page.locator(".tw-quiz").get_by_role("button", name="Check").click()
    await page.wait_for_selector(RESTORED)
    await page.wait_for_function("(localStorage.getItem('your-rights-in-therapy/progress') || '').includes('checked')")
    restored = []
    for _ in range(repeat):
        await asyncio.sleep(2.5)
        start = time.perf_counter()
        await page.reload()
        await page.wait_for_selector(QUIZ_READY, timeout=60_000)
        await page.wait_for_selector(RESTORED, timeout=60_000)
        restored.append(time.perf_counter() - start)
    await page.goto("about:blank")
    await context.close()
    return {"fresh": fresh, "restored": restored}


async def long_session(url: str, server: psutil.Process, modules: list[str], actions: int) -> dict[str, Any]:
    """One protocol-level learner doing ``actions`` random things across every module; kernel memory as it goes.

    A learner in a workshop does something every few seconds, so 360 actions stand for about 30 minutes.
    """
    rng = random.Random(14)
    person = Participant(url)
    await person.open()
    kernel = next(each for each in kernels(server) if person.kernel_id in " ".join(each.cmdline()))
    mib = 1024 * 1024
    rss = [kernel.memory_info().rss / mib]
    models = [len(person.states)]
    failures = 0
    per_module = max(1, actions // (3 * len(modules)))
    for _third in range(3):
        for module in modules:
            await person.go(module)
            failures += await person.play(per_module, rng)
        rss.append(kernel.memory_info().rss / mib)
        models.append(len(person.states))
    await person.leave()
    return {"rss": rss, "models": models, "failures": failures, "actions": per_module * 3 * len(modules)}


async def room_answers(browser: Browser, url: str, server: psutil.Process, key: str, size: int) -> dict[str, float]:
    """``size`` participants in a room answer the same question at once; when does the facilitator see them all?

    The facilitator is a Chromium page (the panel as they see it); participants are protocol clients that join
    with ``?room=CODE`` and press Check together. Timed from the moment the answers are sent until the panel
    says all of them answered. Taking the room's kernels refills the pool a minute later; the answers wait for
    that refill to finish (thirty kernels starting on two cores would otherwise be what is measured).
    """
    context = await browser.new_context()
    page = await context.new_page()
    await page.goto(url + f"?view=facilitator&key={key}&module=01-rights")
    await page.get_by_role("button", name="Start room results").click()
    heading = page.locator(".tw-room-summary h3")
    await heading.wait_for()
    code = (await heading.inner_text()).split()[-1]
    people = [Participant(url) for _ in range(size)]
    await asyncio.gather(*(person.open() for person in people))
    await asyncio.gather(*(person.arrive_at(f"?room={code}&module=01-rights") for person in people))
    checks = []
    for person in people:
        group = person.find(lambda state: bool(state.get("option_html")) and not state.get("multiple"))[0]
        await person.update(group, {"selected": [0]})
        checks.append(person.find(lambda state: state.get("description") == "Check")[0])
    await asyncio.to_thread(settle, server, 2 * size + 1)  # the refilled pool, the room, the facilitator
    start = time.perf_counter()
    await asyncio.gather(*(person.click(check) for person, check in zip(people, checks, strict=True)))
    sent = time.perf_counter()
    await page.locator(".tw-room-results").get_by_text(f"{size} answered").first.wait_for(timeout=30_000)
    seen = time.perf_counter()
    await page.get_by_role("button", name="End room").click()
    await page.get_by_role("button", name=f"Yes, end room {code} and delete its results").click()
    await page.goto("about:blank")
    await context.close()
    await asyncio.gather(*(person.leave() for person in people))
    return {"answered": sent - start, "seen": seen - start}


def store_stress() -> list[tuple[str, str]]:
    """The room store alone at 300 answers a second for 30 s (``room_store_stress.py``): its table's rows."""
    output = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "room_store_stress.py"), "--rate", "300", "--seconds", "30"],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    ).stdout
    rows = []
    for line in output.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 2 and cells[0] not in ("measure", "") and not set(cells[0]) <= {"-"}:
            rows.append((f"Room store at 300 answers/s for 30 s: {cells[0]}", cells[1]))
    return rows


async def server_switches(url: str, server: psutil.Process, modules: list[str], repeat: int) -> dict[str, list[float]]:
    """Each module's first visit in a fresh session, at the protocol level: round trip and kernel busy time."""
    trips, busy = [], []
    for _ in range(repeat):
        person = Participant(url)
        await person.open()
        for module in modules:
            start = time.perf_counter()
            busy.append(await person.go(module))
            trips.append(time.perf_counter() - start)
        await person.leave()
        await asyncio.to_thread(settle, server, 2)  # the pool refills before the next session
    return {"trip": trips, "busy": busy}


async def page_bytes(browser: Browser, url: str) -> tuple[int, int, int, int]:
    """Requests, bytes over the wire on a first visit, what gzip would make of them, and a cached second visit.

    Voilà 0.5 applies ``tornado_settings`` after building its application, so ``compress_response`` has no
    effect; the gzip figure is computed from the bodies to show what a compressing proxy would save.
    """
    context = await browser.new_context()
    page = await context.new_page()
    bodies: list[bytes] = []

    async def keep(response: Any) -> None:
        with suppress(Exception):  # redirects and aborted requests have no body
            bodies.append(await response.body())

    page.on("response", lambda response: asyncio.ensure_future(keep(response)))
    client = await context.new_cdp_session(page)
    await client.send("Network.enable")
    counts = {"wire": 0, "requests": 0}

    def finished(event: dict[str, Any]) -> None:
        counts["wire"] += int(event.get("encodedDataLength", 0))
        counts["requests"] += 1

    client.on("Network.loadingFinished", finished)
    await page.goto(url)
    await page.wait_for_selector(READY)
    await page.wait_for_timeout(500)
    first_wire, requests = counts["wire"], counts["requests"]
    gzipped = sum(len(gzip.compress(body, 6)) for body in bodies)
    counts["wire"] = 0
    await page.reload()
    await page.wait_for_selector(READY)
    await page.wait_for_timeout(500)
    second_wire = counts["wire"]
    await page.goto("about:blank")
    await context.close()
    return requests, first_wire, gzipped, second_wire


async def room(browser: Browser, url: str, size: int) -> dict[str, Any]:
    """``size`` people open the app at the same moment, then all move to the next module together.

    ``size - 1`` of them are protocol clients (``room_client.py``: the page's requests and kernel messages,
    no rendering), because thirty Chromium pages on the server's own two cores would measure Chromium. One is a
    real Chromium page: its time to interactive is what a participant in that room sees.
    """
    people = [Participant(url) for _ in range(size - 1)]
    context = await browser.new_context()
    page = await context.new_page()

    async def browser_open() -> None:
        await page.goto(url, timeout=120_000)
        await page.wait_for_selector(READY, timeout=120_000)

    async def browser_switch() -> None:
        await page.evaluate(SWITCH_JS, "01-rights")

    opened = await asyncio.gather(timed(browser_open()), *(timed(person.open()) for person in people))
    present = [person for person, seconds in zip(people, opened[1:], strict=True) if seconds is not None]
    switched = await asyncio.gather(timed(browser_switch()), *(timed(person.go("01-rights")) for person in present))
    await page.goto("about:blank")  # the page's unload beacon frees its kernel
    await context.close()
    await asyncio.gather(*(person.leave() for person in people))
    good_open = [value for value in opened if value is not None]
    good_switch = [value for value in switched if value is not None]
    return {
        "open": good_open,
        "switch": good_switch,
        "browser_open": opened[0],
        "browser_switch": switched[0],
        "failures": (size - len(good_open)) + (len(good_open) - len(good_switch)),
    }


def memory(server: psutil.Process) -> dict[str, float]:
    mib = 1024 * 1024
    infos = []
    for kernel in kernels(server):
        try:
            infos.append(kernel.memory_full_info())
        except psutil.NoSuchProcess:
            continue
    return {
        "kernel_rss": statistics.median(info.rss for info in infos) / mib if infos else float("nan"),
        "kernel_pss": statistics.median(getattr(info, "pss", info.rss) for info in infos) / mib
        if infos
        else float("nan"),
        "server_rss": server.memory_info().rss / mib,
        "kernels": len(infos),
    }


class Rows(list[tuple[str, str]]):
    """Results, each printed as soon as it is measured (a long run shows progress)."""

    def append(self, row: tuple[str, str]) -> None:
        print(f"{row[0]}: {row[1]}", flush=True)
        super().append(row)


PARTS = ("profiles", "app", "room", "store")


async def run(room_size: int, repeat: int, parts: tuple[str, ...] = PARTS) -> list[tuple[str, str]]:
    from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS
    from therapy_workshop.validate.loader import load_workshop

    rows = Rows()
    module_ids = [module.id for module in load_workshop(REPO).modules]
    scratch = REPO / "benchmarks" / "results"
    static_start_page(scratch / "static")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS))
        with static_server(scratch / "static") as static_url:
            floor = [await time_to_ready(browser, static_url) for _ in range(repeat)]
            rows.append(("Static HTML of the start page (floor), time to content", f"{statistics.median(floor):.2f} s"))
            if "profiles" in parts:
                with voila("notebooks/app.ipynb", kernels_ready=2) as (url, _server):
                    for row in await network_profiles(browser, url, static_url, repeat):
                        rows.append(row)
        if "app" in parts:
            await single_visitor(browser, rows, floor, module_ids, repeat)
        if "room" in parts:
            await room_rows(browser, rows, room_size)
        await browser.close()
    if "store" in parts:
        for row in store_stress():
            rows.append(row)
    return rows


async def single_visitor(
    browser: Browser, rows: list[tuple[str, str]], floor: list[float], module_ids: list[str], repeat: int
) -> None:
    """One participant at a time: time to interactive, switches, clicks, reloads, memory, bytes."""
    with voila("notebooks/app.ipynb", kernels_ready=2) as (url, server):
        pooled = []
        for _ in range(repeat):
            pooled.append(await time_to_ready(browser, url))
            await asyncio.sleep(2.5)  # the pool refills one second after a kernel is taken
        rows.append(
            (
                "App, preheated pool of 2: navigation to interactive",
                f"{statistics.median(pooled):.2f} s "
                f"({statistics.median(pooled) / statistics.median(floor):.1f}× the floor)",
            )
        )
        measured = await latencies(browser, url, repeat * 4)
        rows.append(
            (
                "Switch module inside the app (in the page), p50 / p95",
                f"{statistics.median(measured['switch']):.0f} / {percentile(measured['switch'], 0.95):.0f} ms",
            )
        )
        first_visits = await server_switches(url, server, module_ids[1:], repeat)
        rows.append(
            (
                "Switch module, server side, first visit: round trip p50 / p95 / max",
                f"{spread(first_visits['trip'], 1000, 0)} ms",
            )
        )
        rows.append(
            (
                "Switch module, first visit: kernel busy p50 / p95 / max",
                f"{spread(first_visits['busy'], 1000, 0)} ms",
            )
        )
        rows.append(
            (
                "Click to feedback, quiz Check, p50 / p95",
                f"{statistics.median(measured['check']):.0f} / {percentile(measured['check'], 0.95):.0f} ms",
            )
        )
        rows.append(
            (
                "Click to feedback, scenario choice, p50 / p95",
                f"{statistics.median(measured['choice']):.0f} / {percentile(measured['choice'], 0.95):.0f} ms",
            )
        )
        reloads = await restored_reloads(browser, url, repeat)
        fresh, restored = statistics.median(reloads["fresh"]), statistics.median(reloads["restored"])
        rows.append(
            (
                "Reload of module 01 to a usable quiz: nothing stored / restoring a checked question",
                f"{fresh:.2f} / {restored:.2f} s ({restored / fresh:.2f}×)",
            )
        )
        session = await long_session(url, server, module_ids, 1080)
        rows.append(
            (
                f"Long session, {session['actions']} random actions (~{session['actions'] // 12} min): kernel RSS "
                "at start and after each third",
                " / ".join(f"{value:.0f}" for value in session["rss"]) + f" MiB ({session['failures']} errors)",
            )
        )
        rows.append(
            (
                "Long session: widget models the page holds, at start and after each third",
                " / ".join(str(value) for value in session["models"]),
            )
        )
        await asyncio.to_thread(settle, server, 2)
        requests, wire, gzipped, cached = await page_bytes(browser, url)
        rows.append(
            (
                "First page: requests, bytes over the wire (gzip on, as make app serves it)",
                f"{requests}, {wire / 1e6:.2f} MB",
            )
        )
        rows.append(("First page if a proxy gzips it (computed from the same bodies)", f"{gzipped / 1e6:.2f} MB"))
        rows.append(("Second visit with the browser cache", f"{cached / 1e6:.2f} MB"))
        context = await browser.new_context()
        page = await context.new_page()
        await page.goto(url)
        await page.wait_for_selector(READY)
        for module in ("01-rights", "02-conduct", "03-ending"):
            await page.evaluate(SWITCH_JS, module)
        await asyncio.sleep(1)
        used = memory(server)
        rows.append(
            (
                "Participant kernel after visiting 4 modules: RSS / PSS (median of kernels)",
                f"{used['kernel_rss']:.0f} / {used['kernel_pss']:.0f} MiB",
            )
        )
        rows.append(("Server process RSS", f"{used['server_rss']:.0f} MiB"))
        await page.goto("about:blank")
        await context.close()
    with voila("notebooks/app.ipynb", "--VoilaConfiguration.preheat_kernel=False") as (url, server):
        cold = [await time_to_ready(browser, url) for _ in range(repeat)]
        rows.append(("App without a pool: navigation to interactive", f"{statistics.median(cold):.2f} s"))
    with voila("notebooks/", "--VoilaConfiguration.preheat_kernel=False") as (url, server):
        stock = [
            await time_to_ready(browser, url + "voila/render/01_your_rights_in_therapy.ipynb") for _ in range(repeat)
        ]
        rows.append(("Stock way: open module 01 as its own Voilà page", f"{statistics.median(stock):.2f} s"))


async def room_rows(browser: Browser, rows: list[tuple[str, str]], room_size: int) -> None:
    """A room arriving at once, moving together, leaving, and answering one question together."""
    # The facilitator's knob, as `make app ROOM=N` passes it (pool of N, refill a minute later).
    with voila("notebooks/app.ipynb", f"--room={room_size}", kernels_ready=room_size) as (url, server):
        pool_kernels = kernels(server)  # the room takes exactly these: the pool refills a minute later
        idle_kernels = len(pool_kernels)
        idle_rss = server.memory_info().rss / (1024 * 1024)
        result = await room(browser, url, room_size)
        rows.append(
            (
                f"Room of {room_size} at once (pool {room_size}): page and widgets received, p50 / p95 / max",
                f"{spread(result['open'])} s",
            )
        )
        rows.append(
            (
                f"Room of {room_size}: the one Chromium participant, navigation to interactive",
                "failed" if result["browser_open"] is None else f"{result['browser_open']:.2f} s",
            )
        )
        rows.append(
            (
                f"Room of {room_size}: all move to the next module together, p50 / p95 / max",
                f"{spread(result['switch'], 1000, 0)} ms",
            )
        )
        rows.append((f"Room of {room_size}: failures", str(result["failures"])))
        left = time.monotonic()
        while any(kernel.is_running() for kernel in pool_kernels) and time.monotonic() - left < 120:
            await asyncio.sleep(0.5)  # the unload beacons shut the room's kernels down
        still_running = sum(kernel.is_running() for kernel in pool_kernels)
        freed = time.monotonic() - left
        settle(server, idle_kernels)
        after = memory(server)
        rows.append(
            (
                "Seconds until the room's kernels were freed (still running after 120 s)",
                f"{freed:.1f} s ({still_running})",
            )
        )
        rows.append(
            (
                "Kernels: idle before / after the room left",
                f"{idle_kernels} / {after['kernels']} (server RSS {idle_rss:.0f} → {after['server_rss']:.0f} MiB)",
            )
        )
        answers = await room_answers(browser, url, server, BENCH_KEY, room_size)
        rows.append(
            (
                f"Room of {room_size} answer one question at once: all sent / the facilitator sees all {room_size}",
                f"{answers['answered']:.2f} / {answers['seen']:.2f} s",
            )
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--room", type=int, default=30, help="participants opening the app at once")
    parser.add_argument("--repeat", type=int, default=5, help="repetitions of each single measurement")
    parser.add_argument(
        "--only",
        default=",".join(PARTS),
        help=f"comma-separated parts to measure (default: all of {', '.join(PARTS)}); the static floor always",
    )
    arguments = parser.parse_args()
    parts = tuple(part.strip() for part in arguments.only.split(",") if part.strip())
    unknown = sorted(set(parts) - set(PARTS))
    if unknown:
        parser.error(f"--only: no part named {', '.join(unknown)} (parts: {', '.join(PARTS)})")
    started = time.monotonic()
    rows = asyncio.run(run(arguments.room, arguments.repeat, parts))
    command = f"python benchmarks/bench.py --room {arguments.room} --repeat {arguments.repeat}"
    if parts != PARTS:
        command += f" --only {','.join(parts)}"
    report(rows, command, started, "latest.md" if parts == PARTS else "partial.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
