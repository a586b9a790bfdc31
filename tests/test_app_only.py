"""A hub's or Binder's server serves the app and nothing else: a real Jupyter server with the hub's settings.

The server here is what a participant's server is on a hub, minus JupyterHub's login: ``jupyter server`` with
``binder-config`` (Voilà as an extension, our extension, Voilà's message types) under ``/user/sam/``, signed in
with a token instead of the hub's cookie. Everything a signed-in participant could ask of it beyond the app is
asked, and each answer is the refusal; the app's own addresses still answer. ``tests/browser`` then does the
same through ``make hub`` with a hub cookie and a real page.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from therapy_workshop.shell.app_only import APP_PATH, REFUSED, AppOnlyMatcher
from therapy_workshop.shell.page_bundle import BUNDLE_PATH

REPO = Path(__file__).resolve().parents[1]
TOKEN = "participant-token-0123456789"
KERNEL = "0b6e4a52-8f0e-4d8b-9b7a-3c9f8e1d2a44"


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("GET", "/user/sam/", True),
        ("GET", f"/user/sam/{APP_PATH}", True),
        ("GET", "/user/sam/voila/static/voila.js", True),
        ("GET", f"/user/sam/{BUNDLE_PATH}", True),
        ("GET", f"/user/sam/api/kernels/{KERNEL}", True),
        ("GET", f"/user/sam/api/kernels/{KERNEL}/channels", True),
        ("POST", f"/user/sam/voila/api/shutdown/{KERNEL}", True),
        ("GET", "/user/sam/api", True),
        ("POST", "/user/sam/api/kernels", False),
        ("GET", "/user/sam/api/kernels", False),
        ("DELETE", f"/user/sam/api/kernels/{KERNEL}", False),
        ("POST", f"/user/sam/api/kernels/{KERNEL}/restart", False),
        ("POST", f"/user/sam/api/kernels/{KERNEL}/interrupt", False),
        ("GET", "/user/sam/api/contents/", False),
        ("PUT", "/user/sam/api/contents/pwned.txt", False),
        ("GET", "/user/sam/api/sessions", False),
        ("GET", "/user/sam/api/terminals", False),
        ("GET", "/user/sam/api/kernelspecs", False),
        ("GET", "/user/sam/api/me", False),
        ("GET", "/user/sam/files/Makefile", False),
        ("GET", "/user/sam/voila/tree", False),
        ("GET", "/user/sam/voila/render/notebooks/01_your_rights_in_therapy.ipynb", False),
        ("GET", "/user/sam/voila/render/notebooks/app.ipynb/../../Makefile", False),
        ("GET", f"/user/sam/api/kernels/{KERNEL}x/channels", False),
        ("GET", f"/user/ana/{APP_PATH}", False),  # another prefix is not this server's
        ("POST", f"/user/sam/{APP_PATH}", False),
    ],
)
def test_only_the_apps_own_addresses_pass(method: str, path: str, allowed: bool) -> None:
    assert AppOnlyMatcher("/user/sam/").allows(method, path) is allowed


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def ask(self, method: str, path: str, body: bytes | None = None, signed_in: bool = True) -> tuple[int, str]:
        headers = {"Authorization": f"token {TOKEN}"} if signed_in else {}
        if body is not None:
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(self.url + path, data=body, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read().decode(errors="replace")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def start_server(folder: Path, *extra: str) -> tuple[subprocess.Popen[bytes], Path, int]:
    """``jupyter server`` as a hub's or Binder's server runs: binder-config, our template, the repository."""
    from therapy_workshop.hub.config import free_port

    port = free_port()
    log_path = folder / "server.log"
    environ = {
        **os.environ,
        "JUPYTER_CONFIG_PATH": str(REPO / "binder-config"),
        "JUPYTER_PATH": str(REPO / "share" / "jupyter"),
        "JUPYTER_RUNTIME_DIR": str(folder),
    }
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "jupyter_server",
                f"--port={port}",
                "--ip=127.0.0.1",
                "--no-browser",
                "--ServerApp.base_url=/user/sam/",
                f"--ServerApp.root_dir={REPO}",
                f"--IdentityProvider.token={TOKEN}",
                *(["--allow-root"] if os.geteuid() == 0 else []),
                *extra,
            ],
            cwd=REPO,
            env=environ,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    return process, log_path, port


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("server")
    process, log_path, port = start_server(folder)
    running = Server(f"http://127.0.0.1:{port}/user/sam/", process, log_path)
    deadline = time.monotonic() + 60
    while "is running at" not in running.log():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"jupyter server did not start:\n{running.log()}")
        time.sleep(0.2)
    yield running
    process.terminate()
    process.wait(timeout=20)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "api/kernels", b"{}"),
        ("GET", "api/kernels", None),
        ("GET", "api/contents/", None),
        ("PUT", "api/contents/pwned.txt", b'{"type": "file", "format": "text", "content": "x"}'),
        ("GET", "api/sessions", None),
        ("POST", "api/sessions", b'{"path": "x.ipynb", "type": "notebook", "kernel": {"name": "python3"}}'),
        ("GET", "api/terminals", None),
        ("POST", "api/terminals", b"{}"),
        ("GET", "api/kernelspecs", None),
        ("GET", "api/config/notebook", None),
        ("GET", "api/me", None),
        ("GET", "files/Makefile", None),
        ("GET", "voila/tree", None),
        ("GET", "voila/render/notebooks/01_your_rights_in_therapy.ipynb", None),
        ("GET", "voila/files/Makefile", None),
        ("GET", "lab", None),
        ("GET", "tree", None),
    ],
)
def test_a_signed_in_participant_gets_the_refusal_for_everything_but_the_app(
    server: Server, method: str, path: str, body: bytes | None
) -> None:
    assert server.ask(method, path, body) == (403, REFUSED + "\n")
    assert not (REPO / "pwned.txt").exists()


def test_the_app_and_its_scripts_are_served_to_a_signed_in_participant(server: Server) -> None:
    status, page = server.ask("GET", APP_PATH)
    assert status == 200
    kernel = re.search(r'"kernelId": "([0-9a-f-]+)"', page)
    assert kernel is not None
    assert server.ask("GET", f"api/kernels/{kernel[1]}")[0] == 200  # the page reads its own kernel's model
    assert json.loads(server.ask("GET", "api")[1]).keys() == {"version"}  # what JupyterHub reads
    assert server.ask("GET", BUNDLE_PATH)[0] == 200
    assert server.ask("GET", BUNDLE_PATH, signed_in=False)[0] == 403  # the bundle is behind the login too


def test_the_server_refuses_to_start_if_a_page_could_run_code(tmp_path: Path) -> None:
    process, log_path, _ = start_server(
        tmp_path, '--MappingKernelManager.allowed_message_types=["comm_msg", "execute_request"]'
    )
    try:
        code = process.wait(timeout=60)
    finally:
        process.kill()
    assert code != 0
    assert (
        "Refusing to start: The kernel manager allows execute_request, beyond Voilà's list, so a page could do more "
        "than drive widgets. Allow only: comm_open, comm_close, comm_msg, comm_info_request, kernel_info_request, "
        "shutdown_request."
    ) in log_path.read_text()
