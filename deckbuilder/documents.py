"""One guide at a time: find it, read it, and turn it into rendered notes.

Everything here depends on one file alone (plus the settings), so it runs in worker
processes and its result is kept as a sealed entry in the cache database (the caller
passes the entries in and takes the new ones out: nothing here opens the cache).
``load_documents`` is the whole of it for commands that only look at cards (``cards``,
``preview``); ``build`` adds the lock, the store and the package.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Union

from .cache import entry_key, pack_entry, unpack_entry, warnings_from_json, warnings_to_json
from .card_html import template_ordinals
from .config import DOCUMENT_KEYS, STORIES_FOLDER, Config, DocumentSettings, document_settings
from .errors import BuildErrors, DeckbuilderError, InputError
from .identity import note_guid
from .model import CardSpec, Guide, NoteKind, RenderedNote, SourceWarning
from .pool import Progress, run_jobs
from .reader import MAX_BYTES, parse_source, read_source, relative_path

# The parser, the extractors and the renderer are imported by the functions that use them:
# a build that finds nothing changed never needs them (a sixth of a second of start-up).

log = logging.getLogger("deckbuilder")

MARKDOWN_SUFFIXES = (".md", ".markdown")


def gather(paths: list[Path]) -> list[tuple[Path, Path]]:
    """Markdown files to read, each once, with the root its identity is relative to; all
    problems at once."""
    found: list[tuple[Path, Path]] = []
    errors: list[DeckbuilderError] = []
    for path in paths:
        if not path.exists():
            errors.append(InputError("no such file or folder", str(path)))
        elif path.is_dir():
            files = _markdown_files(path)
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


def _markdown_files(root: Path) -> list[Path]:
    """The markdown files under ``root``, sorted: none in hidden folders (``.git``), none
    hidden, none in the story bank (``stories/`` at the top, issue 14: the user's stories,
    never guides), and no link to a file outside ``root``. Linked folders are not entered.
    (The folder entries say what is a file, a folder or a link: at 1,000 guides, a third of
    the time ``rglob`` and a stat of every file and its parents took.)"""
    files = []
    folders = [(str(root), True)]
    while folders:
        folder, at_top = folders.pop()
        try:
            with os.scandir(folder) as found:
                entries = list(found)
        except OSError:
            continue  # unreadable: as rglob, pass it by
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False):
                if not (at_top and entry.name == STORIES_FOLDER):
                    folders.append((entry.path, False))
            elif os.path.splitext(entry.name)[1].lower() in MARKDOWN_SUFFIXES and entry.is_file() and (
                    not entry.is_symlink() or _inside(Path(entry.path), root)):
                files.append(Path(entry.path))
    return sorted(files)


def _inside(link: Path, root: Path) -> bool:
    """A link inside a guides folder may point only to a file inside that folder: a link to
    ``/etc/passwd`` or a home folder is not a guide, and its text must not reach a deck."""
    try:
        link.resolve(strict=True).relative_to(root.resolve())
        return True
    except (OSError, ValueError, RuntimeError):
        log.warning("%s: a link to a file outside %s; skipped", link, root)
        return False


def _utf8_name(path: Path) -> bool:
    try:
        str(path).encode("utf-8")
        return True
    except UnicodeEncodeError:
        return False


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
    section = _section_tag(spec.section_path)
    path_tag = f"{prefix}::{doc_slug}" + (f"::{section}" if section else "")
    return (path_tag, f"{prefix}::kind::{spec.kind.value.replace('_', '-')}")


@lru_cache(maxsize=4096)  # every card of a section has the same path
def _section_tag(path: tuple[str, ...]) -> str:
    return "::".join(slug(p) for p in path)


def process_file(
    path: Path, root: Path, config: Config, data: bytes | None = None, keep_specs: bool = True
) -> Guide | None:
    """Everything that depends on one file alone: read, parse, extract, render. None if skipped.
    Every warning about the guide comes back in its ``warnings``; ``build`` and ``check``
    both go through here, so they cannot disagree about a guide."""
    from .extractors import REGISTRY, extract
    from .sections import build_document
    from .story_cards import on_questions

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
    notes: list[RenderedNote] = []
    seen: dict[str, str] = {}
    for spec, note in _render_notes(str(path), ident, document.title, deck, specs, config):
        if note.guid in seen:
            warnings.append(SourceWarning(str(path), spec.line, f"same card as {seen[note.guid]}; skipped",
                                          "duplicate"))
            continue
        seen[note.guid] = note.where
        notes.append(note)
    return Guide(str(path), "", source.rel, ident, "", document.title, deck, deck, tuple(warnings), tuple(notes),
                 _counts(notes), specs=specs if keep_specs else None, repaired=source.repaired,
                 document=document if keep_specs else None)


def story_document(path: Path, config: Config, keep_specs: bool = True) -> Guide:
    """The story bank as one document: a note per story, in the root deck's "Your stories"."""
    from .story_cards import DECK as STORY_DECK
    from .story_cards import DOC_ID as STORY_DOC
    from .story_cards import story_specs

    assert config.bank is not None
    pairs = story_specs(config.bank)
    specs = tuple(spec for _, spec in pairs)
    deck = f"{config.root_deck}::{STORY_DECK}"
    notes = tuple(replace(note, where=f"{story.path}:{story.line}")  # the story's own file, not the folder
                  for (_, note), (story, _) in zip(_render_notes(str(path), STORY_DOC, STORY_DECK, deck, specs,
                                                                 config), pairs, strict=True))
    return Guide(str(path), "", STORY_DOC, STORY_DOC, "", STORY_DECK, deck, deck, (), notes, _counts(notes),
                 specs=specs if keep_specs else None)


def story_sources(config: Config, fingerprint: str) -> list[Source]:
    """The story bank, when there is one, as one more source after the guides; its cache
    key covers every story's whole text (the settings' fingerprint only what questions show)."""
    from .story_cards import DOC_ID as STORY_DOC

    if config.bank is None:
        return []
    folder = Path(config.bank.folder)
    data = config.bank.digest().encode("ascii")
    file = str(folder.resolve())
    return [Source(folder, folder.parent, STORY_DOC, data, entry_key(data, file, STORY_DOC, fingerprint), file)]


def _counts(notes: Sequence[RenderedNote]) -> tuple[tuple[str, int], ...]:
    """Notes per note kind, in order of first appearance."""
    return tuple(Counter(n.note_kind.value for n in notes).items())


def _render_notes(
    path: str, ident: str, title: str, deck: str, specs: tuple[CardSpec, ...], config: Config
) -> Iterator[tuple[CardSpec, RenderedNote]]:
    from .render import render

    doc_slug = slug(ident)
    for spec in specs:
        rendered = render(spec, title, math=config.math)
        tags = tags_for(config.tag_prefix, doc_slug, spec)
        key = " ".join(spec.front.split())
        cards = template_ordinals(rendered.note_kind is NoteKind.CLOZE, rendered.fields[0])
        yield spec, RenderedNote(note_guid(ident, spec), rendered.note_kind, rendered.fields, tags, deck, ident,
                                 spec.kind.value, " / ".join(spec.section_path), key, cards, f"{path}:{spec.line}")


Job = tuple[Path, Path, Config, "bytes | None", bool]


def _process_job(job: Job) -> Outcome:
    """Process one file. An error comes back as a value, its class, path and line kept
    (``DeckbuilderError`` pickles whole), so that one failing guide does not hide the others'."""
    path, root, config, data, keep_specs = job
    try:
        return process_file(path, root, config, data, keep_specs)
    except DeckbuilderError as err:
        return err


def _process_and_pack(job: tuple[Job, str]) -> tuple[Outcome, bytes | None]:
    """Process one file and pack its cache entry under ``key`` ("": none wanted), in the
    worker, so both cores share that work too."""
    inner, key = job
    outcome = _process_job(inner)
    if not key or isinstance(outcome, DeckbuilderError):
        return outcome, None
    return outcome, pack_entry(key, _doc_to_json(outcome))


Outcome = Union[Guide, None, DeckbuilderError]
_NOTE_KINDS = {kind.value: kind for kind in NoteKind}


def _doc_to_json(doc: Guide | None) -> dict[str, Any]:
    if doc is None or doc.notes is None:
        return {"skipped": True}
    return {
        "path": doc.path, "rel": doc.rel, "title": doc.title, "deck": doc.deck, "doc_id": doc.doc_id,
        "repaired": doc.repaired, "warnings": warnings_to_json(doc.warnings), "base_deck": doc.base_deck,
        "notes": [_note_to_json(n) for n in doc.notes],
    }


def _note_to_json(n: RenderedNote) -> list[Any]:
    return [n.guid, n.note_kind.value, list(n.fields), list(n.tags), n.deck, n.doc, n.kind, n.section, n.key,
            n.where]


def _doc_from_json(data: dict[str, Any], shown: str) -> Guide | None:
    """A cached guide; anything of the wrong shape raises (and the entry is rebuilt). The
    entry may have been made with the path spelt another way (``guides/a.md`` and
    ``/abs/guides/a.md`` share one entry): messages use ``shown``, as given this time."""
    if data.get("skipped") is True:
        return None
    path = str(data["path"])
    notes = tuple(_note_from_json(n, path, shown) for n in data["notes"])
    return Guide(shown, "", str(data["rel"]), str(data["doc_id"]), "", str(data["title"]), str(data["base_deck"]),
                 str(data["deck"]), respell(warnings_from_json(data["warnings"]), path, shown), notes,
                 _counts(notes), repaired=str(data["repaired"]))


def _note_from_json(row: list[Any], path: str, shown: str) -> RenderedNote:
    guid, note_kind, fields_, tags, deck, doc, kind, section, key, where = row
    if not all(isinstance(x, str) for x in (guid, deck, doc, kind, section, key, where, *fields_, *tags)):
        raise ValueError("cached note with non-text values")
    if path != shown and where.startswith(path + ":"):
        where = shown + where[len(path):]
    kind_ = _NOTE_KINDS[note_kind]
    return RenderedNote(guid, kind_, tuple(fields_), tuple(tags), deck, doc, kind, section, key,
                        template_ordinals(kind_ is NoteKind.CLOZE, fields_[0]), where)


def respell(warnings: tuple[SourceWarning, ...], path: str, shown: str) -> tuple[SourceWarning, ...]:
    """A guide's warnings made when it was named ``path``, for the guide now named ``shown``."""
    if path == shown:
        return warnings
    return tuple(replace(w, path=shown) if w.path == path else w for w in warnings)


@dataclass(frozen=True)
class Source:
    """A markdown file found by ``gather``, read once: its bytes name its cache entry."""

    path: Path
    root: Path
    doc_id: str
    data: bytes | None  # None when too big or unreadable (processing gives the message), or ``unread``
    key: str  # the cache key; "" without data
    file: str = ""  # the resolved path: the guide's identity, however it was spelt
    seen: str = ""  # the file's size and times before it was read; "" when too recent to vouch for its bytes
    unread: bool = False  # not read: the last build saw it ``seen`` as it is now, and ``key`` is that build's


Known = dict[str, tuple[str, str]]  # what the last build saw of each file (``Source.seen``) and its key, by file
RECENT_NS = 2_000_000_000  # a file changed this recently may change again within the same tick of its clock


def read_sources(files: list[tuple[Path, Path]], fingerprint: str, known: Known | None = None) -> list[Source]:
    """Each file read and named by its cache key, in order. The size and times of each file
    are taken before it is read, so that a save during the build shows to the next one. A
    file whose size, modification and change times are what the last build saw (``known``)
    is not read again: its bytes are the ones that build read, under the key it recorded
    (``Source.unread``; ``build`` reads it when it must be redone). The change time is there
    because no one but the kernel sets it: an edit that puts the modification time back
    still shows. A modification time within ``RECENT_NS`` of now never vouches for the bytes
    (as git does with a racily clean file): a second save in the same tick of the clock
    would leave size and times as they were."""
    out = []
    known = known or {}
    recent = time.time_ns() - RECENT_NS
    roots = {root: root.resolve() for root in {root for _, root in files}}
    folders: dict[Path, Path] = {}
    for path, root in files:
        rel = _relative(path, roots[root], folders)
        file = str(roots[root] / rel)
        try:
            st = path.stat()
            seen = f"{st.st_size} {st.st_mtime_ns} {st.st_ctime_ns}" if st.st_mtime_ns < recent else ""
            last = known.get(file)
            if seen and last is not None and last[0] == seen:
                out.append(Source(path, root, doc_id(rel), None, last[1], file, seen, unread=True))
                continue
            data = path.read_bytes() if st.st_size <= MAX_BYTES else None
        except OSError:
            seen, data = "", None  # read_source gives the message
        key = entry_key(data, file, rel, fingerprint) if data is not None else ""
        out.append(Source(path, root, doc_id(rel), data, key, file, seen))
    return out


def _relative(path: Path, resolved_root: Path, folders: dict[Path, Path]) -> str:
    """``reader.relative_path``, with each folder resolved once (``folders``): a file that is not
    a link resolves to its resolved folder and its name. (Resolving every path whole took a
    tenth of a second at 1,000 guides.)"""
    try:
        if path.is_symlink():
            return path.resolve().relative_to(resolved_root).as_posix()
        folder = folders.get(path.parent)
        if folder is None:
            folder = folders[path.parent] = path.parent.resolve()
        return (folder / path.name).relative_to(resolved_root).as_posix()
    except ValueError:
        return path.name


Entries = Callable[[str], "bytes | None"]  # a sealed cache entry by key, None when there is none


def load_documents(
    paths: list[Path],
    config: Config | None = None,
    *,
    entries: Entries | None = None,
    workers: int = 1,
) -> list[Guide]:
    """Read, extract and render every document (from the cache ``entries`` where it can);
    warn about each, and raise if none gives cards."""
    config = config or Config()
    fingerprint = config_fingerprint(config)
    sources = read_sources(gather(paths), fingerprint) + story_sources(config, fingerprint)  # issue 14
    found, _ = process_sources(sources, config, entries=entries, workers=workers)
    docs = [doc for doc in found if doc is not None]
    require_cards(docs, ", ".join(str(p) for p in paths))
    for doc in docs:
        for warning in doc.warnings:
            log.warning("%s", warning)
    decks, warnings = distinct_decks([(d.path, d.rel, d.title, d.deck) for d in docs])
    for warning in warnings:
        log.warning("%s", warning)
    return [with_deck(doc, deck) for doc, deck in zip(docs, decks, strict=True)]


def require_cards(docs: Sequence[Guide], where: str) -> None:
    """A build needs at least one note from at least one guide."""
    if not any(doc.counts for doc in docs):
        raise InputError("nothing to build: no guide gave any cards (see the warnings above)", where,
                         warnings=tuple(w for doc in docs for w in doc.warnings))


def process_sources(
    sources: list[Source], config: Config, *, entries: Entries | None = None, workers: int = 1,
    pack: bool = False, progress: Progress | None = None,
) -> tuple[list[Guide | None], dict[str, bytes]]:
    """Each source's document (None when skipped), from the cache ``entries`` where it
    can; every failing file is reported before raising. The order is the sources' whatever
    the workers do. With ``pack``, also the new entries to store (by key). With a cache,
    the card specs are not kept (``specs`` is None): a build needs only the notes."""
    results: list[Outcome] = []
    todo: list[tuple[int, tuple[Job, str]]] = []
    for src in sources:
        cached = unpack_entry(src.key, entries(src.key)) if entries is not None and src.key else None
        if cached is not None:
            try:
                results.append(_doc_from_json(cached, str(src.path)))
                continue
            except (KeyError, TypeError, ValueError):
                pass  # a damaged entry: rebuild it
        results.append(None)
        job = (src.path, src.root, config, src.data, entries is None)
        todo.append((len(results) - 1, (job, src.key if pack else "")))
    packed: dict[str, bytes] = {}
    done = run_jobs(_process_and_pack, [job for _, job in todo], workers, progress)
    for (index, (_, key)), (outcome, entry) in zip(todo, done, strict=True):
        results[index] = outcome
        if entry is not None:
            packed[key] = entry
    errors = [outcome for outcome in results if isinstance(outcome, DeckbuilderError)]
    _raise_all(errors)
    docs = [replace(doc, key=src.key, file=src.file) if isinstance(doc, Guide) else None
            for src, doc in zip(sources, results, strict=True)]
    return docs, packed


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


def with_deck(doc: Guide, deck: str) -> Guide:
    """A redone guide moved to ``deck``, its notes too."""
    if deck == doc.deck or doc.notes is None:
        return doc
    return replace(doc, deck=deck, notes=tuple(replace(n, deck=deck) for n in doc.notes))


def candidates(docs: list[Guide]) -> list[RenderedNote]:
    """Every document's notes in document order (their position is their new-card order)."""
    return [cand for _, cands in candidate_groups(docs)[0] for cand in cands]


def candidate_groups(docs: list[Guide]) -> tuple[list[tuple[Guide, list[RenderedNote]]], list[SourceWarning]]:
    """Each redone document with its notes, and a warning per guide that repeats another's
    cards: a note already given by an earlier document is skipped. Only two guides with one
    doc id (``a/intro.md`` and ``b/intro.md`` built together) can give the same note."""
    out = []
    warnings = []
    seen: dict[str, RenderedNote] = {}
    for doc in docs:
        if doc.notes is None:
            continue  # kept as the store has it
        kept = []
        repeated: list[tuple[RenderedNote, RenderedNote]] = []  # (this guide's note, the earlier one)
        for cand in doc.notes:
            first = seen.get(cand.guid)
            if first is not None:
                repeated.append((cand, first))
                continue
            seen[cand.guid] = cand
            kept.append(cand)
        if repeated:
            line = int(repeated[0][0].where.rpartition(":")[2] or 0)
            others = sorted({first.where.rpartition(":")[0] for _, first in repeated})
            warnings.append(SourceWarning(doc.path, line, f"{len(repeated)} card(s) are the same as in "
                                          f"{', '.join(others)} (both are guide {doc.doc_id!r}); skipped: "
                                          "rename one of the files", "duplicate"))
        out.append((doc, kept))
    return out, warnings
