"""The app shell: the whole workshop in one notebook, so each participant needs one kernel.

On a 2-core machine a cold Voilà kernel costs ~0.7 s of CPU; a room opening a page per module would queue
for seconds at every click. Here the header (brand, module menu, "Need support?") is shown once and the
body swaps one module page for another inside the same kernel; pages are built on first visit and kept,
so a half-finished quiz is still there when the learner comes back.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
import traitlets

from therapy_workshop.html.links import app_link, app_link_rewriter
from therapy_workshop.html.safe import Markup, html, join
from therapy_workshop.model.problems import ContentError
from therapy_workshop.room.connect import ask_hub_identity
from therapy_workshop.shell.access import key_matches
from therapy_workshop.shell.frame import navigation_html, style_html, support_panel_html
from therapy_workshop.shell.render import build_module_page
from therapy_workshop.store.current import get_workshop
from therapy_workshop.widgets import lean
from therapy_workshop.widgets.device_choice import DeviceChoice
from therapy_workshop.widgets.feedback import set_hidden
from therapy_workshop.widgets.jurisdiction import build_jurisdiction_picker
from therapy_workshop.widgets.location import LocationSync
from therapy_workshop.widgets.progress import ProgressStore, modules_done_text, progress
from therapy_workshop.widgets.progress_view import store_notices
from therapy_workshop.widgets.room_member import RoomMembership
from therapy_workshop.widgets.ticker import OneAtATime

if TYPE_CHECKING:
    from therapy_workshop.model.content import UIStrings
    from therapy_workshop.model.workshop import Workshop


def module_menu_html(workshop: Workshop, current: str) -> Markup:
    """The list of all modules, the current one marked for screen readers and by style."""
    items = []
    for module in workshop.modules:
        attribute = Markup(' aria-current="page"') if module.id == current else ""
        items.append(html('<li><a href="{}"{}>{}</a></li>', app_link(module), attribute, module.title))
    return html(
        '<nav class="tw-menu" aria-label="{}"><ol class="tw-menu-list">{}</ol></nav>',
        workshop.ui.contents,
        join(items),
    )


def connection_words_html(ui: UIStrings) -> Markup:
    """The words the page shows if its connection drops, kept in the page for the template's script to use.

    They must already be in the page when the server cannot be reached, so they travel with the header.
    """
    return html(
        '<div class="tw-connection-words" hidden data-lost="{}" data-kernel-lost="{}" data-reload="{}"></div>',
        ui.connection_lost,
        ui.kernel_lost,
        ui.reload,
    )


class WorkshopApp(lean.VBox):
    """Header, one module page at a time, footer.

    ``go``, ``next_module`` and ``previous_module`` are the Python twins of the links.
    """

    css_classes = ("tw-app",)

    current = traitlets.Unicode(help="Id of the module on screen.")
    notice = traitlets.Unicode("", help="A one-off message above the page, e.g. for an unknown deep link.")
    facilitator = traitlets.Bool(
        False, help="Show facilitator notes and answer keys (?view=facilitator with this run's facilitator key)."
    )
    projecting = traitlets.Bool(False, help="Show the room's answers for a projector (?view=results with the key).")

    def __init__(self, workshop: Workshop, **kwargs: Any) -> None:
        self.workshop = workshop
        self.pages: dict[str, widgets.VBox] = {}
        self.location = LocationSync()
        self.tracker = progress()
        self.store = ProgressStore(self.tracker)
        self.progress_line = lean.HTML()
        self.room = RoomMembership(workshop.ui)
        self.location.on_navigate(self.go)
        self.location.observe(self._on_query_change, names="query")
        self.facilitator_panel = lean.HTML()
        self.room_panel: Any = None  # the facilitator's RoomPanel, made only in the facilitator view
        self._hub_check = OneAtATime()  # asking the hub whether this user may facilitate, once at a time
        self.facilitator_room = lean.VBox()
        self.brand = lean.HTML(
            html(
                '{}<header class="tw-app-header"><p class="tw-brand">{}</p></header>{}',
                style_html(),
                workshop.ui.workshop_title,
                connection_words_html(workshop.ui),
            )
        )
        self.menu = lean.HTML()
        self.support = lean.HTML(support_panel_html(workshop, app_link_rewriter(workshop)))
        self.picker = build_jurisdiction_picker(workshop)
        # What this device keeps, beside the progress count: changeable from every page, one line until opened.
        self.device = DeviceChoice(workshop.ui, self.tracker, compact=True)
        self.tracker.observe(self._on_everything_cleared, "everything_cleared")
        progress_row = lean.HBox([self.progress_line, self.device], classes=("tw-progress-row",))
        header_parts = [self.brand, self.menu, progress_row, self.room]
        header_parts += ([self.picker] if self.picker is not None else []) + [self.support]
        header = lean.VBox(header_parts, classes=("tw-header",))
        self.header = header
        self.projector: Any = None  # made only for ?view=results with the facilitator's key
        self.notice_area = lean.HTML()
        self.body = lean.VBox(classes=("tw-body",))
        self.footer = lean.HTML()
        super().__init__(
            [
                self.location,
                self.store,
                header,
                self.notice_area,
                self.facilitator_room,
                self.facilitator_panel,
                self.body,
                self.footer,
            ],
            **kwargs,
        )
        self.tracker.observe(self._on_progress_change, names="completed")
        self.tracker.observe(self._on_store_notice_change, names=["notice", "place_problem"])
        # The address and the stored progress arrive from the browser separately, in either order; the
        # learner's module is settled once both have (see _resume).
        self._query_seen = False
        self._stored_seen = False
        self.tracker.on_load(self._on_stored_progress)
        self.current = workshop.modules[0].id

    # ------------------------------------------------------------------ Python twins of the links
    def go(self, module_id: str) -> None:
        """Show ``module_id``; an unknown id shows the start page with a notice instead of an error."""
        known = {module.id for module in self.workshop.modules}
        if module_id in known:
            self.notice = ""
            self.current = module_id
        else:
            self.notice = self.workshop.ui.format("module_unknown", module=module_id)
            self.current = self.workshop.modules[0].id

    def next_module(self) -> None:
        """Move to the following module, if there is one."""
        _before, after = self.workshop.neighbours(self.current)
        if after is not None:
            self.go(after.id)

    def previous_module(self) -> None:
        """Move to the preceding module, if there is one."""
        before, _after = self.workshop.neighbours(self.current)
        if before is not None:
            self.go(before.id)

    @property
    def page(self) -> widgets.VBox:
        """The module page on screen."""
        return self.pages[self.current]

    # ------------------------------------------------------------------ reactions
    @traitlets.observe("current")
    def _on_current_change(self, change: dict[str, Any]) -> None:
        module_id = change["new"]
        if self.projecting:
            self.projector.module_id = module_id
        else:
            if module_id not in self.pages:
                self.pages[module_id] = build_module_page(self.workshop, module_id)
            self.body.children = [self.pages[module_id]]
        self.menu.value = module_menu_html(self.workshop, module_id)
        self.footer.value = html(
            '<footer class="tw-footer">{}<p class="tw-not-advice">{}</p></footer>',
            navigation_html(self.workshop, module_id, app_link),
            self.workshop.ui.not_advice,
        )
        module = self.workshop.module(module_id)
        self.location.page_title = f"{module.title} · {self.workshop.ui.workshop_title}"
        self.location.current = module_id
        self._show_facilitator_panel()
        self.tracker.record(module_id, "visited")
        self.tracker.last_module = module_id
        self._show_progress()
        self._offer_room_form()

    def _offer_room_form(self) -> None:
        """Participants may type a room code on the start page; the facilitator runs rooms, not joins them."""
        self.room.offer_form(self.current == self.workshop.modules[0].id and not self.facilitator)

    def _on_everything_cleared(self, _change: dict[str, Any]) -> None:
        """The learner cleared everything this site stored: a room they were in is left, as its record is gone."""
        self.room.leave()

    def _on_progress_change(self, _change: dict[str, Any]) -> None:
        self._show_progress()

    def _show_progress(self) -> None:
        text = modules_done_text(self.workshop, self.tracker)
        self.progress_line.value = html('<p class="tw-progress-line">{}</p>', text)

    def _on_query_change(self, _change: dict[str, Any]) -> None:
        # The notes and answer keys are built only for the facilitator's key (or, on a JupyterHub, for a hub
        # admin or a member of its facilitators group); anyone else who adds ?view=facilitator gets the
        # participant view.
        wanted = self.location.requested_view in ("facilitator", "results")
        if wanted and not key_matches(self.location.requested_key):
            # Only the hub's room service can say, and a service restarting takes seconds to fail: it is asked
            # without holding the kernel's loop, and the participant view shows until it answers.
            self._hub_check.launch(self._ask_hub_for_facilitator)
        else:
            self._choose_view(allowed=wanted)
        self._query_seen = True
        self._resume()
        self.room.arrive(self.location.requested_room)
        self._offer_room_form()

    def _choose_view(self, *, allowed: bool) -> None:
        """The view the address asks for if ``allowed`` (the facilitator's or the projector), else the participant's."""
        self.facilitator = self.location.requested_view == "facilitator" and allowed
        self.projecting = self.location.requested_view == "results" and allowed

    async def _ask_hub_for_facilitator(self) -> None:
        allowed = await hub_facilitator()
        # Chosen from the address as it is now: it may have changed while the hub answered.
        self._choose_view(allowed=allowed or key_matches(self.location.requested_key))
        self._offer_room_form()

    def _on_stored_progress(self) -> None:
        self._stored_seen = True
        self._resume()

    def _resume(self) -> None:
        """Settle the module once the address and the stored progress are both known.

        A plain visit goes back to the module the learner was on; a deep link wins, and is then the module
        to come back to.
        """
        if not (self._query_seen and self._stored_seen):
            return
        start = self.workshop.modules[0].id
        stored = self.tracker.last_module
        known = {module.id for module in self.workshop.modules}
        if self.location.requested_module is None and self.current == start and stored in known - {start}:
            self.go(stored)
        else:
            self.tracker.last_module = self.current
        self.tracker.record(self.current, "visited")  # the stored record did not know this visit yet

    @traitlets.observe("projecting")
    def _on_projecting_change(self, change: dict[str, Any]) -> None:
        """The projector shows the room's answers and nothing else: no menu, notes or module text."""
        if not change["new"]:
            return
        from therapy_workshop.facilitator.projector import ProjectorView

        self.projector = ProjectorView(self.workshop)
        self.projector.module_id = self.current
        self.body.children = [self.projector]
        set_hidden(self.header, True)
        set_hidden(self.footer, True)

    @traitlets.observe("facilitator")
    def _on_facilitator_change(self, _change: dict[str, Any]) -> None:
        self._show_facilitator_panel()

    def _show_facilitator_panel(self) -> None:
        # Learners never receive this HTML: it is built only in the facilitator view.
        if not self.facilitator:
            self.facilitator_panel.value = ""
            return
        # Imported here: it brings the content models (pydantic), which participants' kernels never need.
        from therapy_workshop.facilitator.room_panel import RoomPanel
        from therapy_workshop.facilitator.view import facilitator_panel_html

        self.facilitator_panel.value = facilitator_panel_html(self.workshop, self.current)
        if self.room_panel is None:
            self.room_panel = RoomPanel(self.workshop)
            self.facilitator_room.children = [self.room_panel]
        self.room_panel.page_url = self.location.page_url
        self.room_panel.module_id = self.current

    @traitlets.observe("notice")
    def _on_notice_change(self, _change: dict[str, Any]) -> None:
        self._show_notices()

    def _on_store_notice_change(self, _change: dict[str, Any]) -> None:
        self._show_notices()

    def _show_notices(self) -> None:
        """The deep-link notice and what happened to the progress stored in this browser, if anything."""
        texts = [self.notice, *store_notices(self.workshop.ui, self.tracker)]
        self.notice_area.value = join(html('<p class="tw-notice" role="alert">{}</p>', text) for text in texts if text)


# Hard-coded, not in ui.yaml: it must show even when ui.yaml is the file that is broken. A template for html().
CONTENT_PROBLEM_NOTICE = (
    '<div class="tw-app"><h1>The workshop cannot open right now</h1>'
    "<p>Some of its content has {count} and the app stopped rather than show it wrongly. "
    "Nothing you did caused this.</p>"
    "<p>If you run this workshop: the terminal where you started the app lists each problem with its file and "
    "line, and <code>make check</code> shows them again once you have fixed them.</p></div>"
)


async def hub_facilitator() -> bool:
    """Whether this kernel's hub user may facilitate (asked of the room service once; never off a hub)."""
    identity = await ask_hub_identity()
    return identity is not None and identity.facilitator


def content_problem_notice(error: ContentError) -> widgets.HTML:
    """What a visitor sees when the content does not load: a plain notice, never a traceback.

    The problems themselves go to the server's terminal (the kernel's original stderr), where the person who
    started the app can read them; the page says only how many there are.
    """
    print(f"The workshop content did not load:\n{error}", file=sys.__stderr__, flush=True)
    count = len(error.problems)
    problems = "a problem" if count == 1 else f"{count} problems"
    return lean.HTML(html(CONTENT_PROBLEM_NOTICE, count=problems))


def app() -> WorkshopApp | widgets.HTML:
    """Show the whole workshop as one app: the single call in ``notebooks/app.ipynb``."""
    try:
        workshop = get_workshop()
    except ContentError as error:
        return content_problem_notice(error)
    return WorkshopApp(workshop)
