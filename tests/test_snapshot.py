"""The content snapshot: kernels read what ``check`` validated, identical to the models, never a stale copy."""

from __future__ import annotations

import inspect
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import BaseModel

from therapy_workshop.model import content, facilitation
from therapy_workshop.model import process as process_model
from therapy_workshop.model import scenario as scenario_model
from therapy_workshop.model.methods import Methods
from therapy_workshop.model.workshop import Workshop
from therapy_workshop.store.snapshot import make_record, read_snapshot, snapshot_path, to_plain, write_snapshot
from therapy_workshop.validate.loader import load_workshop

REPO = Path(__file__).resolve().parents[1]
MODEL_MODULES = (content, scenario_model, process_model, facilitation)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the project's content and notebooks, free to edit."""
    for folder in ("content", "notebooks"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    return tmp_path


@pytest.fixture
def saved(project: Path) -> tuple[Workshop, Workshop]:
    validated = load_workshop(project)
    write_snapshot(validated)
    loaded = read_snapshot(project)
    assert loaded is not None
    return validated, loaded


def test_the_snapshot_reads_back_as_the_validated_workshop(saved: tuple[Workshop, Workshop]) -> None:
    validated, loaded = saved
    assert to_plain(loaded) == to_plain(validated)
    assert loaded.root == validated.root
    assert type(loaded.quizzes["01-rights"]).__name__ == "QuizFile"
    assert not isinstance(loaded.quizzes["01-rights"], BaseModel)


def test_records_answer_every_model_method_as_the_models_do(saved: tuple[Workshop, Workshop]) -> None:
    validated, loaded = saved
    for module_id, quiz in validated.quizzes.items():
        twin = loaded.quizzes[module_id]
        assert [q.correct_indexes for q in twin.questions] == [q.correct_indexes for q in quiz.questions]
        assert [twin.feedback_for(p) for p in (0, 49.9, 50, 80, 100)] == [
            quiz.feedback_for(p) for p in (0, 49.9, 50, 80, 100)
        ]
    for exercise_id, exercise in validated.exercises.items():
        if exercise.kind == "categorise":
            assert loaded.exercises[exercise_id].category_ids == exercise.category_ids
    for scenario_id, scenario in validated.scenarios.items():
        assert sorted(loaded.scenarios[scenario_id].endings) == sorted(scenario.endings)
    process = validated.activities.process
    assert process is not None
    for stage in process.stages:
        assert loaded.activities.process.stage(stage.id).title == stage.title
    with pytest.raises(KeyError, match=re.escape("no stage 'nowhere' in content/process/complaint.yaml")):
        loaded.activities.process.stage("nowhere")
    assert loaded.ui.format("question_of", number=2, total=9) == validated.ui.format("question_of", number=2, total=9)
    agendas = validated.activities.agendas
    assert agendas is not None
    assert [[part.length for part in agenda.parts] for agenda in loaded.activities.agendas.agendas] == [
        [part.length for part in agenda.parts] for agenda in agendas.agendas
    ]


def test_models_define_no_methods_of_their_own_so_records_share_them_all() -> None:
    # A method written on a model would be missing from its snapshot record: every method lives in a mixin of
    # model/methods.py, which the model inherits and the record is made with.
    base = set(dir(BaseModel))
    for module in MODEL_MODULES:
        for name, model in inspect.getmembers(module, inspect.isclass):
            if not issubclass(model, BaseModel) or model.__module__ != module.__name__:
                continue
            own = {
                attribute
                for klass in model.__mro__
                if issubclass(klass, BaseModel) and klass.__module__.startswith("therapy_workshop")
                for attribute, value in vars(klass).items()
                if not attribute.startswith("_")
                and attribute not in base
                and (callable(value) or isinstance(value, property))
                and not isinstance(value, classmethod | staticmethod)
            }
            assert own == set(), f"{name} defines {sorted(own)} itself: move them to a mixin in model/methods.py"
            mixins = {
                klass
                for klass in model.__mro__
                if issubclass(klass, Methods) and not issubclass(klass, BaseModel) and klass is not Methods
            }
            assert mixins <= set(Methods.by_model.get(name, ())), f"{name}: records would lack {mixins}"


def test_an_edited_content_file_makes_the_snapshot_stale(saved: tuple[Workshop, Workshop], project: Path) -> None:
    quiz = project / "content" / "01-rights" / "quiz.yaml"
    quiz.write_text(quiz.read_text(encoding="utf-8") + "\n# an editor's note\n", encoding="utf-8")
    assert read_snapshot(project) is None


def test_a_damaged_or_older_snapshot_is_ignored(saved: tuple[Workshop, Workshop], project: Path) -> None:
    path = snapshot_path(project)
    data = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps({**data, "format": 0}), encoding="utf-8")
    assert read_snapshot(project) is None
    path.write_text('{"format": 1, "fingerp', encoding="utf-8")
    assert read_snapshot(project) is None
    path.unlink()
    assert read_snapshot(project) is None


def test_records_are_read_only() -> None:
    band = make_record("ScoreBand", from_percent=0, text="Thanks")
    with pytest.raises(AttributeError, match="ScoreBand from the content snapshot is read-only"):
        band.text = "changed"


def test_a_participant_kernel_builds_the_app_without_pydantic_or_yaml(project: Path) -> None:
    write_snapshot(load_workshop(project))
    script = (
        "import sys\n"
        "from therapy_workshop import app\n"
        "shell = app()\n"
        "for module in ('01-rights', '02-conduct', '05-process', '07-review'):\n"
        "    shell.go(module)\n"
        "print(sorted(name for name in ('pydantic', 'yaml') if name in sys.modules))\n"
    )
    assert as_a_kernel(project, script).strip() == "[]"


def as_a_kernel(project: Path, script: str) -> str:
    """What ``script`` prints, run as a participant's kernel runs: its own process, in the notebooks folder."""
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=project / "notebooks",
        capture_output=True,
        text=True,
        check=True,
        # A bare environment, as a kernel's; PYTHONPATH is kept so the test sees the same package it imports.
        env={"PATH": "/usr/bin:/bin", "HOME": str(project), **_python_path()},
    )
    return result.stdout


def _python_path() -> dict[str, str]:
    return {"PYTHONPATH": os.environ["PYTHONPATH"]} if os.environ.get("PYTHONPATH") else {}


def test_a_participant_kernel_opens_every_module_without_rendering_markdown_when_check_recorded_it(
    project: Path,
) -> None:
    from therapy_workshop.shell.prerender import prerendered_markdown

    workshop = load_workshop(project)
    write_snapshot(workshop, prerendered_markdown(workshop))
    script = (
        "import sys\n"
        "from therapy_workshop import app\n"
        "shell = app()\n"
        "for module in [module.id for module in shell.workshop.modules]:\n"
        "    shell.go(module)\n"
        "print('markdown_it' in sys.modules)\n"
        "from therapy_workshop.html.markdown import render_markdown\n"
        "print(render_markdown('A *new* text, typed since the check.'), end='')\n"
    )
    printed = as_a_kernel(project, script)
    assert printed.splitlines() == ["False", "<p>A <em>new</em> text, typed since the check.</p>"]


def test_a_damaged_markdown_table_is_left_out_and_every_text_is_rendered_afresh(project: Path) -> None:
    from therapy_workshop.html.markdown import render_inline, use_prerendered

    write_snapshot(load_workshop(project), {"inline\0\0*Hello*": "<em>from the table</em>"})
    path = snapshot_path(project)
    data = json.loads(path.read_text(encoding="utf-8"))
    try:
        assert read_snapshot(project) is not None
        assert render_inline("*Hello*") == "<em>from the table</em>"
        use_prerendered({})
        # A value that is not text (an edited or damaged file): the workshop still loads, the table is not used.
        path.write_text(json.dumps({**data, "markdown": {"inline\0\0*Hello*": 1}}), encoding="utf-8")
        assert read_snapshot(project) is not None
        assert render_inline("*Hello*") == "<em>Hello</em>"
        path.write_text(json.dumps({**data, "markdown": ["not", "a", "table"]}), encoding="utf-8")
        assert read_snapshot(project) is not None
        assert render_inline("*Hello*") == "<em>Hello</em>"
    finally:
        use_prerendered({})
