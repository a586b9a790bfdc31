"""The learner's jurisdiction: one choice per kernel that every page follows.

Where a therapist works decides who takes complaints, how, and what can happen. The learner chooses once
(in the page frame); the guide, the process explorer and the case files all observe the same
:class:`SharedState`, so in the app the choice carries across modules. Nothing is stored: the choice lives
in the learner's own kernel for the length of the visit.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
import traitlets

from therapy_workshop.html.markdown import external_link, render_markdown
from therapy_workshop.html.safe import Markup, html, join
from therapy_workshop.widgets import lean
from therapy_workshop.widgets.feedback import source_line_html

if TYPE_CHECKING:
    from therapy_workshop.model.content import Source, UIStrings
    from therapy_workshop.model.process import Jurisdiction


class SharedState(traitlets.HasTraits):
    """Choices that apply to every page in this kernel."""

    jurisdiction = traitlets.Unicode("", help="Id of the chosen jurisdiction; '' until the learner chooses.")


_STATE = SharedState()


def shared_state() -> SharedState:
    """The state shared by every widget in this kernel."""
    return _STATE


class JurisdictionPicker(lean.VBox):
    """A labelled drop-down of places; changing it changes every page that follows the jurisdiction."""

    css_classes = ("tw-jurisdiction-picker",)

    def __init__(
        self, jurisdictions: Mapping[str, Jurisdiction], ui: UIStrings, state: SharedState, **kwargs: Any
    ) -> None:
        options = [(ui.choose_place, "")] + [(item.name, item.id) for item in _ordered(jurisdictions)]
        self.dropdown = widgets.Dropdown(
            options=options,
            value=state.jurisdiction if state.jurisdiction in jurisdictions else "",
            description=ui.jurisdiction_label,
            style={"description_width": "initial"},
            layout=widgets.Layout(width="auto"),
        )
        traitlets.link((self.dropdown, "value"), (state, "jurisdiction"))
        super().__init__([self.dropdown], **kwargs)


def _ordered(jurisdictions: Mapping[str, Jurisdiction]) -> list[Jurisdiction]:
    """General entries first, each followed by the places that add to it."""
    top = sorted((item for item in jurisdictions.values() if item.parent is None), key=lambda item: item.name)
    ordered: list[Jurisdiction] = []
    for parent in top:
        ordered.append(parent)
        ordered.extend(
            sorted(
                (item for item in jurisdictions.values() if item.parent == parent.id),
                key=lambda item: item.name,
            )
        )
    ordered.extend(item for item in jurisdictions.values() if item not in ordered)
    return ordered


def jurisdiction_html(jurisdiction: Jurisdiction, ui: UIStrings, sources: Mapping[str, Source]) -> Markup:
    """Who takes complaints in one place, how, the limits, the appeal route and the register look-up."""
    bodies = join(
        html(
            "<li><strong>{}</strong> ({}): {}{}</li>",
            body.name,
            body.covers,
            body.how,
            html(" {}", external_link(body.url, ui.website)) if body.url else Markup(),
        )
        for body in jurisdiction.bodies
    )
    register = (
        html("{} {}", jurisdiction.register_lookup, external_link(jurisdiction.register_url, ui.website))
        if jurisdiction.register_url
        else jurisdiction.register_lookup
    )
    facts = [
        (ui.anonymous_label, jurisdiction.anonymous),
        (ui.time_limits_label, jurisdiction.time_limits),
        (ui.outcomes_label, "; ".join(jurisdiction.outcomes)),
        (ui.appeal_label, jurisdiction.appeal),
        (ui.register_label, register),
    ]
    if jurisdiction.cannot_do:
        facts.append((ui.cannot_do_label, jurisdiction.cannot_do))
    rows = join(html("<dt>{}</dt><dd>{}</dd>", label, value) for label, value in facts)
    checked = ui.format("last_checked", date=jurisdiction.last_checked.isoformat())
    keys = list(dict.fromkeys(jurisdiction.sources + [key for body in jurisdiction.bodies for key in body.sources]))
    return html(
        '<div class="tw-jurisdiction"><h3>{name}</h3>{summary}'
        "<p><strong>{bodies_label}</strong></p><ul>{bodies}</ul><dl>{rows}</dl>"
        '<p class="tw-meta">{checked} {not_advice}</p>{sources}</div>',
        name=jurisdiction.name,
        summary=render_markdown(jurisdiction.summary),
        bodies_label=ui.bodies_label,
        bodies=bodies,
        rows=rows,
        checked=checked,
        not_advice=ui.not_advice,
        sources=source_line_html(keys, sources, ui),
    )


class JurisdictionGuide(lean.VBox):
    """Module text that follows the chosen jurisdiction, and says what is common when none is chosen."""

    css_classes = ("tw-jurisdiction-guide",)

    def __init__(
        self,
        jurisdictions: Mapping[str, Jurisdiction],
        ui: UIStrings,
        sources: Mapping[str, Source],
        state: SharedState,
        **kwargs: Any,
    ) -> None:
        self.jurisdictions = jurisdictions
        self.ui = ui
        self.sources = sources
        self.state = state
        self.body = lean.HTML()
        super().__init__([self.body], **kwargs)
        state.observe(self._on_jurisdiction_change, names="jurisdiction")
        self._show()

    def _on_jurisdiction_change(self, _change: dict[str, Any]) -> None:
        self._show()

    def _show(self) -> None:
        chosen = self.jurisdictions.get(self.state.jurisdiction)
        if chosen is None:
            self.body.value = html(
                '<div class="tw-jurisdiction tw-notice-soft">{}</div>', render_markdown(self.ui.no_place_yet)
            )
        else:
            self.body.value = jurisdiction_html(chosen, self.ui, self.sources)


def build_jurisdiction_guide(workshop: Any) -> JurisdictionGuide:
    """The guide that follows the learner's jurisdiction."""
    jurisdictions = workshop.activities.jurisdictions
    if not jurisdictions:
        raise KeyError("there are no jurisdiction files in content/jurisdictions/")
    return JurisdictionGuide(jurisdictions, workshop.ui, workshop.sources, shared_state())


def build_jurisdiction_picker(workshop: Any) -> JurisdictionPicker | None:
    """The picker for the page frame, or None when the workshop has no jurisdictions."""
    jurisdictions = workshop.activities.jurisdictions
    return JurisdictionPicker(jurisdictions, workshop.ui, shared_state()) if jurisdictions else None
