"""A per-file cache: a guide's content hash -> its rendered notes.

Entries live in ``.deckbuilder-cache/`` beside the sources, one JSON file per guide. The
key covers the file's bytes, how it was named, the tool version and the configuration,
so any of them changing misses. JSON rather than pickle, and a checksum over each entry:
a corrupt, stale or foreign entry is ignored and rebuilt, never trusted or executed.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

from . import __version__
from .changes import Candidate
from .model import NoteKind
from .package import NoteRecord

CACHE_DIR = ".deckbuilder-cache"
FORMAT = 1


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
            raw = self._path(key).read_bytes()
            header, _, payload = raw.partition(b"\n")
            meta = json.loads(header)
            if meta != {"key": key, "sha256": hashlib.sha256(payload).hexdigest(), "format": FORMAT}:
                raise ValueError("foreign or corrupt entry")
            value = json.loads(payload)
            if not isinstance(value, dict):
                raise ValueError("unexpected entry")
        except (OSError, ValueError):
            self.misses += 1
            return None
        self.hits += 1
        return value

    def put(self, key: str, value: dict[str, Any]) -> None:
        if self.folder is None:
            return
        payload = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        header = json.dumps({"key": key, "sha256": hashlib.sha256(payload).hexdigest(), "format": FORMAT})
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as handle:
                handle.write(header.encode("utf-8") + b"\n" + payload)
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
    """What the last successful build read and wrote, to skip a build that would change nothing."""

    def __init__(self, folder: Path | None) -> None:
        self.path = folder / "manifest.json" if folder is not None else None

    @staticmethod
    def inputs(
        files: list[tuple[Path, Path]], lock: Path, fingerprint: str, templates: dict[Any, str], target: Path
    ) -> str:
        """A digest of everything a build depends on, from file metadata alone (no reads)."""
        h = hashlib.sha256(f"{fingerprint}\0{sorted(templates.values())}\0{target.resolve()}".encode())
        for path in [*(p for p, _ in files), lock]:
            try:
                st = path.stat()
                h.update(f"{path}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
            except OSError:
                h.update(f"{path}\0missing\0".encode())
        return h.hexdigest()

    def unchanged(self, inputs: str, target: Path) -> dict[str, Any] | None:
        """The stored summary if the inputs match and the deck written then is still there."""
        if self.path is None:
            return None
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            st = target.stat()
            if data["inputs"] != inputs or data["output"] != [str(target.resolve()), st.st_size, st.st_mtime_ns]:
                return None
            summary = data["summary"]
            return summary if isinstance(summary, dict) else None
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def trusted_store(self, lock_text: str) -> str:
        """The digest of the store the last build left, if that build wrote this lock; else ""."""
        if self.path is None:
            return ""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if data["lock"] != _sha256(lock_text):
                return ""
            return str(data["store"])
        except (OSError, ValueError, KeyError, TypeError):
            return ""

    def record(self, inputs: str, target: Path, summary: Any, *, store: str, lock: str) -> None:
        """After a successful build: its inputs, output and report, the digest of the store
        it left and of the lock it wrote."""
        if self.path is None:
            return
        try:
            st = target.stat()
            data = {"inputs": inputs, "output": [str(target.resolve()), st.st_size, st.st_mtime_ns],
                    "summary": asdict(summary), "store": store, "lock": _sha256(lock)}
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(data), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError:
            pass
