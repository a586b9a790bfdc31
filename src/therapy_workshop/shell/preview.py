"""Each module's words as plain HTML, in the page itself, readable before Voilà's scripts have loaded.

On venue wifi a participant's page needs about 1.4 MB of JavaScript before the first widget draws; until then
stock Voilà shows only a spinner. The words of every module are known when the content is checked, so
``therapy-workshop check`` writes them once into ``preview.html`` beside the Voilà template, which puts them at
the top of the page's body. The template's script shows the module the app will open (the ``?module=`` of a
deep link, else the one stored in this browser, else the start page) and removes the preview once the app shows
that module, so the text is in the page once at any moment (screen readers do not meet it twice).

The preview holds no controls: where the app will put an activity or the place picker, it reserves the space
with an empty, hidden box. Its links are plain links (the menu, next and previous), which work before the app
does; the support panel is a native ``<details>``. The file is included by Jinja, so a ``{`` in the content is
written as a character reference: no text in the content can become template code.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from therapy_workshop.html.links import app_link
from therapy_workshop.html.markdown import markdown_div
from therapy_workshop.html.safe import Markup, html, join
from therapy_workshop.model.registry import WorkshopCall
from therapy_workshop.shell.app import module_menu_html
from therapy_workshop.shell.frame import support_panel_html, title_block_html
from therapy_workshop.shell.listings import module_overview_html, sources_list_html
from therapy_workshop.shell.render import page_parts
from therapy_workshop.widgets._static import static_text
from therapy_workshop.widgets.progress import PROGRESS_KEY

if TYPE_CHECKING:
    from therapy_workshop.model.workshop import Workshop

#: Where the template includes it from (next to ``index.html.j2``); written by ``check``, not committed.
PREVIEW_FILE = Path("share") / "jupyter" / "voila" / "templates" / "workshop" / "preview.html"
STYLE_OPENING = Markup('<style id="tw-preview-style">')
#: Jinja's delimiters: none may reach the included file, or content could run as template code.
JINJA_DELIMITERS = ("{{", "{%", "{#")

#: Markdown characters, at most, of each module's opening (the first cell is always whole).
OPENING_CHARACTERS = 2500
# What an activity's place looks like until its widget arrives: no words (they would be read, then vanish),
# no control (nothing in the preview may look clickable and do nothing).
ACTIVITY_PLACE = Markup('<div class="tw-preview-activity" aria-hidden="true"></div>')


def _call_html(workshop: Workshop, call: WorkshopCall) -> Markup:
    """What the preview shows for a notebook call: the same HTML where the app shows HTML, else a kept place."""
    module_id = call.arguments.get("module_id", "")
    if call.name == "frame":
        return title_block_html(workshop, module_id, preview=True)
    if call.name == "sources_list":
        return sources_list_html(workshop, module_id)
    if call.name == "module_overview":
        return module_overview_html(workshop, app_link)
    return ACTIVITY_PLACE


def opening_html(workshop: Workshop, module_id: str) -> Markup:
    """The top of a module page as the app draws it: its title and its words up to the first activity.

    At most about :data:`OPENING_CHARACTERS` of Markdown (always the first cell): what fills the first screens
    while the widgets load, without making every participant download every module's text.
    """
    parts: list[Markup] = []
    characters = 0
    for part in page_parts(workshop, module_id):
        if isinstance(part, WorkshopCall):
            shown = _call_html(workshop, part)
            if shown is ACTIVITY_PLACE:
                return join([*parts, ACTIVITY_PLACE])
            parts.append(_widget(shown))
            continue
        taken: list[Markup] = []
        for source, rendered in part:
            if taken and characters + len(source) > OPENING_CHARACTERS:
                break
            taken.append(rendered)
            characters += len(source)
        parts.append(_widget(markdown_div(join(taken))))
        if len(taken) < len(part):
            # The page goes on: the words so far, then a kept place where the rest will appear.
            return join([*parts, ACTIVITY_PLACE])
    return join(parts)


def _widget(inner: Markup) -> Markup:
    """A box where the app has one widget: the same 2 px margins and the same margins inside as a widget's."""
    return html('<div class="tw-preview-widget">{}</div>', inner)


def _room_form_place(workshop: Workshop) -> Markup:
    """Where the start page offers a room code, as the app lays it out: its prompt, then boxes for the field.

    Shown by the template's script only where the app shows the form (the start page, outside the facilitator
    view, without a room in the address).
    """
    return html(
        '<div class="tw-preview-room" data-preview-room hidden>{}<div class="tw-preview-row" aria-hidden="true">'
        '<span class="tw-preview-input"></span><span class="tw-preview-button"></span></div></div>',
        _widget(html('<p class="tw-room-prompt">{}</p>', workshop.ui.room_join_prompt)),
    )


def _for_module(module_id: str, inner: Markup, kind: str = "") -> Markup:
    """A part of the preview shown only for ``module_id`` (``kind``: its class, if any)."""
    return html('<div class="{}" data-preview-module="{}" hidden>{}</div>', kind, module_id, inner)


def preview_html(workshop: Workshop) -> Markup:
    """The app's first screen for every module, each part hidden until the template's script chooses a module.

    The parts every module shares (brand, progress line, place picker, support panel) are written once.
    """
    ui = workshop.ui
    modules = workshop.modules
    picker = (
        html(
            '<div class="tw-preview-picker" aria-hidden="true"><span>{}</span><span class="tw-preview-select">'
            "</span></div>",
            ui.jurisdiction_label,
        )
        if workshop.activities.jurisdictions
        else ""
    )
    return html(
        '<div id="tw-preview" class="tw-preview" data-modules="{modules}" data-storage-key="{key}">{style}'
        '<div class="tw-app"><div class="tw-header">{brand}{menus}{progress}{room}{picker}{support}</div>{notices}'
        '<div class="tw-body">{pages}</div></div></div>',
        style=html("{}{}</style>", STYLE_OPENING, Markup(static_text("workshop.css"))),
        modules=" ".join(module.id for module in modules),
        key=PROGRESS_KEY,
        brand=_widget(html('<header class="tw-app-header"><p class="tw-brand">{}</p></header>', ui.workshop_title)),
        menus=join(_for_module(module.id, _widget(module_menu_html(workshop, module.id))) for module in modules),
        progress=_widget(Markup('<p class="tw-progress-line" aria-hidden="true">&nbsp;</p>')),
        room=_room_form_place(workshop),
        picker=picker,
        support=_widget(support_panel_html(workshop)),
        notices=_widget(Markup()) + _widget(Markup()),  # the app's notice line and facilitator notes, empty
        pages=join(_for_module(module.id, opening_html(workshop, module.id), "tw-page") for module in modules),
    )


def jinja_safe(text: str) -> str:
    """``text`` with every ``{`` outside the stylesheet written as ``&#123;``; refused if a delimiter is left.

    The stylesheet is the package's own file (a character reference means nothing inside ``<style>``); the
    markup holds content, where ``&#123;`` shows as ``{``.
    """
    text = "".join([text])  # plain text: Markup's own methods would escape what is put in
    before, opening, rest = text.partition(str(STYLE_OPENING))
    style, closing, after = rest.partition("</style>")
    safe = "".join([before.replace("{", "&#123;"), opening, style, closing, after.replace("{", "&#123;")])
    return refuse_template_code(safe, "the page preview")


def refuse_template_code(text: str, what: str) -> str:
    """``text`` as it is, or a ValueError naming the first Jinja delimiter in it.

    A file the template includes is read as template code: ``{{`` in it would be evaluated, not shown. ``what``
    names the file in the message (``"the page preview"``).
    """
    for delimiter in JINJA_DELIMITERS:
        if delimiter in text:
            raise ValueError(f"{what} would hold {delimiter!r}, which Jinja reads as template code")
    return text


def write_preview(workshop: Workshop) -> Path:
    """Write ``preview.html`` for the template (atomically, like the snapshot); return its path."""
    return write_include(workshop.root / PREVIEW_FILE, jinja_safe(str(preview_html(workshop))))


def write_include(path: Path, text: str) -> Path:
    """Write a file the template includes, atomically: a page rendered meanwhile includes the old or the new."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)
    return path


def remove_preview(root: Path) -> None:
    """Remove the preview of the last good check: content that no longer loads must not be shown from it."""
    (root / PREVIEW_FILE).unlink(missing_ok=True)
