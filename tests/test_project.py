"""Project hygiene that CI relies on: notebooks without outputs, dependency lists in step."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import yaml

from therapy_workshop.model.notebook_source import has_outputs

REPO = Path(__file__).resolve().parents[1]


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ \[]", requirement, maxsplit=1)[0].strip().lower()


def _spec(requirement: str) -> str:
    return requirement.replace(" ", "").lower()


@pytest.mark.parametrize("notebook", sorted(p.name for p in (REPO / "notebooks").glob("*.ipynb")))
def test_notebooks_are_committed_without_outputs(notebook: str) -> None:
    assert not has_outputs(REPO / "notebooks" / notebook), f"strip outputs from notebooks/{notebook}"


def test_environment_yml_lists_the_same_runtime_packages_as_pyproject() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    environment = yaml.safe_load((REPO / "environment.yml").read_text())
    conda = [entry for entry in environment["dependencies"] if isinstance(entry, str)]
    conda_specs = {_name(entry): _spec(entry) for entry in conda if _name(entry) not in {"python", "pip"}}
    pip_specs = {_name(entry): _spec(entry) for entry in project["dependencies"]}
    assert conda_specs == pip_specs


def test_voila_config_keeps_visitors_safe_and_kernels_few() -> None:
    import json

    config = json.loads((REPO / "voila.json").read_text())
    assert config["VoilaConfiguration"]["show_tracebacks"] is False
    assert config["VoilaConfiguration"]["template"] == "workshop"
    assert config["Voila"]["ip"] == "127.0.0.1"
    assert config["VoilaKernelManager"]["kernel_pools_config"]["app.ipynb"]["pool_size"] >= 1
    assert config["KernelManager"]["transport"] == "ipc"
    assert config["MappingKernelManager"]["cull_idle_timeout"] > 0


def test_readme_opens_with_the_two_commands() -> None:
    head = (REPO / "README.md").read_text().splitlines()[:15]
    assert any("make app" in line for line in head)
    assert any("make test" in line for line in head)


def test_binder_start_script_and_server_config_are_valid() -> None:
    import json

    start = (REPO / "start").read_text()
    assert start.startswith("#!/bin/bash") and 'exec "$@"' in start
    config = json.loads((REPO / "binder-config" / "jupyter_server_config.json").read_text())
    assert config["VoilaConfiguration"]["template"] == "workshop"
    assert (REPO / "share/jupyter/voila/templates/workshop/conf.json").is_file()
