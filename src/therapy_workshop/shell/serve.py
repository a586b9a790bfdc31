"""Voilà with compressed responses and prompt kernel messages, for ``make app``.

Three changes to stock Voilà, everything else configured by ``voila.json``:

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
"""

from __future__ import annotations

import asyncio

from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection
from tornado.web import GZipContentEncoding
from traitlets import Bool, Int, default
from voila.app import Voila


class NoDelayConnection(ZMQChannelsWebsocketConnection):
    """The stock kernel websocket connection, with small frames sent at once instead of batched."""

    # jupyter_server's own ZMQ connection returns a Future here although its base class declares a coroutine.
    def connect(self) -> asyncio.Future[None] | None:  # type: ignore[override]
        """Switch Nagle's algorithm off for this websocket, then connect as usual."""
        self.websocket_handler.set_nodelay(True)
        return super().connect()


class WorkshopVoila(Voila):
    """Stock Voilà plus gzip for text responses (HTML, JavaScript, CSS, JSON) and prompt kernel messages."""

    compress = Bool(True, config=True, help="Gzip text responses; a room on one Wi-Fi downloads a quarter as much.")
    room = Int(
        0,
        min=0,
        config=True,
        help="People who may open the app at the same moment: that many kernels are kept preheated. "
        "0 keeps the pool from voila.json.",
    )
    aliases = {**Voila.aliases, "room": "WorkshopVoila.room"}  # noqa: RUF012 (traitlets reads the class attribute)

    #: Pools up to this size refill after Voilà's default second; bigger ones wait ``ROOM_REFILL_DELAY``.
    SMALL_POOL = 2
    ROOM_REFILL_DELAY = 60.0

    def initialize(self, argv: list[str] | None = None) -> None:
        """Read the configuration as Voilà does, then turn ``room`` into pool settings for ``app.ipynb``."""
        super().initialize(argv)
        if self.room:
            manager = self.config.VoilaKernelManager
            manager.kernel_pools_config = {"default": {"pool_size": 0}, "app.ipynb": {"pool_size": self.room}}
            if self.room > self.SMALL_POOL and "fill_delay" not in manager:
                manager.fill_delay = self.ROOM_REFILL_DELAY

    @default("kernel_websocket_connection_class")
    def _default_connection_class(self) -> type[ZMQChannelsWebsocketConnection]:
        return NoDelayConnection

    def listen(self) -> None:
        """Add the gzip transform, then listen as Voilà does."""
        if self.compress and GZipContentEncoding not in self.app.transforms:
            self.app.transforms.append(GZipContentEncoding)
        super().listen()


main = WorkshopVoila.launch_instance

if __name__ == "__main__":
    main()
