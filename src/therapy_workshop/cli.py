"""``therapy-workshop``: commands for content editors and maintainers.

``therapy-workshop check`` validates every content file and notebook and says exactly what is wrong and
where (``file:line key.path: message``), exiting 1 if anything is. Dated facts that are due for a review are
listed as warnings in the same form; they never change the exit status. ``--json`` prints a summary for tools.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from therapy_workshop.model.exercises import Exercise
from therapy_workshop.model.notebook_source import NotebookError, read_cells
from therapy_workshop.model.registry import CellError, ImportCell, WorkshopCall, parse_cell
from therapy_workshop.model.workshop import Workshop, find_root
from therapy_workshop.store.snapshot import write_snapshot
from therapy_workshop.validate.loader import load_workshop
from therapy_workshop.validate.review import REVIEW_MONTHS, review_warnings
from therapy_workshop.validate.yaml_source import ContentError, Problem

APP_NOTEBOOK = "notebooks/app.ipynb"


def check_app_notebook(root: Path) -> list[Problem]:
    """The app notebook must be exactly the import and the ``app()`` call; anything else is refused."""
    path = root / APP_NOTEBOOK
    if not path.is_file():
        return [Problem(APP_NOTEBOOK, None, (), "file not found: the Voilà app needs it")]
    try:
        cells = read_cells(path)
    except NotebookError as error:
        return [Problem(APP_NOTEBOOK, None, (), str(error))]
    problems = []
    calls = []
    for cell in cells:
        if cell.cell_type != "code":
            continue
        try:
            parsed = parse_cell(cell.source)
        except CellError as error:
            problems.append(Problem(APP_NOTEBOOK, cell.line, ("cells", cell.index), str(error)))
            continue
        if isinstance(parsed, WorkshopCall):
            calls.append(parsed.name)
        elif isinstance(parsed, ImportCell) and parsed.names != ("app",):
            problems.append(Problem(APP_NOTEBOOK, cell.line, ("cells", cell.index), "import only app here"))
    if calls != ["app"]:
        problems.append(Problem(APP_NOTEBOOK, None, (), "the app notebook must call app() exactly once"))
    return problems


def _exercise_summary(workshop: Workshop, exercise: Exercise) -> dict[str, Any]:
    report: dict[str, Any] = {
        "id": exercise.id,
        "module": workshop.activities.module_of[exercise.id],
        "kind": exercise.kind,
        "items": len(exercise.items),
    }
    category_ids = getattr(exercise, "category_ids", None)  # kinds that sort items into categories
    if category_ids is not None:
        categories = [getattr(item, "category", None) for item in exercise.items]
        report["items_per_category"] = {category: categories.count(category) for category in category_ids}
    return report


def summary(workshop: Workshop) -> dict[str, Any]:
    """Counts of everything the workshop holds, for dashboards and for the one-line report."""
    process = workshop.activities.process
    agendas = workshop.activities.agendas
    bank = workshop.activities.assessment
    return {
        "agendas": [{"id": agenda.id, "minutes": agenda.minutes} for agenda in agendas.agendas] if agendas else [],
        "facilitator_notes": sorted(workshop.activities.facilitator_notes),
        "assessment_items": len(bank.items) if bank is not None else 0,
        "checklists": sorted(workshop.activities.checklists),
        "ok": True,
        "modules": [
            {
                "id": module.id,
                "title": module.title,
                "notebook": f"notebooks/{module.notebook}",
                "minutes": module.minutes,
                "objectives": len(module.objectives),
            }
            for module in workshop.modules
        ],
        "questions": {module_id: len(quiz.questions) for module_id, quiz in workshop.quizzes.items()},
        "scenarios": [
            {
                "id": scenario.id,
                "module": workshop.activities.module_of[scenario.id],
                "audience": scenario.audience,
                "nodes": len(scenario.nodes),
                "endings": {
                    kind: sum(node.ending == kind for node in scenario.nodes.values())
                    for kind in ("good", "mixed", "poor")
                },
            }
            for scenario in workshop.scenarios.values()
        ],
        "exercises": [_exercise_summary(workshop, exercise) for exercise in workshop.exercises.values()],
        "script_builders": sorted(workshop.scripts),
        "summary_tables": sorted(workshop.summaries),
        "draft_helpers": sorted(workshop.activities.drafts),
        "process_stages": [stage.id for stage in process.stages] if process is not None else [],
        "outcomes": [outcome.id for outcome in process.outcomes] if process is not None else [],
        "cases": [
            {"id": case.id, "jurisdiction": case.jurisdiction, "path": [step.stage for step in case.steps]}
            for case in workshop.activities.cases.values()
        ],
        "charts": sorted(workshop.activities.charts),
        "sources": len(workshop.sources),
        "support_countries": [country.id for country in workshop.support.countries],
        "jurisdictions": sorted(workshop.activities.jurisdictions),
        "total_minutes": sum(module.minutes for module in workshop.modules),
    }


def run_check(root: Path, as_json: bool, today: datetime.date | None = None) -> int:
    """Validate everything under ``root``; print problems or a summary; return the exit status.

    ``today`` (default: the real date) decides which dated facts are due for review.
    """
    problems: list[Problem] = []
    workshop = None
    try:
        workshop = load_workshop(root, check_notebooks=True)
    except ContentError as error:
        problems.extend(error.problems)
    problems.extend(check_app_notebook(root))
    if problems:
        if as_json:
            failed = {"ok": False, "problems": [str(problem) for problem in problems], "warnings": []}
            print(json.dumps(failed, indent=2))
        else:
            for problem in problems:
                print(problem)
            found = "1 problem found. Fix it" if len(problems) == 1 else f"{len(problems)} problems found. Fix them"
            print(f"\n{found} and run 'make check' again.", file=sys.stderr)
        from therapy_workshop.shell.preview import remove_preview

        remove_preview(root)  # the app shows its plain notice; no words from the last good check before it
        return 1
    assert workshop is not None
    # Imported here: they build pages with the app's own code (ipywidgets and all), which only check needs.
    from therapy_workshop.shell.exit_page import write_exit_page
    from therapy_workshop.shell.prerender import prerendered_markdown
    from therapy_workshop.shell.preview import write_preview

    try:
        # What participants' kernels read instead of validating again, with the Markdown their pages render.
        write_snapshot(workshop, prerendered_markdown(workshop))
    except OSError as error:
        print(
            f"Note: could not save the content snapshot ({error.strerror}: {error.filename}); "
            "each kernel will validate the content itself, which costs it about 10 MB more.",
            file=sys.stderr,
        )
    try:
        write_preview(workshop)  # each module's words, shown before the app's scripts have loaded
    except OSError as error:
        print(
            f"Note: could not save the page preview ({error.strerror}: {error.filename}); "
            "participants will see a loading line until the app is ready.",
            file=sys.stderr,
        )
    try:
        write_exit_page(workshop)  # Exit this page with content/ui.yaml's destination and words
    except OSError as error:
        print(
            f"Note: could not save the Exit this page button ({error.strerror}: {error.filename}); "
            "pages show the last one saved, or else the template's English words and BBC Weather as its destination.",
            file=sys.stderr,
        )
    report = summary(workshop)
    warnings = review_warnings(root, today or datetime.date.today())
    report["warnings"] = [str(warning) for warning in warnings]
    if as_json:
        print(json.dumps(report, indent=2))
    else:
        questions = sum(report["questions"].values())
        print(
            f"Content OK: {len(report['modules'])} modules, {questions} questions, "
            f"{len(report['scenarios'])} scenarios, {len(report['exercises'])} exercises, "
            f"{len(report['cases'])} cases, {len(report['jurisdictions'])} jurisdictions, "
            f"{report['sources']} sources, {len(report['support_countries'])} support countries."
        )
        if warnings:
            items = "1 item" if len(warnings) == 1 else f"{len(warnings)} items"
            print(
                f"\nReview due (warnings, not errors): {items} checked more than {REVIEW_MONTHS} months ago "
                "or past an expected date."
            )
            for warning in warnings:
                print(warning)
    return 0


def _day(text: str) -> datetime.date:
    """A ``--as-of`` day, with a message an editor can act on instead of Python's."""
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a day: write it as YYYY-MM-DD, e.g. 2027-03-15") from None


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``therapy-workshop`` command."""
    parser = argparse.ArgumentParser(prog="therapy-workshop", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="validate all content and notebooks")
    check.add_argument("--json", action="store_true", help="print a JSON summary instead of text")
    check.add_argument("--root", type=Path, default=None, help="project folder (default: found from here)")
    check.add_argument(
        "--as-of",
        type=_day,
        default=None,
        metavar="YYYY-MM-DD",
        help="decide which dated facts are due for review as of this day, e.g. your workshop's (default: today)",
    )
    for name, help_text, default in (
        ("guide", "write the facilitator guide (HTML and PDF)", "build/guide"),
        ("handouts", "write learner handouts and the answer sheet (HTML and PDF)", "build/handouts"),
        ("docs", "write the guide and the handouts (into OUT/guide and OUT/handouts)", "build"),
    ):
        command = commands.add_parser(name, help=help_text)
        command.add_argument("--out", type=Path, default=Path(default), help=f"output folder (default: {default})")
        command.add_argument("--root", type=Path, default=None, help="project folder (default: found from here)")
    arguments = parser.parse_args(argv)
    try:
        root = arguments.root.resolve() if arguments.root else find_root()
    except FileNotFoundError as error:
        print(f"therapy-workshop: {error}", file=sys.stderr)
        return 2
    if arguments.command == "check":
        return run_check(root, arguments.json, arguments.as_of)
    return run_documents(root, arguments.command, arguments.out)


def run_documents(root: Path, command: str, out: Path) -> int:
    """Write the guide, the handouts or both (``docs``); content problems stop it with the same messages as check."""
    from therapy_workshop.facilitator.documents import write_guide, write_handouts

    try:
        workshop = load_workshop(root)
    except ContentError as error:
        for problem in error.problems:
            print(problem)
        print("\nFix the content first: run 'make check'.", file=sys.stderr)
        return 1
    if command == "docs":
        written = write_guide(workshop, out / "guide") + write_handouts(workshop, out / "handouts")
    else:
        written = write_guide(workshop, out) if command == "guide" else write_handouts(workshop, out)
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
