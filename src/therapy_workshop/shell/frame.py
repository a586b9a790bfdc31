"""The page frame: module title, contents / previous / next links and "Need support?" on every page.

The same HTML pieces serve both places a page is shown. In a notebook on its own (JupyterLab, or Voilà
showing one notebook), :func:`frame` displays them with links to the neighbouring notebooks. In the app,
the shell shows the header once and only the module's title block comes from the page; its links are
``?module=<id>`` links that the app catches without reloading.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import ipywidgets as widgets
from IPython.display import HTML, display

from therapy_workshop.html.links import ModuleLink, notebook_link
from therapy_workshop.html.markdown import escape, external_link, render_inline, render_markdown
from therapy_workshop.widgets import lean
from therapy_workshop.widgets._static import static_text

if TYPE_CHECKING:
    from therapy_workshop.model.workshop import Workshop


def style_html() -> str:
    """The workshop's stylesheet as a ``<style>`` element (shipped in the package; no CDN)."""
    return f"<style>{static_text('workshop.css')}</style>"


def support_panel_html(workshop: Workshop) -> str:
    """The "Need support?" disclosure: free support lines by country and the not-advice note.

    A native ``<details>`` element: it opens with Enter or Space, needs no kernel round trip, and works the
    same in JupyterLab and Voilà.
    """
    ui, support = workshop.ui, workshop.support
    countries = []
    for country in support.countries:
        lines = []
        for line in country.lines:
            website = " " + external_link(line.url, f"{escape(line.name)} website") if line.url else ""
            lines.append(
                f"<li><strong>{escape(line.name)}</strong>: {render_inline(line.contact)}"
                f" ({escape(line.hours)}).{website}</li>"
            )
        countries.append(
            f'<div class="tw-support-country"><p><strong>{escape(country.name)}</strong> · '
            f"emergency: <strong>{escape(country.emergency_number)}</strong></p>"
            f"<ul>{''.join(lines)}</ul></div>"
        )
    return (
        f'<details class="tw-support"><summary>{escape(ui.need_support)}</summary>'
        f'<div class="tw-support-body">{render_markdown(support.intro)}'
        f'<p class="tw-support-emergency"><strong>{escape(ui.emergency_heading)}:</strong> '
        f"{render_inline(support.emergency)}</p>"
        f'<div class="tw-support-countries">{"".join(countries)}</div>'
        f'<p class="tw-not-advice">{escape(ui.not_advice)}</p></div></details>'
    )


def navigation_html(workshop: Workshop, module_id: str, link: ModuleLink) -> str:
    """Contents, previous and next links for ``module_id``."""
    ui = workshop.ui
    before, after = workshop.neighbours(module_id)
    first = workshop.modules[0]
    links = [f'<a class="tw-nav-contents" href="{escape(link(first))}">{escape(ui.contents)}</a>']
    if before is not None:
        text = ui.format("go_previous", title=before.title)
        links.append(f'<a class="tw-nav-previous" rel="prev" href="{escape(link(before))}">{escape(text)}</a>')
    if after is not None:
        text = ui.format("go_next", title=after.title)
        links.append(f'<a class="tw-nav-next" rel="next" href="{escape(link(after))}">{escape(text)}</a>')
    return f'<nav class="tw-nav" aria-label="{escape(ui.navigation_label)}">{"".join(links)}</nav>'


def title_block_html(workshop: Workshop, module_id: str) -> str:
    """The module's heading with its place in the workshop and its length."""
    module = workshop.module(module_id)
    ui = workshop.ui
    where = ui.format("module_of", number=workshop.position(module_id), total=len(workshop.modules) - 1)
    if workshop.position(module_id) == 0:
        where = ui.workshop_title
    minutes = ui.format("about_minutes", minutes=module.minutes)
    return (
        f'<div class="tw-title-block"><h1 class="tw-module-title" data-module="{escape(module.id)}">'
        f"{escape(module.title)}</h1>"
        f'<p class="tw-meta">{escape(where)} · {escape(minutes)}</p></div>'
    )


def standalone_frame_html(workshop: Workshop, module_id: str) -> str:
    """Everything :func:`frame` shows when a notebook is opened on its own."""
    return (
        f'{style_html()}<div class="tw-root"><header class="tw-frame">'
        f'<p class="tw-brand">{escape(workshop.ui.workshop_title)}</p>'
        f"{navigation_html(workshop, module_id, notebook_link)}{support_panel_html(workshop)}</header>"
        f"{title_block_html(workshop, module_id)}</div>"
    )


def notebook_frame(workshop: Workshop, module_id: str) -> widgets.VBox:
    """Show the page frame at the top of a module notebook opened on its own: ``frame("01-rights")``.

    The frame also keeps the learner's progress in their browser and, when the workshop has jurisdictions,
    holds the picker that every page follows.
    """
    from therapy_workshop.widgets.jurisdiction import build_jurisdiction_picker
    from therapy_workshop.widgets.progress import ProgressStore, progress

    workshop.module(module_id)  # a clear KeyError for a wrong id
    tracker = progress()
    tracker.record(module_id, "visited")
    tracker.last_module = module_id
    display(HTML(standalone_frame_html(workshop, module_id)))
    picker = build_jurisdiction_picker(workshop)
    return lean.VBox([ProgressStore(tracker)] + ([picker] if picker is not None else []))
