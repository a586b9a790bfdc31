"""The room: a facilitator's live, anonymous results for the debrief.

A facilitator opens a room; participants who join it have their first answer to each activity counted, with no
names, no free text and no per-answer times, and everything about a room is deleted when it ends. Participants'
kernels, the facilitator's kernel and the server's export handlers all reach the counts through one interface
(:class:`therapy_workshop.room.service.RoomService`), implemented here on one SQLite file
(:class:`therapy_workshop.room.store.RoomStore`) so that a JupyterHub service can later implement it over HTTP.

This layer runs in participants' kernels: it imports neither pydantic, PyYAML nor any widget library.
"""
