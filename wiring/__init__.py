"""The composition roots: one per process, each building only what that process uses.

- ``wiring.web``: the web app (voice and SMS lines, status callbacks, the flask commands);
- ``wiring.worker``: the RQ worker (SMS dispatch, reminders), built once before forking;
- ``wiring.clock``: the clock (only the queue).

Nothing below this package imports it; it imports everything it wires.
"""
