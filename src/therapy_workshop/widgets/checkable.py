"""Answer, Check, Try again, Show answer: the one state machine of quiz questions, categorise and ordering.

The three activities differ in what an answer is and how feedback looks, but not in how a learner moves
between answering, looking at feedback and seeing the answer, in which buttons are offered when, or in what
counts as the first attempt (the first Check, or Show answer before any Check). That part lives here once, so
the activities cannot drift apart and a later feature (restoring a learner's place) has one state to save.
"""

from __future__ import annotations

from typing import Any, Literal

import traitlets

from therapy_workshop.html.safe import Markup
from therapy_workshop.widgets import lean
from therapy_workshop.widgets.feedback import set_hidden
from therapy_workshop.widgets.place import Remembered

Move = Literal["check", "retry", "show_answer"]


class Checkable(lean.VBox):
    """Base of an activity a learner answers, checks, tries again and can ask to see the answer of.

    A subclass creates ``check_button``, ``retry_button`` and ``show_answer_button`` before calling
    :meth:`_show_controls`, and fills in the hooks below; the moves are :meth:`check`, :meth:`retry` and
    :meth:`show_answer`, the Python twins of the three buttons.
    """

    status = traitlets.Enum(
        ("answering", "checked", "revealed"), "answering", help="Answering, looking at feedback, or answer shown."
    )
    check_button: Any
    retry_button: Any
    show_answer_button: Any

    # ------------------------------------------------------------------ the moves (Python twins of the buttons)
    def check(self) -> None:
        """Check the answer and show feedback; with nothing answered yet, say what to do first."""
        self._ensure_allowed("check")
        if self.status != "answering":
            return
        if not self._has_answer():
            self._nudge()
            return
        self._note_first_attempt(revealed=False)
        self.status = "checked"

    def retry(self) -> None:
        """Back to answering, keeping what the activity keeps (see :meth:`_after_retry`)."""
        self._ensure_allowed("retry")
        self.status = "answering"
        self._after_retry()

    def show_answer(self) -> None:
        """Show the right answer with its explanation; before any Check this is the first attempt, not right."""
        self._ensure_allowed("show_answer")
        self._note_first_attempt(revealed=True)
        self._before_reveal()
        self.status = "revealed"

    def replay_status(self, status: str) -> None:
        """Bring a restored answer to ``status`` with the same moves a learner would make (see widgets/place.py).

        A move the activity does not offer, or a Check with nothing answered, is skipped: the learner then
        sees the answer as it was, ready to check.
        """
        self.status = "answering"  # without the retry hook: nothing is cleared
        if status == "checked" and self._allows("check") and self._has_answer():
            self.check()
        elif status == "revealed" and self._allows("show_answer"):
            self.show_answer()

    # ------------------------------------------------------------------ hooks for each activity
    def _allows(self, move: Move) -> bool:
        """Whether this activity offers ``move`` at all (a quiz can switch moves off)."""
        return True

    def _ensure_allowed(self, move: Move) -> None:
        """Refuse a move that is switched off; by default every move is allowed."""

    def _has_answer(self) -> bool:
        """Whether the learner has answered anything that Check could mark."""
        return True

    def _nudge(self) -> None:
        """Say what to do before checking (nothing chosen yet)."""

    def _note_first_attempt(self, revealed: bool) -> None:
        """Record the first attempt's result, once; ``revealed`` means the answer was shown before any Check."""

    def _is_all_right(self) -> bool:
        """Whether the current answer is entirely right (then Try again and Show answer are not offered)."""
        raise NotImplementedError

    def _after_retry(self) -> None:
        """What Try again clears or keeps, and where focus goes."""

    def _before_reveal(self) -> None:
        """Arrange the answer before it is drawn (ordering puts the steps in place)."""

    def _draw(self, status: str) -> None:
        """Show ``status``: lock or unlock the answer, marks and feedback."""
        raise NotImplementedError

    # ------------------------------------------------------------------ shared
    @traitlets.observe("status")
    def _on_status_change(self, change: dict[str, Any]) -> None:
        self._draw(change["new"])
        self._show_controls()

    def _show_controls(self) -> None:
        """Offer Check while answering, Try again after a wrong check, Show answer until the answer is settled."""
        answering = self.status == "answering"
        checked_wrong = self.status == "checked" and not self._is_all_right()
        settled = self.status == "revealed" or (self.status == "checked" and not checked_wrong)
        set_hidden(self.check_button, not (answering and self._allows("check")))
        set_hidden(self.retry_button, not (checked_wrong and self._allows("retry")))
        set_hidden(self.show_answer_button, settled or not self._allows("show_answer"))


class ExerciseWidget(Remembered, Checkable):
    """Base of an exercise kind's widget: made from the exercise, and able to print its key and paper version.

    Its place (the answer, checked or not, and the first result) is kept in the learner's browser: each kind
    says what that is in ``place_state`` and puts it back in ``restore_place``.

    The facilitator's answer key and the printed handout are drawn by the same class that draws the exercise, so
    a new kind brings all three in one module (see :data:`therapy_workshop.widgets.exercises.EXERCISE_WIDGETS`).
    """

    # Subclasses take (exercise, ui, sources) and build themselves; build_exercise makes them that way.

    @staticmethod
    def answer_key_html(exercise: Any) -> Markup:
        """For the facilitator: the right answer to every item, with why."""
        raise NotImplementedError

    @staticmethod
    def paper_html(exercise: Any) -> Markup:
        """For the printed handout: the exercise without its answers."""
        raise NotImplementedError
