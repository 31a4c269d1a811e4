"""``deckbuilder watch``: rebuilds on save, and survives a half-saved file."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from deckbuilder.watch import watch_and_build

from .conftest import SEED_NOTES, copy_seed


def wait_for(condition, limit: float = 20.0) -> bool:
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_watch_rebuilds_and_survives_a_broken_save(tmp_path: Path, capsys) -> None:
    guides = tmp_path / "guides"
    guide = copy_seed(guides)
    out = tmp_path / "deck.apkg"
    reports: list[int] = []
    stop = threading.Event()
    thread = threading.Thread(
        target=watch_and_build,
        args=([guides], out, 50, lambda result: reports.append(result.summary.note_count)),
        kwargs={"stop_event": stop},
        daemon=True,
    )
    thread.start()
    try:
        assert wait_for(lambda: len(reports) == 1)
        assert reports == [SEED_NOTES]
        first = out.read_bytes()

        # a half-written save: the file stops in the middle of a UTF-8 character
        data = guide.read_bytes()
        cut = data.index("‚úÖ".encode()) + 1
        guide.write_bytes(data[:cut])
        assert wait_for(lambda: "not UTF-8 text" in capsys.readouterr().err)
        assert out.read_bytes() == first  # the previous deck survives

        guide.write_bytes(data.replace(b"6. Tell me about a time you improved a process without being asked\n",
                                       b"6. Tell me about a time you improved a process without being asked\n"
                                       b"7. How do you choose what to fix first?\n"))
        assert wait_for(lambda: len(reports) == 2)
        assert reports[-1] == 64
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()
