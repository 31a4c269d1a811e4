"""Output that scales: on a terminal a progress bar and a short summary, whatever the number
of guides; per-guide lines and every warning with ``-v``; plain lines in a pipe.

The terminal runs are the real CLI in a subprocess whose stdout and stderr are a pseudo
terminal (``pty``). The bar's one-second delay is set to zero through
``DECKBUILDER_PROGRESS_DELAY`` so that no test depends on how fast the machine is.
"""

from __future__ import annotations

import io
import os
import pty
import subprocess
import sys
from pathlib import Path

from deckbuilder.progress import Progress

from .conftest import run_cli

GUIDE = """# {title}

## Key Themes
- **{title} first**: what to remember about {title}
- **{title} second**: one more thing about {title}

Q: What is {title}?
"""  # two notes; the Q: without its A: gives no card and one warning


def _library(folder: Path, count: int) -> Path:
    folder.mkdir(parents=True)
    for n in range(count):
        (folder / f"guide-{n:02}.md").write_text(GUIDE.format(title=f"Topic {n}"), encoding="utf-8")
    return folder


def _on_a_terminal(*args: str) -> str:
    """Run ``deckbuilder ARGS`` with a terminal for stdout and stderr; everything it showed."""
    controller, terminal = pty.openpty()
    env = {**os.environ, "DECKBUILDER_PROGRESS_DELAY": "0", "TERM": "xterm", "COLUMNS": "200"}
    proc = subprocess.Popen([sys.executable, "-m", "deckbuilder", *args], stdin=subprocess.DEVNULL,
                            stdout=terminal, stderr=terminal, env=env)
    os.close(terminal)
    chunks = []
    while True:
        try:
            data = os.read(controller, 65536)
        except OSError:  # EIO: the other side closed
            break
        if not data:
            break
        chunks.append(data)
    os.close(controller)
    assert proc.wait() == 0, b"".join(chunks).decode()
    return b"".join(chunks).decode().replace("\r\n", "\n")


def test_a_terminal_gets_a_bar_and_a_short_summary(tmp_path: Path) -> None:
    guides = _library(tmp_path / "guides", 12)
    shown = _on_a_terminal("build", str(guides), "-o", str(tmp_path / "deck.apkg"), "--jobs", "1")
    assert "[" + "#" * 30 + "] 12/12 guides" in shown  # the bar, drawn on stderr ...
    report = shown.rsplit("\r", 1)[-1]  # ... and wiped before the report
    assert report.splitlines() == [
        "12 guides: 24 notes (24 recall, 0 cloze, 0 red flag)",
        "changed: 12 guides; -v lists them",
        "12 warnings (12 author-syntax); -v lists them",
        f"wrote 24 notes to {tmp_path}/deck.apkg: 24 added, 0 updated, 0 reworded, 0 moved, 0 unchanged, 0 removed",
    ]
    assert "guide-11.md: 2 notes" not in shown  # no per-guide line, no warning line
    assert "warning:" not in shown
    for n in (3, 7):  # a few guides changed are named
        guide = guides / f"guide-{n:02}.md"
        text = guide.read_text(encoding="utf-8").replace("\n\nQ:", "\n- **One more**: a third theme\n\nQ:")
        guide.write_text(text, encoding="utf-8")
    again = _on_a_terminal("build", str(guides), "-o", str(tmp_path / "deck.apkg"))
    assert again.rsplit("\r", 1)[-1].splitlines()[:4] == [
        "12 guides: 26 notes (26 recall, 0 cloze, 0 red flag)",
        "changed: 2 guides",
        f"  {guides}/guide-03.md: 1 added",
        f"  {guides}/guide-07.md: 1 added",
    ]


def test_verbose_on_a_terminal_lists_every_guide_and_warning(tmp_path: Path) -> None:
    guides = _library(tmp_path / "guides", 6)
    out = str(tmp_path / "deck.apkg")
    run_cli("build", str(guides), "-o", out)
    shown = _on_a_terminal("build", "-v", str(guides), "-o", out)
    lines = shown.splitlines()
    for n in range(6):
        assert f"{guides}/guide-{n:02}.md: 2 notes (2 recall, 0 cloze, 0 red flag); 2 unchanged" in lines
        assert f"warning: {guides}/guide-{n:02}.md:7: Q:/A: pair needs an A: line after it; no card made" in lines
    assert "changed: no guide" in lines
    assert "6 warnings (6 author-syntax)" in lines


def test_a_pipe_gets_plain_lines(tmp_path: Path) -> None:
    """Not a terminal (tests, CI, a pipe): no bar, one line per guide, each warning on stderr."""
    guides = _library(tmp_path / "guides", 6)
    result = run_cli("build", str(guides), "-o", str(tmp_path / "deck.apkg"))
    assert "\r" not in result.stdout + result.stderr
    assert [line.split(":")[0].rsplit("/", 1)[-1] for line in result.stdout.splitlines()[:6]] == [
        f"guide-{n:02}.md" for n in range(6)]
    assert len([line for line in result.stderr.splitlines() if line.startswith("warning: ")]) == 6
    assert result.stderr.splitlines()[-1] == "6 warnings (6 author-syntax)"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_bar_waits_for_its_delay_and_is_wiped() -> None:
    now = [0.0]
    stream = _Terminal()
    bar = Progress(stream, delay=1.0, clock=lambda: now[0])
    bar(1, 4)
    assert stream.getvalue() == ""  # a short build shows no bar
    now[0] = 1.5
    bar(2, 4)
    assert stream.getvalue().endswith("] 2/4 guides")
    bar.close()
    assert stream.getvalue().endswith("\r")
    piped = io.StringIO()
    Progress(piped, delay=0.0)(1, 1)
    assert piped.getvalue() == ""  # never on a pipe
