"""Voilà's page handler and kernel manager, taught to bound participant kernels.

They count the kernels handed to pages, turn visitors away past the cap, and free kernels whose page never
connected or has gone.

Voilà keeps a pool of preheated kernels; none of them has a page, so none is ever connected. What tells a kernel
handed to a page apart from one waiting in the pool is the moment it is handed over, and only the page handler
sees that moment: it takes a kernel either from the pool (``get_rendered_notebook``) or by starting one
(``start_kernel``). :class:`ParticipantPageHandler` records the kernel either call returns against the place it
admitted the request to; kernels it never recorded (the pool's, including those still starting) are never
counted, shut down or culled here.

jupyter_server's own culler cannot do the culling: it culls an unconnected kernel whose last *message* is older
than its timeout, so a learner who read one page for twenty minutes and then lost the wifi for a second would
lose their kernel at once. :class:`ParticipantKernelManager` instead learns from jupyter_server when each
websocket opens and closes, and frees a kernel only when its page has had no connection for the whole window,
and keeps the stock culler (``voila.json``: an hour) away from participant kernels. The stock culler stays on as
a backstop for any other kernel; Voilà already keeps it away from the pool.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from jupyter_core.utils import ensure_async
from jupyter_server.log import log_request as jupyter_log_request
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from tornado import web
from tornado.ioloop import PeriodicCallback
from voila.tornado.handler import TornadoVoilaHandler

from therapy_workshop.shell.full_page import RETRY_AFTER, FullPageWords, full_page_html, retry_url
from therapy_workshop.shell.participants import Due, ParticipantKernels, Place


class ParticipantKernelManager(AsyncMappingKernelManager):
    """jupyter_server's kernel manager, also telling the bookkeeping about connections and finished shutdowns.

    Voilà builds its pooling manager on top of this class (``VoilaConfiguration.multi_kernel_manager_class``), so
    every shutdown passes here: the page's own request on unload, a DELETE, and the ones :meth:`free_due` makes.
    """

    participants: ParticipantKernels | None = None
    _watch: PeriodicCallback | None = None

    def watch(self, participants: ParticipantKernels) -> None:
        """Keep ``participants`` up to date, and check for kernels to free every ``check_every`` seconds."""
        self.participants = participants
        if self._watch is None:
            self._watch = PeriodicCallback(self.free_due, participants.limits.check_every * 1000)
            self._watch.start()

    def notify_connect(self, kernel_id: str) -> None:
        """A websocket to the kernel opened (jupyter_server counts them); its page is connected."""
        super().notify_connect(kernel_id)
        self._connections_changed(kernel_id)

    def notify_disconnect(self, kernel_id: str) -> None:
        """A websocket to the kernel closed; with none left, the kernel's clock starts."""
        super().notify_disconnect(kernel_id)
        self._connections_changed(kernel_id)

    def _connections_changed(self, kernel_id: str) -> None:
        if self.participants is not None:
            connections = self._kernel_connections.get(kernel_id, 0)
            self.participants.connections_changed(kernel_id, connections, time.monotonic())

    # jupyter_client declares the synchronous wrapper; jupyter_server's manager, like this one, is a coroutine.
    async def shutdown_kernel(self, kernel_id: str, now: bool = False, restart: bool = False) -> None:  # type: ignore[override]
        """Shut the kernel down; its place is freed only once it has gone, whichever way the shutdown ended."""
        try:
            await super().shutdown_kernel(kernel_id, now=now, restart=restart)
        finally:
            if not restart and self.participants is not None:
                self.participants.forget(kernel_id)

    async def cull_kernel_if_idle(self, kernel_id: str) -> None:
        """jupyter_server's idle culling, for every kernel but participant kernels (:meth:`free_due` frees those)."""
        if self.participants is not None and kernel_id in self.participants:
            return
        await super().cull_kernel_if_idle(kernel_id)

    async def free_due(self) -> None:
        """Shut down, side by side, every participant kernel whose page never connected or has gone."""
        if self.participants is None:
            return
        self.participants.keep_only(set(self.list_kernel_ids()))
        due = self.participants.due(time.monotonic())
        await asyncio.gather(*(self._free(kernel) for kernel in due))

    async def _free(self, due: Due) -> None:
        self.log.info("Shutting down kernel %s: %s.", due.kernel_id, due.reason)
        try:
            await self.shutdown_kernel(due.kernel_id)
        except Exception:  # one kernel that fails to stop must not keep the others, or the next check, from running
            self.log.exception("Could not shut down kernel %s", due.kernel_id)


class KernelTaking:
    """The kernel manager as one page request sees it: the kernel the request takes is reported to ``took``.

    Everything else is the server's manager itself. Voilà's handler takes its kernel through exactly one of the two
    methods below, and only a page request calls them through the handler.
    """

    def __init__(self, manager: Any, took: Callable[[str], None]) -> None:
        self._manager = manager
        self._took = took

    def __getattr__(self, name: str) -> Any:
        return getattr(self._manager, name)

    async def get_rendered_notebook(self, *args: Any, **kwargs: Any) -> Any:
        """A preheated kernel from the pool, with its rendered page."""
        render_task, rendered_cache, kernel_id = await self._manager.get_rendered_notebook(*args, **kwargs)
        self._took(kernel_id)
        return render_task, rendered_cache, kernel_id

    async def start_kernel(self, *args: Any, **kwargs: Any) -> str:
        """A kernel started for this page (the pool was empty)."""
        kernel_id: str = await ensure_async(self._manager.start_kernel(*args, **kwargs))
        self._took(kernel_id)
        return kernel_id


class ParticipantPageHandler(TornadoVoilaHandler):
    """Voilà's page handler, letting a visitor in only while there is a place for a participant kernel.

    Past the cap the visitor gets the "full" page (HTTP 503, ``Retry-After``) and no kernel is taken or started.
    """

    _participants: ParticipantKernels
    _full_page_words: FullPageWords
    _place: Place | None = None
    #: Whether this request got the "full" page (see :func:`log_request`).
    turned_away = False

    def initialize(self, **kwargs: Any) -> None:
        """Take this module's two options out of the route's; Voilà's handler reads the rest."""
        self._participants = kwargs.pop("participants")
        self._full_page_words = kwargs.pop("full_page_words")
        super().initialize(**kwargs)

    @property
    def kernel_manager(self) -> Any:
        """The server's kernel manager; while this request holds a place, one that records the kernel it takes."""
        manager = self.settings["kernel_manager"]
        place = self._place
        if place is None:
            return manager
        return KernelTaking(manager, lambda kernel_id: self._participants.took(place, kernel_id))

    @web.authenticated
    async def get(self, path: str | None = None) -> None:
        """The app page if there is a place for its kernel, else the "full" page; paths to files as Voilà does."""
        if self.notebook_path and path:  # Voilà redirects this to a file and takes no kernel
            await super().get(path)
            return
        place = self._participants.admit()
        if place is None:
            self.turned_away = True
            self._send_full_page()
            return
        self._place = place
        await super().get(path)

    def on_finish(self) -> None:
        """The page is out (or the request failed): the kernel's connect clock starts, or an unused place is freed."""
        if self._place is not None:
            self._participants.sent(self._place, time.monotonic())
        super().on_finish()

    def _send_full_page(self) -> None:
        self.set_status(503)
        self.set_header("Retry-After", str(RETRY_AFTER))
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(full_page_html(self._full_page_words, retry_url(self.request.path, self.request.query)))


def log_request(handler: web.RequestHandler) -> None:
    """jupyter_server's access log line (secrets in the address blanked), except for the "full" page.

    jupyter_server's own ``log_request`` blanks every query value whose name holds ``key``, ``token``, ``auth``
    and the like, in the address and the referrer, so the facilitator's ``?key=`` never reaches a log. Tornado logs
    every response of 400 and over as a warning or an error, so a burst of turned-away requests would fill the
    facilitator's terminal; it has already said once that the workshop is full, so those are left out.
    """
    if isinstance(handler, ParticipantPageHandler) and handler.turned_away:
        return
    jupyter_log_request(handler)
