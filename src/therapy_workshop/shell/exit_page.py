"""The "Exit this page" control at the top of every page: the GOV.UK Design System's component, our words.

Someone at risk from a therapist may be reading on a phone or computer that another person can see. One press
(the button, a hidden link that screen-reader users meet first, or Shift three times) hides the page at once and
replaces it in the tab's history by a neutral site (``exit_destination`` in ``content/ui.yaml``; BBC Weather by
default, as GOV.UK), so Back does not bring the workshop back.

The control must be there before anything else of the page, so it is plain HTML in the Voilà template, not a
widget: ``therapy-workshop check`` writes it, with the words from ``content/ui.yaml``, into ``exit_page.html``
beside the template, which includes it at the top of the body (``exit_this_page.html.j2``; that file holds the
same markup with :data:`FALLBACK` words for a server started before ``check`` ever ran). Its stylesheet and script
are the template's own static files, put inline so that the button works from the first paint. The file is read
by Jinja, so every ``{`` is written as a character reference and no text from the content can become template
code.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from therapy_workshop.html.safe import Markup, html
from therapy_workshop.shell.preview import PREVIEW_FILE, refuse_template_code, write_include

if TYPE_CHECKING:
    from therapy_workshop.model.content import UIStrings
    from therapy_workshop.model.workshop import Workshop

#: Written by ``check`` next to ``preview.html``; not committed.
EXIT_FILE = PREVIEW_FILE.with_name("exit_page.html")
#: GOV.UK's default: a busy, neutral site that shows nothing personal to whoever looks at the screen next.
DEFAULT_DESTINATION = "https://www.bbc.co.uk/weather"
#: As GOV.UK: search engines do not follow it, and the destination is not told which page its visitor came from.
LINK_REL = "nofollow noreferrer"


@dataclass(frozen=True)
class ExitWords:
    """Where the control goes and everything it says (``exit_*`` in ``content/ui.yaml``)."""

    destination: str
    button: str
    link: str
    loading: str
    two_more: str
    one_more: str
    reset: str

    @classmethod
    def from_ui(cls, ui: UIStrings) -> ExitWords:
        """The words as ``content/ui.yaml`` has them."""
        return cls(
            destination=ui.exit_destination,
            button=ui.exit_button,
            link=ui.exit_link,
            loading=ui.exit_loading,
            two_more=ui.exit_two_more,
            one_more=ui.exit_one_more,
            reset=ui.exit_reset,
        )


#: The words of ``content/ui.yaml`` as shipped. ``exit_this_page.html.j2`` holds this markup verbatim for a server
#: started before ``check`` has written the include (tests/test_exit_page.py keeps the two in step).
FALLBACK = ExitWords(
    destination=DEFAULT_DESTINATION,
    button="Exit this page",
    link="Exit this page now",
    loading="Loading…",
    two_more="Shift: press 2 more times to leave this page.",
    one_more="Shift: press 1 more time to leave this page.",
    reset="Shift count reset. You are still on this page.",
)


def exit_page_html(words: ExitWords) -> Markup:
    """The hidden link, then the sticky bar with the button and its live region; every word escaped.

    The link comes first, as GOV.UK puts its secondary link at the very top of the body: screen-reader and keyboard
    users meet it before anything else, and it shows only while it has focus. Both are plain links to the
    destination, so they leave without JavaScript too; the script (``static/exit-this-page.js``) adds the overlay,
    the forgetting and Shift three times. The button is a link styled and announced as a button, as GOV.UK's is
    (the script makes Space press it). The three lights show a sighted keyboard user how many Shift presses have
    counted; the status region says it in words. The words for the script travel as data attributes.
    """
    lights = Markup('<span class="tw-exit-light"></span>') * 3
    return html(
        '<a class="tw-exit-link" href="{destination}" rel="{rel}" data-tw-exit>{link}</a>\n'
        '<div class="tw-exit" id="tw-exit" data-loading="{loading}" data-two-more="{two_more}" '
        'data-one-more="{one_more}" data-reset="{reset}">'
        '<a class="tw-exit-button" href="{destination}" rel="{rel}" role="button" draggable="false" data-tw-exit>'
        '{button}<span class="tw-exit-lights" aria-hidden="true">{lights}</span></a>'
        '<span class="tw-exit-status" role="status"></span></div>\n',
        destination=words.destination,
        rel=LINK_REL,
        link=words.link,
        loading=words.loading,
        two_more=words.two_more,
        one_more=words.one_more,
        reset=words.reset,
        button=words.button,
        lights=lights,
    )


def template_safe(markup: Markup) -> str:
    """``markup`` as the template may include it: every ``{`` written as ``&#123;``.

    The browser reads ``&#123;`` as ``{`` in text and in attributes alike; Jinja reads no delimiter in it. The
    refusal stays as a guard should the markup ever gain text that is not escaped this way.
    """
    return refuse_template_code(str(markup).replace("{", "&#123;"), "the exit button")


def write_exit_page(workshop: Workshop) -> Path:
    """Write ``exit_page.html`` for the template; return its path.

    Unlike the preview it is not removed when a later check fails: the last good destination and words (the
    organiser's choice) are better than the fallback's.
    """
    words = ExitWords.from_ui(workshop.ui)
    return write_include(workshop.root / EXIT_FILE, template_safe(exit_page_html(words)))
