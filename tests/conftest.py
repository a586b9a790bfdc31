"""Shared fixtures: the real workshop content, loaded once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from therapy_workshop.model.workshop import Workshop
from therapy_workshop.validate.loader import load_workshop

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def workshop() -> Workshop:
    return load_workshop(REPO_ROOT)
