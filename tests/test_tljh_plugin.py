"""The Littlest JupyterHub plugin: what its hooks hand to TLJH's installer and to the hub's configuration.

TLJH itself needs systemd on an Ubuntu machine, so it is not installed here. The hooks are registered with a
pluggy plugin manager carrying TLJH's own hook specifications (copied below from tljh/hooks.py, the names and
arguments pluggy checks), so a hook with a wrong name or argument fails here as it would in TLJH.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pluggy
import pytest
from traitlets.config import Config

from therapy_workshop.hub import tljh

hookspec = pluggy.HookspecMarker("tljh")
DEFAULT = "therapy-workshop @ git+https://github.com/<owner>/<repository>"


class TljhSpecs:
    """The hook specifications of tljh/hooks.py that this plugin implements."""

    @hookspec
    def tljh_extra_user_pip_packages(self) -> None: ...

    @hookspec
    def tljh_extra_hub_pip_packages(self) -> None: ...

    @hookspec
    def tljh_custom_jupyterhub_config(self, c: Any) -> None: ...

    @hookspec
    def tljh_config_post_install(self, config: Any) -> None: ...


@pytest.fixture
def hooks(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.delenv(tljh.REQUIREMENT_VARIABLE, raising=False)
    manager = pluggy.PluginManager("tljh")
    manager.add_hookspecs(TljhSpecs)
    manager.register(tljh)
    return manager.hook


def test_package_lists_use_the_placeholder_address_by_default(hooks: Any) -> None:
    assert hooks.tljh_extra_user_pip_packages() == [[DEFAULT]]
    assert hooks.tljh_extra_hub_pip_packages() == [["jupyterhub-tmpauthenticator>=1.0,<2", DEFAULT]]


def test_a_checkout_is_installed_editable_in_both_environments(
    hooks: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(tljh.REQUIREMENT_VARIABLE, f" {tmp_path} ")
    assert hooks.tljh_extra_user_pip_packages() == [[f"--editable={tmp_path.resolve()}"]]
    assert hooks.tljh_extra_hub_pip_packages() == [
        ["jupyterhub-tmpauthenticator>=1.0,<2", f"--editable={tmp_path.resolve()}"]
    ]


def test_any_other_requirement_goes_to_pip_as_given(hooks: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    requirement = "therapy-workshop @ git+https://github.com/example/your-rights-in-therapy@v0.1.0"
    monkeypatch.setenv(tljh.REQUIREMENT_VARIABLE, requirement)
    assert hooks.tljh_extra_user_pip_packages() == [[requirement]]
    assert hooks.tljh_extra_hub_pip_packages() == [["jupyterhub-tmpauthenticator>=1.0,<2", requirement]]


def test_post_install_writes_culling_and_limits_into_an_empty_config(hooks: Any) -> None:
    config: dict[str, Any] = {}
    hooks.tljh_config_post_install(config=config)
    assert config == {
        "services": {"cull": {"enabled": True, "timeout": 3600, "every": 300, "users": True}},
        "limits": {"memory": "512M", "cpu": 1},
    }


def test_post_install_keeps_what_the_admin_set(hooks: Any) -> None:
    config: dict[str, Any] = {
        "users": {"admin": ["someone"]},
        "limits": {"memory": "1G"},
        "services": {"cull": {"timeout": 7200}},
    }
    hooks.tljh_config_post_install(config=config)
    assert config == {
        "users": {"admin": ["someone"]},
        "limits": {"memory": "1G", "cpu": 1},
        "services": {"cull": {"timeout": 7200, "enabled": True, "every": 300, "users": True}},
    }
    hooks.tljh_config_post_install(config=config)  # the installer may run again: nothing changes
    assert config["limits"] == {"memory": "1G", "cpu": 1}


def test_custom_config_adds_the_workshop_to_tljhs_hub_and_keeps_tljhs_own_parts(
    hooks: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from therapy_workshop.shell.access import DIGEST_VARIABLE, digest

    key = "k" * 32
    monkeypatch.setenv("FACILITATOR_KEY", key)
    monkeypatch.setenv(DIGEST_VARIABLE, "")  # restored after the test: the hook writes the digest here
    c = Config()
    c.JupyterHub.spawner_class = "tljh.user_creating_spawner.UserCreatingSpawner"
    c.JupyterHub.services = [{"name": "cull-idle", "command": ["python3", "-m", "jupyterhub_idle_culler"]}]
    c.Spawner.environment = {"TLJH": "kept"}
    hooks.tljh_custom_jupyterhub_config(c=c)

    assert c.Spawner.default_url == "/voila/render/notebooks/app.ipynb"
    assert c.JupyterHub.spawner_class == "tljh.user_creating_spawner.UserCreatingSpawner"
    assert c.JupyterHub.authenticator_class == "therapy_workshop.hub.login.WorkshopAuthenticator"
    assert c.WorkshopAuthenticator.facilitator_key_digest == digest(key)
    assert [service["name"] for service in c.JupyterHub.services] == ["cull-idle", "room"]
    room = c.JupyterHub.services[1]
    assert room["url"] == "http://127.0.0.1:10101"
    assert room["environment"]["THERAPY_WORKSHOP_ROOM_DB"] == "/opt/tljh/state/rooms.sqlite"
    assert c.Spawner.environment["TLJH"] == "kept"
    assert c.Spawner.environment["THERAPY_WORKSHOP_ROOM_URL"] == "http://127.0.0.1:10101/services/room/"
    assert "access:services!service=room" in c.Spawner.server_token_scopes
    assert f"Facilitator view: http://<this hub's address>/hub/facilitate?key={key}" in capsys.readouterr().out
