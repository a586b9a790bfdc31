"""Categorise exercise: sort short vignettes into categories ("red flag / grey area / fine").

No dragging anywhere: each vignette has its own labelled group of radio buttons, so the exercise works with
a keyboard, a screen reader or a touch screen alike. Check marks every vignette right or wrong with its own
explanation and sources; Try again clears only the ones that were not right.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import traitlets

from therapy_workshop.html.markdown import render_inline, render_markdown
from therapy_workshop.html.safe import Markup, html, join
from therapy_workshop.widgets import lean
from therapy_workshop.widgets.answers import announce
from therapy_workshop.widgets.checkable import ExerciseWidget
from therapy_workshop.widgets.choices import ChoiceGroup
from therapy_workshop.widgets.feedback import (
    activity_heading_html,
    button_row,
    plain_text,
    source_line_html,
)
from therapy_workshop.widgets.live_region import LiveRegion
from therapy_workshop.widgets.place import field_of, one_of, str_map

if TYPE_CHECKING:
    from therapy_workshop.model.content import Source, UIStrings
    from therapy_workshop.model.exercises import CategoriseExercise, CategoriseItem


class ExerciseError(RuntimeError):
    """An exercise action that does not apply (an unknown item or category, or options that are locked)."""


class CategoriseItemWidget(lean.VBox):
    """One vignette with its category choices and, after checking, its explanation."""

    css_classes = ("tw-sort-item",)

    def __init__(self, item: CategoriseItem, exercise: CategoriseExercise, ui: UIStrings, **kwargs: Any) -> None:
        self.item = item
        self.choices = ChoiceGroup(
            legend_html=render_markdown(item.text),
            option_html=[render_inline(category.label) for category in exercise.categories],
            marks=[""] * len(exercise.categories),
            mark_labels={"right": ui.mark_right, "wrong": ui.mark_wrong, "answer": ui.mark_answer},
        )
        self.feedback = lean.HTML()
        super().__init__([self.choices, self.feedback], **kwargs)

    @property
    def chosen(self) -> int | None:
        """Index of the chosen category, or None if the item is not sorted yet."""
        return self.choices.selected[0] if self.choices.selected else None


class CategoriseWidget(ExerciseWidget):
    """The whole exercise: instructions, one choice group per item, Check / Try again / Show answers."""

    css_classes = ("tw-exercise",)

    @staticmethod
    def answer_key_html(exercise: CategoriseExercise) -> Markup:
        """For the facilitator: where each item belongs, with why."""
        labels = {category.id: category.label for category in exercise.categories}
        rows = join(
            html(
                "<li>{} <strong>→ {}</strong>{}</li>",
                render_inline(item.text),
                labels[item.category],
                render_markdown(item.explanation),
            )
            for item in exercise.items
        )
        return html("<ol>{}</ol>", rows)

    @staticmethod
    def paper_html(exercise: CategoriseExercise) -> Markup:
        """For the printed handout: the items, and the categories to choose from."""
        items = join(html("<li>{}</li>", render_inline(item.text)) for item in exercise.items)
        labels = " / ".join(category.label for category in exercise.categories)
        return html("<h3>{}</h3><p>For each one, choose: {}.</p><ol>{}</ol>", exercise.title, labels, items)

    first_score = traitlets.Int(-1, help="Items right at the first check; -1 until the first check.")

    def __init__(
        self, exercise: CategoriseExercise, ui: UIStrings, sources: Mapping[str, Source], **kwargs: Any
    ) -> None:
        self.exercise = exercise
        self.ui = ui
        self.sources = sources
        self.items = [CategoriseItemWidget(item, exercise, ui) for item in exercise.items]
        self._announced = False  # the first check's answers went to the room (see answers.py)
        heading = lean.HTML(activity_heading_html(exercise.title, exercise.instructions) + self._legend_html())
        buttons, (self.check_button, self.retry_button, self.show_answer_button) = button_row(
            (ui.check, self.check, True), (ui.try_again, self.retry, False), (ui.show_answers, self.show_answers, False)
        )
        self.result = LiveRegion(label=ui.results_label)
        self.room_board = lean.HTML()  # the room's answers, once the facilitator reveals them (see room_boards)
        super().__init__([heading, *self.items, buttons, self.result, self.room_board], **kwargs)
        self._show_controls()
        for widget in self.items:
            widget.choices.observe(self._on_place_change, names="selected")
        self.observe(self._on_place_change, names=["status", "first_score"])

    # ------------------------------------------------------------------ Python twins
    def sort(self, item: int | str, category: str) -> None:
        """Put ``item`` (index or id) into ``category`` (id), as choosing its radio button would."""
        if self.status != "answering":
            raise ExerciseError("the items are locked while feedback is shown: call retry() first")
        widget = self._item(item)
        ids = self.exercise.category_ids
        if category not in ids:
            raise ExerciseError(f"unknown category {category!r}; choose one of {', '.join(ids)}")
        widget.choices.selected = [ids.index(category)]

    def show_answers(self) -> None:
        """Show where every item belongs, with its explanation (the Show answers button)."""
        self.show_answer()

    # ------------------------------------------------------------------ the place kept in the browser
    def place_state(self) -> dict[str, Any]:
        """Which category each sorted item is in, whether it was checked, and the first check's score."""
        ids = self.exercise.category_ids
        sorted_items = {widget.item.id: ids[widget.chosen] for widget in self.items if widget.chosen is not None}
        if not sorted_items and self.status == "answering" and self.first_score < 0:
            return {}
        return {"sorted": sorted_items, "status": self.status, "first_score": self.first_score}

    def restore_place(self, state: Mapping[str, Any]) -> None:
        """Sort the stored items again (items or categories no longer in the exercise are left out), then check."""
        stored = str_map(field_of(state, "sorted", dict, {}), "sorted", str)
        status = one_of(state.get("status", "answering"), "status", ("answering", "checked", "revealed"))
        first_score = field_of(state, "first_score", int, -1)
        self.status = "answering"
        ids = self.exercise.category_ids
        for widget in self.items:
            category = stored.get(widget.item.id)
            widget.choices.selected = [ids.index(category)] if category in ids else []
        self.first_score = first_score if -1 <= first_score <= len(self.items) else -1
        self.replay_status(status)

    def _on_place_change(self, change: dict[str, Any]) -> None:
        self.place_changed()
        if change["name"] == "status" and change["new"] == "checked" and not self._announced:
            self._announced = True
            ids = self.exercise.category_ids
            for widget in self.items:
                if widget.chosen is not None:
                    announce(f"sort:{self.exercise.id}:{widget.item.id}", ids[widget.chosen])

    # ------------------------------------------------------------------ what the learner sees
    @property
    def right_count(self) -> int:
        """Items sorted into the category their sources support."""
        return sum(self._is_right(widget) for widget in self.items)

    @property
    def result_text(self) -> str:
        """The overall result as plain text."""
        return plain_text(self.result.html)

    def item_feedback_text(self, item: int | str) -> str:
        """One item's feedback as plain text."""
        return plain_text(self._item(item).feedback.value)

    # ------------------------------------------------------------------ the state machine's hooks
    def _has_answer(self) -> bool:
        return any(widget.chosen is not None for widget in self.items)

    def _nudge(self) -> None:
        self.result.html = html('<p class="tw-nudge">{}</p>', self.ui.sort_first)
        self.result.request_focus()

    def _note_first_attempt(self, revealed: bool) -> None:
        if self.first_score < 0:
            self.first_score = self.right_count

    def _is_all_right(self) -> bool:
        return self.right_count == len(self.items)

    def _after_retry(self) -> None:
        # The right items stay sorted; the others are cleared, and focus goes to the first of them.
        for widget in self.items:
            if not self._is_right(widget):
                widget.choices.selected = []
        wrong = next((widget for widget in self.items if widget.chosen is None), None)
        if wrong is not None:
            wrong.choices.request_focus()

    def _draw(self, status: str) -> None:
        for widget in self.items:
            widget.choices.disabled = status != "answering"
            if status == "answering":
                widget.choices.marks = [""] * len(self.exercise.categories)
                widget.feedback.value = ""
            else:
                widget.choices.marks = self._marks(widget, reveal=status == "revealed")
                widget.feedback.value = self._item_feedback_html(widget, reveal=status == "revealed")
        if status == "answering":
            self.result.html = ""
        else:
            self.result.html = self._result_html()
            self.result.request_focus()

    def _item(self, item: int | str) -> CategoriseItemWidget:
        if isinstance(item, int):
            if not 0 <= item < len(self.items):
                raise ExerciseError(f"item {item} does not exist (there are {len(self.items)} items)")
            return self.items[item]
        for widget in self.items:
            if widget.item.id == item:
                return widget
        raise ExerciseError(f"no item {item!r} in exercise {self.exercise.id}")

    def _answer_index(self, widget: CategoriseItemWidget) -> int:
        return self.exercise.category_ids.index(widget.item.category)

    def _is_right(self, widget: CategoriseItemWidget) -> bool:
        return widget.chosen == self._answer_index(widget)

    def _marks(self, widget: CategoriseItemWidget, reveal: bool) -> list[str]:
        answer = self._answer_index(widget)
        marks = [""] * len(self.exercise.categories)
        if widget.chosen is not None:
            marks[widget.chosen] = "right" if widget.chosen == answer else "wrong"
        if reveal and widget.chosen != answer:
            marks[answer] = "answer"
        return marks

    def _item_feedback_html(self, widget: CategoriseItemWidget, reveal: bool) -> Markup:
        answer = self.exercise.categories[self._answer_index(widget)]
        if widget.chosen is None and not reveal:
            return html('<div class="tw-feedback" data-tone="skipped"><p>{}</p></div>', self.ui.not_sorted)
        if self._is_right(widget):
            tone, verdict = "right", self.ui.correct_heading
        elif reveal:
            tone, verdict = "revealed", self.ui.format("belongs_in", category=answer.label)
        else:
            tone, verdict = "wrong", self.ui.incorrect_heading
        return html(
            '<div class="tw-feedback" data-tone="{}"><p class="tw-verdict">{}</p>{}{}</div>',
            tone,
            verdict,
            render_markdown(widget.item.explanation),
            source_line_html(widget.item.sources, self.sources, self.ui),
        )

    def _result_html(self) -> Markup:
        text = self.ui.format("sorted_score", right=self.right_count, total=len(self.items))
        return html('<p class="tw-score">{}</p>', text)

    def _legend_html(self) -> Markup:
        rows = join(
            html(
                "<li><strong>{}</strong>{}</li>",
                category.label,
                html(": {}", render_inline(category.description)) if category.description else Markup(),
            )
            for category in self.exercise.categories
        )
        return html('<ul class="tw-categories">{}</ul>', rows)
