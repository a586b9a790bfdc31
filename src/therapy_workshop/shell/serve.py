"""Voilà with compressed responses, prompt kernel messages and bounded kernels, for ``make app``.

Five changes to stock Voilà, everything else configured by ``voila.json``:

- ``--room=N`` sizes the app's pool of preheated kernels for a room of N people. A room that takes a large
  pool at once also delays its refill by a minute: thirty kernels starting right away took both cores for
  about 20 s, exactly while the room was loading (a browser in a room of 30 was interactive after 13.0 s
  instead of 2.3 s, and the room's next module took 5.5 s instead of 0.6 s; see the README's "Serving a
  workshop").

- Voilà 0.5 applies ``tornado_settings`` after it has built its Tornado application, so
  ``compress_response`` has no effect there: every participant would download about 5.4 MB of uncompressed
  JavaScript. We add Tornado's gzip transform just before the server starts listening, which brings the first
  page to about 1.5 MB.
- Neither Tornado nor jupyter_server switch Nagle's algorithm off on the kernel websocket. A click's answer is
  several small frames (busy, widget updates, idle); after the first, the rest waited for the browser's delayed
  acknowledgement, about 40 ms on Linux. Every click and module switch paid it. ``NoDelayConnection`` sets
  ``TCP_NODELAY`` on each kernel websocket, as Tornado's documentation advises for interactive use.
- Participant kernels are bounded (``--max-kernels``, ``--cull-after``, ``--connect-within``; see
  :mod:`therapy_workshop.shell.kernel_limits`): past the cap a visitor gets a plain "full" page instead of a
  kernel, and kernels whose page never connected or has gone are shut down (:mod:`.kernel_watch`).
- The facilitator's key and the room store (:mod:`therapy_workshop.shell.room_server`): a key per run (or
  ``FACILITATOR_KEY``), printed once as the facilitator's link and kept out of every log line; the store's file
  in the runtime folder, its ``/room/`` export behind the key, idle rooms ended every minute, the file deleted
  when the server stops.
"""

from __future__ import annotations

import asyncio
import atexit
from typing import Any

from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from tornado.ioloop import IOLoop, PeriodicCallback
from tornado.web import GZipContentEncoding
from traitlets import Bool, Int, TraitError, default
from traitlets.config.application import catch_config_error
from voila.app import Voila
from voila.shutdown_kernel_handler import VoilaShutdownKernelHandler
from voila.tornado.handler import TornadoVoilaHandler

from therapy_workshop.shell.access import FacilitatorKeyError
from therapy_workshop.shell.app_only import UnsafeServerError, check_message_types
from therapy_workshop.shell.full_page import FullPageWords
from therapy_workshop.shell.kernel_limits import (
    DEFAULT_CONNECT_WITHIN,
    DEFAULT_CULL_AFTER,
    KernelLimits,
    kernel_limits,
)
from therapy_workshop.shell.kernel_watch import ParticipantKernelManager, ParticipantPageHandler, log_request
from therapy_workshop.shell.page_bundle import bundle_route, page_bundle, stale_list_warning
from therapy_workshop.shell.participants import ParticipantKernels
from therapy_workshop.shell.room_server import END_IDLE_EVERY, RoomService, scrub_logs
from therapy_workshop.store.current import get_workshop


class NoDelayConnection(ZMQChannelsWebsocketConnection):
    """The stock kernel websocket connection, with small frames sent at once instead of batched."""

    # jupyter_server's own ZMQ connection returns a Future here although its base class declares a coroutine.
    def connect(self) -> asyncio.Future[None] | None:  # type: ignore[override]
        """Switch Nagle's algorithm off for this websocket, then connect as usual."""
        self.websocket_handler.set_nodelay(True)
        return super().connect()


class GoodbyeHandler(VoilaShutdownKernelHandler):
    """Voilà's ``POST /voila/api/shutdown/<kernel id>``, the page's goodbye, without the XSRF check.

    A page served in single-notebook mode never gets an ``_xsrf`` cookie, so the check refused every goodbye and
    kernels of closed tabs stayed until culled (voila-dashboards/voila#1458). Only this handler goes without it:
    the rest of the server keeps jupyter_server's check. What a forged goodbye could do is shut down a kernel
    whose random 128-bit id the forger would have to know; the page that owns it reloads into a new one.
    """

    def check_xsrf_cookie(self) -> None:
        """No XSRF check for the goodbye beacon (see the class docstring)."""


class WorkshopVoila(Voila):
    """Stock Voilà plus gzip, prompt kernel messages and bounded participant kernels (see the module's docstring)."""

    compress = Bool(True, config=True, help="Gzip text responses; a room on one Wi-Fi downloads a quarter as much.")
    room = Int(
        0,
        min=0,
        config=True,
        help="People who may open the app at the same moment: that many kernels are kept preheated. "
        "0 keeps the pool from voila.json.",
    )
    max_kernels = Int(
        0,
        config=True,
        help="Participant kernels (kernels handed to pages; the pool is not counted) the server holds at once. "
        "Past it a visitor gets a 'workshop is full' page. 0 derives it from room: max(10, 2 * room).",
    )
    cull_after = Int(
        DEFAULT_CULL_AFTER,
        config=True,
        help="Seconds a participant kernel is kept once its page has no connection. Connected pages keep theirs.",
    )
    connect_within = Int(
        DEFAULT_CONNECT_WITHIN,
        config=True,
        help="Seconds a page may take, once sent, to connect to the kernel it was given before that is shut down.",
    )
    aliases = {  # noqa: RUF012 (traitlets reads the class attribute)
        **Voila.aliases,
        "room": "WorkshopVoila.room",
        "max-kernels": "WorkshopVoila.max_kernels",
        "cull-after": "WorkshopVoila.cull_after",
        "connect-within": "WorkshopVoila.connect_within",
    }

    #: Pools up to this size refill after Voilà's default second; bigger ones wait ``ROOM_REFILL_DELAY``.
    SMALL_POOL = 2
    ROOM_REFILL_DELAY = 60.0

    kernel_limits: KernelLimits
    participants: ParticipantKernels
    rooms: RoomService

    @catch_config_error
    def initialize(self, argv: list[str] | None = None) -> None:
        """Read the configuration as Voilà does, turn ``room`` into pool settings for ``app.ipynb``, check the limits.

        Voilà builds its pooling kernel manager on the class ``multi_kernel_manager_class`` names; ours tells the
        limits about connections and shutdowns, so it replaces jupyter_server's default there. The facilitator's
        key and the room store's path go into the environment first, before any kernel can start.
        """
        try:
            self.rooms = RoomService()
        except (FacilitatorKeyError, ValueError) as error:
            raise TraitError(str(error)) from error
        atexit.register(self.rooms.delete)  # rooms never outlive the run
        super().initialize(argv)
        if self.room:
            manager = self.config.VoilaKernelManager
            manager.kernel_pools_config = {"default": {"pool_size": 0}, "app.ipynb": {"pool_size": self.room}}
            if self.room > self.SMALL_POOL and "fill_delay" not in manager:
                manager.fill_delay = self.ROOM_REFILL_DELAY
        try:
            self.kernel_limits = kernel_limits(self.room, self.max_kernels, self.cull_after, self.connect_within)
        except ValueError as error:
            raise TraitError(str(error)) from error
        configuration = self.voila_configuration
        if configuration.multi_kernel_manager_class is AsyncMappingKernelManager:
            configuration.multi_kernel_manager_class = ParticipantKernelManager
        elif not issubclass(configuration.multi_kernel_manager_class, ParticipantKernelManager):
            raise TraitError(
                "VoilaConfiguration.multi_kernel_manager_class must be ParticipantKernelManager or a subclass of it "
                f"for the kernel limits, not {configuration.multi_kernel_manager_class.__name__}"
            )

    def init_settings(self) -> dict[str, Any]:
        """Voilà's settings, an access log that leaves out the "full" page, and the participant kernels' places.

        Voilà builds its kernel manager here with its list of allowed kernel messages; the server stops if that
        list did not reach the manager (a replaced manager class, an upgrade): a page could then run code.
        """
        settings: dict[str, Any] = super().init_settings()
        try:
            check_message_types(self.kernel_manager)
        except UnsafeServerError as problem:
            self.log.critical("%s", problem)
            self.exit(1)
        self.participants = ParticipantKernels(self.kernel_limits, announce=self.log.warning)
        return {"log_function": log_request, **settings}

    def init_handlers(self) -> list[Any]:
        """Voilà's handlers, the page handler replaced by one that turns visitors away past the cap, and ours.

        Ours: ``/room/`` and the page's scripts in one bundle (:mod:`.page_bundle`), and the page's goodbye
        without the XSRF check that refuses it (:class:`GoodbyeHandler`).
        """
        words = FullPageWords.from_ui(get_workshop().ui)
        bundle = page_bundle()
        if warning := stale_list_warning(bundle):
            self.log.warning(warning)
        handlers: list[Any] = [*self.rooms.handlers(self.base_url), bundle_route(self.base_url, bundle)]
        for route in super().init_handlers():
            if len(route) == 2 and route[1] is VoilaShutdownKernelHandler:
                route = (route[0], GoodbyeHandler)
            if len(route) == 3 and route[1] is TornadoVoilaHandler:
                pattern, _, options = route
                route = (
                    pattern,
                    ParticipantPageHandler,
                    {**options, "participants": self.participants, "full_page_words": words},
                )
            handlers.append(route)
        return handlers

    @default("kernel_websocket_connection_class")
    def _default_connection_class(self) -> type[ZMQChannelsWebsocketConnection]:
        return NoDelayConnection

    def listen(self) -> None:
        """Add the gzip transform, start watching participant kernels, then listen as Voilà does."""
        if self.compress and GZipContentEncoding not in self.app.transforms:
            self.app.transforms.append(GZipContentEncoding)
        self.log.info(self.kernel_limits.describe(self.room))
        warning = self.kernel_limits.room_warning(self.room)
        if warning:
            self.log.warning(warning)
        manager = self.kernel_manager
        if not isinstance(manager, ParticipantKernelManager):
            raise TypeError(f"the kernel manager is a {type(manager).__name__}, which cannot bound kernels")
        manager.watch(self.participants)
        scrub_logs(self.log)
        PeriodicCallback(self.rooms.end_idle, END_IDLE_EVERY * 1000).start()
        # Voilà's listen() runs the loop until the server stops: the link is printed from the loop's first turn,
        # once the port is known.
        IOLoop.current().add_callback(lambda: self.rooms.announce(self.ip, self.port))
        super().listen()


main = WorkshopVoila.launch_instance

if __name__ == "__main__":
    main()
