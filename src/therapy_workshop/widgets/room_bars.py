"""The room's answers to one activity as bars: counts and percentages in words, the right answer marked in words.

Drawn in the kernel as HTML, the same for the facilitator's panel, the projector and a participant's revealed
results. The bars are CSS widths; every number is also text, so nothing depends on seeing the bars.
"""

from __future__ import annotations

from typing import Any

from therapy_workshop.html.safe import Markup, html, join


def bars_html(activity: Any, counts: Any, ui: Any, show_expected: bool, heading_level: int = 4) -> Markup:
    """Bars for ``activity`` (a catalogue :class:`Activity`) from ``counts`` (its :class:`ActivityCounts`).

    ``show_expected`` marks the right answer (for the facilitator, or once the projector reveals it).
    """
    rows = []
    for option in activity.options:
        count = counts.options.get(option.value, 0)
        percent = round(counts.percent(option.value))
        expected = show_expected and option.expected is True
        mark = html(' <span class="tw-bar-mark">({})</span>', ui.room_right_answer) if expected else Markup()
        rows.append(
            html(
                '<li class="tw-bar-row" data-expected="{expected}"><span class="tw-bar-label">{label}{mark}</span>'
                '<span class="tw-bar-track" aria-hidden="true"><span class="tw-bar" style="width: {percent}%">'
                '</span></span><span class="tw-bar-value">{count} ({percent}%)</span></li>',
                expected="true" if expected else "false",
                label=option.label,
                mark=mark,
                percent=percent,
                count=count,
            )
        )
    return html(
        '<figure class="tw-room-bars"><figcaption><h{level} class="tw-bars-title">{label}</h{level}>'
        '<span class="tw-bars-answered">{answered}</span></figcaption><ul class="tw-bar-list">{rows}</ul></figure>',
        level=heading_level,
        label=activity.label,
        answered=ui.format("room_answered", count=counts.answerers),
        rows=join(rows),
    )
