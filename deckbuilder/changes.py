"""Reconcile this build's notes with the lock: who is new, changed, reworded or gone.

Anki updates a note on re-import only when the package's modification time is newer,
so a note keeps its old time while its rendered content is unchanged and gets a newer
one exactly when it changed. A note that the lock does not know by its GUID may
continue one the build no longer made (renamed heading or guide, a move, a rewording):
``matching`` pairs them across the whole deck and the new note keeps the old GUID, and
so its review history. Notes that disappeared travel on as tombstones tagged
``deckbuilder::removed``, which keep a deletion for every card they had.
"""

from __future__ import annotations

import gc
import html
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

from .card_html import template_ordinals
from .inert import neutralise
from .lockfile import Lock, LockedNote
from .matching import Side, match
from .model import FIELDS, NoteKind, ReconciledNote, RenderedNote
from .package import ID_STRIDE

REMOVED_TAG = "deckbuilder::removed"
REMOVED_DECK = "Removed"
STATES = ("added", "updated", "unchanged", "reworded", "moved", "removed")
TOMBSTONE_VERSION = 1  # 1: every card of a cloze keeps its deletion; the card says how to remove it
REMOVAL_ADVICE = (
    "This card left the guide. To remove such cards, search <code>tag:deckbuilder::removed</code> "
    "in Anki's Browse window, select all and delete; or run <code>deckbuilder sync --delete-removed</code>."
)


@dataclass
class Plan:
    """The notes to write (every candidate in order, then the tombstones), the new lock, and
    what changed: counts per guide, messages for the user, one event per changed note."""

    records: list[ReconciledNote]
    lock: Lock
    report: dict[str, Counter[str]] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)  # things the user should know
    events: list[tuple[str, str, str]] = field(default_factory=list)  # (state, doc, what) per note that changed

    def total(self) -> Counter[str]:
        out: Counter[str] = Counter()
        for counts in self.report.values():
            out.update(counts)
        return out


_KIND_NAMES = {kind: kind.value for kind in NoteKind}  # Enum.value is slow in a 100k-note loop
_DELETION = re.compile(r"\{\{c(\d+)::(.*?)(?:::[^}]*)?\}\}", re.DOTALL)


def reconcile(candidates: list[RenderedNote], lock: Lock, now: int, root_deck: str, reserved_id: int = 0) -> Plan:
    """``lock`` may hold only the notes of the guides in ``candidates`` (and every removed
    note); ``reserved_id`` is then the highest note id used by the other guides."""
    with _no_cycle_collection():
        return _reconcile(candidates, lock, now, root_deck, reserved_id)


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Reconciling makes a dozen small objects per note and no reference cycles, so reference
    counting frees them all; left on, the cycle collector would scan the whole build's heap
    again and again (at 100k notes, seconds)."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def _reconcile(candidates: list[RenderedNote], lock: Lock, now: int, root_deck: str, reserved_id: int) -> Plan:
    live = {c.guid for c in candidates}
    orphans = {g: n for g, n in lock.notes.items() if g not in live}
    answers = [c.answer for c in candidates]
    positions = _positions(candidates)
    continued, messages = _continuations(candidates, answers, positions, lock, orphans)
    report: dict[str, Counter[str]] = {}
    events: list[tuple[str, str, str]] = []
    records: list[ReconciledNote] = []
    new_lock = Lock(notetypes=dict(lock.notetypes))
    used_ids = [n.note_id for n in (*lock.notes.values(), *lock.removed.values())]
    next_id = max([now * 1000, reserved_id + ID_STRIDE, *(i + ID_STRIDE for i in used_ids)])
    moves: Counter[tuple[str, str, str, str]] = Counter()

    for due, cand in enumerate(candidates):
        counts = report.get(cand.doc)
        if counts is None:
            counts = report[cand.doc] = Counter()
        guid = cand.guid
        old = lock.notes.get(guid) or lock.removed.get(guid)
        state = "updated"
        if old is None:
            old, reworded = continued.get(due, (None, False))
            if old is None:
                state = "added"
                events.append(("added", cand.doc, repr(cand.key)))
            else:
                guid = old.guid
                del orphans[guid]
                state, event, move = _continuation(cand, old, reworded)
                events.append((state, cand.doc, event))
                if move:
                    moves[move] += 1
        rec = cand
        content = cand.digest
        if old is None:
            mod, note_id = now, next_id
            next_id += ID_STRIDE
        elif old.digest == content and guid in lock.notes:
            mod, note_id, state = old.mod, old.note_id, "unchanged"
        else:
            mod, note_id = max(now, old.mod + 1), old.note_id
        counts[state] += 1
        records.append(ReconciledNote(guid, rec.note_kind, rec.fields, rec.tags, rec.deck, note_id, mod, due,
                                      rec.cards))
        new_lock.notes[guid] = LockedNote(guid, content, mod, note_id, cand.doc, cand.kind,
                                          _KIND_NAMES[rec.note_kind], cand.section, cand.key, answers[due],
                                          positions[due])

    gone = list(orphans.values()) + [n for g, n in lock.removed.items() if g not in new_lock.notes]
    for old in sorted(gone, key=lambda n: (n.doc, n.note_id)):
        first_time = old.guid in orphans
        if first_time:
            report.setdefault(old.doc, Counter())["removed"] += 1
            events.append(("removed", old.doc, repr(old.key)))
        resent = first_time or old.tombstone < TOMBSTONE_VERSION
        mod = max(now, old.mod + 1) if resent else old.mod
        new_lock.removed[old.guid] = replace(old, digest="", mod=mod, answer="", pos=-1, tombstone=TOMBSTONE_VERSION)
        records.append(tombstone(old, mod, root_deck))
    return Plan(records, new_lock, report, _move_notes(moves, candidates) + messages, events)


def _positions(candidates: list[RenderedNote]) -> list[int]:
    """Each note's position among the notes of its kind in its section."""
    seen: Counter[tuple[str, str, str]] = Counter()
    out = []
    for cand in candidates:
        place = (cand.doc, cand.section, cand.kind)
        out.append(seen[place])
        seen[place] += 1
    return out


def _continuations(
    candidates: list[RenderedNote], answers: list[str], positions: list[int], lock: Lock,
    orphans: dict[str, LockedNote],
) -> tuple[dict[int, tuple[LockedNote, bool]], list[str]]:
    """Which new notes (by index) continue which orphan, and whether the front was
    reworded; and the likely pairs left apart."""
    if not orphans:  # nothing to continue (a first build): no side of any note is worth making
        return {}, []
    fresh = [i for i, c in enumerate(candidates) if c.guid not in lock.notes and c.guid not in lock.removed]
    gone = list(orphans.values())
    shared = {a for a, n in Counter(answers).items() if n > 1}  # a back many notes have says nothing
    new_sides = [Side(candidates[i].kind, candidates[i].doc, candidates[i].section, candidates[i].key,
                      "" if answers[i] in shared else answers[i], positions[i]) for i in fresh]
    old_sides = [Side(o.kind, o.doc, o.section, o.key, o.answer, o.pos) for o in gone]
    pairs, near = match(new_sides, old_sides, {c.doc for c in candidates})
    messages = [
        f"{candidates[fresh[p.new]].doc}: treated as new, though it resembles a removed card "
        f"({p.similarity:.0%} alike): {candidates[fresh[p.new]].key!r} vs {gone[p.old].key!r}"
        for p in sorted(near, key=lambda p: p.new)
    ]
    return {fresh[p.new]: (gone[p.old], p.similarity < 1) for p in pairs}, messages


def _continuation(
    cand: RenderedNote, old: LockedNote, reworded: bool
) -> tuple[str, str, tuple[str, str, str, str] | None]:
    """A continued note's state, what to list for it, and how it moved: (old doc, new doc,
    old section, new section), the sections only for a move within one guide."""
    move, where = None, ""
    if old.doc != cand.doc:
        move, where = (old.doc, cand.doc, "", ""), f" (from {old.doc})"
    elif old.section != cand.section:
        move, where = (old.doc, cand.doc, old.section, cand.section), f" (from section {old.section!r})"
    if reworded or move is None:
        return "reworded", f"{old.key!r} -> {cand.key!r}{where}", move
    return "moved", f"{cand.key!r}{where}", move


def _move_notes(moves: Counter[tuple[str, str, str, str]], candidates: list[RenderedNote]) -> list[str]:
    """One line per guide renamed, move between guides, or heading renamed: how many notes kept their history."""
    docs = {c.doc for c in candidates}
    sections = {(c.doc, c.section) for c in candidates}
    renamed: dict[str, tuple[int, str]] = {}  # a vanished guide -> where most of its notes went
    for (old_doc, new_doc, _, _), count in moves.items():
        if old_doc not in docs and old_doc != new_doc:
            renamed[old_doc] = max(renamed.get(old_doc, (0, "")), (count, new_doc))
    out = []
    for (old_doc, new_doc, old_section, new_section), count in sorted(moves.items()):
        kept = f"{count} note{'s' if count != 1 else ''} kept their history"
        if old_doc != new_doc:
            what = "a guide rename" if renamed.get(old_doc, (0, ""))[1] == new_doc else "a move between guides"
            out.append(f"{kept} across {what}: {old_doc} -> {new_doc}")
        else:
            what = "a move to another section" if (old_doc, old_section) in sections else "a heading rename"
            out.append(f"{kept} across {what} in {new_doc}: {old_section!r} -> {new_section!r}")
    return out


def tombstone(old: LockedNote, mod: int, root_deck: str) -> ReconciledNote:
    """A note that tells the learner it left the guide and how to remove such cards; found
    in Anki with ``tag:deckbuilder::removed``. A cloze keeps a deletion for each card it
    had, so none of its cards shows Anki's "no cloze found" error."""
    kind = NoteKind(old.note_kind)
    shown = cloze_tombstone(old.key) if kind is NoteKind.CLOZE else html.escape(old.key)
    fields = dict.fromkeys(FIELDS[kind], "")
    fields[FIELDS[kind][0]] = f"Removed from the guide: {shown}"
    fields["Extra"] = REMOVAL_ADVICE
    shown_fields = neutralise(tuple(fields.values()))  # the key is guide text: no [sound:] or MathJax
    return ReconciledNote(
        guid=old.guid,
        note_kind=kind,
        fields=shown_fields,
        tags=(REMOVED_TAG,),
        deck=f"{root_deck}::{REMOVED_DECK}",
        note_id=old.note_id,
        mod=mod,
        due=0,
        cards=template_ordinals(kind is NoteKind.CLOZE, shown_fields[0]),
    )


def cloze_tombstone(key: str) -> str:
    """The cloze text with its deletions kept (hints dropped), and one more for every card
    number below the highest that the text lacks: the note's cards are numbers 1..N."""
    numbers = set()
    parts = []
    at = 0
    for found in _DELETION.finditer(key):
        numbers.add(int(found[1]))
        parts.append(html.escape(key[at:found.start()]))
        parts.append("{{c%s::%s}}" % (found[1], html.escape(found[2].replace("::", " "))))
        at = found.end()
    parts.append(html.escape(key[at:].replace("{{", "").replace("}}", "").replace("::", " ")))
    missing = [n for n in range(1, max(numbers, default=1) + 1) if n not in numbers]
    parts += [" {{c%d::…}}" % n for n in missing]
    return "".join(parts)


def notetype_mods(digests: dict[NoteKind, str], lock: Lock, now: int) -> dict[NoteKind, int]:
    """A note type's time moves only when its templates or CSS change; records the new state."""
    mods = {}
    for kind, dig in digests.items():
        old = lock.notetypes.get(kind.value)
        mods[kind] = old[1] if old and old[0] == dig else max(now, (old[1] + 1) if old else now)
        lock.notetypes[kind.value] = (dig, mods[kind])
    return mods
