"""The whole pipeline on one screen: gather -> read -> sections -> extract -> render -> package."""

from __future__ import annotations

import logging
import os
import re
import time
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

from .changes import Candidate, Plan, notetype_mods, reconcile
from .config import DOCUMENT_KEYS, Config, DocumentSettings, document_settings
from .errors import BuildErrors, DeckbuilderError, InputError, OutputError
from .extractors import REGISTRY, extract_all
from .identity import note_guid
from .lockfile import LOCK_NAME, read_lock, write_lock
from .model import CardSpec, NoteKind
from .notetypes import load_templates
from .package import NoteRecord, write_apkg
from .reader import read_source
from .render import render
from .sections import build_document

log = logging.getLogger("deckbuilder")

MARKDOWN_SUFFIXES = (".md", ".markdown")


@dataclass(frozen=True)
class BuiltDocument:
    """One guide's outcome: where it came from, where its cards go, and the card specs."""

    path: str  # as given, for messages
    rel: str  # relative to its source root
    title: str
    deck: str
    doc_id: str
    specs: tuple[CardSpec, ...]
    repaired: str = ""  # codec undone, if the file had mojibake


@dataclass
class BuildResult:
    documents: list[BuiltDocument]
    notes: list[NoteRecord]  # everything written, tombstones included
    output: Path
    plan: Plan

    def counts(self, doc: BuiltDocument) -> Counter[NoteKind]:
        return Counter(spec.note_kind for spec in doc.specs)


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


def process_file(path: Path, root: Path, config: Config) -> BuiltDocument | None:
    """Everything that depends on one file alone: read, parse, extract. None if skipped."""
    source = read_source(path, root)
    if source.repaired:
        log.warning("%s: repaired broken encoding (UTF-8 misread as %s)", path, source.repaired)
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
    title = settings.deck or document.title
    return BuiltDocument(
        path=str(path), rel=source.rel, title=document.title, deck=deck_name(config.root_deck, source.rel, title),
        doc_id=doc_id(source.rel), specs=specs, repaired=source.repaired,
    )


def load_documents(paths: list[Path], config: Config | None = None) -> list[BuiltDocument]:
    """Read and extract every document; report every failing file before raising."""
    config = config or Config()
    built: list[BuiltDocument] = []
    errors: list[DeckbuilderError] = []
    for path, root in gather(paths):
        try:
            doc = process_file(path, root, config)
        except DeckbuilderError as err:
            errors.append(err)
            continue
        if doc is None:
            log.info("%s: skipped (skip: true)", path)
            continue
        if not doc.specs:
            log.warning("%s: no study material found; it adds no cards", path)
        built.append(doc)
    _raise_all(errors)
    if not any(doc.specs for doc in built):
        raise InputError("nothing to build: no guide gave any cards (see the warnings above)",
                         ", ".join(str(p) for p in paths))
    return _distinct_decks(built)


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
            doc = replace(doc, deck=f"{doc.deck} ({Path(doc.rel).stem})")
        out.append(doc)
    return out


def build_timestamp() -> int:
    """"Now" for notes that change in this build: ``SOURCE_DATE_EPOCH`` when set."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return int(epoch) if epoch.isdigit() else int(time.time())


def candidates(docs: list[BuiltDocument], config: Config) -> list[Candidate]:
    """Render every spec into a note (without time or id yet), in document order."""
    out = []
    seen: dict[str, str] = {}
    for doc in docs:
        doc_slug = slug(doc.doc_id)
        for spec in doc.specs:
            guid = note_guid(doc.doc_id, spec)
            where = f"{doc.path}:{spec.line}"
            if guid in seen:
                log.warning("%s: same card as %s; skipped", where, seen[guid])
                continue
            seen[guid] = where
            rendered = render(spec, doc.title)
            tags = tags_for(config.tag_prefix, doc_slug, spec)
            record = NoteRecord(guid, rendered.note_kind, rendered.fields, tags, doc.deck,
                                due=len(out), mod=0, note_id=0)
            section = " / ".join(spec.section_path)
            key = " ".join(spec.front.split())
            out.append(Candidate(record, doc.doc_id, spec.kind.value, section, key, where))
    return out


def source_folder(paths: list[Path]) -> Path:
    """Where the lock and config live: the first folder given, or the first file's folder."""
    first = paths[0]
    return first if first.is_dir() else first.parent


def output_file(out: Path, config: Config) -> Path:
    return out if out.suffix.lower() == ".apkg" else out / config.output


def build(paths: list[Path], out: Path, *, config: Config | None = None, dry_run: bool = False) -> BuildResult:
    """Build one ``.apkg`` from ``paths`` into ``out`` (an .apkg file, or a folder)."""
    config = config or Config()
    docs = load_documents(paths, config)
    now = build_timestamp()
    lock_file = source_folder(paths) / LOCK_NAME
    plan = reconcile(candidates(docs, config), read_lock(lock_file), now, config.root_deck)
    digests = {kind: load_templates(kind, config.templates).digest for kind in NoteKind}
    model_mods = notetype_mods(digests, plan.lock, now)
    target = output_file(out, config)
    result = BuildResult(docs, plan.records, target, plan)
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
    return result
