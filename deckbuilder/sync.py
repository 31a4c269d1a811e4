"""``deckbuilder sync``: bring the user's own Anki collection to the state of the guides.

An ``.apkg`` import can add and update notes, but Anki never moves an existing card to
another deck on import and never deletes or suspends anything. ``sync`` builds the deck
as ``build`` does and imports it with Anki's own importer (so new and changed notes
follow exactly the same identity and modification-time rules), then does what a
package cannot: it moves the cards of notes whose deck changed (a renamed guide or
folder), suspends the notes that left the guides (or deletes them) and unsuspends the
ones that came back, and removes the decks under the root deck that are left empty. Scheduling and review history are
never touched: cards are moved, suspended or deleted, never rescheduled.

Anki opens its collection with SQLite's exclusive locking mode, so while desktop Anki
has the profile open, opening the collection here fails: that is how ``sync`` knows to
refuse. Before writing, it makes a backup with Anki's own mechanism
(``Collection.create_backup``), into the profile's ``backups`` folder, where Anki's
"Switch Profile > Restore backup" finds it.

Needs the optional ``anki`` package: ``pip install 'deckbuilder[sync]'``.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .build import BuildResult, build, build_timestamp, source_folder
from .changes import REMOVED_DECK, REMOVED_TAG, reconcile
from .config import Config
from .documents import candidates, load_documents
from .errors import DeckbuilderError
from .lockfile import LOCK_NAME, read_lock

COLLECTION_FILE = "collection.anki2"


class SyncUnavailable(DeckbuilderError):
    """The optional ``anki`` package is not installed."""


class NoCollection(DeckbuilderError):
    """No collection file where one was expected, or no single profile to choose."""


class CollectionBusy(DeckbuilderError):
    """Another process (desktop Anki) has the collection open."""


@dataclass
class SyncResult:
    build: BuildResult
    collection: Path
    backup: Path | None  # None in a dry run, or when Anki found nothing new to back up
    imported: dict[str, int] = field(default_factory=dict)  # Anki's import log: added / updated / ...
    moved: int = 0  # cards
    suspended: int = 0  # cards
    restored: int = 0  # cards of notes back in a guide, unsuspended
    deleted: int = 0  # notes
    removed_decks: list[str] = field(default_factory=list)


def anki_base() -> Path:
    """Anki's data folder: ``$ANKI_BASE`` (as Anki itself reads it), else the platform's standard place."""
    if os.environ.get("ANKI_BASE"):
        return Path(os.environ["ANKI_BASE"])
    if sys.platform == "win32":
        return Path(os.environ.get("APPDATA", Path.home() / "AppData" / "Roaming")) / "Anki2"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "Anki2"
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "Anki2"


def find_collection(collection: Path | None, profile: str | None) -> Path:
    """``--collection`` as given, else the profile's ``collection.anki2`` (the only profile if none is named)."""
    if collection is not None:
        if not collection.is_file():
            raise NoCollection("no Anki collection here; give the path of a collection.anki2", str(collection))
        return collection
    base = anki_base()
    profiles = sorted(p.name for p in base.iterdir() if (p / COLLECTION_FILE).is_file()) if base.is_dir() else []
    if profile is None and len(profiles) == 1:
        profile = profiles[0]
    if profile is None:
        found = f"its profiles are {', '.join(profiles)}" if profiles else "it has no profile"
        raise NoCollection(f"cannot tell which collection to sync: {found}; choose one with --profile NAME "
                           "or --collection FILE", str(base))
    path = base / profile / COLLECTION_FILE
    if not path.is_file():
        raise NoCollection(f"no profile {profile!r} here (profiles: {', '.join(profiles) or 'none'})", str(base))
    return path


@contextmanager
def open_collection(path: Path) -> Iterator[Any]:
    """The collection, opened by the ``anki`` library; refused while another process holds it."""
    try:
        from anki.collection import Collection
        from anki.errors import DBError
    except ImportError:
        raise SyncUnavailable("sync needs the anki package: pip install 'deckbuilder[sync]'") from None
    try:
        col = Collection(str(path))
    except DBError as err:
        raise CollectionBusy("the collection is open in another program (is Anki running with this profile?); "
                             f"close Anki, or switch it to another profile, and run sync again ({err})",
                             str(path)) from None
    try:
        yield col
    finally:
        col.close()


def sync(
    paths: list[Path], collection: Path, out: Path, *, config: Config | None = None, dry_run: bool = False,
    delete_removed: bool = False, workers: int | None = None,
) -> SyncResult:
    """Build the deck into ``out``, then bring ``collection`` to its state (see the module docstring)."""
    config = config or Config()
    with open_collection(collection):
        pass  # refuse a busy collection before building anything
    result = build(paths, out, config=config, dry_run=dry_run, workers=workers)
    decks, removed = _target(paths, config, dry_run)
    with open_collection(collection) as col:
        backup = None if dry_run else _backup(col, collection)
        sync_result = SyncResult(result, collection, backup)
        if not dry_run:
            sync_result.imported = _import(col, result.output)
        _place(col, sync_result, decks, removed, config.root_deck, delete_removed, dry_run)
    return sync_result


def _target(paths: list[Path], config: Config, dry_run: bool) -> tuple[dict[str, str], set[str]]:
    """Each live note's deck by GUID, and the GUIDs of removed notes, as the lock now has them."""
    from .cache import CACHE_DIR
    from .store import Store

    folder = source_folder(paths)
    logger = logging.getLogger("deckbuilder")
    logger.disabled = True  # the build has just said every warning once
    try:
        with Store.open(None if dry_run else folder / CACHE_DIR, writable=False) as store:
            docs = load_documents(paths, config, entries=store.entry)
    finally:
        logger.disabled = False
    plan = reconcile(candidates(docs), read_lock(folder / LOCK_NAME), build_timestamp(), config.root_deck)
    decks = {r.guid: r.deck for r in plan.records if REMOVED_TAG not in r.tags}
    return decks, {r.guid for r in plan.records if REMOVED_TAG in r.tags}


def _backup(col: Any, collection: Path) -> Path | None:
    """A backup by Anki's own mechanism, in the profile's backups folder; the newest file there."""
    folder = collection.parent / "backups"
    folder.mkdir(exist_ok=True)
    if not col.create_backup(backup_folder=str(folder), force=True, wait_for_completion=True):
        return None
    return max(folder.iterdir(), key=lambda p: p.stat().st_mtime, default=None)


def _import(col: Any, apkg: Path) -> dict[str, int]:
    """Anki's own importer with its default options: update notes and note types if newer."""
    from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest
    from anki.import_export_pb2 import ImportAnkiPackageUpdateCondition as Condition

    if_newer = Condition.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER
    options = ImportAnkiPackageOptions(merge_notetypes=False, update_notes=if_newer, update_notetypes=if_newer,
                                       with_scheduling=False, with_deck_configs=False)
    log = col.import_anki_package(ImportAnkiPackageRequest(package_path=str(apkg), options=options)).log
    return {name: len(getattr(log, name)) for name in ("new", "updated", "duplicate", "conflicting")}


def _place(
    col: Any, result: SyncResult, decks: dict[str, str], removed: set[str], root: str, delete_removed: bool,
    dry_run: bool,
) -> None:
    """Move cards to their note's deck, suspend or delete removed notes, drop the empty decks under the root."""
    ours = {name: did for did, name in ((d.id, d.name) for d in col.decks.all_names_and_ids())
            if name == root or name.startswith(root + "::")}
    names = {did: name for name, did in ours.items()}
    rows = col.db.all("select n.guid, n.id, c.id, c.did, c.queue from cards c join notes n on n.id = c.nid")
    moves: dict[str, list[int]] = {}
    suspend: list[int] = []
    restore: list[int] = []
    gone_notes: set[int] = set()
    removed_deck = f"{root}::{REMOVED_DECK}"
    for guid, nid, cid, did, queue in rows:
        if did not in names:  # a card the user moved out of the deck is theirs to place
            continue
        if guid in decks and names[did] == removed_deck and queue == -1:
            restore.append(cid)  # back in a guide: sync suspended it, sync brings it back
        if guid in removed:
            gone_notes.add(nid)
            if delete_removed:
                continue
            if queue != -1:
                suspend.append(cid)
        target = decks.get(guid) or (removed_deck if guid in removed else None)
        if target is not None and names[did] != target:
            moves.setdefault(target, []).append(cid)
    result.moved = sum(map(len, moves.values()))
    result.suspended = len(suspend)
    result.restored = len(restore)
    result.deleted = len(gone_notes) if delete_removed else 0
    if dry_run:
        return
    for target, cids in sorted(moves.items()):
        col.set_deck(cids, col.decks.id(target, create=True))
    if delete_removed and gone_notes:
        col.remove_notes(sorted(gone_notes))
    elif suspend:
        col.sched.suspend_cards(suspend)
    if restore:
        col.sched.unsuspend_cards(restore)
    result.removed_decks = _remove_empty_decks(col, root)


def _remove_empty_decks(col: Any, root: str) -> list[str]:
    """The decks under the root (never the root) that hold no card, deepest first."""
    removed = []
    under = [(d.name, d.id) for d in col.decks.all_names_and_ids() if d.name.startswith(root + "::")]
    for name, did in sorted(under, key=lambda d: -d[0].count("::")):
        if not col.db.scalar("select count() from cards where did = ? or odid = ?", did, did) and \
                not col.decks.children(did):
            col.decks.remove([did])
            removed.append(name)
    return removed
