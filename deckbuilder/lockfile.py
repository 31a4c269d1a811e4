"""``deckbuilder.lock``: what a build must remember so the next one can update Anki in place.

A small tab-separated text file next to the sources, sorted and meant to be committed,
so a rebuild on a fresh clone gives the same GUIDs, note ids and modification times::

    # deckbuilder lock 2 (commit this file: ...)
    project  <project id>  <root deck>
    notetype  recall  <template digest>  <mod>
    note  <guid>  <content digest>  <mod>  <note id>  <doc>  <kind>  <note kind>  <section>  <key>  <answer>  <pos>
    removed  <guid>  <mod>  <note id>  <doc>  <kind>  <note kind>  <section>  <key>  <tombstone>
    # end of deckbuilder.lock

Why each part is there:

- **project**: which project the lock belongs to (an id made once, and the root deck), so
  a lock copied from another project is refused rather than turning that project's notes
  into tombstones (``check_owner``).
- **escaping**: text columns are escaped (``\\t``, ``\\n``, ``\\\\``...), so a file name with
  a tab or a newline cannot break a line.
- **the end line**: it never changes, so git merges around it, and a lock cut short (even
  at a line boundary) is detected instead of silently losing history.
- **merging**: two branches that each built will be merged by git. A merged lock may hold
  one GUID twice or one note id for two GUIDs; ``parse_lock`` resolves both the same way
  whatever the order of the lines (newest time, lowest id; a clashing id moves past the
  highest one). Conflict markers get a message saying how to resolve them.
- **answer, pos, tombstone** (appended last; locks without them are read as before):
  ``answer`` and ``pos`` are evidence for ``matching`` when a note moves or is reworded,
  ``tombstone`` the version of the text a removed note's tombstone was last sent with.

Version 1 locks (no project, no escaping, no end line) are still read; the next build
writes version 2.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from .atomic import publish, stage_text
from .errors import DeckbuilderError
from .package import ID_STRIDE

LOCK_NAME = "deckbuilder.lock"
HEADER = "# deckbuilder lock 2 (commit this file: it keeps review history safe across rebuilds)"
END = "# end of deckbuilder.lock (a lock without this line was cut short)"
_V1 = "# deckbuilder lock 1"
_NOTE_KINDS = ("recall", "cloze", "red_flag")  # NoteKind values
MAX_ID = 1 << 53  # note ids are Anki's "added" time in ms; anything near 2**63 overflows its card ids
_CONFLICT = re.compile(r"^(<{7}|={7}|>{7}|\|{7})( |$)", re.M)
_MARKERS = ("<" * 7, "=" * 7, ">" * 7, "|" * 7)


class LockError(DeckbuilderError):
    """The lock cannot be used as it is: cut short, conflicted, damaged, or another project's."""


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
    project: str = ""  # "" in a version 1 lock, or none
    root_deck: str = ""


# what str.splitlines or str.split would break on, or a double space
_UNSAFE = re.compile(r"[\t\n\r\x0b\x0c\x1c-\x1f\x85\u2028\u2029]|  ")
_ESCAPES = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}
_TO_ESCAPE = re.compile(r"[\\\x00-\x1f\x7f\x85\u2028\u2029]")
_ESCAPED = re.compile(r"\\(?:u([0-9a-f]{4})|(.))")
_UNESCAPES = {"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}


def _clean(text: str) -> str:
    """One line, no tabs: most keys already are, so only rewrite the ones that are not."""
    if _UNSAFE.search(text) or text[:1].isspace() or text[-1:].isspace():
        return " ".join(text.replace("\t", " ").split())
    return text


def escape(text: str) -> str:
    """A text column: nothing in it can end a line or a column."""
    if not _TO_ESCAPE.search(text):
        return text
    return _TO_ESCAPE.sub(lambda m: _ESCAPES.get(m[0]) or f"\\u{ord(m[0]):04x}", text)


def unescape(text: str) -> str:
    if "\\" not in text:
        return text
    return _ESCAPED.sub(lambda m: chr(int(m[1], 16)) if m[1] else _UNESCAPES.get(m[2], "\\" + m[2]), text)


def read_lock_text(path: Path) -> str:
    """The lock file's text; "" when there is none."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""
    except (OSError, UnicodeDecodeError) as err:
        raise LockError(f"cannot read the lock file: {err}; delete it to start afresh", str(path)) from None


def read_lock(path: Path) -> Lock:
    """Read a lock file; a missing file is an empty lock. Bad lines are errors with a line number."""
    return parse_lock(read_lock_text(path), str(path))


def parse_lock(text: str, shown: str, spans: list[tuple[int, int]] | None = None, *, vouched: bool = False) -> Lock:
    """Parse the lock's text, or only the ``spans`` of it (character ranges of whole lines).
    The whole text is checked for conflict markers and for its end line either way, unless
    it is ``vouched`` for: the very text this folder's last build wrote (the sealed manifest
    holds its digest), checked then. (Scanning a 20 MB lock costs a twentieth of a second.)"""
    version = (1 if text.startswith(_V1) else 2 if text else 0) if vouched else check_whole(text, shown)
    lock = Lock()
    lines: list[tuple[bool, LockedNote]] = []
    for start, end in [(0, len(text))] if spans is None else spans:
        for number, line in enumerate(text[start:end].splitlines()):
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.split("\t")
            if not _well_formed(parts):
                raise LockError("unreadable lock file line; restore it from git or delete the file", shown,
                                number + text.count("\n", 0, start) + 1)
            if version >= 2:
                parts = [unescape(p) for p in parts]
            _add(lock, parts, lines)
    if len(lock.notes.keys() | lock.removed.keys()) != len(lines) or len({n.note_id for _, n in lines}) != len(lines):
        _resolve(lock, lines)  # lines from two branches, merged by git
    return lock


def check_whole(text: str, shown: str) -> int:
    """The lock's version (0 when empty); raises for conflict markers, a missing header or end line."""
    if not text:
        return 0
    # the regex over a whole lock costs a tenth of a second; the plain substring test, a millisecond
    marker = _CONFLICT.search(text) if any(m in text for m in _MARKERS) else None
    if marker is not None:
        raise LockError(
            "git left merge conflict markers in the lock. Keep both sides: delete only the lines "
            "starting with <<<<<<<, ======= and >>>>>>>, then build again (deckbuilder sorts out "
            "the duplicates). To have git do this for you: "
            "echo 'deckbuilder.lock merge=union' >> .gitattributes",
            shown, text.count("\n", 0, marker.start()) + 1,
        )
    if text.startswith(_V1):
        return 1
    if not text.startswith(HEADER.split(" (")[0]):
        raise LockError("this is not a deckbuilder lock (its first line is not the lock's header); "
                        "restore it from git or delete it to start afresh", shown, 1)
    if not text.endswith(END + "\n"):
        raise LockError(
            "the lock is cut short (its last line is missing), so history would be lost; restore it "
            "from git (git checkout -- deckbuilder.lock), or delete it to start afresh", shown)
    return 2


def _well_formed(parts: list[str]) -> bool:
    shapes = {"project": (3,), "notetype": (4,), "note": (10, 12), "removed": (9, 10)}.get(parts[0], ())
    if len(parts) not in shapes:
        return False
    numbers = {"notetype": parts[3:4], "note": parts[3:5], "removed": parts[2:4] + parts[9:10]}.get(parts[0], [])
    if parts[0] == "note" and len(parts) == 12 and not re.fullmatch(r"-1|\d{1,9}", parts[11]):
        return False  # pos: a position in a list, -1 when unknown
    if not all(n.isascii() and n.isdigit() and int(n) < MAX_ID for n in numbers):
        return False
    if parts[0] in ("note", "removed"):
        note_kind = parts[7] if parts[0] == "note" else parts[6]
        return note_kind in _NOTE_KINDS and bool(parts[1]) and int(numbers[1]) > 0
    return True


def _add(lock: Lock, p: list[str], lines: list[tuple[bool, LockedNote]]) -> None:
    if p[0] == "project":
        lock.project, lock.root_deck = max((lock.project, lock.root_deck), (p[1], p[2]))
    elif p[0] == "notetype":
        new = (p[2], int(p[3]))
        lock.notetypes[p[1]] = max(lock.notetypes.get(p[1], new), new, key=lambda t: (t[1], t[0]))
    elif p[0] == "note":
        answer, pos = (p[10], int(p[11])) if len(p) == 12 else ("", -1)
        note = LockedNote(p[1], p[2], int(p[3]), int(p[4]), p[5], p[6], p[7], p[8], p[9], answer=answer, pos=pos)
        lock.notes[note.guid] = note
        lines.append((True, note))
    else:
        version = int(p[9]) if len(p) == 10 else 0
        note = LockedNote(p[1], "", int(p[2]), int(p[3]), p[4], p[5], p[6], p[7], p[8], tombstone=version)
        lock.removed[note.guid] = note
        lines.append((False, note))


def _resolve(lock: Lock, lines: list[tuple[bool, LockedNote]]) -> None:
    """What ``git merge`` of two locks gives, resolved the same whatever the order of the
    lines. One GUID on several lines keeps its newest time and lowest id (and the newest
    line's other columns); a note id used by two GUIDs stays with the lower GUID, and the
    others move past the highest id, in GUID order."""
    by_guid: dict[str, list[tuple[bool, LockedNote]]] = {}
    for line in lines:
        by_guid.setdefault(line[1].guid, []).append(line)
    merged: dict[str, tuple[bool, LockedNote]] = {}
    for guid, group in by_guid.items():
        live, newest = max(group, key=lambda e: (e[1].mod, e[0], e[1].digest, e[1].note_id, e[1]))
        merged[guid] = (live, replace(newest, note_id=min(n.note_id for _, n in group)))
    owner: dict[int, str] = {}
    for guid, (_, note) in sorted(merged.items(), key=lambda e: (e[1][1].note_id, e[0])):
        owner.setdefault(note.note_id, guid)
    next_id = max(owner, default=0) + ID_STRIDE
    lock.notes.clear()
    lock.removed.clear()
    for guid, (live, note) in merged.items():
        if owner[note.note_id] != guid:
            continue
        (lock.notes if live else lock.removed)[guid] = note
    for guid, (live, note) in sorted(merged.items()):
        if owner[note.note_id] != guid:
            (lock.notes if live else lock.removed)[guid] = replace(note, note_id=next_id)
            next_id += ID_STRIDE


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
            "\t".join(("note", escape(n.guid), n.digest, str(n.mod), str(n.note_id), escape(n.doc), escape(n.kind),
                       n.note_kind, escape(_clean(n.section)), escape(_clean(n.key)), n.answer, str(n.pos))) + "\n"
            for n in sorted(notes, key=lambda n: n.note_id)
        )
        for doc, notes in by_doc.items()
    }


def splice_lock(
    lock: Lock, old_text: str, kept: dict[str, tuple[int, int]]
) -> tuple[str, dict[str, tuple[int, int]]]:
    """The new lock's text, and where each guide's note block landed (by doc id). ``lock``
    holds the notes of the guides this build redid; the other guides' blocks are copied
    from ``old_text`` at the spans in ``kept`` (by doc id), as they were, never re-read."""
    blocks = {doc: old_text[start:end] for doc, (start, end) in kept.items()}
    blocks.update(note_blocks(lock))
    return compose_lock(lock, blocks)


def compose_lock(
    lock: Lock, blocks: dict[str, str]
) -> tuple[str, dict[str, tuple[int, int]]]:
    """The lock's text from the project line, note types, each guide's note block (by doc id)
    and the removed notes; with where each guide's block landed. Blocks of guides this build
    did not redo are copied from the old text as they were."""
    parts = [HEADER + "\n", f"project\t{escape(lock.project)}\t{escape(lock.root_deck)}\n"]
    for kind in sorted(lock.notetypes):
        digest, mod = lock.notetypes[kind]
        parts.append(f"notetype\t{kind}\t{digest}\t{mod}\n")
    at = sum(map(len, parts))
    spans = {}
    for doc in sorted(blocks):
        spans[doc] = (at, at + len(blocks[doc]))
        at += len(blocks[doc])
        parts.append(blocks[doc])
    for n in sorted(lock.removed.values(), key=lambda n: (n.doc, n.note_id)):
        columns = ("removed", escape(n.guid), str(n.mod), str(n.note_id), escape(n.doc), escape(n.kind),
                   n.note_kind, escape(_clean(n.section)), escape(_clean(n.key)), str(n.tombstone))
        parts.append("\t".join(columns) + "\n")
    parts.append(END + "\n")
    return "".join(parts), spans


def stage_lock(path: Path, text: str, old: str) -> str | None:
    """The new lock written beside the old one but not yet in its place (``publish`` moves
    it), so that the deck is replaced only once the lock is sure to follow; None when the
    content is unchanged (keeps mtimes and git quiet). ``old``: the text the build read."""
    if old == text and path.exists():
        return None
    try:
        return stage_text(path, text)
    except OSError as err:
        raise LockError(f"cannot write the lock file: {err.strerror}; nothing was changed", str(path)) from None


def publish_lock(staged: str, path: Path) -> None:
    """Move the staged lock into place (after the deck)."""
    try:
        publish(staged, path)
    except OSError as err:
        raise LockError(f"cannot replace the lock file: {err.strerror}; the next build puts deck and lock "
                        "back in step", str(path)) from None


def new_project_id(root_deck: str, doc_ids: list[str]) -> str:
    """Made once, when a project's first lock is written: random, except that with
    ``SOURCE_DATE_EPOCH`` set (a reproducible build) it is derived from that time, the deck
    and the guides, so the same sources give the same lock."""
    import hashlib
    import os
    import secrets

    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch:
        return secrets.token_hex(8)
    seed = "\0".join(["deckbuilder project", epoch, root_deck, *sorted(doc_ids)])
    return hashlib.sha256(seed.encode("utf-8", "surrogateescape")).hexdigest()[:16]


def check_deck(lock: Lock, deck_guids: set[str], target: str) -> None:
    """Refuse to replace a deck none of whose notes this lock knows: it is another
    project's (a lock with no notes yet may replace anything)."""
    known = lock.notes.keys() | lock.removed.keys()
    if known and deck_guids and not deck_guids & known:
        raise LockError(f"this deck's {len(deck_guids)} notes all belong to another project (the lock knows none "
                        "of them); write to another file with -o, or delete this one", target)


def check_owner(lock: Lock, root_deck: str, doc_ids: set[str], last_project: str, shown: str) -> None:
    """Refuse a lock that belongs to another project, before anything is written: its notes
    would otherwise become tombstones that replace that project's notes in Anki.
    ``last_project``: the project this folder's last build used ("" when unknown)."""
    adopt = "build once with --adopt-lock to make it this project's lock"
    if lock.project and last_project and lock.project != last_project:
        raise LockError(f"this lock belongs to another project (id {lock.project}; the last build here used "
                        f"{last_project}). Restore this project's lock from git, or {adopt}", shown)
    if lock.root_deck and lock.root_deck != root_deck:
        raise LockError(f"this lock was made for the deck {lock.root_deck!r}, but this build makes {root_deck!r}. "
                        f"If it is another project's lock, restore this project's own; if you renamed the deck, "
                        f"{adopt}", shown)
    docs = {n.doc for n in lock.notes.values()}
    if docs and not docs & doc_ids:
        sample = ", ".join(sorted(docs)[:3]) + (", ..." if len(docs) > 3 else "")
        raise LockError(f"none of the lock's {len(lock.notes)} notes come from these guides (it names {sample}): "
                        f"it looks like another project's lock. Restore this project's lock from git; if you "
                        f"renamed or replaced every guide on purpose, {adopt}", shown)
