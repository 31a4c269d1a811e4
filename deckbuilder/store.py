"""The last build's notes and cards, per guide, so a rebuild redoes only the guides that changed.

A SQLite file in the cache folder. Each guide's rows are kept under the cache key of the
file they came from (its bytes, its name, the settings and deckbuilder's own code). A
rebuild re-reads only the guides whose key changed and keeps every other guide's rows as
they are. The package is always written *from the store*, with the same statements
whether one guide or all of them were redone, so an incremental build is byte-identical
to a cold one.

The store is trusted only when the manifest of the last successful build names its exact
SHA-256 (and that of the lock it was built with): a crash midway, a git checkout of
another lock, a damaged or foreign file all start it afresh. A build without the cache
uses a throwaway store in a temporary folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import astuple, dataclass
from pathlib import Path
from typing import Any

from .model import SourceWarning
from .notetypes import NOTE_TYPES
from .package import ID_STRIDE, NoteRecord, card_ids, deck_id

STORE_NAME = "build.sqlite"
FORMAT = "2"  # 2: warnings stored as (path, line, message, kind)

SCHEMA = """
CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE docs (
    path TEXT PRIMARY KEY, doc TEXT NOT NULL, rel TEXT NOT NULL, key TEXT NOT NULL, title TEXT NOT NULL,
    base_deck TEXT NOT NULL, deck TEXT NOT NULL, counts TEXT NOT NULL, warnings TEXT NOT NULL,
    notes INTEGER NOT NULL, lock_start INTEGER NOT NULL, lock_end INTEGER NOT NULL
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


def file_sha256(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


class Store:
    """Open with ``Store.open``; a context manager that closes (and removes a throwaway) store."""

    def __init__(self, path: Path, conn: sqlite3.Connection, scratch: tempfile.TemporaryDirectory[str] | None):
        self.path = path
        self.conn = conn
        self._scratch = scratch

    @classmethod
    def open(cls, folder: Path | None, trusted_sha: str = "", *, writable: bool = True) -> Store:
        """The store in ``folder`` if its digest is ``trusted_sha``; otherwise a new, empty one.
        Without a folder, or when it cannot be written: an empty store in a temporary folder,
        deleted on close. Not ``writable`` (a dry run): the folder's store is only read, and
        an untrusted one is left alone."""
        if folder is not None and not writable:
            path = folder / STORE_NAME
            if trusted_sha and _trusted(path, trusted_sha):
                try:
                    return cls(path, _connect(path), None)
                except sqlite3.Error:
                    pass
        elif folder is not None:
            path = folder / STORE_NAME
            try:
                if not (trusted_sha and _trusted(path, trusted_sha)):
                    _remove(path)
                    folder.mkdir(parents=True, exist_ok=True)
                try:
                    return cls(path, _connect(path), None)
                except sqlite3.DatabaseError:  # another format of store
                    _remove(path)
                    return cls(path, _connect(path), None)
            except (OSError, sqlite3.Error):
                pass  # a store that cannot be kept only costs speed
        scratch = tempfile.TemporaryDirectory(prefix="deckbuilder-")
        path = Path(scratch.name) / STORE_NAME
        return cls(path, _connect(path), scratch)

    @property
    def lasting(self) -> bool:
        """Is this the store in the cache folder (not a throwaway)?"""
        return self._scratch is None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.conn.close()
        if self._scratch is not None:
            self._scratch.cleanup()

    def documents(self) -> dict[str, KeptDocument]:
        """Kept guides by path."""
        out = {}
        for row in self.conn.execute("SELECT * FROM docs"):
            path, doc, rel, key, title, base_deck, deck, counts, warnings, notes, start, end = row
            out[path] = KeptDocument(path, doc, rel, key, title, base_deck, deck, json.loads(counts),
                                    tuple(SourceWarning(*w) for w in json.loads(warnings)), notes, (start, end))
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
    ) -> None:
        """Every guide's entry, the rows of the guides in ``redone`` (by path) and the tombstones.
        Guides no longer present lose their rows."""
        present = {d.path for d in documents}
        conn = self.conn
        # No rollback journal (it would hold every page this changes in memory): a build that
        # fails midway leaves a store whose digest the manifest does not vouch for.
        conn.execute("BEGIN")
        gone = [(p,) for (p,) in conn.execute("SELECT path FROM docs") if p not in present or p in redone]
        if present <= set(redone):
            conn.execute("DELETE FROM notes")  # everything redone: truncate rather than delete row by row
            conn.execute("DELETE FROM cards")
        for table in ("notes", "cards"):
            conn.executemany(f"DELETE FROM {table} WHERE path = ?", gone)
            conn.execute(f"DELETE FROM {table} WHERE path IS NULL")
        conn.execute("DELETE FROM docs")
        spill_from = max([self.max_note_id(), *(r.note_id for rs in redone.values() for r in rs),
                          *(r.note_id for r in tombstones)])
        conn.executemany("INSERT INTO docs VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", (
            (d.path, d.doc_id, d.rel, d.key, d.title, d.base_deck, d.deck, json.dumps(d.counts),
             json.dumps([astuple(w) for w in d.warnings]), d.notes, *d.lock_span) for d in documents
        ))
        groups: list[tuple[str | None, list[NoteRecord]]] = [*redone.items(), (None, tombstones)]
        conn.executemany("INSERT INTO notes VALUES (?,?,?,?,?,?,?,?,?)", _note_rows(groups))
        spilled: list[int] = []
        conn.executemany("INSERT INTO cards VALUES (?,?,?,?,?,?,?)", _card_rows(groups, spill_from, spilled))
        # kept spilled ids would differ from a cold build's once a higher note id arrives
        conn.execute("INSERT OR REPLACE INTO meta VALUES ('spills', ?)", ("1" if spilled else "0",))
        conn.execute("COMMIT")

    def digest(self) -> str:
        return file_sha256(self.path)


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


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        # a crash midway leaves a store the manifest no longer vouches for: no need to sync
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("PRAGMA journal_mode = OFF")
        if not conn.execute("SELECT 1 FROM sqlite_schema WHERE name = 'meta'").fetchone():
            conn.executescript(SCHEMA)
            conn.execute("INSERT INTO meta VALUES ('format', ?)", (FORMAT,))
        elif conn.execute("SELECT value FROM meta WHERE name = 'format'").fetchone() != (FORMAT,):
            raise sqlite3.DatabaseError("another format of store")
    except BaseException:
        conn.close()
        raise
    return conn


def _trusted(path: Path, sha: str) -> bool:
    try:
        return file_sha256(path) == sha
    except OSError:
        return False


def _remove(path: Path) -> None:
    for p in (path, path.with_name(path.name + "-journal")):
        try:
            os.unlink(p)
        except FileNotFoundError:
            pass
