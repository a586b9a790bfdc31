"""Loading content files and gathering every problem, for the workshop loader and ``check``.

Each activity a module folder can hold (exercises, scenarios, a script builder, a summary table) is loaded
here and checked for what a single file can get wrong: ids that clash, categories or sources that do not
exist, scenarios that could strand a learner. Problems are collected, never raised one by one, so an
editor sees them all in one run.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypeVar, cast

from pydantic import BaseModel

from therapy_workshop.model.content import (
    AssessmentFile,
    ChecklistFile,
    ScriptBuilderFile,
    SummaryTable,
)
from therapy_workshop.model.exercises import EXERCISE_KINDS, Exercise, ExerciseItem
from therapy_workshop.model.facilitation import AgendasFile, FacilitatorNotes, agenda_findings, notes_findings
from therapy_workshop.model.process import (
    Case,
    DraftFile,
    FiguresFile,
    Jurisdiction,
    ProcessFile,
    case_findings,
    jurisdiction_findings,
    process_findings,
)
from therapy_workshop.model.scenario import Scenario, scenario_findings
from therapy_workshop.model.workshop import Activities
from therapy_workshop.validate.files import validate_file
from therapy_workshop.validate.yaml_source import ContentError, LocatedYaml, Problem, load_located_yaml

Model = TypeVar("Model", bound=BaseModel)


class Collector:
    """Loads files relative to the project root and gathers problems instead of stopping at the first."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.problems: list[Problem] = []

    def display(self, path: Path) -> str:
        """``path`` as an editor sees it: relative to the project folder."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()

    def load(self, relative: str, model: type[Model]) -> tuple[Model | None, LocatedYaml | None]:
        """Read and validate one file; problems are recorded, and ``None`` stands for a file that failed."""
        try:
            located = load_located_yaml(self.root / relative, relative)
        except ContentError as error:
            self.problems.extend(error.problems)
            return None, None
        value, problems = validate_file(located, model)
        self.problems.extend(problems)
        return value, located

    def load_by_kind(
        self, relative: str, models: dict[str, type[BaseModel]]
    ) -> tuple[BaseModel | None, LocatedYaml | None]:
        """Read a file whose ``kind:`` decides its model (exercises: categorise or ordering)."""
        try:
            located = load_located_yaml(self.root / relative, relative)
        except ContentError as error:
            self.problems.extend(error.problems)
            return None, None
        kind = located.data.get("kind") if isinstance(located.data, dict) else None
        model = models.get(kind) if isinstance(kind, str) else None
        if model is None:
            kinds = " or ".join(sorted(models))
            self.problems.append(located.problem(("kind",), f"kind must be {kinds}"))
            return None, located
        value, problems = validate_file(located, model)
        self.problems.extend(problems)
        return value, located


def check_cited(
    cited: Iterable[str],
    known: set[str] | None,
    located: LocatedYaml,
    key_path: tuple[str | int, ...],
    problems: list[Problem],
) -> None:
    """Report each cited source key that is not defined (skipped when the sources themselves failed)."""
    if known is None:
        return
    for index, key in enumerate(cited):
        if key not in known:
            problems.append(
                located.problem((*key_path, index), f"unknown source {key!r}: add it to content/sources.yaml")
            )


def load_activities(collector: Collector, module_ids: list[str], known_sources: set[str] | None) -> Activities:
    """Load every module folder's exercises, scenarios, script builder and summary table."""
    activities = Activities()
    defined_at: dict[str, str] = {}
    for module_id in module_ids:
        folder = collector.root / "content" / module_id
        for path in sorted(folder.glob("exercises/*.yaml")):
            loaded, located = collector.load_by_kind(collector.display(path), EXERCISE_MODELS)
            if loaded is None or located is None:
                continue
            exercise = cast("Exercise", loaded)
            if _claim_id(exercise.id, path, located, defined_at, collector):
                _check_exercise(exercise, located, known_sources, collector)
                activities.exercises[exercise.id] = exercise
                activities.module_of[exercise.id] = module_id
        for path in sorted(folder.glob("scenarios/*.yaml")):
            scenario, located = collector.load(collector.display(path), Scenario)
            if scenario is None or located is None:
                continue
            if _claim_id(scenario.id, path, located, defined_at, collector):
                for key_path, message in scenario_findings(scenario):
                    collector.problems.append(located.problem(key_path, message))
                check_cited(scenario.sources, known_sources, located, ("sources",), collector.problems)
                activities.scenarios[scenario.id] = scenario
                activities.module_of[scenario.id] = module_id
        # One-per-module files whose parts need unique ids: (file, model, list of parts, what an id names, store).
        sectioned: tuple[tuple[str, type[BaseModel], str, str, dict[str, Any]], ...] = (
            ("script.yaml", ScriptBuilderFile, "sections", "section id", activities.scripts),
            ("checklist.yaml", ChecklistFile, "sections", "section id", activities.checklists),
            ("draft.yaml", DraftFile, "fields", "field id", activities.drafts),
        )
        for file_name, model, parts, id_name, store in sectioned:
            loaded_file, located = module_file(collector, module_id, file_name, model)
            if loaded_file is not None and located is not None:
                ids = [part.id for part in getattr(loaded_file, parts)]
                _check_unique(ids, parts, id_name, located, collector)
                store[module_id] = loaded_file
        summary, located = module_file(collector, module_id, "summary.yaml", SummaryTable)
        if summary is not None and located is not None:
            for index, row in enumerate(summary.rows):
                check_cited(row.sources, known_sources, located, ("rows", index, "sources"), collector.problems)
            activities.summaries[module_id] = summary
    return activities


def module_file(
    collector: Collector, module_id: str, name: str, model: type[Model]
) -> tuple[Model | None, LocatedYaml | None]:
    """A module's optional one-per-module file (script, checklist, draft, summary, facilitator notes)."""
    relative = f"content/{module_id}/{name}"
    if not (collector.root / relative).is_file():
        return None, None
    return collector.load(relative, model)


EXERCISE_MODELS: dict[str, type[BaseModel]] = {kind: entry.model for kind, entry in EXERCISE_KINDS.items()}


GENERIC_ACTIVITIES = frozenset(
    {
        "quiz",
        "script_builder",
        "summary_table",
        "checklist",
        "complaint_draft",
        "process_explorer",
        "follow_case",
        "assessment",
        "certificate",
        "jurisdiction_guide",
        "figures_chart",
    }
)


def load_facilitation(collector: Collector, activities: Activities, modules: list[Any]) -> None:
    """Facilitator notes per module and the agendas, checked against the modules' timings and activities."""
    for module in modules:
        notes, located = module_file(collector, module.id, "facilitator.yaml", FacilitatorNotes)
        if notes is None or located is None:
            continue
        owned = {activity for activity, owner in activities.module_of.items() if owner == module.id}
        for key_path, message in notes_findings(notes, module.minutes, set(GENERIC_ACTIVITIES) | owned):
            collector.problems.append(located.problem(key_path, message))
        activities.facilitator_notes[module.id] = notes
    if (collector.root / "content" / "agendas.yaml").is_file():
        agendas, located = collector.load("content/agendas.yaml", AgendasFile)
        if agendas is not None and located is not None:
            for key_path, message in agenda_findings(agendas, {module.id for module in modules}):
                collector.problems.append(located.problem(key_path, message))
            activities.agendas = agendas


def load_assessment(collector: Collector, activities: Activities, known_sources: set[str] | None) -> None:
    """The pre/post assessment bank, if the workshop has one."""
    if not (collector.root / "content" / "assessment.yaml").is_file():
        return
    bank, located = collector.load("content/assessment.yaml", AssessmentFile)
    if bank is None or located is None:
        return
    topics = [topic.id for topic in bank.topics]
    _check_unique(topics, "topics", "topic id", located, collector)
    _check_unique([item.id for item in bank.items], "items", "item id", located, collector)
    for index, item in enumerate(bank.items):
        if item.topic not in topics:
            collector.problems.append(
                located.problem(
                    ("items", index, "topic"), f"unknown topic {item.topic!r}: use one of {', '.join(topics)}"
                )
            )
        check_cited(item.sources, known_sources, located, ("items", index, "sources"), collector.problems)
    activities.assessment = bank


def load_process(collector: Collector, activities: Activities, known_sources: set[str] | None) -> None:
    """The complaint process, jurisdictions, case files and figures, if the workshop has them."""
    content = collector.root / "content"
    process_path = content / "process" / "complaint.yaml"
    if not process_path.is_file():
        return
    process, located = collector.load("content/process/complaint.yaml", ProcessFile)
    if process is not None and located is not None:
        for key_path, message in process_findings(process):
            collector.problems.append(located.problem(key_path, message))
        for index, stage in enumerate(process.stages):
            check_cited(stage.sources, known_sources, located, ("stages", index, "sources"), collector.problems)
        activities.process = process
    stage_ids = {stage.id for stage in process.stages} if process is not None else set()
    jurisdiction_paths = sorted(content.glob("jurisdictions/*.yaml"))
    jurisdiction_ids = {path.stem for path in jurisdiction_paths}
    for path in jurisdiction_paths:
        jurisdiction, located = collector.load(collector.display(path), Jurisdiction)
        if jurisdiction is None or located is None:
            continue
        if jurisdiction.id != path.stem:
            collector.problems.append(located.problem(("id",), f"the id must match the file name: use id: {path.stem}"))
            continue
        for key_path, message in jurisdiction_findings(jurisdiction, stage_ids, jurisdiction_ids):
            collector.problems.append(located.problem(key_path, message))
        check_cited(jurisdiction.sources, known_sources, located, ("sources",), collector.problems)
        for index, body in enumerate(jurisdiction.bodies):
            check_cited(body.sources, known_sources, located, ("bodies", index, "sources"), collector.problems)
        for index, fact in enumerate(jurisdiction.dated_facts):
            check_cited(fact.sources, known_sources, located, ("dated_facts", index, "sources"), collector.problems)
        activities.jurisdictions[jurisdiction.id] = jurisdiction
    for path in sorted(content.glob("process/cases/*.yaml")):
        case, located = collector.load(collector.display(path), Case)
        if case is None or located is None:
            continue
        if case.id != path.stem:
            collector.problems.append(located.problem(("id",), f"the id must match the file name: use id: {path.stem}"))
            continue
        if process is not None:
            for key_path, message in case_findings(case, process, jurisdiction_ids):
                collector.problems.append(located.problem(key_path, message))
        for index, step in enumerate(case.steps):
            check_cited(step.sources, known_sources, located, ("steps", index, "sources"), collector.problems)
        activities.cases[case.id] = case
    if (content / "process" / "figures.yaml").is_file():
        figures, located = collector.load("content/process/figures.yaml", FiguresFile)
        if figures is not None and located is not None:
            _check_unique([chart.id for chart in figures.charts], "charts", "chart id", located, collector)
            for index, chart in enumerate(figures.charts):
                check_cited(chart.sources, known_sources, located, ("charts", index, "sources"), collector.problems)
                activities.charts[chart.id] = chart


def _claim_id(
    activity_id: str, path: Path, located: LocatedYaml, defined_at: dict[str, str], collector: Collector
) -> bool:
    """An exercise or scenario id must match its file name and be unique across the workshop."""
    if activity_id != path.stem:
        collector.problems.append(located.problem(("id",), f"the id must match the file name: use id: {path.stem}"))
        return False
    if activity_id in defined_at:
        collector.problems.append(
            located.problem(("id",), f"id {activity_id!r} is already used by {defined_at[activity_id]}")
        )
        return False
    defined_at[activity_id] = collector.display(path)
    return True


def _check_unique(ids: list[str], list_key: str, what: str, located: LocatedYaml, collector: Collector) -> None:
    first: dict[str, int] = {}
    for index, each in enumerate(ids):
        if each in first:
            first_line = located.line_of((list_key, first[each], "id"))
            collector.problems.append(
                located.problem((list_key, index, "id"), f"{what} {each!r} is used twice (first at line {first_line})")
            )
        first.setdefault(each, index)


def _check_exercise(
    exercise: Exercise, located: LocatedYaml, known_sources: set[str] | None, collector: Collector
) -> None:
    """What every kind must get right (item ids used once, cited sources exist), then its kind's own rules."""
    _check_unique([item.id for item in exercise.items], "items", "item id", located, collector)
    findings = EXERCISE_KINDS[exercise.kind].findings
    for key_path, message in findings(exercise) if findings is not None else ():
        collector.problems.append(located.problem(key_path, message))
    items: list[ExerciseItem] = list(exercise.items)
    for index, item in enumerate(items):
        check_cited(item.sources, known_sources, located, ("items", index, "sources"), collector.problems)
