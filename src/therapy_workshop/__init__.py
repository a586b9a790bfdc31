"""Your Rights in Therapy: workshop notebooks, quizzes and the Voilà app that serves them.

A notebook imports the calls it needs, one per code cell::

    from therapy_workshop import frame, quiz
    frame("01-rights")
    quiz("01-rights")
"""

from .app import WorkshopApp, app
from .frame import frame
from .listings import module_overview, sources_list
from .quiz import QuestionWidget, QuizSet, quiz
from .yaml_source import ContentError

__all__ = [
    "ContentError",
    "QuestionWidget",
    "QuizSet",
    "WorkshopApp",
    "app",
    "frame",
    "module_overview",
    "quiz",
    "sources_list",
]
