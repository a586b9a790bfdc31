"""Which room service this kernel uses: the hub's, when it runs on a JupyterHub, else the machine's SQLite file.

On a hub, participants' kernels run on different single-user servers, often on different machines, so a file
cannot be shared: the hub's configuration sets ``THERAPY_WORKSHOP_ROOM_URL`` in every server's environment, and
each kernel reaches the room service there with its server's own hub token. Anywhere else (``make app``,
JupyterLab) the variable is not set and the store is the SQLite file the server named, as before.

Widgets ask through :func:`asynchronous`, which gives the same service as coroutines
(:class:`~therapy_workshop.room.service.AsyncRoomService`), so that a slow hub service never holds a kernel's
event loop (see :mod:`therapy_workshop.room.service`).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from pathlib import Path

from therapy_workshop.room.hub_client import AsyncHubRoomClient, HubIdentity, HubRoomClient
from therapy_workshop.room.service import AsyncRoomService, InlineRoomService, RoomService
from therapy_workshop.room.store import STORE_ENV, RoomStore, default_store_path

#: The room service's address with its prefix, set by the hub's configuration for every single-user server.
ROOM_URL_VARIABLE = "THERAPY_WORKSHOP_ROOM_URL"
#: The single-user server's own hub token: JupyterHub sets it for the server, and kernels inherit it.
TOKEN_VARIABLE = "JUPYTERHUB_API_TOKEN"
#: Who is asking, once the service has said: a kernel's server belongs to one hub user for its whole life.
_IDENTITIES: dict[tuple[str, str], HubIdentity] = {}
_IDENTITIES_LOCK = threading.Lock()


class RoomServiceSettingsError(RuntimeError):
    """The environment names a hub room service but not how to reach it; the message names the variable."""


def open_room_service(environ: Mapping[str, str] = os.environ) -> RoomService:
    """The hub's room service if ``THERAPY_WORKSHOP_ROOM_URL`` is set, else the SQLite store this server named."""
    client = _hub_client(environ)
    if client is not None:
        return client
    configured = environ.get(STORE_ENV)
    return RoomStore(Path(configured) if configured else default_store_path())


def asynchronous(service: RoomService) -> AsyncRoomService:
    """``service`` as coroutines: the hub client's requests wait off the loop; anything else runs inline.

    Anything else is the SQLite store (or a test's stand-in), whose calls are short local transactions
    (:class:`~therapy_workshop.room.service.InlineRoomService` says why that is fine on the loop).
    """
    if isinstance(service, HubRoomClient):
        return service.asynchronous()
    return InlineRoomService(service)


async def ask_hub_identity(environ: Mapping[str, str] = os.environ) -> HubIdentity | None:
    """Who the room service says this kernel's hub user is; ``None`` when not on a hub.

    Asked once per process and kept: a server belongs to one user for its whole life, and every page of the app
    asks. When the service cannot be reached the answer is nobody (``name`` ``""``, not a facilitator), and it is
    not kept, so the next page asks again. A coroutine that gives a running loop back while the service answers: a
    service that is restarting takes up to the timeout (5 s) to fail, and the kernel's loop, with every widget on
    the page, must not wait for it. With no loop running (a script, a test) the request simply blocks, so
    :func:`~therapy_workshop.room.service.finish_now` runs it to its end.
    """
    client = _hub_client(environ)
    if client is None:
        return None
    key = (client.base_url, environ[TOKEN_VARIABLE].strip())
    with _IDENTITIES_LOCK:
        known = _IDENTITIES.get(key)
    if known is not None:
        return known
    try:  # the catalogue is left unbuilt: asking who someone is never needs it
        identity = await AsyncHubRoomClient(client.base_url, key[1], client.timeout).whoami()
    except OSError:
        return HubIdentity(name="", facilitator=False)
    with _IDENTITIES_LOCK:
        _IDENTITIES[key] = identity
    return identity


def _hub_client(environ: Mapping[str, str]) -> HubRoomClient | None:
    url = environ.get(ROOM_URL_VARIABLE, "").strip()
    if not url:
        return None
    token = environ.get(TOKEN_VARIABLE, "").strip()
    if not token:
        raise RoomServiceSettingsError(
            f"{ROOM_URL_VARIABLE} is set ({url}) but {TOKEN_VARIABLE} is not: the hub room service is asked with "
            "the single-user server's hub token, which JupyterHub sets for every server it starts"
        )
    try:
        return HubRoomClient(url, token)
    except ValueError as error:
        raise RoomServiceSettingsError(f"{ROOM_URL_VARIABLE}: {error}") from None
