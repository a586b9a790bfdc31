"""Your Rights in Therapy: workshop notebooks, quizzes and the Voilà app that serves them.

A notebook imports the calls it needs, one per code cell::

    from therapy_workshop import frame, quiz
    frame("01-rights")
    quiz("01-rights")

Each call (``frame``, ``quiz``, ``scenario``, … ``app``) is made from its declaration in
:data:`therapy_workshop.model.registry.CALLS` and its builder in :mod:`therapy_workshop.shell.calls`, so a
notebook, the app and ``check`` can never disagree about what a call is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from therapy_workshop.model.problems import ContentError
from therapy_workshop.model.registry import CALLS
from therapy_workshop.shell.app import WorkshopApp
from therapy_workshop.shell.app import app as app  # the one call that is not a page call
from therapy_workshop.shell.calls import notebook_function
from therapy_workshop.widgets.assessment import AssessmentWidget
from therapy_workshop.widgets.cases import FollowCase
from therapy_workshop.widgets.categorise import CategoriseWidget
from therapy_workshop.widgets.certificate import CertificateWidget
from therapy_workshop.widgets.checklist import ChecklistWidget
from therapy_workshop.widgets.draft import ComplaintDraft
from therapy_workshop.widgets.jurisdiction import JurisdictionGuide
from therapy_workshop.widgets.ordering import OrderingWidget
from therapy_workshop.widgets.process import ProcessExplorer
from therapy_workshop.widgets.progress_view import ProgressOverview
from therapy_workshop.widgets.quiz import QuestionWidget, QuizSet
from therapy_workshop.widgets.scenario import ScenarioWidget
from therapy_workshop.widgets.script_builder import ScriptBuilderWidget
from therapy_workshop.widgets.summary import SummaryTableWidget


def __getattr__(name: str) -> Callable[..., Any]:
    """``from therapy_workshop import quiz``: the notebook calls, made from their declarations on first use."""
    if name in CALLS:  # every call but app(), which is imported above
        function = notebook_function(name)
        globals()[name] = function  # made once
        return function
    raise AttributeError(f"module 'therapy_workshop' has no attribute {name!r}")


__all__ = [
    "AssessmentWidget",
    "CategoriseWidget",
    "CertificateWidget",
    "ChecklistWidget",
    "ComplaintDraft",
    "ContentError",
    "FollowCase",
    "JurisdictionGuide",
    "OrderingWidget",
    "ProcessExplorer",
    "ProgressOverview",
    "QuestionWidget",
    "QuizSet",
    "ScenarioWidget",
    "ScriptBuilderWidget",
    "SummaryTableWidget",
    "WorkshopApp",
    *CALLS,  # app among them
]
