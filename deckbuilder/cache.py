"""A per-file cache: a guide's content hash -> its rendered notes.

Entries live in ``.deckbuilder-cache/`` beside the sources, one JSON file per guide. The
key covers the file's bytes, how it was named, the tool version and the configuration,
so any of them changing misses. JSON rather than pickle, and each entry (and the
manifest, which vouches for the build store) is sealed with an HMAC under a secret of
this user's (``user_secret``): a corrupt, stale or foreign entry is ignored and rebuilt,
never trusted or executed. A cache folder committed to a shared repository, or made by
hand with a recomputed checksum, cannot put its HTML into cards: only this user's own
builds can write an entry that passes.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import tempfile
from functools import lru_cache
from dataclasses import asdict
from pathlib import Path
from typing import Any

from . import __version__
from .changes import Candidate
from .model import NoteKind
from .package import NoteRecord

CACHE_DIR = ".deckbuilder-cache"
FORMAT = 2
SECRET_NAME = "cache-secret"


@lru_cache(maxsize=1)
def user_secret() -> bytes:
    """A random key made once per user, in the user's cache folder (``$XDG_CACHE_HOME`` or
    ``~/.cache``), readable by the user alone. When it cannot be kept, a key for this run
    only: every entry then misses, which costs speed and nothing else."""
    folder = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "deckbuilder"
    path = folder / SECRET_NAME
    try:
        secret = path.read_bytes()
        if len(secret) == 64:
            return secret
    except OSError:
        pass
    secret = secrets.token_hex(32).encode("ascii")
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-")  # owner-only, like the key must be
        with os.fdopen(fd, "wb") as handle:
            handle.write(secret)
        os.replace(tmp, path)
    except OSError:
        pass
    return secret


def seal(payload: bytes) -> bytes:
    """``payload`` behind a line with its HMAC."""
    return hmac.new(user_secret(), payload, "sha256").hexdigest().encode("ascii") + b"\n" + payload


def unseal(raw: bytes) -> bytes:
    """The payload of ``seal``; ValueError when the seal does not match (damaged, or not ours)."""
    mac, _, payload = raw.partition(b"\n")
    if not hmac.compare_digest(mac, hmac.new(user_secret(), payload, "sha256").hexdigest().encode("ascii")):
        raise ValueError("an entry this user's builds did not write")
    return payload


def entry_key(data: bytes, shown: str, rel: str, config_fingerprint: str) -> str:
    h = hashlib.sha256()
    for part in (f"deckbuilder {__version__} cache {FORMAT}", shown, rel, config_fingerprint):
        h.update(part.encode("utf-8") + b"\0")
    h.update(data)
    return h.hexdigest()


class FileCache:
    """Get/put documents by key; every failure to read is a miss."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.hits = 0
        self.misses = 0

    def _path(self, key: str) -> Path:
        assert self.folder is not None
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict[str, Any] | None:
        if self.folder is None:
            return None
        try:
            header, _, payload = unseal(self._path(key).read_bytes()).partition(b"\n")
            if header != f"{key} {FORMAT}".encode("ascii"):
                raise ValueError("an entry for another file")
            value = json.loads(payload)
            if not isinstance(value, dict):
                raise ValueError("unexpected entry")
        except (OSError, ValueError, RecursionError):
            self.misses += 1
            return None
        self.hits += 1
        return value

    def put(self, key: str, value: dict[str, Any]) -> None:
        if self.folder is None:
            return
        payload = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as handle:
                handle.write(seal(f"{key} {FORMAT}".encode("ascii") + b"\n" + payload))
            os.replace(tmp, path)
        except OSError:
            pass  # a cache that cannot be written only costs speed


def note_to_json(cand: Candidate) -> list[Any]:
    r = cand.record
    return [r.guid, r.note_kind.value, list(r.fields), list(r.tags), r.deck, cand.doc, cand.kind, cand.section,
            cand.key, cand.where]


_NOTE_KINDS = {kind.value: kind for kind in NoteKind}


def note_from_json(row: list[Any]) -> Candidate:
    """A cached note; anything of the wrong shape raises (and the entry is rebuilt)."""
    guid, note_kind, fields_, tags, deck, doc, kind, section, key, where = row
    if not all(isinstance(x, str) for x in (guid, deck, doc, kind, section, key, where, *fields_, *tags)):
        raise ValueError("cached note with non-text values")
    record = NoteRecord(guid, _NOTE_KINDS[note_kind], tuple(fields_), tuple(tags), deck, due=0, mod=0, note_id=0)
    return Candidate(record, doc, kind, section, key, where)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Manifest:
    """What the last successful build read and wrote, to skip a build that would change nothing.
    Sealed like the cache entries: it vouches for the build store."""

    def __init__(self, folder: Path | None) -> None:
        self.path = folder / "manifest.json" if folder is not None else None
        # read once: a build asks it four questions, and on a large deck each read (its
        # report holds every document) took a tenth of a second
        self._data: dict[str, Any] | None = None

    @staticmethod
    def inputs(
        files: list[tuple[Path, Path]], lock: Path, fingerprint: str, templates: dict[Any, str], target: Path
    ) -> str:
        """A digest of everything a build depends on, from file metadata alone (no reads).
        Taken before the files are read, so a save during the build shows as a change."""
        h = hashlib.sha256(f"{fingerprint}\0{sorted(templates.values())}\0{target.resolve()}".encode())
        for path, _ in files:
            h.update(_stat_tag(path).encode("utf-8", "surrogateescape"))
        return Manifest.with_lock(h.hexdigest(), lock)

    @staticmethod
    def with_lock(inputs: str, lock: Path) -> str:
        """``inputs`` with the lock's state as it is now (the build rewrites it)."""
        return inputs.split("\0")[0] + "\0" + _stat_tag(lock)

    def _read(self) -> dict[str, Any]:
        """The manifest's data, or {} when there is none or it cannot be trusted."""
        if self.path is None:
            return {}
        if self._data is None:
            try:
                data = json.loads(unseal(self.path.read_bytes()))
                self._data = data if isinstance(data, dict) else {}
            except (OSError, ValueError, RecursionError):
                self._data = {}
        return self._data

    def unchanged(self, inputs: str, target: Path) -> dict[str, Any] | None:
        """The stored summary if the inputs match and the deck written then is still there."""
        data = self._read()
        try:
            st = target.stat()
            if data["inputs"] != inputs or data["output"] != [str(target.resolve()), st.st_size, st.st_mtime_ns]:
                return None
            summary = data["summary"]
            return summary if isinstance(summary, dict) else None
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def wrote(self, target: Path) -> bool:
        """Is ``target`` the deck the last build here wrote, as it left it?"""
        try:
            st = target.stat()
            return bool(self._read().get("output") == [str(target.resolve()), st.st_size, st.st_mtime_ns])
        except OSError:
            return False

    def trusted_store(self, lock_text: str) -> str:
        """The digest of the store the last build left, if that build wrote this lock; else ""."""
        data = self._read()
        if not lock_text or data.get("lock") != _sha256(lock_text):
            return ""
        return str(data.get("store", ""))

    def project(self) -> str:
        """The project of the lock the last build here wrote ("" when unknown)."""
        return str(self._read().get("project", ""))

    def record(self, inputs: str, target: Path, summary: Any, *, store: str, lock: str, project: str) -> None:
        """After a successful build: its inputs, output and report, the digest of the store
        it left and of the lock it wrote, and that lock's project."""
        if self.path is None:
            return
        try:
            st = target.stat()
            data = {"inputs": inputs, "output": [str(target.resolve()), st.st_size, st.st_mtime_ns],
                    "summary": asdict(summary), "store": store, "lock": _sha256(lock), "project": project}
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_bytes(seal(json.dumps(data).encode("utf-8")))
            os.replace(tmp, self.path)
            self._data = None
        except OSError:
            pass


def _stat_tag(path: Path) -> str:
    try:
        st = path.stat()
        return f"{path}\0{st.st_size}\0{st.st_mtime_ns}\0"
    except OSError:
        return f"{path}\0missing\0"
