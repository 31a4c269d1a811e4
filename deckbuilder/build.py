"""The whole pipeline on one screen: gather -> read -> sections -> extract -> render -> package."""

from __future__ import annotations

import logging
import os
import re
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from .changes import Candidate, Plan, notetype_mods, reconcile
from .errors import BuildErrors, DeckbuilderError, InputError, OutputError
from .extractors import extract_all
from .identity import note_guid
from .lockfile import LOCK_NAME, read_lock, write_lock
from .model import CardSpec, Document, NoteKind
from .notetypes import load_templates
from .package import NoteRecord, write_apkg
from .reader import read_source
from .render import render
from .sections import build_document

log = logging.getLogger("deckbuilder")

MARKDOWN_SUFFIXES = (".md", ".markdown")
DEFAULT_ROOT_DECK = "Interview Prep"


@dataclass(frozen=True)
class BuiltDocument:
    document: Document
    specs: tuple[CardSpec, ...]
    deck: str
    doc_id: str


@dataclass
class BuildResult:
    documents: list[BuiltDocument]
    notes: list[NoteRecord]  # everything written, tombstones included
    output: Path
    plan: Plan

    def counts(self, doc: BuiltDocument) -> Counter[NoteKind]:
        return Counter(spec.note_kind for spec in doc.specs)


def gather(paths: list[Path]) -> list[tuple[Path, Path]]:
    """Markdown files to read, each with the root its identity is relative to."""
    found: list[tuple[Path, Path]] = []
    for path in paths:
        if not path.exists():
            raise InputError("no such file or folder", str(path))
        if path.is_dir():
            files = sorted(
                p for p in path.rglob("*")
                if p.suffix.lower() in MARKDOWN_SUFFIXES and p.is_file() and not _hidden(p, path)
            )
            if not files:
                raise InputError("this folder has no markdown files (*.md)", str(path))
            found.extend((f, path) for f in files)
        else:
            found.append((path, path.parent))
    return found


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


def tags_for(doc_slug: str, spec: CardSpec) -> tuple[str, ...]:
    section = "::".join(slug(p) for p in spec.section_path)
    path_tag = f"deckbuilder::{doc_slug}" + (f"::{section}" if section else "")
    return (path_tag, f"deckbuilder::kind::{spec.kind.value.replace('_', '-')}")


def load_documents(paths: list[Path], root_deck: str = DEFAULT_ROOT_DECK) -> list[BuiltDocument]:
    """Read and extract every document; collect all errors before raising."""
    built: list[BuiltDocument] = []
    errors: list[DeckbuilderError] = []
    for path, root in gather(paths):
        try:
            source = read_source(path, root)
            document = build_document(source)
        except DeckbuilderError as err:
            errors.append(err)
            continue
        specs = tuple(extract_all(document))
        if not specs:
            log.warning("%s: no study material found; it adds no cards", path)
        built.append(
            BuiltDocument(document, specs, deck_name(root_deck, source.rel, document.title), doc_id(source.rel))
        )
    if errors:
        raise errors[0] if len(errors) == 1 else BuildErrors(errors)
    return built


def build_timestamp() -> int:
    """"Now" for notes that change in this build: ``SOURCE_DATE_EPOCH`` when set."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return int(epoch) if epoch.isdigit() else int(time.time())


def candidates(docs: list[BuiltDocument]) -> list[Candidate]:
    """Render every spec into a note (without time or id yet), in document order."""
    out = []
    seen: dict[str, str] = {}
    for doc in docs:
        doc_slug = slug(doc.doc_id)
        for spec in doc.specs:
            guid = note_guid(doc.doc_id, spec)
            where = f"{doc.document.source.path}:{spec.line}"
            if guid in seen:
                log.warning("%s: same card as %s; skipped", where, seen[guid])
                continue
            seen[guid] = where
            rendered = render(spec, doc.document.title)
            record = NoteRecord(guid, rendered.note_kind, rendered.fields, tags_for(doc_slug, spec), doc.deck,
                                due=len(out), mod=0, note_id=0)
            section = " / ".join(spec.section_path)
            out.append(Candidate(record, doc.doc_id, spec.kind.value, section, " ".join(spec.front.split())))
    return out


def lock_path(paths: list[Path]) -> Path:
    """The lock lives next to the sources: in the first folder given, or beside the first file."""
    first = paths[0]
    return (first if first.is_dir() else first.parent) / LOCK_NAME


def build(
    paths: list[Path],
    out: Path,
    *,
    dry_run: bool = False,
    root_deck: str = DEFAULT_ROOT_DECK,
    templates: Path | None = None,
) -> BuildResult:
    """Build one ``.apkg`` from ``paths`` into ``out`` (a file, or a folder for deck.apkg)."""
    docs = load_documents(paths, root_deck)
    now = build_timestamp()
    lock_file = lock_path(paths)
    lock = read_lock(lock_file)
    plan = reconcile(candidates(docs), lock, now, root_deck)
    override = str(templates or "")
    digests = {kind: load_templates(kind, override).digest for kind in NoteKind}
    model_mods = notetype_mods(digests, plan.lock, now)
    target = out if out.suffix.lower() == ".apkg" else out / "deck.apkg"
    result = BuildResult(docs, plan.records, target, plan)
    if dry_run:
        return result
    if target.parent == out and not out.exists():
        try:
            out.mkdir(parents=True)
        except OSError as err:
            raise OutputError(f"cannot create the output folder: {err.strerror}", str(out)) from None
    zip_time = max([*model_mods.values(), *(r.mod for r in plan.records)])
    write_apkg(plan.records, target, model_mods=model_mods, zip_time=zip_time, template_override=override)
    write_lock(lock_file, plan.lock)
    return result
