"""The calls a notebook code cell may make, and a parser that reads them without running them.

Notebooks stay thin: each code cell is one workshop call such as ``quiz("01-rights")``, or the single
import line that makes those names available in JupyterLab. The app shell and ``check`` parse cells with
:mod:`ast` and look the call up here; nothing in a notebook is ever executed by the app.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Literal

PACKAGE = "therapy_workshop"

ArgumentKind = Literal[
    "module", "quiz", "exercise", "scenario", "script", "summary", "draft", "chart", "checklist", "when"
]


@dataclass(frozen=True)
class CallSpec:
    """What a registered call accepts: positional parameters and what each must name."""

    name: str
    parameters: tuple[tuple[str, ArgumentKind], ...] = ()
    example: str = ""
    shows: str = ""  # what the call shows, for its docstring and help()


CALLS: dict[str, CallSpec] = {
    spec.name: spec
    for spec in (
        CallSpec(
            "frame",
            (("module_id", "module"),),
            'frame("01-rights")',
            "Show the page frame at the top of a module notebook",
        ),
        CallSpec(
            "quiz",
            (("module_id", "quiz"),),
            'quiz("01-rights")',
            "Show a module's quiz set",
        ),
        CallSpec(
            "sources_list", (("module_id", "module"),), 'sources_list("01-rights")', "Show the sources a module cites"
        ),
        CallSpec(
            "module_overview",
            (),
            "module_overview()",
            "Show the list of modules with times and objectives",
        ),
        CallSpec(
            "exercise",
            (("exercise_id", "exercise"),),
            'exercise("red-flag-grey-area-fine")',
            "Show an exercise",
        ),
        CallSpec(
            "scenario", (("scenario_id", "scenario"),), 'scenario("wont-let-me-leave")', "Play a branching scenario"
        ),
        CallSpec(
            "script_builder",
            (("module_id", "script"),),
            'script_builder("03-ending")',
            "Show a module's ending-script builder",
        ),
        CallSpec(
            "summary_table",
            (("module_id", "summary"),),
            'summary_table("02-conduct")',
            "Show a module's summary table with a download",
        ),
        CallSpec(
            "jurisdiction_guide", (), "jurisdiction_guide()", "Show who takes complaints in the learner's chosen place"
        ),
        CallSpec(
            "process_explorer",
            (),
            "process_explorer()",
            "Show the complaint process diagram and its stages",
        ),
        CallSpec(
            "follow_case",
            (),
            "follow_case()",
            "Follow a fictional complaint stage by stage",
        ),
        CallSpec(
            "complaint_draft",
            (("module_id", "draft"),),
            'complaint_draft("04-reporting")',
            "Show the complaint draft helper",
        ),
        CallSpec(
            "figures_chart",
            (("chart_id", "chart"),),
            'figures_chart("asppb-reasons")',
            "Show a chart of published figures",
        ),
        CallSpec(
            "checklist",
            (("module_id", "checklist"),),
            'checklist("06-choosing")',
            "Show a module's checklist",
        ),
        CallSpec(
            "assessment",
            (("when", "when"),),
            'assessment("pre")',
            "Show the pre- or post-assessment",
        ),
        CallSpec(
            "certificate",
            (),
            "certificate()",
            "Show the certificate maker",
        ),
        CallSpec(
            "progress_overview",
            (),
            "progress_overview()",
            "Show the learner's progress with a reset button",
        ),
        CallSpec(
            "device_choice",
            (),
            "device_choice()",
            "Ask what this device keeps, with a button that clears everything",
        ),
        CallSpec(
            "app",
            (),
            "app()",
            "Show the whole workshop as one app",
        ),
    )
}


@dataclass(frozen=True)
class WorkshopCall:
    """A parsed code cell: the registered name and its literal arguments."""

    name: str
    arguments: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ImportCell:
    """The ``from therapy_workshop import ...`` line that lets a notebook run on its own."""

    names: tuple[str, ...]


class CellError(ValueError):
    """A code cell that is not one registered call; the message says what was found instead."""


def parse_cell(source: str) -> WorkshopCall | ImportCell | None:
    """Parse one code cell. Return ``None`` for an empty cell; raise :class:`CellError` otherwise."""
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        raise CellError(f"code cell is not valid Python ({error.msg})") from None
    if not tree.body:
        return None
    if len(tree.body) > 1:
        raise CellError(f"a code cell may hold only one workshop call, found {len(tree.body)} statements")
    statement = tree.body[0]
    if isinstance(statement, ast.ImportFrom):
        return _parse_import(statement)
    if not isinstance(statement, ast.Expr) or not isinstance(statement.value, ast.Call):
        raise CellError('a code cell may hold only one workshop call such as quiz("01-rights"), not other Python code')
    return _parse_call(statement.value)


def _parse_import(statement: ast.ImportFrom) -> ImportCell:
    if statement.module != PACKAGE or statement.level:
        raise CellError(f"the only import allowed is 'from {PACKAGE} import ...'")
    names = tuple(alias.name for alias in statement.names)
    for alias in statement.names:
        if alias.asname is not None:
            raise CellError(f"import {alias.name} without renaming it")
    unknown = [name for name in names if name not in CALLS]
    if unknown:
        raise CellError(f"cannot import {', '.join(unknown)}: known calls are {', '.join(sorted(CALLS))}")
    return ImportCell(names)


def _parse_call(call: ast.Call) -> WorkshopCall:
    if not isinstance(call.func, ast.Name):
        raise CellError('call a workshop function by its plain name, such as quiz("01-rights")')
    name = call.func.id
    spec = CALLS.get(name)
    if spec is None:
        raise CellError(f"{name}() is not a workshop call; known calls are {', '.join(sorted(CALLS))}")
    if call.keywords:
        raise CellError(f"{name}() takes no keyword arguments; write it like {spec.example}")
    if len(call.args) != len(spec.parameters):
        raise CellError(
            f"{name}() takes {len(spec.parameters)} argument(s), found {len(call.args)}; write it like {spec.example}"
        )
    arguments: dict[str, str] = {}
    for node, (parameter, _kind) in zip(call.args, spec.parameters, strict=True):
        if not isinstance(node, ast.Constant) or not isinstance(node.value, str):
            raise CellError(f"{name}() needs a quoted text argument; write it like {spec.example}")
        arguments[parameter] = node.value
    return WorkshopCall(name, arguments)
