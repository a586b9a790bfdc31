"""Quiz behaviour as a learner meets it, driven through the widgets' Python twins."""

from __future__ import annotations

import ipywidgets as widgets
import pytest

from therapy_workshop.model.content import QuizFile
from therapy_workshop.model.workshop import Workshop
from therapy_workshop.widgets.feedback import plain_text
from therapy_workshop.widgets.quiz import QuestionWidget, QuizError, QuizSet

from .expected import sources_text

QUIZ = {
    "title": "Practice quiz",
    "score_feedback": [
        {"from": 0, "text": "Keep going: re-read the section on consent."},
        {"from": 50, "text": "Good start."},
        {"from": 100, "text": "All right on the first try."},
    ],
    "questions": [
        {
            "id": "practice-single",
            "kind": "single",
            "prompt": "Can you stop therapy whenever you like?",
            "options": [
                {"text": "Only with a reason", "feedback": "You never need a reason."},
                {"text": "Yes, at any time", "correct": True, "feedback": "Yes: consent is ongoing."},
            ],
            "explanation": "Consent can be taken back at any time.",
            "sources": ["aca-a.2.a"],
        },
        {
            "id": "practice-multiple",
            "kind": "multiple",
            "prompt": "What should you be told at the start?",
            "options": [
                {
                    "text": "Fees",
                    "correct": True,
                    "feedback": "Yes, fees.",
                    "missed": "Fees belong here too.",
                },
                {
                    "text": "Limits of confidentiality",
                    "correct": True,
                    "feedback": "Yes, limits.",
                    "missed": "The limits of confidentiality were left out.",
                },
                {"text": "The therapist's home address", "feedback": "No, that is private."},
            ],
            "explanation": "Informed consent covers how therapy works.",
            "sources": ["apa-10.01"],
        },
        {
            "id": "practice-true-false",
            "kind": "true_false",
            "prompt": "A therapist may end therapy to start a friendship with you.",
            "options": [
                {"text": "True", "feedback": "Ending therapy does not make a relationship safe."},
                {"text": "False", "correct": True, "feedback": "Right: that would exploit the relationship."},
            ],
            "explanation": "Codes forbid ending therapy to begin another relationship.",
            "sources": ["apa-10.01"],
        },
    ],
}


def make_quiz(workshop: Workshop, **behaviour: bool) -> QuizSet:
    data = dict(QUIZ, behaviour=behaviour) if behaviour else QUIZ
    return QuizSet(QuizFile.model_validate(data), workshop.ui, workshop.sources)


@pytest.fixture
def practice(workshop: Workshop) -> QuizSet:
    return make_quiz(workshop)


def visible(widget: widgets.DOMWidget) -> bool:
    return widget.layout.display != "none"


def test_wrong_option_shows_its_own_feedback_and_the_explanation(practice: QuizSet, workshop: Workshop) -> None:
    practice.choose(0)
    practice.check()
    text = practice.current.feedback_text
    assert text == (
        "Not quite. Here is why. You chose: Only with a reason You never need a reason. "
        f"Why Consent can be taken back at any time. {sources_text(workshop, ['aca-a.2.a'])}"
    )
    assert "Yes: consent is ongoing." not in text  # the right option's feedback stays hidden


def test_wrong_answer_offers_try_again_and_show_answer_but_not_check(practice: QuizSet) -> None:
    practice.choose(0)
    practice.check()
    question = practice.current
    assert visible(question.retry_button)
    assert visible(question.show_answer_button)
    assert not visible(question.check_button)
    assert question.choices.disabled


def test_try_again_clears_the_choice_and_feedback(practice: QuizSet) -> None:
    practice.choose(0)
    practice.check()
    practice.retry()
    assert practice.current.selected == []
    assert practice.current.feedback_text == ""
    assert not practice.current.choices.disabled
    assert practice.current.choices.marks == ["", ""]


def test_right_answer_after_retry_counts_as_not_right_first_time(practice: QuizSet, workshop: Workshop) -> None:
    practice.choose(0)
    practice.check()
    practice.retry()
    practice.choose(1)
    practice.check()
    assert practice.current.feedback_text == (
        "That's right. You chose: Yes, at any time Yes: consent is ongoing. "
        f"Why Consent can be taken back at any time. {sources_text(workshop, ['aca-a.2.a'])}"
    )
    assert practice.current.first_result == "wrong"
    assert not visible(practice.current.retry_button)


def test_check_without_a_choice_asks_for_one_and_changes_nothing(practice: QuizSet) -> None:
    practice.check()
    assert practice.current.status == "answering"
    assert (
        practice.current.feedback_text
        == "Choose an answer first, then press Check. You can also move on without answering."
    )
    practice.choose(1)
    assert practice.current.feedback_text == ""  # the nudge goes once the learner acts


def test_multiple_choice_names_the_chosen_and_the_missed_options(practice: QuizSet, workshop: Workshop) -> None:
    practice.next()
    practice.choose(0, 2)
    practice.check()
    assert practice.current.feedback_text == (
        "Partly right. You chose: Fees Yes, fees. You chose: The therapist's home address No, that is private. "
        "You left out: Limits of confidentiality The limits of confidentiality were left out. "
        f"Why Informed consent covers how therapy works. {sources_text(workshop, ['apa-10.01'])}"
    )
    assert practice.current.choices.marks == ["right", "missed", "wrong"]


def test_multiple_choice_hint_says_select_all(practice: QuizSet) -> None:
    practice.next()
    assert practice.current.choices.multiple
    assert practice.current.choices.hint == "Select all that apply."


def test_show_answer_reveals_only_the_right_options(practice: QuizSet, workshop: Workshop) -> None:
    practice.show_answer()
    text = practice.current.feedback_text
    assert text == (
        "Here is the answer. The answer: Yes, at any time Yes: consent is ongoing. "
        f"Why Consent can be taken back at any time. {sources_text(workshop, ['aca-a.2.a'])}"
    )
    assert "Only with a reason" not in text
    assert practice.current.choices.marks == ["", "answer"]
    assert practice.current.first_result == "wrong"


def test_feedback_cites_the_question_sources(practice: QuizSet, workshop: Workshop) -> None:
    practice.choose(1)
    practice.check()
    assert workshop.sources["aca-a.2.a"].title in practice.current.feedback_text
    assert "Sources:" in practice.current.feedback_text


def test_counter_moves_with_next_and_previous(practice: QuizSet) -> None:
    assert practice.counter_text == "Question 1 of 3"
    assert practice.previous_button.disabled
    practice.next()
    assert practice.counter_text == "Question 2 of 3"
    practice.previous()
    assert practice.counter_text == "Question 1 of 3"


def test_last_question_button_leads_to_results(practice: QuizSet) -> None:
    practice.next()
    practice.next()
    assert practice.next_button.description == "See my results"
    practice.next()
    assert practice.finished
    assert not visible(practice.stage)


def test_results_show_score_band_feedback_and_review(practice: QuizSet) -> None:
    practice.choose(1)
    practice.check()  # right first time
    practice.next()
    practice.choose(0)
    practice.check()  # partly: not right first time
    practice.next()  # third skipped
    practice.next()
    assert practice.results_text == (
        "You got 1 of 3 right on the first try. Keep going: re-read the section on consent. "  # 33%: the 0 band
        "Your answers Can you stop therapy whenever you like? (right on the first try) "
        "What should you be told at the start? (not right on the first try) "
        "A therapist may end therapy to start a friendship with you. (skipped)"
    )


def test_full_marks_get_the_top_band(practice: QuizSet) -> None:
    for answer in ((1,), (0, 1), (1,)):
        practice.choose(*answer)
        practice.check()
        practice.next()
    assert practice.results_text == (
        "You got 3 of 3 right on the first try. All right on the first try. "
        "Your answers Can you stop therapy whenever you like? (right on the first try) "
        "What should you be told at the start? (right on the first try) "
        "A therapist may end therapy to start a friendship with you. (right on the first try)"
    )


def test_start_again_resets_every_question(practice: QuizSet) -> None:
    practice.choose(1)
    practice.check()
    practice.next()
    practice.next()
    practice.next()
    practice.restart()
    assert not practice.finished
    assert practice.index == 0
    assert len(practice.built_questions) == 3
    assert all(question.status == "answering" and not question.selected for question in practice.built_questions)
    assert practice.results_text == ""


def test_previous_from_results_returns_to_last_question(practice: QuizSet) -> None:
    for _ in range(3):
        practice.next()
    practice.previous()
    assert not practice.finished
    assert practice.counter_text == "Question 3 of 3"


def test_options_are_locked_while_feedback_is_shown(practice: QuizSet) -> None:
    practice.choose(0)
    practice.check()
    with pytest.raises(QuizError, match="call retry"):
        practice.choose(1)


def test_single_choice_refuses_two_options(practice: QuizSet) -> None:
    with pytest.raises(Exception, match="only one option can be chosen"):
        practice.choose(0, 1)


def test_switched_off_controls_are_hidden_and_refuse_their_twin(workshop: Workshop) -> None:
    quiz = make_quiz(workshop, retry=False, show_answer=False)
    quiz.choose(0)
    quiz.check()
    assert not visible(quiz.current.retry_button)
    assert not visible(quiz.current.show_answer_button)
    with pytest.raises(QuizError, match="Try again is switched off"):
        quiz.retry()
    with pytest.raises(QuizError, match="Show answer is switched off"):
        quiz.show_answer()


def test_without_check_the_last_choice_is_scored_at_the_end(workshop: Workshop) -> None:
    quiz = make_quiz(workshop, check=False)
    assert not visible(quiz.current.check_button)
    with pytest.raises(QuizError, match="Check is switched off"):
        quiz.check()
    quiz.choose(0)
    quiz.choose(1)
    assert quiz.current.feedback_text == ""
    for _ in range(3):
        quiz.next()
    assert quiz.results_text == (
        "You got 1 of 3 right on the first try. Keep going: re-read the section on consent. "
        "Your answers Can you stop therapy whenever you like? (right on the first try) "
        "What should you be told at the start? (skipped) "
        "A therapist may end therapy to start a friendship with you. (skipped)"
    )


def test_answer_key_is_not_in_any_widget_state_before_checking(practice: QuizSet) -> None:
    """The page receives option labels only: feedback and correctness stay in the kernel."""
    state = repr([widget.get_state() for widget in _all_widgets(practice)])
    for question in QUIZ["questions"]:
        for option in question["options"]:
            assert option["feedback"] not in state
        assert question["explanation"] not in state
    assert "correct" not in state


def test_content_html_is_escaped_not_rendered(workshop: Workshop) -> None:
    data = dict(QUIZ)
    data["questions"] = [dict(QUIZ["questions"][0], prompt="Is <script>alert(1)</script> allowed?")]
    quiz = QuizSet(QuizFile.model_validate(data), workshop.ui, workshop.sources)
    assert "<script>" not in quiz.current.choices.legend_html
    assert "&lt;script&gt;" in quiz.current.choices.legend_html


def test_question_widget_is_a_vbox_with_labelled_buttons(practice: QuizSet) -> None:
    question = practice.current
    assert isinstance(question, QuestionWidget)
    assert isinstance(question, widgets.VBox)
    labels = [
        button.description for button in (question.check_button, question.retry_button, question.show_answer_button)
    ]
    assert labels == ["Check", "Try again", "Show answer"]
    assert question.choices.legend_html == "<p>Can you stop therapy whenever you like?</p>\n"


def _all_widgets(root: widgets.Widget) -> list[widgets.Widget]:
    found = [root]
    for child in getattr(root, "children", ()):
        found.extend(_all_widgets(child))
    if isinstance(root, QuizSet):
        for index in range(len(root.quiz.questions)):
            found.extend(_all_widgets(root.question_at(index)))
    return found


def test_questions_are_built_when_first_reached(practice: QuizSet) -> None:
    assert len(practice.built_questions) == 1
    practice.next()
    assert len(practice.built_questions) == 2
    practice.previous()
    assert practice.current is practice.built_questions[0]


def test_plain_text_keeps_punctuation_against_bold_words() -> None:
    assert plain_text("<p>Which is an example of <strong>abandonment</strong>?</p><p>Next</p>") == (
        "Which is an example of abandonment? Next"
    )
