"""A live Voilà server serving the app, and Debian's Chromium driven by Playwright.

One server per test session (starting Voilà costs ~1.5 s); one fresh browser page per test. In CI (``$CI`` set,
as ``.ci/run`` does) the browser tests must run: a browser test that skips, for whatever reason, fails the run
there (see :func:`pytest_runtest_makereport`); only outside CI may they skip, each with its reason.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Generator, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import pytest

from ..conftest import _skip_reason, in_ci
from .chromium import CHROMIUM, CHROMIUM_ARGS

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
#: A chunk fetched on its own, not through the page bundle: Voilà's (not its entry script) or an extension's (not
#: its entry point).
CHUNK = re.compile(r"/voila/(static/(?!voila\.js)[^/?]+\.js|labextensions/.+/(?!remoteEntry\.)[^/?]+\.js)(\?|$)")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """In CI, a browser test that skips (in setup or in the test) is reported as failed, with its skip reason.

    Outside CI a skip stays a skip, so a machine without Chromium can still run everything else. Expected
    failures (``xfail``) are not skips and are left alone.
    """
    report = yield
    if report.skipped and not hasattr(report, "wasxfail") and item.get_closest_marker("browser") and in_ci():
        reason = _skip_reason(report)
        report.outcome = "failed"
        report.longrepr = f"browser tests must run in CI (CI={os.environ['CI']!r}), but this one skipped: {reason}"
    return report


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(
    collector: pytest.Collector,
) -> Generator[None, pytest.CollectReport, pytest.CollectReport]:
    """In CI, a browser test module that skips while being collected (``importorskip``, a module-level skip)
    fails too: otherwise its tests would vanish from the run without a trace.

    As a hook of this conftest it sees only collectors in this folder, all of them browser tests.
    """
    report = yield
    if report.skipped and in_ci():
        reason = _skip_reason(report)
        report.outcome = "failed"
        report.longrepr = f"browser tests must run in CI, but {collector.nodeid} skipped while collecting: {reason}"
    return report


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class VoilaServer:
    """A running ``voila notebooks/app.ipynb`` with the project's voila.json."""

    process: subprocess.Popen[bytes]
    url: str
    log_path: Path

    def kernel_processes(self) -> list[psutil.Process]:
        """The kernels this server has running (preheated pool included)."""
        children = psutil.Process(self.process.pid).children(recursive=True)
        return [child for child in children if "ipykernel_launcher" in " ".join(_cmdline(child))]

    def kernel_count(self) -> int:
        """How many kernels this server has running (preheated pool included)."""
        return len(self.kernel_processes())

    def wait_for_kernels(self, expected: int, timeout: float = 20.0) -> int:
        """Poll until ``expected`` kernels run (or time out); return the last count seen."""
        deadline = time.monotonic() + timeout
        count = self.kernel_count()
        while count != expected and time.monotonic() < deadline:
            time.sleep(0.25)
            count = self.kernel_count()
        return count

    def settled_kernel_count(self, quiet: float = 2.0, timeout: float = 30.0) -> int:
        """Kernel count once it has not changed for ``quiet`` seconds (pool refilled, shutdowns done)."""
        deadline = time.monotonic() + timeout
        count = self.kernel_count()
        stable_since = time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(0.25)
            now = self.kernel_count()
            if now != count:
                count, stable_since = now, time.monotonic()
            elif time.monotonic() - stable_since >= quiet:
                break
        return count

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def _cmdline(process: psutil.Process) -> list[str]:
    try:
        return process.cmdline()
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return []


def start_app(port: int, log_path: Path, settings: Mapping[str, object] | None = None) -> VoilaServer:
    """Start ``make app`` on ``port`` and wait until it serves the page and its kernel pool has settled.

    ``settings`` are extra make variables, e.g. ``{"CULL_AFTER": 10, "MAX_KERNELS": 4}``. The page fetched to see
    that the app is up gives its kernel back, as a closing tab does, so the server starts with its pool alone: a
    kernel left behind would be shut down ``CONNECT_WITHIN`` seconds later, in the middle of a test.
    """
    variables = [f"{name}={value}" for name, value in (settings or {}).items()]
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            ["make", "--no-print-directory", "app", f"PORT={port}", *variables],
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # so the whole group (make and voila) can be stopped together
        )
    server = VoilaServer(process, f"http://127.0.0.1:{port}/", log_path)
    page = wait_until_up(server)
    if not give_back_kernel(server, page):
        stop_app(server)
        pytest.fail("the app's page names no kernel (no kernelId in its jupyter-config-data)")
    # Wait until that kernel has gone and the pool has refilled (the kernel count has stopped changing) before
    # tests count kernels.
    server.settled_kernel_count()
    return server


def wait_until_up(server: VoilaServer, timeout: float = 60.0) -> str:
    """The app's page once the server serves it; fails the test with the server's log if it never does."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(server.url, timeout=5) as response:
                if response.status == 200:
                    return str(response.read().decode())
        except OSError:
            pass
        if server.process.poll() is not None or time.monotonic() > deadline:
            os.killpg(server.process.pid, signal.SIGKILL)
            pytest.fail(f"Voilà did not start:\n{server.log()}")
        time.sleep(0.3)


@contextlib.contextmanager
def module_notebooks_served(jupyter_path: Path) -> Iterator[str]:
    """Stock Voilà serving ``notebooks/`` with the workshop template found on ``jupyter_path``, as Binder or a hub's
    user can open a module notebook on its own; yields its address once it answers, and stops it afterwards."""
    port = _free_port()
    command = [sys.executable, "-m", "voila", "notebooks/", f"--port={port}", "--no-browser"]
    command += ["--VoilaConfiguration.template=workshop", "--VoilaConfiguration.preheat_kernel=False"]
    environment = dict(os.environ, JUPYTER_PATH=str(jupyter_path))
    server = subprocess.Popen(
        command, cwd=REPO, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
                break
            except OSError:
                time.sleep(0.3)
        yield f"http://127.0.0.1:{port}/"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=15)


def give_back_kernel(server: VoilaServer, page: str) -> bool:
    """Shut down the kernel a plain GET of the app took (as the page would on leaving); False if it names none.

    A request that never connects would otherwise hold its kernel for CONNECT_WITHIN, and its going later would
    shift the counts of a test that counts kernels meanwhile.
    """
    kernel = re.search(r'"kernelId": "([0-9a-f-]+)"', page)
    if kernel is None:
        return False
    shutdown = urllib.request.Request(f"{server.url}voila/api/shutdown/{kernel[1]}", data=b"", method="POST")
    with urllib.request.urlopen(shutdown, timeout=10):
        pass
    return True


def stop_app(server: VoilaServer) -> None:
    """Stop the server and its kernels (SIGTERM makes Voilà shut its kernels down)."""
    os.killpg(server.process.pid, signal.SIGTERM)
    try:
        server.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.process.pid, signal.SIGKILL)


@pytest.fixture(scope="session")
def voila_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VoilaServer]:
    """The app as a newcomer starts it: ``make app``, on a free port so a running app is left alone."""
    server = start_app(_free_port(), tmp_path_factory.mktemp("voila") / "voila.log")
    yield server
    stop_app(server)


@dataclass
class PageRecorder:
    """What a page did that a test may want to assert: console messages, errors and requests."""

    console_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        reason = f"no Chromium at {CHROMIUM} (install Debian's: apt-get install chromium)"
        if in_ci():
            pytest.fail(f"browser tests must run in CI, but there is {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS))
        yield browser
        browser.close()


@pytest.fixture
def recorder() -> PageRecorder:
    return PageRecorder()


@pytest.fixture
def page(chromium: object, recorder: PageRecorder, request: pytest.FixtureRequest) -> Iterator[object]:
    context = chromium.new_context(viewport={"width": 1200, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.on("console", lambda message: message.type == "error" and recorder.console_errors.append(message.text))
    page.on("pageerror", lambda error: recorder.console_errors.append(str(error)))
    page.on("request", lambda req: recorder.requests.append(req.url))
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
        page.goto("about:blank")  # fires the unload beacon so the server frees this page's kernel
    except Exception:
        pass
    context.close()
    assert recorder.console_errors == [], "the page logged errors"
