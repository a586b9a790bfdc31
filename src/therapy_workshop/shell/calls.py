"""How each notebook call is shown: on an app page, or in a notebook opened on its own.

What a call *is* (its name, its arguments, an example) is declared once in
:data:`therapy_workshop.model.registry.CALLS`, where ``check`` validates notebook cells against it. How it is
*built* is declared once here. Both the app's page builder (:mod:`therapy_workshop.shell.render`) and the
functions notebooks import (``from therapy_workshop import quiz``) come from this table; a test holds the two
tables to the same names and builds every call every notebook makes, in both places.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets
from IPython.display import HTML

from therapy_workshop.html.links import ModuleLink, app_link, notebook_link
from therapy_workshop.html.safe import Markup
from therapy_workshop.model.registry import CALLS, WorkshopCall
from therapy_workshop.model.workshop import Workshop
from therapy_workshop.shell.frame import notebook_frame, title_block_html
from therapy_workshop.shell.listings import module_overview_html, sources_list_html
from therapy_workshop.store.current import get_workshop
from therapy_workshop.widgets import lean
from therapy_workshop.widgets.assessment import build_assessment
from therapy_workshop.widgets.cases import build_follow_case
from therapy_workshop.widgets.certificate import build_certificate
from therapy_workshop.widgets.checklist import build_checklist
from therapy_workshop.widgets.device_choice import build_device_choice
from therapy_workshop.widgets.draft import build_complaint_draft
from therapy_workshop.widgets.exercises import build_exercise
from therapy_workshop.widgets.jurisdiction import build_jurisdiction_guide
from therapy_workshop.widgets.process import build_chart, build_process_explorer
from therapy_workshop.widgets.progress_view import build_progress_overview
from therapy_workshop.widgets.quiz import build_quiz
from therapy_workshop.widgets.scenario import build_scenario
from therapy_workshop.widgets.script_builder import build_script_builder
from therapy_workshop.widgets.summary import build_summary_table


@dataclass(frozen=True)
class Place:
    """Where a call is shown: in the app (one kernel, ``?module=`` links) or in a notebook of its own."""

    in_app: bool
    link: ModuleLink

    def html(self, fragment: Markup) -> object:
        """A piece of HTML as this place shows it: a widget in the app, IPython's HTML in a notebook."""
        return lean.HTML(fragment) if self.in_app else HTML(fragment)


IN_APP = Place(in_app=True, link=app_link)
IN_NOTEBOOK = Place(in_app=False, link=notebook_link)

Build = Callable[[Workshop, Place, dict[str, str]], object]


def _frame(workshop: Workshop, place: Place, arguments: dict[str, str]) -> object:
    # The app shows the header itself, so there a page's frame call contributes only its title block.
    module_id = arguments["module_id"]
    return place.html(title_block_html(workshop, module_id)) if place.in_app else notebook_frame(workshop, module_id)


BUILDERS: dict[str, Build] = {
    "frame": _frame,
    "quiz": lambda workshop, _place, arguments: build_quiz(workshop, arguments["module_id"]),
    "sources_list": lambda workshop, place, arguments: place.html(sources_list_html(workshop, arguments["module_id"])),
    "module_overview": lambda workshop, place, _arguments: place.html(module_overview_html(workshop, place.link)),
    "exercise": lambda workshop, _place, arguments: build_exercise(workshop, arguments["exercise_id"]),
    "scenario": lambda workshop, _place, arguments: build_scenario(workshop, arguments["scenario_id"]),
    "script_builder": lambda workshop, _place, arguments: build_script_builder(workshop, arguments["module_id"]),
    "summary_table": lambda workshop, _place, arguments: build_summary_table(workshop, arguments["module_id"]),
    "jurisdiction_guide": lambda workshop, _place, _arguments: build_jurisdiction_guide(workshop),
    "process_explorer": lambda workshop, _place, _arguments: build_process_explorer(workshop),
    "follow_case": lambda workshop, _place, _arguments: build_follow_case(workshop),
    "complaint_draft": lambda workshop, _place, arguments: build_complaint_draft(workshop, arguments["module_id"]),
    "figures_chart": lambda workshop, _place, arguments: build_chart(workshop, arguments["chart_id"]),
    "checklist": lambda workshop, _place, arguments: build_checklist(workshop, arguments["module_id"]),
    "assessment": lambda workshop, _place, arguments: build_assessment(workshop, arguments["when"]),
    "certificate": lambda workshop, _place, _arguments: build_certificate(workshop),
    "progress_overview": lambda workshop, place, _arguments: build_progress_overview(
        workshop, place.link, show_notices=not place.in_app
    ),
    "device_choice": lambda workshop, _place, _arguments: build_device_choice(workshop),
    # In the app the shell is already there; app() itself (notebooks/app.ipynb's one call) is shell.app.app.
    "app": lambda _workshop, _place, _arguments: None,
}


def build_on_page(workshop: Workshop, call: WorkshopCall) -> widgets.Widget | None:
    """The widget an app page shows for a parsed notebook call (``None``: nothing to show)."""
    shown = BUILDERS[call.name](workshop, IN_APP, call.arguments)
    return shown if isinstance(shown, widgets.Widget) else None


def notebook_function(name: str) -> Callable[..., Any]:
    """The public function a notebook imports for the call ``name``, made from the two tables."""
    spec = CALLS[name]
    if name == "app":
        # The app shell sits above the page builder; the package exports shell.app.app itself.
        raise ValueError("app() is therapy_workshop.shell.app.app, not a page call")

    def show(*arguments: str) -> object:
        if len(arguments) != len(spec.parameters):
            raise TypeError(f"{name}() takes {len(spec.parameters)} argument(s); write it like {spec.example}")
        named = {parameter: value for (parameter, _kind), value in zip(spec.parameters, arguments, strict=True)}
        return BUILDERS[name](get_workshop(), IN_NOTEBOOK, named)

    show.__name__ = show.__qualname__ = name
    show.__doc__ = f"{spec.shows}: ``{spec.example}``."
    return show
