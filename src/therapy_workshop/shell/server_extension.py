"""The workshop's settings for a Jupyter server that runs Voilà as an extension (JupyterHub, Binder).

``make app`` runs Voilà on its own (:mod:`.serve`); a hub's single-user server or Binder's runs Jupyter Server
with Voilà as one of its extensions, which reads our Voilà settings from ``binder-config`` but takes some
settings from the server instead. One of them sends visitors' browsers to a third party: with no MathJax
address in the server's settings, Voilà's page config names MathJax on a CDN, and the page fetches it from there
(a console error offline, and a visit told to the CDN). Voilà's page turns MathJax off only when both the
address and MathJax's configuration are unset (``None``), as the standalone app leaves them; this extension
unsets both in the server's settings. The workshop's text has no mathematics.

It also serves the page's scripts in one bundle (:mod:`.page_bundle`), as ``make app`` does.

Enabled in ``binder-config/jupyter_server_config.json`` (``ServerApp.jpserver_extensions``).
"""

from __future__ import annotations

from typing import Any

from therapy_workshop.shell.page_bundle import bundle_route, page_bundle, stale_list_warning


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    """Where Jupyter Server finds this extension's loader."""
    return [{"module": "therapy_workshop.shell.server_extension"}]


def _load_jupyter_server_extension(server_app: Any) -> None:
    """No MathJax address (the page loads nothing from another host), and the page's scripts in one bundle."""
    server_app.web_app.settings["mathjax_url"] = None
    server_app.web_app.settings["mathjax_config"] = None
    bundle = page_bundle()
    if warning := stale_list_warning(bundle):
        server_app.log.warning(warning)
    server_app.web_app.add_handlers(".*$", [bundle_route(server_app.web_app.settings["base_url"], bundle)])
    server_app.log.info(
        "Your Rights in Therapy: MathJax off (nothing is loaded from other hosts); %d page scripts in one bundle",
        len(bundle.included),
    )
