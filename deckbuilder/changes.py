"""Reconcile this build's notes with the lock: who is new, changed, reworded or gone.

Anki updates a note on re-import only when the package's modification time is newer,
so a note keeps its old time while its rendered content is unchanged and gets a newer
one exactly when it changed. A note whose identity text was reworded (same document,
kind and section, very similar text) keeps its GUID and so its review history. Notes
that disappeared travel on as tombstones tagged ``deckbuilder::removed``.
"""

from __future__ import annotations

import hashlib
import html
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from difflib import SequenceMatcher

from .identity import normalise
from .inert import neutralise
from .lockfile import Lock, LockedNote
from .model import NoteKind
from .package import ID_STRIDE, NoteRecord
from .render import FIELDS

REWORDED = 0.8  # similarity at or above which a changed front is the same card, reworded
UNSURE = 0.55  # between this and REWORDED we treat it as new, and say so
REMOVED_TAG = "deckbuilder::removed"
REMOVED_DECK = "Removed"
STATES = ("added", "updated", "unchanged", "reworded", "removed")


@dataclass(frozen=True)
class Candidate:
    """A note as this build renders it, before it has a modification time or id."""

    record: NoteRecord  # due, mod and note_id still 0
    doc: str
    kind: str
    section: str
    key: str  # the identity text as written (front), for rewording and tombstones
    where: str = ""  # source file:line


@dataclass
class Plan:
    records: list[NoteRecord]
    lock: Lock
    report: dict[str, Counter[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # things the user should know

    def total(self) -> Counter[str]:
        out: Counter[str] = Counter()
        for counts in self.report.values():
            out.update(counts)
        return out


_KIND_NAMES = {kind: kind.value for kind in NoteKind}  # Enum.value is slow in a 100k-note loop


def digest(record: NoteRecord) -> str:
    text = "\x1e".join((_KIND_NAMES[record.note_kind], *record.fields, " ".join(record.tags), record.deck))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


def similarity(a: str, b: str) -> float:
    return SequenceMatcher(None, normalise(a).split(), normalise(b).split()).ratio()


def reconcile(candidates: list[Candidate], lock: Lock, now: int, root_deck: str, reserved_id: int = 0) -> Plan:
    """``lock`` may hold only the notes of the guides in ``candidates`` (and every removed
    note); ``reserved_id`` is then the highest note id used by the other guides."""
    live = {c.record.guid for c in candidates}
    orphans = {g: n for g, n in lock.notes.items() if g not in live}
    places: dict[tuple[str, str, str], list[LockedNote]] = {}  # where a reworded card could come from
    for orphan in orphans.values():
        places.setdefault((orphan.doc, orphan.kind, orphan.section), []).append(orphan)
    report: dict[str, Counter[str]] = {}
    notes: list[str] = []
    records: list[NoteRecord] = []
    new_lock = Lock(notetypes=dict(lock.notetypes))
    used_ids = [n.note_id for n in (*lock.notes.values(), *lock.removed.values())]
    next_id = max([now * 1000, reserved_id + ID_STRIDE, *(i + ID_STRIDE for i in used_ids)])

    for due, cand in enumerate(candidates):
        counts = report.get(cand.doc)
        if counts is None:
            counts = report[cand.doc] = Counter()
        guid = cand.record.guid
        old = lock.notes.get(guid) or lock.removed.get(guid)
        state = "updated"
        if old is None:
            match, score = _closest(cand, places.get((cand.doc, cand.kind, cand.section), ()), orphans)
            if match is not None and score >= REWORDED and match.guid not in live:
                old, guid, state = match, match.guid, "reworded"
                del orphans[match.guid]
            else:
                if match is not None and score >= UNSURE:
                    notes.append(
                        f"{cand.doc}: treated as new, though it resembles a removed card "
                        f"({score:.0%} alike): {cand.key!r} vs {match.key!r}"
                    )
                state = "added"
        rec = cand.record
        content = digest(rec)
        if old is None:
            mod, note_id = now, next_id
            next_id += ID_STRIDE
        elif old.digest == content and guid in lock.notes:
            mod, note_id, state = old.mod, old.note_id, "unchanged"
        else:
            mod, note_id = max(now, old.mod + 1), old.note_id
        counts[state] += 1
        records.append(NoteRecord(guid, rec.note_kind, rec.fields, rec.tags, rec.deck, due, mod, note_id))
        new_lock.notes[guid] = LockedNote(
            guid, content, mod, note_id, cand.doc, cand.kind, _KIND_NAMES[rec.note_kind], cand.section, cand.key
        )

    gone = list(orphans.values()) + [n for g, n in lock.removed.items() if g not in new_lock.notes]
    for old in sorted(gone, key=lambda n: (n.doc, n.note_id)):
        first_time = old.guid in orphans
        if first_time:
            report.setdefault(old.doc, Counter())["removed"] += 1
        mod = max(now, old.mod + 1) if first_time else old.mod
        new_lock.removed[old.guid] = replace(old, digest="", mod=mod)
        records.append(tombstone(old, mod, root_deck))
    return Plan(records, new_lock, report, notes)


def _closest(
    cand: Candidate, place: Iterable[LockedNote], orphans: dict[str, LockedNote]
) -> tuple[LockedNote | None, float]:
    """The most similar orphan from the same document, kind and section, not yet claimed."""
    best, best_score = None, 0.0
    for old in place:
        if old.guid not in orphans:
            continue
        score = similarity(cand.key, old.key)
        if score > best_score:
            best, best_score = old, score
    return best, best_score


def tombstone(old: LockedNote, mod: int, root_deck: str) -> NoteRecord:
    """A note that tells the learner it left the guide; found in Anki with ``tag:deckbuilder::removed``."""
    kind = NoteKind(old.note_kind)
    text = html.escape(old.key.replace("{{", "").replace("}}", "").replace("::", " "))
    shown = "{{c1::%s}}" % text if kind is NoteKind.CLOZE else text
    first = f"Removed from the guide: {shown}"
    fields = neutralise((first,) + ("",) * (len(FIELDS[kind]) - 1))
    return NoteRecord(
        guid=old.guid,
        note_kind=kind,
        fields=fields,
        tags=(REMOVED_TAG,),
        deck=f"{root_deck}::{REMOVED_DECK}",
        due=0,
        mod=mod,
        note_id=old.note_id,
    )


def notetype_mods(digests: dict[NoteKind, str], lock: Lock, now: int) -> dict[NoteKind, int]:
    """A note type's time moves only when its templates or CSS change; records the new state."""
    mods = {}
    for kind, dig in digests.items():
        old = lock.notetypes.get(kind.value)
        mods[kind] = old[1] if old and old[0] == dig else max(now, (old[1] + 1) if old else now)
        lock.notetypes[kind.value] = (dig, mods[kind])
    return mods
