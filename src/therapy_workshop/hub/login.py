"""Who gets into a workshop hub: every visitor with a temporary account, the facilitator with their link.

Visitors need no account: :class:`WorkshopAuthenticator` is tmpauthenticator's, so ``/hub/tmplogin`` (where the
hub sends anyone it does not know) makes a new random user and lands them in the app. The facilitator opens
the link ``make hub`` prints, ``/hub/facilitate?key=…``: with this run's facilitator key it logs them in as the
user ``facilitator``, a member of the ``facilitators`` group, and opens the facilitator view. On a hub that
already has accounts (a university's), its admins and the members of that group are facilitators without any
key. The facilitator's account is deliberately not a hub admin: it needs the room, not the power to stop other
people's servers (and on The Littlest JupyterHub an admin also gets sudo on the machine).

The key is checked as the standalone app checks it (:func:`therapy_workshop.shell.access.key_matches`, constant
time, against a digest); JupyterHub's request log already blanks ``key=`` in the addresses it writes.
"""

from __future__ import annotations

import hmac
from typing import Any

from jupyterhub.handlers import BaseHandler
from jupyterhub.utils import url_path_join
from tmpauthenticator import TmpAuthenticator
from tornado import web
from traitlets import Unicode

from therapy_workshop.shell.access import digest
from therapy_workshop.shell.app_only import APP_PATH

#: The hub account the facilitator's link logs in as.
FACILITATOR_USER = "facilitator"
#: The group whose members the room service treats as facilitators (as it treats hub admins).
FACILITATORS_GROUP = "facilitators"


class FacilitatorLoginHandler(BaseHandler):
    """``/hub/facilitate?key=…``: log in as the facilitator and open the facilitator view of the app."""

    async def get(self) -> None:
        """Refuse without this run's key (403); otherwise set the hub's login cookie and open the facilitator view."""
        authenticator: WorkshopAuthenticator = self.authenticator
        if not authenticator.facilitator_key_matches(self.get_query_argument("key", "")):
            raise web.HTTPError(
                403, "This facilitator link is not valid for this hub. Copy it again from the terminal."
            )
        user = await self.auth_to_user({"name": FACILITATOR_USER})
        user.sync_groups([FACILITATORS_GROUP])  # made again if the idle culler deleted the account
        self.set_hub_cookie(user)
        self.redirect(facilitator_app_url(self.hub.base_url))


def facilitator_app_url(hub_base_url: str) -> str:
    """The facilitator view on the facilitator's own server, reached through the hub's ``user-redirect``."""
    return str(url_path_join(hub_base_url, "user-redirect", APP_PATH)) + "?view=facilitator"


class WorkshopAuthenticator(TmpAuthenticator):
    """Temporary accounts for visitors (``/hub/tmplogin``), and ``/hub/facilitate`` for the facilitator's link."""

    facilitator_key_digest = Unicode(
        "",
        config=True,
        help="SHA-256 (hex) of the facilitator key; empty turns the facilitator link off (admins still facilitate).",
    )

    def facilitator_key_matches(self, given: str) -> bool:
        """Whether ``given`` is this run's facilitator key, compared in constant time; never without a key set."""
        if not given or not self.facilitator_key_digest:
            return False
        return hmac.compare_digest(digest(given), self.facilitator_key_digest)

    def get_handlers(self, app: Any) -> list[tuple[str, type[BaseHandler]]]:
        """The login pages: tmpauthenticator's ``/tmplogin`` and our ``/facilitate``."""
        return [*super().get_handlers(app), ("/facilitate", FacilitatorLoginHandler)]
