"""What a participant could try from the page's own console: messages to their own kernel beyond Voilà's list.

:func:`send_forbidden_messages` runs in a real page (Playwright's ``evaluate``, as the browser's console would):
it opens a second websocket to the kernel the page was given, with the cookies the page has, and sends an
``execute_request`` whose code would write a marker file, a ``comm_open`` for a target nobody registered whose
data carries the same code, and an ``input_reply`` on the stdin channel. Then it sends a ``kernel_info_request``
and waits for its reply: a kernel answers shell messages in order, so once that reply is in, anything sent before
it has been handled (or dropped). The test then looks for the marker: waiting on that reply, not on a clock, is
what makes "no code ran" a finding rather than a guess.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

#: What each message sends as code, writing ``marker``.
CODE = "open({marker!r}, 'w').write('code ran')"

_PROBE = """
async ([code]) => {
  const config = JSON.parse(document.getElementById('jupyter-config-data').textContent);
  const kernelId = config.kernelId;
  const base = new URL(config.baseUrl, window.location.href);
  const address = new URL(`api/kernels/${kernelId}/channels?session_id=probe`, base);
  address.protocol = address.protocol === 'https:' ? 'wss:' : 'ws:';
  const socket = new WebSocket(address.href);
  await new Promise((resolve, reject) => { socket.onopen = resolve; socket.onerror = () => reject('no socket'); });
  const message = (channel, type, content) => ({
    channel,
    header: {msg_id: crypto.randomUUID(), msg_type: type, username: 'probe', session: 'probe',
             date: new Date().toISOString(), version: '5.3'},
    parent_header: {}, metadata: {}, content, buffers: [],
  });
  const replies = [];
  const infoReply = new Promise((resolve) => {
    socket.onmessage = (event) => {
      if (typeof event.data !== 'string') return;
      const reply = JSON.parse(event.data);
      replies.push(reply.header.msg_type);
      if (reply.header.msg_type === 'kernel_info_reply') resolve(reply);
    };
  });
  socket.send(JSON.stringify(message('shell', 'execute_request',
    {code, silent: false, store_history: false, user_expressions: {}, allow_stdin: true, stop_on_error: true})));
  const commId = crypto.randomUUID();
  socket.send(JSON.stringify(message('shell', 'comm_open',
    {comm_id: commId, target_name: 'no-such-target', data: {code}})));
  socket.send(JSON.stringify(message('stdin', 'input_reply', {value: code})));
  socket.send(JSON.stringify(message('shell', 'kernel_info_request', {})));
  await infoReply;
  socket.close();
  return {kernelId, commId, replies};
}
"""


def marker_path(folder: Path) -> Path:
    """A file no test and no kernel would write, unless a probe's code ran."""
    return folder / f"code-ran-{uuid.uuid4().hex}"


def send_forbidden_messages(page: Any, marker: Path) -> dict[str, Any]:
    """Send the three messages from ``page`` to its own kernel; returns its kernel id, the comm's id and the reply
    types seen.

    Returns only after the kernel has answered a ``kernel_info_request`` sent after them. The kernel closes the
    unknown comm, and the page's own connection, which sees that close, logs "Comm not found for comm id <id>":
    :func:`expected_console_error` is that line.
    """
    result: dict[str, Any] = page.evaluate(_PROBE, [CODE.format(marker=str(marker))])
    return result


def expected_console_error(result: dict[str, Any]) -> str:
    """The one console error the probe causes: the page hearing that the kernel closed the probe's comm."""
    return f"Comm not found for comm id {result['commId']}"
