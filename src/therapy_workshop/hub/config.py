"""How a JupyterHub on one machine serves the workshop: ``make hub``, and The Littlest JupyterHub's plugin.

:func:`configure_workshop` adds the workshop to a JupyterHub config object (the ``c`` of a
``jupyterhub_config.py``); :func:`configure` is ``make hub``'s whole hub around it. Together:

- **Temporary accounts.** :class:`~therapy_workshop.hub.login.WorkshopAuthenticator`: ``/hub/tmplogin`` (where
  the hub sends anyone it does not know) makes a new user; the facilitator's link logs in as ``facilitator``.
- **Every server is the app.** Single-user servers open ``/voila/render/notebooks/app.ipynb``, with our Voilà
  template and server settings (``share/jupyter``, ``binder-config``: the same ones Binder uses; they turn
  JupyterLab, terminals, language servers and the classic-notebook shim off: each costs every participant
  start-up time, 0.6 s of a 2.3 s start, and is a door a workshop does not need), and the room service's
  address in their environment. Each server serves the app and nothing else: the server extension refuses
  every other address (kernels, contents, sessions, files, the tree) with 403 and passes a page's kernel only
  Voilà's message types (:mod:`therapy_workshop.shell.app_only`).
- **The room** is a hub-managed service (:mod:`therapy_workshop.hub.room_service`) that every user's server
  reaches with its own hub token; its SQLite file lives in the hub's folder.
- **Idle servers are culled** (``make hub``) by jupyterhub-idle-culler, run by the hub as a service, and culled
  temporary users are deleted with them: nothing about a visitor outlives their session.

Zero to JupyterHub does not run this module: ``deploy/jupyterhub-values.yaml`` says the same in the chart's own
settings, and ``tests/test_deploy_values.py`` checks that the two agree.

The settings come from the environment, so that ``make hub HOST=0.0.0.0 PORT=80`` works like ``make app``:
``HOST``, ``PORT``, ``HUB_BASE_URL`` (a path to serve under), ``HUB_DIR`` (the hub's own files),
``CULL_SERVERS_AFTER`` (idle seconds before a server is stopped), ``CULL_AFTER`` (seconds a kernel whose page
has gone is kept), ``FACILITATOR_KEY``, ``ROOM_MINIMUM``, ``FACILITATORS_RUN_CODE`` (``yes`` opens the servers of
hub admins and the facilitators' group; by default every server, theirs included, serves the app and nothing
else: :mod:`therapy_workshop.shell.app_only`).
"""

from __future__ import annotations

import os
import re
import socket
import sys
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from therapy_workshop.hub.login import FACILITATORS_GROUP
from therapy_workshop.room.values import room_settings
from therapy_workshop.shell.access import DIGEST_VARIABLE, facilitator_key
from therapy_workshop.shell.app_only import APP_PATH
from therapy_workshop.shell.kernel_limits import DEFAULT_CULL_AFTER
from therapy_workshop.shell.room_server import local_address
from therapy_workshop.shell.server_extension import OPEN_SERVER_VARIABLE

#: The repository: notebooks, template and server settings are read from here by every single-user server.
REPO = Path(__file__).resolve().parents[3]
#: The variable a participant's kernel reads the room service's address from.
ROOM_URL_VARIABLE = "THERAPY_WORKSHOP_ROOM_URL"
#: The proxy ``make hub`` installs from npm (deploy/proxy/package.json).
PROXY = REPO / "deploy" / "proxy" / "node_modules" / ".bin" / "configurable-http-proxy"
#: Scopes every server's own hub token carries: the two of JupyterHub's default ``server`` role, and the room.
SERVER_TOKEN_SCOPES = ["users:activity!user", "access:servers!server", "access:services!service=room"]
#: What the idle culler may do: find idle servers, stop them, and delete the temporary users they belonged to.
CULLER_SCOPES = ["list:users", "read:users:activity", "read:servers", "delete:servers", "admin:users"]


class HubSettingsError(ValueError):
    """A hub setting from the environment that cannot be used; the message names it and says what to do."""


@dataclass(frozen=True)
class HubSettings:
    """What ``make hub`` was asked for, read once from the environment."""

    host: str = "127.0.0.1"
    port: int = 8000
    folder: Path = REPO / ".hub"
    cull_servers_after: int = 3600
    cull_kernels_after: int = DEFAULT_CULL_AFTER
    #: The path the hub is served under (``/`` or, behind a site's own web server, say ``/workshop/``).
    base_url: str = "/"

    @property
    def public_url(self) -> str:
        """Where visitors reach the hub, as the facilitator's link names it (this machine's own address)."""
        shown = local_address() if self.host in ("", "0.0.0.0", "::") else self.host
        return f"http://{shown}:{self.port}{self.base_url.rstrip('/')}"


def hub_settings(environ: Mapping[str, str]) -> HubSettings:
    """The settings in ``environ``, each checked, with the defaults ``make hub`` documents."""
    return HubSettings(
        host=environ.get("HOST", "").strip() or "127.0.0.1",
        port=_whole(environ, "PORT", 8000, 1, 65535),
        folder=Path(environ.get("HUB_DIR", "").strip() or REPO / ".hub").resolve(),
        cull_servers_after=_whole(environ, "CULL_SERVERS_AFTER", 3600, 10, 7 * 24 * 3600),
        cull_kernels_after=_whole(environ, "CULL_AFTER", DEFAULT_CULL_AFTER, 1, 7 * 24 * 3600),
        base_url=_base_url(environ.get("HUB_BASE_URL", "")),
    )


def _base_url(text: str) -> str:
    """``HUB_BASE_URL`` as JupyterHub wants it: a path that starts and ends with ``/``."""
    path = "/" + text.strip().strip("/")
    if not re.fullmatch(r"/[A-Za-z0-9._~/-]*", path) or "//" in path:
        raise HubSettingsError(f"HUB_BASE_URL must be a path such as /workshop/, not {text!r}")
    return path.rstrip("/") + "/"


def _whole(environ: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    text = environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        raise HubSettingsError(f"{name} must be a whole number, not {text!r}") from None
    if not low <= value <= high:
        raise HubSettingsError(f"{name} must be between {low} and {high}, not {value}")
    return value


def free_port() -> int:
    """A port nobody listens on now, for the hub's internal addresses (only the public one is chosen by hand)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def running_as_root() -> bool:
    """Whether the hub runs as root (CI containers do); its servers then run as root too."""
    return hasattr(os, "geteuid") and os.geteuid() == 0


def configure_workshop(c: Any, environ: MutableMapping[str, str], room_port: int, room_folder: Path) -> str:
    """What any hub on one machine needs for the workshop; returns the facilitator key (printed by the caller).

    Temporary accounts and the facilitator's link, every server opening the app with our template and settings,
    the room service (on ``room_port``, its SQLite file in ``room_folder``) with the roles and token scopes that
    let each server reach it, and the room's address in each server's environment. It adds to what the hub is
    already configured with (The Littlest JupyterHub has its own spawner, proxy, culler and users) and changes
    nothing else: the spawner, ports, database and culler are :func:`configure`'s, for ``make hub`` only.
    """
    from therapy_workshop.hub.room_service import SERVICE_NAME, SERVICE_SCOPES, USER_ROLE_SCOPES

    room_settings(environ)  # a wrong ROOM_MINIMUM stops the hub now, not the first room
    key = facilitator_key(environ)
    c.JupyterHub.authenticator_class = "therapy_workshop.hub.login.WorkshopAuthenticator"
    c.WorkshopAuthenticator.facilitator_key_digest = environ[DIGEST_VARIABLE]
    c.Authenticator.allow_all = True

    c.Spawner.default_url = "/" + APP_PATH
    c.Spawner.environment = {
        **_configured(c.Spawner, "environment", {}),
        "JUPYTER_PATH": str(REPO / "share" / "jupyter"),
        "JUPYTER_CONFIG_PATH": str(REPO / "binder-config"),
        # Kernels run on this machine, so they reach the service directly, not through the proxy; its routes
        # carry the hub's own prefix (JUPYTERHUB_SERVICE_PREFIX), as the proxy forwards whole paths.
        ROOM_URL_VARIABLE: f"http://127.0.0.1:{room_port}{_hub_base_url(c)}services/{SERVICE_NAME}/",
    }
    c.Spawner.server_token_scopes = SERVER_TOKEN_SCOPES
    if _facilitators_run_code(environ):
        c.Spawner.pre_spawn_hook = _opening_for_facilitators(_configured(c.Spawner, "pre_spawn_hook", None))
    c.JupyterHub.services = [
        *_configured(c.JupyterHub, "services", []),
        {
            "name": SERVICE_NAME,
            "url": f"http://127.0.0.1:{room_port}",
            "command": [sys.executable, "-m", "therapy_workshop.hub.room_service"],
            "cwd": str(room_folder),
            "environment": {
                "THERAPY_WORKSHOP_ROOM_DB": str(room_folder / "rooms.sqlite"),
                "THERAPY_WORKSHOP_ROOT": str(REPO),  # the content its catalogue of activities is built from
                "ROOM_MINIMUM": environ.get("ROOM_MINIMUM", ""),
            },
            "display": False,
        },
    ]
    c.JupyterHub.load_roles = [
        *_configured(c.JupyterHub, "load_roles", []),
        # JupyterHub's default user role is `self`; this is `self` without `tokens` (a visitor cannot mint a
        # token, so nothing but their server's own token reaches the room) and without sharing.
        {"name": "user", "scopes": USER_ROLE_SCOPES},
        {"name": "room-service", "services": [SERVICE_NAME], "scopes": SERVICE_SCOPES},
    ]
    return key


#: The hub setting with which an admin opens facilitators' servers (``make hub FACILITATORS_RUN_CODE=yes``).
FACILITATORS_RUN_CODE = "FACILITATORS_RUN_CODE"


def _facilitators_run_code(environ: Mapping[str, str]) -> bool:
    """Whether the admin opted in to facilitators' servers running code (``yes``); anything but yes/no stops."""
    text = environ.get(FACILITATORS_RUN_CODE, "").strip().lower()
    if text not in ("", "yes", "no"):
        raise HubSettingsError(f"{FACILITATORS_RUN_CODE} must be yes or no, not {text!r}")
    return text == "yes"


def _opening_for_facilitators(earlier: Any) -> Any:
    """A ``pre_spawn_hook`` that opens the servers of hub admins and the facilitators' group, and nobody else's.

    It runs after any hook the hub already had, and sets ``THERAPY_WORKSHOP_OPEN_SERVER=yes``. An open server runs
    code through Jupyter's REST API, as the hub's account (or, on The Littlest JupyterHub, the facilitator's own
    Linux user): only for an admin who chose it, for people they trust.
    """

    async def hook(spawner: Any) -> None:
        if earlier is not None:
            outcome = earlier(spawner)
            if hasattr(outcome, "__await__"):
                await outcome
        user = spawner.user
        groups = {group.name for group in getattr(user, "groups", [])}
        if getattr(user, "admin", False) or FACILITATORS_GROUP in groups:
            spawner.environment = {**spawner.environment, OPEN_SERVER_VARIABLE: "yes"}

    return hook


def _hub_base_url(c: Any) -> str:
    """The path the hub is served under, as its configuration says it (``base_url``, else ``bind_url``'s path)."""
    path = _configured(c.JupyterHub, "base_url", "") or urlsplit(str(_configured(c.JupyterHub, "bind_url", ""))).path
    return str(path).rstrip("/") + "/"


def _configured(section: Any, name: str, default: Any) -> Any:
    """What the hub's configuration already holds for ``name`` (traitlets' config makes empty sections lazily)."""
    return section.get(name, default)


def configure(c: Any, environ: MutableMapping[str, str] = os.environ) -> HubSettings:
    """Set ``c`` for ``make hub`` on this machine; returns the settings used. Prints the facilitator's link."""
    from jupyterhub.spawner import SimpleLocalProcessSpawner

    settings = hub_settings(environ)
    settings.folder.mkdir(parents=True, exist_ok=True)
    folder = settings.folder
    bin_folder = Path(sys.executable).parent

    # The path goes in bind_url: JupyterHub takes its base_url from there (setting both makes it ignore
    # bind_url and listen on every interface, port 8000).
    c.JupyterHub.bind_url = f"http://{settings.host}:{settings.port}{settings.base_url}"
    c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{free_port()}"
    c.JupyterHub.db_url = f"sqlite:///{folder / 'jupyterhub.sqlite'}"
    c.JupyterHub.cookie_secret_file = str(folder / "jupyterhub_cookie_secret")
    c.JupyterHub.pid_file = str(folder / "jupyterhub.pid")
    c.ConfigurableHTTPProxy.command = [str(PROXY)]
    c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{free_port()}"
    c.ConfigurableHTTPProxy.pid_file = str(folder / "proxy.pid")
    # A workshop hub starts from nothing each time: no servers or proxy routes left from an earlier run.
    c.JupyterHub.cleanup_servers = True
    c.JupyterHub.cleanup_proxy = True

    # Every participant's server is a process of this account, in a home folder under HUB_DIR (see the README
    # for what that means for isolation, and The Littlest JupyterHub for a user account each).
    c.JupyterHub.spawner_class = SimpleLocalProcessSpawner
    c.SimpleLocalProcessSpawner.home_dir_template = str(folder / "users" / "{username}")
    c.Spawner.cmd = [str(bin_folder / "jupyterhub-singleuser")]
    c.Spawner.notebook_dir = str(REPO)
    c.Spawner.args = single_user_args(settings, as_root=running_as_root())
    c.Spawner.start_timeout = 60
    c.Spawner.http_timeout = 60

    c.JupyterHub.services = [
        {
            "name": "idle-culler",
            "command": [
                sys.executable,
                "-m",
                "jupyterhub_idle_culler",
                f"--timeout={settings.cull_servers_after}",
                f"--cull-every={max(5, min(60, settings.cull_servers_after // 4))}",
                "--cull-users=True",  # temporary users go with their servers
            ],
        },
    ]
    c.JupyterHub.load_roles = [{"name": "idle-culler", "services": ["idle-culler"], "scopes": CULLER_SCOPES}]
    key = configure_workshop(c, environ, room_port=free_port(), room_folder=folder)
    print(f"Facilitator view: {settings.public_url}/hub/facilitate?key={key}", file=sys.stdout, flush=True)
    print(f"Participants: {settings.public_url}/", file=sys.stdout, flush=True)
    return settings


def single_user_args(settings: HubSettings, as_root: bool) -> list[str]:
    """The single-user server's command-line settings: the app only, and kernels freed after their page left.

    Jupyter refuses to run as root unless told; a CI container runs everything as root, so the hub says so
    explicitly there (and prints a warning) rather than failing every spawn.
    """
    args = [
        f"--MappingKernelManager.cull_idle_timeout={settings.cull_kernels_after}",
        f"--MappingKernelManager.cull_interval={max(1, min(60, settings.cull_kernels_after // 2))}",
    ]
    if as_root:
        print(
            "Running as root: every participant's server runs as root too. That is acceptable in a throwaway CI "
            "container; on a real machine run `make hub` as an ordinary user, or use The Littlest JupyterHub.",
            file=sys.stderr,
            flush=True,
        )
        args.append("--allow-root")
    return args
