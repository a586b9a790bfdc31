"""Pages generated from content rather than typed: the module overview and each page's source list.

Generated so they cannot drift: change a module's minutes in ``modules.yaml`` and the start page follows;
cite a new source in a notebook and its page lists it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from therapy_workshop.html.markdown import external_link, render_inline
from therapy_workshop.html.safe import Markup, html, join
from therapy_workshop.model.notebook_source import NotebookError, cited_source_keys, read_cells
from therapy_workshop.model.registry import CellError, WorkshopCall, parse_cell

if TYPE_CHECKING:
    from therapy_workshop.html.links import ModuleLink
    from therapy_workshop.model.workshop import Workshop


def module_overview_html(workshop: Workshop, link: ModuleLink) -> Markup:
    """Every module after the start page with its length, summary and objectives."""
    ui = workshop.ui
    items = []
    for number, module in enumerate(workshop.modules[1:], 1):
        objectives = join(html("<li>{}</li>", render_inline(objective)) for objective in module.objectives)
        meta = f"{ui.format('module_of', number=number, total=len(workshop.modules) - 1)} · " + ui.format(
            "about_minutes", minutes=module.minutes
        )
        items.append(
            html(
                '<li class="tw-overview-item"><p class="tw-overview-title"><a href="{href}">{title}</a></p>'
                '<p class="tw-meta">{meta}</p><p>{summary}</p>'
                "<p>{objectives_heading}</p><ul>{objectives}</ul></li>",
                href=link(module),
                title=module.title,
                meta=meta,
                summary=render_inline(module.summary),
                objectives_heading=ui.objectives_heading,
                objectives=objectives,
            )
        )
    total = sum(module.minutes for module in workshop.modules)
    return html(
        '<div class="tw-overview"><ol class="tw-overview-list">{}</ol><p class="tw-meta">{}: {}</p></div>',
        join(items),
        ui.workshop_title,
        ui.format("about_minutes", minutes=total),
    )


def cited_keys(workshop: Workshop, module_id: str) -> list[str]:
    """Source keys a module cites, in order of first citation: its notebook text, then its quiz."""
    module = workshop.module(module_id)
    keys: list[str] = []
    try:
        cells = read_cells(workshop.notebooks_dir / module.notebook)
    except (OSError, NotebookError):
        cells = []
    for cell in cells:
        if cell.cell_type == "markdown":
            keys.extend(cited_source_keys(cell.source))
        elif cell.cell_type == "code":
            keys.extend(_call_sources(workshop, cell.source))
    quiz = workshop.quizzes.get(module_id)
    if quiz is not None:
        for question in quiz.questions:
            keys.extend(question.sources)
    for activity_id, owner in workshop.activities.module_of.items():
        if owner != module_id:
            continue
        if activity_id in workshop.exercises:
            for item in workshop.exercises[activity_id].items:
                keys.extend(item.sources)
        if activity_id in workshop.scenarios:
            keys.extend(workshop.scenarios[activity_id].sources)
    summary = workshop.summaries.get(module_id)
    if summary is not None:
        for row in summary.rows:
            keys.extend(row.sources)
    return list(dict.fromkeys(keys))


def _call_sources(workshop: Workshop, source: str) -> list[str]:
    """Sources shown by a widget the page calls (process, cases, charts, jurisdictions), for the page's list."""
    try:
        call = parse_cell(source)
    except CellError:
        return []
    if not isinstance(call, WorkshopCall):
        return []
    activities = workshop.activities
    if call.name == "process_explorer" and activities.process is not None:
        return [key for stage in activities.process.stages for key in stage.sources]
    if call.name == "follow_case":
        return [key for case in activities.cases.values() for step in case.steps for key in step.sources]
    if call.name == "figures_chart" and call.arguments["chart_id"] in activities.charts:
        return list(activities.charts[call.arguments["chart_id"]].sources)
    if call.name == "jurisdiction_guide":
        return [
            key
            for place in activities.jurisdictions.values()
            for key in [*place.sources, *(key for body in place.bodies for key in body.sources)]
        ]
    return []


def sources_list_html(workshop: Workshop, module_id: str) -> Markup:
    """The references for a page. Each entry has the ``src-<key>`` anchor that citation links point to."""
    ui = workshop.ui
    entries = []
    for key in cited_keys(workshop, module_id):
        source = workshop.sources.get(key)
        if source is None:
            continue
        # Plain-text parts are escaped by join(); the title and the link are HTML.
        parts: list[str] = [html("<strong>{}</strong>", source.title)]
        if source.section:
            parts.append(source.section)
        parts.append(source.publisher + (f" ({source.year})" if source.year else ""))
        if source.jurisdiction:
            parts.append(f"applies in: {source.jurisdiction}")
        if source.note:
            parts.append(source.note)
        if source.url:
            parts.append(external_link(source.url, source.url))
        entries.append(html('<li id="src-{}">{}</li>', key, join(parts, ". ")))
    body = html('<ol class="tw-sources">{}</ol>', join(entries)) if entries else html("<p>{}</p>", ui.no_sources)
    return html('<section class="tw-sources-section"><h2>{}</h2>{}</section>', ui.sources_heading, body)
