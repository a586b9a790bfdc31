"""A participant reaches the app and nothing else: the routes and kernel messages a server lets through.

``make app`` is standalone Voilà, which serves no kernels, sessions, contents or terminals API, and its kernel
websocket passes on only the message types Voilà lists (``ALLOWED_MESSAGE_TYPES``): a page can drive widgets,
never send code (``execute_request``) or answer a prompt (``input_reply``). Nothing checks that the list survives
a change of kernel manager class (the workshop swaps in its own) or an upgrade, so :func:`message_types_problem`
is checked when the server starts, and the server stops with its message if the list has gone or grown.

On a JupyterHub or Binder a participant's server is a whole Jupyter server (jupyterhub-singleuser) with Voilà as
an extension: it keeps JupyterHub's login, activity reports and culling, but also the kernels, sessions and
contents APIs, with which a visitor holding only their hub cookie could start a kernel, run code and write into
the repository every later kernel imports. The server extension (:mod:`.server_extension`) puts
:class:`AppOnlyMatcher` in front of every route the server has, so that only the app's own addresses are served
(:data:`APP_ROUTES`) and every other one answers 403 with :data:`REFUSED`, whichever extension added it; and it
checks the kernel manager's message types as ``make app`` does. The allow-list is deliberately a list of what
the app needs, not of what to refuse: a route a future extension adds is refused until someone adds it here.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from typing import Any

from tornado import httputil, web
from tornado.routing import Matcher, Rule

from therapy_workshop.shell.page_bundle import BUNDLE_PATH

#: The kernel messages a page may send: Voilà's own list (``voila.app.Voila.init_settings``). Widgets need the
#: comm messages; the page asks for kernel info and says goodbye with a shutdown. No ``execute_request``.
ALLOWED_MESSAGE_TYPES = (
    "comm_open",
    "comm_close",
    "comm_msg",
    "comm_info_request",
    "kernel_info_request",
    "shutdown_request",
)
#: The app notebook, relative to the server's root folder (the repository).
APP_NOTEBOOK = "notebooks/app.ipynb"
#: The app's page on a Jupyter server with Voilà as an extension, relative to the server's base URL.
APP_PATH = f"voila/render/{APP_NOTEBOOK}"
#: What a refused request gets (HTTP 403), in words for whoever tried it.
REFUSED = "Not available: this server serves the workshop app and nothing else."

_KERNEL_ID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
#: Every address the app's page uses, relative to the server's base URL, with the methods it uses them with.
#: Found by loading the app through ``make hub`` with every request logged; ``tests/browser/test_hub_in_chromium``
#: proves the page still works with only these, and ``tests/test_app_only.py`` that the rest is refused.
APP_ROUTES: tuple[tuple[frozenset[str], str], ...] = (
    # The server's root redirects to the app (JupyterHub sends a visitor there first).
    (frozenset({"GET", "HEAD"}), r""),
    (frozenset({"GET", "HEAD"}), re.escape(APP_PATH)),
    # Voilà's scripts, styles and the extensions' bundles; the workshop's page bundle.
    (frozenset({"GET", "HEAD"}), r"voila/static/.+"),
    (frozenset({"GET", "HEAD"}), r"voila/templates/[^/]+/static/.+"),
    (frozenset({"GET", "HEAD"}), r"voila/labextensions/.+"),
    (frozenset({"GET", "HEAD"}), r"static/.+"),
    (frozenset({"GET", "HEAD"}), re.escape(BUNDLE_PATH)),
    # The kernel the page was given: its model (the page reads it before connecting), its websocket (Voilà's
    # message types only) and the goodbye beacon. Every kernel on the server is one Voilà started for a page.
    (frozenset({"GET"}), rf"api/kernels/{_KERNEL_ID}"),
    (frozenset({"GET"}), rf"api/kernels/{_KERNEL_ID}/channels"),
    (frozenset({"POST"}), rf"voila/api/shutdown/{_KERNEL_ID}"),
    # The server's version, which JupyterHub reads from each new server (``{"version": …}``, nothing else).
    (frozenset({"GET"}), r"api"),
    # JupyterHub's login and logout for this server.
    (frozenset({"GET"}), r"oauth_callback"),
    (frozenset({"GET"}), r"logout"),
)


def message_types_problem(allowed: Iterable[str] | None) -> str | None:
    """Why a kernel manager's ``allowed_message_types`` would let a page run code, or None if it would not.

    An empty list means "every type" to jupyter_server, so it is a problem too.
    """
    listed = list(allowed or ())
    if not listed:
        return (
            "The kernel manager allows every kernel message type, so a page could run code (execute_request). "
            f"Set allowed_message_types to Voilà's list: {', '.join(ALLOWED_MESSAGE_TYPES)}."
        )
    extra = sorted(set(listed) - set(ALLOWED_MESSAGE_TYPES))
    if extra:
        return (
            f"The kernel manager allows {', '.join(extra)}, beyond Voilà's list, so a page could do more than drive "
            f"widgets. Allow only: {', '.join(ALLOWED_MESSAGE_TYPES)}."
        )
    return None


class UnsafeServerError(RuntimeError):
    """The server is configured so that a participant could run code; the message says what and what to do."""


def check_message_types(kernel_manager: Any) -> None:
    """Raise :class:`UnsafeServerError` unless ``kernel_manager`` passes only Voilà's message types."""
    problem = message_types_problem(getattr(kernel_manager, "allowed_message_types", None))
    if problem:
        raise UnsafeServerError(f"Refusing to start: {problem}")


class AppOnlyMatcher(Matcher):
    """Matches every request that is *not* one of the app's own (:data:`APP_ROUTES` under ``base_url``).

    Put first in a Tornado application's router with :class:`RefusedHandler`, it answers those requests before
    any other handler sees them, websocket upgrades included.
    """

    def __init__(self, base_url: str, routes: Collection[tuple[frozenset[str], str]] = APP_ROUTES) -> None:
        prefix = re.escape("/" + base_url.strip("/") + "/" if base_url.strip("/") else "/")
        self.routes = [(methods, re.compile(prefix + pattern + r"\Z")) for methods, pattern in routes]

    def allows(self, method: str, path: str) -> bool:
        """Whether ``method`` on ``path`` (no query) is one of the app's requests."""
        return any(method in methods and pattern.match(path) for methods, pattern in self.routes)

    def match(self, request: httputil.HTTPServerRequest) -> dict[str, Any] | None:
        """``{}`` (send it to :class:`RefusedHandler`) for anything the app does not use; ``None`` lets it through."""
        return None if self.allows(request.method or "", request.path) else {}


class RefusedHandler(web.RequestHandler):
    """403 with :data:`REFUSED` for every method; nothing is read, started or listed."""

    def prepare(self) -> None:
        """Answer at once, whatever the method: the request goes no further."""
        self.set_status(403)
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(REFUSED + "\n")

    def check_xsrf_cookie(self) -> None:
        """No check: the request is refused in ``prepare`` whatever it carries."""


def guard(application: web.Application, base_url: str) -> Rule:
    """Put the app-only rule first in ``application``'s router; returns the rule.

    Tornado checks ``default_router``'s rules in order, and ``add_handlers`` inserts each later extension's
    routes before the last rule, so the first rule stays first.
    """
    rule = application.default_router.process_rule(Rule(AppOnlyMatcher(base_url), RefusedHandler))
    application.default_router.rules.insert(0, rule)
    return rule
