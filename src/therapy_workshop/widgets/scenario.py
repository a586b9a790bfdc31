"""Branching scenario widget: decisions with consequences, then an after-action review.

The learner reads a situation and picks what to do; the feedback says what follows and why, and Continue
moves the story on. Variables carry consequences from one decision to later ones (a choice may only be on
offer if, say, ``confidence >= 2``). At an ending the debrief explains the outcome and the after-action
review lists every decision, in order, with what followed. Back and Restart undo without penalty; there is
no timer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import traitlets

from therapy_workshop.html.markdown import render_markdown
from therapy_workshop.html.safe import Markup, html, join
from therapy_workshop.model.conditions import parse_condition
from therapy_workshop.widgets import lean
from therapy_workshop.widgets.answers import announce
from therapy_workshop.widgets.feedback import activity_heading_html, plain_text, set_hidden, source_line_html
from therapy_workshop.widgets.live_region import LiveRegion
from therapy_workshop.widgets.place import PlaceError, Remembered, field_of, one_of, remember, str_map
from therapy_workshop.widgets.progress import track

if TYPE_CHECKING:
    from therapy_workshop.model.content import Source, UIStrings
    from therapy_workshop.model.scenario import Scenario, ScenarioChoice


class ScenarioError(RuntimeError):
    """A scenario action that does not apply right now (e.g. picking while feedback is shown)."""


@dataclass(frozen=True)
class Step:
    """One decision taken: where, which choice, and the variables before it (so Back can undo it)."""

    node_id: str
    choice_index: int
    values_before: tuple[tuple[str, int], ...]


class ScenarioWidget(Remembered, lean.VBox):
    """Plays one scenario. Python twins: ``pick(i)``, ``proceed()``, ``back()``, ``restart()``.

    Its place (the decisions taken, so the path and the variables) is kept in the learner's browser and
    replayed decision by decision on a fresh kernel.
    """

    css_classes = ("tw-scenario",)

    node = traitlets.Unicode(help="Id of the node on screen.")
    stage = traitlets.Enum(
        ("choosing", "feedback", "ended"),
        "choosing",
        help="Choosing, reading a choice's feedback, or at an ending.",
    )

    def __init__(self, scenario: Scenario, ui: UIStrings, sources: Mapping[str, Source], **kwargs: Any) -> None:
        self.scenario = scenario
        self.ui = ui
        self.sources = sources
        self.values: dict[str, int] = dict(scenario.variables)
        self.steps: list[Step] = []
        self.pending: ScenarioChoice | None = None
        self.heading = lean.HTML(activity_heading_html(scenario.title, scenario.intro))
        self.situation = lean.HTML()
        # One button per choice slot, made once and relabelled at each node: a long session builds no new
        # widgets (making buttons per step and dropping the old ones grew the page without bound).
        most_choices = max((len(node.choices) for node in scenario.nodes.values()), default=0)
        self.choice_buttons = [lean.Button(classes=("tw-choice-button",)) for _ in range(most_choices)]
        for position, button in enumerate(self.choice_buttons):
            button.on_click(lambda _button, position=position: self.pick(position))
        self.choice_box = lean.VBox(classes=("tw-scenario-choices",))
        self.feedback = LiveRegion(label=ui.feedback_label)
        self.continue_button = lean.Button(description=ui.continue_story, button_style="primary")
        self.back_button = lean.Button(description=ui.back)
        self.restart_button = lean.Button(description=ui.restart)
        self.continue_button.on_click(lambda _button: self.proceed())
        self.back_button.on_click(lambda _button: self.back())
        self.restart_button.on_click(lambda _button: self.restart())
        controls = lean.HBox([self.continue_button, self.back_button, self.restart_button], classes=("tw-buttons",))
        self.review = LiveRegion(label=ui.review_label)
        self.room_board = lean.HTML()  # the room's answers, once the facilitator reveals them (see room_boards)
        super().__init__(
            [self.heading, self.situation, self.choice_box, self.feedback, controls, self.review, self.room_board],
            **kwargs,
        )
        self.node = scenario.start

    # ------------------------------------------------------------------ Python twins
    @property
    def offered(self) -> list[int]:
        """Indexes (into the node's choices) of the choices on offer now, in the order shown."""
        node = self.scenario.nodes[self.node]
        return [
            index
            for index, choice in enumerate(node.choices)
            if choice.when is None or parse_condition(choice.when).evaluate(self.values)
        ]

    def pick(self, position: int) -> None:
        """Take the ``position``-th choice on offer: its feedback is shown and Continue appears."""
        if self.stage != "choosing":
            raise ScenarioError("a choice's feedback is showing: call proceed() to continue, or back()")
        offered = self.offered
        if not 0 <= position < len(offered):
            raise ScenarioError(f"choice {position} is not on offer (there are {len(offered)})")
        index = offered[position]
        choice = self.scenario.nodes[self.node].choices[index]
        self.steps.append(Step(self.node, index, tuple(sorted(self.values.items()))))
        announce(f"choice:{self.scenario.id}:{self.node}", index)
        for name, change in choice.changes.items():
            self.values[name] = self.values.get(name, 0) + change
        self.pending = choice
        self.stage = "feedback"
        self.place_changed()

    def proceed(self) -> None:
        """Continue to where the chosen option leads."""
        if self.stage != "feedback" or self.pending is None:
            raise ScenarioError("choose something first")
        target = self.pending.goto
        self.pending = None
        self.stage = "choosing"
        self.node = target
        self.place_changed()

    def back(self) -> None:
        """Undo the last decision (its feedback, or the move it led to), restoring the variables."""
        if not self.scenario.allow_back:
            raise ScenarioError("Back is switched off for this scenario")
        if not self.steps:
            return
        step = self.steps.pop()
        self.values = dict(step.values_before)
        self.pending = None
        self.stage = "choosing"
        self.node = step.node_id
        self._show()
        self.place_changed()

    def restart(self) -> None:
        """Start again from the beginning with the starting variables."""
        self.values = dict(self.scenario.variables)
        self.steps = []
        self.pending = None
        self.stage = "choosing"
        self.node = self.scenario.start
        self._show()
        self.place_changed()

    # ------------------------------------------------------------------ the place kept in the browser
    def place_state(self) -> dict[str, Any]:
        """Each decision as [node id, choice index], the stage reached, and the variables now."""
        if not self.steps:
            return {}
        return {
            "steps": [[step.node_id, step.choice_index] for step in self.steps],
            "stage": self.stage,
            "variables": dict(self.values),
        }

    def restore_place(self, state: Mapping[str, Any]) -> None:
        """Take the stored decisions again from the start, stopping where the story no longer matches them.

        The variables follow from the decisions, so they are recomputed, not copied: a story whose choices
        changed since the visit cannot be put into a state its own rules would not reach.
        """
        steps = field_of(state, "steps", list, [])
        for step in steps:
            if not (
                isinstance(step, list)
                and len(step) == 2
                and isinstance(step[0], str)
                and isinstance(step[1], int)
                and not isinstance(step[1], bool)
            ):
                raise PlaceError("each step should be [node id, choice number]")
        stage = one_of(state.get("stage", "choosing"), "stage", ("choosing", "feedback", "ended"))
        str_map(field_of(state, "variables", dict, {}), "variables", int)
        self.restart()
        for number, (node_id, choice_index) in enumerate(steps):
            offered = self.offered
            if self.stage != "choosing" or self.node != node_id or choice_index not in offered:
                break  # the story changed here since the visit: keep the decisions that still fit
            self.pick(offered.index(choice_index))
            if number < len(steps) - 1 or stage != "feedback":
                self.proceed()

    @property
    def path(self) -> list[str]:
        """Node ids visited so far, in order, ending with the current one."""
        return [step.node_id for step in self.steps] + ([self.node] if self.stage != "feedback" else [])

    @property
    def ending(self) -> str | None:
        """The kind of ending reached (good, mixed or poor), or None while the story goes on."""
        return self.scenario.nodes[self.node].ending if self.stage == "ended" else None

    @property
    def situation_text(self) -> str:
        """What the learner reads now, as plain text."""
        return plain_text(self.situation.value)

    @property
    def review_text(self) -> str:
        """The debrief and after-action review, as plain text."""
        return plain_text(self.review.html)

    # ------------------------------------------------------------------ reactions
    @traitlets.observe("node")
    def _on_node_change(self, _change: dict[str, Any]) -> None:
        node = self.scenario.nodes[self.node]
        if node.is_ending:
            self.stage = "ended"
            announce(f"ending:{self.scenario.id}", self.node)
        self._show()

    @traitlets.observe("stage")
    def _on_stage_change(self, _change: dict[str, Any]) -> None:
        self._show()

    def _show(self) -> None:
        node = self.scenario.nodes[self.node]
        ending_label = (
            html('<p class="tw-ending-kind">{}</p>', self._ending_label(node.ending)) if node.ending else Markup()
        )
        self.situation.value = html(
            '<div class="tw-situation"><h4>{}</h4>{}{}</div>', node.title, ending_label, render_markdown(node.text)
        )
        offered = self.offered if self.stage == "choosing" else []
        for button, index in zip(self.choice_buttons, offered, strict=False):
            button.description = button.tooltip = node.choices[index].label
        self.choice_box.children = self.choice_buttons[: len(offered)]
        if self.stage == "feedback" and self.pending is not None:
            self.feedback.html = html(
                '<div class="tw-feedback" data-tone="story"><p class="tw-lead">{} <strong>{}</strong></p>{}</div>',
                self.ui.you_chose,
                self.pending.label,
                render_markdown(self.pending.feedback),
            )
            self.feedback.request_focus()
        else:
            self.feedback.html = ""
        if self.stage == "ended":
            self.review.html = self._review_html()
            self.review.request_focus()
        else:
            self.review.html = ""
        set_hidden(self.continue_button, self.stage != "feedback")
        set_hidden(self.back_button, not (self.scenario.allow_back and self.steps))
        set_hidden(self.restart_button, not self.steps)

    def _ending_label(self, kind: str | None) -> str:
        return {"good": self.ui.ending_good, "mixed": self.ui.ending_mixed, "poor": self.ui.ending_poor}.get(
            kind or "", ""
        )

    def _review_html(self) -> Markup:
        node = self.scenario.nodes[self.node]
        rows = []
        for step in self.steps:
            choice = self.scenario.nodes[step.node_id].choices[step.choice_index]
            where = self.scenario.nodes[step.node_id].title
            rows.append(
                html(
                    "<li><p><strong>{}</strong>: {} <em>{}</em></p>{}</li>",
                    where,
                    self.ui.you_chose,
                    choice.label,
                    render_markdown(choice.feedback),
                )
            )
        return html(
            '<div class="tw-review-block"><h4>{debrief_heading}</h4>{debrief}'
            '<h4>{review_heading}</h4><ol class="tw-after-action">{rows}</ol>{sources}</div>',
            debrief_heading=self.ui.debrief_heading,
            debrief=render_markdown(node.debrief or ""),
            review_heading=self.ui.review_label,
            rows=join(rows),
            sources=source_line_html(self.scenario.sources, self.sources, self.ui),
        )


def build_scenario(workshop: Any, scenario_id: str) -> ScenarioWidget:
    """A fresh widget playing the scenario called ``scenario_id``."""
    scenario = workshop.scenarios.get(scenario_id)
    if scenario is None:
        known = ", ".join(sorted(workshop.scenarios)) or "none"
        raise KeyError(f"no scenario {scenario_id!r} (scenarios: {known})")
    widget = ScenarioWidget(scenario, workshop.ui, workshop.sources)
    module_id = workshop.activities.module_of.get(scenario_id, "")
    track(widget, module_id, scenario_id, "stage", lambda stage: stage == "ended")
    remember(widget, f"scenario:{scenario_id}")
    return widget
