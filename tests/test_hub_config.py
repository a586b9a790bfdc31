"""``make hub``'s configuration, the facilitator's login, the server extension and the hub's join link."""

from __future__ import annotations

import asyncio
import types
from pathlib import Path
from typing import Any

import pytest
from tornado.web import Application
from traitlets.config import Config

from therapy_workshop.facilitator.room_panel import join_link
from therapy_workshop.hub import config as hub_config
from therapy_workshop.hub.config import HubSettingsError, configure, hub_settings, single_user_args
from therapy_workshop.hub.login import WorkshopAuthenticator, facilitator_app_url
from therapy_workshop.shell import server_extension
from therapy_workshop.shell.access import DIGEST_VARIABLE, FacilitatorKeyError, digest
from therapy_workshop.shell.app_only import ALLOWED_MESSAGE_TYPES, AppOnlyMatcher, RefusedHandler
from therapy_workshop.shell.server_extension import OPEN_SERVER_VARIABLE


@pytest.fixture
def environ(tmp_path: Path) -> dict[str, str]:
    return {"HUB_DIR": str(tmp_path / "hub"), "FACILITATOR_KEY": "f" * 32}


def test_defaults_are_a_local_hub_on_port_8000() -> None:
    settings = hub_settings({})
    assert (settings.host, settings.port, settings.cull_servers_after, settings.cull_kernels_after) == (
        "127.0.0.1",
        8000,
        3600,
        600,
    )
    assert settings.folder.name == ".hub" and settings.public_url == "http://127.0.0.1:8000"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("PORT", "eighty", "PORT must be a whole number, not 'eighty'"),
        ("PORT", "70000", "PORT must be between 1 and 65535, not 70000"),
        ("CULL_SERVERS_AFTER", "5", "CULL_SERVERS_AFTER must be between 10 and 604800, not 5"),
        ("CULL_AFTER", "0", "CULL_AFTER must be between 1 and 604800, not 0"),
        ("HUB_BASE_URL", "/work shop/", "HUB_BASE_URL must be a path such as /workshop/, not '/work shop/'"),
        ("HUB_BASE_URL", "http://x/", "HUB_BASE_URL must be a path such as /workshop/, not 'http://x/'"),
    ],
)
def test_a_bad_setting_stops_the_hub_with_its_name(name: str, value: str, message: str) -> None:
    with pytest.raises(HubSettingsError) as raised:
        hub_settings({name: value})
    assert str(raised.value) == message


def test_make_hub_config_serves_the_app_with_temporary_accounts_and_the_room(
    environ: dict[str, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hub_config, "running_as_root", lambda: False)
    c = Config()
    settings = configure(c, environ)
    assert c.JupyterHub.bind_url == "http://127.0.0.1:8000/"
    assert c.JupyterHub.authenticator_class == "therapy_workshop.hub.login.WorkshopAuthenticator"
    assert c.WorkshopAuthenticator.facilitator_key_digest == digest("f" * 32) == environ[DIGEST_VARIABLE]
    assert c.Spawner.default_url == "/voila/render/notebooks/app.ipynb"
    assert [service["name"] for service in c.JupyterHub.services] == ["idle-culler", "room"]
    culler, room = c.JupyterHub.services
    assert "--timeout=3600" in culler["command"] and "--cull-users=True" in culler["command"]
    room_port = room["url"].rsplit(":", 1)[1]
    assert c.Spawner.environment["THERAPY_WORKSHOP_ROOM_URL"] == f"http://127.0.0.1:{room_port}/services/room/"
    assert room["environment"]["THERAPY_WORKSHOP_ROOM_DB"] == str(settings.folder / "rooms.sqlite")
    assert c.Spawner.environment["JUPYTER_CONFIG_PATH"].endswith("binder-config")
    assert {role["name"] for role in c.JupyterHub.load_roles} == {"idle-culler", "user", "room-service"}
    assert c.Spawner.args == [
        "--MappingKernelManager.cull_idle_timeout=600",
        "--MappingKernelManager.cull_interval=60",
    ]
    printed = capsys.readouterr().out.splitlines()
    assert printed == [
        f"Facilitator view: http://127.0.0.1:8000/hub/facilitate?key={'f' * 32}",
        "Participants: http://127.0.0.1:8000/",
    ]


def test_under_a_path_every_address_carries_it(
    environ: dict[str, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hub_config, "running_as_root", lambda: False)
    c = Config()
    configure(c, {**environ, "HUB_BASE_URL": "workshop"})
    assert c.JupyterHub.bind_url == "http://127.0.0.1:8000/workshop/"  # JupyterHub's base_url comes from here
    assert "base_url" not in c.JupyterHub
    room_port = c.JupyterHub.services[1]["url"].rsplit(":", 1)[1]
    assert c.Spawner.environment["THERAPY_WORKSHOP_ROOM_URL"] == (
        f"http://127.0.0.1:{room_port}/workshop/services/room/"
    )
    assert capsys.readouterr().out.splitlines() == [
        f"Facilitator view: http://127.0.0.1:8000/workshop/hub/facilitate?key={'f' * 32}",
        "Participants: http://127.0.0.1:8000/workshop/",
    ]


def test_a_short_facilitator_key_or_a_bad_room_minimum_stops_the_hub(environ: dict[str, str]) -> None:
    with pytest.raises(FacilitatorKeyError, match="FACILITATOR_KEY is 5 characters long; use at least 22"):
        configure(Config(), {**environ, "FACILITATOR_KEY": "short"})
    with pytest.raises(ValueError) as raised:
        configure(Config(), {**environ, "ROOM_MINIMUM": "many"})
    assert str(raised.value) == "ROOM_MINIMUM must be a whole number of answerers, not 'many'"


def test_as_root_the_servers_are_allowed_to_run_as_root_and_it_is_said(capsys: pytest.CaptureFixture[str]) -> None:
    args = single_user_args(hub_settings({}), as_root=True)
    assert args[-1] == "--allow-root"
    assert capsys.readouterr().err.startswith("Running as root: every participant's server runs as root too.")


def test_the_facilitator_link_needs_this_runs_key() -> None:
    authenticator = WorkshopAuthenticator(facilitator_key_digest=digest("k" * 32))
    assert authenticator.facilitator_key_matches("k" * 32)
    assert not authenticator.facilitator_key_matches("k" * 31)
    assert not authenticator.facilitator_key_matches("")
    assert not WorkshopAuthenticator().facilitator_key_matches("")  # no key set: the link is off
    assert [path for path, _handler in authenticator.get_handlers(None)] == ["/tmplogin", "/facilitate"]
    assert facilitator_app_url("/hub/") == "/hub/user-redirect/voila/render/notebooks/app.ipynb?view=facilitator"


def test_participants_servers_load_the_app_and_nothing_else() -> None:
    import json

    config = json.loads((Path(__file__).parents[1] / "binder-config" / "jupyter_server_config.json").read_text())
    assert config["ServerApp"]["terminals_enabled"] is False
    assert config["ServerApp"]["jpserver_extensions"] == {
        "therapy_workshop.shell.server_extension": True,
        "jupyterlab": False,
        "jupyter_lsp": False,
        "jupyter_server_terminals": False,
        "notebook_shim": False,
    }


def test_the_server_extension_turns_mathjax_off_and_serves_the_page_bundle_under_the_server_prefix() -> None:
    logged: list[str] = []
    routes: list[Any] = []
    web_app = Application(mathjax_url="https://cdn.example/mathjax.js", base_url="/user/sam/")
    add_handlers = web_app.add_handlers
    web_app.add_handlers = lambda host, handlers: (routes.extend(handlers), add_handlers(host, handlers))  # type: ignore[method-assign]
    server: Any = types.SimpleNamespace(
        web_app=web_app,
        kernel_manager=types.SimpleNamespace(allowed_message_types=list(ALLOWED_MESSAGE_TYPES)),
        log=types.SimpleNamespace(info=lambda text, *values: logged.append(text % values)),
    )
    server_extension._load_jupyter_server_extension(server)
    assert web_app.settings["mathjax_url"] is None and web_app.settings["mathjax_config"] is None
    assert [route[0] for route in routes] == ["/user/sam/voila/workshop/page-bundle.js"]
    assert routes[0][1] is server_extension.SignedInPageBundleHandler  # behind the server's own login
    assert logged[0].endswith(f"{len(routes[0][2]['bundle'].included)} page scripts in one bundle")
    assert len(routes[0][2]["bundle"].included) > 50
    # The app-only rule comes first, before every route any extension adds, ours included.
    first = web_app.default_router.rules[0]
    assert isinstance(first.matcher, AppOnlyMatcher) and first.target is RefusedHandler
    assert server_extension._jupyter_server_extension_points() == [
        {"module": "therapy_workshop.shell.server_extension"}
    ]


@pytest.mark.parametrize(
    ("page", "environ", "link"),
    [
        ("http://192.168.1.20:8866/", {}, "http://192.168.1.20:8866/?room=ABC234"),
        (
            "http://hub.example/user/facilitator/voila/render/notebooks/app.ipynb",
            {"JUPYTERHUB_SERVICE_PREFIX": "/user/facilitator/", "JUPYTERHUB_BASE_URL": "/"},
            "http://hub.example/hub/user-redirect/voila/render/notebooks/app.ipynb?room=ABC234",
        ),
        (
            "https://uni.example/jhub/user/ana/voila/render/notebooks/app.ipynb",
            {"JUPYTERHUB_SERVICE_PREFIX": "/jhub/user/ana/", "JUPYTERHUB_BASE_URL": "/jhub/"},
            "https://uni.example/jhub/hub/user-redirect/voila/render/notebooks/app.ipynb?room=ABC234",
        ),
    ],
)
def test_the_join_link_opens_each_participants_own_server_on_a_hub(
    page: str, environ: dict[str, str], link: str
) -> None:
    assert join_link(page, "ABC234", environ) == link


def spawner_of(name: str, admin: bool = False, groups: tuple[str, ...] = ()) -> Any:
    user = types.SimpleNamespace(name=name, admin=admin, groups=[types.SimpleNamespace(name=group) for group in groups])
    return types.SimpleNamespace(user=user, environment={"JUPYTER_PATH": "/share"})


def test_every_server_is_app_only_unless_an_admin_opens_facilitators_servers(tmp_path: Path) -> None:
    closed = Config()
    hub_config.configure_workshop(closed, {}, room_port=1, room_folder=tmp_path)
    assert "pre_spawn_hook" not in closed.Spawner  # nobody's server is opened

    opened = Config()
    hub_config.configure_workshop(opened, {"FACILITATORS_RUN_CODE": "yes"}, room_port=1, room_folder=tmp_path)
    hook = opened.Spawner.pre_spawn_hook
    participant, facilitator, admin = (
        spawner_of("a1b2"),
        spawner_of("facilitator", groups=("facilitators",)),
        spawner_of("root", admin=True),
    )
    for spawner in (participant, facilitator, admin):
        asyncio.run(hook(spawner))
    assert participant.environment == {"JUPYTER_PATH": "/share"}
    assert facilitator.environment == admin.environment == {"JUPYTER_PATH": "/share", OPEN_SERVER_VARIABLE: "yes"}


def test_opening_facilitators_servers_keeps_the_hubs_own_hook(tmp_path: Path) -> None:
    seen: list[str] = []
    c = Config()
    c.Spawner.pre_spawn_hook = lambda spawner: seen.append(spawner.user.name)
    hub_config.configure_workshop(c, {"FACILITATORS_RUN_CODE": "yes"}, room_port=1, room_folder=tmp_path)
    asyncio.run(c.Spawner.pre_spawn_hook(spawner_of("a1b2")))
    assert seen == ["a1b2"]


def test_facilitators_run_code_takes_yes_or_no(tmp_path: Path) -> None:
    with pytest.raises(HubSettingsError) as caught:
        hub_config.configure_workshop(Config(), {"FACILITATORS_RUN_CODE": "maybe"}, room_port=1, room_folder=tmp_path)
    assert str(caught.value) == "FACILITATORS_RUN_CODE must be yes or no, not 'maybe'"
