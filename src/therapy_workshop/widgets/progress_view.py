"""The start page's view of progress: what is done, where to continue, and a reset button."""

from __future__ import annotations

from typing import Any

from therapy_workshop.html.links import ModuleLink, notebook_link
from therapy_workshop.html.safe import Markup, html, join
from therapy_workshop.widgets import lean
from therapy_workshop.widgets.progress import Progress, module_status, modules_done_text, progress


def store_notices(ui: Any, tracker: Progress) -> list[str]:
    """What the learner is told about the record stored in their browser: progress cleared, or a place dropped."""
    notices = [tracker.notice] if tracker.notice else []
    if tracker.place_problem:
        notices.append(str(ui.format("place_discarded", reason=tracker.place_problem)))
    return notices


class ProgressOverview(lean.VBox):
    """Modules with their state, "continue where you left off", and "Reset my progress".

    ``show_notices`` is off in the app, whose header says what happened to the stored record on every page.
    """

    css_classes = ("tw-progress",)

    def __init__(
        self,
        workshop: Any,
        link: ModuleLink = notebook_link,
        tracker: Progress | None = None,
        show_notices: bool = True,
        **kwargs: Any,
    ) -> None:
        self.workshop = workshop
        self.link = link
        self.show_notices = show_notices
        self.tracker = tracker or progress()
        self.summary = lean.HTML()
        self.reset_button = lean.Button(description=workshop.ui.reset_progress)
        self.reset_button.on_click(lambda _button: self.tracker.reset())
        super().__init__([self.summary, self.reset_button], **kwargs)
        self.tracker.observe(
            self._on_progress_change, names=["completed", "last_module", "notice", "place_problem", "assessment"]
        )
        self._show()

    def _on_progress_change(self, _change: dict[str, Any]) -> None:
        self._show()

    def _show(self) -> None:
        ui = self.workshop.ui
        status = module_status(self.workshop, self.tracker)
        rows = []
        for module in self.workshop.modules[1:]:
            done, total = status[module.id]
            state = (
                ui.state_done
                if done == total
                else (ui.state_started if done or module.id in self.tracker.completed else ui.state_not_started)
            )
            rows.append(
                html(
                    '<li><a href="{}">{}</a>: <span class="tw-state">{}</span></li>',
                    self.link(module),
                    module.title,
                    state,
                )
            )
        count = modules_done_text(self.workshop, self.tracker)
        resume = Markup()
        known = {module.id: module for module in self.workshop.modules}
        if self.tracker.last_module in known and self.tracker.last_module != self.workshop.modules[0].id:
            module = known[self.tracker.last_module]
            resume = html(
                '<p class="tw-resume"><a href="{}">{}</a></p>',
                self.link(module),
                ui.format("continue_with", title=module.title),
            )
        notices = store_notices(ui, self.tracker) if self.show_notices else []
        notice = join(html('<p class="tw-notice" role="status">{}</p>', text) for text in notices)
        self.summary.value = html(
            '<div class="tw-progress-summary"><h3>{heading}</h3>{notice}'
            "<p>{count} {privacy}</p>{resume}<ul>{rows}</ul></div>",
            heading=ui.progress_heading,
            notice=notice,
            count=count,
            privacy=ui.progress_privacy,
            resume=resume,
            rows=join(rows),
        )


def build_progress_overview(
    workshop: Any, link: ModuleLink = notebook_link, show_notices: bool = True
) -> ProgressOverview:
    """The progress overview for the start page."""
    return ProgressOverview(workshop, link, show_notices=show_notices)
