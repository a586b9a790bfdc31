"""A real JupyterHub started the way a facilitator starts it (``make hub``), for the hub tests and ``make bench-hub``.

``make hub`` runs JupyterHub from the venv with our configuration (``deploy/jupyterhub_config.py``): the npm
proxy in front, temporary accounts, the room as a hub service, the idle culler. :func:`start_hub` gives it free
ports and a folder of its own, waits until it says it is running, and reads the facilitator's link it printed;
:meth:`RunningHub.stop` stops it the way Ctrl+C would (SIGINT to JupyterHub itself) and reports every process of
it that is still alive afterwards, so a test can assert that none is.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from therapy_workshop.hub.config import free_port

REPO = Path(__file__).resolve().parents[2]
#: What `make hub` installs with npm on first use.
PROXY = REPO / "deploy" / "proxy" / "node_modules" / ".bin" / "configurable-http-proxy"
RUNNING = "JupyterHub is now running"
FACILITATOR_LINK = re.compile(r"Facilitator view: (http://\S+/hub/facilitate\?key=[A-Za-z0-9_-]+)")


@dataclass
class RunningHub:
    """A hub started by :func:`start_hub`: where it is, its log, its processes."""

    url: str
    folder: Path
    log_path: Path
    make: subprocess.Popen[bytes]
    facilitator_link: str = ""
    seen: set[int] = field(default_factory=set)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def hub_process(self) -> psutil.Process:
        """JupyterHub itself (make's child)."""
        for child in psutil.Process(self.make.pid).children(recursive=True):
            if "jupyterhub" in " ".join(child.cmdline()) and "--config=deploy/jupyterhub_config.py" in child.cmdline():
                return child
        raise AssertionError("make hub is running but JupyterHub is not among its processes")

    def processes(self) -> list[psutil.Process]:
        """Every process of the hub now: make, JupyterHub, the proxy, services, single-user servers, kernels."""
        try:
            root = psutil.Process(self.make.pid)
            found = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            found = []
        self.seen.update(process.pid for process in found)
        return found

    def user_servers(self) -> dict[str, psutil.Process]:
        """Single-user servers by hub user name (from ``JUPYTERHUB_USER`` in their environment)."""
        servers: dict[str, psutil.Process] = {}
        for process in self.processes():
            try:
                if "jupyterhub-singleuser" in " ".join(process.cmdline()):
                    servers[process.environ().get("JUPYTERHUB_USER", "?")] = process
            except psutil.NoSuchProcess:
                continue
        return servers

    def kernels_of(self, server: psutil.Process) -> list[psutil.Process]:
        try:
            return [each for each in server.children(recursive=True) if "ipykernel" in " ".join(each.cmdline())]
        except psutil.NoSuchProcess:
            return []

    def stop(self, timeout: float = 30.0) -> list[str]:
        """Stop JupyterHub as Ctrl+C does; the command lines of its processes still alive after ``timeout``."""
        self.processes()
        with contextlib.suppress(AssertionError, psutil.NoSuchProcess):
            self.hub_process().send_signal(signal.SIGINT)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.make.wait(timeout)
        deadline = time.monotonic() + 5
        left = self._alive()
        while left and time.monotonic() < deadline:
            time.sleep(0.2)
            left = self._alive()
        return [" ".join(process.cmdline()) for process in left]

    def kill(self) -> None:
        """Whatever is left, gone (teardown after a failed test)."""
        for pid in self.seen | {process.pid for process in self.processes()}:
            try:
                psutil.Process(pid).kill()
            except psutil.NoSuchProcess:
                continue

    def _alive(self) -> list[psutil.Process]:
        alive = []
        for pid in self.seen:
            try:
                process = psutil.Process(pid)
                if process.status() != psutil.STATUS_ZOMBIE:
                    process.cmdline()
                    alive.append(process)
            except psutil.NoSuchProcess:
                continue
        return alive


def start_hub(folder: Path, settings: Mapping[str, str] | None = None, timeout: float = 120.0) -> RunningHub:
    """``make hub`` on a free port with its files in ``folder``; returns once it is running.

    ``url`` is the hub's address with its ``HUB_BASE_URL`` path, if ``settings`` give one, and no final ``/``.
    """
    port = free_port()
    log_path = folder / "hub.log"
    environ = {
        **os.environ,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "HUB_DIR": str(folder / "hub"),
        **(settings or {}),
    }
    with log_path.open("wb") as log:
        make = subprocess.Popen(
            ["make", "--no-print-directory", "hub"],
            cwd=REPO,
            env=environ,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = environ.get("HUB_BASE_URL", "/").rstrip("/")
    hub = RunningHub(url=f"http://127.0.0.1:{port}{base}", folder=folder, log_path=log_path, make=make)
    deadline = time.monotonic() + timeout
    while RUNNING not in hub.log():
        if make.poll() is not None or time.monotonic() > deadline:
            hub.kill()
            raise AssertionError(f"make hub did not start (exit {make.returncode}):\n{hub.log()[-3000:]}")
        time.sleep(0.2)
    links = FACILITATOR_LINK.findall(hub.log())
    assert len(links) == 1, "make hub should print the facilitator's link exactly once"
    hub.facilitator_link = links[0]
    hub.processes()
    return hub
