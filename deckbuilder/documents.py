"""One guide at a time: find it, read it, and turn it into rendered notes.

Everything here depends on one file alone (plus the settings), so it runs in worker
processes and its result is kept in the per-file cache. ``load_documents`` is the whole
of it for commands that only look at cards (``cards``, ``preview``); ``build`` adds the
lock, the store and the package.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import astuple, dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Union

from .cache import FileCache, entry_key, note_from_json, note_to_json
from .changes import Candidate
from .config import DOCUMENT_KEYS, Config, DocumentSettings, document_settings
from .errors import BuildErrors, DeckbuilderError, InputError
from .extractors import REGISTRY, extract
from .identity import note_guid
from .model import CardSpec, Document, SourceWarning
from .package import NoteRecord
from .pool import Progress, run_jobs
from .reader import MAX_BYTES, parse_source, read_source, relative_path
from .render import render
from .sections import build_document
from .store import KeptDocument
from .stories import FOLDER as STORY_FOLDER
from .story_cards import DECK as STORY_DECK
from .story_cards import DOC_ID as STORY_DOC
from .story_cards import on_questions, story_specs

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
    warnings: tuple[SourceWarning, ...] = ()  # every warning about the guide, kept with it in the cache
    base_deck: str = ""  # the deck before two guides with one title were told apart
    key: str = ""  # the cache key of the file it came from
    document: Document | None = None  # the section tree, kept with the specs (for ``check``)


def gather(paths: list[Path]) -> list[tuple[Path, Path]]:
    """Markdown files to read, each once, with the root its identity is relative to; all
    problems at once."""
    found: list[tuple[Path, Path]] = []
    errors: list[DeckbuilderError] = []
    for path in paths:
        if not path.exists():
            errors.append(InputError("no such file or folder", str(path)))
        elif path.is_dir():
            files = sorted(
                p for p in path.rglob("*")
                if p.suffix.lower() in MARKDOWN_SUFFIXES and p.is_file() and not _hidden(p, path)
                and not _story_bank(p, path) and _inside(p, path)
            )
            if not files:
                errors.append(InputError("this folder has no markdown files (*.md)", str(path)))
            found.extend((f, path) for f in files)
        else:
            found.append((path, path.parent))
    errors.extend(InputError("the file name is not UTF-8; rename the file", str(p)) for p, _ in found
                  if not _utf8_name(p))
    _raise_all(errors)
    seen: set[str] = set()
    unique = []
    for path, root in found:  # a file named both on its own and through its folder is read once
        where = os.path.abspath(path)
        if where not in seen:
            seen.add(where)
            unique.append((path, root))
    return unique


def _raise_all(errors: list[DeckbuilderError]) -> None:
    if errors:
        raise errors[0] if len(errors) == 1 else BuildErrors(errors)


def _inside(path: Path, root: Path) -> bool:
    """A link inside a guides folder may point only to a file inside that folder: a link to
    ``/etc/passwd`` or a home folder is not a guide, and its text must not reach a deck."""
    if not path.is_symlink() and not any(p.is_symlink() for p in path.relative_to(root).parents):
        return True
    try:
        path.resolve(strict=True).relative_to(root.resolve())
        return True
    except (OSError, ValueError, RuntimeError):
        log.warning("%s: a link to a file outside %s; skipped", path, root)
        return False


def _utf8_name(path: Path) -> bool:
    try:
        str(path).encode("utf-8")
        return True
    except UnicodeEncodeError:
        return False


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def _story_bank(path: Path, root: Path) -> bool:
    """``stories/`` at the top of a guides folder is the user's story bank (issue 14), never guides."""
    parts = path.relative_to(root).parts
    return len(parts) > 1 and parts[0] == STORY_FOLDER


def deck_name(root_deck: str, rel: str, title: str) -> str:
    folders = [_humanise(p) for p in Path(rel).parent.parts]
    return "::".join([root_deck, *folders, title.replace("::", ":")])


def _humanise(name: str) -> str:
    name = re.sub(r"^\d+[-_ ]+", "", name)
    return name.replace("-", " ").replace("_", " ").strip().title() or name


@lru_cache(maxsize=4096)  # every card of a section asks again for its titles' slugs
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
    """Everything that depends on one file alone: read, parse, extract, render. None if skipped.
    Every warning about the guide comes back in its ``warnings``; ``build`` and ``check``
    both go through here, so they cannot disagree about a guide."""
    if config.bank is not None and str(path) == config.bank.folder:  # issue 14: the story bank
        return story_document(path, config, keep_specs)
    source = read_source(path, root) if data is None else parse_source(data, str(path), relative_path(path, root))
    warnings = []
    if source.repaired:
        warnings.append(SourceWarning(str(path), 0, f"repaired broken encoding (UTF-8 misread as {source.repaired}); "
                                      "run `deckbuilder check --fix-encoding` to repair the file", "encoding"))
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
    extraction = extract(document, config.enabled(list(REGISTRY), settings))
    # issue 14: each interview question shows the user's stories that answer it
    specs = tuple(on_questions(extraction.specs, config.bank))
    warnings.extend(document.warnings + extraction.warnings)
    if not specs:
        warnings.append(SourceWarning(str(path), 0, "no study material found; it adds no cards", "no-material"))
    ident = doc_id(source.rel)
    deck = deck_name(config.root_deck, source.rel, settings.deck or document.title)
    notes: list[Candidate] = []
    seen: dict[str, str] = {}
    for spec, cand in zip(specs, _render_notes(str(path), ident, document.title, deck, specs, config), strict=True):
        if cand.record.guid in seen:
            warnings.append(SourceWarning(str(path), spec.line, f"same card as {seen[cand.record.guid]}; skipped",
                                          "duplicate"))
            continue
        seen[cand.record.guid] = cand.where
        notes.append(cand)
    return BuiltDocument(str(path), source.rel, document.title, deck, ident, specs if keep_specs else None,
                         tuple(notes), source.repaired, tuple(warnings), base_deck=deck,
                         document=document if keep_specs else None)


def story_document(path: Path, config: Config, keep_specs: bool = True) -> BuiltDocument:
    """The story bank as one document: a note per story, in the root deck's "Your stories"."""
    assert config.bank is not None
    pairs = story_specs(config.bank)
    specs = tuple(spec for _, spec in pairs)
    deck = f"{config.root_deck}::{STORY_DECK}"
    notes = tuple(replace(cand, where=f"{story.path}:{story.line}")  # the story's own file, not the folder
                  for cand, (story, _) in zip(_render_notes(str(path), STORY_DOC, STORY_DECK, deck, specs, config),
                                              pairs, strict=True))
    return BuiltDocument(str(path), STORY_DOC, STORY_DECK, deck, STORY_DOC, specs if keep_specs else None, notes,
                         base_deck=deck)


def story_sources(config: Config, fingerprint: str) -> list[Source]:
    """The story bank, when there is one, as one more source after the guides; its cache
    key covers every story's whole text (the settings' fingerprint only what questions show)."""
    if config.bank is None:
        return []
    folder = Path(config.bank.folder)
    data = config.bank.digest().encode("ascii")
    return [Source(folder, folder.parent, STORY_DOC, data, entry_key(data, str(folder), STORY_DOC, fingerprint))]


def _render_notes(
    path: str, ident: str, title: str, deck: str, specs: tuple[CardSpec, ...], config: Config
) -> Iterator[Candidate]:
    doc_slug = slug(ident)
    for spec in specs:
        rendered = render(spec, title, math=config.math)
        tags = tags_for(config.tag_prefix, doc_slug, spec)
        record = NoteRecord(note_guid(ident, spec), rendered.note_kind, rendered.fields, tags, deck, 0, 0, 0)
        key = " ".join(spec.front.split())
        yield Candidate(record, ident, spec.kind.value, " / ".join(spec.section_path), key, f"{path}:{spec.line}")


Job = tuple[Path, Path, Config, "bytes | None", "Path | None", str, bool]


def _process_job(job: Job) -> Outcome:
    """Process one file and cache the result (in the worker, so both cores share that work).
    An error comes back as a value, its class, path and line kept (``DeckbuilderError``
    pickles whole), so that one failing guide does not hide the others'."""
    path, root, config, data, cache_dir, key, keep_specs = job
    try:
        doc = process_file(path, root, config, data, keep_specs)
    except DeckbuilderError as err:
        return err
    if key:
        FileCache(cache_dir).put(key, _doc_to_json(doc))
    return doc


Outcome = Union["BuiltDocument", None, DeckbuilderError]


def _doc_to_json(doc: BuiltDocument | None) -> dict[str, Any]:
    if doc is None:
        return {"skipped": True}
    return {
        "path": doc.path, "rel": doc.rel, "title": doc.title, "deck": doc.deck, "doc_id": doc.doc_id,
        "repaired": doc.repaired, "warnings": [astuple(w) for w in doc.warnings], "base_deck": doc.base_deck,
        "notes": [note_to_json(n) for n in doc.notes],
    }


def _doc_from_json(data: dict[str, Any]) -> BuiltDocument | None:
    if data.get("skipped") is True:
        return None
    return BuiltDocument(
        str(data["path"]), str(data["rel"]), str(data["title"]), str(data["deck"]), str(data["doc_id"]),
        None, tuple(note_from_json(n) for n in data["notes"]),
        str(data["repaired"]), tuple(SourceWarning(*w) for w in data["warnings"]), str(data["base_deck"]),
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
    fingerprint = config_fingerprint(config)
    sources = read_sources(gather(paths), fingerprint) + story_sources(config, fingerprint)  # issue 14
    docs = [doc for doc in process_sources(sources, config, cache_dir=cache_dir, workers=workers)
            if doc is not None]
    require_cards(docs, ", ".join(str(p) for p in paths))
    for doc in docs:
        for warning in doc.warnings:
            log.warning("%s", warning)
    decks, warnings = distinct_decks([(d.path, d.rel, d.title, d.deck) for d in docs])
    for warning in warnings:
        log.warning("%s", warning)
    return [with_deck(doc, deck) for doc, deck in zip(docs, decks, strict=True)]


def require_cards(docs: Sequence[BuiltDocument | KeptDocument], where: str) -> None:
    """A build needs at least one note from at least one guide."""
    if not any(doc.notes for doc in docs):
        raise InputError("nothing to build: no guide gave any cards (see the warnings above)", where,
                         warnings=tuple(w for doc in docs for w in doc.warnings))


def process_sources(
    sources: list[Source], config: Config, *, cache_dir: Path | None = None, workers: int = 1,
    write_cache: bool = True, progress: Progress | None = None,
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
    outcomes = run_jobs(_process_job, [job for _, job in todo], workers, progress)
    for (index, _job), outcome in zip(todo, outcomes, strict=True):
        results[index] = outcome
    errors = [outcome for outcome in results if isinstance(outcome, DeckbuilderError)]
    _raise_all(errors)
    return [replace(doc, key=src.key) if isinstance(doc, BuiltDocument) else None
            for src, doc in zip(sources, results, strict=True)]


def config_fingerprint(config: Config) -> str:
    """Changes when the settings or deckbuilder's own code change."""
    h = hashlib.sha256(repr(config).encode("utf-8"))
    for module in sorted(Path(__file__).parent.rglob("*.py")):
        h.update(module.read_bytes())
    return h.hexdigest()


def distinct_decks(docs: list[tuple[str, str, str, str]]) -> tuple[list[str], list[SourceWarning]]:
    """Each (path, rel, title, deck)'s final deck, and warnings: two guides with the same
    title would share a deck, so each is named after its file instead."""
    by_deck: dict[str, list[str]] = {}
    for path, _, _, deck in docs:
        by_deck.setdefault(deck, []).append(path)
    out: list[str] = []
    warnings: list[SourceWarning] = []
    for path, rel, title, deck in docs:
        twins = by_deck[deck]
        if len(twins) > 1:
            warnings.append(SourceWarning(path, 0, f"the title {title!r} is also used by "
                                          f"{', '.join(t for t in twins if t != path)}; its deck is named after "
                                          "the file instead", "deck-name"))
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
