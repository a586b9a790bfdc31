"""What a learner should read, computed from the content the way the app renders it, for exact assertions.

Content is Markdown; the page shows it rendered. Comparing raw YAML text with what the page shows can never
match once the text holds Markdown or quotes, so tests compare plain text on both sides.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from therapy_workshop.html.markdown import render_markdown
from therapy_workshop.widgets.feedback import plain_text


def shown(markdown: str) -> str:
    """Content Markdown as a sighted learner reads it: rendered as the app renders it, whitespace folded."""
    return plain_text(render_markdown(markdown))


def folded(text: str) -> str:
    """Text from the page (``inner_text``) with its whitespace folded, to compare with :func:`shown`."""
    return " ".join(text.split())


def sources_text(workshop: Any, keys: Iterable[str]) -> str:
    """The 'Sources:' line under an answer, as plain text: each source's title (and section), in order."""
    names = []
    for key in keys:
        source = workshop.sources[key]
        names.append(source.title if not source.section else f"{source.title}, {source.section}")
    return f"{workshop.ui.sources_label} {'; '.join(names)}"
