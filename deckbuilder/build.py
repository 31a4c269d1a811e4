"""The whole pipeline on one screen: gather -> read -> sections -> extract -> render -> package."""

from __future__ import annotations

import logging
import os
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .errors import BuildErrors, DeckbuilderError, InputError
from .extractors import extract_all
from .identity import note_guid
from .model import CardSpec, Document, NoteKind
from .package import NoteRecord, write_apkg
from .reader import read_source
from .render import render
from .sections import build_document

log = logging.getLogger("deckbuilder")

MARKDOWN_SUFFIXES = (".md", ".markdown")
DEFAULT_ROOT_DECK = "Interview Prep"
ID_STRIDE = 100  # note ids leave room for the card ids genanki numbers after them


@dataclass(frozen=True)
class BuiltDocument:
    document: Document
    specs: tuple[CardSpec, ...]
    deck: str
    doc_id: str


@dataclass
class BuildResult:
    documents: list[BuiltDocument] = field(default_factory=list)
    notes: list[NoteRecord] = field(default_factory=list)
    output: Path | None = None

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
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return int(epoch) if epoch.isdigit() else int(time.time())


def to_records(docs: list[BuiltDocument], timestamp: int) -> list[NoteRecord]:
    records = []
    seen: dict[str, str] = {}
    due = 0
    for doc in docs:
        doc_slug = slug(doc.doc_id)
        for spec in doc.specs:
            guid = note_guid(doc.doc_id, spec)
            where = f"{doc.document.source.path}:{spec.line}"
            if guid in seen:
                log.warning("%s: duplicate of the card at %s; skipped", where, seen[guid])
                continue
            seen[guid] = where
            rendered = render(spec, doc.document.title)
            records.append(
                NoteRecord(
                    guid=guid,
                    note_kind=rendered.note_kind,
                    fields=rendered.fields,
                    tags=tags_for(doc_slug, spec),
                    deck=doc.deck,
                    due=due,
                    mod=timestamp,
                    note_id=timestamp * 1000 + due * ID_STRIDE,
                )
            )
            due += 1
    return records


def build(paths: list[Path], out: Path) -> BuildResult:
    """Build one ``.apkg`` from ``paths`` into ``out`` (a file or a folder)."""
    docs = load_documents(paths)
    timestamp = build_timestamp()
    records = to_records(docs, timestamp)
    target = out / "deck.apkg" if out.suffix.lower() != ".apkg" else out
    if out.suffix.lower() != ".apkg":
        out.mkdir(parents=True, exist_ok=True) if not out.exists() else None
    write_apkg(records, target, model_mods={k: timestamp for k in NoteKind}, zip_time=timestamp)
    return BuildResult(docs, records, target)
