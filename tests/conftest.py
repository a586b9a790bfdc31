"""Shared fixtures: the real workshop content, loaded once per test session; and no test may skip in CI.

In CI (``$CI`` set, as ``.ci/run`` does) every test must run: a test that skips, in setup, in its body or while
its module is collected, is reported as failed with its reason (:func:`pytest_runtest_makereport`,
:func:`pytest_make_collect_report`). A test that cannot run in CI is not collected there, rather than skipped.
Outside CI a skip stays a skip, with its reason (``pytest -rs`` lists them).
"""

from __future__ import annotations

import os
from collections.abc import Generator
from pathlib import Path

import pytest

from therapy_workshop.model.workshop import Workshop
from therapy_workshop.shell import access
from therapy_workshop.validate.loader import load_workshop
from therapy_workshop.widgets.progress import Progress

REPO_ROOT = Path(__file__).resolve().parents[1]


def in_ci() -> bool:
    """Whether this run is CI's (``$CI`` set to anything but empty, 0, false or no): no test may skip there."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _skip_reason(report: pytest.TestReport | pytest.CollectReport) -> str:
    """The reason a skip gave, without pytest's "Skipped: " prefix."""
    reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
    return reason.removeprefix("Skipped: ")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """In CI, a test that skips (a skip mark, a fixture or the test itself) is reported as failed, with its reason.

    Expected failures (``xfail``) are not skips and are left alone.
    """
    report = yield
    if report.skipped and not hasattr(report, "wasxfail") and in_ci():
        reason = _skip_reason(report)
        report.outcome = "failed"
        report.longrepr = f"tests must run in CI (CI={os.environ['CI']!r}), but this one skipped: {reason}"
    return report


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(
    collector: pytest.Collector,
) -> Generator[None, pytest.CollectReport, pytest.CollectReport]:
    """In CI, a test module that skips while being collected (``importorskip``, a module-level skip) fails too:
    otherwise its tests would vanish from the run without a trace."""
    report = yield
    if report.skipped and in_ci():
        reason = _skip_reason(report)
        report.outcome = "failed"
        report.longrepr = f"tests must run in CI, but {collector.nodeid} skipped while collecting: {reason}"
    return report


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
