"""Content models: one pydantic model per kind of content file, validated at load time.

Editors change YAML, never Python; these models are the contract between the two. Every rule a model
enforces produces a plain sentence, and :func:`therapy_workshop.validate.files.validate_file` turns pydantic's
errors into :class:`~therapy_workshop.model.problems.Problem` lines that name the file, the line and the key path.
"""

from __future__ import annotations

import datetime
import re
import string
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from therapy_workshop.model.methods import QuestionMethods, QuizMethods, UIMethods

SOURCE_KEY = re.compile(r"^[a-z0-9][a-z0-9.\-]*$")
QUESTION_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
MODULE_ID = re.compile(r"^\d\d-[a-z0-9]+(-[a-z0-9]+)*$")
TRUE_FALSE_TEXTS = ("True", "False")


class Strict(BaseModel):
    """Base for content models: unknown keys are errors, so a typo never silently drops content."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


def _check_pattern(value: str, pattern: re.Pattern[str], what: str) -> str:
    if not pattern.match(value):
        raise ValueError(f"{what} {value!r} may use only lowercase letters, digits and '-'")
    return value


def _require_https(value: str | None, what: str) -> str | None:
    """Links shown to learners are https only: no plain http, and never ``javascript:`` or ``data:``."""
    if value is not None and not value.startswith("https://"):
        raise ValueError(f"{what} must start with https://")
    return value


# ---------------------------------------------------------------------------------------------- sources
class Source(Strict):
    """A document the workshop cites: a code of ethics, a standard, a regulator's page, a study."""

    title: str = Field(min_length=1)
    publisher: str = Field(min_length=1)
    year: int | None = None
    url: str | None = None
    section: str | None = None
    jurisdiction: str | None = None
    note: str | None = None
    # For a source whose note states something that changes (a date, a plan): when an editor last looked,
    # and, for a plan, the day by which it should have happened. ``check`` warns when either goes stale.
    last_checked: datetime.date | None = None
    expected: datetime.date | None = None

    _url = field_validator("url")(lambda value: _require_https(value, "a source link"))

    @field_validator("expected")
    @classmethod
    def _expectation_is_dated(cls, value: datetime.date | None, info: ValidationInfo) -> datetime.date | None:
        if value is not None and info.data.get("last_checked") is None:
            raise ValueError("an expected date needs last_checked too: the day you last checked the expectation")
        return value


class SourcesFile(Strict):
    """``content/sources.yaml``: every citable source, by key."""

    # Key spelling is checked by the workshop loader, which knows each key's line.
    sources: dict[str, Source] = Field(min_length=1)


# ---------------------------------------------------------------------------------------------- support
class SupportLine(Strict):
    """A free support service a distressed learner can reach right now."""

    name: str = Field(min_length=1)
    contact: str = Field(min_length=1)
    hours: str = Field(min_length=1)
    url: str | None = None
    sources: list[str] = Field(min_length=1)

    # Shown as a live link in "Need support?": anything but https (javascript:, http:) is refused.
    _url = field_validator("url")(lambda value: _require_https(value, "a support link"))


class DatedFact(Strict):
    """A fact that can go out of date ("CORU expects to open the register during 2027"), with when it was checked.

    ``therapy-workshop check`` warns "review due" when ``last_checked`` is more than 12 months old or when an
    expectation's ``expected`` day has passed, so a workshop never goes on teaching last year's plan as news.
    """

    fact: str = Field(min_length=1)
    last_checked: datetime.date
    expected: datetime.date | None = None
    sources: list[str] = Field(min_length=1)


class SupportCountry(Strict):
    """Support lines for one country, with its emergency number."""

    id: str
    name: str
    emergency_number: str
    lines: list[SupportLine] = Field(min_length=1)


class SupportFile(Strict):
    """``content/support.yaml``: what "Need support?" shows on every page."""

    intro: str
    emergency: str
    countries: list[SupportCountry] = Field(min_length=1)


# ---------------------------------------------------------------------------------------------- modules
class Module(Strict):
    """One module of the workshop: a notebook with its timing and learning objectives."""

    id: str
    title: str = Field(min_length=1)
    notebook: str
    minutes: int = Field(gt=0, le=480)
    summary: str = Field(min_length=1)
    objectives: list[str] = Field(min_length=1)

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        if not MODULE_ID.match(value):
            raise ValueError(f"module id {value!r} must be two digits, '-', then lowercase words (like 01-rights)")
        return value

    @field_validator("notebook")
    @classmethod
    def _notebook_name(cls, value: str) -> str:
        if not value.endswith(".ipynb") or "/" in value:
            raise ValueError("notebook must be a file name in notebooks/ ending in .ipynb")
        return value


class ModulesFile(Strict):
    """``content/modules.yaml``: the order of the workshop."""

    modules: list[Module] = Field(min_length=1)


# ---------------------------------------------------------------------------------------------- quizzes
class Option(Strict):
    """One answer option, with the feedback shown when it is chosen (and, if correct, when it is missed)."""

    text: str = Field(min_length=1)
    correct: bool = False
    feedback: str = Field(min_length=1)
    missed: str | None = None


QuestionKind = Literal["single", "multiple", "true_false"]


class Question(Strict, QuestionMethods):
    """A quiz question. The answer key (``Option.correct``) never leaves the kernel."""

    id: str
    kind: QuestionKind
    prompt: str = Field(min_length=1)
    options: list[Option]
    explanation: str = Field(min_length=1)
    sources: list[str] = Field(min_length=1)

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        return _check_pattern(value, QUESTION_ID, "question id")

    @field_validator("options")
    @classmethod
    def _options_fit_kind(cls, options: list[Option], info: ValidationInfo) -> list[Option]:
        kind = info.data.get("kind")
        correct = [option for option in options if option.correct]
        if kind == "single":
            if not 2 <= len(options) <= 6:
                raise ValueError("a single-choice question needs 2 to 6 options")
            if len(correct) != 1:
                raise ValueError(f"a single-choice question needs exactly one correct option (found {len(correct)})")
        elif kind == "true_false":
            if tuple(option.text for option in options) not in (TRUE_FALSE_TEXTS, TRUE_FALSE_TEXTS[::-1]):
                raise ValueError("a true_false question needs exactly two options: 'True' and 'False'")
            if len(correct) != 1:
                raise ValueError("a true_false question needs exactly one correct option")
        elif kind == "multiple":
            if not 3 <= len(options) <= 6:
                raise ValueError("a multiple-choice question needs 3 to 6 options")
            if not correct:
                raise ValueError("a multiple-choice question needs at least one correct option")
        # Per-option rules ('missed' present where needed) are checked by the workshop loader, which can
        # point at the option's own line.
        return options


class QuizBehaviour(Strict):
    """Switches for the quiz controls, so a quiz can be a survey or a self-check."""

    check: bool = True
    retry: bool = True
    show_answer: bool = True


class ScoreBand(Strict):
    """Feedback for a score range: applies from ``from`` percent up to the next band."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    from_percent: int = Field(alias="from", ge=0, le=100)
    text: str = Field(min_length=1)


class QuizFile(Strict, QuizMethods):
    """``content/<module>/quiz.yaml``: a module's quiz set."""

    title: str = Field(min_length=1)
    behaviour: QuizBehaviour = QuizBehaviour()
    score_feedback: list[ScoreBand] = Field(min_length=1)
    questions: list[Question] = Field(min_length=1)

    @field_validator("score_feedback")
    @classmethod
    def _bands_ascend_from_zero(cls, bands: list[ScoreBand]) -> list[ScoreBand]:
        if bands[0].from_percent != 0:
            raise ValueError("the first score band must start 'from: 0' so every score gets feedback")
        # That each band starts higher than the one before is checked by the loader, at the band's line.
        return bands


# ---------------------------------------------------------------------------------------------- exercises
TEXT_FILENAME = re.compile(r"^[a-z0-9][a-z0-9._-]*\.txt$")


def _check_filename(value: str) -> str:
    if not TEXT_FILENAME.match(value):
        raise ValueError("a download file name uses lowercase letters, digits, '-' or '_' and ends in .txt")
    return value


class SummaryRow(Strict):
    """One kind of conduct in the table a learner can keep."""

    conduct: str = Field(min_length=1)
    looks_like: str = Field(min_length=1)
    standards: str = Field(min_length=1)
    you_can: str = Field(min_length=1)
    sources: list[str] = Field(min_length=1)


class SummaryTable(Strict):
    """``content/<module>/summary.yaml``: a table shown on the page and offered as a text download."""

    title: str = Field(min_length=1)
    filename: str
    rows: list[SummaryRow] = Field(min_length=1)

    _filename = field_validator("filename")(_check_filename)


class ScriptSection(Strict):
    """One part of an ending script: a question and the sentences a learner can pick from."""

    id: str
    label: str = Field(min_length=1)
    pick: Literal["one", "any"]
    blocks: list[str] = Field(min_length=2, max_length=8)


class ScriptBuilderFile(Strict):
    """``content/<module>/script.yaml``: building blocks for the learner's own words, downloaded as text."""

    title: str = Field(min_length=1)
    instructions: str = Field(min_length=1)
    filename: str
    sections: list[ScriptSection] = Field(min_length=1)
    own_words_label: str = Field(min_length=1)

    _filename = field_validator("filename")(_check_filename)


class ChecklistSection(Strict):
    """A group of actions a learner can tick."""

    id: str
    label: str = Field(min_length=1)
    items: list[str] = Field(min_length=1, max_length=10)


class ChecklistFile(Strict):
    """``content/<module>/checklist.yaml``: the learner's own checklist, saved as text on request."""

    title: str = Field(min_length=1)
    instructions: str = Field(min_length=1)
    filename: str
    sections: list[ChecklistSection] = Field(min_length=1)
    notes_label: str = Field(min_length=1)

    _filename = field_validator("filename")(_check_filename)


class AssessmentTopic(Strict):
    """A topic results are reported by."""

    id: str
    label: str = Field(min_length=1)


class AssessmentItem(Question):
    """A question of the pre/post assessment bank, with the topic it measures."""

    topic: str

    @field_validator("kind")
    @classmethod
    def _no_multiple(cls, value: str) -> str:
        if value == "multiple":
            raise ValueError("assessment items are single or true_false (they are scored right or not)")
        return value


class AssessmentFile(Strict):
    """``content/assessment.yaml``: one item bank for the start page (pre) and the review (post)."""

    title: str = Field(min_length=1)
    intro: str = Field(min_length=1)
    topics: list[AssessmentTopic] = Field(min_length=1)
    items: list[AssessmentItem] = Field(min_length=2)


# ---------------------------------------------------------------------------------------------- UI text
UI_PLACEHOLDERS: dict[str, frozenset[str]] = {
    "question_of": frozenset({"number", "total"}),
    "score": frozenset({"right", "total"}),
    "module_of": frozenset({"number", "total"}),
    "about_minutes": frozenset({"minutes"}),
    "go_previous": frozenset({"title"}),
    "go_next": frozenset({"title"}),
    "module_unknown": frozenset({"module"}),
    "belongs_in": frozenset({"category"}),
    "sorted_score": frozenset({"right", "total"}),
    "ordered_score": frozenset({"right", "total"}),
    "last_checked": frozenset({"date"}),
    "in_place_named": frozenset({"place"}),
    "step_of": frozenset({"number", "total", "stage"}),
    "certificate_ready": frozenset({"count"}),
    "modules_done": frozenset({"done", "total"}),
    "continue_with": frozenset({"title"}),
    "certificate_date": frozenset({"date"}),
    "certificate_cannot_print": frozenset({"characters"}),
    "certificate_too_long": frozenset({"limit", "count"}),
    "place_discarded": frozenset({"reason"}),
    "room_joined": frozenset({"code"}),
    "room_unknown": frozenset({"code"}),
    "room_full": frozenset({"code"}),
    "room_answered": frozenset({"count"}),
    "room_end_confirm": frozenset({"code"}),
    "room_heading": frozenset({"code"}),
    "room_participants": frozenset({"count"}),
    "room_waiting": frozenset({"count", "minimum"}),
    "room_activity_of": frozenset({"number", "total"}),
    "device_moved_place": frozenset({"records"}),
    "device_moved_nothing": frozenset({"records"}),
    "device_records_many": frozenset({"count"}),
    "clear_done": frozenset({"records"}),
}


class UIStrings(Strict, UIMethods):
    """``content/ui.yaml``: every word the widgets show that is not lesson content."""

    workshop_title: str
    connection_lost: str
    kernel_lost: str
    kernel_lost_lab: str
    reload: str
    workshop_full: str
    workshop_full_detail: str
    try_again_now: str
    place_discarded: str
    room_join_prompt: str
    room_code_label: str
    room_join: str
    room_joined: str
    room_leave: str
    room_left: str
    room_unknown: str
    room_full: str
    room_ended: str
    room_unavailable: str
    room_unreachable: str
    room_answers_waiting: str
    room_shared_heading: str
    room_answered: str
    room_start: str
    room_end: str
    room_end_confirm: str
    room_heading: str
    room_join_at: str
    room_participants: str
    room_waiting: str
    room_no_answers: str
    room_reveal: str
    room_right_answer: str
    room_debrief: str
    room_show_answer: str
    room_next: str
    room_previous: str
    room_activity_of: str
    check: str
    try_again: str
    show_answer: str
    next: str
    previous: str
    finish: str
    start_again: str
    question_of: str
    choose_first: str
    correct_heading: str
    partly_heading: str
    incorrect_heading: str
    revealed_heading: str
    the_answer_is: str
    select_all: str
    you_chose: str
    you_missed: str
    explanation_heading: str
    score: str
    review_heading: str
    review_right: str
    review_not_right: str
    review_skipped: str
    need_support: str
    emergency_heading: str
    not_advice: str
    contents: str
    module_of: str
    about_minutes: str
    sources_heading: str
    no_sources: str
    navigation_label: str
    go_previous: str
    go_next: str
    loading: str
    module_unknown: str
    objectives_heading: str
    mark_right: str
    mark_wrong: str
    mark_missed: str
    mark_answer: str
    feedback_label: str
    results_label: str
    sources_label: str
    show_answers: str
    sort_first: str
    not_sorted: str
    belongs_in: str
    sorted_score: str
    summary_conduct: str
    summary_looks_like: str
    summary_standards: str
    summary_you_can: str
    download_table: str
    download_script: str
    your_script: str
    script_empty: str
    continue_story: str
    back: str
    restart: str
    review_label: str
    debrief_heading: str
    ending_good: str
    ending_mixed: str
    ending_poor: str
    move_up: str
    move_down: str
    mark_in_place: str
    mark_out_of_place: str
    in_place: str
    belongs_earlier: str
    belongs_later: str
    ordered_score: str
    choose_place: str
    jurisdiction_label: str
    website: str
    bodies_label: str
    anonymous_label: str
    time_limits_label: str
    outcomes_label: str
    appeal_label: str
    register_label: str
    cannot_do_label: str
    last_checked: str
    no_place_yet: str
    in_place_named: str
    choose_place_for_details: str
    final_stage: str
    who_label: str
    you_do_label: str
    duration_label: str
    next_label: str
    chart_item: str
    chart_value: str
    case_label: str
    check_prediction: str
    next_stage: str
    what_happens_heading: str
    why_heading: str
    step_of: str
    case_closed: str
    case_path: str
    predict_first: str
    download_draft: str
    your_draft: str
    draft_empty: str

    download_checklist: str
    certificate_heading: str
    certificate_intro: str
    certificate_name_label: str
    certificate_make: str
    certificate_save: str
    certificate_need_name: str
    certificate_ready: str
    certificate_awarded_to: str
    certificate_completed: str
    certificate_took_part: str
    certificate_date: str
    certificate_note: str
    certificate_cannot_print: str
    certificate_too_long: str
    certificate_making: str
    certificate_busy: str
    certificate_failed: str
    post_assessment_title: str
    assessment_thanks: str
    not_taken: str
    comparison_caption: str
    topic_label: str
    before_label: str
    after_label: str
    reset_progress: str
    state_done: str
    state_started: str
    state_not_started: str
    modules_done: str
    progress_privacy: str
    continue_with: str
    progress_heading: str
    assessment_start: str
    assessment_questions: str
    # Exit this page (shell/exit_page.py): where it goes, and its words.
    exit_destination: str
    exit_button: str
    exit_link: str
    exit_loading: str
    exit_two_more: str
    exit_one_more: str
    exit_reset: str
    # What this site keeps, in one statement that module 00 repeats word for word (tests/test_privacy_words.py).
    privacy_statement: str
    # The line about the quick exit and the device choice at the end of every printed handout.
    safety_handout: str
    # What this device keeps, and "clear everything" (widgets/device_choice.py).
    device_heading: str
    device_intro: str
    device_question: str
    device_keep_nothing: str
    device_keep_nothing_hint: str
    device_keep_place: str
    device_keep_place_hint: str
    device_keeps_nothing: str
    device_keeps_place: str
    device_change: str
    device_downloads: str
    device_notice_label: str
    device_moved_place: str
    device_moved_nothing: str
    device_moved_at_open: str
    device_not_moved: str
    device_records_none: str
    device_record_one: str
    device_records_many: str
    clear_button: str
    clear_explain: str
    clear_pass_note: str
    clear_done: str

    @field_validator("exit_destination")
    @classmethod
    def _exit_destination_is_a_website(cls, value: str) -> str:
        # A person in danger presses it: it must open a real site over https (never javascript:, data: or a
        # page of this server, which would keep the workshop on screen).
        parts = urlsplit(value)
        if parts.scheme != "https" or not parts.hostname or any(character.isspace() for character in value):
            raise ValueError(
                "the exit destination must be a whole https address, such as https://www.bbc.co.uk/weather"
            )
        return value

    @field_validator("*")
    @classmethod
    def _placeholders_are_known(cls, value: str, info: ValidationInfo) -> str:
        allowed = UI_PLACEHOLDERS.get(info.field_name or "", frozenset())
        try:
            used = [name for _text, name, _spec, _conv in string.Formatter().parse(value) if name is not None]
        except ValueError:
            raise ValueError("a '{' or '}' is not closed: placeholders look like {name}") from None
        for name in used:
            if name not in allowed:
                can_use = (
                    "this text can use " + " and ".join(f"{{{each}}}" for each in sorted(allowed))
                    if allowed
                    else "this text takes no placeholders"
                )
                raise ValueError(f"unknown placeholder {{{name}}}: {can_use}")
        return value
