"""The whole pipeline on one screen: gather -> read -> sections -> extract -> render -> package."""

from __future__ import annotations

import hashlib
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
from .lockfile import LOCK_NAME, read_lock, write_lock
from .model import CardSpec, NoteKind
from .notetypes import load_templates
from .package import NoteRecord, write_apkg
from .reader import MAX_BYTES, parse_source, read_source, relative_path
from .render import render
from .sections import build_document

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
    def of(cls, docs: list[BuiltDocument], plan: Plan) -> BuildSummary:
        documents = [
            (d.path, d.doc_id, dict(Counter(n.record.note_kind.value for n in d.notes))) for d in docs
        ]
        live = sum(len(d.notes) for d in docs)
        return cls(documents, {k: dict(v) for k, v in plan.report.items()}, list(plan.notes),
                   len(plan.records), len(plan.records) - live, [w for d in docs for w in d.warnings])


@dataclass
class BuildResult:
    summary: BuildSummary
    output: Path
    documents: list[BuiltDocument]  # empty when nothing changed and nothing was redone
    notes: list[NoteRecord]  # everything written, tombstones included (empty likewise)


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
    notes = tuple(_render_notes(str(path), ident, document.title, deck, specs, config))
    return BuiltDocument(str(path), source.rel, document.title, deck, ident, specs if keep_specs else None,
                         notes, source.repaired, tuple(warnings))


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
        "repaired": doc.repaired, "warnings": list(doc.warnings),
        "notes": [note_to_json(n) for n in doc.notes],
    }


def _doc_from_json(data: dict[str, Any]) -> BuiltDocument | None:
    if data.get("skipped") is True:
        return None
    return BuiltDocument(
        str(data["path"]), str(data["rel"]), str(data["title"]), str(data["deck"]), str(data["doc_id"]),
        None, tuple(note_from_json(n) for n in data["notes"]),
        str(data["repaired"]), tuple(map(str, data["warnings"])),
    )


def load_documents(
    paths: list[Path],
    config: Config | None = None,
    *,
    cache_dir: Path | None = None,
    workers: int = 1,
    files: list[tuple[Path, Path]] | None = None,
) -> list[BuiltDocument]:
    """Read, extract and render every document, from the cache where it can; report every
    failing file before raising. Documents come back in path order whatever the workers do.
    With a cache, the card specs are not kept (``specs`` is None): a build needs only notes."""
    config = config or Config()
    cache = FileCache(cache_dir)
    fingerprint = config_fingerprint(config)
    results: list[Outcome] = []
    todo: list[tuple[int, Job]] = []
    for path, root in files if files is not None else gather(paths):
        try:
            data = path.read_bytes() if path.stat().st_size <= MAX_BYTES else None
        except OSError:
            data = None  # read_source gives the message
        key = entry_key(data, str(path), relative_path(path, root), fingerprint) if data is not None else ""
        cached = cache.get(key) if key else None
        if cached is not None:
            try:
                results.append(_doc_from_json(cached))
                continue
            except (KeyError, TypeError, ValueError):
                pass  # a damaged entry: rebuild it
        results.append(None)
        todo.append((len(results) - 1, (path, root, config, data, cache_dir, key, cache_dir is None)))
    for (index, _job), outcome in zip(todo, _run_jobs([job for _, job in todo], workers), strict=True):
        results[index] = outcome
    built: list[BuiltDocument] = []
    errors: list[DeckbuilderError] = []
    for outcome in results:
        if isinstance(outcome, tuple):
            errors.append(DeckbuilderError(outcome[0]))
        elif outcome is not None:
            for warning in outcome.warnings:
                log.warning("%s", warning)
            built.append(outcome)
    _raise_all(errors)
    if not any(doc.notes for doc in built):
        raise InputError("nothing to build: no guide gave any cards (see the warnings above)",
                         ", ".join(str(p) for p in paths))
    return _distinct_decks(built)


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


def _distinct_decks(docs: list[BuiltDocument]) -> list[BuiltDocument]:
    """Two guides with the same title would share a deck; name each after its file instead."""
    by_deck: dict[str, list[BuiltDocument]] = {}
    for doc in docs:
        by_deck.setdefault(doc.deck, []).append(doc)
    out = []
    for doc in docs:
        twins = by_deck[doc.deck]
        if len(twins) > 1:
            log.warning(
                "%s: the title %r is also used by %s; its deck is named after the file instead",
                doc.path, doc.title, ", ".join(t.path for t in twins if t is not doc),
            )
            deck = f"{doc.deck} ({Path(doc.rel).stem})"
            notes = tuple(replace(n, record=replace(n.record, deck=deck)) for n in doc.notes)
            doc = replace(doc, deck=deck, notes=notes)
        out.append(doc)
    return out


def build_timestamp() -> int:
    """"Now" for notes that change in this build: ``SOURCE_DATE_EPOCH`` when set."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return int(epoch) if epoch.isdigit() else int(time.time())


def candidates(docs: list[BuiltDocument]) -> list[Candidate]:
    """Every document's notes in document order (their position is their new-card order)."""
    out = []
    seen: dict[str, str] = {}
    for doc in docs:
        for cand in doc.notes:
            guid = cand.record.guid
            if guid in seen:
                log.warning("%s: same card as %s; skipped", cand.where, seen[guid])
                continue
            seen[guid] = cand.where
            out.append(cand)
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
    """
    config = config or Config()
    folder = source_folder(paths)
    target = output_file(out, config)
    lock_file = folder / LOCK_NAME
    digests = {kind: load_templates(kind, config.templates).digest for kind in NoteKind}
    manifest = Manifest(folder / CACHE_DIR if use_cache else None)
    files, fingerprint = gather(paths), config_fingerprint(config)
    inputs = manifest.inputs(files, lock_file, fingerprint, digests, target)
    summary = manifest.unchanged(inputs, target)
    if summary is not None:
        for warning in summary["warnings"]:
            log.warning("%s", warning)
        unchanged = {doc: {"unchanged": sum(counts.values())} for _, doc, counts in summary["documents"]}
        return BuildResult(BuildSummary(**{**summary, "changes": unchanged, "messages": []}), target, [], [])
    cache_dir = folder / CACHE_DIR if use_cache and not dry_run else None
    docs = load_documents(paths, config, cache_dir=cache_dir, workers=workers or default_workers(), files=files)
    now = build_timestamp()
    plan = reconcile(candidates(docs), read_lock(lock_file), now, config.root_deck)
    model_mods = notetype_mods(digests, plan.lock, now)
    result = BuildResult(BuildSummary.of(docs, plan), target, docs, plan.records)
    if dry_run:
        return result
    if target.parent == out and not out.exists():
        try:
            out.mkdir(parents=True)
        except OSError as err:
            raise OutputError(f"cannot create the output folder: {err.strerror}", str(out)) from None
    zip_time = max([*model_mods.values(), *(r.mod for r in plan.records)])
    write_apkg(plan.records, target, model_mods=model_mods, zip_time=zip_time, template_override=config.templates)
    write_lock(lock_file, plan.lock)
    manifest.record(manifest.inputs(files, lock_file, fingerprint, digests, target), target, result.summary)
    return result
