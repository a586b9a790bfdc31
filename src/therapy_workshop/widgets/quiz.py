"""Quiz widgets: one question (:class:`QuestionWidget`) and a set of them (:class:`QuizSet`).

The answer key stays in the kernel: the page only ever receives option labels, and feedback is sent after
the learner checks. Every button has a Python twin (``choose``, ``check``, ``retry``, ``show_answer``,
``next``, ``previous``) so tests drive the same code paths a click does. There are no timers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import traitlets

from therapy_workshop.html.markdown import render_inline, render_markdown
from therapy_workshop.html.safe import Markup, html, join
from therapy_workshop.widgets import lean
from therapy_workshop.widgets.answers import announce
from therapy_workshop.widgets.checkable import Checkable, Move
from therapy_workshop.widgets.choices import ChoiceGroup
from therapy_workshop.widgets.feedback import button_row, plain_text, set_hidden, source_line_html
from therapy_workshop.widgets.live_region import LiveRegion
from therapy_workshop.widgets.place import PlaceError, Remembered, field_of, int_list, known_options, one_of, remember
from therapy_workshop.widgets.progress import track

if TYPE_CHECKING:
    from therapy_workshop.model.content import Question, QuizBehaviour, QuizFile, Source, UIStrings
    from therapy_workshop.model.workshop import Workshop


class QuizError(RuntimeError):
    """A quiz action that the quiz does not allow (for example Check when Check is switched off)."""


MOVE_NAMES: dict[Move, str] = {"check": "Check", "retry": "Try again", "show_answer": "Show answer"}


class QuestionWidget(Checkable):
    """One question: options, Check / Try again / Show answer, and feedback that explains."""

    css_classes = ("tw-question",)

    selected = traitlets.List(traitlets.Int(), help="Indexes of the options the learner has chosen.")
    first_result = traitlets.Enum(
        ("", "right", "wrong"), "", help="How the first check went ('' until checked or revealed)."
    )

    def __init__(
        self,
        question: Question,
        behaviour: QuizBehaviour,
        ui: UIStrings,
        sources: Mapping[str, Source],
        **kwargs: Any,
    ) -> None:
        self.question = question
        self.behaviour = behaviour
        self.ui = ui
        self.sources = sources
        self.choices = ChoiceGroup(
            legend_html=render_markdown(question.prompt),
            hint=ui.select_all if question.kind == "multiple" else "",
            option_html=[render_inline(option.text) for option in question.options],
            multiple=question.kind == "multiple",
            marks=[""] * len(question.options),
            mark_labels={
                "right": ui.mark_right,
                "wrong": ui.mark_wrong,
                "missed": ui.mark_missed,
                "answer": ui.mark_answer,
            },
        )
        self.buttons, (self.check_button, self.retry_button, self.show_answer_button) = button_row(
            (ui.check, self.check, True), (ui.try_again, self.retry, False), (ui.show_answer, self.show_answer, False)
        )
        self.feedback = LiveRegion(label=ui.feedback_label)
        super().__init__([self.choices, self.buttons, self.feedback], **kwargs)
        traitlets.link((self.choices, "selected"), (self, "selected"))
        self._show_controls()

    # ------------------------------------------------------------------ Python twins of the controls
    def choose(self, *indexes: int) -> None:
        """Choose options by index, as clicking them would (replaces the current choice)."""
        if self.status != "answering":
            raise QuizError("options are locked while feedback is shown: call retry() first")
        self.selected = sorted(indexes)

    def reset(self) -> None:
        """Back to a fresh, unanswered question (used when the whole quiz starts again)."""
        self.status = "answering"
        self.selected = []
        self.first_result = ""
        self.feedback.html = ""

    # ------------------------------------------------------------------ what the learner sees
    @property
    def is_right(self) -> bool:
        """Whether the current choice is exactly the right answer."""
        return set(self.selected) == set(self.question.correct_indexes)

    @property
    def feedback_text(self) -> str:
        """The feedback as plain text, as a sighted learner reads it."""
        return plain_text(self.feedback.html)

    # ------------------------------------------------------------------ the state machine's hooks
    def _allows(self, move: Move) -> bool:
        return bool(getattr(self.behaviour, move))

    def _ensure_allowed(self, move: Move) -> None:
        if not self._allows(move):
            raise QuizError(f"{MOVE_NAMES[move]} is switched off for this quiz")

    def _has_answer(self) -> bool:
        return bool(self.selected)

    def _nudge(self) -> None:
        self.feedback.html = html('<p class="tw-nudge">{}</p>', self.ui.choose_first)
        self.feedback.request_focus()

    def _note_first_attempt(self, revealed: bool) -> None:
        if not self.first_result:
            self.first_result = "right" if self.is_right and not revealed else "wrong"

    def _is_all_right(self) -> bool:
        return self.is_right

    def _after_retry(self) -> None:
        self.selected = []
        self.choices.request_focus()

    def _draw(self, status: str) -> None:
        self.choices.disabled = status != "answering"
        if status == "answering":
            self.choices.marks = [""] * len(self.question.options)
            self.feedback.html = ""
        elif status == "checked":
            self.choices.marks = self._marks_after_check()
            self.feedback.html = self._check_feedback_html()
            self.feedback.request_focus()
        else:
            self.choices.marks = self._marks_after_reveal()
            self.feedback.html = self._reveal_feedback_html()
            self.feedback.request_focus()

    @traitlets.observe("selected")
    def _on_selected_change(self, change: dict[str, Any]) -> None:
        if self.status == "answering" and self.feedback.html:
            self.feedback.html = ""  # the "choose first" nudge no longer applies
        if not self.behaviour.check and self.status == "answering":
            # With Check switched off, the last choice is the answer; results come at the end.
            self.first_result = ("right" if self.is_right else "wrong") if change["new"] else ""

    def _marks_after_check(self) -> list[str]:
        chosen = set(self.selected)
        correct = self.question.correct_indexes
        marks = []
        for index in range(len(self.question.options)):
            if index in chosen:
                marks.append("right" if index in correct else "wrong")
            elif index in correct and self.question.kind == "multiple":
                marks.append("missed")
            else:
                marks.append("")
        return marks

    def _marks_after_reveal(self) -> list[str]:
        chosen = set(self.selected)
        correct = self.question.correct_indexes
        return [
            "answer" if index in correct else ("wrong" if index in chosen else "")
            for index in range(len(self.question.options))
        ]

    def _option_paragraph(self, lead: str, index: int, text: str) -> Markup:
        return html(
            '<li><span class="tw-lead">{}</span> <strong>{}</strong><div class="tw-option-feedback">{}</div></li>',
            lead,
            render_inline(self.question.options[index].text),
            render_markdown(text),
        )

    def _explanation_html(self) -> Markup:
        return html(
            '<div class="tw-explanation"><h4>{}</h4>{}{}</div>',
            self.ui.explanation_heading,
            render_markdown(self.question.explanation),
            source_line_html(self.question.sources, self.sources, self.ui),
        )

    def _check_feedback_html(self) -> Markup:
        chosen = set(self.selected)
        correct = self.question.correct_indexes
        if chosen == correct:
            heading, tone = self.ui.correct_heading, "right"
        elif chosen & correct:
            heading, tone = self.ui.partly_heading, "partly"
        else:
            heading, tone = self.ui.incorrect_heading, "wrong"
        items = [
            self._option_paragraph(self.ui.you_chose, index, self.question.options[index].feedback)
            for index in sorted(chosen)
        ]
        if self.question.kind == "multiple":
            items += [
                self._option_paragraph(self.ui.you_missed, index, self.question.options[index].missed or "")
                for index in sorted(correct - chosen)
            ]
        return self._feedback_html(tone, heading, items)

    def _reveal_feedback_html(self) -> Markup:
        items = [
            self._option_paragraph(self.ui.the_answer_is, index, self.question.options[index].feedback)
            for index in sorted(self.question.correct_indexes)
        ]
        return self._feedback_html("revealed", self.ui.revealed_heading, items)

    def _feedback_html(self, tone: str, heading: str, items: list[Markup]) -> Markup:
        return html(
            '<div class="tw-feedback" data-tone="{}"><p class="tw-verdict">{}</p>'
            '<ul class="tw-feedback-list">{}</ul>{}</div>',
            tone,
            heading,
            join(items),
            self._explanation_html(),
        )


class QuizSet(Remembered, lean.VBox):
    """A module's questions one at a time ("Question 3 of 8"), ending with a score and review.

    Its place (the question reached, each question's choice, check and first result) is kept in the
    learner's browser; see :mod:`therapy_workshop.widgets.place`.
    """

    css_classes = ("tw-quiz",)

    index = traitlets.Int(0, help="Which question is shown (zero-based).")
    finished = traitlets.Bool(False, help="True once the learner has reached the results.")
    #: ``quiz:<module>`` for a module's quiz, whose first checks a room counts; '' (an assessment's) counts nothing.
    counted_as = ""

    def __init__(self, quiz: QuizFile, ui: UIStrings, sources: Mapping[str, Source], **kwargs: Any) -> None:
        self.quiz = quiz
        self.ui = ui
        self.sources = sources
        # Built on first view: a question is about 18 widgets, and most learners see one at a time, so building
        # them all up front made opening a module several times slower.
        self._built: dict[int, QuestionWidget] = {}
        self._counted: set[QuestionWidget] = set()  # questions whose first check was announced (see answers.py)
        self.heading = lean.HTML(html('<h2 class="tw-quiz-title">{}</h2>', quiz.title))
        self.counter = lean.HTML()
        self.stage = lean.VBox([self.question_at(0)])
        self.previous_button = lean.Button(description=ui.previous)
        self.next_button = lean.Button(description=ui.next)
        self.previous_button.on_click(lambda _button: self.previous())
        self.next_button.on_click(lambda _button: self.next())
        self.navigation = lean.HBox([self.previous_button, self.next_button], classes=("tw-buttons",))
        self.results = LiveRegion(label=ui.results_label)
        self.restart_button = lean.Button(description=ui.start_again)
        self.restart_button.on_click(lambda _button: self.restart())
        self.room_board = lean.HTML()  # the room's answers, once the facilitator reveals them (see room_boards)
        super().__init__(
            [
                self.heading,
                self.counter,
                self.stage,
                self.navigation,
                self.results,
                self.restart_button,
                self.room_board,
            ],
            **kwargs,
        )
        self._show_position()

    def question_at(self, index: int) -> QuestionWidget:
        """The widget for question ``index``, built the first time it is needed."""
        if index not in self._built:
            question = QuestionWidget(self.quiz.questions[index], self.quiz.behaviour, self.ui, self.sources)
            question.observe(self._on_question_change, names=["selected", "status", "first_result"])
            self._built[index] = question
        return self._built[index]

    @property
    def built_questions(self) -> list[QuestionWidget]:
        """The question widgets built so far (those the learner has reached), in question order."""
        return [self._built[index] for index in sorted(self._built)]

    @property
    def first_results(self) -> list[str]:
        """Per question: "right" or "wrong" on the first try, or "" if it was never answered (or not reached)."""
        return [
            self._built[index].first_result if index in self._built else "" for index in range(len(self.quiz.questions))
        ]

    # ------------------------------------------------------------------ Python twins
    @property
    def current(self) -> QuestionWidget:
        """The question on screen."""
        return self.question_at(self.index)

    def choose(self, *indexes: int) -> None:
        """Choose options in the current question."""
        self.current.choose(*indexes)

    def check(self) -> None:
        """Check the current question."""
        self.current.check()

    def retry(self) -> None:
        """Try the current question again."""
        self.current.retry()

    def show_answer(self) -> None:
        """Reveal the current question's answer."""
        self.current.show_answer()

    def next(self) -> None:
        """Go to the next question, or to the results after the last one. Skipping is allowed."""
        if self.finished:
            return
        if self.index + 1 < len(self.quiz.questions):
            self.index += 1
        else:
            self.finished = True

    def previous(self) -> None:
        """Go back one question (from the results, back to the last question)."""
        if self.finished:
            self.finished = False
        elif self.index > 0:
            self.index -= 1

    def restart(self) -> None:
        """Start the whole quiz again with every question unanswered."""
        for question in self._built.values():
            question.reset()
        self.finished = False
        self.index = 0
        self._show_position()
        self.current.choices.request_focus()

    # ------------------------------------------------------------------ the place kept in the browser
    def place_state(self) -> dict[str, Any]:
        """The question reached, whether the results are shown, and each question the learner touched."""
        questions = {
            question.question.id: {
                "selected": list(question.selected),
                "status": question.status,
                "first": question.first_result,
            }
            for question in self.built_questions
            if question.selected or question.status != "answering" or question.first_result
        }
        if not questions and self.index == 0 and not self.finished:
            return {}
        return {"index": self.index, "finished": self.finished, "questions": questions}

    def restore_place(self, state: Mapping[str, Any]) -> None:
        """Answer, check or reveal each stored question again, then go to the stored question or results."""
        index = field_of(state, "index", int, 0)
        finished = field_of(state, "finished", bool, False)
        stored = field_of(state, "questions", dict, {})
        position = {question.id: number for number, question in enumerate(self.quiz.questions)}
        answers = []
        for question_id, answer in stored.items():
            if not isinstance(answer, dict):
                raise PlaceError(f"question {question_id!r} is not a record")
            selected = int_list(answer.get("selected", []), "selected")
            status = one_of(answer.get("status", "answering"), "status", ("answering", "checked", "revealed"))
            first = one_of(answer.get("first", ""), "first", ("", "right", "wrong"))
            if question_id in position:  # a question that has left the quiz is dropped quietly
                answers.append((position[question_id], selected, status, first))
        for question in self._built.values():
            question.reset()
        for number, selected, status, first in answers:
            question = self.question_at(number)
            question.selected = known_options(selected, len(question.question.options), question.choices.multiple)
            question.first_result = first
            question.replay_status(status)
        self.finished = False
        self.index = index if 0 <= index < len(self.quiz.questions) else 0
        self.finished = finished

    def _on_question_change(self, change: dict[str, Any]) -> None:
        self.place_changed()
        question = change["owner"]
        first_check = change["name"] == "status" and change["new"] == "checked" and question not in self._counted
        if first_check and self.counted_as:
            self._counted.add(question)
            announce(f"{self.counted_as}:{question.question.id}", sorted(question.selected))

    # ------------------------------------------------------------------ results
    @property
    def score(self) -> int:
        """Questions answered right on the first try."""
        return self.first_results.count("right")

    @property
    def results_text(self) -> str:
        """The results as plain text."""
        return plain_text(self.results.html)

    @property
    def counter_text(self) -> str:
        """'Question 3 of 8' as shown."""
        return plain_text(self.counter.value)

    @traitlets.observe("index")
    def _on_index_change(self, _change: dict[str, Any]) -> None:
        self.stage.children = [self.current]
        self._show_position()
        self.current.choices.request_focus()
        self.place_changed()

    @traitlets.observe("finished")
    def _on_finished_change(self, change: dict[str, Any]) -> None:
        if change["new"]:
            self.results.html = self._results_html()
            self.results.request_focus()
        else:
            self.results.html = ""
        self._show_position()
        self.place_changed()

    def _show_position(self) -> None:
        total = len(self.quiz.questions)
        position = self.ui.format("question_of", number=self.index + 1, total=total)
        self.counter.value = html('<p class="tw-counter">{}</p>', position)
        set_hidden(self.stage, self.finished)
        set_hidden(self.counter, self.finished)
        set_hidden(self.restart_button, not self.finished)
        self.previous_button.disabled = self.index == 0 and not self.finished
        self.next_button.disabled = self.finished
        set_hidden(self.next_button, self.finished)
        self.next_button.description = self.ui.finish if self.index + 1 == total else self.ui.next

    def _results_html(self) -> Markup:
        total = len(self.quiz.questions)
        right = self.score
        percent = 100 * right / total
        score = self.ui.format("score", right=right, total=total)
        rows = []
        for question_data, first_result in zip(self.quiz.questions, self.first_results, strict=True):
            if first_result == "right":
                outcome, tone = self.ui.review_right, "right"
            elif first_result == "wrong":
                outcome, tone = self.ui.review_not_right, "wrong"
            else:
                outcome, tone = self.ui.review_skipped, "skipped"
            prompt = plain_text(render_markdown(question_data.prompt))
            rows.append(
                html('<li data-tone="{}">{} <span class="tw-review-outcome">({})</span></li>', tone, prompt, outcome)
            )
        return html(
            '<div class="tw-results"><p class="tw-score">{}</p>{}<h3>{}</h3><ol class="tw-review">{}</ol></div>',
            score,
            render_markdown(self.quiz.feedback_for(percent)),
            self.ui.review_heading,
            join(rows),
        )


def build_quiz(workshop: Workshop, module_id: str) -> QuizSet:
    """A fresh quiz set for ``module_id`` from the loaded workshop."""
    if module_id not in workshop.quizzes:
        known = ", ".join(sorted(workshop.quizzes)) or "none"
        raise KeyError(
            f"no quiz for module {module_id!r}: there is no content/{module_id}/quiz.yaml (quizzes: {known})"
        )
    widget = QuizSet(workshop.quizzes[module_id], workshop.ui, workshop.sources)
    track(widget, module_id, "quiz", "finished", bool)
    widget.counted_as = f"quiz:{module_id}"
    remember(widget, f"quiz:{module_id}")
    return widget
