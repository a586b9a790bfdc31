"""Broken content is reported exactly: every problem as ``file:line key.path: message``, nothing else.

Each file in ``tests/content_bad/`` is a tiny replacement for one real project file with one thing wrong.
``ERROR_MESSAGES`` says which file it replaces and the exact lines a content editor should see.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from therapy_workshop.cli import main
from therapy_workshop.model.registry import CALLS
from therapy_workshop.store.snapshot import read_snapshot
from therapy_workshop.validate.loader import load_workshop
from therapy_workshop.validate.yaml_source import ContentError

REPO_ROOT = Path(__file__).resolve().parents[1]
BAD_CONTENT = Path(__file__).resolve().parent / "content_bad"
MODULE_IDS = [module["id"] for module in yaml.safe_load((REPO_ROOT / "content/modules.yaml").read_text())["modules"]]

QUIZ = "content/01-rights/quiz.yaml"
MODULES = "content/modules.yaml"
SOURCES = "content/sources.yaml"
SUPPORT = "content/support.yaml"
UI = "content/ui.yaml"
NOTEBOOK = "notebooks/01_your_rights_in_therapy.ipynb"
EXERCISE = "content/01-rights/exercises/practice-sort.yaml"
SCENARIO = "content/01-rights/scenarios/practice-story.yaml"

# Every registered call, in the order messages list them.
KNOWN_CALLS = ", ".join(sorted(CALLS))

# fixture file name -> (the project file it replaces, every problem line `check` should report, in order)
ERROR_MESSAGES: dict[str, tuple[str, list[str]]] = {
    # ------------------------------------------------------------------------------------ quiz questions
    "single_choice_no_correct_option.yaml": (
        QUIZ,
        [f"{QUIZ}:9 questions[0].options: a single-choice question needs exactly one correct option (found 0)"],
    ),
    "single_choice_two_correct_options.yaml": (
        QUIZ,
        [f"{QUIZ}:9 questions[0].options: a single-choice question needs exactly one correct option (found 2)"],
    ),
    "multiple_choice_correct_option_without_missed.yaml": (
        QUIZ,
        [
            f"{QUIZ}:10 questions[0].options[0].missed: "
            "this option is correct, so it needs 'missed' feedback (shown when a learner leaves it out)"
        ],
    ),
    "true_false_options_not_true_and_false.yaml": (
        QUIZ,
        [f"{QUIZ}:9 questions[0].options: a true_false question needs exactly two options: 'True' and 'False'"],
    ),
    "true_false_option_text_unquoted.yaml": (
        QUIZ,
        [f"{QUIZ}:10 questions[0].options[0].text: should be text: put it in quotes"],
    ),
    "question_cites_unknown_source.yaml": (
        QUIZ,
        [f"{QUIZ}:17 questions[0].sources[1]: unknown source 'apa-10.99': add it to content/sources.yaml"],
    ),
    "question_id_used_twice.yaml": (
        QUIZ,
        [f"{QUIZ}:18 questions[1].id: question id 'rights-end-any-time' is already used at {QUIZ}:6"],
    ),
    "option_correct_not_true_or_false.yaml": (
        QUIZ,
        [f"{QUIZ}:11 questions[0].options[0].correct: should be true or false"],
    ),
    "misspelt_key.yaml": (
        QUIZ,
        [
            f"{QUIZ}:10 questions[0].options[0].feedback: this key is required but missing",
            f"{QUIZ}:12 questions[0].options[0].feedbak: unknown key (check the spelling, or remove it)",
        ],
    ),
    "question_without_explanation.yaml": (
        QUIZ,
        [f"{QUIZ}:6 questions[0].explanation: this key is required but missing"],
    ),
    "score_bands_not_from_zero.yaml": (
        QUIZ,
        [f"{QUIZ}:2 score_feedback: the first score band must start 'from: 0' so every score gets feedback"],
    ),
    "score_bands_not_increasing.yaml": (
        QUIZ,
        [f"{QUIZ}:7 score_feedback[2].from: score bands must go up: each 'from' must be larger than the one before"],
    ),
    # ------------------------------------------------------------------------------------ YAML itself
    "yaml_unclosed_quote.yaml": (
        QUIZ,
        [f"{QUIZ}:8: YAML syntax error: a quote opened on this line is never closed"],
    ),
    "yaml_bad_indentation.yaml": (
        QUIZ,
        [f"{QUIZ}:12: YAML syntax error: this line is indented differently from the lines above it"],
    ),
    "key_twice_in_one_block.yaml": (
        QUIZ,
        [f"{QUIZ}:9 questions[0].prompt: this key appears twice in the same block (first at line 8)"],
    ),
    # ------------------------------------------------------------------------------------ modules
    "module_minutes_not_a_number.yaml": (
        MODULES,
        [f"{MODULES}:11 modules[1].minutes: should be a whole number"],
    ),
    "module_notebook_missing.yaml": (
        MODULES,
        [
            f"{MODULES}:10 modules[1].notebook: notebooks/01_your_rights.ipynb does not exist",
            # The start page links to the real notebook, which modules.yaml no longer names: true, and useful.
            "notebooks/00_start_here.ipynb:199 cells[14]: link to 01_your_rights_in_therapy.ipynb, "
            "which is not a notebook in content/modules.yaml",
        ],
    ),
    "module_id_twice.yaml": (
        MODULES,
        [
            # A copied module block repeats both its id and its notebook.
            f"{MODULES}:14 modules[2].id: module id '01-rights' is used twice (first at line 8)",
            f"{MODULES}:16 modules[2].notebook: notebook 01_your_rights_in_therapy.ipynb already belongs to "
            "the module at line 8",
        ],
    ),
    # ------------------------------------------------------------------------------- sources, support, UI
    "source_url_not_https.yaml": (
        SOURCES,
        [f"{SOURCES}:6 sources.apa-10.01.url: a source link must start with https://"],
    ),
    "source_expected_without_last_checked.yaml": (
        SOURCES,
        [
            f"{SOURCES}:8 sources.apa-10.01.expected: "
            "an expected date needs last_checked too: the day you last checked the expectation"
        ],
    ),
    "support_line_url_not_https.yaml": (
        SUPPORT,
        [f"{SUPPORT}:11 countries[0].lines[0].url: a support link must start with https://"],
    ),
    "support_line_cites_unknown_source.yaml": (
        SUPPORT,
        [
            f"{SUPPORT}:12 countries[0].lines[0].sources[0]: unknown source 'samaritans-uk': "
            "add it to content/sources.yaml"
        ],
    ),
    "support_emergency_number_unquoted.yaml": (
        SUPPORT,
        [f"{SUPPORT}:6 countries[0].emergency_number: should be text: put it in quotes"],
    ),
    # ------------------------------------------------------------------------------------ exercises
    "exercise_unknown_category.yaml": (
        EXERCISE,
        [f"{EXERCISE}:13 items[0].category: unknown category 'orange': use one of red-flag, fine"],
    ),
    "exercise_item_without_explanation.yaml": (
        EXERCISE,
        [f"{EXERCISE}:11 items[0].explanation: this key is required but missing"],
    ),
    "exercise_item_without_sources.yaml": (
        EXERCISE,
        [f"{EXERCISE}:15 items[0].sources: should not be empty"],
    ),
    "exercise_item_cites_unknown_source.yaml": (
        EXERCISE,
        [f"{EXERCISE}:15 items[0].sources[1]: unknown source 'apa-99.99': add it to content/sources.yaml"],
    ),
    "exercise_id_not_file_name.yaml": (
        EXERCISE,
        [f"{EXERCISE}:1 id: the id must match the file name: use id: practice-sort"],
    ),
    # ------------------------------------------------------------------------------------ scenarios
    "scenario_goto_missing.yaml": (
        SCENARIO,
        [
            f"{SCENARIO}:28 nodes.raised.choices[1].goto: goes to 'poor-ending', which is not a node in this scenario",
            f"{SCENARIO}:40 nodes.poor-end: no choice leads here from the start node 'start'",
        ],
    ),
    "scenario_unreachable_node.yaml": (
        SCENARIO,
        [f"{SCENARIO}:30 nodes.vanished: no choice leads here from the start node 'start'"],
    ),
    "scenario_loop_without_way_out.yaml": (
        SCENARIO,
        [
            f"{SCENARIO}:35 nodes.good-end: no choice leads here from the start node 'start'",
            f"{SCENARIO}:40 nodes.poor-end: no choice leads here from the start node 'start'",
            f"{SCENARIO}:19 nodes.raised: from here no ending can be reached (a loop with no way out)",
        ],
    ),
    "scenario_ending_without_debrief.yaml": (
        SCENARIO,
        [f"{SCENARIO}:40 nodes.poor-end: every ending needs a 'debrief' saying what this ending teaches"],
    ),
    "scenario_undeclared_variable.yaml": (
        SCENARIO,
        [f"{SCENARIO}:26 nodes.raised.choices[0].when: 'courage' is not declared under 'variables'"],
    ),
    "scenario_condition_is_code.yaml": (
        SCENARIO,
        [
            f"{SCENARIO}:26 nodes.raised.choices[0].when: the condition cannot be read: "
            'unexpected character "\'" at position 12'
        ],
    ),
    "scenario_every_choice_conditional.yaml": (
        SCENARIO,
        [
            f"{SCENARIO}:22 nodes.raised.choices: every choice here has a 'when' condition, "
            "so a learner could be left with no choice: make at least one choice unconditional"
        ],
    ),
    # ------------------------------------------------------------------------------------ notebooks
    "notebook_quiz_names_unknown_quiz.ipynb": (
        NOTEBOOK,
        [f'{NOTEBOOK}:32 cells[3]: quiz("01-right") names no quiz: there is no content/01-right/quiz.yaml'],
    ),
    "notebook_cell_is_an_assignment.ipynb": (
        NOTEBOOK,
        [
            f'{NOTEBOOK}:32 cells[3]: a code cell may hold only one workshop call such as quiz("01-rights"), '
            "not other Python code"
        ],
    ),
    "notebook_cell_calls_print.ipynb": (
        NOTEBOOK,
        [f"{NOTEBOOK}:32 cells[3]: print() is not a workshop call; known calls are {KNOWN_CALLS}"],
    ),
    "notebook_cites_unknown_source.ipynb": (
        NOTEBOOK,
        [f"{NOTEBOOK}:24 cells[2]: unknown source 'no-such-source' in a citation link: add it to content/sources.yaml"],
    ),
}


def _cases() -> list[object]:
    return [
        pytest.param(fixture_name, target, expected, id=fixture_name)
        for fixture_name, (target, expected) in ERROR_MESSAGES.items()
    ]


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """A throwaway two-module workshop (Start here and module 01) built from the real files.

    The fixtures replace files of this small copy, so their expected lines do not change each time the real
    workshop gains a module.
    """
    content, notebooks = tmp_path / "content", tmp_path / "notebooks"
    content.mkdir()
    notebooks.mkdir()
    for name in ("sources.yaml", "support.yaml", "ui.yaml", "assessment.yaml"):
        shutil.copyfile(REPO_ROOT / "content" / name, content / name)
    modules = yaml.safe_load((REPO_ROOT / "content/modules.yaml").read_text())["modules"][:2]
    (content / "modules.yaml").write_text(yaml.safe_dump({"modules": modules}, sort_keys=False, allow_unicode=True))
    shutil.copytree(REPO_ROOT / "content" / "01-rights", content / "01-rights")
    for sources in (REPO_ROOT / "content").glob("*/sources.yaml"):  # the assessment cites every module's sources
        (content / sources.parent.name).mkdir(exist_ok=True)
        shutil.copyfile(sources, content / sources.parent.name / "sources.yaml")
    for module in modules:
        shutil.copyfile(REPO_ROOT / "notebooks" / module["notebook"], notebooks / module["notebook"])
    shutil.copyfile(REPO_ROOT / "notebooks" / "app.ipynb", notebooks / "app.ipynb")
    return tmp_path


@pytest.fixture
def whole_copy(tmp_path: Path) -> Path:
    """A copy of the whole real workshop (content and notebooks): ``check`` writes its snapshot into the copy's
    build/, never the repository's."""
    for folder in ("content", "notebooks"):
        shutil.copytree(REPO_ROOT / folder, tmp_path / folder)
    return tmp_path


def break_file(root: Path, fixture_name: str, target: str) -> None:
    """Replace the real ``target`` under ``root`` by the bad fixture.

    Exercises and scenarios are added as new files (module 01 has none); any other target must exist, so a
    fixture can never silently replace nothing.
    """
    destination = root / target
    if target in (EXERCISE, SCENARIO):
        destination.parent.mkdir(parents=True, exist_ok=True)
    else:
        assert destination.is_file(), f"{target} is not a file of the project: the fixture would replace nothing"
    shutil.copyfile(BAD_CONTENT / fixture_name, destination)


def test_every_bad_fixture_has_its_expected_messages() -> None:
    on_disk = sorted(path.name for path in BAD_CONTENT.iterdir() if path.is_file())
    assert on_disk == sorted(ERROR_MESSAGES)


@pytest.mark.parametrize(("fixture_name", "target", "expected"), _cases())
def test_bad_content_is_reported_with_file_line_and_key_path(
    project_copy: Path, fixture_name: str, target: str, expected: list[str]
) -> None:
    break_file(project_copy, fixture_name, target)
    with pytest.raises(ContentError) as excinfo:
        load_workshop(project_copy, check_notebooks=True)
    assert [str(problem) for problem in excinfo.value.problems] == expected


def test_real_content_loads_without_problems() -> None:
    try:
        workshop = load_workshop(REPO_ROOT, check_notebooks=True)
    except ContentError as error:
        pytest.fail(f"the real content has problems:\n{error}")
    assert [module.id for module in workshop.modules] == MODULE_IDS


def test_check_prints_each_problem_line_and_exits_1(project_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fixture_name = "question_cites_unknown_source.yaml"
    target, expected = ERROR_MESSAGES[fixture_name]
    break_file(project_copy, fixture_name, target)

    status = main(["check", "--root", str(project_copy)])

    captured = capsys.readouterr()
    assert status == 1
    assert captured.out.splitlines() == expected
    assert "1 problem found" in captured.err


def test_check_json_summarises_good_content(whole_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    quiz = yaml.safe_load((REPO_ROOT / QUIZ).read_text(encoding="utf-8"))

    status = main(["check", "--json", "--root", str(whole_copy)])

    report = json.loads(capsys.readouterr().out)
    assert status == 0
    assert report["ok"] is True
    assert [module["id"] for module in report["modules"]] == MODULE_IDS
    assert report["questions"]["01-rights"] == len(quiz["questions"])


def test_check_on_good_content_says_content_ok(whole_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["check", "--root", str(whole_copy)])

    captured = capsys.readouterr()
    assert status == 0
    assert read_snapshot(whole_copy) is not None  # written into the copy
    assert captured.out.startswith("Content OK:")
    assert captured.err == ""


# ui.yaml grows with every widget, so its broken versions are made from the real file here rather than kept
# as full copies that would go stale: (what to change, the exact problem line).
UI_BREAKAGES = {
    "key_missing": (
        lambda text: "\n".join(line for line in text.splitlines() if not line.startswith("need_support:")),
        # A missing top-level key is reported at the first line that is not a comment.
        f"{UI}:3 need_support: this key is required but missing",
    ),
    "placeholder_misspelt": (
        lambda text: text.replace("Question {number} of {total}", "Question {number} of {totl}"),
        f"{UI}:11 question_of: unknown placeholder {{totl}}: this text can use {{number}} and {{total}}",
    ),
    "placeholder_not_closed": (
        lambda text: text.replace("Question {number} of {total}", "Question {number of {total}"),
        f"{UI}:11 question_of: a '{{' or '}}' is not closed: placeholders look like {{name}}",
    ),
}


@pytest.mark.parametrize("breakage", sorted(UI_BREAKAGES))
def test_broken_ui_strings_are_reported_with_line_and_key(project_copy: Path, breakage: str) -> None:
    change, expected = UI_BREAKAGES[breakage]
    path = project_copy / UI
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(ContentError) as excinfo:
        load_workshop(project_copy, check_notebooks=True)
    assert [str(problem) for problem in excinfo.value.problems] == [expected]


def test_check_saves_the_snapshot_kernels_read(project_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--root", str(project_copy)]) == 0
    assert read_snapshot(project_copy) is not None


def test_check_on_a_read_only_folder_still_passes_with_a_note(
    project_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project_copy / "build").write_text("a file where the build folder should be", encoding="utf-8")
    status = main(["check", "--root", str(project_copy)])
    captured = capsys.readouterr()
    assert status == 0
    assert captured.out.startswith("Content OK:")
    assert captured.err.startswith("Note: could not save the content snapshot (")
    assert captured.err.endswith("each kernel will validate the content itself, which costs it about 10 MB more.\n")
