"""The learner's place, kept in their browser: what a fresh kernel puts back, and what it refuses.

Each test plays a learner on one "kernel" (a Progress, a PlaceKeeper and a ProgressStore), takes what that
kernel asked the browser to store, and hands it to a second, fresh kernel, as a reload does. What the browser
keeps is read as JSON and compared with what the learner did, and records a browser kept from an earlier visit
are written here as JSON by hand (:func:`kept`), so the stored format is pinned, not only read back by the code
that wrote it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from therapy_workshop.model.workshop import Workshop
from therapy_workshop.shell.app import WorkshopApp
from therapy_workshop.widgets.checklist import ChecklistWidget
from therapy_workshop.widgets.draft import ComplaintDraft
from therapy_workshop.widgets.exercises import exercise_widget_class
from therapy_workshop.widgets.place import PlaceKeeper, Remembered
from therapy_workshop.widgets.progress import Progress, ProgressStore, parse, serialise
from therapy_workshop.widgets.progress_view import store_notices
from therapy_workshop.widgets.quiz import QuizSet
from therapy_workshop.widgets.scenario import ScenarioWidget
from therapy_workshop.widgets.script_builder import ScriptBuilderWidget

SORT = "red-flag-grey-area-fine"
STEPS = "complaint-steps"
STORY = "client-wants-to-stop"


@dataclass
class Kernel:
    """One learner's kernel: progress, the place keeper, and the bridge to the browser's localStorage."""

    tracker: Progress
    keeper: PlaceKeeper
    store: ProgressStore

    @classmethod
    def fresh(cls) -> Kernel:
        tracker = Progress()
        return cls(tracker, PlaceKeeper(tracker), ProgressStore(tracker))

    def open_page(self, stored: str = "") -> None:
        """The browser reports what it had stored (as the page's store widget does when it renders)."""
        self.store.loaded = stored
        self.store.ready = True

    @property
    def stored(self) -> str:
        """What this kernel last asked the browser to keep."""
        return str(self.store.to_store)

    @property
    def record(self) -> dict[str, Any]:
        """What the browser keeps, as JSON data (``{}`` when it is told to keep nothing)."""
        return dict(json.loads(self.stored)) if self.stored else {}

    @property
    def place(self) -> dict[str, object]:
        return dict(self.record["place"]) if self.stored else {}


def kept(place: dict[str, object], completed: dict[str, list[str]] | None = None, last_module: str = "") -> str:
    """A record as a browser keeps it (version 2), written out here rather than by the code under test."""
    record = {"version": 2, "completed": completed or {}, "assessment": {}, "last_module": last_module, "place": place}
    return json.dumps(record)


def only_place(place: dict[str, object]) -> dict[str, object]:
    """The whole record a browser keeps for a learner who has done nothing but the activities in ``place``."""
    return {"version": 2, "completed": {}, "assessment": {}, "last_module": "", "place": place}


def first_result(workshop: Workshop, question: int, option: int) -> str:
    """How a first check of ``option`` is kept: "right" or "wrong", from the content."""
    return "right" if workshop.quizzes["01-rights"].questions[question].options[option].correct else "wrong"


def quiz(workshop: Workshop, kernel: Kernel, module_id: str = "01-rights") -> QuizSet:
    widget = QuizSet(workshop.quizzes[module_id], workshop.ui, workshop.sources)
    kernel.keeper.remember(widget, f"quiz:{module_id}")
    return widget


def exercise(workshop: Workshop, kernel: Kernel, exercise_id: str) -> object:
    data = workshop.exercises[exercise_id]
    widget = exercise_widget_class(data)(data, workshop.ui, workshop.sources)
    kernel.keeper.remember(widget, f"exercise:{exercise_id}")
    return widget


def scenario(workshop: Workshop, kernel: Kernel) -> ScenarioWidget:
    widget = ScenarioWidget(workshop.scenarios[STORY], workshop.ui, workshop.sources)
    kernel.keeper.remember(widget, f"scenario:{STORY}")
    return widget


def learner() -> Kernel:
    """A first visit: a fresh kernel whose browser had nothing stored."""
    kernel = Kernel.fresh()
    kernel.open_page()
    return kernel


def reload_with(stored: str) -> Kernel:
    kernel = Kernel.fresh()
    kernel.open_page(stored)
    return kernel


def discarded_notice(workshop: Workshop, kernel: Kernel) -> list[str]:
    return store_notices(workshop.ui, kernel.tracker)


# ---------------------------------------------------------------------------- the stored record
def test_a_record_with_a_place_is_the_json_the_browser_keeps_and_reads_back() -> None:
    place = {"quiz:01-rights": {"index": 2, "finished": False, "questions": {}}}
    text = serialise({"01-rights": ["visited"]}, {}, "01-rights", place)
    assert json.loads(text) == {
        "version": 2,
        "completed": {"01-rights": ["visited"]},
        "assessment": {},
        "last_module": "01-rights",
        "place": {"quiz:01-rights": {"index": 2, "finished": False, "questions": {}}},
    }
    stored = parse(kept(place, {"01-rights": ["visited"]}, "01-rights"))
    assert (stored.completed, stored.last_module, stored.place, stored.place_problem) == (
        {"01-rights": ["visited"]},
        "01-rights",
        place,
        "",
    )


def test_a_version_1_record_keeps_its_progress_and_has_no_place() -> None:
    stored = parse('{"version": 1, "completed": {"01-rights": ["quiz"]}, "last_module": "01-rights"}')
    assert stored.completed == {"01-rights": ["quiz"]}
    assert (stored.place, stored.place_problem) == ({}, "")


@pytest.mark.parametrize(
    ("record", "problem"),
    [
        ({"version": 1, "place": {"quiz:01-rights": {"index": 1}}}, "it was saved in an older format"),
        ({"version": 2, "place": "quiz 1"}, "it is damaged"),
        ({"version": 2, "place": {"quiz:01-rights": [1, 2]}}, "it is damaged"),
    ],
)
def test_an_old_or_damaged_place_is_left_out_and_progress_kept(record: dict[str, object], problem: str) -> None:
    stored = parse(json.dumps({"completed": {"01-rights": ["quiz"]}, **record}))
    assert stored.completed == {"01-rights": ["quiz"]}
    assert (stored.place, stored.place_problem) == ({}, problem)


def test_the_learner_is_told_once_when_a_stored_place_is_dropped(workshop: Workshop) -> None:
    kernel = reload_with(json.dumps({"version": 2, "completed": {"01-rights": ["quiz"]}, "place": "x"}))
    assert kernel.tracker.completed == {"01-rights": ["quiz"]}
    assert discarded_notice(workshop, kernel) == [
        "Your saved place in the activities was cleared because it is damaged. Your progress is kept. "
        "You can carry on as normal."
    ]
    # The browser's copy is rewritten at once: the progress kept, the damaged place gone.
    assert kernel.record == {
        "version": 2,
        "completed": {"01-rights": ["quiz"]},
        "assessment": {},
        "last_module": "",
        "place": {},
    }


# ---------------------------------------------------------------------------- a quiz
def test_a_quiz_comes_back_at_the_same_question_with_its_choice_and_feedback(workshop: Workshop) -> None:
    first = learner()
    before = quiz(workshop, first)
    before.choose(1)
    before.check()
    before.next()
    before.choose(0)
    feedback = before.question_at(0).feedback_text
    ids = [question.id for question in workshop.quizzes["01-rights"].questions]
    assert first.record == only_place(
        {
            "quiz:01-rights": {
                "index": 1,
                "finished": False,
                "questions": {
                    ids[0]: {"selected": [1], "status": "checked", "first": first_result(workshop, 0, 1)},
                    ids[1]: {"selected": [0], "status": "answering", "first": ""},
                },
            }
        }
    )

    after_kernel = reload_with(first.stored)
    after = quiz(workshop, after_kernel)
    assert after.index == 1
    assert after.current.selected == [0]
    assert after.current.status == "answering"
    assert after.question_at(0).status == "checked"
    assert after.question_at(0).selected == [1]
    assert after.question_at(0).feedback_text == feedback
    assert after.first_results == before.first_results
    assert after_kernel.place == first.place


def test_a_quiz_already_on_the_page_is_put_back_when_the_store_reports_later(workshop: Workshop) -> None:
    first = learner()
    before = quiz(workshop, first)
    before.choose(0)
    before.show_answer()
    first_id = workshop.quizzes["01-rights"].questions[0].id
    assert first.place == {
        "quiz:01-rights": {
            "index": 0,
            "finished": False,
            "questions": {first_id: {"selected": [0], "status": "revealed", "first": first_result(workshop, 0, 0)}},
        }
    }
    second = Kernel.fresh()
    after = quiz(workshop, second)  # built before the browser has reported, as the app's first page is
    assert after.current.status == "answering"
    second.open_page(first.stored)
    assert after.current.status == "revealed"
    assert after.current.feedback_text == before.current.feedback_text
    assert after.current.first_result == first_result(workshop, 0, 0) == "wrong"


def test_a_finished_quiz_comes_back_at_its_results(workshop: Workshop) -> None:
    first = learner()
    before = quiz(workshop, first)
    before.choose(0)
    before.check()
    questions = workshop.quizzes["01-rights"].questions
    for _ in range(len(questions)):
        before.next()
    assert before.finished
    assert first.place == {
        "quiz:01-rights": {
            "index": len(questions) - 1,
            "finished": True,
            "questions": {
                questions[0].id: {"selected": [0], "status": "checked", "first": first_result(workshop, 0, 0)}
            },
        }
    }
    after = quiz(workshop, reload_with(first.stored))
    assert after.finished
    assert after.results_text == before.results_text


def test_a_quiz_drops_unknown_questions_and_options_quietly(workshop: Workshop) -> None:
    place = {
        "quiz:01-rights": {
            "index": 99,
            "finished": False,
            "questions": {
                "a-question-since-removed": {"selected": [0], "status": "checked", "first": "right"},
                "rights-end-any-time": {"selected": [7], "status": "answering", "first": ""},
            },
        }
    }
    kernel = reload_with(kept(place, last_module="01-rights"))
    widget = quiz(workshop, kernel)
    assert widget.index == 0
    assert widget.current.selected == []
    assert discarded_notice(workshop, kernel) == []


@pytest.mark.parametrize(
    "state",
    [
        {"index": "two"},
        {"questions": {"rights-end-any-time": {"selected": "0"}}},
        {"questions": {"rights-end-any-time": {"status": "finished"}}},
        {"questions": {"rights-end-any-time": "checked"}},
    ],
)
def test_a_damaged_quiz_place_starts_the_quiz_afresh_with_the_notice(
    workshop: Workshop, state: dict[str, object]
) -> None:
    kernel = reload_with(kept({"quiz:01-rights": state}, last_module="01-rights"))
    widget = quiz(workshop, kernel)
    assert (widget.index, widget.current.selected, widget.current.status) == (0, [], "answering")
    assert discarded_notice(workshop, kernel) == [
        "Your saved place in the activities was cleared because part of it could not be read. "
        "Your progress is kept. You can carry on as normal."
    ]
    assert kernel.place == {}


def test_putting_a_place_back_does_not_move_keyboard_focus(workshop: Workshop) -> None:
    first = learner()
    before = quiz(workshop, first)
    before.choose(1)
    before.check()
    after = quiz(workshop, reload_with(first.stored))
    assert after.current.status == "checked"
    assert after.current.feedback.focus_token == 0
    assert after.current.choices.focus_token == 0


# ---------------------------------------------------------------------------- exercises
def test_a_categorise_exercise_comes_back_sorted_and_checked(workshop: Workshop) -> None:
    first = learner()
    before = exercise(workshop, first, SORT)
    before.sort("asked-on-a-date", "red-flag")  # type: ignore[attr-defined]
    before.sort("small-gift", "red-flag")  # type: ignore[attr-defined]
    before.check()  # type: ignore[attr-defined]
    assert first.record == only_place(
        {
            f"exercise:{SORT}": {
                "sorted": {"asked-on-a-date": "red-flag", "small-gift": "red-flag"},
                "status": "checked",
                "first_score": before.first_score,  # type: ignore[attr-defined]
            }
        }
    )
    after = exercise(workshop, reload_with(first.stored), SORT)
    assert after.status == "checked"  # type: ignore[attr-defined]
    assert after.result_text == before.result_text  # type: ignore[attr-defined]
    assert after.first_score == before.first_score  # type: ignore[attr-defined]
    assert after.item_feedback_text("small-gift") == before.item_feedback_text("small-gift")  # type: ignore[attr-defined]


def test_a_categorise_exercise_drops_unknown_items_and_categories_quietly(workshop: Workshop) -> None:
    state = {"sorted": {"gone-item": "red-flag", "small-gift": "no-such-category", "vanished": "red-flag"}}
    kernel = reload_with(kept({f"exercise:{SORT}": state}, last_module="02-conduct"))
    widget = exercise(workshop, kernel, SORT)
    chosen = {item.item.id: item.chosen for item in widget.items if item.chosen is not None}  # type: ignore[attr-defined]
    assert chosen == {"vanished": 0}
    assert discarded_notice(workshop, kernel) == []


def test_an_ordering_exercise_comes_back_in_the_learners_order(workshop: Workshop) -> None:
    first = learner()
    before = exercise(workshop, first, STEPS)
    order = before.order  # type: ignore[attr-defined]
    before.move_up(order[-1])  # type: ignore[attr-defined]
    before.check()  # type: ignore[attr-defined]
    learners_order = [*order[:-2], order[-1], order[-2]]
    assert first.record == only_place(
        {
            f"exercise:{STEPS}": {
                "order": learners_order,
                "status": "checked",
                "first_score": before.first_score,  # type: ignore[attr-defined]
            }
        }
    )
    after = exercise(workshop, reload_with(first.stored), STEPS)
    assert after.order == learners_order  # type: ignore[attr-defined]
    assert after.status == "checked"  # type: ignore[attr-defined]
    assert after.feedback_text == before.feedback_text  # type: ignore[attr-defined]


def test_an_ordering_exercise_keeps_known_steps_and_adds_new_ones(workshop: Workshop) -> None:
    ids = [item.id for item in workshop.exercises[STEPS].items]
    state = {"order": [ids[2], "a-removed-step", ids[0]]}
    widget = exercise(workshop, reload_with(kept({f"exercise:{STEPS}": state}, last_module="04-reporting")), STEPS)
    assert widget.order[:2] == [ids[2], ids[0]]  # type: ignore[attr-defined]
    assert sorted(widget.order) == sorted(ids)  # type: ignore[attr-defined]


# ---------------------------------------------------------------------------- a scenario
def scored(workshop: Workshop, steps: list[tuple[str, int]]) -> dict[str, int]:
    """The story's variables after these decisions, added up from the content: start values plus each ``set``."""
    story = workshop.scenarios[STORY]
    values = dict(story.variables)
    for node_id, choice in steps:
        for name, change in story.nodes[node_id].choices[choice].changes.items():
            values[name] += change
    return values


def test_a_scenario_comes_back_at_the_same_node_with_the_same_review(workshop: Workshop) -> None:
    first = learner()
    before = scenario(workshop, first)
    while before.stage != "ended":
        before.pick(0)
        before.proceed()
    assert (
        first.record
        == only_place(
            {
                f"scenario:{STORY}": {
                    "stage": "ended",
                    "steps": [[node, 0] for node in before.path[:-1]],  # every decision, the first choice each time
                    "variables": scored(workshop, [(node, 0) for node in before.path[:-1]]),
                }
            }
        )
    )
    after = scenario(workshop, reload_with(first.stored))
    assert after.path == before.path
    assert after.values == before.values
    assert after.review_text == before.review_text


def test_a_scenario_mid_feedback_comes_back_showing_that_feedback(workshop: Workshop) -> None:
    first = learner()
    before = scenario(workshop, first)
    before.pick(0)
    before.proceed()
    before.pick(1)
    steps = [("announce", 0), ("explore", 1)]
    assert first.place == {
        f"scenario:{STORY}": {
            "stage": "feedback",
            "steps": [list(step) for step in steps],
            "variables": scored(workshop, steps),
        }
    }
    after = scenario(workshop, reload_with(first.stored))
    assert (after.stage, after.node, after.path) == ("feedback", before.node, before.path)
    assert after.feedback.html == before.feedback.html


def test_a_scenario_replays_only_the_decisions_that_still_fit_the_story(workshop: Workshop) -> None:
    state = {"steps": [["announce", 0], ["a-node-since-removed", 0]], "stage": "choosing", "variables": {}}
    kernel = reload_with(kept({f"scenario:{STORY}": state}, last_module="03-ending"))
    widget = scenario(workshop, kernel)
    assert widget.path == ["announce", "explore"]
    assert discarded_notice(workshop, kernel) == []


# ---------------------------------------------------------------------------- builders
def test_builders_come_back_with_what_the_learner_picked_and_typed(workshop: Workshop) -> None:
    first = learner()
    script = ScriptBuilderWidget(workshop.scripts["03-ending"], workshop.ui)
    checklist = ChecklistWidget(workshop.activities.checklists["06-choosing"], workshop.ui)
    draft = ComplaintDraft(workshop.activities.drafts["04-reporting"], workshop.ui)
    widgets: list[tuple[Remembered, str]] = [(script, "script:03-ending"), (checklist, "checklist:06-choosing")]
    widgets.append((draft, "draft:04-reporting"))
    for widget, key in widgets:
        first.keeper.remember(widget, key)
    script.pick("opening", 0)
    script.write("I have <b>decided</b>.")
    checklist.tick("first-session", 0, 2)
    draft.fill("what", "They shared my story.")
    assert first.record == only_place(
        {
            "script:03-ending": {"picks": {"opening": [0]}, "own_words": "I have <b>decided</b>."},
            "checklist:06-choosing": {"ticks": {"first-session": [0, 2]}, "notes": ""},
            "draft:04-reporting": {"fields": {"what": "They shared my story."}},
        }
    )

    second = reload_with(first.stored)
    script_again = ScriptBuilderWidget(workshop.scripts["03-ending"], workshop.ui)
    checklist_again = ChecklistWidget(workshop.activities.checklists["06-choosing"], workshop.ui)
    draft_again = ComplaintDraft(workshop.activities.drafts["04-reporting"], workshop.ui)
    for widget, (_old, key) in zip((script_again, checklist_again, draft_again), widgets, strict=True):
        second.keeper.remember(widget, key)
    assert script_again.preview_text == script.preview_text
    assert script_again.own_words == "I have <b>decided</b>."
    assert checklist_again.text == checklist.text
    assert draft_again.text == draft.text


# ---------------------------------------------------------------------------- reset and the app
def test_reset_clears_the_place_and_puts_activities_back_to_their_start(workshop: Workshop) -> None:
    kernel = learner()
    widget = quiz(workshop, kernel)
    widget.choose(1)
    widget.check()
    story = scenario(workshop, kernel)
    story.pick(0)
    assert set(kernel.place) == {"quiz:01-rights", f"scenario:{STORY}"}
    kernel.tracker.reset()
    assert kernel.stored == ""
    assert (widget.current.status, widget.current.selected) == ("answering", [])
    assert story.path == ["announce"]


def test_a_plain_visit_returns_to_the_module_the_learner_was_on(workshop: Workshop) -> None:
    app = WorkshopApp(workshop)
    app.store.loaded = kept({}, {"03-ending": ["visited"]}, "03-ending")
    app.store.ready = True
    app.location.query = ""
    assert app.current == "03-ending"


def test_a_deep_link_wins_over_the_stored_module_and_becomes_the_one_to_return_to(workshop: Workshop) -> None:
    app = WorkshopApp(workshop)
    app.location.query = "?module=02-conduct"
    app.store.loaded = kept({}, {"03-ending": ["visited"]}, "03-ending")
    app.store.ready = True
    assert app.current == "02-conduct"
    assert json.loads(app.store.to_store) == {
        "version": 2,
        "completed": {"03-ending": ["visited"], "02-conduct": ["visited"]},
        "assessment": {},
        "last_module": "02-conduct",
        "place": {},
    }


def test_the_app_says_on_every_page_when_a_stored_place_was_dropped(workshop: Workshop) -> None:
    app = WorkshopApp(workshop)
    app.location.query = "?module=01-rights"
    app.store.loaded = json.dumps({"version": 2, "completed": {}, "place": {"quiz:01-rights": "x"}})
    app.store.ready = True
    assert 'role="alert">Your saved place in the activities was cleared because it is damaged.' in (
        app.notice_area.value
    )
