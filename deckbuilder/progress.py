"""A progress bar on a terminal, for builds long enough to wonder about.

A build of a few guides is over before a bar would mean anything, so the bar appears
only once the build has run for ``delay`` seconds (one, unless
``DECKBUILDER_PROGRESS_DELAY`` says otherwise, which is how the tests see it), and only
on a terminal: a pipe or a CI log gets no carriage returns. It is drawn on stderr,
redrawn at most ten times a second, and wiped when the work is done, so the report that
follows starts on a clean line. Hand-rolled in a few lines: ``click.progressbar`` wants
to own the loop, and here the loop is the worker pool's.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import TextIO

WIDTH = 30  # characters of bar
REDRAW = 0.1  # seconds between redraws


class Progress:
    """Call with (done, total) as guides are read; ``close`` wipes the bar."""

    def __init__(self, stream: TextIO, *, delay: float | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.stream = stream
        self.enabled = _is_terminal(stream)
        self.delay = _delay() if delay is None else delay
        self.clock = clock
        self.start = clock()
        self.drawn_at: float | None = None  # when the bar was last drawn; None: never

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total <= 0:
            return
        now = self.clock()
        if now - self.start < self.delay:
            return
        if self.drawn_at is not None and now - self.drawn_at < REDRAW and done < total:
            return
        filled = WIDTH * done // total
        self.stream.write(f"\r[{'#' * filled}{'.' * (WIDTH - filled)}] {done}/{total} guides")
        self.stream.flush()
        self.drawn_at = now

    def close(self) -> None:
        if self.drawn_at is not None:
            self.stream.write("\r" + " " * (WIDTH + 30) + "\r")
            self.stream.flush()
            self.drawn_at = None


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty() and os.environ.get("TERM") != "dumb"
    except (AttributeError, ValueError):
        return False


def _delay() -> float:
    try:
        return max(0.0, float(os.environ.get("DECKBUILDER_PROGRESS_DELAY", "1")))
    except ValueError:
        return 1.0
