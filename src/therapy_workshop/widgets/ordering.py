"""Ordering exercise: put steps in order with Move up / Move down buttons (or Alt+arrow keys).

Check gives feedback per step: a step in the right place shows why it belongs there; a step out of place
says whether it belongs earlier or later, so the learner can fix it without being handed the answer.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import traitlets

from therapy_workshop.html.markdown import render_inline, render_markdown
from therapy_workshop.html.safe import Markup, html, join
from therapy_workshop.widgets import lean
from therapy_workshop.widgets.answers import announce
from therapy_workshop.widgets.checkable import ExerciseWidget
from therapy_workshop.widgets.feedback import (
    activity_heading_html,
    button_row,
    plain_text,
    source_line_html,
)
from therapy_workshop.widgets.live_region import LiveRegion
from therapy_workshop.widgets.order_list import OrderList
from therapy_workshop.widgets.place import PlaceError, field_of, one_of

if TYPE_CHECKING:
    from therapy_workshop.model.content import Source, UIStrings
    from therapy_workshop.model.exercises import OrderingExercise


class OrderingError(RuntimeError):
    """An ordering action that does not apply (unknown item, or the list is locked)."""


def starting_order(exercise: OrderingExercise) -> list[int]:
    """A shuffled order that is the same on every visit and never already right."""
    order = list(range(len(exercise.items)))
    random.Random(exercise.id).shuffle(order)
    if order == sorted(order):
        order = order[1:] + order[:1]
    return order


class OrderingWidget(ExerciseWidget):
    """The list, Check / Try again / Show answer, and per-step feedback."""

    css_classes = ("tw-exercise", "tw-ordering")

    @staticmethod
    def answer_key_html(exercise: OrderingExercise) -> Markup:
        """For the facilitator: the right order of the steps, with why each stands where it does."""
        steps = join(
            html("<li><strong>{}</strong>: {}</li>", render_inline(item.text), render_inline(item.explanation))
            for item in exercise.items
        )
        return html("<ol>{}</ol>", steps)

    @staticmethod
    def paper_html(exercise: OrderingExercise) -> Markup:
        """For the printed handout: the steps to number, in the app's shuffled order (the content's is the answer)."""
        items = join(
            html("<li>{}</li>", render_inline(exercise.items[index].text)) for index in starting_order(exercise)
        )
        return html("<h3>{}</h3><p>Number these steps in order.</p><ul>{}</ul>", exercise.title, items)

    first_score = traitlets.Int(-1, help="Steps in place at the first check; -1 until then.")

    def __init__(self, exercise: OrderingExercise, ui: UIStrings, sources: Mapping[str, Source], **kwargs: Any) -> None:
        self.exercise = exercise
        self.ui = ui
        self.sources = sources
        self._announced = False  # the first check's result went to the room (see answers.py)
        self.list = OrderList(
            item_html=[render_inline(item.text) for item in exercise.items],
            item_text=[plain_text(render_inline(item.text)) for item in exercise.items],
            order=starting_order(exercise),
            marks=[""] * len(exercise.items),
            labels={
                "up": ui.move_up,
                "down": ui.move_down,
                "right": ui.mark_in_place,
                "wrong": ui.mark_out_of_place,
            },
        )
        buttons, (self.check_button, self.retry_button, self.show_answer_button) = button_row(
            (ui.check, self.check, True), (ui.try_again, self.retry, False), (ui.show_answer, self.show_answer, False)
        )
        self.feedback = LiveRegion(label=ui.feedback_label)
        heading = lean.HTML(activity_heading_html(exercise.title, exercise.instructions))
        self.room_board = lean.HTML()  # the room's answers, once the facilitator reveals them (see room_boards)
        super().__init__([heading, self.list, buttons, self.feedback, self.room_board], **kwargs)
        self._show_controls()
        self.list.observe(self._on_place_change, names="order")
        self.observe(self._on_place_change, names=["status", "first_score"])

    # ------------------------------------------------------------------ Python twins
    @property
    def order(self) -> list[str]:
        """Item ids in the order shown."""
        return [self.exercise.items[index].id for index in self.list.order]

    def move_up(self, item: str) -> None:
        """Move ``item`` one place up, as its Move up button does."""
        self._move(item, -1)

    def move_down(self, item: str) -> None:
        """Move ``item`` one place down."""
        self._move(item, 1)

    def set_order(self, item_ids: list[str]) -> None:
        """Arrange all items at once (for tests and for a learner who types positions)."""
        self._require_unlocked()
        ids = [item.id for item in self.exercise.items]
        unknown = [each for each in item_ids if each not in ids]
        if unknown:
            raise OrderingError(f"unknown item {unknown[0]!r}")
        self.list.order = [ids.index(each) for each in item_ids]

    # ------------------------------------------------------------------ the place kept in the browser
    def place_state(self) -> dict[str, Any]:
        """The steps in the order shown, whether they were checked, and the first check's score."""
        if self.list.order == starting_order(self.exercise) and self.status == "answering" and self.first_score < 0:
            return {}
        return {"order": self.order, "status": self.status, "first_score": self.first_score}

    def restore_place(self, state: Mapping[str, Any]) -> None:
        """Arrange the stored order again (new steps go where they start, gone ones are left out), then check."""
        stored = field_of(state, "order", list, [])
        if not all(isinstance(item, str) for item in stored):
            raise PlaceError("'order' should be a list of step ids")
        status = one_of(state.get("status", "answering"), "status", ("answering", "checked", "revealed"))
        first_score = field_of(state, "first_score", int, -1)
        ids = [item.id for item in self.exercise.items]
        kept = [item for item in dict.fromkeys(stored) if item in ids]
        new = [ids[index] for index in starting_order(self.exercise) if ids[index] not in kept]
        self.status = "answering"
        self.set_order(kept + new)
        self.first_score = first_score if -1 <= first_score <= len(ids) else -1
        self.replay_status(status)

    def _on_place_change(self, change: dict[str, Any]) -> None:
        self.place_changed()
        if change["name"] == "status" and change["new"] == "checked" and not self._announced:
            self._announced = True
            announce(f"order:{self.exercise.id}", "right" if self._is_all_right() else "not-right")

    # ------------------------------------------------------------------ what the learner sees
    @property
    def in_place(self) -> int:
        """Steps in their right place."""
        return sum(position == item for position, item in enumerate(self.list.order))

    @property
    def feedback_text(self) -> str:
        """The feedback as plain text."""
        return plain_text(self.feedback.html)

    # ------------------------------------------------------------------ the state machine's hooks
    def _note_first_attempt(self, revealed: bool) -> None:
        if self.first_score < 0:
            self.first_score = self.in_place

    def _is_all_right(self) -> bool:
        return self.in_place == len(self.exercise.items)

    def _before_reveal(self) -> None:
        self.list.order = list(range(len(self.exercise.items)))  # every step in its place

    def _draw(self, status: str) -> None:
        self.list.disabled = status != "answering"
        if status == "answering":
            self.list.marks = [""] * len(self.exercise.items)
            self.feedback.html = ""
        else:
            self.list.marks = [
                "right" if position == item else "wrong" for position, item in enumerate(self.list.order)
            ]
            self.feedback.html = self._feedback_html()
            self.feedback.request_focus()

    def _require_unlocked(self) -> None:
        if self.status != "answering":
            raise OrderingError("the list is locked while feedback is shown: call retry() first")

    def _move(self, item_id: str, delta: int) -> None:
        self._require_unlocked()
        ids = [item.id for item in self.exercise.items]
        if item_id not in ids:
            raise OrderingError(f"unknown item {item_id!r}")
        order = list(self.list.order)
        position = order.index(ids.index(item_id))
        target = position + delta
        if 0 <= target < len(order):
            order[position], order[target] = order[target], order[position]
            self.list.order = order

    def _feedback_html(self) -> Markup:
        rows = []
        for position, index in enumerate(self.list.order):
            item = self.exercise.items[index]
            text = render_inline(item.text)
            if position == index:
                body = render_markdown(item.explanation) + source_line_html(item.sources, self.sources, self.ui)
                rows.append(html('<li data-tone="right"><strong>{}</strong>: {}{}</li>', text, self.ui.in_place, body))
            else:
                hint = self.ui.belongs_earlier if index < position else self.ui.belongs_later
                rows.append(html('<li data-tone="wrong"><strong>{}</strong>: {}</li>', text, hint))
        score = self.ui.format("ordered_score", right=self.in_place, total=len(self.exercise.items))
        return html(
            '<div class="tw-feedback"><p class="tw-score">{}</p><ol class="tw-order-feedback">{}</ol></div>',
            score,
            join(rows),
        )
