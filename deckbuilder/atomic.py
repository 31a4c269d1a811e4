"""Files appear whole or not at all: write beside the target, then rename over it.

``tempfile.mkstemp`` creates files readable by their owner only; ``publish`` gives them
the permissions any new file would get (0666 less the umask) before the rename.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def temporary_beside(target: Path) -> str:
    """A new empty file in the target's folder (same filesystem, so the rename is atomic)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    return tmp


def publish(tmp: str, target: Path) -> None:
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    os.replace(tmp, target)


def stage_text(target: Path, text: str) -> str:
    """``text`` (UTF-8, LF) in a new file beside ``target``, flushed to disk, for ``publish``
    to move into place; OSError on failure, nothing left behind."""
    tmp = temporary_beside(target)
    try:
        with open(tmp, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        discard(tmp)
        raise
    return tmp


def sweep(target: Path) -> None:
    """Remove what a build killed midway left beside ``target`` (its temporary files), so a
    ``kill -9`` leaves nothing behind for long, nor for ``git add -A`` to pick up."""
    try:
        for leftover in target.parent.glob(f".{target.name}.*.tmp"):
            leftover.unlink(missing_ok=True)
    except OSError:
        pass  # a folder that cannot be listed or changed fails later with a proper message


def discard(tmp: str | None) -> None:
    if tmp is not None and os.path.exists(tmp):
        os.unlink(tmp)


def write_text(target: Path, text: str) -> None:
    """Replace ``target`` with ``text`` (UTF-8, LF), atomically; OSError on failure, nothing left behind."""
    tmp = stage_text(target, text)
    try:
        publish(tmp, target)
    finally:
        discard(tmp)
