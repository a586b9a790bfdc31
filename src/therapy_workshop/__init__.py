"""Your Rights in Therapy: workshop notebooks, quizzes and the Voilà app that serves them.

A notebook imports the calls it needs, one per code cell::

    from therapy_workshop import frame, quiz
    frame("01-rights")
    quiz("01-rights")
"""

import ipywidgets

from therapy_workshop.model.problems import ContentError
from therapy_workshop.shell.app import WorkshopApp, app
from therapy_workshop.shell.frame import frame
from therapy_workshop.shell.listings import module_overview, sources_list
from therapy_workshop.store.current import get_workshop
from therapy_workshop.widgets.assessment import AssessmentWidget, build_assessment
from therapy_workshop.widgets.cases import FollowCase, build_follow_case
from therapy_workshop.widgets.categorise import CategoriseWidget
from therapy_workshop.widgets.certificate import CertificateWidget, build_certificate
from therapy_workshop.widgets.checklist import ChecklistWidget, build_checklist
from therapy_workshop.widgets.draft import ComplaintDraft, build_complaint_draft
from therapy_workshop.widgets.exercises import build_exercise
from therapy_workshop.widgets.jurisdiction import JurisdictionGuide, build_jurisdiction_guide
from therapy_workshop.widgets.ordering import OrderingWidget
from therapy_workshop.widgets.process import ProcessExplorer, build_chart, build_process_explorer
from therapy_workshop.widgets.progress_view import ProgressOverview, build_progress_overview
from therapy_workshop.widgets.quiz import QuestionWidget, QuizSet, quiz
from therapy_workshop.widgets.scenario import ScenarioWidget, build_scenario
from therapy_workshop.widgets.script_builder import ScriptBuilderWidget, build_script_builder
from therapy_workshop.widgets.summary import SummaryTableWidget, build_summary_table


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


def figures_chart(chart_id: str) -> ipywidgets.HTML:
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
