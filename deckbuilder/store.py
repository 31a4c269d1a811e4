"""The cache database: per-guide entries, the last build's notes and cards, the manifest.

One SQLite file in the cache folder (``cache.sqlite``); this module alone speaks its SQL.

- **entries**: each guide's rendered notes and warnings under its cache key (``cache``
  seals them), so an unchanged guide is never read, parsed or rendered again. Entries no
  guide of the last build used are pruned.
- **docs, notes, cards**: the last build's rows, per guide, so a rebuild redoes only the
  guides whose key changed and keeps every other guide's rows as they are. The package
  is always written *from these rows*, with the same statements whether one guide or all
  of them were redone, so an incremental build is byte-identical to a cold one. Each
  guide's rows are sealed by a digest of their content (``seal`` column).
- **meta**: the format, and the sealed manifest of the last build (``cache.Manifest``).

A build writes it in one transaction (a rollback journal: a crash leaves the file as it
was before or after), so no digest of the whole file is needed. The rows are trusted
only when the manifest names the lock on disk and every guide's seal matches its rows: a
git checkout of another lock, a damaged, doctored or foreign file all start them afresh.
A build without the cache uses a throwaway database in a temporary folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .cache import mac, warnings_from_json, warnings_to_json
from .model import SourceWarning
from .notetypes import NOTE_TYPES
from .package import ID_STRIDE, NoteRecord, card_ids, deck_id

CACHE_NAME = "cache.sqlite"
FORMAT = "2"
# what older deckbuilders kept in the cache folder, removed on the first build
_OLD_FILES = ("build.sqlite", "build.sqlite-journal", "manifest.json", "manifest.tmp")

SCHEMA = """
CREATE TABLE meta (name TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE entries (key TEXT PRIMARY KEY, sealed BLOB NOT NULL);
CREATE TABLE docs (
    file TEXT PRIMARY KEY, path TEXT NOT NULL, doc TEXT NOT NULL, rel TEXT NOT NULL, key TEXT NOT NULL,
    title TEXT NOT NULL, base_deck TEXT NOT NULL, deck TEXT NOT NULL, counts TEXT NOT NULL,
    warnings TEXT NOT NULL, notes INTEGER NOT NULL, lock_start INTEGER NOT NULL, lock_end INTEGER NOT NULL,
    seal TEXT NOT NULL
);
CREATE TABLE notes (
    id INTEGER PRIMARY KEY, path TEXT, pos INTEGER NOT NULL, guid TEXT NOT NULL, mid INTEGER NOT NULL,
    mod INTEGER NOT NULL, tags TEXT NOT NULL, flds TEXT NOT NULL, sfld TEXT NOT NULL
);
CREATE TABLE cards (
    id INTEGER PRIMARY KEY, nid INTEGER NOT NULL, path TEXT, pos INTEGER NOT NULL, did INTEGER NOT NULL,
    ord INTEGER NOT NULL, mod INTEGER NOT NULL
);
CREATE INDEX notes_path ON notes (path);
CREATE INDEX cards_path ON cards (path);
"""

# a guide's rows as one text, in id order, each column quoted (so no text can pass for a
# column break); the subquery's order holds since SQLite never flattens an ordered
# subquery into an aggregate
_CONTENT = {
    "notes": "SELECT group_concat(r, char(10)) FROM (SELECT quote(id) || ',' || quote(pos) || ',' || quote(guid) "
             "|| ',' || quote(mid) || ',' || quote(mod) || ',' || quote(tags) || ',' || quote(flds) || ',' || "
             "quote(sfld) AS r FROM notes WHERE path IS ? ORDER BY id)",
    "cards": "SELECT group_concat(r, char(10)) FROM (SELECT quote(id) || ',' || quote(nid) || ',' || quote(pos) "
             "|| ',' || quote(did) || ',' || quote(ord) || ',' || quote(mod) AS r FROM cards WHERE path IS ? "
             "ORDER BY id)",
}


@dataclass(frozen=True)
class KeptDocument:
    """A guide as the last build left it: enough to report on it and to place its rows."""

    path: str  # as given, for messages
    doc_id: str
    rel: str
    key: str  # the cache key of the file these rows came from
    title: str
    base_deck: str  # before two guides with one title were told apart
    deck: str
    counts: dict[str, int]  # notes per note kind
    warnings: tuple[SourceWarning, ...]
    notes: int
    lock_span: tuple[int, int]  # where its notes are in the lock file's text
    file: str = ""  # the resolved path: the guide's identity in the store


class Store:
    """Open with ``Store.open``; a context manager that closes (and removes a throwaway) database."""

    def __init__(self, path: Path, conn: sqlite3.Connection, scratch: tempfile.TemporaryDirectory[str] | None):
        self.path = path
        self.conn = conn
        self._scratch = scratch
        self._fresh = True  # until ``documents`` finds rows it can trust
        self._sealed: dict[str, str] = {}  # content digest of each trusted guide's rows, by file

    @classmethod
    def open(cls, folder: Path | None, *, writable: bool = True) -> Store:
        """The database in ``folder``, made when missing; a damaged one or one of another
        format is made afresh. Without a folder, or when it cannot be written: an empty
        database in a temporary folder, deleted on close. Not ``writable`` (a dry run, or
        a command that only reads): the folder's database is only read, and one that
        cannot be read is left alone."""
        if folder is not None:
            path = folder / CACHE_NAME
            try:
                if not writable:
                    return cls(path, _connect(path, read_only=True), None)
                _remove_old_files(folder)
                folder.mkdir(parents=True, exist_ok=True)
                try:
                    return cls(path, _connect(path), None)
                except sqlite3.DatabaseError:  # damaged, or another format
                    _remove(path)
                    return cls(path, _connect(path), None)
            except (OSError, sqlite3.Error):
                pass  # a cache that cannot be kept only costs speed
        scratch = tempfile.TemporaryDirectory(prefix="deckbuilder-")
        path = Path(scratch.name) / CACHE_NAME
        return cls(path, _connect(path), scratch)

    @property
    def lasting(self) -> bool:
        """Is this the database in the cache folder (not a throwaway)?"""
        return self._scratch is None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.conn.close()
        if self._scratch is not None:
            self._scratch.cleanup()

    # --- entries and manifest ----------------------------------------------------------

    def entry(self, key: str) -> bytes | None:
        """The sealed entry stored under ``key``; None when there is none or it cannot be read."""
        try:
            row = self.conn.execute("SELECT sealed FROM entries WHERE key = ?", (key,)).fetchone()
        except sqlite3.Error:
            return None
        return bytes(row[0]) if row and isinstance(row[0], bytes) else None

    def manifest(self) -> bytes | None:
        """The sealed manifest of the last build; None when there is none or it cannot be read."""
        try:
            row = self.conn.execute("SELECT value FROM meta WHERE name = 'manifest'").fetchone()
        except sqlite3.Error:
            return None
        return bytes(row[0]) if row and isinstance(row[0], bytes) else None

    def set_manifest(self, sealed: bytes) -> None:
        """Replace the manifest alone (once deck and lock are in place); a failure only costs
        the next build its fast path."""
        try:
            self.conn.execute("INSERT OR REPLACE INTO meta VALUES ('manifest', ?)", (sealed,))
        except sqlite3.Error:
            pass

    # --- the build store ---------------------------------------------------------------

    def documents(self) -> dict[str, KeptDocument]:
        """Kept guides by file, when every guide's rows (and the tombstones) match their
        seals; {} otherwise, and the next ``replace`` starts every row afresh. Only ask when
        the manifest vouches for the store (``Manifest.vouches_for``)."""
        out = {}
        try:
            for row in self.conn.execute("SELECT * FROM docs").fetchall():
                file, path, doc, rel, key, title, base_deck, deck, counts, warnings, notes, start, end, seal = row
                content = self._content(file)
                if seal != _seal(row[:-1], content):
                    return {}
                self._sealed[file] = content
                out[file] = KeptDocument(path, doc, rel, key, title, base_deck, deck, json.loads(counts),
                                         warnings_from_json(json.loads(warnings)), notes, (start, end), file)
            if self.get_meta("tombstones") != _seal((self.get_meta("spills"),), self._content(None)):
                return {}
        except (sqlite3.Error, ValueError, TypeError, RecursionError):
            return {}
        self._fresh = False
        return out

    def get_meta(self, name: str, default: str = "") -> str:
        row = self.conn.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return str(row[0]) if row else default

    def max_note_id(self) -> int:
        return int(self.conn.execute("SELECT coalesce(max(id), 0) FROM notes").fetchone()[0])

    def max_mod(self) -> int:
        return int(self.conn.execute("SELECT coalesce(max(mod), 0) FROM notes").fetchone()[0])

    def spills(self) -> bool:
        """Does any kept note have more cards than fit beside its id (see ``package.card_ids``)?"""
        return self.get_meta("spills") == "1"

    def replace(
        self,
        documents: list[KeptDocument],
        redone: dict[str, list[NoteRecord]],
        tombstones: list[NoteRecord],
        *,
        entries: dict[str, bytes],
        manifest: bytes,
    ) -> None:
        """In one transaction: every guide's entry in the docs table, the rows of the guides
        in ``redone`` (by file) and the tombstones, the new ``entries`` (by key) and the
        ``manifest``. Guides no longer present lose their rows; entries that no guide uses
        are pruned."""
        try:
            self._replace(documents, redone, tombstones, entries, manifest)
        except sqlite3.DatabaseError as err:
            if not self.lasting or getattr(err, "sqlite_errorname", "") not in ("SQLITE_CORRUPT", "SQLITE_NOTADB"):
                raise
            self._afresh()  # a damaged file (cut short, overwritten): start it again
            if any(d.file not in redone for d in documents):
                raise  # the kept guides' rows are gone with it: the next build redoes them
            self._replace(documents, redone, tombstones, entries, manifest)
        self._fresh = False

    def _afresh(self) -> None:
        self.conn.close()
        _remove(self.path)
        self.conn = _connect(self.path)
        self._fresh = True
        self._sealed.clear()

    def _replace(
        self, documents: list[KeptDocument], redone: dict[str, list[NoteRecord]], tombstones: list[NoteRecord],
        entries: dict[str, bytes], manifest: bytes,
    ) -> None:
        present = {d.file for d in documents}
        conn = self.conn
        conn.execute("BEGIN")
        try:
            if self._fresh or present <= set(redone):
                conn.execute("DELETE FROM notes")  # everything redone: truncate rather than delete row by row
                conn.execute("DELETE FROM cards")
            else:
                gone = [(p,) for (p,) in conn.execute("SELECT file FROM docs") if p not in present or p in redone]
                for table in ("notes", "cards"):
                    conn.executemany(f"DELETE FROM {table} WHERE path = ?", gone)
                    conn.execute(f"DELETE FROM {table} WHERE path IS NULL")
            conn.execute("DELETE FROM docs")
            spill_from = max([self.max_note_id(), *(r.note_id for rs in redone.values() for r in rs),
                              *(r.note_id for r in tombstones)])
            groups: list[tuple[str | None, list[NoteRecord]]] = [*redone.items(), (None, tombstones)]
            conn.executemany("INSERT INTO notes VALUES (?,?,?,?,?,?,?,?,?)", _note_rows(groups))
            spilled: list[int] = []
            conn.executemany("INSERT INTO cards VALUES (?,?,?,?,?,?,?)", _card_rows(groups, spill_from, spilled))
            for file in redone:
                self._sealed[file] = self._content(file)
            rows = [(d.file, d.path, d.doc_id, d.rel, d.key, d.title, d.base_deck, d.deck, json.dumps(d.counts),
                     json.dumps(warnings_to_json(d.warnings)), d.notes, *d.lock_span) for d in documents]
            conn.executemany("INSERT INTO docs VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                             [(*row, _seal(row, self._sealed[row[0]])) for row in rows])
            # kept spilled ids would differ from a cold build's once a higher note id arrives
            spills = "1" if spilled else "0"
            conn.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", [
                ("spills", spills), ("tombstones", _seal((spills,), self._content(None))), ("manifest", manifest),
            ])
            live = {d.key for d in documents} | set(entries)
            conn.executemany("DELETE FROM entries WHERE key = ?",
                             [(k,) for (k,) in conn.execute("SELECT key FROM entries") if k not in live])
            conn.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?)", entries.items())
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.rollback()
            raise

    def _content(self, file: str | None) -> str:
        """A digest of one guide's notes and cards (``None``: the tombstones), as stored."""
        h = hashlib.sha256()
        for table in ("notes", "cards"):
            (text,) = self.conn.execute(_CONTENT[table], (file,)).fetchone()
            h.update((text or "").encode("utf-8", "surrogateescape") + b"\0")
        return h.hexdigest()


def _seal(row: Iterable[Any], content: str) -> str:
    return mac(json.dumps([*row, content]).encode("utf-8", "surrogateescape"))


_MODEL_IDS = {kind: spec.model_id for kind, spec in NOTE_TYPES.items()}


def _note_rows(groups: Iterable[tuple[str | None, list[NoteRecord]]]) -> Iterator[tuple[Any, ...]]:
    """Rows as genanki's ``Note.write_to_db`` would write them, plus the guide and position."""
    for path, records in groups:
        for pos, n in enumerate(records):
            yield (n.note_id, path, pos if path is not None else 0, n.guid, _MODEL_IDS[n.note_kind], n.mod,
                   " " + " ".join(n.tags) + " ", "\x1f".join(n.fields), n.fields[0])


def _card_rows(
    groups: Iterable[tuple[str | None, list[NoteRecord]]], spill_from: int, spilled: list[int]
) -> Iterator[tuple[Any, ...]]:
    """Card rows without their due position (the package adds the guide's offset); the ids
    of cards that did not fit beside their note's id are appended to ``spilled``."""
    ids = card_ids(spill_from)
    for path, records in groups:
        for pos, n in enumerate(records):
            did = deck_id(n.deck)
            for card_id, ord_ in ids(n):
                if card_id >= n.note_id + ID_STRIDE:
                    spilled.append(card_id)
                yield (card_id, n.note_id, path, pos if path is not None else 0, did, ord_, n.mod)


def _connect(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    if read_only:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
    else:
        conn = sqlite3.connect(path, isolation_level=None)
    try:
        if not read_only:
            # a rollback journal: a transaction cut short by a crash is undone on the next open;
            # NORMAL syncs at each commit, which a cache (nothing here is the user's) can afford to lose
            conn.execute("PRAGMA journal_mode = DELETE")
            conn.execute("PRAGMA synchronous = NORMAL")
        if not conn.execute("SELECT 1 FROM sqlite_schema WHERE name = 'meta'").fetchone():
            if read_only:
                raise sqlite3.DatabaseError("no cache database here")
            conn.executescript(SCHEMA)
            conn.execute("INSERT INTO meta VALUES ('format', ?)", (FORMAT,))
        elif conn.execute("SELECT value FROM meta WHERE name = 'format'").fetchone() != (FORMAT,):
            raise sqlite3.DatabaseError("another format of cache")
    except BaseException:
        conn.close()
        raise
    return conn


def _remove(path: Path) -> None:
    for p in (path, path.with_name(path.name + "-journal")):
        try:
            os.unlink(p)
        except FileNotFoundError:
            pass


def _remove_old_files(folder: Path) -> None:
    """What an older deckbuilder left in the cache folder: a JSON entry per guide (in
    folders named by two hex digits), ``manifest.json`` and ``build.sqlite``."""
    try:
        found = list(folder.iterdir())
    except OSError:
        return
    for p in found:
        if p.name in _OLD_FILES:
            p.unlink(missing_ok=True)
        elif len(p.name) == 2 and all(c in "0123456789abcdef" for c in p.name) and p.is_dir():
            shutil.rmtree(p, ignore_errors=True)
