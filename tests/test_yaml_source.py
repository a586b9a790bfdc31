"""The line-keeping YAML loader: every value can be traced to the line an editor typed it on."""

from __future__ import annotations

from pathlib import Path

import pytest

from therapy_workshop.validate.yaml_source import ContentError, Problem, format_key_path, load_located_yaml


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "file.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_lines_of_nested_keys_and_list_items(tmp_path: Path) -> None:
    located = load_located_yaml(
        write(tmp_path, "title: x\nquestions:\n  - id: a\n    options:\n      - text: t\n"), "q.yaml"
    )
    assert located.line_of(("title",)) == 1
    assert located.line_of(("questions", 0)) == 3
    assert located.line_of(("questions", 0, "options", 0, "text")) == 5


def test_missing_key_points_at_its_parent(tmp_path: Path) -> None:
    located = load_located_yaml(write(tmp_path, "a: 1\nb:\n  c: 2\n"), "f.yaml")
    assert located.line_of(("b", "missing")) == 2


def test_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    with pytest.raises(ContentError) as caught:
        load_located_yaml(write(tmp_path, "a: 1\nb: [1, 2\nc: 3\n"), "content/f.yaml")
    assert str(caught.value).startswith("content/f.yaml:3: YAML syntax error:")


def test_duplicate_key_is_an_error_with_both_lines(tmp_path: Path) -> None:
    with pytest.raises(ContentError) as caught:
        load_located_yaml(write(tmp_path, "a: 1\nb: 2\na: 3\n"), "f.yaml")
    assert str(caught.value) == "f.yaml:3 a: this key appears twice in the same block (first at line 1)"


def test_missing_file_is_reported_plainly(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match=r"^nope.yaml: file not found$"):
        load_located_yaml(tmp_path / "nope.yaml", "nope.yaml")


def test_problem_format_and_key_paths() -> None:
    assert format_key_path(("questions", 2, "options")) == "questions[2].options"
    assert str(Problem("q.yaml", 14, ("questions", 2, "options"), "bad")) == "q.yaml:14 questions[2].options: bad"
    assert str(Problem("q.yaml", None, (), "bad")) == "q.yaml: bad"
