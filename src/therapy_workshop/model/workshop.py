"""The loaded workshop as the widgets see it: every module, quiz, activity and source, and where the project is.

Where it comes from lives in the layers above: :mod:`therapy_workshop.validate.loader` validates it from the
YAML, and :mod:`therapy_workshop.store` saves and reads the snapshot that participants' kernels use.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from therapy_workshop.model.content import (
        AssessmentFile,
        ChecklistFile,
        Module,
        QuizFile,
        ScriptBuilderFile,
        Source,
        SummaryTable,
        SupportFile,
        UIStrings,
    )
    from therapy_workshop.model.exercises import Exercise
    from therapy_workshop.model.facilitation import AgendasFile, FacilitatorNotes
    from therapy_workshop.model.process import Case, Chart, DraftFile, Jurisdiction, ProcessFile
    from therapy_workshop.model.scenario import Scenario

CONTENT_ENV = "THERAPY_WORKSHOP_ROOT"


@dataclass
class Activities:
    """The interactive pieces of all modules, by id (exercises, scenarios) or by module (script, summary)."""

    exercises: dict[str, Exercise] = field(default_factory=dict)
    scenarios: dict[str, Scenario] = field(default_factory=dict)
    scripts: dict[str, ScriptBuilderFile] = field(default_factory=dict)
    summaries: dict[str, SummaryTable] = field(default_factory=dict)
    drafts: dict[str, DraftFile] = field(default_factory=dict)
    checklists: dict[str, ChecklistFile] = field(default_factory=dict)
    facilitator_notes: dict[str, FacilitatorNotes] = field(default_factory=dict)
    agendas: AgendasFile | None = None
    assessment: AssessmentFile | None = None
    module_of: dict[str, str] = field(default_factory=dict)
    process: ProcessFile | None = None
    jurisdictions: dict[str, Jurisdiction] = field(default_factory=dict)
    cases: dict[str, Case] = field(default_factory=dict)
    charts: dict[str, Chart] = field(default_factory=dict)


@dataclass
class Workshop:
    """Everything the widgets need, validated. Built once per kernel and shared by every page."""

    root: Path
    modules: list[Module]
    quizzes: dict[str, QuizFile]
    sources: dict[str, Source]
    support: SupportFile
    ui: UIStrings
    activities: Activities = field(default_factory=Activities)

    @property
    def exercises(self) -> dict[str, Exercise]:
        """Exercises of every kind, by id."""
        return self.activities.exercises

    @property
    def scenarios(self) -> dict[str, Scenario]:
        """Branching scenarios by id."""
        return self.activities.scenarios

    @property
    def scripts(self) -> dict[str, ScriptBuilderFile]:
        """Ending-script builders by module id."""
        return self.activities.scripts

    @property
    def summaries(self) -> dict[str, SummaryTable]:
        """Summary tables by module id."""
        return self.activities.summaries

    @property
    def notebooks_dir(self) -> Path:
        """Folder holding the module notebooks."""
        return self.root / "notebooks"

    def module(self, module_id: str) -> Module:
        """The module called ``module_id``; ``KeyError`` names the known ids if there is none."""
        for module in self.modules:
            if module.id == module_id:
                return module
        known = ", ".join(module.id for module in self.modules)
        raise KeyError(f"no module {module_id!r} in content/modules.yaml (known: {known})")

    def position(self, module_id: str) -> int:
        """Zero-based place of the module in the workshop order."""
        return [module.id for module in self.modules].index(module_id)

    def neighbours(self, module_id: str) -> tuple[Module | None, Module | None]:
        """The modules before and after ``module_id``, or ``None`` at either end."""
        index = self.position(module_id)
        before = self.modules[index - 1] if index > 0 else None
        after = self.modules[index + 1] if index + 1 < len(self.modules) else None
        return before, after

    def module_for_notebook(self, notebook: str) -> Module | None:
        """The module whose notebook file is ``notebook`` (a bare file name)."""
        return next((module for module in self.modules if module.notebook == notebook), None)


def find_root(start: Path | None = None) -> Path:
    """Find the project folder holding ``content/modules.yaml``.

    Looked for in ``$THERAPY_WORKSHOP_ROOT``, then from the working directory upwards (a notebook runs in
    ``notebooks/``), then beside the installed package (an editable install from a checkout).
    """
    if os.environ.get(CONTENT_ENV):
        return Path(os.environ[CONTENT_ENV]).resolve()
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "content" / "modules.yaml").is_file():
            return folder
    package_root = Path(__file__).resolve().parents[3]  # src/therapy_workshop/model/workshop.py → the checkout
    if (package_root / "content" / "modules.yaml").is_file():
        return package_root
    raise FileNotFoundError(
        f"cannot find content/modules.yaml from {here}; run from the project folder or set {CONTENT_ENV}"
    )
