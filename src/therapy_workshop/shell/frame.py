"""The page frame: module title, contents / previous / next links and "Need support?" on every page.

The same HTML pieces serve both places a page is shown. In a notebook on its own (JupyterLab, or Voilà
showing one notebook), :func:`frame` displays them with links to the neighbouring notebooks. In the app,
the shell shows the header once and only the module's title block comes from the page; its links are
``?module=<id>`` links that the app catches without reloading.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import ipywidgets as widgets
from IPython.display import HTML, display

from therapy_workshop.html.links import ModuleLink, notebook_link
from therapy_workshop.html.markdown import external_link, render_inline, render_markdown
from therapy_workshop.html.safe import Markup, html, join
from therapy_workshop.widgets import lean
from therapy_workshop.widgets._static import static_text

if TYPE_CHECKING:
    from therapy_workshop.model.workshop import Workshop


def style_html() -> Markup:
    """The workshop's stylesheet as a ``<style>`` element (shipped in the package; no CDN)."""
    # The stylesheet is this package's own file, not content: it goes in as it is (its ">" selectors included).
    return html("<style>{}</style>", Markup(static_text("workshop.css")))


def support_panel_html(workshop: Workshop, rewrite_link: Callable[[str], str] | None = None) -> Markup:
    """The "Need support?" disclosure: free support lines by country and the not-advice note.

    A native ``<details>`` element: it opens with Enter or Space, needs no kernel round trip, and works the
    same in JupyterLab and Voilà. Its introduction links to "Staying safe while you use this" on the start page:
    as a notebook link in JupyterLab, and through ``rewrite_link`` (the app's ``?module=`` links) in the app.
    """
    ui, support = workshop.ui, workshop.support
    countries = []
    for country in support.countries:
        lines = []
        for line in country.lines:
            website = html(" {}", external_link(line.url, f"{line.name} website")) if line.url else ""
            lines.append(
                html(
                    "<li><strong>{}</strong>: {} ({}).{}</li>",
                    line.name,
                    render_inline(line.contact),
                    line.hours,
                    website,
                )
            )
        countries.append(
            html(
                '<div class="tw-support-country"><p><strong>{name}</strong> · '
                "emergency: <strong>{emergency}</strong></p><ul>{lines}</ul></div>",
                name=country.name,
                emergency=country.emergency_number,
                lines=join(lines),
            )
        )
    return html(
        '<details class="tw-support"><summary>{need_support}</summary>'
        '<div class="tw-support-body">{intro}'
        '<p class="tw-support-emergency"><strong>{emergency_heading}:</strong> {emergency}</p>'
        '<div class="tw-support-countries">{countries}</div>'
        '<p class="tw-not-advice">{not_advice}</p></div></details>',
        need_support=ui.need_support,
        intro=render_markdown(support.intro, rewrite_link),
        emergency_heading=ui.emergency_heading,
        emergency=render_inline(support.emergency),
        countries=join(countries),
        not_advice=ui.not_advice,
    )


def navigation_html(workshop: Workshop, module_id: str, link: ModuleLink) -> Markup:
    """Contents, previous and next links for ``module_id``."""
    ui = workshop.ui
    before, after = workshop.neighbours(module_id)
    first = workshop.modules[0]
    links = [html('<a class="tw-nav-contents" href="{}">{}</a>', link(first), ui.contents)]
    if before is not None:
        text = ui.format("go_previous", title=before.title)
        links.append(html('<a class="tw-nav-previous" rel="prev" href="{}">{}</a>', link(before), text))
    if after is not None:
        text = ui.format("go_next", title=after.title)
        links.append(html('<a class="tw-nav-next" rel="next" href="{}">{}</a>', link(after), text))
    return html('<nav class="tw-nav" aria-label="{}">{}</nav>', ui.navigation_label, join(links))


def title_block_html(workshop: Workshop, module_id: str, *, preview: bool = False) -> Markup:
    """The module's heading with its place in the workshop and its length.

    The page preview's heading (``preview=True``) looks the same but is not the app's: it has its own class and
    no ``data-module``, which scripts and tests use to know that the app shows a module.
    """
    module = workshop.module(module_id)
    ui = workshop.ui
    where = ui.format("module_of", number=workshop.position(module_id), total=len(workshop.modules) - 1)
    if workshop.position(module_id) == 0:
        where = ui.workshop_title
    minutes = ui.format("about_minutes", minutes=module.minutes)
    # elementtiming: the browser records when the heading was first painted (``make bench``'s "text visible").
    heading = (
        html('<h1 class="tw-preview-title" elementtiming="module-title">{}</h1>', module.title)
        if preview
        else html(
            '<h1 class="tw-module-title" data-module="{}" elementtiming="module-title">{}</h1>', module.id, module.title
        )
    )
    return html(
        '<div class="tw-title-block">{heading}<p class="tw-meta">{where} · {minutes}</p></div>',
        heading=heading,
        where=where,
        minutes=minutes,
    )


def standalone_frame_html(workshop: Workshop, module_id: str) -> Markup:
    """Everything :func:`frame` shows when a notebook is opened on its own."""
    return html(
        '{style}<div class="tw-root"><header class="tw-frame"><p class="tw-brand">{brand}</p>'
        "{navigation}{support}</header>{title_block}</div>",
        style=style_html(),
        brand=workshop.ui.workshop_title,
        navigation=navigation_html(workshop, module_id, notebook_link),
        support=support_panel_html(workshop),
        title_block=title_block_html(workshop, module_id),
    )


def notebook_frame(workshop: Workshop, module_id: str) -> widgets.VBox:
    """Show the page frame at the top of a module notebook opened on its own: ``frame("01-rights")``.

    The frame also keeps the learner's progress and place in their browser (and says so in words if the
    notebook's kernel is lost), offers the choice of what this device keeps (so it can be changed from every
    notebook, as from every page of the app) and, when the workshop has jurisdictions, holds the picker that every
    page follows.
    """
    from therapy_workshop.widgets.device_choice import DeviceChoice
    from therapy_workshop.widgets.jurisdiction import build_jurisdiction_picker
    from therapy_workshop.widgets.progress import ProgressStore, progress

    workshop.module(module_id)  # a clear KeyError for a wrong id
    tracker = progress()
    tracker.record(module_id, "visited")
    tracker.last_module = module_id
    display(HTML(standalone_frame_html(workshop, module_id)))
    picker = build_jurisdiction_picker(workshop)
    store = ProgressStore(tracker, lost_text=workshop.ui.kernel_lost_lab)
    device = DeviceChoice(workshop.ui, tracker, compact=True)
    return lean.VBox([store, device] + ([picker] if picker is not None else []))
