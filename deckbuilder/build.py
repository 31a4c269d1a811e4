"""The whole pipeline on one screen.

``build`` reads like the diagram: the fast path (nothing changed: stop), plan (which guides
to redo, and redo them: read -> sections -> extract -> render, per guide, in ``documents``),
reconcile (with the lock: ids, times, tombstones, in ``changes``), write (the cache
database, the deck from it, then the lock). Each step is one function below, with a
docstring that says what it may assume and what it leaves.
"""

from __future__ import annotations

import itertools
import os
import sqlite3
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Union

from .atomic import discard, sweep
from .cache import CACHE_DIR, Manifest, warnings_from_json
from .changes import Plan, notetype_mods, reconcile
from .config import Config
from .documents import (
    Source,
    candidate_groups,
    config_fingerprint,
    distinct_decks,
    gather,
    process_sources,
    read_sources,
    require_cards,
    respell,
    story_sources,
    with_deck,
)
from .errors import OutputError
from .faults import point
from .lockfile import (
    LOCK_NAME,
    Lock,
    check_deck,
    check_owner,
    new_project_id,
    outer_spans,
    parse_lock,
    publish_lock,
    read_lock_text,
    splice_lock,
    stage_lock,
)
from .model import Guide, NoteKind, ReconciledNote, SourceWarning
from .notetypes import load_templates
from .package import deck_guids, write_apkg
from .pool import Progress
from .store import Store

if TYPE_CHECKING:
    from concurrent.futures import Future


@dataclass
class BuildSummary:
    """What a build reports, as plain data (it is stored for the no-change fast path)."""

    documents: list[tuple[str, str, dict[str, int]]]  # (path, doc id, notes per note kind)
    changes: dict[str, dict[str, int]]  # doc id -> added/updated/... counts
    messages: list[str]  # things the user should know about the changes
    note_count: int  # notes in the package, tombstones included
    tombstones: int
    warnings: list[SourceWarning]  # about the sources (encoding repaired, no material), shown again each build
    events: list[tuple[str, str, str]] = field(default_factory=list)  # (state, doc, what): each note that changed

    def total(self) -> Counter[str]:
        out: Counter[str] = Counter()
        for counts in self.changes.values():
            out.update(counts)
        return out

    @classmethod
    def of(cls, guides: list[Guide], plan: Plan, tombstones: int,
           deck_warnings: list[SourceWarning]) -> BuildSummary:
        """``guides``: every guide; ``plan``: what the redone ones changed; ``deck_warnings``:
        guides whose decks had to be told apart."""
        changes = {}
        for d in guides:
            if not d.redone:
                changes[d.doc_id] = {"unchanged": d.note_count} if d.note_count else {}
            elif d.doc_id in plan.report:
                changes[d.doc_id] = dict(plan.report[d.doc_id])
        for doc, counts in plan.report.items():
            changes.setdefault(doc, dict(counts))
        live = sum(d.note_count for d in guides)
        return cls([(d.path, d.doc_id, dict(d.counts)) for d in guides], {k: v for k, v in changes.items() if v},
                   list(plan.messages), live + tombstones, tombstones,
                   [w for d in guides for w in d.warnings] + deck_warnings, list(plan.events))

    @classmethod
    def stored(cls, data: dict[str, Any]) -> BuildSummary:
        """The summary the manifest kept, for a build that changed nothing: every note unchanged."""
        warnings = warnings_from_json([[w["path"], w["line"], w["message"], w["kind"]] for w in data["warnings"]])
        unchanged = {doc: {"unchanged": sum(counts.values())} for _, doc, counts in data["documents"]}
        return cls(**{**data, "changes": unchanged, "messages": [], "events": [], "warnings": list(warnings)})


@dataclass
class BuildResult:
    summary: BuildSummary
    output: Path
    redone: list[str]  # the guides this build redid (by path); the others were kept as the store had them


def build_timestamp() -> int:
    """"Now" for notes that change in this build: ``SOURCE_DATE_EPOCH`` when set."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return int(epoch) if epoch.isdigit() else int(time.time())


def default_workers() -> int:
    return max(1, min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1, 8))


def source_folder(paths: list[Path]) -> Path:
    """Where the lock and config live: the first folder given, or the first file's folder."""
    first = paths[0]
    return first if first.is_dir() else first.parent


def output_file(out: Path, config: Config) -> Path:
    return out if out.suffix.lower() == ".apkg" else out / config.output


@dataclass(frozen=True)
class Inputs:
    """What a build is asked to do, settled before anything is read."""

    paths: list[Path]
    out: Path  # as given: an .apkg, or a folder for one
    target: Path  # the .apkg to write
    folder: Path  # where the lock, settings and cache live
    files: list[tuple[Path, Path]]  # (markdown file, its root), in order
    fingerprint: str  # of the settings and deckbuilder's own code
    templates: dict[NoteKind, str]  # each note type's template digest
    config: Config

    @property
    def lock_file(self) -> Path:
        return self.folder / LOCK_NAME


def build(
    paths: list[Path],
    out: Path,
    *,
    config: Config | None = None,
    dry_run: bool = False,
    use_cache: bool = True,
    workers: int | None = None,
    adopt_lock: bool = False,
    progress: Progress | None = None,
) -> BuildResult:
    """Build one ``.apkg`` from ``paths`` into ``out`` (an .apkg file, or a folder).

    When nothing that feeds the build has changed since the last one, the stored report is
    returned and nothing is redone. Otherwise only the guides whose bytes changed are
    redone; every other guide's notes, cards and lock lines are kept as the last build left
    them. A lock that this folder's last build did not write is checked first: another
    project's is refused (``adopt_lock`` takes it over). The deck and the lock are replaced
    together or not at all; a dry run reads the cache and writes nothing. ``progress``
    hears of each guide read (for a progress bar).
    """
    config = config or Config()
    inputs = gather_inputs(paths, out, config)
    with Store.open(inputs.folder / CACHE_DIR if use_cache else None, writable=not dry_run) as store:
        manifest = Manifest(store.manifest(), inputs.folder)
        # the files' state *before* they are read: a save during the build makes the next one redo it
        # issue 14: a story's whole text, as it was read (only what questions show is in the fingerprint)
        bank = inputs.config.bank.digest() if inputs.config.bank else ""
        state = manifest.inputs(inputs.files, inputs.lock_file, inputs.fingerprint + bank, inputs.templates,
                                inputs.target)
        unchanged = fast_path(manifest, state, inputs.target)
        if unchanged is not None:
            return unchanged
        store.check_rows()  # beside the build, from now until ``plan`` needs to know (``Store.trusted``)
        work = plan(inputs, store, manifest, workers or default_workers(), adopt_lock, write_cache=not dry_run,
                    progress=progress)
        outcome = reconcile_guides(work, inputs, adopt_lock)
        del work  # the guides' notes now live in the outcome; let the rest go before writing
        if not dry_run:
            write(outcome, inputs, store, manifest, state)
        return outcome.result


def gather_inputs(paths: list[Path], out: Path, config: Config) -> Inputs:
    """The files to build and everything else a build depends on but the files' bytes."""
    templates = {kind: load_templates(kind, config.templates).digest for kind in NoteKind}
    return Inputs(paths, out, output_file(out, config), source_folder(paths), gather(paths),
                  config_fingerprint(config), templates, config)


def fast_path(manifest: Manifest, state: str, target: Path) -> BuildResult | None:
    """When the last build here read exactly this ``state`` (same files, sizes and times,
    settings, templates, lock and code) and the deck it wrote is still there, its stored
    report, its warnings said again: the output would be identical. Otherwise None."""
    stored = manifest.unchanged(state, target)
    if stored is None:
        return None
    return BuildResult(BuildSummary.stored(stored), target, [])


@dataclass(frozen=True)
class Work:
    """What a build must redo: every guide in order, kept or redone, and the lock they need."""

    lock_text: str  # the lock file as read
    guides: list[Guide]  # in source order, kept or redone; skipped guides left out
    lock: Lock  # the notes of the redone and vanished guides, every removed note, the note types
    reserved_id: int  # the highest note id of the kept guides
    entries: dict[str, bytes]  # the cache entries made by this build, by key
    keys: set[str]  # the cache keys of every file read (their entries are kept)
    deck_warnings: list[SourceWarning]  # two guides with one title: decks named after their files
    seen: dict[str, str]  # each file as this build saw it before reading it (``Source.seen``), by file


def plan(
    inputs: Inputs, store: Store, manifest: Manifest, workers: int, adopt_lock: bool, *, write_cache: bool,
    progress: Progress | None = None,
) -> Work:
    """Read the lock and every guide's bytes; refuse another project's lock; then redo the
    guides whose cache key changed and keep the rest as the store has them. Everything is
    redone when the store does not go with this lock, when its rows fail their check, when
    two guides share a doc id, or when a kept note's card ids spilled."""
    lock_text = read_lock_text(inputs.lock_file)
    last = store.documents() if manifest.vouches_for(lock_text) else {}  # their rows are still being checked
    work = _plan(inputs, store, manifest, lock_text, last, workers, adopt_lock, write_cache, progress)
    if last and not store.trusted():  # a kept guide's rows do not match their seal: keep nothing
        work = _plan(inputs, store, manifest, lock_text, {}, workers, adopt_lock, write_cache, progress)
    return work


def _plan(
    inputs: Inputs, store: Store, manifest: Manifest, lock_text: str, last: dict[str, Guide], workers: int,
    adopt_lock: bool, write_cache: bool, progress: Progress | None,
) -> Work:
    """``plan`` with the last build's guides (``last``, by file) as the store has them."""
    config = inputs.config
    known = {file: (store.seen.get(file, ""), guide.key) for file, guide in last.items()}
    sources = read_sources(inputs.files, inputs.fingerprint, known)  # the bytes read here are the ones built
    sources += story_sources(config, inputs.fingerprint)  # issue 14: the story bank, one more document
    # a lock this folder's last build did not write is read whole, and its notes checked too
    whole_lock = None if last else parse_lock(lock_text, str(inputs.lock_file))
    if not adopt_lock:
        _refuse_foreign(lock_text, whole_lock, inputs, {s.doc_id for s in sources}, manifest)
    paths_by_id: dict[str, set[str]] = {}
    for doc, file in [(s.doc_id, s.file) for s in sources] + [(k.doc_id, f) for f, k in last.items()]:
        paths_by_id.setdefault(doc, set()).add(file)
    whole = not last or store.spills() or any(len(p) > 1 for p in paths_by_id.values())
    keep = {} if whole else {s.file: _respelt(last[s.file], str(s.path)) for s in sources
                              if s.file in last and last[s.file].key == s.key}
    keys = {s.key for s in sources}
    seen = {s.file: s.seen for s in sources}

    def redo(todo: list[Source]) -> tuple[list[Guide | None], dict[str, bytes]]:
        unread = [(s.path, s.root) for s in todo if s.unread]  # a kept guide whose deck moves, say
        fresh = iter(read_sources(unread, inputs.fingerprint) if unread else [])
        todo = [next(fresh) if s.unread else s for s in todo]
        keys.update(s.key for s in todo)
        seen.update((s.file, s.seen) for s in todo)
        return process_sources(todo, config, entries=store.entry, workers=workers, pack=write_cache,
                               progress=progress)

    present, deck_warnings, entries = settle_decks(sources, keep, redo)
    del sources  # the sources' bytes are let go once built
    require_cards(present, ", ".join(sorted({str(root) for _, root in inputs.files})))
    if whole:
        return Work(lock_text, present, whole_lock or parse_lock(lock_text, str(inputs.lock_file)), 0, entries, keys,
                    deck_warnings, seen)
    # only the lock lines of the guides redone here (or gone), around the header and removed notes
    spans = outer_spans(lock_text) + [k.lock_span for file, k in last.items() if file not in keep]
    return Work(lock_text, present, parse_lock(lock_text, str(inputs.lock_file), spans, vouched=True),
                store.max_note_id(), entries, keys, deck_warnings, seen)


Redo = Callable[[list[Source]], tuple[list[Union[Guide, None]], dict[str, bytes]]]


def settle_decks(
    sources: list[Source], keep: dict[str, Guide], redo: Redo,
) -> tuple[list[Guide], list[SourceWarning], dict[str, bytes]]:
    """Every guide in source order (skipped ones left out), each in its final deck; the
    warnings about decks; the cache entries made. Two guides with one title get decks named after their files; so a
    guide redone here can move a kept guide's deck (a clash appears or goes), and a kept
    guide whose deck moves is redone too, until no deck moves."""
    built: dict[str, Guide | None] = {}
    entries: dict[str, bytes] = {}
    while True:
        todo = [s for s in sources if s.file not in keep and s.file not in built]
        done, packed = redo(todo)
        entries.update(packed)
        built.update(zip((s.file for s in todo), done, strict=True))
        docs = [keep.get(s.file) or built[s.file] for s in sources]
        present = [d for d in docs if d is not None]
        decks, deck_warnings = distinct_decks([(d.path, d.rel, d.title, d.base_deck) for d in present])
        moved = [d.file for d, deck in zip(present, decks, strict=True) if not d.redone and deck != d.deck]
        if not moved:
            break
        for file in moved:
            del keep[file]
    return [with_deck(d, deck) for d, deck in zip(present, decks, strict=True)], deck_warnings, entries


def _respelt(doc: Guide, shown: str) -> Guide:
    """A kept guide named the way it is given this time (its warnings too)."""
    if doc.path == shown:
        return doc
    return replace(doc, path=shown, warnings=respell(doc.warnings, doc.path, shown))


def _refuse_foreign(
    lock_text: str, whole_lock: Lock | None, inputs: Inputs, doc_ids: set[str], manifest: Manifest,
) -> None:
    """Before anything is written: the lock must be this project's (``check_owner``), and an
    existing deck that this folder's last build did not write must not be another project's
    (``check_deck``). A trusted store means this folder wrote the lock: only its project line
    is read then."""
    shown = str(inputs.lock_file)
    owner = whole_lock or parse_lock(lock_text, shown, outer_spans(lock_text)[:1], vouched=True)
    check_owner(owner, inputs.config.root_deck, doc_ids, manifest.project(), shown)
    if inputs.target.exists() and not manifest.wrote(inputs.target):
        check_deck(whole_lock or parse_lock(lock_text, shown), deck_guids(inputs.target), str(inputs.target))


@dataclass
class Outcome:
    """A reconciled build, ready to write: every guide as the store will keep it, the redone
    guides' notes (by file), the tombstones, the new lock (the kept guides' lines still in
    ``lock_text`` at ``kept_spans``, by doc id), the note types' times, the new cache
    entries and the report."""

    guides: list[Guide]
    reconciled: dict[str, list[ReconciledNote]]  # the redone guides' notes, by file
    tombstones: list[ReconciledNote]
    lock: Lock
    lock_text: str
    kept_spans: dict[str, tuple[int, int]]
    model_mods: dict[NoteKind, int]
    entries: dict[str, bytes]
    keys: set[str]
    seen: dict[str, str]
    result: BuildResult


def reconcile_guides(work: Work, inputs: Inputs, adopt_lock: bool) -> Outcome:
    """Reconcile the redone guides' notes with the lock (``changes.reconcile``): who is new,
    changed, reworded, moved or gone; their ids and times; the tombstones. The kept guides
    are not looked at: their notes and lock lines stay as they are."""
    now = build_timestamp()
    root_deck = inputs.config.root_deck
    groups, repeats = candidate_groups(work.guides)
    changes = reconcile([c for _, cands in groups for c in cands], work.lock, now, root_deck, work.reserved_id)
    records = iter(changes.records)
    reconciled: dict[str, list[ReconciledNote]] = {}
    for built, cands in groups:
        reconciled[built.file] = [next(records) for _ in cands]
    tombstones = list(records)
    # a redone guide's rendered notes are let go (they live on reconciled); it stays ``redone``
    guides = [replace(d, notes=(), note_count=len(reconciled[d.file])) if d.redone else d for d in work.guides]
    model_mods = notetype_mods(inputs.templates, changes.lock, now)
    changes.lock.project = ("" if adopt_lock else work.lock.project) or new_project_id(
        root_deck, [d.doc_id for d in guides])
    changes.lock.root_deck = root_deck
    summary = BuildSummary.of(guides, changes, len(tombstones), work.deck_warnings + repeats)
    result = BuildResult(summary, inputs.target, [d.path for d in guides if d.redone])
    kept_spans = {d.doc_id: d.lock_span for d in guides if not d.redone}
    return Outcome(guides, reconciled, tombstones, changes.lock, work.lock_text, kept_spans, model_mods,
                   work.entries, work.keys, work.seen, result)


def _write_store(store: Store, guides: list[Guide], outcome: Outcome, pending: bytes) -> None:
    try:
        store.replace(guides, outcome.reconciled, outcome.tombstones, entries=outcome.entries, live=outcome.keys,
                      seen=outcome.seen, manifest=pending)
    except sqlite3.Error as err:
        raise OutputError(f"cannot write the build store: {err}; free some space, or build with "
                          "--no-cache", str(store.path)) from None


def _staged(staging: Future[str | None]) -> str | None:
    """The staged lock's path once its thread is done; None when it wrote nothing."""
    try:
        return staging.result()
    except Exception:
        return None  # (``stage_lock`` leaves nothing behind when it fails)


def write(outcome: Outcome, inputs: Inputs, store: Store, manifest: Manifest, state: str) -> None:
    """The new lock's text, spliced from the kept guides' old lines and the redone ones';
    then, in this order: the cache database (one transaction: rows, entries, a manifest
    naming the new lock), the deck from its rows, the lock beside the deck, and the
    manifest's note of the deck written. A crash anywhere leaves a state the next build
    recovers from byte for byte (``tests/test_faults.py``). The lock is written beside the
    old one meanwhile, and put in place after the deck."""
    from concurrent.futures import ThreadPoolExecutor

    target, lock_file = inputs.target, inputs.lock_file
    if target.parent == inputs.out and not inputs.out.exists():
        try:
            inputs.out.mkdir(parents=True)
        except OSError as err:
            raise OutputError(f"cannot create the output folder: {err.strerror}", str(inputs.out)) from None
    new_lock, spans = splice_lock(outcome.lock, outcome.lock_text, outcome.kept_spans)
    guides = [replace(d, lock_span=spans.get(d.doc_id, (0, 0))) for d in outcome.guides]
    # until the deck is in place, the manifest vouches only for the store (no report, no fast path)
    pending = manifest.record(state, None, None, lock=new_lock, project=outcome.lock.project)
    sweep(lock_file)
    sweep(target)
    # the new lock is written beside the old one in a thread while the store and the deck are
    # written (SQLite lets go of the GIL: at 1,000 guides the 19 MB lock costs no time then),
    # and the deck replaces the old one only once the lock is sure to follow it
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="deckbuilder-lock") as thread:
        staging = thread.submit(stage_lock, lock_file, new_lock, old=outcome.lock_text)
        try:
            _write_store(store, guides, outcome, pending)
            point("store-written")
            offsets = dict(zip((d.file for d in guides),
                               itertools.accumulate((d.note_count for d in guides), initial=0),
                               strict=False))  # the running total has one more entry than there are guides
            decks = {d.deck for d in guides if d.note_count} | {r.deck for r in outcome.tombstones}
            zip_time = max([*outcome.model_mods.values(), store.max_mod()])
            pieces = write_apkg(store, offsets, decks, target, model_mods=outcome.model_mods, zip_time=zip_time,
                                template_override=inputs.config.templates, written=manifest.written(target),
                                ready=staging.result)
            point("deck-written")
            staged = staging.result()
            if staged is not None:
                publish_lock(staged, lock_file)
        finally:
            discard(_staged(staging))
    point("lock-written")
    if store.lasting:
        store.set_manifest(manifest.record(Manifest.with_lock(state, lock_file), target, outcome.result.summary,
                                           lock=new_lock, project=outcome.lock.project, pieces=pieces))
