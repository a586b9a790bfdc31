"""The workshop's settings for a Jupyter server that runs Voilà as an extension (JupyterHub, Binder).

``make app`` runs Voilà on its own (:mod:`.serve`); a hub's single-user server or Binder's runs Jupyter Server
with Voilà as one of its extensions, which reads our Voilà settings from ``binder-config`` but takes some
settings from the server instead. One of them sends visitors' browsers to a third party: with no MathJax
address in the server's settings, Voilà's page config names MathJax on a CDN, and the page fetches it from there
(a console error offline, and a visit told to the CDN). Voilà's page turns MathJax off only when both the
address and MathJax's configuration are unset (``None``), as the standalone app leaves them; this extension
unsets both in the server's settings. The workshop's text has no mathematics.

It also serves the page's scripts in one bundle (:mod:`.page_bundle`), as ``make app`` does, and, above all, makes
the server serve the app and nothing else (:mod:`.app_only`): every address the app's page does not use answers
403, and the server stops at once if its kernel manager would pass a page anything beyond Voilà's message types.
``binder-config`` sets ``reraise_server_extension_failures``, so a server whose copy of this extension fails to
load stops rather than run as a whole Jupyter server.

A hub may open a facilitator's server fully (JupyterLab is still off; code can be run through the REST API) by
setting ``THERAPY_WORKSHOP_OPEN_SERVER=yes`` in that server's environment: ``make hub`` does so only for the
``facilitators`` group and hub admins, and only when started with ``FACILITATORS_RUN_CODE=yes``.

Enabled in ``binder-config/jupyter_server_config.json`` (``ServerApp.jpserver_extensions``).
"""

from __future__ import annotations

import os
from typing import Any

from jupyter_server.base.handlers import JupyterHandler
from tornado import web

from therapy_workshop.shell.app_only import UnsafeServerError, check_message_types, guard
from therapy_workshop.shell.page_bundle import PageBundleHandler, bundle_route, page_bundle, stale_list_warning

#: Set to ``yes`` in a server's environment (by the hub, for facilitators it was told to trust) to leave it open.
OPEN_SERVER_VARIABLE = "THERAPY_WORKSHOP_OPEN_SERVER"


class SignedInPageBundleHandler(JupyterHandler, PageBundleHandler):
    """The page bundle behind the server's own login (JupyterHub's, on a hub), like every other page it serves.

    ``make app`` serves the bundle to anyone who can reach the app, as it serves the app; a hub's server serves
    nothing to someone who has not signed in.
    """

    def get(self) -> None:
        """The bundle, for a signed-in user only (403 otherwise: a script, not a person, asks for it unsigned)."""
        if not self.current_user:
            raise web.HTTPError(403)
        super().get()


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    """Where Jupyter Server finds this extension's loader."""
    return [{"module": "therapy_workshop.shell.server_extension"}]


def _load_jupyter_server_extension(server_app: Any) -> None:
    """The app only, no MathJax address (the page loads nothing from another host), the page's scripts in one bundle.

    Raises ``SystemExit`` (which jupyter_server does not catch) when the kernel manager would let a page run code.
    """
    base_url = server_app.web_app.settings["base_url"]
    if os.environ.get(OPEN_SERVER_VARIABLE, "").strip().lower() == "yes":
        server_app.log.warning(
            "Your Rights in Therapy: this server is open (%s=yes): its user can run code through the REST API",
            OPEN_SERVER_VARIABLE,
        )
        server_app.kernel_manager.allowed_message_types = []  # jupyter_server's "every type"
    else:
        try:
            check_message_types(server_app.kernel_manager)
        except UnsafeServerError as problem:
            server_app.log.critical("%s", problem)
            raise SystemExit(str(problem)) from None
        guard(server_app.web_app, base_url)
    server_app.web_app.settings["mathjax_url"] = None
    server_app.web_app.settings["mathjax_config"] = None
    bundle = page_bundle()
    if warning := stale_list_warning(bundle):
        server_app.log.warning(warning)
    pattern, _, options = bundle_route(base_url, bundle)
    server_app.web_app.add_handlers(".*$", [(pattern, SignedInPageBundleHandler, options)])
    server_app.log.info(
        "Your Rights in Therapy: MathJax off (nothing is loaded from other hosts); %d page scripts in one bundle",
        len(bundle.included),
    )
