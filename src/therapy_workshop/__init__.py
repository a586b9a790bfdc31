"""Your Rights in Therapy: workshop notebooks, quizzes and the Voilà app that serves them.

A notebook imports the calls it needs, one per code cell::

    from therapy_workshop import frame, quiz
    frame("01-rights")
    quiz("01-rights")
"""

from .app import WorkshopApp, app
from .categorise import CategoriseWidget, build_exercise
from .frame import frame
from .listings import module_overview, sources_list
from .quiz import QuestionWidget, QuizSet, quiz
from .scenario import ScenarioWidget, build_scenario
from .script_builder import ScriptBuilderWidget, build_script_builder
from .summary import SummaryTableWidget, build_summary_table
from .workshop import get_workshop
from .yaml_source import ContentError


def exercise(exercise_id: str) -> CategoriseWidget:
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


__all__ = [
    "CategoriseWidget",
    "ContentError",
    "QuestionWidget",
    "QuizSet",
    "ScenarioWidget",
    "ScriptBuilderWidget",
    "SummaryTableWidget",
    "WorkshopApp",
    "app",
    "exercise",
    "frame",
    "module_overview",
    "quiz",
    "scenario",
    "script_builder",
    "sources_list",
    "summary_table",
]
