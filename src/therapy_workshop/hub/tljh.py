"""The Littlest JupyterHub (TLJH) plugin: one bigger machine serves the workshop to a room of up to about 100.

TLJH installs JupyterHub on one Ubuntu machine and finds plugins through the ``tljh`` entry point group; its
installer calls the hooks here once, while installing, and its ``jupyterhub_config.py`` calls
:func:`tljh_custom_jupyterhub_config` each time the hub starts. deploy/tljh/README.md has the recipe.

TLJH keeps two Python environments: the hub's (JupyterHub, the authenticator, the hub's services) and the one
every user's server and kernel run in. This package is needed in both: the hub runs the login and the room
service, the users run the app. It is not on PyPI, so the requirement comes from ``THERAPY_WORKSHOP_REQUIREMENT``
in the installer's environment. A folder (a checkout of the repository on the machine, the recipe's choice) is
installed *editable*, so the notebooks, the content and the Voilà template that the users' servers open stay
where :mod:`therapy_workshop.hub.config` looks for them: beside the installed code. Anything else is passed to
pip as it is (a ``git+https://`` address, a wheel).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, MutableMapping
from pathlib import Path
from typing import Any

import pluggy

hookimpl = pluggy.HookimplMarker("tljh")

#: The installer's environment variable that says where to install this package from.
REQUIREMENT_VARIABLE = "THERAPY_WORKSHOP_REQUIREMENT"
#: Used when the variable is unset: the repository's public address, once it has one (put in its GitHub owner
#: and name). pip installs the package from it, but not the notebooks and content beside it; the recipe
#: therefore sets the variable to a checkout on the machine.
DEFAULT_REQUIREMENT = "therapy-workshop @ git+https://github.com/<owner>/<repository>"
#: The login for visitors; the same range as the ``hub`` extra in pyproject.toml.
TMPAUTHENTICATOR = "jupyterhub-tmpauthenticator>=1.0,<2"
#: The app on each user's server. TLJH's own setting for this (``user_environment.default_app``) accepts only
#: ``jupyterlab`` or ``classic``, so the hub's configuration sets it instead.
APP_URL = "/voila/render/notebooks/app.ipynb"
#: Where the room service listens on the machine. Fixed, unlike ``make hub``'s: TLJH restarts the hub without
#: stopping users' servers, and their kernels keep the address they were started with.
ROOM_PORT = 10101
#: TLJH's folder for the hub's own state (its database, cookie secret): the room's SQLite file goes there too.
STATE_FOLDER = Path("/opt/tljh/state")

#: What TLJH's config.yaml should say for a workshop, written after installing unless the file already says
#: otherwise (``sudo tljh-config set …`` changes any of it later).
#:
#: - ``services.cull``: TLJH's idle culler stops a server after an hour without activity, looking every five
#:   minutes, and deletes the temporary user with it (a visitor's account is useless once they have gone).
#: - ``limits``: per-user limits from ``make bench``: the user's Jupyter server is about 100 MB, the app
#:   kernel about 60 MB, 100 MB after a long session; with a second kernel (another tab, a reload) and
#:   headroom, 512 MB each. TLJH's schema takes whole cores only, so one core each: it stops a single
#:   server from taking the machine, not from being quick. Hub figures (``make bench-hub``) are to come.
CONFIG_DEFAULTS: dict[str, dict[str, Any]] = {
    "services": {"cull": {"enabled": True, "timeout": 3600, "every": 300, "users": True}},
    "limits": {"memory": "512M", "cpu": 1},
}


def workshop_requirement(environ: Mapping[str, str]) -> str:
    """The pip argument that installs this package, from ``THERAPY_WORKSHOP_REQUIREMENT``.

    A folder becomes ``--editable=<folder>`` (one argument, as TLJH passes each list entry to pip as one
    argument), so that the users' servers open the notebooks of that checkout, and ``git pull`` there updates
    the workshop for everyone; anything else goes to pip unchanged.

    Parameters
    ----------
    environ
        The installer's environment (``os.environ``).

    Returns
    -------
    str
        One argument for ``pip install``.
    """
    given = environ.get(REQUIREMENT_VARIABLE, "").strip() or DEFAULT_REQUIREMENT
    folder = Path(given).expanduser()
    if folder.is_dir():
        return f"--editable={folder.resolve()}"
    return given


@hookimpl
def tljh_extra_user_pip_packages() -> list[str]:
    """Install the package into the users' environment: every participant's kernel runs the app from it.

    Returns
    -------
    list[str]
        This package's requirement (see :func:`workshop_requirement`).
    """
    return [workshop_requirement(os.environ)]


@hookimpl
def tljh_extra_hub_pip_packages() -> list[str]:
    """Install the login and the room service into the hub's environment.

    The package is there already when TLJH installed it as this plugin (``--plugin``); naming it again makes
    the hub's copy the same as the users' (editable from the same checkout).

    Returns
    -------
    list[str]
        tmpauthenticator and this package's requirement.
    """
    return [TMPAUTHENTICATOR, workshop_requirement(os.environ)]


@hookimpl
def tljh_config_post_install(config: MutableMapping[str, Any]) -> None:
    """Write the workshop's culling and limits into TLJH's config.yaml, keeping whatever it already says.

    TLJH calls this on every run of its installer, with the file's current contents; anything an admin set
    (``tljh-config set``) stays, so re-running the installer never undoes their choice.

    Parameters
    ----------
    config
        config.yaml's contents, changed in place.
    """
    _fill_in(config, CONFIG_DEFAULTS)


def _fill_in(target: MutableMapping[str, Any], defaults: Mapping[str, Any]) -> None:
    for key, value in defaults.items():
        if isinstance(value, Mapping):
            existing = target.setdefault(key, {})
            if isinstance(existing, MutableMapping):
                _fill_in(existing, value)
        else:
            target.setdefault(key, value)


@hookimpl
def tljh_custom_jupyterhub_config(c: Any) -> None:
    """Make every user's server open the app, and apply the workshop's hub settings.

    TLJH runs this after applying config.yaml, so what is set here wins. The app's address is set here because
    config.yaml cannot say it; the rest (temporary accounts, the facilitator link, the room service, the
    servers' settings) is :func:`therapy_workshop.hub.config.configure_workshop`, the part of a workshop hub
    that ``make hub`` uses too. TLJH keeps its own spawner (a Linux user per participant), proxy, culler and
    database. It is imported here, when the hub starts, not when TLJH loads its plugins. The facilitator's
    link goes to the hub's log (``journalctl -u jupyterhub``), as ``make hub`` prints it on its terminal.

    Parameters
    ----------
    c
        The hub's traitlets configuration object.
    """
    c.Spawner.default_url = APP_URL
    try:
        import therapy_workshop.hub.config as hub_config
    except ModuleNotFoundError as error:
        if error.name != "therapy_workshop.hub.config":
            raise
        return
    key = hub_config.configure_workshop(c, os.environ, room_port=ROOM_PORT, room_folder=STATE_FOLDER)
    print(f"Facilitator view: http://<this hub's address>/hub/facilitate?key={key}", flush=True)
