"""The serving knobs: ``make app ROOM=N`` becomes a pool for app.ipynb and, for a room, a delayed refill."""

from __future__ import annotations

from pathlib import Path

import pytest

from therapy_workshop.shell.serve import NoDelayConnection, WorkshopVoila

REPO = Path(__file__).resolve().parents[1]


def configured(*argv: str, monkeypatch: pytest.MonkeyPatch) -> WorkshopVoila:
    monkeypatch.chdir(REPO)  # voila.json is read from the working folder, as under `make app`
    server = WorkshopVoila()
    server.initialize([*argv, "notebooks/app.ipynb"])
    return server


def test_room_sizes_the_app_pool_and_delays_the_refill(monkeypatch: pytest.MonkeyPatch) -> None:
    server = configured("--room=30", monkeypatch=monkeypatch)
    manager = server.config.VoilaKernelManager
    assert manager.kernel_pools_config == {"default": {"pool_size": 0}, "app.ipynb": {"pool_size": 30}}
    assert manager.fill_delay == 60


def test_a_small_pool_refills_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    server = configured("--room=2", monkeypatch=monkeypatch)
    manager = server.config.VoilaKernelManager
    assert manager.kernel_pools_config["app.ipynb"] == {"pool_size": 2}
    assert "fill_delay" not in manager


def test_an_explicit_refill_delay_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    server = configured("--room=30", "--VoilaKernelManager.fill_delay=5", monkeypatch=monkeypatch)
    assert float(server.config.VoilaKernelManager.fill_delay) == 5  # kept as typed; the manager parses it


def test_without_room_the_pool_comes_from_voila_json(monkeypatch: pytest.MonkeyPatch) -> None:
    server = configured(monkeypatch=monkeypatch)
    assert server.config.VoilaKernelManager.kernel_pools_config["app.ipynb"] == {"pool_size": 2}


def test_a_negative_room_is_refused_with_a_message(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        configured("--room=-1", monkeypatch=monkeypatch)
    assert (
        "Bad config encountered during initialization: The value of the 'room' trait of a WorkshopVoila "
        "instance should not be less than 0, but a value of -1 was specified" in capsys.readouterr().err
    )


def test_kernel_websockets_send_small_frames_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    assert configured(monkeypatch=monkeypatch).kernel_websocket_connection_class is NoDelayConnection
