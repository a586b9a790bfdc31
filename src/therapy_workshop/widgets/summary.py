"""A summary table the learner can keep: shown on the page and saved as text on their own device."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, Any

from therapy_workshop.html.safe import Markup, html, join
from therapy_workshop.widgets import lean
from therapy_workshop.widgets.download import DownloadButton

if TYPE_CHECKING:
    from therapy_workshop.model.content import SummaryTable, UIStrings

COLUMNS = ("conduct", "looks_like", "standards", "you_can")


def summary_table_html(table: SummaryTable, ui: UIStrings) -> Markup:
    """The table with a caption and column headers, readable by screen readers as a real table."""
    headers = join(html('<th scope="col">{}</th>', getattr(ui, f"summary_{column}")) for column in COLUMNS)
    rows = join(
        html(
            '<tr><th scope="row">{}</th>{}</tr>',
            row.conduct,
            join(html("<td>{}</td>", getattr(row, column)) for column in COLUMNS[1:]),
        )
        for row in table.rows
    )
    # On a phone the table scrolls sideways inside its own box: the box takes focus so the keyboard can
    # scroll it too, and is named after the table (axe: scrollable-region-focusable).
    return html(
        '<div class="tw-table-wrap" role="region" tabindex="0" aria-label="{title}">'
        '<table class="tw-summary"><caption>{title}</caption>'
        "<thead><tr>{headers}</tr></thead><tbody>{rows}</tbody></table></div>",
        title=table.title,
        headers=headers,
        rows=rows,
    )


def summary_table_text(table: SummaryTable, ui: UIStrings) -> str:
    """The same table as plain text, wrapped for printing, for the download."""
    lines = [table.title, "=" * len(table.title), ""]
    for row in table.rows:
        lines.append(row.conduct)
        lines.append("-" * len(row.conduct))
        for column in COLUMNS[1:]:
            label = getattr(ui, f"summary_{column}")
            lines.extend(textwrap.wrap(f"{label}: {getattr(row, column)}", width=78, subsequent_indent="  "))
        lines.append("")
    lines.append(ui.not_advice)
    return "\n".join(lines) + "\n"


class SummaryTableWidget(lean.VBox):
    """The table and a button that saves it as a text file."""

    css_classes = ("tw-summary-widget",)

    def __init__(self, table: SummaryTable, ui: UIStrings, **kwargs: Any) -> None:
        self.table = table
        self.download = DownloadButton(
            label=ui.download_table, filename=table.filename, text=summary_table_text(table, ui)
        )
        super().__init__([lean.HTML(summary_table_html(table, ui)), self.download], **kwargs)


def build_summary_table(workshop: Any, module_id: str) -> SummaryTableWidget:
    """The summary table of ``module_id``."""
    table = workshop.summaries.get(module_id)
    if table is None:
        raise KeyError(f"no summary table for module {module_id!r}: there is no content/{module_id}/summary.yaml")
    return SummaryTableWidget(table, workshop.ui)
