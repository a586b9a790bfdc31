"""A participant without a browser: the requests and kernel messages Voilà's page makes, and nothing else.

Thirty Chromium pages on the same two cores as the server measure mostly Chromium. In a real room each person
brings their own device, so the server's share is what this client measures: the page request, the websocket to
the participant's kernel, the widget state the page asks for (ipywidgets 8's ``jupyter.widget.control`` comm,
as Voilà's widget manager does), a module switch sent the way the app's link handler sends it, and the unload
beacon that frees the kernel. Rendering in the browser is measured once, for one participant, in ``bench.py``.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from jupyter_server.services.kernels.connection.base import deserialize_msg_from_ws_v1, serialize_msg_to_ws_v1
from tornado.httpclient import AsyncHTTPClient, HTTPRequest
from tornado.websocket import WebSocketClientConnection, websocket_connect

CONTROL_PROTOCOL = "1.0.0"  # ipywidgets 8 refuses a control comm that names no version
KERNEL_ID = re.compile(r'"kernelId":\s*"([0-9a-f-]+)"')


#: The kernel websocket protocol Voilà's page asks for (JupyterLab's services): the server passes messages on
#: without parsing them, so a room of these clients costs the server what a room of browsers does.
PROTOCOL = "v1.kernel.websocket.jupyter.org"


def decode(frame: str | bytes) -> dict[str, Any]:
    """A kernel message from the websocket in the v1 protocol's framing (header, parent, metadata, content)."""
    if isinstance(frame, str):
        return dict(json.loads(frame))  # a server that chose the old protocol
    _channel, parts = deserialize_msg_from_ws_v1(frame)
    header, parent, metadata, content = (json.loads(part) for part in parts[:4])
    return {"header": header, "parent_header": parent, "metadata": metadata, "content": content}


def encode(message: dict[str, Any]) -> bytes:
    """A message for the kernel in the v1 protocol's framing."""
    parts = [json.dumps(message[key]).encode() for key in ("header", "parent_header", "metadata", "content")]
    return bytes(serialize_msg_to_ws_v1(parts, message["channel"]))


@dataclass
class Participant:
    """One person's session: their kernel id, websocket and the widget models their page knows about."""

    base_url: str
    session: str = field(default_factory=lambda: uuid.uuid4().hex)
    kernel_id: str = ""
    socket: WebSocketClientConnection | None = None
    states: dict[str, dict[str, Any]] = field(default_factory=dict)
    errors: int = 0

    def _message(self, msg_type: str, content: dict[str, Any], metadata: dict[str, Any]) -> dict[str, Any]:
        return {
            "header": {
                "msg_id": uuid.uuid4().hex,
                "msg_type": msg_type,
                "session": self.session,
                "username": "",
                "version": "5.3",
                "date": "",
            },
            "parent_header": {},
            "metadata": metadata,
            "content": content,
            "channel": "shell",
            "buffers": [],
        }

    async def _send(self, msg_type: str, content: dict[str, Any], metadata: dict[str, Any] | None = None) -> str:
        assert self.socket is not None
        message = self._message(msg_type, content, metadata or {})
        await self.socket.write_message(encode(message), binary=True)
        return str(message["header"]["msg_id"])

    async def _until(self, test: Any, timeout: float) -> dict[str, Any]:
        """Read messages until ``test(message)`` is true; what the page's handlers would wait for."""
        assert self.socket is not None
        deadline = time.monotonic() + timeout
        while True:
            frame = await asyncio.wait_for(self.socket.read_message(), deadline - time.monotonic())
            if frame is None:
                raise ConnectionError(f"kernel {self.kernel_id}: websocket closed")
            message = decode(frame)
            kind = message["header"]["msg_type"]
            if kind == "error" or (kind == "stream" and message["content"].get("name") == "stderr"):
                self.errors += 1  # a widget callback that raised: ipywidgets prints it to stderr
            if message["header"]["msg_type"] == "comm_open":
                data = message["content"].get("data", {})
                self.states[message["content"]["comm_id"]] = data.get("state", {})
            elif message["header"]["msg_type"] == "comm_msg":
                data = message["content"].get("data", {})
                if data.get("method") == "update" and message["content"]["comm_id"] in self.states:
                    self.states[message["content"]["comm_id"]].update(data.get("state", {}))
            elif message["header"]["msg_type"] == "comm_close":
                self.states.pop(message["content"]["comm_id"], None)
            if test(message):
                return message

    async def open(self, timeout: float = 120) -> None:
        """GET the page, connect to its kernel and fetch every widget's state, as the page does on load."""
        found = KERNEL_ID.search(await self.fetch_page(timeout))
        if not found:
            raise RuntimeError("the page names no kernel")
        self.kernel_id = found.group(1)
        channels = f"api/kernels/{self.kernel_id}/channels?session_id={self.session}"
        ws_url = self.base_url.replace("http", "ws", 1) + channels
        self.socket = await websocket_connect(
            HTTPRequest(ws_url, headers=self.socket_headers(), connect_timeout=timeout),
            max_message_size=64 * 1024 * 1024,
            subprotocols=[PROTOCOL],
        )
        await self._send("kernel_info_request", {})
        await self._until(lambda m: m["header"]["msg_type"] == "kernel_info_reply", timeout)
        control = uuid.uuid4().hex
        await self._send(
            "comm_open",
            {"comm_id": control, "target_name": "jupyter.widget.control", "data": {}},
            {"version": CONTROL_PROTOCOL},
        )
        await self._send("comm_msg", {"comm_id": control, "data": {"method": "request_states"}})
        reply = await self._until(
            lambda m: m["header"]["msg_type"] == "comm_msg" and m["content"]["data"].get("method") == "update_states",
            timeout,
        )
        for model_id, model in reply["content"]["data"]["states"].items():
            self.states[model_id] = model.get("state", {})

    async def fetch_page(self, timeout: float) -> str:
        """The app's page (its HTML names the kernel Voilà started for it)."""
        response = await AsyncHTTPClient().fetch(HTTPRequest(self.base_url, request_timeout=timeout))
        return str(response.body.decode("utf-8"))

    def socket_headers(self) -> dict[str, str]:
        """Headers for the kernel's websocket (none for ``make app``; a hub's cookies for :mod:`hub_client`)."""
        return {}

    def _location_comm(self) -> str:
        for model_id, state in self.states.items():
            if "page_title" in state and "query" in state:
                return model_id
        raise RuntimeError("no LocationSync widget among the page's widgets")

    async def go(self, module_id: str, timeout: float = 120) -> float:
        """Ask for another module as the app's in-page link handler does; wait until the kernel is done.

        Returns the seconds the kernel itself was busy, from the timestamps on its busy and idle messages.
        """
        request = await self._send(
            "comm_msg",
            {"comm_id": self._location_comm(), "data": {"method": "custom", "content": {"go": module_id}}},
        )
        stamps: dict[str, str] = {}

        def done(message: dict[str, Any]) -> bool:
            if message["header"]["msg_type"] != "status" or message["parent_header"].get("msg_id") != request:
                return False
            state = message["content"].get("execution_state")
            stamps[state] = message["header"]["date"]
            return bool(state == "idle")

        await self._until(done, timeout)
        busy = datetime.fromisoformat(stamps["idle"]) - datetime.fromisoformat(stamps["busy"])
        return busy.total_seconds()

    async def _request(self, model_id: str, data: dict[str, Any], timeout: float = 60) -> None:
        """Send one widget message as the page would and wait until the kernel has finished with it."""
        request = await self._send("comm_msg", {"comm_id": model_id, "data": data})
        await self._until(
            lambda m: (
                m["header"]["msg_type"] == "status"
                and m["parent_header"].get("msg_id") == request
                and m["content"].get("execution_state") == "idle"
            ),
            timeout,
        )

    async def update(self, model_id: str, state: dict[str, Any]) -> None:
        """Change a widget's state as the page does when the learner types or chooses (and wait for the kernel)."""
        await self._request(model_id, {"method": "update", "state": state, "buffer_paths": []})

    async def click(self, model_id: str) -> None:
        """Press a button as the page does (and wait until the kernel has finished with it)."""
        await self._request(model_id, {"method": "custom", "content": {"event": "click"}})

    async def arrive_at(self, query: str) -> None:
        """Report what the page's scripts report once it has loaded: an empty browser, then the query string.

        The browser-record widgets (progress, the room joined) say they found nothing stored; the location widget
        reports the query, which is what joins a room (``?room=CODE``).
        """
        for model_id, state in list(self.states.items()):
            if "storage_key" in state:
                await self.update(model_id, {"loaded": "", "ready": True})
        await self.update(self._location_comm(), {"query": query})

    def find(self, test: Any) -> list[str]:
        """Ids of the widgets on screen whose state passes ``test``, in no particular order."""
        return [model_id for model_id in self.on_screen() if test(self.states[model_id])]

    def on_screen(self) -> list[str]:
        """Ids of the widgets a learner could see now: reachable from the app through children, none hidden."""
        roots = [model_id for model_id, state in self.states.items() if "tw-app" in state.get("_dom_classes", [])]
        seen: list[str] = []
        stack = list(roots)
        while stack:
            model_id = stack.pop()
            state = self.states.get(model_id)
            if state is None or model_id in seen:
                continue
            layout = self.states.get(str(state.get("layout", "")).removeprefix("IPY_MODEL_"), {})
            if layout.get("display") == "none":
                continue
            seen.append(model_id)
            stack.extend(str(child).removeprefix("IPY_MODEL_") for child in state.get("children", []))
        return seen

    async def play(self, actions: int, rng: Any) -> int:
        """Do ``actions`` things a learner could do on the page shown, chosen at random; return how many failed.

        Choose options, press any visible button (Check, Try again, Next, a scenario choice, Continue, Back...),
        reorder steps, type into a box. A failure is a message the kernel answered with an error.
        """
        errors_before = self.errors
        for _ in range(actions):
            choices: list[tuple[str, dict[str, Any]]] = []
            for model_id in self.on_screen():
                state = self.states[model_id]
                if state.get("disabled"):
                    continue
                if state.get("_model_name") == "ButtonModel":
                    choices.append((model_id, {"method": "custom", "content": {"event": "click"}}))
                elif state.get("option_html"):
                    count = len(state["option_html"])
                    picked = sorted({rng.randrange(count) for _ in range(2 if state.get("multiple") else 1)})
                    choices.append((model_id, {"method": "update", "state": {"selected": picked}, "buffer_paths": []}))
                elif state.get("order"):
                    order = list(state["order"])
                    rng.shuffle(order)
                    choices.append((model_id, {"method": "update", "state": {"order": order}, "buffer_paths": []}))
                elif state.get("_model_name") in ("TextareaModel", "TextModel"):
                    words = " ".join(rng.choice(("I", "want", "to", "stop", "therapy", "now")) for _ in range(8))
                    choices.append((model_id, {"method": "update", "state": {"value": words}, "buffer_paths": []}))
            if choices:
                model_id, data = rng.choice(choices)
                await self._request(model_id, data)
        return self.errors - errors_before

    async def leave(self) -> None:
        """Close the page: the unload beacon asks Voilà to shut the kernel down."""
        if self.socket is not None:
            self.socket.close()
        if self.kernel_id:
            await AsyncHTTPClient().fetch(
                HTTPRequest(self.base_url + f"voila/api/shutdown/{self.kernel_id}", method="POST", body=b""),
                raise_error=False,
            )


async def timed(coroutine: Any) -> float | None:
    """Seconds ``coroutine`` took, or None if it failed (a failure counts, it is not retried)."""
    start = time.perf_counter()
    try:
        await coroutine
    except Exception:
        return None
    return time.perf_counter() - start
