"""However long a learner plays, the number of live widget models stays bounded.

Every widget model lives in the kernel and in the page until it is closed. A widget that builds new controls
for each step and drops the old ones without closing them grows without limit over a long session (a review
counted 19 → 103 models after six plays of a two-step scenario path). Each activity is played 50 times here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from ipywidgets.widgets.widget import _instances

from therapy_workshop.model.workshop import Workshop
from therapy_workshop.shell.app import WorkshopApp
from therapy_workshop.widgets.cases import build_follow_case
from therapy_workshop.widgets.exercises import build_exercise
from therapy_workshop.widgets.process import build_process_explorer
from therapy_workshop.widgets.quiz import build_quiz
from therapy_workshop.widgets.scenario import build_scenario

ROUNDS = 50


def live_models() -> int:
    return len(_instances)


def play_scenario(workshop: Workshop) -> tuple[Any, Callable[[Any], None]]:
    scenario_id = next(iter(workshop.scenarios))
    widget = build_scenario(workshop, scenario_id)

    def one_round(story: Any) -> None:
        while story.stage != "ended":
            if story.stage == "feedback":
                story.proceed()
            else:
                story.pick(0)
        story.restart()

    return widget, one_round


def play_quiz(workshop: Workshop) -> tuple[Any, Callable[[Any], None]]:
    widget = build_quiz(workshop, "01-rights")

    def one_round(quiz: Any) -> None:
        for _ in range(len(quiz.quiz.questions)):
            question = quiz.current
            question.choose(0)
            question.check()
            quiz.next()
        quiz.restart()

    return widget, one_round


def play_exercise(kind: str) -> Callable[[Workshop], tuple[Any, Callable[[Any], None]]]:
    def play(workshop: Workshop) -> tuple[Any, Callable[[Any], None]]:
        exercise_id = next(e.id for e in workshop.exercises.values() if e.kind == kind)
        widget = build_exercise(workshop, exercise_id)

        def one_round(exercise: Any) -> None:
            exercise.show_answer()
            exercise.retry()

        return widget, one_round

    return play


def play_case(workshop: Workshop) -> tuple[Any, Callable[[Any], None]]:
    widget = build_follow_case(workshop)

    def one_round(case: Any) -> None:
        for case_id in list(workshop.activities.cases):
            case.choose_case(case_id)
            while not case.finished:
                case.predict(0)
                case.reveal()
                case.next_step()

    return widget, one_round


def play_explorer(workshop: Workshop) -> tuple[Any, Callable[[Any], None]]:
    widget = build_process_explorer(workshop)

    def one_round(explorer: Any) -> None:
        for stage in workshop.activities.process.stages:  # type: ignore[union-attr]
            explorer.selected = stage.id

    return widget, one_round


def play_app(workshop: Workshop) -> tuple[Any, Callable[[Any], None]]:
    widget = WorkshopApp(workshop)

    def one_round(app: Any) -> None:
        for module in workshop.modules:
            app.go(module.id)

    return widget, one_round


ACTIVITIES: dict[str, Callable[[Workshop], tuple[Any, Callable[[Any], None]]]] = {
    "scenario": play_scenario,
    "quiz": play_quiz,
    "categorise": play_exercise("categorise"),
    "ordering": play_exercise("ordering"),
    "case": play_case,
    "process explorer": play_explorer,
    "app moving between modules": play_app,
}


@pytest.mark.parametrize("activity", sorted(ACTIVITIES))
def test_playing_an_activity_50_times_makes_no_new_widget_models(workshop: Workshop, activity: str) -> None:
    widget, one_round = ACTIVITIES[activity](workshop)
    one_round(widget)  # the first round builds what the activity keeps (quiz questions, module pages)
    after_first = live_models()

    for _ in range(ROUNDS - 1):
        one_round(widget)

    assert live_models() - after_first == 0
