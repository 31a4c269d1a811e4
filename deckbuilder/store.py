"""The cache database: per-guide entries, the last build's notes and cards, the manifest.

One SQLite file in the cache folder (``cache.sqlite``); this module alone speaks its SQL.

- **entries**: each guide's rendered notes and warnings under its cache key (``cache``
  seals them), so an unchanged guide is never read, parsed or rendered again. Entries no
  guide of the last build used are pruned.
- **docs, notes, cards**: the last build's rows, per guide, so a rebuild redoes only the
  guides whose key changed and keeps every other guide's rows as they are. The package
  is always written *from these rows*, with the same statements whether one guide or all
  of them were redone, so an incremental build is byte-identical to a cold one. Each
  guide's line records a digest of its rows (``content``) and the size and time its file
  had when that build read it (``seen``, so an unchanged file is not read again), under a
  seal (``seal``).
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
import signal
import sqlite3
import tempfile
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from .cache import mac, warnings_from_json, warnings_to_json
from .model import Guide, ReconciledNote
from .notetypes import NOTE_TYPES
from .package import ID_STRIDE, card_ids, deck_id
from .pool import die_with_parent

CACHE_NAME = "cache.sqlite"
FORMAT = "4"
# what older deckbuilders kept in the cache folder, removed on the first build
_OLD_FILES = ("build.sqlite", "build.sqlite-journal", "manifest.json", "manifest.tmp")

SCHEMA = """
CREATE TABLE meta (name TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE entries (key TEXT PRIMARY KEY, sealed BLOB NOT NULL);
CREATE TABLE docs (
    file TEXT PRIMARY KEY, path TEXT NOT NULL, doc TEXT NOT NULL, rel TEXT NOT NULL, key TEXT NOT NULL,
    title TEXT NOT NULL, base_deck TEXT NOT NULL, deck TEXT NOT NULL, counts TEXT NOT NULL,
    warnings TEXT NOT NULL, note_count INTEGER NOT NULL, lock_start INTEGER NOT NULL, lock_end INTEGER NOT NULL,
    seen TEXT NOT NULL, content TEXT NOT NULL, seal TEXT NOT NULL
);
CREATE TABLE notes (
    id INTEGER PRIMARY KEY, path TEXT, pos INTEGER NOT NULL, guid TEXT NOT NULL, mid INTEGER NOT NULL,
    mod INTEGER NOT NULL, tags TEXT NOT NULL, flds TEXT NOT NULL, sfld TEXT NOT NULL
);
CREATE TABLE cards (
    id INTEGER PRIMARY KEY, nid INTEGER NOT NULL, path TEXT, pos INTEGER NOT NULL, did INTEGER NOT NULL,
    ord INTEGER NOT NULL, mod INTEGER NOT NULL
);
CREATE INDEX notes_path ON notes (path, id, pos, mid, mod);
CREATE INDEX cards_path ON cards (path, id, nid, pos, did, ord, mod);
"""

# a guide's notes in id order (the index's order), their text whole (it can carry HTML), joined
# in SQLite so that a check in a thread (where there is no fork) holds the GIL for one row per guide, not per note; the
# numbers of its notes and cards summed (read from indexes that hold them: a third faster)
_TEXTS = ("SELECT path, group_concat(guid || x'00' || tags || x'00' || flds || x'00' || sfld, x'00') "
          "FROM notes INDEXED BY notes_path {} GROUP BY path")
_NUMBERS = ("SELECT path, count(*), sum(id), sum(pos), sum(mid), sum(mod) FROM notes {} GROUP BY path UNION ALL "
            "SELECT path, count(*), sum(id) - sum(nid), sum(pos), sum(did), sum(ord) + sum(mod) FROM cards {} "
            "GROUP BY path")


class Store:
    """Open with ``Store.open``; a context manager that closes (and removes a throwaway) database."""

    def __init__(self, path: Path, conn: sqlite3.Connection, scratch: tempfile.TemporaryDirectory[str] | None):
        self.path = path
        self.conn = conn
        self._scratch = scratch
        self._fresh = True  # until ``documents`` finds rows it can trust
        self._sealed: dict[str | None, str] = {}  # content digest of each trusted guide's rows, by file
        self._check: _RowCheck | None = None  # the check of those digests against the rows, running
        self._checked = False  # has that check passed?
        self.seen: dict[str, str] = {}  # each guide's file as the last build saw it (``Source.seen``), by file
        self._json: dict[str, tuple[Any, Any, str, str]] = {}  # a kept guide's counts and warnings, and as JSON

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
        if self._check is not None:
            self._check.stop()  # its connection closed before the file may go
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

    def documents(self) -> dict[str, Guide]:
        """The last build's guides by file (kept: their ``notes`` None), when every guide's
        line (and the tombstones') matches its seal; {} otherwise, and the next ``replace``
        starts every row afresh. Only ask when the manifest vouches for the store
        (``Manifest.vouches_for``).

        Each line's seal covers a digest of its guide's rows (``content``). Reading every row
        to check those digests costs a third of a second at 1,000 guides, so that is done
        beside the build (``check_rows``, started here if it is not running yet) while the
        caller reads its sources. Nothing of the store may be kept or written until ``trusted`` says that
        check passed."""
        out = {}
        try:
            for row in self.conn.execute("SELECT * FROM docs").fetchall():
                *line, content, seal = row
                file, path, doc, rel, key, title, base_deck, deck, counts, warnings, note_count, start, end, seen = line
                if seal != _seal(line, content):
                    return {}
                self._sealed[file] = content
                self.seen[file] = seen
                guide = Guide(path, file, rel, doc, key, title, base_deck, deck,
                              warnings_from_json(json.loads(warnings)), None, tuple(json.loads(counts).items()),
                              note_count, (start, end))
                self._json[file] = (guide.counts, guide.warnings, counts, warnings)
                out[file] = guide
            tombstones = self.get_meta("tombstone_rows")
            if self.get_meta("tombstones") != _seal((self.get_meta("spills"),), tombstones):
                return {}
            self._sealed[None] = tombstones
        except (sqlite3.Error, ValueError, TypeError, RecursionError):
            self._sealed.clear()
            self.seen.clear()
            self._json.clear()
            return {}
        self.check_rows()
        self._fresh = False
        return out

    def check_rows(self) -> None:
        """Start reading every guide's rows and digesting them, beside the build (``trusted``
        compares the digests with those the sealed docs lines recorded). ``build`` starts it
        once the fast path is passed, so that it is done about when a one-guide rebuild needs it."""
        if self._check is None and not self._checked and self.lasting:
            try:
                self._check = _RowCheck(self.path)
            except (sqlite3.Error, OSError):  # (no process to be had, say)
                pass  # trusted() then says no

    def trusted(self) -> bool:
        """Do the rows of the guides ``documents`` returned match the digests their sealed
        lines recorded (and are there no rows of any other guide)? Waits for the check. When
        they do not, nothing of the store may be used: the next ``replace`` starts it afresh."""
        check, self._check = self._check, None
        found = check.found() if check is not None else None
        expected = self._sealed
        # rows under a guide the docs table does not name would reach the deck unchecked
        if found is not None and expected and set(found) <= set(expected) and all(
                found.get(file, _EMPTY) == digest for file, digest in expected.items()):
            self._checked = True
        if not self._checked:
            self._fresh = True
            self._sealed.clear()
            self.seen.clear()
            self._json.clear()
        return self._checked

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
        guides: list[Guide],
        reconciled: dict[str, list[ReconciledNote]],
        tombstones: list[ReconciledNote],
        *,
        entries: dict[str, bytes],
        live: set[str],
        seen: dict[str, str],
        manifest: bytes,
    ) -> None:
        """In one transaction: every guide's line in the docs table (with its file as this
        build saw it, ``seen``), the rows of the redone guides (``reconciled``: their notes by
        file) and the tombstones, the new ``entries`` (by key) and the ``manifest``. Guides no
        longer present lose their rows; entries under keys not ``live`` (no file of this
        build has those bytes) are pruned."""
        if self._check is not None and not self._fresh:
            raise RuntimeError("the kept rows are written back before their check was asked for (trusted)")
        if self._check is not None:  # nothing kept: the check is of no use
            self._check.stop()
            self._check = None
        try:
            self._replace(guides, reconciled, tombstones, entries, live, seen, manifest)
        except sqlite3.DatabaseError as err:
            if not self.lasting or getattr(err, "sqlite_errorname", "") not in ("SQLITE_CORRUPT", "SQLITE_NOTADB"):
                raise
            self._afresh()  # a damaged file (cut short, overwritten): start it again
            if any(d.file not in reconciled for d in guides):
                raise  # the kept guides' rows are gone with it: the next build redoes them
            self._replace(guides, reconciled, tombstones, entries, live, seen, manifest)
        self._fresh = False

    def _afresh(self) -> None:
        if self._check is not None:
            self._check.stop()
            self._check = None
        self.conn.close()
        _remove(self.path)
        self.conn = _connect(self.path)
        self._fresh = True
        self._sealed.clear()

    def _replace(
        self, guides: list[Guide], reconciled: dict[str, list[ReconciledNote]], tombstones: list[ReconciledNote],
        entries: dict[str, bytes], live: set[str], seen: dict[str, str], manifest: bytes,
    ) -> None:
        present = {d.file for d in guides}
        conn = self.conn
        conn.execute("BEGIN")
        try:
            if self._fresh or present <= set(reconciled):
                conn.execute("DELETE FROM notes")  # everything redone: truncate rather than delete row by row
                conn.execute("DELETE FROM cards")
            else:
                gone = [(p,) for (p,) in conn.execute("SELECT file FROM docs") if p not in present or p in reconciled]
                for table in ("notes", "cards"):
                    conn.executemany(f"DELETE FROM {table} WHERE path = ?", gone)
                    conn.execute(f"DELETE FROM {table} WHERE path IS NULL")
            conn.execute("DELETE FROM docs")
            spill_from = max([self.max_note_id(), *(r.note_id for rs in reconciled.values() for r in rs),
                              *(r.note_id for r in tombstones)])
            groups: list[tuple[str | None, list[ReconciledNote]]] = [*reconciled.items(), (None, tombstones)]
            conn.executemany("INSERT INTO notes VALUES (?,?,?,?,?,?,?,?,?)", _note_rows(groups))
            spilled: list[int] = []
            conn.executemany("INSERT INTO cards VALUES (?,?,?,?,?,?,?)", _card_rows(groups, spill_from, spilled))
            contents = _contents(conn, [*reconciled, None])
            self._sealed.update({file: contents.get(file, _EMPTY) for file in [*reconciled, None]})
            rows = [(d.file, d.path, d.doc_id, d.rel, d.key, d.title, d.base_deck, d.deck, *self._as_json(d),
                     d.note_count, *d.lock_span, seen.get(d.file, "")) for d in guides]
            conn.executemany("INSERT INTO docs VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                             [(*row, self._sealed[row[0]], _seal(row, self._sealed[row[0]])) for row in rows])
            # kept spilled ids would differ from a cold build's once a higher note id arrives
            spills = "1" if spilled else "0"
            dead = self._sealed.pop(None, _EMPTY)
            conn.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", [
                ("spills", spills), ("tombstone_rows", dead), ("tombstones", _seal((spills,), dead)),
                ("manifest", manifest),
            ])
            conn.executemany("DELETE FROM entries WHERE key = ?",
                             [(k,) for (k,) in conn.execute("SELECT key FROM entries") if k not in live])
            conn.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?)", entries.items())
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.rollback()
            raise

    def _as_json(self, guide: Guide) -> tuple[str, str]:
        """A guide's counts and warnings as its docs line keeps them: as read, for a kept guide
        whose counts and warnings are the very ones read (a thousand ``json.dumps`` spared)."""
        counts, warnings, counts_json, warnings_json = self._json.get(guide.file, (None, None, "", ""))
        if guide.counts is counts and guide.warnings is warnings:
            return counts_json, warnings_json
        return json.dumps(dict(guide.counts)), json.dumps(warnings_to_json(guide.warnings))

    def copy_into(self, cursor: sqlite3.Cursor, schema: str, offsets: dict[str, int]) -> None:
        """Copy every note and card, in id order, into the ``notes`` and ``cards`` tables of
        the Anki collection ``cursor`` writes, where this database is attached as ``schema``.
        A card's due position is its guide's offset (``offsets``, by file) plus its place in
        the guide."""
        cursor.execute("CREATE TEMP TABLE offsets (path TEXT PRIMARY KEY, base INTEGER NOT NULL)")
        cursor.executemany("INSERT INTO temp.offsets VALUES (?, ?)", offsets.items())
        cursor.execute(
            "INSERT INTO main.notes SELECT id, guid, mid, mod, -1, tags, flds, sfld, 0, 0, '' "
            f"FROM {schema}.notes ORDER BY id"
        )
        cursor.execute(
            "INSERT INTO main.cards SELECT c.id, c.nid, c.did, c.ord, c.mod, -1, 0, 0, "
            "coalesce(o.base, 0) + c.pos, 0, 0, 0, 0, 0, 0, 0, 0, '' "
            f"FROM {schema}.cards AS c LEFT JOIN temp.offsets AS o ON o.path = c.path ORDER BY c.id"
        )


def _contents(conn: sqlite3.Connection, files: list[str | None] | None = None) -> dict[str | None, str]:
    """A digest of the notes and cards of each guide in ``files`` (all when None; the
    tombstones under None), as stored: every byte of text a note shows, and sums of the
    numbers (which carry no HTML). A guide with no rows has none (``_EMPTY``)."""
    digests: dict[Any, str] = {}  # by path as bytes
    numbers: dict[Any, list[Any]] = {}
    conn.text_factory = bytes  # hashed as stored, never decoded
    try:
        for where, args in [("WHERE path IS ?", (f,)) for f in files] if files is not None else [("", ())]:
            for path, text in conn.execute(_TEXTS.format(where), args):
                digests[path] = hashlib.sha256(text).hexdigest()
            for path, *sums in conn.execute(_NUMBERS.format(where, where), args * 2):
                numbers.setdefault(path, []).append(sums)
    finally:
        conn.text_factory = str
    out = {}
    for raw in digests.keys() | numbers.keys():
        out[raw.decode("utf-8", "surrogateescape") if raw is not None else None] = hashlib.sha256(
            f"{digests.get(raw, '')}{numbers.get(raw)}".encode()).hexdigest()
    return out


class _RowCheck:
    """Every guide's rows read and digested (``_contents``) beside the build, on a
    connection of its own: in a forked process where there is fork, else in a thread.

    A thread shares the build's GIL: SQLite and hashlib let go of it while they work, but
    the thread waits for it again after each guide's rows while the build parses the edited
    guide, and a one-guide rebuild at 1,000 guides waited a third of a second for a check
    that takes that long alone. A process has its own interpreter and runs on the other
    core. It is forked while the build has no other thread at work, and it sends back only
    the digests (JSON); ``stop`` kills it (a build that needs no rows)."""

    def __init__(self, path: Path) -> None:
        self._found: dict[str | None, str] | None = None
        self._done = False
        if hasattr(os, "fork"):
            self._thread = None
            self._pid, self._pipe = _fork_check(path)
        else:
            self._conn = _connect(path, read_only=True, any_thread=True)
            self._thread = threading.Thread(target=self._run, name="deckbuilder-row-check", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        try:
            self._found = _contents(self._conn)
        except (sqlite3.Error, ValueError):
            pass  # interrupted, or unreadable: nothing found, nothing trusted

    def found(self) -> dict[str | None, str] | None:
        """The digests by file (the tombstones under None); None when they could not be read."""
        if self._thread is not None:
            self._thread.join()
            self._conn.close()  # (closing twice is allowed)
        elif not self._done:
            self._done = True
            with os.fdopen(self._pipe, "rb") as pipe:
                sent = pipe.read()
            _, status = os.waitpid(self._pid, 0)
            if status == 0 and sent:
                self._found = {file: digest for file, digest in json.loads(sent)}
        return self._found

    def stop(self) -> None:
        if self._thread is not None:
            if self._thread.is_alive():
                self._conn.interrupt()
        elif not self._done:
            try:
                os.kill(self._pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.found()


def _fork_check(path: Path) -> tuple[int, int]:
    """A child process that writes ``_contents`` of the database at ``path`` (as JSON pairs)
    to a pipe and exits; its pid and the pipe's reading end. Whatever happens in the child,
    it leaves by ``os._exit``: none of the parent's clean-ups (its open connection, buffered
    output, temporary folders) run twice."""
    read, write = os.pipe()
    parent = os.getpid()
    pid = os.fork()
    if pid:
        os.close(write)
        return pid, read
    code = 1
    try:
        os.close(read)
        die_with_parent(parent)
        conn = _connect(path, read_only=True)
        sent = json.dumps(list(_contents(conn).items())).encode("utf-8", "surrogateescape")
        with os.fdopen(write, "wb") as pipe:
            pipe.write(sent)
        code = 0
    finally:
        os._exit(code)


_EMPTY = hashlib.sha256(b"no rows").hexdigest()


def _seal(row: Iterable[Any], content: str) -> str:
    return mac(json.dumps([*row, content]).encode("utf-8", "surrogateescape"))


_MODEL_IDS = {kind: spec.model_id for kind, spec in NOTE_TYPES.items()}


def _note_rows(groups: Iterable[tuple[str | None, list[ReconciledNote]]]) -> Iterator[tuple[Any, ...]]:
    """Rows as genanki's ``Note.write_to_db`` would write them, plus the guide and position."""
    for path, records in groups:
        for pos, n in enumerate(records):
            yield (n.note_id, path, pos if path is not None else 0, n.guid, _MODEL_IDS[n.note_kind], n.mod,
                   " " + " ".join(n.tags) + " ", "\x1f".join(n.fields), n.fields[0])


def _card_rows(
    groups: Iterable[tuple[str | None, list[ReconciledNote]]], spill_from: int, spilled: list[int]
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


def _connect(path: Path, *, read_only: bool = False, any_thread: bool = False) -> sqlite3.Connection:
    if read_only:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None,
                               check_same_thread=not any_thread)
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
