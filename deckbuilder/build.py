"""The whole pipeline on one screen.

gather -> read -> sections -> extract -> render (``documents``, per guide, only for the
guides whose bytes changed) -> reconcile with the lock (``changes``) -> keep in the store
(``store``) -> package (``package``) and lock (``lockfile``).
"""

from __future__ import annotations

import itertools
import logging
import os
import sqlite3
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

from .atomic import discard, sweep
from .cache import CACHE_DIR, Manifest, warnings_from_json
from .changes import Plan, notetype_mods, reconcile
from .config import Config
from .documents import (
    BuiltDocument,
    Source,
    candidate_groups,
    config_fingerprint,
    distinct_decks,
    gather,
    respell,
    process_sources,
    read_sources,
    require_cards,
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
from .store import KeptDocument, Store

log = logging.getLogger("deckbuilder")


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
    def of(cls, docs: list[KeptDocument], plan: Plan, redone: frozenset[str], tombstones: int) -> BuildSummary:
        """``docs``: every guide; ``plan``: what the guides in ``redone`` (by path) changed."""
        changes = {}
        for d in docs:
            if d.file not in redone:
                changes[d.doc_id] = {"unchanged": d.notes} if d.notes else {}
            elif d.doc_id in plan.report:
                changes[d.doc_id] = dict(plan.report[d.doc_id])
        for doc, counts in plan.report.items():
            changes.setdefault(doc, dict(counts))
        live = sum(d.notes for d in docs)
        return cls([(d.path, d.doc_id, d.counts) for d in docs], {k: v for k, v in changes.items() if v},
                   list(plan.notes), live + tombstones, tombstones, [w for d in docs for w in d.warnings],
                   list(plan.events))


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
) -> BuildResult:
    """Build one ``.apkg`` from ``paths`` into ``out`` (an .apkg file, or a folder).

    When nothing that feeds the build has changed since the last one (same files, sizes
    and times, settings, templates, lock and code) and the deck it wrote is still there,
    the stored report is returned and nothing is redone: the output would be identical.
    A lock that this folder's last build did not write is checked first: another project's
    is refused (``adopt_lock`` takes it over). Otherwise only the guides whose bytes changed
    are redone (see ``store``); every other guide's notes, cards and lock lines are kept as
    the last build left them. The deck and the lock are replaced together or not at all.
    """
    config = config or Config()
    folder = source_folder(paths)
    target = output_file(out, config)
    lock_file = folder / LOCK_NAME
    digests = {kind: load_templates(kind, config.templates).digest for kind in NoteKind}
    cache_root = folder / CACHE_DIR if use_cache else None
    files, fingerprint = gather(paths), config_fingerprint(config)
    # a dry run reads the cache but writes nothing
    with Store.open(cache_root, writable=not dry_run) as store:
        manifest = Manifest(store.manifest(), folder)
        # the files' state *before* they are read: a save during the build makes the next one redo it
        inputs = manifest.inputs(files, lock_file, fingerprint, digests, target)
        stored = manifest.unchanged(inputs, target)
        if stored is not None:
            warnings = warnings_from_json([[w["path"], w["line"], w["message"], w["kind"]]
                                           for w in stored["warnings"]])
            for warning in warnings:
                log.warning("%s", warning)
            unchanged = {doc: {"unchanged": sum(counts.values())} for _, doc, counts in stored["documents"]}
            summary = BuildSummary(**{**stored, "changes": unchanged, "messages": [], "events": [],
                                      "warnings": list(warnings)})
            return BuildResult(summary, target, [])
        lock_text = read_lock_text(lock_file)
        sources = read_sources(files, fingerprint)  # the bytes read here are the ones built (their hash is the key)
        last = store.documents() if manifest.vouches_for(lock_text) else {}
        # a lock this folder's last build did not write is read whole, and its notes checked too
        whole_lock = None if last else parse_lock(lock_text, str(lock_file))
        if not adopt_lock:
            _refuse_foreign(lock_text, whole_lock, lock_file, config.root_deck, {s.doc_id for s in sources},
                            manifest, target)
        work = _plan(sources, store, last, lock_text, str(lock_file), config,
                     workers or default_workers(), not dry_run, whole_lock)
        del sources  # the sources' bytes are let go once planned
        now = build_timestamp()
        kept, redone, tombstones, plan = _settle(work, now, config.root_deck)
        model_mods = notetype_mods(digests, plan.lock, now)
        summary = BuildSummary.of(kept, plan, work.redone_paths, len(tombstones))
        result = BuildResult(summary, target, [d.path for d in work.redone])
        if dry_run:
            return result
        redone_paths = work.redone_paths
        entries = work.entries
        plan.lock.project = ("" if adopt_lock else work.lock.project) or new_project_id(
            config.root_deck, [d.doc_id for d in kept])
        plan.lock.root_deck = config.root_deck
        del work  # the guides' notes now live in the records; let the rest go before writing
        if target.parent == out and not out.exists():
            try:
                out.mkdir(parents=True)
            except OSError as err:
                raise OutputError(f"cannot create the output folder: {err.strerror}", str(out)) from None
        blocks = {d.doc_id: lock_text[slice(*d.lock_span)] for d in kept if d.file not in redone_paths}
        blocks.update(note_blocks(plan.lock))
        new_lock, spans = compose_lock(plan.lock, blocks)
        project = plan.lock.project
        del blocks, plan
        kept = [replace(d, lock_span=spans.get(d.doc_id, (0, 0))) for d in kept]
        pending = manifest.record(inputs, None, summary, lock=new_lock, project=project)
        try:
            store.replace(kept, redone, tombstones, entries=entries, manifest=pending)
        except sqlite3.Error as err:
            raise OutputError(f"cannot write the build store: {err}; free some space, or build with "
                              "--no-cache", str(store.path)) from None
        point("store-written")
        offsets = dict(zip((d.file for d in kept), itertools.accumulate((d.notes for d in kept), initial=0),
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
        if store.lasting:
            store.set_manifest(manifest.record(Manifest.with_lock(inputs, lock_file), target, summary,
                                               lock=new_lock, project=project))
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
    entries: dict[str, bytes]  # the cache entries made by this build, by key

    @property
    def redone_paths(self) -> frozenset[str]:
        """The redone guides by file."""
        return frozenset(d.file for d in self.redone)


def _plan(
    sources: list[Source], store: Store, kept: dict[str, KeptDocument], lock_text: str, lock_name: str,
    config: Config, workers: int, write_cache: bool, whole_lock: Lock | None = None,
) -> _Work:
    """Redo the guides whose cache key changed; keep the rest (``kept``, by file). Everything
    is redone when the store is new, when two guides share a doc id, or when a kept note's
    card ids spilled."""
    paths_by_id: dict[str, set[str]] = {}
    for doc, file in [(s.doc_id, s.file) for s in sources] + [(k.doc_id, f) for f, k in kept.items()]:
        paths_by_id.setdefault(doc, set()).add(file)
    whole = not kept or store.spills() or any(len(p) > 1 for p in paths_by_id.values())
    keep = {} if whole else {s.file: _respelt(kept[s.file], str(s.path)) for s in sources
                              if s.file in kept and kept[s.file].key == s.key}
    built: dict[str, BuiltDocument | None] = {}
    entries: dict[str, bytes] = {}
    while True:
        todo = [s for s in sources if s.file not in keep and s.file not in built]
        done, packed = process_sources(todo, config, entries=store.entry, workers=workers, pack=write_cache)
        entries.update(packed)
        built.update(zip((s.file for s in todo), done, strict=True))
        docs = [keep.get(s.file) or built[s.file] for s in sources]
        present = [d for d in docs if d is not None]
        decks, deck_warnings = distinct_decks([(d.path, d.rel, d.title, d.base_deck) for d in present])
        moved = [d.file for d, deck in zip(present, decks, strict=True) if isinstance(d, KeptDocument)
                 and deck != d.deck]
        if not moved:
            break
        for path in moved:  # a title elsewhere now clashes with (or no longer clashes with) a kept guide's
            del keep[path]
    for warning in [w for d in present for w in d.warnings] + deck_warnings:
        log.warning("%s", warning)
    present = [with_deck(d, deck) if isinstance(d, BuiltDocument) else d
               for d, deck in zip(present, decks, strict=True)]
    require_cards(present, ", ".join(sorted({str(s.root) for s in sources})))
    redone = [d for d in present if isinstance(d, BuiltDocument)]
    if whole:
        return _Work(present, redone, whole_lock or parse_lock(lock_text, lock_name), 0, entries)
    # only the lock lines of the guides redone here (or gone), around the header and removed notes
    spans = outer_spans(lock_text) + [k.lock_span for file, k in kept.items() if file not in keep]
    return _Work(present, redone, parse_lock(lock_text, lock_name, spans), store.max_note_id(), entries)


def _respelt(doc: KeptDocument, shown: str) -> KeptDocument:
    """A kept guide named the way it is given this time (its warnings too)."""
    if doc.path == shown:
        return doc
    return replace(doc, path=shown, warnings=respell(doc.warnings, doc.path, shown))


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
        redone[built.file] = [next(records) for _ in cands]
    tombstones = list(records)
    kept = []
    for doc in work.documents:
        if isinstance(doc, BuiltDocument):
            counts = dict(Counter(n.record.note_kind.value for n in doc.notes))
            kept.append(KeptDocument(doc.path, doc.doc_id, doc.rel, doc.key, doc.title, doc.base_deck, doc.deck,
                                     counts, doc.warnings, len(redone[doc.file]), (0, 0), doc.file))
        else:
            kept.append(doc)
    return kept, redone, tombstones, plan
