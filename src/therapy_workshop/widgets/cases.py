"""Follow a case: a fictional complaint walked stage by stage, predicting each next step.

At each stage the learner first predicts what happens, then sees what does and why. Predicting wrongly
costs nothing; the point is to notice where expectations and the process differ (many people expect a
regulator to award compensation, for example).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
import traitlets

from therapy_workshop.html.markdown import render_inline, render_markdown
from therapy_workshop.html.safe import Markup, html
from therapy_workshop.widgets import lean
from therapy_workshop.widgets.choices import ChoiceGroup
from therapy_workshop.widgets.feedback import plain_text, set_hidden, source_line_html
from therapy_workshop.widgets.live_region import LiveRegion

if TYPE_CHECKING:
    from therapy_workshop.model.content import Source, UIStrings
    from therapy_workshop.model.process import Case, Jurisdiction, ProcessFile


class CaseError(RuntimeError):
    """A case action that does not apply now."""


class FollowCase(lean.VBox):
    """Pick a case; at each stage predict, check, read what happened, and move on."""

    css_classes = ("tw-case",)

    case_id = traitlets.Unicode(help="Id of the case being followed.")
    step = traitlets.Int(0, help="Which stage of the case is shown (zero-based).")
    revealed = traitlets.Bool(False, help="Whether this stage's outcome is shown.")

    def __init__(
        self,
        cases: Mapping[str, Case],
        process: ProcessFile,
        jurisdictions: Mapping[str, Jurisdiction],
        ui: UIStrings,
        sources: Mapping[str, Source],
        **kwargs: Any,
    ) -> None:
        self.cases = cases
        self.process = process
        self.jurisdictions = jurisdictions
        self.ui = ui
        self.sources = sources
        self.predictions: dict[tuple[str, int], bool] = {}
        options = [(self._case_label(case), case.id) for case in cases.values()]
        self.case_picker = widgets.Dropdown(
            options=options,
            description=ui.case_label,
            style={"description_width": "initial"},
            layout=widgets.Layout(width="auto"),
        )
        self.summary = lean.HTML()
        self.stage_heading = lean.HTML()
        self.choices = ChoiceGroup(
            mark_labels={"right": ui.mark_right, "wrong": ui.mark_wrong, "answer": ui.mark_answer}
        )
        self.check_button = lean.Button(description=ui.check_prediction, button_style="primary")
        self.next_button = lean.Button(description=ui.next_stage)
        self.check_button.on_click(lambda _button: self.reveal())
        self.next_button.on_click(lambda _button: self.next_step())
        buttons = lean.HBox([self.check_button, self.next_button], classes=("tw-buttons",))
        self.outcome = LiveRegion(label=ui.feedback_label)
        super().__init__(
            [self.case_picker, self.summary, self.stage_heading, self.choices, buttons, self.outcome],
            **kwargs,
        )
        self._built = False  # focus moves only after the learner acts, never while the page is loading
        self.case_id = options[0][1]
        traitlets.link((self.case_picker, "value"), (self, "case_id"))
        self._show()
        self._built = True

    # ------------------------------------------------------------------ Python twins
    @property
    def case(self) -> Case:
        """The case being followed."""
        return self.cases[self.case_id]

    def choose_case(self, case_id: str) -> None:
        """Start following ``case_id`` from its first stage."""
        if case_id not in self.cases:
            raise CaseError(f"no case {case_id!r}")
        self.case_id = case_id

    def predict(self, option: int) -> None:
        """Choose a prediction for the current stage."""
        if self.revealed:
            raise CaseError("this stage is already shown: call next_step()")
        self.choices.selected = [option]

    def reveal(self) -> None:
        """Show what happens at this stage and why (after a prediction, or without one)."""
        if not self.choices.selected and not self.revealed:
            self.outcome.html = html('<p class="tw-nudge">{}</p>', self.ui.predict_first)
            self.outcome.request_focus()
            return
        self.revealed = True

    def next_step(self) -> None:
        """Move to the case's next stage."""
        if not self.revealed:
            raise CaseError("check your prediction first: call reveal()")
        if self.step + 1 < len(self.case.steps):
            self.step += 1

    @property
    def finished(self) -> bool:
        """Whether the last stage of the case has been shown."""
        return self.revealed and self.step + 1 == len(self.case.steps)

    @property
    def outcome_text(self) -> str:
        """What happened at this stage, as plain text."""
        return plain_text(self.outcome.html)

    @property
    def stage_text(self) -> str:
        """The stage heading, as plain text."""
        return plain_text(self.stage_heading.value)

    # ------------------------------------------------------------------ reactions
    @traitlets.observe("case_id")
    def _on_case_id_change(self, _change: dict[str, Any]) -> None:
        self.step = 0
        self.revealed = False
        self._show()
        if self._built:
            self.choices.request_focus()

    @traitlets.observe("step")
    def _on_step_change(self, _change: dict[str, Any]) -> None:
        self.revealed = False
        self._show()
        if self._built:
            self.choices.request_focus()

    @traitlets.observe("revealed")
    def _on_revealed_change(self, change: dict[str, Any]) -> None:
        if change["new"]:
            step = self.case.steps[self.step]
            chosen = self.choices.selected[0] if self.choices.selected else None
            if chosen is not None:
                self.predictions.setdefault((self.case_id, self.step), step.options[chosen].correct)
            self.choices.marks = [
                ("right" if option.correct else "wrong") if index == chosen else ("answer" if option.correct else "")
                for index, option in enumerate(step.options)
            ]
            self.outcome.html = self._outcome_html()
            self.outcome.request_focus()
        self._show_controls()

    def _case_label(self, case: Case) -> str:
        place = self.jurisdictions.get(case.jurisdiction)
        return f"{case.title} ({place.name})" if place is not None else case.title

    def _stage_name(self, stage_id: str) -> str:
        place = self.jurisdictions.get(self.case.jurisdiction)
        if place is not None and stage_id in place.stage_names:
            return place.stage_names[stage_id]
        return self.process.stage(stage_id).title

    def _show(self) -> None:
        case = self.case
        step = case.steps[self.step]
        self.summary.value = html(
            '<div class="tw-case-summary"><h4>{}</h4>{}</div>', case.title, render_markdown(case.summary)
        )
        heading = self.ui.format(
            "step_of", number=self.step + 1, total=len(case.steps), stage=self._stage_name(step.stage)
        )
        self.stage_heading.value = html('<p class="tw-counter"><strong>{}</strong></p>', heading)
        self.choices.option_html = [render_inline(option.text) for option in step.options]
        self.choices.legend_html = render_markdown(step.question)
        self.choices.selected = []
        self.choices.marks = [""] * len(step.options)
        self.outcome.html = ""
        self._show_controls()

    def _show_controls(self) -> None:
        self.choices.disabled = self.revealed
        set_hidden(self.check_button, self.revealed)
        set_hidden(self.next_button, not self.revealed or self.step + 1 == len(self.case.steps))

    def _outcome_html(self) -> Markup:
        step = self.case.steps[self.step]
        closing = Markup()
        if self.step + 1 == len(self.case.steps):
            path = " → ".join(self._stage_name(each.stage) for each in self.case.steps)
            closing = html(
                '<p class="tw-lead"><strong>{}</strong> {} {}</p>', self.ui.case_closed, self.ui.case_path, path
            )
        return html(
            '<div class="tw-feedback" data-tone="story"><h5>{what_heading}</h5>{what}<h5>{why_heading}</h5>{why}'
            "{sources}{closing}</div>",
            what_heading=self.ui.what_happens_heading,
            what=render_markdown(step.what_happens),
            why_heading=self.ui.why_heading,
            why=render_markdown(step.why),
            sources=source_line_html(step.sources, self.sources, self.ui),
            closing=closing,
        )


def build_follow_case(workshop: Any) -> FollowCase:
    """The case follower over all case files."""
    activities = workshop.activities
    if activities.process is None or not activities.cases:
        raise KeyError("there are no case files in content/process/cases/")
    return FollowCase(activities.cases, activities.process, activities.jurisdictions, workshop.ui, workshop.sources)
