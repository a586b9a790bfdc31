"""Branching scenarios as data, and the static checks that keep every scenario playable.

A learner must never be stranded: every ``goto`` leads somewhere, every node can be reached, an ending can
be reached from everywhere, and no node can have all its choices switched off by conditions.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from typing import Literal

from pydantic import Field, field_validator

from therapy_workshop.model.conditions import ConditionError, parse_condition
from therapy_workshop.model.content import QUESTION_ID, Strict, _check_pattern
from therapy_workshop.model.methods import NodeMethods, ScenarioMethods

KeyPath = tuple[str | int, ...]
EndingKind = Literal["good", "mixed", "poor"]


class ScenarioChoice(Strict):
    """A decision: what the learner does, where it leads, and why (shown now and in the review)."""

    label: str = Field(min_length=1)
    goto: str
    feedback: str = Field(min_length=1)
    changes: dict[str, int] = Field(default_factory=dict, alias="set")
    when: str | None = None


class ScenarioNode(Strict, NodeMethods):
    """A moment in the story: either a situation with choices, or an ending with a debrief."""

    title: str = Field(min_length=1)
    text: str = Field(min_length=1)
    choices: list[ScenarioChoice] = Field(default_factory=list)
    ending: EndingKind | None = None
    debrief: str | None = None
    score: int | None = None


class Scenario(Strict, ScenarioMethods):
    """``content/<module>/scenarios/<id>.yaml``."""

    id: str
    title: str = Field(min_length=1)
    audience: Literal["client", "practitioner"]
    intro: str | None = None
    allow_back: bool = True
    variables: dict[str, int] = Field(default_factory=dict)
    start: str
    nodes: dict[str, ScenarioNode] = Field(min_length=2)
    sources: list[str] = Field(min_length=1)

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        return _check_pattern(value, QUESTION_ID, "scenario id")


def scenario_findings(scenario: Scenario) -> Iterator[tuple[KeyPath, str]]:
    """Everything that would strand or confuse a learner, each with the key path to fix."""
    declared = set(scenario.variables)
    if scenario.start not in scenario.nodes:
        yield ("start",), f"start node {scenario.start!r} is not one of the nodes"
    for node_id, node in scenario.nodes.items():
        yield from _node_findings(node_id, node, scenario, declared)
    if scenario.start in scenario.nodes:
        yield from _graph_findings(scenario)


def _node_findings(
    node_id: str, node: ScenarioNode, scenario: Scenario, declared: set[str]
) -> Iterator[tuple[KeyPath, str]]:
    path: KeyPath = ("nodes", node_id)
    if not QUESTION_ID.match(node_id):
        yield path, "a node id may use only lowercase letters, digits and '-'"
    if node.is_ending:
        if node.choices:
            yield (*path, "choices"), "an ending has no choices: remove them, or remove 'ending'"
        if not node.debrief:
            yield path, "every ending needs a 'debrief' saying what this ending teaches"
        return
    if node.debrief:
        yield (*path, "debrief"), "only endings have a debrief: add 'ending: good|mixed|poor' or remove it"
    if not node.choices:
        yield path, "this node has no choices and is not an ending: add choices, or make it an ending"
        return
    if all(choice.when for choice in node.choices):
        yield (
            (*path, "choices"),
            (
                "every choice here has a 'when' condition, so a learner could be left with no choice: "
                "make at least one choice unconditional"
            ),
        )
    for index, choice in enumerate(node.choices):
        choice_path = (*path, "choices", index)
        if choice.goto not in scenario.nodes:
            yield (*choice_path, "goto"), f"goes to {choice.goto!r}, which is not a node in this scenario"
        for name in choice.changes:
            if name not in declared:
                yield (*choice_path, "set", name), f"{name!r} is not declared under 'variables'"
        if choice.when is not None:
            try:
                condition = parse_condition(choice.when)
            except ConditionError as error:
                yield (*choice_path, "when"), f"the condition cannot be read: {error}"
                continue
            for name in sorted(condition.names - declared):
                yield (*choice_path, "when"), f"{name!r} is not declared under 'variables'"


def _graph_findings(scenario: Scenario) -> Iterator[tuple[KeyPath, str]]:
    """Reachability, treating every choice as possibly open (conditions depend on the path taken)."""
    edges = {
        node_id: [choice.goto for choice in node.choices if choice.goto in scenario.nodes]
        for node_id, node in scenario.nodes.items()
    }
    reachable = _reach(scenario.start, edges)
    for node_id in scenario.nodes:
        if node_id not in reachable:
            yield ("nodes", node_id), f"no choice leads here from the start node {scenario.start!r}"
    reverse: dict[str, list[str]] = {node_id: [] for node_id in scenario.nodes}
    for source, targets in edges.items():
        for target in targets:
            reverse[target].append(source)
    can_finish: set[str] = set()
    for ending in scenario.endings:
        can_finish |= _reach(ending, reverse)
    if not scenario.endings:
        yield ("nodes",), "the scenario has no ending: mark at least one node with 'ending: good|mixed|poor'"
        return
    for node_id, node in scenario.nodes.items():
        if node_id in reachable and node_id not in can_finish and node.choices:
            yield ("nodes", node_id), "from here no ending can be reached (a loop with no way out)"


def _reach(start: str, edges: dict[str, list[str]]) -> set[str]:
    seen = {start}
    queue = deque([start])
    while queue:
        for target in edges.get(queue.popleft(), []):
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return seen


def paths_to_endings(scenario: Scenario) -> dict[str, list[tuple[str, int]]]:
    """For each reachable ending, a shortest list of ``(node id, choice index)`` that leads there.

    Conditions are honoured: variables are tracked along the way, so every path found can really be played.
    """
    start_values = tuple(sorted(scenario.variables.items()))
    queue: deque[tuple[str, tuple[tuple[str, int], ...], list[tuple[str, int]]]] = deque(
        [(scenario.start, start_values, [])]
    )
    seen = {(scenario.start, start_values)}
    found: dict[str, list[tuple[str, int]]] = {}
    while queue:
        node_id, values, steps = queue.popleft()
        node = scenario.nodes[node_id]
        if node.is_ending:
            found.setdefault(node_id, steps)
            continue
        current = dict(values)
        for index, choice in enumerate(node.choices):
            if choice.when is not None and not parse_condition(choice.when).evaluate(current):
                continue
            after = dict(current)
            for name, change in choice.changes.items():
                after[name] = after.get(name, 0) + change
            state = (choice.goto, tuple(sorted(after.items())))
            if state not in seen and len(steps) < 60:
                seen.add(state)
                queue.append((choice.goto, state[1], [*steps, (node_id, index)]))
    return found
