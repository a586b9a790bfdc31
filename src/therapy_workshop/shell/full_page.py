"""The page a visitor gets instead of the app while the server holds as many participant kernels as it may.

A plain page, not Voilà's: it takes no kernel and loads nothing else (no stylesheet, font, image or script from
this server or any other), so sending it costs the server almost nothing however many visitors ask. Its one
inline script does what the app's page does first: a facilitator's ``key`` leaves the address bar at once and is
kept for this tab only, so the app (after "Try again") still opens the facilitator view.
It is served with HTTP 503 and ``Retry-After`` so that link-preview bots and scripts back off too. The words come
from ``content/ui.yaml`` (``workshop_full``, ``workshop_full_detail``, ``try_again_now``); "Try again" links to
the address the visitor asked for, query included (``?module=03-ending`` still opens that module) except a
``key``, which the page never echoes. Colours
meet WCAG AA: body text #1f2328 on white is 15.8:1, the link's white on #0b5cad 6.7:1, its focus ring 4.8:1.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from therapy_workshop.html.safe import html
from therapy_workshop.shell.access import address_without_key

if TYPE_CHECKING:
    from therapy_workshop.model.content import UIStrings

#: Seconds a visitor (or a bot honouring ``Retry-After``) is asked to wait: the page's "try again in a minute", and
#: about when the kernels of pages that never connected are freed (CONNECT_WITHIN's default).
RETRY_AFTER = 60

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{title}</title>
<script>
  (() => {{
    const url = new URL(window.location.href);
    const key = url.searchParams.get('key');
    if (!key) return;
    try {{ window.sessionStorage.setItem('your-rights-in-therapy/facilitator-key', key); }} catch (error) {{}}
    url.searchParams.delete('key');
    window.history.replaceState(null, '', url);
  }})();
</script>
<style>
  body {{ margin: 0; background: #ffffff; color: #1f2328; font: 1.125rem/1.5 system-ui, -apple-system,
         "Segoe UI", Roboto, "DejaVu Sans", Arial, sans-serif; }}
  main {{ max-width: 36rem; margin: 0 auto; padding: 12vh 1.25rem 2rem; }}
  h1 {{ font-size: 1.75rem; line-height: 1.25; margin: 0 0 1rem; }}
  p {{ margin: 0 0 1.5rem; }}
  a {{ display: inline-block; padding: 0.6rem 1.4rem; border: 2px solid #0b5cad; border-radius: 4px;
      background: #0b5cad; color: #ffffff; font-weight: 600; text-decoration: none; }}
  a:hover {{ background: #084a8c; border-color: #084a8c; text-decoration: underline; }}
  a:focus-visible {{ outline: 3px solid #b35900; outline-offset: 3px; }}
</style>
</head>
<body>
<main>
<h1>{title}</h1>
<p>{detail}</p>
<p><a href="{retry_url}">{try_again}</a></p>
</main>
</body>
</html>
"""


@dataclass(frozen=True)
class FullPageWords:
    """The three sentences of the page, from ``content/ui.yaml``."""

    title: str
    detail: str
    try_again: str

    @classmethod
    def from_ui(cls, ui: UIStrings) -> FullPageWords:
        """The words as ``content/ui.yaml`` has them (the validated model or the snapshot's record)."""
        return cls(title=ui.workshop_full, detail=ui.workshop_full_detail, try_again=ui.try_again_now)


def retry_url(path: str, query: str) -> str:
    """The address to try again: the same path and query the visitor asked for, without any ``key``."""
    return address_without_key(path, query)


def full_page_html(words: FullPageWords, url: str) -> str:
    """The whole page; every word and the address are escaped."""
    return str(html(PAGE, title=words.title, detail=words.detail, try_again=words.try_again, retry_url=url))
