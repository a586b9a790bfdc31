"""Shared fixtures: the real workshop content, loaded once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from therapy_workshop.model.workshop import Workshop
from therapy_workshop.shell import access
from therapy_workshop.validate.loader import load_workshop
from therapy_workshop.widgets.progress import Progress

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def workshop() -> Workshop:
    return load_workshop(REPO_ROOT)


@pytest.fixture(autouse=True)
def fresh_learner(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Each test is a new learner on a new kernel: no progress or place left over from another test.

    In a kernel, progress and the place keeper are one per learner (module-level); tests share one process.
    """
    monkeypatch.setattr("therapy_workshop.widgets.progress._PROGRESS", Progress())
    monkeypatch.setattr("therapy_workshop.widgets.place._KEEPER", None)
    # A room store, where a server would say it is: tests never write to the user's Jupyter runtime folder.
    monkeypatch.setenv("THERAPY_WORKSHOP_ROOM_DB", str(tmp_path / "rooms.sqlite"))


@pytest.fixture
def facilitator_key(monkeypatch: pytest.MonkeyPatch) -> str:
    """This run's facilitator key, as ``make app`` makes it: its digest in the environment kernels inherit."""
    environ: dict[str, str] = {}
    key = access.facilitator_key(environ)
    monkeypatch.setenv(access.DIGEST_VARIABLE, environ[access.DIGEST_VARIABLE])
    return key
