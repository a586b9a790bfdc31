"""Validate the whole workshop's content and check that its parts refer to each other correctly.

A single file can be valid on its own and still be wrong: a question citing a source nobody defined, two
modules reusing a question id, a notebook calling a quiz that does not exist. :func:`load_workshop`
validates each file against its model and then every cross-reference, and reports all problems at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from therapy_workshop.html.markdown import heading_ids
from therapy_workshop.model.content import (
    SOURCE_KEY,
    Module,
    ModulesFile,
    QuizFile,
    Source,
    SourcesFile,
    SupportFile,
    UIStrings,
)
from therapy_workshop.model.notebook_source import SOURCE_LINK_PREFIX, Cell, NotebookError, markdown_links, read_cells
from therapy_workshop.model.registry import CALLS, CellError, ImportCell, WorkshopCall, parse_cell
from therapy_workshop.model.workshop import Workshop, find_root
from therapy_workshop.validate.loading import (
    Collector,
    check_cited,
    load_activities,
    load_assessment,
    load_facilitation,
    load_process,
)
from therapy_workshop.validate.yaml_source import ContentError, LocatedYaml, Problem


def load_workshop(root: Path | None = None, *, check_notebooks: bool = False) -> Workshop:
    """Load and cross-check all content under ``root``; raise :class:`ContentError` listing every problem.

    ``check_notebooks`` also reads every module notebook and checks its code cells and links; ``check`` and
    the tests ask for it, the kernel does not need to pay for it.
    """
    root = (root or find_root()).resolve()
    collector = Collector(root)
    modules_file, modules_yaml = collector.load("content/modules.yaml", ModulesFile)
    support, support_yaml = collector.load("content/support.yaml", SupportFile)
    ui, _ = collector.load("content/ui.yaml", UIStrings)

    modules = modules_file.modules if isinstance(modules_file, ModulesFile) else []
    if modules_yaml is not None:
        _check_modules(modules, modules_yaml, root, collector.problems)
    sources, sources_complete = _load_sources(collector)
    # With a broken sources file every citation would look unknown: check citations only when all loaded.
    known_sources = set(sources) if sources_complete else None
    if isinstance(support, SupportFile) and support_yaml is not None and known_sources is not None:
        for country_index, country in enumerate(support.countries):
            for line_index, line in enumerate(country.lines):
                path = ("countries", country_index, "lines", line_index, "sources")
                check_cited(line.sources, known_sources, support_yaml, path, collector.problems)

    quizzes = _load_quizzes(collector, modules, known_sources)
    activities = load_activities(collector, [module.id for module in modules], known_sources)
    load_process(collector, activities, known_sources)
    load_assessment(collector, activities, known_sources)
    load_facilitation(collector, activities, modules)
    workshop = Workshop(
        root=root,
        modules=modules,
        quizzes=quizzes,
        sources=sources,
        support=support if isinstance(support, SupportFile) else None,  # type: ignore[arg-type]
        ui=ui if isinstance(ui, UIStrings) else None,  # type: ignore[arg-type]
        activities=activities,
    )
    if check_notebooks and modules:
        _check_notebooks(workshop, known_sources, collector)
    if collector.problems:
        raise ContentError(collector.problems)
    return workshop


def _check_modules(modules: list[Module], located: LocatedYaml, root: Path, problems: list[Problem]) -> None:
    first_id_line: dict[str, int | None] = {}
    first_notebook_owner: dict[str, int | None] = {}
    for index, module in enumerate(modules):
        if module.id in first_id_line:
            problems.append(
                located.problem(
                    ("modules", index, "id"),
                    f"module id {module.id!r} is used twice (first at line {first_id_line[module.id]})",
                )
            )
        first_id_line.setdefault(module.id, located.line_of(("modules", index, "id")))
        if module.notebook in first_notebook_owner:
            problems.append(
                located.problem(
                    ("modules", index, "notebook"),
                    f"notebook {module.notebook} already belongs to the module at line "
                    f"{first_notebook_owner[module.notebook]}",
                )
            )
        first_notebook_owner.setdefault(module.notebook, located.line_of(("modules", index)))
        if not (root / "notebooks" / module.notebook).is_file():
            problems.append(
                located.problem(("modules", index, "notebook"), f"notebooks/{module.notebook} does not exist")
            )


def _load_sources(collector: Collector) -> tuple[dict[str, Source], bool]:
    """All sources: ``content/sources.yaml`` plus any module's own ``content/<module>/sources.yaml``.

    Keys share one namespace, so a key defined twice is an error wherever the second one is.
    """
    sources: dict[str, Source] = {}
    defined_at: dict[str, str] = {}
    complete = True
    paths = ["content/sources.yaml"] + [
        collector.display(path) for path in sorted((collector.root / "content").glob("*/sources.yaml"))
    ]
    for relative in paths:
        loaded, located = collector.load(relative, SourcesFile)
        if not isinstance(loaded, SourcesFile) or located is None:
            complete = False
            continue
        _check_source_keys(loaded.sources, located, collector.problems)
        for key, source in loaded.sources.items():
            where = f"{relative}:{located.line_of(('sources', key))}"
            if key in defined_at:
                collector.problems.append(
                    located.problem(("sources", key), f"source key {key!r} is already defined at {defined_at[key]}")
                )
                continue
            defined_at[key] = where
            sources[key] = source
    return sources, complete


def _check_source_keys(sources: dict[str, Source], located: LocatedYaml, problems: list[Problem]) -> None:
    for key in sources:
        if not SOURCE_KEY.match(key):
            problems.append(
                located.problem(("sources", key), "a source key may use only lowercase letters, digits, '.' and '-'")
            )


def _load_quizzes(collector: Collector, modules: list[Module], known_sources: set[str] | None) -> dict[str, QuizFile]:
    quizzes: dict[str, QuizFile] = {}
    first_use: dict[str, str] = {}
    module_ids = {module.id for module in modules}
    content = collector.root / "content"
    for quiz_path in sorted(content.glob("*/quiz.yaml")):
        folder = quiz_path.parent.name
        relative = collector.display(quiz_path)
        if modules and folder not in module_ids:
            collector.problems.append(
                Problem(relative, None, (), f"folder content/{folder}/ is not a module id in content/modules.yaml")
            )
            continue
        quiz, located = collector.load(relative, QuizFile)
        if not isinstance(quiz, QuizFile) or located is None:
            continue
        collector.problems.extend(_quiz_findings(quiz, located))
        for index, question in enumerate(quiz.questions):
            where = f"{relative}:{located.line_of(('questions', index, 'id'))}"
            if question.id in first_use:
                collector.problems.append(
                    located.problem(
                        ("questions", index, "id"),
                        f"question id {question.id!r} is already used at {first_use[question.id]}",
                    )
                )
            first_use.setdefault(question.id, where)
            if known_sources is not None:
                check_cited(
                    question.sources,
                    known_sources,
                    located,
                    ("questions", index, "sources"),
                    collector.problems,
                )
        quizzes[folder] = quiz
    return quizzes


def _quiz_findings(quiz: QuizFile, located: LocatedYaml) -> Iterator[Problem]:
    """Rules about single options and bands, reported at the option's or band's own line."""
    for band_index in range(1, len(quiz.score_feedback)):
        if quiz.score_feedback[band_index].from_percent <= quiz.score_feedback[band_index - 1].from_percent:
            yield located.problem(
                ("score_feedback", band_index, "from"),
                "score bands must go up: each 'from' must be larger than the one before",
            )
    for question_index, question in enumerate(quiz.questions):
        for option_index, option in enumerate(question.options):
            path = ("questions", question_index, "options", option_index)
            if question.kind == "multiple" and option.correct and not option.missed:
                yield located.problem(
                    (*path, "missed"),
                    "this option is correct, so it needs 'missed' feedback (shown when a learner leaves it out)",
                )
            elif option.missed and not (question.kind == "multiple" and option.correct):
                yield located.problem(
                    (*path, "missed"),
                    "'missed' is shown only for correct options of a multiple question: remove it here",
                )


def _check_notebooks(workshop: Workshop, known_sources: set[str] | None, collector: Collector) -> None:
    for module in workshop.modules:
        path = workshop.notebooks_dir / module.notebook
        if not path.is_file():
            continue  # already reported against modules.yaml
        display = collector.display(path)
        try:
            cells = read_cells(path)
        except NotebookError as error:
            collector.problems.append(Problem(display, None, (), str(error)))
            continue
        for cell, message in _notebook_findings(workshop, module, cells, known_sources):
            if cell is None:
                collector.problems.append(Problem(display, None, (), message))
            else:
                collector.problems.append(Problem(display, cell.line, ("cells", cell.index), message))


def _notebook_findings(
    workshop: Workshop, module: Module, cells: list[Cell], known_sources: set[str] | None
) -> Iterator[tuple[Cell | None, str]]:
    """What is wrong with one module notebook, cell by cell (``None`` for the notebook as a whole)."""
    notebook_names = {each.notebook for each in workshop.modules}
    anchors = {anchor for cell in cells if cell.cell_type == "markdown" for anchor in heading_ids(cell.source)}
    imported: set[str] = set()
    called_frame = False
    for cell in cells:
        if cell.cell_type == "markdown":
            for _text, target in markdown_links(cell.source):
                if target.startswith(SOURCE_LINK_PREFIX):
                    key = target.removeprefix(SOURCE_LINK_PREFIX)
                    if known_sources is not None and key not in known_sources:
                        yield (
                            cell,
                            f"unknown source {key!r} in a citation link: add it to content/sources.yaml",
                        )
                elif target.endswith(".ipynb") and "/" not in target and target not in notebook_names:
                    yield cell, f"link to {target}, which is not a notebook in content/modules.yaml"
                elif target.startswith("#") and target[1:] not in anchors:
                    yield (
                        cell,
                        (
                            f"link to {target}, but no heading on this page has that text "
                            "(write the heading's words with '-' for each space)"
                        ),
                    )
            continue
        if cell.cell_type != "code":
            continue
        try:
            parsed = parse_cell(cell.source)
        except CellError as error:
            yield cell, str(error)
            continue
        if isinstance(parsed, ImportCell):
            imported.update(parsed.names)
        elif isinstance(parsed, WorkshopCall):
            if parsed.name not in imported:
                yield cell, f"{parsed.name}() is called before 'from therapy_workshop import {parsed.name}'"
            called_frame = called_frame or parsed.name == "frame"
            for message in _call_argument_findings(parsed, module, workshop):
                yield cell, message
    if not called_frame:
        yield None, f'the notebook never shows its page frame: add a cell frame("{module.id}")'


def _call_argument_findings(call: WorkshopCall, module: Module, workshop: Workshop) -> Iterator[str]:
    """Arguments of a registered call that name nothing real, or the wrong thing for this notebook.

    Existence is judged by the file being there, so a file that exists but has its own errors is reported
    once, against itself, and not again here as missing.
    """
    if call.name == "app":
        yield "app() belongs only in notebooks/app.ipynb, not in a module notebook"
    module_ids = {each.id for each in workshop.modules}
    content = workshop.root / "content"
    needs = {
        "process_explorer": ("process/complaint.yaml", "content/process/complaint.yaml"),
        "follow_case": ("process/cases/*.yaml", "case files in content/process/cases/"),
        "jurisdiction_guide": ("jurisdictions/*.yaml", "jurisdiction files in content/jurisdictions/"),
        "assessment": ("assessment.yaml", "content/assessment.yaml"),
    }
    if call.name in needs:
        pattern, what = needs[call.name]
        if not any(content.glob(pattern)):
            yield (
                f"{call.name}() has nothing to show: there are no {what}"
                if "*" in pattern
                else (f"{call.name}() has nothing to show: there is no {what}")
            )
    for parameter, kind in CALLS[call.name].parameters:
        value = call.arguments[parameter]
        if kind == "module" and value not in module_ids:
            yield f'{call.name}("{value}") names no module in content/modules.yaml'
        elif kind == "quiz" and not (content / value / "quiz.yaml").is_file():
            yield f'{call.name}("{value}") names no quiz: there is no content/{value}/quiz.yaml'
        elif kind == "script" and not (content / value / "script.yaml").is_file():
            yield f'{call.name}("{value}") names no script builder: there is no content/{value}/script.yaml'
        elif kind == "summary" and not (content / value / "summary.yaml").is_file():
            yield f'{call.name}("{value}") names no summary table: there is no content/{value}/summary.yaml'
        elif kind == "checklist" and not (content / value / "checklist.yaml").is_file():
            yield f'{call.name}("{value}") names no checklist: there is no content/{value}/checklist.yaml'
        elif kind == "when" and value not in ("pre", "post"):
            yield f'{call.name}("{value}"): use assessment("pre") on the start page or assessment("post") in the review'
        elif kind == "draft" and not (content / value / "draft.yaml").is_file():
            yield f'{call.name}("{value}") names no draft helper: there is no content/{value}/draft.yaml'
        elif kind == "chart" and workshop.activities.charts and value not in workshop.activities.charts:
            known = ", ".join(sorted(workshop.activities.charts))
            yield f'{call.name}("{value}") names no chart in content/process/figures.yaml (charts: {known})'
        elif kind in ("exercise", "scenario") and not any(content.glob(f"*/{kind}s/{value}.yaml")):
            yield f'{call.name}("{value}") names no {kind}: there is no content/<module>/{kind}s/{value}.yaml'
        elif call.name == "frame" and value != module.id:
            yield f'frame("{value}") in the notebook of module {module.id}: use frame("{module.id}")'
