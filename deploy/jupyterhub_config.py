# The hub `make hub` runs: every setting is in therapy_workshop.hub.config (shared with The Littlest JupyterHub's
# plugin), read from HOST, PORT, HUB_DIR, CULL_SERVERS_AFTER, CULL_AFTER, FACILITATOR_KEY and ROOM_MINIMUM.
from therapy_workshop.hub.config import configure

configure(c)  # noqa: F821 (JupyterHub defines `c` when it loads this file)
