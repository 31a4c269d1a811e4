"""The whole pipeline on one screen.

gather -> read -> sections -> extract -> render (``documents``, per guide, only for the
guides whose bytes changed) -> reconcile with the lock (``changes``) -> keep in the store
(``store``) -> package (``package``) and lock (``lockfile``).
"""

from __future__ import annotations

import itertools
import os
import sqlite3
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

from .atomic import discard, sweep
from .cache import CACHE_DIR, Manifest
from .changes import Plan, notetype_mods, reconcile
from .config import Config
from .documents import (
    BuiltDocument,
    Source,
    candidate_groups,
    config_fingerprint,
    distinct_decks,
    gather,
    process_sources,
    read_sources,
    require_cards,
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
    compose_lock,
    new_project_id,
    note_blocks,
    outer_spans,
    parse_lock,
    publish_lock,
    read_lock_text,
    stage_lock,
)
from .model import NoteKind, SourceWarning
from .notetypes import load_templates
from .package import NoteRecord, deck_guids, write_apkg
from .pool import Progress
from .store import KeptDocument, Store


@dataclass
class BuildSummary:
    """What a build reports, as plain data (it is stored for the no-change fast path)."""

    documents: list[tuple[str, str, dict[str, int]]]  # (path, doc id, notes per note kind)
    changes: dict[str, dict[str, int]]  # doc id -> added/updated/... counts
    messages: list[str]  # things the user should know about the changes
    note_count: int  # notes in the package, tombstones included
    tombstones: int
    warnings: list[SourceWarning]  # about the sources, shown (and counted) again on every build
    events: list[tuple[str, str, str]] = field(default_factory=list)  # (state, doc, what): each note that changed

    def total(self) -> Counter[str]:
        out: Counter[str] = Counter()
        for counts in self.changes.values():
            out.update(counts)
        return out

    @classmethod
    def of(cls, docs: list[KeptDocument], plan: Plan, redone: frozenset[str], tombstones: int,
           deck_warnings: tuple[SourceWarning, ...] = ()) -> BuildSummary:
        """``docs``: every guide; ``plan``: what the guides in ``redone`` (by path) changed;
        ``deck_warnings``: guides whose decks had to be told apart."""
        changes = {}
        for d in docs:
            if d.path not in redone:
                changes[d.doc_id] = {"unchanged": d.notes} if d.notes else {}
            elif d.doc_id in plan.report:
                changes[d.doc_id] = dict(plan.report[d.doc_id])
        for doc, counts in plan.report.items():
            changes.setdefault(doc, dict(counts))
        live = sum(d.notes for d in docs)
        return cls([(d.path, d.doc_id, d.counts) for d in docs], {k: v for k, v in changes.items() if v},
                   list(plan.notes), live + tombstones, tombstones,
                   [w for d in docs for w in d.warnings] + list(deck_warnings), list(plan.events))


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

    When nothing that feeds the build has changed since the last one (same files, sizes
    and times, settings, templates, lock and code) and the deck it wrote is still there,
    the stored report is returned and nothing is redone: the output would be identical.
    A lock that this folder's last build did not write is checked first: another project's
    is refused (``adopt_lock`` takes it over). Otherwise only the guides whose bytes changed
    are redone (see ``store``); every other guide's notes, cards and lock lines are kept as
    the last build left them. The deck and the lock are replaced together or not at all.
    ``progress`` hears of each guide read (for a progress bar).
    """
    config = config or Config()
    folder = source_folder(paths)
    target = output_file(out, config)
    lock_file = folder / LOCK_NAME
    digests = {kind: load_templates(kind, config.templates).digest for kind in NoteKind}
    cache_root = folder / CACHE_DIR if use_cache else None
    manifest = Manifest(cache_root)
    files, fingerprint = gather(paths), config_fingerprint(config)
    # the files' state *before* they are read: a save during the build makes the next one redo it
    # issue 14: a story's whole text, as it was read (only what questions show is in the fingerprint)
    inputs = manifest.inputs(files, lock_file, fingerprint + (config.bank.digest() if config.bank else ""),
                             digests, target)
    stored = manifest.unchanged(inputs, target)
    if stored is not None:
        unchanged = {doc: {"unchanged": sum(counts.values())} for _, doc, counts in stored["documents"]}
        warnings = [SourceWarning(**w) for w in stored["warnings"]]
        return BuildResult(BuildSummary(**{**stored, "changes": unchanged, "messages": [], "events": [],
                                           "warnings": warnings}), target, [])
    lock_text = read_lock_text(lock_file)
    sources = read_sources(files, fingerprint)  # the bytes read here are the ones built (their hash is the key)
    sources += story_sources(config, fingerprint)  # issue 14: the story bank, one more document
    trusted = manifest.trusted_store(lock_text)
    # a lock this folder's last build did not write is read whole, and its notes checked too
    whole_lock = None if trusted else parse_lock(lock_text, str(lock_file))
    if not adopt_lock:
        _refuse_foreign(lock_text, whole_lock, lock_file, config.root_deck, {s.doc_id for s in sources},
                        manifest, target)
    # a dry run reads the caches but writes nothing
    with Store.open(cache_root, trusted, writable=not dry_run) as store:
        work = _plan(sources, store, lock_text, str(lock_file), config, cache_root,
                     workers or default_workers(), not dry_run, whole_lock, progress)
        del sources  # the sources' bytes are let go once planned
        now = build_timestamp()
        kept, redone, tombstones, plan = _settle(work, now, config.root_deck)
        model_mods = notetype_mods(digests, plan.lock, now)
        summary = BuildSummary.of(kept, plan, work.redone_paths, len(tombstones), work.deck_warnings)
        result = BuildResult(summary, target, [d.path for d in work.redone])
        if dry_run:
            return result
        redone_paths = work.redone_paths
        plan.lock.project = ("" if adopt_lock else work.lock.project) or new_project_id(
            config.root_deck, [d.doc_id for d in kept])
        plan.lock.root_deck = config.root_deck
        del work  # the guides' notes now live in the records; let the rest go before writing
        if target.parent == out and not out.exists():
            try:
                out.mkdir(parents=True)
            except OSError as err:
                raise OutputError(f"cannot create the output folder: {err.strerror}", str(out)) from None
        blocks = {d.doc_id: lock_text[slice(*d.lock_span)] for d in kept if d.path not in redone_paths}
        blocks.update(note_blocks(plan.lock))
        new_lock, spans = compose_lock(plan.lock, blocks)
        project = plan.lock.project
        del blocks, plan
        kept = [replace(d, lock_span=spans.get(d.doc_id, (0, 0))) for d in kept]
        try:
            store.replace(kept, redone, tombstones)
        except sqlite3.Error as err:
            raise OutputError(f"cannot write the build store: {err}; free some space, or build with "
                              "--no-cache", str(store.path)) from None
        point("store-written")
        offsets = dict(zip((d.path for d in kept), itertools.accumulate((d.notes for d in kept), initial=0),
                           strict=False))  # the running total has one more entry than there are guides
        decks = {d.deck for d in kept if d.notes} | {r.deck for r in tombstones}
        zip_time = max([*model_mods.values(), store.max_mod()])
        sweep(lock_file)
        sweep(target)
        staged = stage_lock(lock_file, new_lock, old=lock_text)  # deck and lock change together or not at all
        try:
            write_apkg(store.path, offsets, decks, target, model_mods=model_mods, zip_time=zip_time,
                       template_override=config.templates)
            point("deck-written")
            if staged is not None:
                publish_lock(staged, lock_file)
        finally:
            discard(staged)
        point("lock-written")
        if manifest.path is not None:
            manifest.record(Manifest.with_lock(inputs, lock_file), target, summary,
                            store=store.digest() if store.lasting else "", lock=new_lock, project=project)
    return result


def _refuse_foreign(
    lock_text: str, whole_lock: Lock | None, lock_file: Path, root_deck: str, doc_ids: set[str],
    manifest: Manifest, target: Path,
) -> None:
    """Before anything is written: the lock must be this project's (``check_owner``), and an
    existing deck that this folder's last build did not write must not be another project's
    (``check_deck``). A trusted store means this folder wrote the lock: only its project line
    is read then."""
    shown = str(lock_file)
    owner = whole_lock or parse_lock(lock_text, shown, outer_spans(lock_text)[:1])
    check_owner(owner, root_deck, doc_ids, manifest.project(), shown)
    if target.exists() and not manifest.wrote(target):
        check_deck(whole_lock or parse_lock(lock_text, shown), deck_guids(target), str(target))


@dataclass(frozen=True)
class _Work:
    """What a build must redo: every guide in order, kept or redone, and the lock they need."""

    documents: list[BuiltDocument | KeptDocument]  # in source order; skipped guides left out
    redone: list[BuiltDocument]
    lock: Lock  # the notes of the redone and vanished guides, every removed note, the note types
    reserved_id: int  # the highest note id of the kept guides
    deck_warnings: tuple[SourceWarning, ...] = ()  # two guides with one title: decks named after the files

    @property
    def redone_paths(self) -> frozenset[str]:
        return frozenset(d.path for d in self.redone)


def _plan(
    sources: list[Source], store: Store, lock_text: str, lock_name: str, config: Config,
    cache_dir: Path | None, workers: int, write_cache: bool, whole_lock: Lock | None = None,
    progress: Progress | None = None,
) -> _Work:
    """Redo the guides whose cache key changed; keep the rest. Everything is redone when the
    store is new, when two guides share a doc id, or when a kept note's card ids spilled."""
    kept = store.documents()
    paths_by_id: dict[str, set[str]] = {}
    for doc, path in [(s.doc_id, str(s.path)) for s in sources] + [(k.doc_id, p) for p, k in kept.items()]:
        paths_by_id.setdefault(doc, set()).add(path)
    whole = not kept or store.spills() or any(len(p) > 1 for p in paths_by_id.values())
    keep = {} if whole else {str(s.path): kept[str(s.path)] for s in sources
                              if str(s.path) in kept and kept[str(s.path)].key == s.key}
    built: dict[str, BuiltDocument | None] = {}
    while True:
        todo = [s for s in sources if str(s.path) not in keep and str(s.path) not in built]
        done = process_sources(todo, config, cache_dir=cache_dir, workers=workers, write_cache=write_cache,
                               progress=progress)
        built.update(zip((str(s.path) for s in todo), done, strict=True))
        docs = [keep.get(str(s.path)) or built[str(s.path)] for s in sources]
        present = [d for d in docs if d is not None]
        decks, deck_warnings = distinct_decks([(d.path, d.rel, d.title, d.base_deck) for d in present])
        moved = [d.path for d, deck in zip(present, decks, strict=True) if isinstance(d, KeptDocument)
                 and deck != d.deck]
        if not moved:
            break
        for path in moved:  # a title elsewhere now clashes with (or no longer clashes with) a kept guide's
            del keep[path]
    present = [with_deck(d, deck) if isinstance(d, BuiltDocument) else d
               for d, deck in zip(present, decks, strict=True)]
    require_cards(present, ", ".join(sorted({str(s.root) for s in sources})))
    redone = [d for d in present if isinstance(d, BuiltDocument)]
    if whole:
        return _Work(present, redone, whole_lock or parse_lock(lock_text, lock_name), 0, tuple(deck_warnings))
    # only the lock lines of the guides redone here (or gone), around the header and removed notes
    spans = outer_spans(lock_text) + [k.lock_span for path, k in kept.items() if path not in keep]
    return _Work(present, redone, parse_lock(lock_text, lock_name, spans), store.max_note_id(), tuple(deck_warnings))


def _settle(
    work: _Work, now: int, root_deck: str
) -> tuple[list[KeptDocument], dict[str, list[NoteRecord]], list[NoteRecord], Plan]:
    """Reconcile the redone guides with the lock. Returns every guide as the store will keep
    it, the redone guides' records by path, the tombstones and the plan."""
    groups = candidate_groups(work.redone)
    plan = reconcile([c for _, cands in groups for c in cands], work.lock, now, root_deck, work.reserved_id)
    records = iter(plan.records)
    redone: dict[str, list[NoteRecord]] = {}
    for built, cands in groups:
        redone[built.path] = [next(records) for _ in cands]
    tombstones = list(records)
    kept = []
    for doc in work.documents:
        if isinstance(doc, BuiltDocument):
            counts = dict(Counter(n.record.note_kind.value for n in doc.notes))
            kept.append(KeptDocument(doc.path, doc.doc_id, doc.rel, doc.key, doc.title, doc.base_deck, doc.deck,
                                     counts, doc.warnings, len(redone[doc.path]), (0, 0)))
        else:
            kept.append(doc)
    return kept, redone, tombstones, plan
