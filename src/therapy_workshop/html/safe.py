"""HTML that is safe by construction: text is escaped unless it is marked as HTML already.

markupsafe's :class:`Markup` is a ``str`` that knows it is HTML. Formatting a Markup template escapes every value
that is not Markup itself, and ``+`` and :func:`join` keep the rule. So a builder writes the shape of its HTML
once, passes plain text (a question, a name a learner typed) and rendered HTML (Markdown, another builder's
result) alike, and the text is escaped without an ``escape()`` call to forget::

    html('<p class="tw-score">{}</p>', score_text)          # score_text is escaped
    html("<li>{}{}</li>", title, render_markdown(body))     # the rendered Markdown is kept as HTML

:func:`therapy_workshop.html.markdown.render_markdown` and friends return Markup. Mark a string as HTML with
``Markup(...)`` only where it really is HTML this package wrote.
"""

from __future__ import annotations

from collections.abc import Iterable

from markupsafe import Markup, escape

__all__ = ["Markup", "escape", "html", "join"]


def html(template: str, /, *values: object, **named: object) -> Markup:
    """Fill an HTML ``template`` (``{}`` or ``{name}`` places), escaping every value that is not Markup."""
    return Markup(template).format(*values, **named)


def join(parts: Iterable[str], separator: str = "") -> Markup:
    """Join pieces of HTML; a piece that is plain text is escaped."""
    return Markup(separator).join(parts)
