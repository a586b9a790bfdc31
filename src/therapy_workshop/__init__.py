"""Your Rights in Therapy: workshop notebooks, quizzes and the Voilà app that serves them.

A notebook imports the calls it needs, one per code cell::

    from therapy_workshop import frame, quiz
    frame("01-rights")
    quiz("01-rights")
"""

import ipywidgets as widgets

from .app import WorkshopApp, app
from .assessment import AssessmentWidget, build_assessment
from .cases import FollowCase, build_follow_case
from .categorise import CategoriseWidget
from .certificate import CertificateWidget, build_certificate
from .checklist import ChecklistWidget, build_checklist
from .draft import ComplaintDraft, build_complaint_draft
from .exercises import build_exercise
from .frame import frame
from .jurisdiction import JurisdictionGuide, build_jurisdiction_guide
from .listings import module_overview, sources_list
from .ordering import OrderingWidget
from .problems import ContentError
from .process import ProcessExplorer, build_chart, build_process_explorer
from .progress_view import ProgressOverview, build_progress_overview
from .quiz import QuestionWidget, QuizSet, quiz
from .scenario import ScenarioWidget, build_scenario
from .script_builder import ScriptBuilderWidget, build_script_builder
from .summary import SummaryTableWidget, build_summary_table
from .workshop import get_workshop


def exercise(exercise_id: str) -> CategoriseWidget | OrderingWidget:
    """Show an exercise: ``exercise("red-flag-grey-area-fine")``."""
    return build_exercise(get_workshop(), exercise_id)


def scenario(scenario_id: str) -> ScenarioWidget:
    """Play a branching scenario: ``scenario("wont-let-me-leave")``."""
    return build_scenario(get_workshop(), scenario_id)


def script_builder(module_id: str) -> ScriptBuilderWidget:
    """Show a module's ending-script builder: ``script_builder("03-ending")``."""
    return build_script_builder(get_workshop(), module_id)


def summary_table(module_id: str) -> SummaryTableWidget:
    """Show a module's summary table with a download: ``summary_table("02-conduct")``."""
    return build_summary_table(get_workshop(), module_id)


def jurisdiction_guide() -> JurisdictionGuide:
    """Show who takes complaints in the learner's chosen place: ``jurisdiction_guide()``."""
    return build_jurisdiction_guide(get_workshop())


def process_explorer() -> ProcessExplorer:
    """Show the complaint process diagram and its stages: ``process_explorer()``."""
    return build_process_explorer(get_workshop())


def follow_case() -> FollowCase:
    """Follow a fictional complaint stage by stage: ``follow_case()``."""
    return build_follow_case(get_workshop())


def complaint_draft(module_id: str) -> ComplaintDraft:
    """Show the complaint draft helper: ``complaint_draft("04-reporting")``."""
    return build_complaint_draft(get_workshop(), module_id)


def figures_chart(chart_id: str) -> widgets.HTML:
    """Show a chart of published figures: ``figures_chart("asppb-reasons")``."""
    return build_chart(get_workshop(), chart_id)


def checklist(module_id: str) -> ChecklistWidget:
    """Show a module's checklist: ``checklist("06-choosing")``."""
    return build_checklist(get_workshop(), module_id)


def assessment(when: str) -> AssessmentWidget:
    """Show the pre- or post-assessment: ``assessment("pre")`` or ``assessment("post")``."""
    return build_assessment(get_workshop(), when)


def certificate() -> CertificateWidget:
    """Show the certificate maker: ``certificate()``."""
    return build_certificate(get_workshop())


def progress_overview() -> ProgressOverview:
    """Show the learner's progress with a reset button: ``progress_overview()``."""
    return build_progress_overview(get_workshop())


__all__ = [
    "CategoriseWidget",
    "ComplaintDraft",
    "ContentError",
    "FollowCase",
    "JurisdictionGuide",
    "ProcessExplorer",
    "QuestionWidget",
    "QuizSet",
    "ScenarioWidget",
    "ScriptBuilderWidget",
    "SummaryTableWidget",
    "WorkshopApp",
    "app",
    "assessment",
    "certificate",
    "checklist",
    "complaint_draft",
    "exercise",
    "figures_chart",
    "follow_case",
    "frame",
    "jurisdiction_guide",
    "module_overview",
    "process_explorer",
    "progress_overview",
    "quiz",
    "scenario",
    "script_builder",
    "sources_list",
    "summary_table",
]
