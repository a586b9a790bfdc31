"""Pre- and post-assessment from one item bank, with a before-and-after chart by topic.

The start page offers the short pre-assessment; the review module the post-assessment. Results are kept
by topic in the learner's own progress (their browser), so the review can show what changed. No score is
kept on the server.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

from therapy_workshop.html.safe import Markup, html, join
from therapy_workshop.room.catalogue import score_band
from therapy_workshop.store.snapshot import make_record
from therapy_workshop.widgets import lean
from therapy_workshop.widgets.answers import announce
from therapy_workshop.widgets.feedback import activity_heading_html
from therapy_workshop.widgets.progress import progress
from therapy_workshop.widgets.quiz import QuizSet

if TYPE_CHECKING:
    from therapy_workshop.model.content import AssessmentFile, Source, UIStrings
    from therapy_workshop.widgets.progress import Progress

When = Literal["pre", "post"]


def topic_scores(bank: AssessmentFile, quiz: QuizSet) -> dict[str, list[int]]:
    """Topic id -> [right on the first try, items] for a finished assessment."""
    scores = {topic.id: [0, 0] for topic in bank.topics}
    for item, first_result in zip(bank.items, quiz.first_results, strict=True):
        scores[item.topic][1] += 1
        scores[item.topic][0] += first_result == "right"
    return scores


def comparison_html(
    bank: AssessmentFile, before: Mapping[str, list[int]], after: Mapping[str, list[int]], ui: UIStrings
) -> Markup:
    """Before and after by topic as a table; bars are decoration, every figure is also text."""
    rows = []
    for topic in bank.topics:
        cells = []
        for scores in (before, after):
            right, total = scores.get(topic.id, [0, 0])
            if total:
                cells.append(
                    html(
                        '<td class="tw-value">{} / {}</td><td class="tw-bar-cell" aria-hidden="true">'
                        '<span class="tw-bar" style="width:{:.0f}%"></span></td>',
                        right,
                        total,
                        100 * right / total,
                    )
                )
            else:
                cells.append(html('<td class="tw-value">{}</td><td aria-hidden="true"></td>', ui.not_taken))
        rows.append(html('<tr><th scope="row">{}</th>{}</tr>', topic.label, join(cells)))
    return html(
        '<figure class="tw-chart"><table><caption>{caption}</caption><thead><tr>'
        '<th scope="col">{topic}</th><th scope="col">{before}</th>'
        '<td aria-hidden="true"></td><th scope="col">{after}</th><td aria-hidden="true"></td>'
        "</tr></thead><tbody>{rows}</tbody></table></figure>",
        caption=ui.comparison_caption,
        topic=ui.topic_label,
        before=ui.before_label,
        after=ui.after_label,
        rows=join(rows),
    )


class AssessmentWidget(lean.VBox):
    """The item bank as a quiz; when finished, results by topic are recorded and (after) compared."""

    css_classes = ("tw-assessment",)

    def __init__(
        self,
        bank: AssessmentFile,
        when: When,
        ui: UIStrings,
        sources: Mapping[str, Source],
        tracker: Progress | None = None,
        **kwargs: Any,
    ) -> None:
        self.bank = bank
        self.when = when
        self.ui = ui
        self.tracker = tracker or progress()
        self.sources = sources
        self.quiz: QuizSet | None = None
        self.comparison = lean.HTML()
        title = bank.title if when == "pre" else ui.post_assessment_title
        self.intro = lean.HTML(activity_heading_html(title, bank.intro))
        # The questions are built when the learner asks for them: the start page loads faster, and the
        # assessment stays optional.
        self.start_button = lean.Button(description=ui.assessment_start, button_style="primary")
        self.start_button.on_click(lambda _button: self.start())
        super().__init__([self.intro, self.start_button, self.comparison], **kwargs)

    def start(self) -> QuizSet:
        """Show the questions (the Python twin of the start button)."""
        if self.quiz is None:
            # Built as records, not models: the items are validated already, and the kernel has no pydantic.
            quiz_file = make_record(
                "QuizFile",
                title=self.ui.assessment_questions,
                behaviour=make_record("QuizBehaviour", check=True, retry=False, show_answer=True),
                score_feedback=[make_record("ScoreBand", from_percent=0, text=self.ui.assessment_thanks)],
                questions=list(self.bank.items),
            )
            self.quiz = QuizSet(quiz_file, self.ui, self.sources)
            self.quiz.observe(self._on_finished, names="finished")
            self.children = [self.intro, self.quiz, self.comparison]
            self.quiz.current.choices.request_focus()
        return self.quiz

    def _on_finished(self, change: dict[str, Any]) -> None:
        if not change["new"]:
            return
        assert self.quiz is not None
        scores = topic_scores(self.bank, self.quiz)
        self.tracker.record_assessment(self.when, scores)
        for topic, (right, total) in scores.items():  # a room counts bands by topic, never a person's score
            if total:
                announce(f"assessment:{self.when}:{topic}", score_band(right, total))
        before = self.tracker.assessment.get("pre", {})
        after = scores if self.when == "post" else {}
        self.comparison.value = comparison_html(self.bank, before, after, self.ui)


def build_assessment(workshop: Any, when: str) -> AssessmentWidget:
    """The pre- or post-assessment."""
    bank = workshop.activities.assessment
    if bank is None:
        raise KeyError("there is no content/assessment.yaml")
    if when not in ("pre", "post"):
        raise KeyError(f"assessment must be 'pre' or 'post', not {when!r}")
    return AssessmentWidget(bank, "pre" if when == "pre" else "post", workshop.ui, workshop.sources)
