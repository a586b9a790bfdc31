"""Pieces every interactive widget shares: visible text for tests, hiding controls, source lines."""

from __future__ import annotations

import html as html_entities
import re
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

import ipywidgets as widgets

from therapy_workshop.html.markdown import external_link, render_markdown
from therapy_workshop.html.safe import Markup, html, join
from therapy_workshop.widgets import lean

if TYPE_CHECKING:
    from therapy_workshop.model.content import Source, UIStrings

_INLINE_TAG = re.compile(r"</?(?:strong|em|b|i|a|code|span|abbr)\b[^>]*>")
_TAG = re.compile(r"<[^>]+>")


def plain_text(fragment: str) -> str:
    """Visible text of an HTML fragment, whitespace folded: what a sighted reader sees, for tests.

    Inline tags vanish without a trace ("**abandonment**?" reads "abandonment?"); block tags become spaces.
    """
    text = html_entities.unescape(_TAG.sub(" ", _INLINE_TAG.sub("", fragment)))
    return re.sub(r"\s+", " ", text).strip()


def set_hidden(widget: widgets.DOMWidget, hidden: bool) -> None:
    """Hide or show a control. Hidden controls leave the tab order too.

    A widget on the shared layout (``lean``) gets a layout of its own the first time it is hidden, so hiding
    one control never hides every other.
    """
    if widget.layout is lean.shared(widgets.Layout):
        if not hidden:
            return
        widget.layout = widgets.Layout()
    widget.layout.display = "none" if hidden else None


def button_row(*buttons: tuple[str, Callable[[], object], bool]) -> tuple[widgets.HBox, list[widgets.Button]]:
    """A row of labelled buttons, each ``(label, action, primary)``: Check / Try again / Show answer and the like."""
    made = []
    for label, action, primary in buttons:
        button = lean.Button(description=label, button_style="primary" if primary else "")
        button.on_click(lambda _button, action=action: action())
        made.append(button)
    row = lean.HBox(made, classes=("tw-buttons",))
    return row, made


def activity_heading_html(title: str, intro_markdown: str | None) -> Markup:
    """The heading and introduction every activity (exercise, scenario, script builder) opens with."""
    intro = render_markdown(intro_markdown) if intro_markdown else ""
    return html('<h3 class="tw-activity-title">{}</h3><div class="tw-activity-intro">{}</div>', title, intro)


def source_line_html(keys: Sequence[str], sources: Mapping[str, Source], ui: UIStrings) -> Markup:
    """A short 'Sources:' line with links, so every answer shows where its facts come from."""
    parts: list[str] = []
    for key in keys:
        source = sources.get(key)
        if source is None:
            continue
        name = source.title if not source.section else f"{source.title}, {source.section}"
        parts.append(external_link(source.url, name) if source.url else name)
    if not parts:
        return Markup()
    return html('<p class="tw-sources-line">{} {}</p>', ui.sources_label, join(parts, "; "))
