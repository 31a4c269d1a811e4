"""``deckbuilder.lock``: what a build must remember so the next one can update Anki in place.

A small tab-separated text file next to the sources, sorted and meant to be committed,
so a rebuild on a fresh clone gives the same GUIDs, note ids and modification times::

    # deckbuilder lock 1
    notetype  recall  <template digest>  <mod>
    note  <guid>  <content digest>  <mod>  <note id>  <doc>  <kind>  <note kind>  <section>  <key>  <answer>  <pos>
    removed  <guid>  <mod>  <note id>  <doc>  <kind>  <note kind>  <section>  <key>  <tombstone>

The last columns were appended later (older locks lack them and are read as before):
``answer`` and ``pos`` are evidence for ``matching`` when a note moves or is reworded,
``tombstone`` the version of the text its tombstone was last sent with.
"""

from __future__ import annotations

import re
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
    key: str  # the identity text as written (front)
    answer: str = ""  # digest of the back or answer, "" when unknown
    pos: int = -1  # position among its kind's notes in its section, -1 when unknown
    tombstone: int = 0  # removed notes: version of the tombstone text last sent


@dataclass
class Lock:
    notes: dict[str, LockedNote] = field(default_factory=dict)
    removed: dict[str, LockedNote] = field(default_factory=dict)
    notetypes: dict[str, tuple[str, int]] = field(default_factory=dict)  # kind -> (digest, mod)


# what str.splitlines or str.split would break on, or a double space
_UNSAFE = re.compile(r"[\t\n\r\x0b\x0c\x1c-\x1f\x85\u2028\u2029]|  ")


def _clean(text: str) -> str:
    """One line, no tabs: most keys already are, so only rewrite the ones that are not."""
    if _UNSAFE.search(text) or text[:1].isspace() or text[-1:].isspace():
        return " ".join(text.replace("\t", " ").split())
    return text


def read_lock_text(path: Path) -> str:
    """The lock file's text; "" when there is none."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""
    except (OSError, UnicodeDecodeError) as err:
        raise DeckbuilderError(f"cannot read the lock file: {err}; delete it to start afresh", str(path)) from None


def read_lock(path: Path) -> Lock:
    """Read a lock file; a missing file is an empty lock. Bad lines are errors with a line number."""
    return parse_lock(read_lock_text(path), str(path))


def parse_lock(text: str, shown: str, spans: list[tuple[int, int]] | None = None) -> Lock:
    """Parse the lock's text, or only the ``spans`` of it (character ranges of whole lines)."""
    lock = Lock()
    for start, end in [(0, len(text))] if spans is None else spans:
        for number, line in enumerate(text[start:end].splitlines()):
            if not line.strip() or line.startswith("#"):
                continue
            try:
                _parse_line(lock, line.split("\t"))
            except ValueError:
                number += text.count("\n", 0, start) + 1
                raise DeckbuilderError(
                    "unreadable lock file line; restore it from git or delete the file", shown, number
                ) from None
    return lock


def _parse_line(lock: Lock, parts: list[str]) -> None:
    if parts[0] == "notetype" and len(parts) == 4:
        lock.notetypes[parts[1]] = (parts[2], int(parts[3]))
    elif parts[0] == "note" and len(parts) in (10, 12):
        doc, kind, note_kind, section, key = parts[5:10]
        answer, pos = (parts[10], int(parts[11])) if len(parts) == 12 else ("", -1)
        note = LockedNote(parts[1], parts[2], int(parts[3]), int(parts[4]), doc, kind, note_kind, section, key,
                          answer, pos)
        lock.notes[note.guid] = note
    elif parts[0] == "removed" and len(parts) in (9, 10):
        doc, kind, note_kind, section, key = parts[4:9]
        version = int(parts[9]) if len(parts) == 10 else 0
        note = LockedNote(parts[1], "", int(parts[2]), int(parts[3]), doc, kind, note_kind, section, key,
                          tombstone=version)
        lock.removed[note.guid] = note
    else:
        raise ValueError


def outer_spans(text: str) -> list[tuple[int, int]]:
    """The lines around the notes: the header with note types, and the removed notes."""
    head = text.find("\nnote\t") + 1 or text.find("\nremoved\t") + 1 or len(text)
    tail = text.find("\nremoved\t", head - 1) + 1 or len(text)
    return [(0, head), (tail, len(text))]


def note_blocks(lock: Lock) -> dict[str, str]:
    """Each guide's note lines (by doc id), in note id order."""
    by_doc: dict[str, list[LockedNote]] = {}
    for note in lock.notes.values():
        by_doc.setdefault(note.doc, []).append(note)
    return {
        doc: "".join(
            "\t".join(("note", n.guid, n.digest, str(n.mod), str(n.note_id), n.doc, n.kind,
                       n.note_kind, _clean(n.section), _clean(n.key), n.answer, str(n.pos))) + "\n"
            for n in sorted(notes, key=lambda n: n.note_id)
        )
        for doc, notes in by_doc.items()
    }


def compose_lock(
    notetypes: dict[str, tuple[str, int]], blocks: dict[str, str], removed: dict[str, LockedNote]
) -> tuple[str, dict[str, tuple[int, int]]]:
    """The lock's text from note types, each guide's note block (by doc id) and the removed
    notes; with where each guide's block landed. Blocks of guides this build did not redo
    are copied from the old text as they were."""
    parts = [HEADER + "\n"]
    for kind in sorted(notetypes):
        digest, mod = notetypes[kind]
        parts.append(f"notetype\t{kind}\t{digest}\t{mod}\n")
    at = sum(map(len, parts))
    spans = {}
    for doc in sorted(blocks):
        spans[doc] = (at, at + len(blocks[doc]))
        at += len(blocks[doc])
        parts.append(blocks[doc])
    for n in sorted(removed.values(), key=lambda n: (n.doc, n.note_id)):
        parts.append("\t".join(("removed", n.guid, str(n.mod), str(n.note_id), n.doc, n.kind,
                                n.note_kind, _clean(n.section), _clean(n.key), str(n.tombstone))) + "\n")
    return "".join(parts), spans


def write_lock(path: Path, text: str, old: str | None = None) -> None:
    """Write atomically, and only when the content changed (keeps mtimes and git quiet).
    ``old``: the text read at the start of the build, if known."""
    if old is None:
        old = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
    if path.exists() and old == text:
        return
    write_text(path, text)
