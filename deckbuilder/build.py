"""The whole pipeline on one screen: gather -> read -> sections -> extract -> render -> package."""

from __future__ import annotations

import hashlib
import itertools
import logging
import os
import re
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Union

from .cache import CACHE_DIR, FileCache, Manifest, entry_key, note_from_json, note_to_json
from .changes import Candidate, Plan, notetype_mods, reconcile
from .config import DOCUMENT_KEYS, Config, DocumentSettings, document_settings
from .errors import BuildErrors, DeckbuilderError, InputError, OutputError
from .extractors import REGISTRY, extract_all
from .identity import note_guid
from .lockfile import (
    LOCK_NAME, Lock, LockedNote, compose_lock, note_block, outer_spans, parse_lock, read_lock_text, write_lock,
)
from .model import CardSpec, NoteKind
from .notetypes import load_templates
from .package import NoteRecord, write_apkg
from .reader import MAX_BYTES, parse_source, read_source, relative_path
from .render import render
from .sections import build_document
from .store import KeptDocument, Store

log = logging.getLogger("deckbuilder")

MARKDOWN_SUFFIXES = (".md", ".markdown")


@dataclass(frozen=True)
class BuiltDocument:
    """One guide's outcome: where it came from, where its cards go, its specs and notes."""

    path: str  # as given, for messages
    rel: str  # relative to its source root
    title: str
    deck: str
    doc_id: str
    specs: tuple[CardSpec, ...] | None  # None when not kept (a build needs only the notes)
    notes: tuple[Candidate, ...] = ()  # rendered; time, id and position come later
    repaired: str = ""  # codec undone, if the file had mojibake
    warnings: tuple[str, ...] = ()
    base_deck: str = ""  # the deck before two guides with one title were told apart
    key: str = ""  # the cache key of the file it came from


@dataclass
class BuildSummary:
    """What a build reports, as plain data (it is stored for the no-change fast path)."""

    documents: list[tuple[str, str, dict[str, int]]]  # (path, doc id, notes per note kind)
    changes: dict[str, dict[str, int]]  # doc id -> added/updated/... counts
    messages: list[str]  # things the user should know about the changes
    note_count: int  # notes in the package, tombstones included
    tombstones: int
    warnings: list[str]  # about the sources (encoding repaired, no material), shown again each build

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
            if d.path not in redone:
                changes[d.doc_id] = {"unchanged": d.notes} if d.notes else {}
            elif d.doc_id in plan.report:
                changes[d.doc_id] = dict(plan.report[d.doc_id])
        for doc, counts in plan.report.items():
            changes.setdefault(doc, dict(counts))
        live = sum(d.notes for d in docs)
        return cls([(d.path, d.doc_id, d.counts) for d in docs], {k: v for k, v in changes.items() if v},
                   list(plan.notes), live + tombstones, tombstones, [w for d in docs for w in d.warnings])


@dataclass
class BuildResult:
    summary: BuildSummary
    output: Path
    redone: list[str]  # the guides this build read again (by path); the rest were kept as they were


def gather(paths: list[Path]) -> list[tuple[Path, Path]]:
    """Markdown files to read, each with the root its identity is relative to; all problems at once."""
    found: list[tuple[Path, Path]] = []
    errors: list[DeckbuilderError] = []
    for path in paths:
        if not path.exists():
            errors.append(InputError("no such file or folder", str(path)))
        elif path.is_dir():
            files = sorted(
                p for p in path.rglob("*")
                if p.suffix.lower() in MARKDOWN_SUFFIXES and p.is_file() and not _hidden(p, path)
            )
            if not files:
                errors.append(InputError("this folder has no markdown files (*.md)", str(path)))
            found.extend((f, path) for f in files)
        else:
            found.append((path, path.parent))
    _raise_all(errors)
    return found


def _raise_all(errors: list[DeckbuilderError]) -> None:
    if errors:
        raise errors[0] if len(errors) == 1 else BuildErrors(errors)


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def deck_name(root_deck: str, rel: str, title: str) -> str:
    folders = [_humanise(p) for p in Path(rel).parent.parts]
    return "::".join([root_deck, *folders, title.replace("::", ":")])


def _humanise(name: str) -> str:
    name = re.sub(r"^\d+[-_ ]+", "", name)
    return name.replace("-", " ").replace("_", " ").strip().title() or name


def slug(text: str) -> str:
    return re.sub(r"[^\w]+", "-", text.lower()).strip("-") or "x"


def doc_id(rel: str) -> str:
    return re.sub(r"\.(md|markdown)$", "", rel, flags=re.I)


def tags_for(prefix: str, doc_slug: str, spec: CardSpec) -> tuple[str, ...]:
    section = "::".join(slug(p) for p in spec.section_path)
    path_tag = f"{prefix}::{doc_slug}" + (f"::{section}" if section else "")
    return (path_tag, f"{prefix}::kind::{spec.kind.value.replace('_', '-')}")


def process_file(
    path: Path, root: Path, config: Config, data: bytes | None = None, keep_specs: bool = True
) -> BuiltDocument | None:
    """Everything that depends on one file alone: read, parse, extract, render. None if skipped."""
    source = read_source(path, root) if data is None else parse_source(data, str(path), relative_path(path, root))
    warnings = []
    if source.repaired:
        warnings.append(f"{path}: repaired broken encoding (UTF-8 misread as {source.repaired})")
    meta = dict(source.front_matter)
    settings = config.document(source.rel)
    if any(k in meta for k in DOCUMENT_KEYS):
        front = document_settings(meta, str(path), list(REGISTRY))
        settings = DocumentSettings(
            front.deck or settings.deck, front.skip or settings.skip, settings.extractors + front.extractors
        )
    if settings.skip:
        return None
    document = build_document(source)
    specs = tuple(extract_all(document, config.enabled(list(REGISTRY), settings)))
    if not specs:
        warnings.append(f"{path}: no study material found; it adds no cards")
    ident = doc_id(source.rel)
    deck = deck_name(config.root_deck, source.rel, settings.deck or document.title)
    notes: list[Candidate] = []
    seen: dict[str, str] = {}
    for cand in _render_notes(str(path), ident, document.title, deck, specs, config):
        if cand.record.guid in seen:
            warnings.append(f"{cand.where}: same card as {seen[cand.record.guid]}; skipped")
            continue
        seen[cand.record.guid] = cand.where
        notes.append(cand)
    return BuiltDocument(str(path), source.rel, document.title, deck, ident, specs if keep_specs else None,
                         tuple(notes), source.repaired, tuple(warnings), base_deck=deck)


def _render_notes(
    path: str, ident: str, title: str, deck: str, specs: tuple[CardSpec, ...], config: Config
) -> Iterator[Candidate]:
    doc_slug = slug(ident)
    for spec in specs:
        rendered = render(spec, title)
        tags = tags_for(config.tag_prefix, doc_slug, spec)
        record = NoteRecord(note_guid(ident, spec), rendered.note_kind, rendered.fields, tags, deck, 0, 0, 0)
        key = " ".join(spec.front.split())
        yield Candidate(record, ident, spec.kind.value, " / ".join(spec.section_path), key, f"{path}:{spec.line}")


Job = tuple[Path, Path, Config, "bytes | None", "Path | None", str, bool]


def _process_job(job: Job) -> Outcome:
    """Process one file and cache the result (in the worker, so both cores share that work).
    Errors travel back as (message,) since a worker's exception loses its fields."""
    path, root, config, data, cache_dir, key, keep_specs = job
    try:
        doc = process_file(path, root, config, data, keep_specs)
    except DeckbuilderError as err:
        return (err.message,)
    if key:
        FileCache(cache_dir).put(key, _doc_to_json(doc))
    return doc


Outcome = Union["BuiltDocument", None, tuple[str]]


def _doc_to_json(doc: BuiltDocument | None) -> dict[str, Any]:
    if doc is None:
        return {"skipped": True}
    return {
        "path": doc.path, "rel": doc.rel, "title": doc.title, "deck": doc.deck, "doc_id": doc.doc_id,
        "repaired": doc.repaired, "warnings": list(doc.warnings), "base_deck": doc.base_deck,
        "notes": [note_to_json(n) for n in doc.notes],
    }


def _doc_from_json(data: dict[str, Any]) -> BuiltDocument | None:
    if data.get("skipped") is True:
        return None
    return BuiltDocument(
        str(data["path"]), str(data["rel"]), str(data["title"]), str(data["deck"]), str(data["doc_id"]),
        None, tuple(note_from_json(n) for n in data["notes"]),
        str(data["repaired"]), tuple(map(str, data["warnings"])), str(data["base_deck"]),
    )


@dataclass(frozen=True)
class Source:
    """A markdown file found by ``gather``, read once: its bytes name its cache entry."""

    path: Path
    root: Path
    doc_id: str
    data: bytes | None  # None when too big or unreadable (processing gives the message)
    key: str  # the cache key; "" without data


def read_sources(files: list[tuple[Path, Path]], fingerprint: str) -> list[Source]:
    out = []
    roots = {root: root.resolve() for root in {root for _, root in files}}
    for path, root in files:
        try:
            data = path.read_bytes() if path.stat().st_size <= MAX_BYTES else None
        except OSError:
            data = None  # read_source gives the message
        rel = relative_path(path, root, roots[root])
        key = entry_key(data, str(path), rel, fingerprint) if data is not None else ""
        out.append(Source(path, root, doc_id(rel), data, key))
    return out


def load_documents(
    paths: list[Path],
    config: Config | None = None,
    *,
    cache_dir: Path | None = None,
    workers: int = 1,
) -> list[BuiltDocument]:
    """Read, extract and render every document; warn about each, and raise if none gives cards."""
    config = config or Config()
    docs = [doc for doc in process_sources(read_sources(gather(paths), config_fingerprint(config)), config,
                                           cache_dir=cache_dir, workers=workers) if doc is not None]
    for doc in docs:
        for warning in doc.warnings:
            log.warning("%s", warning)
    if not any(doc.notes for doc in docs):
        raise InputError("nothing to build: no guide gave any cards (see the warnings above)",
                         ", ".join(str(p) for p in paths))
    decks, warnings = distinct_decks([(d.path, d.rel, d.title, d.deck) for d in docs])
    for warning in warnings:
        log.warning("%s", warning)
    return [with_deck(doc, deck) for doc, deck in zip(docs, decks, strict=True)]


def process_sources(
    sources: list[Source], config: Config, *, cache_dir: Path | None = None, workers: int = 1,
    write_cache: bool = True,
) -> list[BuiltDocument | None]:
    """Each source's document (None when skipped), from the cache where it can (and into it,
    if ``write_cache``); every failing file is reported before raising. The order is the
    sources' whatever the workers do. With a cache, the card specs are not kept (``specs``
    is None): a build needs only the notes."""
    cache = FileCache(cache_dir)
    results: list[Outcome] = []
    todo: list[tuple[int, Job]] = []
    for src in sources:
        cached = cache.get(src.key) if src.key else None
        if cached is not None:
            try:
                results.append(_doc_from_json(cached))
                continue
            except (KeyError, TypeError, ValueError):
                pass  # a damaged entry: rebuild it
        results.append(None)
        todo.append((len(results) - 1, (src.path, src.root, config, src.data, cache_dir,
                                        src.key if write_cache else "", cache_dir is None)))
    for (index, _job), outcome in zip(todo, _run_jobs([job for _, job in todo], workers), strict=True):
        results[index] = outcome
    errors = [DeckbuilderError(outcome[0]) for outcome in results if isinstance(outcome, tuple)]
    _raise_all(errors)
    return [replace(doc, key=src.key) if isinstance(doc, BuiltDocument) else None
            for src, doc in zip(sources, results, strict=True)]


def _run_jobs(jobs: list[Job], workers: int) -> list[Outcome]:
    """Process files in order; with several workers, in a process pool (same results, same order)."""
    if workers <= 1 or len(jobs) < 4:
        return [_process_job(job) for job in jobs]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return list(pool.map(_process_job, jobs, chunksize=max(1, min(16, len(jobs) // (workers * 8)))))


def config_fingerprint(config: Config) -> str:
    """Changes when the settings or deckbuilder's own code change."""
    h = hashlib.sha256(repr(config).encode("utf-8"))
    for module in sorted(Path(__file__).parent.rglob("*.py")):
        h.update(module.read_bytes())
    return h.hexdigest()


def distinct_decks(docs: list[tuple[str, str, str, str]]) -> tuple[list[str], list[str]]:
    """Each (path, rel, title, deck)'s final deck, and warnings: two guides with the same
    title would share a deck, so each is named after its file instead."""
    by_deck: dict[str, list[str]] = {}
    for path, _, _, deck in docs:
        by_deck.setdefault(deck, []).append(path)
    out, warnings = [], []
    for path, rel, title, deck in docs:
        twins = by_deck[deck]
        if len(twins) > 1:
            warnings.append(f"{path}: the title {title!r} is also used by "
                            f"{', '.join(t for t in twins if t != path)}; its deck is named after the file instead")
            deck = f"{deck} ({Path(rel).stem})"
        out.append(deck)
    return out, warnings


def with_deck(doc: BuiltDocument, deck: str) -> BuiltDocument:
    if deck == doc.deck:
        return doc
    notes = tuple(
        Candidate(NoteRecord(r.guid, r.note_kind, r.fields, r.tags, deck, r.due, r.mod, r.note_id),
                  n.doc, n.kind, n.section, n.key, n.where)
        for n in doc.notes for r in (n.record,)
    )
    return replace(doc, deck=deck, notes=notes)


def build_timestamp() -> int:
    """"Now" for notes that change in this build: ``SOURCE_DATE_EPOCH`` when set."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return int(epoch) if epoch.isdigit() else int(time.time())


def candidates(docs: list[BuiltDocument]) -> list[Candidate]:
    """Every document's notes in document order (their position is their new-card order)."""
    return [cand for _, cands in candidate_groups(docs) for cand in cands]


def candidate_groups(docs: list[BuiltDocument]) -> list[tuple[BuiltDocument, list[Candidate]]]:
    """Each document with its notes; a note already given by an earlier document (two guides
    with one doc id) is skipped."""
    out = []
    seen: dict[str, str] = {}
    for doc in docs:
        kept = []
        for cand in doc.notes:
            guid = cand.record.guid
            if guid in seen:
                log.warning("%s: same card as %s; skipped", cand.where, seen[guid])
                continue
            seen[guid] = cand.where
            kept.append(cand)
        out.append((doc, kept))
    return out


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
) -> BuildResult:
    """Build one ``.apkg`` from ``paths`` into ``out`` (an .apkg file, or a folder).

    When nothing that feeds the build has changed since the last one (same files, sizes
    and times, settings, templates, lock and code) and the deck it wrote is still there,
    the stored report is returned and nothing is redone: the output would be identical.
    Otherwise only the guides whose bytes changed are redone (see ``store``); every other
    guide's notes, cards and lock lines are kept as the last build left them.
    """
    config = config or Config()
    folder = source_folder(paths)
    target = output_file(out, config)
    lock_file = folder / LOCK_NAME
    digests = {kind: load_templates(kind, config.templates).digest for kind in NoteKind}
    cache_root = folder / CACHE_DIR if use_cache else None
    manifest = Manifest(cache_root)
    files, fingerprint = gather(paths), config_fingerprint(config)
    inputs = manifest.inputs(files, lock_file, fingerprint, digests, target)
    stored = manifest.unchanged(inputs, target)
    if stored is not None:
        for warning in stored["warnings"]:
            log.warning("%s", warning)
        unchanged = {doc: {"unchanged": sum(counts.values())} for _, doc, counts in stored["documents"]}
        return BuildResult(BuildSummary(**{**stored, "changes": unchanged, "messages": []}), target, [])
    lock_text = read_lock_text(lock_file)
    # a dry run reads the caches but writes nothing
    with Store.open(cache_root, manifest.trusted_store(lock_text), writable=not dry_run) as store:
        work = _plan(read_sources(files, fingerprint), store, lock_text, str(lock_file), config, cache_root,
                     workers or default_workers(), not dry_run)  # the sources' bytes are let go once planned
        now = build_timestamp()
        kept, redone, tombstones, plan = _settle(work, now, config.root_deck)
        model_mods = notetype_mods(digests, plan.lock, now)
        summary = BuildSummary.of(kept, plan, work.redone_paths, len(tombstones))
        result = BuildResult(summary, target, [d.path for d in work.redone])
        if dry_run:
            return result
        redone_paths = work.redone_paths
        del work  # the guides' notes now live in the records; let the rest go before writing
        if target.parent == out and not out.exists():
            try:
                out.mkdir(parents=True)
            except OSError as err:
                raise OutputError(f"cannot create the output folder: {err.strerror}", str(out)) from None
        blocks = {d.doc_id: lock_text[slice(*d.lock_span)] for d in kept if d.path not in redone_paths}
        blocks.update(_note_blocks(plan.lock))
        new_lock, spans = compose_lock(plan.lock.notetypes, blocks, plan.lock.removed)
        del blocks, plan
        kept = [replace(d, lock_span=spans.get(d.doc_id, (0, 0))) for d in kept]
        store.replace(kept, redone, tombstones)
        offsets = dict(zip((d.path for d in kept), itertools.accumulate((d.notes for d in kept), initial=0),
                           strict=False))  # the running total has one more entry than there are guides
        decks = {d.deck for d in kept if d.notes} | {r.deck for r in tombstones}
        zip_time = max([*model_mods.values(), store.max_mod()])
        write_apkg(store.path, offsets, decks, target, model_mods=model_mods, zip_time=zip_time,
                   template_override=config.templates)
        write_lock(lock_file, new_lock, old=lock_text)
        if manifest.path is not None:
            manifest.record(manifest.inputs(files, lock_file, fingerprint, digests, target), target, summary,
                            store=store.digest() if store.lasting else "", lock=new_lock)
    return result


@dataclass(frozen=True)
class _Work:
    """What a build must redo: every guide in order, kept or redone, and the lock they need."""

    documents: list[BuiltDocument | KeptDocument]  # in source order; skipped guides left out
    redone: list[BuiltDocument]
    redone_paths: frozenset[str]
    lock: Lock  # the notes of the redone and vanished guides, every removed note, the note types
    reserved_id: int  # the highest note id of the kept guides


def _plan(
    sources: list[Source], store: Store, lock_text: str, lock_name: str, config: Config,
    cache_dir: Path | None, workers: int, write_cache: bool,
) -> _Work:
    """Redo the guides whose cache key changed; keep the rest. Everything is redone when the
    store is new, when two guides share a doc id, or when a kept note's card ids spilled."""
    kept = store.documents()
    ids = [s.doc_id for s in sources] + [k.doc_id for k in kept.values()]
    paths_by_id: dict[str, set[str]] = {}
    for doc, path in zip(ids, [str(s.path) for s in sources] + list(kept), strict=True):
        paths_by_id.setdefault(doc, set()).add(path)
    whole = not kept or store.spills() or any(len(p) > 1 for p in paths_by_id.values())
    keep = {} if whole else {str(s.path): kept[str(s.path)] for s in sources
                              if str(s.path) in kept and kept[str(s.path)].key == s.key}
    built: dict[str, BuiltDocument | None] = {}
    while True:
        todo = [s for s in sources if str(s.path) not in keep and str(s.path) not in built]
        done = process_sources(todo, config, cache_dir=cache_dir, workers=workers, write_cache=write_cache)
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
    for warning in [w for d in present for w in d.warnings] + deck_warnings:
        log.warning("%s", warning)
    present = [with_deck(d, deck) if isinstance(d, BuiltDocument) else d
               for d, deck in zip(present, decks, strict=True)]
    if not any(d.notes for d in present):
        raise InputError("nothing to build: no guide gave any cards (see the warnings above)",
                         ", ".join(sorted({str(s.root) for s in sources})))
    redone = [d for d in present if isinstance(d, BuiltDocument)]
    if whole:
        return _Work(present, redone, frozenset(d.path for d in redone), parse_lock(lock_text, lock_name), 0)
    spans = outer_spans(lock_text) + [k.lock_span for path, k in kept.items() if path not in keep]
    return _Work(present, redone, frozenset(d.path for d in redone), parse_lock(lock_text, lock_name, spans),
                 store.max_note_id())


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


def _note_blocks(lock: Lock) -> dict[str, str]:
    by_doc: dict[str, list[LockedNote]] = {}
    for note in lock.notes.values():
        by_doc.setdefault(note.doc, []).append(note)
    return {doc: note_block(notes) for doc, notes in by_doc.items()}
