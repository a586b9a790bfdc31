"""``make app``: what a participant could try from the page's console or a script, and what they get.

The page's own kernel takes only Voilà's message types, so code sent from the console never runs; the server has
no kernels, contents or terminals API; and the facilitator's key, wherever it appears in a request, appears in
no log line (the server runs at debug level here, so kernel messages and widget traffic are logged too).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import REPO, PageRecorder, VoilaServer, _free_port, give_back_kernel, wait_until_up
from .kernel_probe import CODE, expected_console_error, marker_path, send_forbidden_messages
from .test_app_in_chromium import open_app

KEY = "planned-key-for-the-log-test-0123456789"


def fetch(url: str, method: str = "GET", headers: dict[str, str] | None = None) -> tuple[int, str, str]:
    """Status, final address and body, following redirects as a browser would."""
    request = urllib.request.Request(url, method=method, headers=headers or {}, data=b"" if method != "GET" else None)
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, response.url, response.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, error.url, error.read().decode(errors="replace")


def test_the_probes_code_would_write_its_marker(tmp_path: Path) -> None:
    """The control: the code the probe sends does write the marker when something runs it."""
    marker = marker_path(tmp_path)
    subprocess.run([sys.executable, "-c", CODE.format(marker=str(marker))], check=True)
    assert marker.read_text() == "code ran"


def test_code_sent_from_the_page_never_runs_on_its_kernel(
    page: Any, recorder: PageRecorder, voila_server: VoilaServer, tmp_path: Path
) -> None:
    open_app(page, voila_server, "?module=01-rights")
    marker = marker_path(tmp_path)
    result = send_forbidden_messages(page, marker)
    deadline = time.monotonic() + 10
    while expected_console_error(result) not in recorder.console_errors and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    recorder.console_errors.remove(expected_console_error(result))  # the kernel refused the unknown comm
    assert "kernel_info_reply" in result["replies"] and "execute_reply" not in result["replies"]
    assert not marker.exists(), "code sent from the page ran on the participant's kernel"
    log = voila_server.log()
    assert 'Received message of type "execute_request", which is not allowed. Ignoring.' in log
    assert 'Received message of type "input_reply", which is not allowed. Ignoring.' in log


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("POST", "api/kernels", 403),
        ("PUT", "api/contents/pwned.txt", 403),
        ("POST", "api/sessions", 403),
        ("POST", "api/terminals", 403),
        ("GET", "api/kernels", 403),
        ("GET", "api/contents/", 403),
        ("GET", "api/sessions", 403),
        ("GET", "api/terminals", 403),
        ("GET", "tree", 403),
        ("GET", "files/Makefile", 403),
        ("GET", "voila/files/Makefile", 403),
        ("GET", "notebooks/01_your_rights_in_therapy.ipynb", 403),
    ],
)
def test_the_app_has_no_kernels_contents_or_terminals_api(
    voila_server: VoilaServer, method: str, path: str, status: int
) -> None:
    got, url, _ = fetch(voila_server.url + path, method)
    assert got == status, url
    if method == "GET":  # Voilà sends any other address to its file handler, which serves only allow-listed assets
        assert url.startswith(voila_server.url + "voila/files/")
    assert not (REPO / "pwned.txt").exists()


@pytest.fixture(scope="module")
def debug_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VoilaServer]:
    """The app's own server, as ``make app`` runs it, with a chosen key and its own log at debug level."""
    folder = tmp_path_factory.mktemp("debug-voila")
    port = _free_port()
    log_path = folder / "voila.log"
    environ = {**os.environ, "FACILITATOR_KEY": KEY, "JUPYTER_PATH": str(REPO / "share" / "jupyter")}
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "therapy_workshop.shell.serve",
                "notebooks/app.ipynb",
                "--Voila.ip=127.0.0.1",
                f"--port={port}",
                "--Voila.log_level=DEBUG",
            ],
            cwd=REPO,
            env=environ,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = VoilaServer(process, f"http://127.0.0.1:{port}/", log_path)
    page = wait_until_up(server)
    give_back_kernel(server, page)
    yield server
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=15)


def test_the_key_appears_in_no_log_line_wherever_a_request_carries_it(page: Any, debug_server: VoilaServer) -> None:
    url = debug_server.url
    open_app(page, debug_server, f"?view=facilitator&key={KEY}&module=01-rights")  # the facilitator's link
    assert "key=" not in page.url
    referrer = {"Referer": f"{url}?view=facilitator&key={KEY}"}
    fetch(f"{url}room/results.json?key={KEY}")  # the export's link form
    fetch(f"{url}room/results.csv", headers={"Authorization": f"Bearer {KEY}"})  # the export as a script asks
    fetch(f"{url}room/anything?key=wrong-{KEY}")  # refused, with the key in the address
    fetch(f"{url}missing?key={KEY}", headers=referrer)  # refused, with the key in the referrer too
    fetch(f"{url}voila/api/shutdown/not-a-kernel?key={KEY}", "POST", referrer)
    deadline = time.monotonic() + 10
    while "/voila/api/shutdown/not-a-kernel" not in debug_server.log() and time.monotonic() < deadline:
        time.sleep(0.1)  # the log is written as the requests are answered: wait until the last of them is in
    log = debug_server.log()
    # The lines that quote a key-bearing address (redirects and refusals are logged at info and warning; a 200 for
    # the header form is a debug line of tornado's access log, which does not quote a key anyway).
    for path in ("/room/results.json", "/room/anything", "/missing", "/voila/api/shutdown/"):
        assert path in log, f"no log line for {path}: the test would prove nothing"
    # Only the facilitator's link, printed once on the terminal at start, names it.
    assert [line for line in log.splitlines() if KEY in line] == [f"Facilitator view: {url}?view=facilitator&key={KEY}"]
