"""Participant kernels stay bounded: pages that vanish, visitors that never connect, and pages that stay.

Each test starts a server of its own through ``make app`` with windows of seconds instead of minutes
(``CULL_AFTER``, ``CONNECT_WITHIN``) and a small cap (``MAX_KERNELS``), so what takes ten minutes in a workshop
takes ten seconds here. Kernels are counted as processes, as the facilitator's machine sees them; the pool
(Voilà's preheated kernels, never connected by design) is what a server holds when nobody is there.

Counts are sampled every 0.1 s on a thread of their own (:class:`KernelSampler`) through each test, so a bound is
checked at every moment, not only at the end, and "nothing was freed yet" is watched over the whole window.
"""

from __future__ import annotations

import contextlib
import itertools
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import psutil
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from therapy_workshop.validate.loader import load_workshop

from .conftest import ARTIFACTS, REPO, VoilaServer, start_app, stop_app
from .conftest import _free_port as free_port

UI = load_workshop(REPO).ui
APP_TITLE = "<title>Your Rights in Therapy</title>"
FULL_TITLE = f"<h1>{UI.workshop_full}</h1>"
START = '.tw-module-title[data-module="00-start"]'

Serve = Callable[[Mapping[str, object]], VoilaServer]
#: The longest a sampler may leave the count unseen (it samples every 0.1 s; two busy cores may starve it): a
#: longer gap fails the test. Shorter than any kernel lives here (a page's kernel that never connects stays at
#: least ``CONNECT_WITHIN``, 3 s), so no kernel can come and go between two samples.
MAX_GAP = 2.0


class KernelSampler:
    """The server's kernel count, sampled every ``every`` seconds on a thread of its own while in ``with``."""

    def __init__(self, server: VoilaServer, every: float = 0.1) -> None:
        self.server, self.every = server, every
        self.samples: list[tuple[float, int]] = []  # (time.monotonic(), kernel count)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._error: BaseException | None = None

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                self.samples.append((time.monotonic(), self.server.kernel_count()))
                self._stop.wait(self.every)
        except BaseException as error:  # handed to the test on exit: a dead sampler must not look like calm
            self._error = error

    def __enter__(self) -> KernelSampler:
        self._thread.start()
        while not self.samples and self._thread.is_alive():
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(10)
        if self._error is not None:
            raise self._error

    def between(self, start: float, end: float) -> list[int]:
        """The counts sampled from ``start`` to ``end`` (monotonic times); fails if any part went unseen."""
        assert self._error is None, f"the sampler stopped: {self._error!r}"
        inside = [(when, count) for when, count in list(self.samples) if start <= when <= end]
        times = [start, *(when for when, _count in inside), end]
        gap = max(later - earlier for earlier, later in itertools.pairwise(times))
        assert gap <= MAX_GAP, f"the kernel count went unseen for {gap:.1f} s (samples every {self.every} s)"
        return [count for _when, count in inside]

    def hold(self, expected: int, seconds: float, why: str) -> None:
        """Watch for ``seconds``: fail at the first sample that is not ``expected``, with ``why`` it should be."""
        start = time.monotonic()
        end = start + seconds
        while time.monotonic() < end:
            time.sleep(self.every)
            wrong = [count for count in self.between(start, time.monotonic()) if count != expected]
            assert wrong == [], f"{wrong[0]} kernels {time.monotonic() - start:.1f} s in, not {expected}: {why}"
        self.between(start, end)  # the whole window was seen


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Serve]:
    """Start servers of this test's own; they are stopped after the test's pages have closed.

    Ask for it before ``page``: fixtures are torn down in reverse, so the page leaves while its server still runs.
    """
    servers: list[VoilaServer] = []

    def start(settings: Mapping[str, object]) -> VoilaServer:
        server = start_app(free_port(), tmp_path / f"voila-{len(servers)}.log", settings)
        servers.append(server)
        return server

    yield start
    for server in servers:
        stop_app(server)


def kernel_rss(server: VoilaServer) -> int:
    """Resident memory of all the server's kernels together, in bytes."""
    total = 0
    for process in server.kernel_processes():
        with contextlib.suppress(psutil.NoSuchProcess):  # exited between listing and measuring
            total += process.memory_info().rss
    return total


def server_rss(server: VoilaServer) -> int:
    """Resident memory of the Voilà server process itself (not its kernels), in bytes."""
    (voila,) = [
        process
        for process in psutil.Process(server.process.pid).children()
        if "therapy_workshop.shell.serve" in " ".join(process.cmdline())
    ]
    return int(voila.memory_info().rss)


def wait_for_count(server: VoilaServer, expected: int, timeout: float) -> float:
    """Seconds until the server runs ``expected`` kernels; fails after ``timeout`` with the last count."""
    start = time.monotonic()
    count = server.wait_for_kernels(expected, timeout=timeout)
    assert count == expected, f"{count} kernels after {timeout} s, expected {expected}"
    return time.monotonic() - start


def kill_renderers() -> int:
    """Kill every Chromium renderer process this test run has, as a phone's system kills a background tab.

    No beforeunload, no pagehide, no request: the page is simply gone and its websockets close. (CDP's
    ``Page.crash`` would do the same, but Playwright then waits forever for an answer the dead page never sends.)
    Call it only while the pages to kill are the only ones open.
    """
    killed = 0
    for process in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.NoSuchProcess):  # a process that ended while we looked
            if "--type=renderer" in process.cmdline():
                process.kill()
                killed += 1
    return killed


def test_pages_closed_without_unload_free_their_kernels_within_the_culling_window(chromium: Any, serve: Serve) -> None:
    cull_after = 6
    server = serve({"CULL_AFTER": cull_after, "MAX_KERNELS": 40})
    pool = server.settled_kernel_count()
    rss_before, server_before = kernel_rss(server), server_rss(server)
    context = chromium.new_context(viewport={"width": 800, "height": 600})
    crashed_pages: list[Any] = []
    try:
        with KernelSampler(server) as sampler:
            pages = [context.new_page() for _ in range(30)]
            started = time.monotonic()
            # One after another: thirty pages loading at once on two cores take minutes, not seconds.
            for page in pages:
                page.on("crash", lambda crashed: crashed_pages.append(crashed))
                with page.expect_websocket(lambda socket: "/channels" in socket.url) as kernel_socket:
                    page.goto(server.url, wait_until="commit")
                kernel_socket.value.wait_for_event("framereceived")  # connected: the kernel has answered the page
            loaded = time.monotonic() - started
            assert server.settled_kernel_count(quiet=1.0) == pool + 30
            assert kill_renderers() >= 1
            crashed = time.monotonic()
            # Within the window and one check (0.6 s here), plus the time thirty kernels take to stop together.
            wait_for_count(server, pool, timeout=cull_after + 10)
            freed = time.monotonic() - crashed
            context.cookies()  # a round trip to the browser, so its "crash" events have arrived
            assert len(crashed_pages) == 30
            # No page said goodbye, so every kernel stayed, at every sample, until the window had (nearly) passed; the
            # half second allows for the server seeing a socket close a moment before ``crashed`` was taken.
            early = sampler.between(crashed, crashed + cull_after - 0.5)
            assert set(early) == {pool + 30}, f"kernels were freed before the culling window had passed: {early}"
    finally:
        context.close()
    assert cull_after <= freed
    assert server.settled_kernel_count(quiet=1.0) == pool
    rss_after = kernel_rss(server)
    print(f"30 pages loaded in {loaded:.1f} s; their kernels were freed {freed:.1f} s after the crash; kernel RSS "
          f"{rss_before / 2**20:.0f} → {rss_after / 2**20:.0f} MiB; server RSS {server_before / 2**20:.0f} → "
          f"{server_rss(server) / 2**20:.0f} MiB")  # fmt: skip
    # The pool's kernels are new ones by now and may differ by a few MB (10 more each if the content snapshot went
    # stale meanwhile); one kernel left behind would add 50 MB or more.
    assert rss_after <= rss_before + pool * 15 * 2**20, f"kernel memory {rss_before} → {rss_after} bytes"
    assert server.log().count("its page has had no connection") == 30


def fetch(url: str) -> tuple[int, str, str]:
    """GET ``url`` as a script or a link-preview bot does: status, Retry-After and body, or the error."""
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status, response.headers.get("Retry-After", ""), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Retry-After", ""), error.read().decode()
    except Exception as error:  # a hang, a reset, anything that is not an answer
        return 0, "", repr(error)


def test_a_burst_of_plain_requests_never_passes_the_cap_and_leaves_no_kernel_behind(serve: Serve, page: Any) -> None:
    cap, connect_within = 4, 3
    server = serve({"MAX_KERNELS": cap, "CONNECT_WITHIN": connect_within, "CULL_AFTER": 10})
    pool = server.settled_kernel_count()
    with KernelSampler(server) as sampler:
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=20) as workers:
            answers = list(workers.map(fetch, [server.url + "?module=01-rights"] * 200))
        burst = time.monotonic() - started
        settled = wait_for_count(server, pool, timeout=connect_within + 15)
        # Sampled through the burst and until the pool alone was left (every 0.1 s, no gap over MAX_GAP).
        counts = sampler.between(started, time.monotonic())

    odd = [(status, body[:200]) for status, _, body in answers if status not in (200, 503)]
    assert odd == []
    app_pages = [body for status, _, body in answers if status == 200]
    full_pages = [(retry, body) for status, retry, body in answers if status == 503]
    assert all(APP_TITLE in body for body in app_pages)
    assert all(retry == "60" and FULL_TITLE in body for retry, body in full_pages)
    assert cap <= len(app_pages) < 200
    assert max(counts) <= cap + pool, f"{max(counts)} kernels ran at once; the cap is {cap} and the pool {pool}"
    assert "The workshop is full: 4 participant kernels are running (MAX_KERNELS=4)" in server.log()
    assert "503 GET" not in server.log()  # said once above, not once per visitor
    print(
        f"200 requests in {burst:.1f} s: {len(app_pages)} app pages, {len(full_pages)} full pages; at most "
        f"{max(counts)} kernels; back to the pool of {pool} {settled:.1f} s after the burst"
    )

    # A real visitor afterwards gets the app as usual.
    with KernelSampler(server) as sampler:
        visited = time.monotonic()
        page.goto(server.url)
        page.wait_for_selector(START)
        expect(page.locator(".tw-app")).to_be_visible()
        assert max(sampler.between(visited, time.monotonic())) <= cap + pool


def test_a_connected_idle_page_keeps_its_kernel_past_the_culling_window_and_its_place(
    serve: Serve, page: Any, chromium: Any
) -> None:
    cull_after = 3
    server = serve({"MAX_KERNELS": 1, "CULL_AFTER": cull_after})
    pool = server.settled_kernel_count()
    started = len(server.log())  # what start_app's own check made the server say is not this test's
    page.goto(server.url)
    page.wait_for_selector(START)
    assert server.settled_kernel_count(quiet=1.0) == pool + 1
    with KernelSampler(server) as sampler:
        watched = time.monotonic()

        # The one place is taken: the next visitor gets the "full" page, which takes no kernel.
        visitor = chromium.new_context()
        try:
            full = visitor.new_page()
            response = full.goto(server.url + "?module=03-ending")
            assert response is not None and response.status == 503
            assert response.headers["retry-after"] == "60"
            expect(full.get_by_role("heading", level=1)).to_have_text(UI.workshop_full)
            expect(full.get_by_text(UI.workshop_full_detail)).to_be_visible()
            expect(full.get_by_role("link", name=UI.try_again_now)).to_have_attribute("href", "/?module=03-ending")
            violations = Axe().run(full).response["violations"]
            ARTIFACTS.mkdir(exist_ok=True)
            full.screenshot(path=str(ARTIFACTS / "workshop-full.png"))
        finally:
            visitor.close()
        assert [violation["id"] for violation in violations] == []
        assert set(sampler.between(watched, time.monotonic())) == {pool + 1}, "the full page took a kernel"
        # Idle and connected for well past the culling window (checked every 0.6 s by the server): the kernel stays.
        sampler.hold(pool + 1, cull_after + 3, "the idle page's kernel was shut down")
        page.get_by_role("link", name="Next: Your rights in therapy").click()
        page.wait_for_selector('.tw-module-title[data-module="01-rights"]')
        assert set(sampler.between(watched, time.monotonic())) == {pool + 1}
    log = server.log()[started:]
    assert "Shutting down kernel" not in log
    assert log.count("The workshop is full: 1 participant kernel is running (MAX_KERNELS=1)") == 1
