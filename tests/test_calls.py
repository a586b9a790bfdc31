"""Every notebook call is declared once (model.registry) and built once (shell.calls), for the app and notebooks.

The app's pages and the functions notebooks import come from the same two tables; these tests hold the tables
to the same names and build every call that every module notebook makes, in both places.
"""

from __future__ import annotations

import ipywidgets as widgets
import pytest

import therapy_workshop
from therapy_workshop.model.notebook_source import read_cells
from therapy_workshop.model.registry import CALLS, WorkshopCall, parse_cell
from therapy_workshop.model.workshop import Workshop
from therapy_workshop.shell.app import app
from therapy_workshop.shell.calls import BUILDERS, build_on_page


def test_every_declared_call_has_a_builder_and_every_builder_a_declaration() -> None:
    assert sorted(BUILDERS) == sorted(CALLS)


def notebook_calls(workshop: Workshop) -> list[tuple[str, WorkshopCall]]:
    calls = []
    for module in workshop.modules:
        for cell in read_cells(workshop.notebooks_dir / module.notebook):
            parsed = parse_cell(cell.source) if cell.cell_type == "code" else None
            if isinstance(parsed, WorkshopCall):
                calls.append((module.id, parsed))
    return calls


def test_the_notebooks_use_every_page_call(workshop: Workshop) -> None:
    used = {call.name for _module, call in notebook_calls(workshop)}
    assert used == set(CALLS) - {"app"}  # app() is notebooks/app.ipynb's one call


def test_every_call_in_every_module_notebook_builds_on_an_app_page(workshop: Workshop) -> None:
    for module_id, call in notebook_calls(workshop):
        shown = build_on_page(workshop, call)
        assert isinstance(shown, widgets.Widget), f"{module_id}: {call.name}{tuple(call.arguments.values())}"


def test_every_call_in_every_module_notebook_builds_in_a_notebook(
    workshop: Workshop, capsys: pytest.CaptureFixture[str]
) -> None:
    for module_id, call in notebook_calls(workshop):
        function = getattr(therapy_workshop, call.name)
        shown = function(*call.arguments.values())
        assert shown is not None, f"{module_id}: {call.name}{tuple(call.arguments.values())}"


def test_a_notebook_call_says_what_it_shows_and_how_to_write_it() -> None:
    from therapy_workshop import quiz

    assert quiz.__name__ == "quiz"
    assert quiz.__doc__ == 'Show a module\'s quiz set: ``quiz("01-rights")``.'


def test_a_notebook_call_with_the_wrong_arguments_says_how_to_write_it() -> None:
    with pytest.raises(TypeError) as error:
        therapy_workshop.scenario()
    assert str(error.value) == 'scenario() takes 1 argument(s); write it like scenario("wont-let-me-leave")'


def test_app_is_the_shell_and_an_unknown_name_is_an_attribute_error() -> None:
    assert therapy_workshop.app is app
    with pytest.raises(AttributeError, match="has no attribute 'no_such_call'"):
        therapy_workshop.no_such_call  # noqa: B018
