"""Fault injection for the reliability tests (``tests/test_faults.py``).

``DECKBUILDER_KILL_AT=<point>`` makes the process that reaches ``point(<point>)`` kill
itself with SIGKILL there, as a power cut or the OOM killer would: no cleanup, no
``finally``. The tests kill builds at each point and check that the next build recovers
byte for byte. Without the variable (always, outside those tests) ``point`` does nothing.

The points, in build order: ``pool-running`` (the main process, while worker processes
parse), ``worker`` (a worker process, mid-parse), ``store-written`` (the build store
rewritten, nothing else yet), ``zip-half-written`` (the deck's temporary zip has its
first entry only), ``deck-written`` (the new deck in place, the lock not yet), and
``lock-written`` (deck and lock in place, the manifest not yet).
"""

from __future__ import annotations

import os
import signal

ENV = "DECKBUILDER_KILL_AT"


def point(name: str) -> None:
    if os.environ.get(ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)
