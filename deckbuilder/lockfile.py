"""``deckbuilder.lock``: what a build must remember so the next one can update Anki in place.

A small tab-separated text file next to the sources, sorted and meant to be committed,
so a rebuild on a fresh clone gives the same GUIDs, note ids and modification times::

    # deckbuilder lock 1
    notetype  recall  <template digest>  <mod>
    note  <guid>  <content digest>  <mod>  <note id>  <doc>  <kind>  <note kind>  <section>  <key>
    removed  <guid>  <mod>  <note id>  <doc>  <kind>  <note kind>  <section>  <key>
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .atomic import write_text
from .errors import DeckbuilderError

LOCK_NAME = "deckbuilder.lock"
HEADER = "# deckbuilder lock 1 (commit this file: it keeps review history safe across rebuilds)"


@dataclass(frozen=True)
class LockedNote:
    guid: str
    digest: str  # of the rendered note; "" for removed notes
    mod: int
    note_id: int
    doc: str
    kind: str  # Kind value
    note_kind: str  # NoteKind value
    section: str  # normalised section path, " / " joined
    key: str  # normalised identity text


@dataclass
class Lock:
    notes: dict[str, LockedNote] = field(default_factory=dict)
    removed: dict[str, LockedNote] = field(default_factory=dict)
    notetypes: dict[str, tuple[str, int]] = field(default_factory=dict)  # kind -> (digest, mod)


_UNSAFE = ("\t", "\n", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f", "\x85", "\u2028", "\u2029")


def _clean(text: str) -> str:
    """One line, no tabs: most keys already are, so only rewrite the ones that are not."""
    if any(ch in text for ch in _UNSAFE) or "  " in text or text != text.strip():
        return " ".join(text.replace("\t", " ").split())
    return text


def read_lock(path: Path) -> Lock:
    """Read a lock file; a missing file is an empty lock. Bad lines are errors with a line number."""
    lock = Lock()
    if not path.exists():
        return lock
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise DeckbuilderError(f"cannot read the lock file: {err}; delete it to start afresh", str(path)) from None
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        try:
            if parts[0] == "notetype" and len(parts) == 4:
                lock.notetypes[parts[1]] = (parts[2], int(parts[3]))
            elif parts[0] == "note" and len(parts) == 10:
                note = LockedNote(parts[1], parts[2], int(parts[3]), int(parts[4]), *parts[5:10])
                lock.notes[note.guid] = note
            elif parts[0] == "removed" and len(parts) == 9:
                note = LockedNote(parts[1], "", int(parts[2]), int(parts[3]), *parts[4:9])
                lock.removed[note.guid] = note
            else:
                raise ValueError
        except ValueError:
            raise DeckbuilderError(
                "unreadable lock file line; restore it from git or delete the file", str(path), number
            ) from None
    return lock


def format_lock(lock: Lock) -> str:
    lines = [HEADER]
    for kind in sorted(lock.notetypes):
        digest, mod = lock.notetypes[kind]
        lines.append(f"notetype\t{kind}\t{digest}\t{mod}")
    for n in sorted(lock.notes.values(), key=lambda n: (n.doc, n.note_id)):
        lines.append("\t".join(("note", n.guid, n.digest, str(n.mod), str(n.note_id), n.doc, n.kind,
                                n.note_kind, _clean(n.section), _clean(n.key))))
    for n in sorted(lock.removed.values(), key=lambda n: (n.doc, n.note_id)):
        lines.append("\t".join(("removed", n.guid, str(n.mod), str(n.note_id), n.doc, n.kind,
                                n.note_kind, _clean(n.section), _clean(n.key))))
    return "\n".join(lines) + "\n"


def write_lock(path: Path, lock: Lock) -> None:
    """Write atomically, and only when the content changed (keeps mtimes and git quiet)."""
    text = format_lock(lock)
    if path.exists() and path.read_text(encoding="utf-8", errors="replace") == text:
        return
    write_text(path, text)
