"""A facilitator key chosen in advance never reaches a participant's kernel, and the server guards its message list.

jupyter_client copies the server's environment into every kernel it starts, so ``FACILITATOR_KEY`` left in the
environment would be readable by every participant's kernel. These tests start a real kernel from the server's
own kernel manager, after the server read a chosen key, and read that kernel's environment.
"""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest

from therapy_workshop.shell.access import DIGEST_VARIABLE, KEY_VARIABLE, digest
from therapy_workshop.shell.app_only import ALLOWED_MESSAGE_TYPES, message_types_problem
from therapy_workshop.shell.kernel_watch import ParticipantKernelManager
from therapy_workshop.shell.serve import WorkshopVoila

REPO = Path(__file__).resolve().parents[1]
CHOSEN_KEY = "planned-session-key-0123456789abcdef"


def configured(*argv: str, monkeypatch: pytest.MonkeyPatch) -> WorkshopVoila:
    monkeypatch.chdir(REPO)  # voila.json is read from the working folder, as under `make app`
    server = WorkshopVoila()
    server.initialize([*argv, "--VoilaConfiguration.preheat_kernel=False", "notebooks/app.ipynb"])
    return server


def kernel_environment(server: WorkshopVoila) -> dict[str, Any]:
    """Start a kernel the way the server starts a participant's, and return what its ``os.environ`` holds."""

    async def run() -> dict[str, Any]:
        # Kernels talk over ipc sockets named after the connection folder; a socket's path must stay under 108 bytes.
        server.connection_dir = tempfile.mkdtemp(prefix="tw-", dir="/tmp")
        server.init_settings()
        manager = server.kernel_manager
        kernel_id = await manager.start_kernel(kernel_name="python3")
        try:
            client = manager.get_kernel(kernel_id).client()
            client.start_channels()
            await client.wait_for_ready(timeout=60)
            reply = await client.execute_interactive(
                "import os, json; print(json.dumps({k: os.environ.get(k) for k in os.environ}))",
                timeout=60,
                output_hook=lambda message: outputs.append(message),
            )
            client.stop_channels()
            assert reply["content"]["status"] == "ok"
        finally:
            await manager.shutdown_kernel(kernel_id, now=True)
        text = "".join(m["content"].get("text", "") for m in outputs if m["msg_type"] == "stream")
        result: dict[str, Any] = json.loads(text)
        return result

    outputs: list[dict[str, Any]] = []
    return asyncio.run(run())


def test_a_chosen_key_never_reaches_a_kernel_only_its_digest_does(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_VARIABLE, CHOSEN_KEY)
    server = configured(monkeypatch=monkeypatch)
    assert KEY_VARIABLE not in os.environ  # the server took it out before any kernel could start
    environment = kernel_environment(server)
    assert KEY_VARIABLE not in environment
    assert all(CHOSEN_KEY not in str(value) for value in environment.values())
    assert environment[DIGEST_VARIABLE] == digest(CHOSEN_KEY)


class ManagerThatAllowsEverything(ParticipantKernelManager):
    """A kernel manager class that drops Voilà's list, as a careless subclass or an upgrade could."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.pop("allowed_message_types", None)
        super().__init__(**kwargs)


class ManagerThatAllowsCode(ParticipantKernelManager):
    """A kernel manager class that adds ``execute_request`` to Voilà's list."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["allowed_message_types"] = [*kwargs.get("allowed_message_types", []), "execute_request"]
        super().__init__(**kwargs)


@pytest.mark.parametrize(
    ("manager_class", "message"),
    [
        (
            ManagerThatAllowsEverything,
            "Refusing to start: The kernel manager allows every kernel message type, so a page could run code "
            "(execute_request). Set allowed_message_types to Voilà's list: comm_open, comm_close, comm_msg, "
            "comm_info_request, kernel_info_request, shutdown_request.",
        ),
        (
            ManagerThatAllowsCode,
            "Refusing to start: The kernel manager allows execute_request, beyond Voilà's list, so a page could do "
            "more than drive widgets. Allow only: comm_open, comm_close, comm_msg, comm_info_request, "
            "kernel_info_request, shutdown_request.",
        ),
    ],
)
def test_the_app_refuses_to_start_if_a_page_could_run_code(
    manager_class: type,
    message: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    server = configured(
        f"--VoilaConfiguration.multi_kernel_manager_class={__name__}.{manager_class.__name__}", monkeypatch=monkeypatch
    )
    server.connection_dir = str(tmp_path)
    with pytest.raises(SystemExit) as stopped:
        server.init_settings()
    assert stopped.value.code == 1
    assert f"[WorkshopVoila] CRITICAL | {message}\n" in capsys.readouterr().err


def test_the_app_starts_with_voilas_own_list(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    server = configured(monkeypatch=monkeypatch)
    server.connection_dir = str(tmp_path)
    server.init_settings()
    assert list(server.kernel_manager.allowed_message_types) == list(ALLOWED_MESSAGE_TYPES)


def test_a_list_within_voilas_is_accepted_and_anything_else_named() -> None:
    assert message_types_problem(["comm_msg", "kernel_info_request"]) is None
    problem = message_types_problem([*ALLOWED_MESSAGE_TYPES, "input_reply", "execute_request"])
    assert problem is not None and problem.startswith("The kernel manager allows execute_request, input_reply,")
