"""The workshop on JupyterHub: the hub's configuration, its login for visitors and facilitators, the room service.

Nothing here runs in a participant's kernel. :mod:`.config` is the one place that says how a hub serves the
workshop (``make hub``, The Littlest JupyterHub's plugin and the Zero to JupyterHub values all apply it);
:mod:`.room_service` is the room store served to every participant's server over HTTP, as a service the hub
starts and proxies.
"""
