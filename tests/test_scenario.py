"""Branching scenarios: playing, undoing, conditions, the after-action review, and the static checks."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from therapy_workshop.model.scenario import Scenario, paths_to_endings, scenario_findings
from therapy_workshop.model.workshop import Workshop
from therapy_workshop.widgets.scenario import ScenarioError, ScenarioWidget

STORY: dict[str, Any] = {
    "id": "practice-story",
    "title": "Practice story",
    "audience": "client",
    "intro": "A short story to practise with.",
    "variables": {"confidence": 0},
    "start": "start",
    "nodes": {
        "start": {
            "title": "You decide to stop",
            "text": "You want to end therapy.",
            "choices": [
                {
                    "label": "Raise it now",
                    "goto": "raised",
                    "feedback": "Saying it early gives time.",
                    "set": {"confidence": 1},
                },
                {"label": "Stop turning up", "goto": "vanished", "feedback": "Leaving silently is allowed."},
            ],
        },
        "raised": {
            "title": "Your therapist pushes back",
            "text": "They say you are not ready.",
            "choices": [
                {
                    "label": "Hold your ground",
                    "goto": "good-end",
                    "feedback": "You stay calm and clear.",
                    "when": "confidence >= 1",
                },
                {
                    "label": "Agree to more sessions",
                    "goto": "poor-end",
                    "feedback": "Your wish is set aside.",
                },
            ],
        },
        "vanished": {
            "title": "You never go back",
            "text": "No one calls.",
            "ending": "mixed",
            "debrief": "You were free to leave; a last session could have helped you.",
        },
        "good-end": {
            "title": "A planned ending",
            "text": "You have a closing session.",
            "ending": "good",
            "debrief": "A planned ending with referrals is what the codes describe.",
        },
        "poor-end": {
            "title": "Stuck",
            "text": "You keep going against your wishes.",
            "ending": "poor",
            "debrief": "Your decision counts; pressure to stay is a warning sign.",
        },
    },
    "sources": ["apa-10.01"],
}


def story(**changes: Any) -> Scenario:
    data = copy.deepcopy(STORY)
    data.update(changes)
    return Scenario.model_validate(data)


@pytest.fixture
def play(workshop: Workshop) -> ScenarioWidget:
    return ScenarioWidget(story(), workshop.ui, workshop.sources)


def test_choice_shows_its_feedback_and_continue(play: ScenarioWidget) -> None:
    play.pick(0)
    assert play.stage == "feedback"
    assert "Saying it early gives time." in play.feedback.html
    assert play.continue_button.layout.display is None
    assert play.choice_box.children == ()
    play.proceed()
    assert play.node == "raised"
    assert "They say you are not ready." in play.situation_text


def test_variables_carry_consequences_to_later_choices(play: ScenarioWidget, workshop: Workshop) -> None:
    play.pick(0)  # raise it: confidence 1
    play.proceed()
    assert [button.description for button in play.choice_box.children] == [
        "Hold your ground",
        "Agree to more sessions",
    ]
    other = ScenarioWidget(story(variables={"confidence": -5}), workshop.ui, workshop.sources)
    other.pick(0)
    other.proceed()
    assert [button.description for button in other.choice_box.children] == ["Agree to more sessions"]


def test_good_ending_shows_debrief_and_after_action_review(play: ScenarioWidget) -> None:
    play.pick(0)
    play.proceed()
    play.pick(0)
    play.proceed()
    assert play.ending == "good"
    assert play.path == ["start", "raised", "good-end"]
    review = play.review_text
    assert "A planned ending with referrals is what the codes describe." in review
    assert (
        "You decide to stop: You chose: Raise it now Saying it early gives time. "
        "Your therapist pushes back: You chose: Hold your ground You stay calm and clear."
    ) in review
    assert "Ending: a good outcome" in play.situation_text


def test_back_undoes_a_choice_and_its_variables(play: ScenarioWidget) -> None:
    play.pick(0)
    play.proceed()
    assert play.values == {"confidence": 1}
    play.back()
    assert play.node == "start"
    assert play.values == {"confidence": 0}
    assert play.stage == "choosing"
    play.pick(1)
    play.back()  # from the feedback of a choice
    assert play.stage == "choosing" and play.steps == []


def test_restart_returns_to_the_start_from_an_ending(play: ScenarioWidget) -> None:
    play.pick(1)
    play.proceed()
    assert play.ending == "mixed"
    play.restart()
    assert play.node == "start"
    assert play.ending is None
    assert play.review_text == ""
    assert play.steps == []


def test_pick_while_feedback_shows_is_refused(play: ScenarioWidget) -> None:
    play.pick(0)
    with pytest.raises(ScenarioError, match="call proceed"):
        play.pick(0)


def test_back_can_be_switched_off(workshop: Workshop) -> None:
    play = ScenarioWidget(story(allow_back=False), workshop.ui, workshop.sources)
    play.pick(0)
    assert play.back_button.layout.display == "none"
    with pytest.raises(ScenarioError, match="Back is switched off"):
        play.back()


def test_paths_to_endings_honour_conditions() -> None:
    paths = paths_to_endings(story())
    assert paths == {
        "vanished": [("start", 1)],
        "good-end": [("start", 0), ("raised", 0)],
        "poor-end": [("start", 0), ("raised", 1)],
    }
    assert "good-end" not in paths_to_endings(story(variables={"confidence": -5}))


def _broken(mutate: Any) -> list[tuple[tuple[str | int, ...], str]]:
    data = copy.deepcopy(STORY)
    mutate(data)
    return list(scenario_findings(Scenario.model_validate(data)))


def test_playable_story_has_no_findings() -> None:
    assert list(scenario_findings(story())) == []


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (
            lambda d: d["nodes"]["start"]["choices"][1].update(goto="nowhere"),
            [
                (
                    ("nodes", "start", "choices", 1, "goto"),
                    "goes to 'nowhere', which is not a node in this scenario",
                ),
                (("nodes", "vanished"), "no choice leads here from the start node 'start'"),
            ],
        ),
        (
            lambda d: d["nodes"]["raised"]["choices"][0].update(when="courage > 1"),
            [(("nodes", "raised", "choices", 0, "when"), "'courage' is not declared under 'variables'")],
        ),
        (
            lambda d: d["nodes"]["raised"]["choices"][0].update(when="confidence.real"),
            [
                (
                    ("nodes", "raised", "choices", 0, "when"),
                    "the condition cannot be read: unexpected character '.' at position 11",
                )
            ],
        ),
        (
            lambda d: d["nodes"]["start"]["choices"][0].update(set={"mood": 1}),
            [(("nodes", "start", "choices", 0, "set", "mood"), "'mood' is not declared under 'variables'")],
        ),
        (
            lambda d: d["nodes"]["raised"]["choices"][1].update(when="confidence < 1"),
            [
                (
                    ("nodes", "raised", "choices"),
                    "every choice here has a 'when' condition, so a learner could be left "
                    "with no choice: make at least one choice unconditional",
                )
            ],
        ),
        (
            lambda d: d["nodes"]["good-end"].pop("debrief"),
            [(("nodes", "good-end"), "every ending needs a 'debrief' saying what this ending teaches")],
        ),
        (lambda d: d.update(start="begin"), [(("start",), "start node 'begin' is not one of the nodes")]),
        (
            lambda d: d["nodes"]["raised"].update(choices=[{"label": "Loop", "goto": "raised", "feedback": "Again."}]),
            [
                (("nodes", "good-end"), "no choice leads here from the start node 'start'"),
                (("nodes", "poor-end"), "no choice leads here from the start node 'start'"),
                (("nodes", "raised"), "from here no ending can be reached (a loop with no way out)"),
            ],
        ),
        (
            lambda d: d["nodes"]["vanished"].update(choices=[{"label": "x", "goto": "start", "feedback": "y"}]),
            [(("nodes", "vanished", "choices"), "an ending has no choices: remove them, or remove 'ending'")],
        ),
        (
            lambda d: d["nodes"]["raised"].update(choices=[]),
            [
                (
                    ("nodes", "raised"),
                    "this node has no choices and is not an ending: add choices, or make it an ending",
                ),
                (("nodes", "good-end"), "no choice leads here from the start node 'start'"),
                (("nodes", "poor-end"), "no choice leads here from the start node 'start'"),
            ],
        ),
    ],
)
def test_static_checks_name_what_would_strand_a_learner(mutate: Any, expected: list[Any]) -> None:
    assert _broken(mutate) == expected


def test_every_real_scenario_can_reach_each_of_its_endings(workshop: Workshop) -> None:
    for scenario in workshop.scenarios.values():
        assert set(paths_to_endings(scenario)) == set(scenario.endings), scenario.id


def test_every_real_scenario_plays_to_every_ending_with_a_review(workshop: Workshop) -> None:
    for scenario in workshop.scenarios.values():
        for ending_id, steps in paths_to_endings(scenario).items():
            play = ScenarioWidget(scenario, workshop.ui, workshop.sources)
            for node_id, choice_index in steps:
                assert play.node == node_id
                play.pick(play.offered.index(choice_index))
                play.proceed()
            assert play.node == ending_id
            assert play.ending == scenario.nodes[ending_id].ending
            for node_id, choice_index in steps:
                label = scenario.nodes[node_id].choices[choice_index].label
                assert label in play.review_text
