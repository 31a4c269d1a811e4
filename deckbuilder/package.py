"""Write the notes and cards kept in the build store into an ``.apkg``, atomically and reproducibly.

genanki's own ``Package.write_to_file`` rewrites the deck and note-type JSON once per
deck (quadratic in the number of decks), inserts notes one by one with per-note checks
we have already done, and stamps every zip entry with "now". We reuse its collection
schema, ``Model`` and ``Deck`` JSON and fill ``col`` once. The rows come from the store
(``store.Store.copy_into``: two ``INSERT ... SELECT`` statements in id order), with the
indexes made afterwards: the file then depends only on the rows, never on how many guides
this build redid. The zip (``archive``) has fixed entry times and goes to a temporary
file that replaces the target only when complete. This is the only module that imports
genanki.
"""

from __future__ import annotations

import functools
import itertools
import json
import os
import sqlite3
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from .atomic import publish, temporary_beside
from .errors import OutputError
from .model import NoteKind, ReconciledNote
from .notetypes import NOTE_TYPES, load_templates, model_json_fields

if TYPE_CHECKING:
    import genanki

ID_STRIDE = 100  # note ids are this far apart, leaving room for their card ids


class Rows(Protocol):
    """Where a deck's notes and cards come from (``store.Store``): a SQLite file, attached
    to the collection being written, and the statements that copy its rows."""

    path: Path

    def copy_into(self, cursor: sqlite3.Cursor, schema: str, offsets: dict[str, int]) -> None: ...


@functools.lru_cache(maxsize=4096)
def deck_id(name: str) -> int:
    """A stable id for a deck name (Anki matches decks by name on import anyway)."""
    import genanki  # here, not above: a build that changed nothing never loads genanki (0.05-0.1 s)

    return int(genanki.guid_for("deck", name).encode().hex()[:13], 16) % (1 << 52) + (1 << 40)


def build_models(mods: dict[NoteKind, int], template_override: str = "") -> dict[NoteKind, genanki.Model]:
    import genanki

    models = {}
    for kind, spec in NOTE_TYPES.items():
        tpl = load_templates(kind, template_override)
        model = genanki.Model(
            spec.model_id,
            spec.name,
            fields=model_json_fields(kind),
            templates=[{
                "name": "Cloze" if spec.cloze else "Card 1", "qfmt": tpl.front, "afmt": tpl.back,
                "id": spec.template_id,
            }],
            css=tpl.css,
            model_type=genanki.Model.CLOZE if spec.cloze else genanki.Model.FRONT_BACK,
        )
        model.mod = mods.get(kind, 0)
        models[kind] = model
    return models


def write_apkg(
    rows: Rows,
    offsets: dict[str, int],
    decks: Iterable[str],
    out: Path,
    *,
    model_mods: dict[NoteKind, int],
    zip_time: int,
    template_override: str = "",
    written: dict[str, list[list[Any]]] | None = None,
    ready: Callable[[], object] | None = None,
) -> dict[str, list[list[Any]]]:
    """Write the notes and cards kept in the store (``rows``) to ``out`` atomically: the old
    file survives any failure. ``offsets`` gives each guide's first new-card position; ``decks``
    every deck that holds notes. ``written``: what this returned when it wrote the deck now
    at ``out`` (the caller vouches it is untouched since), so that unchanged slices of the
    collection are not deflated again; returns the same for the deck it writes. ``ready`` is
    called just before the new deck replaces the old one: if it raises, the old one stays."""
    out = Path(out)
    models = build_models(model_mods, template_override)
    directory = out.parent
    if not directory.is_dir():
        raise OutputError("the output folder does not exist; create it first", str(directory))
    try:
        tmp_zip = temporary_beside(out)
    except OSError as err:
        raise OutputError(f"cannot write here: {err.strerror}", str(out)) from None
    try:
        with tempfile.TemporaryDirectory() as scratch:
            db_path = os.path.join(scratch, "collection.anki2")
            _write_collection(db_path, rows, offsets, decks, models)
            pieces = _write_zip(tmp_zip, db_path, zip_time, out if written is not None else None, written or {})
        _check_zip(tmp_zip, out)
        if ready is not None:
            ready()
        publish(tmp_zip, out)
        return pieces
    except OSError as err:
        raise OutputError(f"cannot write the deck: {err.strerror}", str(out)) from None
    except sqlite3.Error as err:  # the collection is built in $TMPDIR: full, or over ``ulimit -f``
        raise OutputError(f"cannot write the deck: {err} (in {tempfile.gettempdir()})", str(out)) from None
    finally:
        if os.path.exists(tmp_zip):
            os.unlink(tmp_zip)


def _write_collection(
    db_path: str, rows: Rows, offsets: dict[str, int], deck_names: Iterable[str],
    models: dict[NoteKind, genanki.Model],
) -> None:
    """genanki's schema, filled from the store by the same statements on every build: rows in
    id order, indexes made afterwards (so the file depends only on the rows, never on which
    of them this build redid)."""
    import genanki
    from genanki.apkg_col import APKG_COL
    from genanki.apkg_schema import APKG_SCHEMA

    tables, indexes = APKG_SCHEMA.split("CREATE INDEX", 1)
    conn = sqlite3.connect(db_path)
    try:
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("PRAGMA temp_store = MEMORY")
        conn.execute("ATTACH DATABASE ? AS store", (str(rows.path),))
        cursor = conn.cursor()
        cursor.executescript(tables)
        cursor.executescript(APKG_COL)
        names: dict[str, None] = {}
        for name in sorted(set(deck_names)):
            # parents first so Anki sees the hierarchy even without notes in them
            parts = name.split("::")
            for depth in range(1, len(parts) + 1):
                names.setdefault("::".join(parts[:depth]), None)
        decks = [genanki.Deck(deck_id(name), name) for name in names]
        decks_json = json.loads(cursor.execute("SELECT decks FROM col").fetchone()[0])
        for deck in decks:
            decks_json[str(deck.deck_id)] = deck.to_json()
        first_deck = decks[0].deck_id if decks else 1
        models_json = {str(m.model_id): m.to_json(m.mod, first_deck) for m in models.values()}
        cursor.execute("UPDATE col SET decks = ?, models = ?", (json.dumps(decks_json), json.dumps(models_json)))
        rows.copy_into(cursor, "store", offsets)
        cursor.executescript("CREATE INDEX" + indexes)
        conn.commit()
    finally:
        conn.close()


def deck_guids(path: Path) -> set[str]:
    """The GUIDs of the notes in an existing ``.apkg``; empty if it is not one."""
    try:
        with zipfile.ZipFile(path) as archive, tempfile.TemporaryDirectory() as scratch:
            archive.extract("collection.anki2", scratch)
            conn = sqlite3.connect(os.path.join(scratch, "collection.anki2"))
            try:
                return {guid for (guid,) in conn.execute("SELECT guid FROM notes")}
            finally:
                conn.close()
    except (OSError, KeyError, zipfile.BadZipFile, sqlite3.Error):
        return set()


def card_ids(spill_from: int) -> Callable[[ReconciledNote], list[tuple[int, int]]]:
    """(card id, template ordinal) for each card of a note: one per note, or one per cloze
    number. A card's id follows its note's id (note ids are ``ID_STRIDE`` apart); a note with
    absurdly many deletions spills over into ids past ``spill_from``, the highest note id."""
    spill = itertools.count(spill_from + ID_STRIDE)

    def ids(n: ReconciledNote) -> list[tuple[int, int]]:
        return [(n.note_id + i if i < ID_STRIDE else next(spill), ord_) for i, ord_ in enumerate(n.cards, 1)]

    return ids


def _write_zip(
    path: str, db_path: str, zip_time: int, old: Path | None, written: dict[str, list[list[Any]]],
) -> dict[str, list[list[Any]]]:
    from .archive import Previous, write_zip

    return write_zip(path, [("collection.anki2", Path(db_path)), ("media", b"{}")], zip_time,
                     previous=Previous(old, written) if old is not None else None)


def _check_zip(path: str, out: Path) -> None:
    """The package reads back as the two entries Anki expects (CRCs are checked when Anki reads)."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except zipfile.BadZipFile:
        names = []
    if names != ["collection.anki2", "media"]:
        raise OutputError("the written package failed its integrity check", str(out))
