"""Process explorer and figures chart for module 05.

The explorer draws the complaint process from ``content/process/complaint.yaml`` as an SVG diagram with
the selected stage highlighted, and gives the same information as text for screen readers. Selecting a
stage (a button per stage, in process order) shows who is involved, what you are asked to do, and what is
different in the chosen jurisdiction.
"""

from __future__ import annotations

import textwrap
from collections import deque
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
import traitlets

from therapy_workshop.html.markdown import render_markdown
from therapy_workshop.html.safe import Markup, html, join
from therapy_workshop.widgets import lean
from therapy_workshop.widgets.feedback import plain_text, source_line_html

if TYPE_CHECKING:
    from therapy_workshop.model.content import Source, UIStrings
    from therapy_workshop.model.process import Chart, Jurisdiction, ProcessFile, Stage
    from therapy_workshop.widgets.jurisdiction import SharedState

BOX_WIDTH, BOX_HEIGHT, GAP_X, GAP_Y = 150, 46, 18, 30


def stage_levels(process: ProcessFile) -> dict[str, int]:
    """Each stage's row in the diagram: its shortest distance from the first stage."""
    first = process.stages[0].id
    levels = {first: 0}
    queue = deque([first])
    stages = {stage.id: stage for stage in process.stages}
    while queue:
        current = queue.popleft()
        for target in stages[current].next:
            if target not in levels and target in stages:
                levels[target] = levels[current] + 1
                queue.append(target)
    return levels


def diagram_svg(process: ProcessFile, selected: str, names: Mapping[str, str], label_id: str) -> Markup:
    """The process as boxes and arrows; the selected stage is drawn thicker and darker."""
    levels = stage_levels(process)
    rows: dict[int, list[Stage]] = {}
    for stage in process.stages:
        rows.setdefault(levels.get(stage.id, max(levels.values()) + 1), []).append(stage)
    width = max(len(row) for row in rows.values()) * (BOX_WIDTH + GAP_X) + GAP_X
    height = len(rows) * (BOX_HEIGHT + GAP_Y) + GAP_Y
    positions: dict[str, tuple[float, float]] = {}
    for level, row in sorted(rows.items()):
        offset = (width - len(row) * (BOX_WIDTH + GAP_X) + GAP_X) / 2
        for index, stage in enumerate(row):
            positions[stage.id] = (offset + index * (BOX_WIDTH + GAP_X), GAP_Y + level * (BOX_HEIGHT + GAP_Y))
    arrows = []
    for stage in process.stages:
        x1, y1 = positions[stage.id]
        for target in stage.next:
            if target not in positions:
                continue
            x2, y2 = positions[target]
            arrows.append(
                html(
                    '<line x1="{:.0f}" y1="{:.0f}" x2="{:.0f}" y2="{:.0f}" class="tw-arrow" '
                    'marker-end="url(#tw-head)"/>',
                    x1 + BOX_WIDTH / 2,
                    y1 + BOX_HEIGHT,
                    x2 + BOX_WIDTH / 2,
                    y2 - 3,
                )
            )
    boxes = []
    for stage in process.stages:
        x, y = positions[stage.id]
        lines = textwrap.wrap(names.get(stage.id, stage.title), width=22)[:2]
        text = join(
            html('<tspan x="{:.0f}" dy="{}">{}</tspan>', x + BOX_WIDTH / 2, 0 if index == 0 else 15, line)
            for index, line in enumerate(lines)
        )
        top = y + (BOX_HEIGHT / 2 - (len(lines) - 1) * 7.5) + 4
        current = " tw-current" if stage.id == selected else ""
        boxes.append(
            html(
                '<g class="tw-stage{current}"><rect x="{x:.0f}" y="{y:.0f}" width="{width}" height="{height}" rx="6"/>'
                '<text x="{middle:.0f}" y="{top:.0f}" text-anchor="middle">{text}</text></g>',
                current=current,
                x=x,
                y=y,
                width=BOX_WIDTH,
                height=BOX_HEIGHT,
                middle=x + BOX_WIDTH / 2,
                top=top,
                text=text,
            )
        )
    return html(
        '<svg class="tw-diagram" viewBox="0 0 {width:.0f} {height:.0f}" role="img" aria-labelledby="{label_id}" '
        'style="max-width:{width:.0f}px"><defs><marker id="tw-head" viewBox="0 0 10 10" refX="9" refY="5" '
        'markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"/></marker></defs>'
        "{arrows}{boxes}</svg>",
        width=width,
        height=height,
        label_id=label_id,
        arrows=join(arrows),
        boxes=join(boxes),
    )


def text_alternative_html(process: ProcessFile, names: Mapping[str, str], label_id: str) -> Markup:
    """The diagram in words: each stage and the stages it can lead to."""
    items = []
    for stage in process.stages:
        after = ", ".join(names.get(target, target) for target in stage.next) or "—"
        items.append(html("<li>{} → {}</li>", names.get(stage.id, stage.title), after))
    # Read by screen readers beside the picture; on a phone, where the picture's words would be too small to
    # read, it is shown instead of the picture (workshop.css).
    return html('<ol class="tw-sr-only tw-diagram-words" id="{}">{}</ol>', label_id, join(items))


class ProcessExplorer(lean.VBox):
    """Diagram, a button per stage, and the selected stage's details for the chosen jurisdiction."""

    css_classes = ("tw-explorer",)

    selected = traitlets.Unicode(help="Id of the stage whose details are shown.")

    def __init__(
        self,
        process: ProcessFile,
        jurisdictions: Mapping[str, Jurisdiction],
        ui: UIStrings,
        sources: Mapping[str, Source],
        state: SharedState,
        **kwargs: Any,
    ) -> None:
        self.process = process
        self.jurisdictions = jurisdictions
        self.ui = ui
        self.sources = sources
        self.state = state
        self.diagram = lean.HTML()
        self.stage_buttons = [
            lean.Button(description=stage.title, classes=("tw-stage-button",)) for stage in process.stages
        ]
        for button, stage in zip(self.stage_buttons, process.stages, strict=True):
            button.on_click(lambda _button, stage_id=stage.id: self.select(stage_id))
        picker = lean.Box(self.stage_buttons, classes=("tw-stage-buttons",))
        self.details = lean.HTML()
        heading = lean.HTML(html('<h3 class="tw-activity-title">{}</h3>', process.title))
        super().__init__([heading, self.diagram, picker, self.details], **kwargs)
        state.observe(self._on_jurisdiction_change, names="jurisdiction")
        self.selected = process.stages[0].id

    def select(self, stage_id: str) -> None:
        """Show ``stage_id``'s details (the Python twin of its button)."""
        self.process.stage(stage_id)
        self.selected = stage_id

    @property
    def details_text(self) -> str:
        """The details panel as plain text."""
        return plain_text(self.details.value)

    @traitlets.observe("selected")
    def _on_selected_change(self, _change: dict[str, Any]) -> None:
        self._show()

    def _on_jurisdiction_change(self, _change: dict[str, Any]) -> None:
        self._show()

    def _names(self) -> dict[str, str]:
        chosen = self.jurisdictions.get(self.state.jurisdiction)
        names = {stage.id: stage.title for stage in self.process.stages}
        if chosen is not None:
            names.update(chosen.stage_names)
        return names

    def _show(self) -> None:
        names = self._names()
        label_id = "tw-process-text"
        self.diagram.value = diagram_svg(self.process, self.selected, names, label_id) + text_alternative_html(
            self.process, names, label_id
        )
        for button, stage in zip(self.stage_buttons, self.process.stages, strict=True):
            button.button_style = "info" if stage.id == self.selected else ""
            button.description = names[stage.id]
        stage = self.process.stage(self.selected)
        chosen = self.jurisdictions.get(self.state.jurisdiction)
        here = Markup()
        if chosen is not None and stage.id in chosen.stage_notes:
            here = html(
                '<div class="tw-here"><h5>{}</h5>{}</div>',
                self.ui.format("in_place_named", place=chosen.name),
                render_markdown(chosen.stage_notes[stage.id]),
            )
        elif chosen is None:
            here = html('<p class="tw-meta">{}</p>', self.ui.choose_place_for_details)
        after = ", ".join(names[target] for target in stage.next) or self.ui.final_stage
        facts: list[tuple[str, str]] = [
            (self.ui.who_label, ", ".join(stage.who)),
            (self.ui.you_do_label, render_markdown(stage.you_do)),
            (self.ui.next_label, after),
        ]
        if stage.duration:
            facts.insert(2, (self.ui.duration_label, stage.duration))
        rows = join(html("<dt>{}</dt><dd>{}</dd>", label, value) for label, value in facts)
        self.details.value = html(
            '<div class="tw-stage-details" aria-live="polite"><h4>{name}</h4><p>{summary}</p>{details}'
            "<dl>{rows}</dl>{here}{sources}</div>",
            name=names[stage.id],
            summary=stage.summary,
            details=render_markdown(stage.details),
            rows=rows,
            here=here,
            sources=source_line_html(stage.sources, self.sources, self.ui),
        )


def chart_html(chart: Chart, ui: UIStrings, sources: Mapping[str, Source]) -> Markup:
    """A bar chart as a table: every bar has its label and value in text, the bar itself is decoration."""
    top = max(bar.value for bar in chart.bars) or 1
    suffix = "%" if chart.unit == "percent" else ""
    rows = join(
        html(
            '<tr><th scope="row">{label}</th><td class="tw-value">{value:g}{suffix}</td>'
            '<td class="tw-bar-cell" aria-hidden="true"><span class="tw-bar" style="width:{share:.1f}%">'
            "</span></td></tr>",
            label=bar.label,
            value=bar.value,
            suffix=suffix,
            share=100 * bar.value / top,
        )
        for bar in chart.bars
    )
    caption = f"{chart.title} ({chart.jurisdiction}, {chart.year})"
    note = html("<p>{}</p>", chart.note) if chart.note else Markup()
    return html(
        '<figure class="tw-chart"><table><caption>{caption}</caption><thead><tr>'
        '<th scope="col">{item}</th><th scope="col">{value}</th>'
        '<td aria-hidden="true"></td></tr></thead><tbody>{rows}</tbody></table>'
        "<figcaption>{note}{sources}</figcaption></figure>",
        caption=caption,
        item=ui.chart_item,
        value=ui.chart_value,
        rows=rows,
        note=note,
        sources=source_line_html(chart.sources, sources, ui),
    )


def build_process_explorer(workshop: Any) -> ProcessExplorer:
    """The explorer for the workshop's complaint process."""
    from therapy_workshop.widgets.jurisdiction import shared_state

    if workshop.activities.process is None:
        raise KeyError("there is no content/process/complaint.yaml")
    return ProcessExplorer(
        workshop.activities.process,
        workshop.activities.jurisdictions,
        workshop.ui,
        workshop.sources,
        shared_state(),
    )


def build_chart(workshop: Any, chart_id: str) -> widgets.HTML:
    """The chart called ``chart_id`` from ``content/process/figures.yaml``."""
    chart = workshop.activities.charts.get(chart_id)
    if chart is None:
        known = ", ".join(sorted(workshop.activities.charts)) or "none"
        raise KeyError(f"no chart {chart_id!r} (charts: {known})")
    return lean.HTML(chart_html(chart, workshop.ui, workshop.sources))
