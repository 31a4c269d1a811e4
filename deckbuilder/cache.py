"""What a build may trust in its cache database, and how it knows.

The cache is one SQLite file in ``.deckbuilder-cache/`` beside the sources (``store``
speaks its SQL). It holds three things, each sealed with an HMAC under a secret of this
user's (``user_secret``):

- one **entry** per guide: its rendered notes and warnings, under a key that covers the
  file's bytes, its resolved path, the tool version and the configuration, so any of them
  changing misses;
- the **build store**: the last build's notes and cards per guide (``store``), each
  guide's rows sealed by a digest of their content;
- the **manifest**: what the last successful build read and wrote, to skip a build that
  would change nothing and to tell whether the store goes with the lock on disk.

The file is written in transactions, so a crash leaves it as it was before or after,
never between: no whole-file hash is needed. The seals are what keeps a cache folder
committed to a shared repository, or a row doctored by hand, from putting its HTML into
cards: only this user's own builds can write a seal that passes, and anything whose seal
fails is ignored and rebuilt, never trusted.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import tempfile
import zlib
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import __version__
from .model import SourceWarning

CACHE_DIR = ".deckbuilder-cache"
FORMAT = 4  # of an entry's payload
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


def mac(payload: bytes) -> str:
    """The HMAC of ``payload`` under this user's secret."""
    return hmac.new(user_secret(), payload, "sha256").hexdigest()


def seal(payload: bytes) -> bytes:
    """``payload`` behind a line with its HMAC."""
    return mac(payload).encode("ascii") + b"\n" + payload


def unseal(raw: bytes) -> bytes:
    """The payload of ``seal``; ValueError when the seal does not match (damaged, or not ours)."""
    found, _, payload = raw.partition(b"\n")
    if not hmac.compare_digest(found, mac(payload).encode("ascii")):
        raise ValueError("an entry this user's builds did not write")
    return payload


def entry_key(data: bytes, file: str, rel: str, config_fingerprint: str) -> str:
    """A guide's cache key: its bytes, its resolved path (so ``guides`` and
    ``/abs/guides`` name the same entry), its name under the root, the settings and code."""
    h = hashlib.sha256()
    for part in (f"deckbuilder {__version__} cache {FORMAT}", file, rel, config_fingerprint):
        h.update(part.encode("utf-8", "surrogateescape") + b"\0")
    h.update(data)
    return h.hexdigest()


def pack_entry(key: str, value: dict[str, Any]) -> bytes:
    """A guide's entry as stored: JSON, compressed (a fifth of the size, so the build holds
    little until it stores them, and the cache file stays small), sealed, and naming its
    key (an entry moved under another key is another file's)."""
    payload = zlib.compress(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), 1)
    return seal(f"{key} {FORMAT}".encode("ascii") + b"\n" + payload)


def unpack_entry(key: str, raw: bytes | None) -> dict[str, Any] | None:
    """The value of a stored entry; None for anything damaged, foreign, stale or odd."""
    if raw is None:
        return None
    try:
        header, _, payload = unseal(raw).partition(b"\n")
        if header != f"{key} {FORMAT}".encode("ascii"):
            raise ValueError("an entry for another file")
        value = json.loads(zlib.decompress(payload))  # sealed: only this user's builds compressed it
    except (ValueError, RecursionError, zlib.error):
        return None
    return value if isinstance(value, dict) else None


def warnings_to_json(warnings: tuple[SourceWarning, ...] | list[SourceWarning]) -> list[list[Any]]:
    return [[w.path, w.line, w.message, w.kind] for w in warnings]


def warnings_from_json(rows: Any) -> tuple[SourceWarning, ...]:
    """Stored warnings; anything of the wrong shape raises (and the entry is rebuilt)."""
    out = []
    for path, line, message, kind in rows:
        if not (isinstance(path, str) and isinstance(line, int) and isinstance(message, str)
                and isinstance(kind, str)):
            raise ValueError("a stored warning of the wrong shape")
        out.append(SourceWarning(path, line, message, kind))
    return tuple(out)


@lru_cache(maxsize=4)
def sha256(text: str) -> str:
    """(Remembered: a build takes the digest of the same lock, megabytes long, up to three times.)"""
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


class Manifest:
    """What the last successful build read and wrote (sealed, kept in the cache database):
    to skip a build that would change nothing, and to vouch for the build store."""

    def __init__(self, raw: bytes | None, folder: Path) -> None:
        """``raw``: the sealed manifest found in the cache of the sources in ``folder``; one
        that another folder's build wrote (a copied cache) says nothing about this one."""
        self.folder = str(folder.resolve())
        try:
            data = json.loads(unseal(raw)) if raw is not None else {}
        except (ValueError, RecursionError):
            data = {}
        ours = isinstance(data, dict) and data.get("folder") == self.folder
        self._data: dict[str, Any] = data if ours else {}

    @staticmethod
    def inputs(
        files: list[tuple[Path, Path]], lock: Path, fingerprint: str, templates: dict[Any, str], target: Path
    ) -> str:
        """A digest of everything a build depends on, from file metadata alone (no reads).
        Taken before the files are read, so a save during the build shows as a change. The
        paths as given count too: the report names them."""
        h = hashlib.sha256(f"{fingerprint}\0{sorted(templates.values())}\0{target.resolve()}".encode())
        for path, _ in files:
            h.update(_stat_tag(path).encode("utf-8", "surrogateescape"))
        return Manifest.with_lock(h.hexdigest(), lock)

    @staticmethod
    def with_lock(inputs: str, lock: Path) -> str:
        """``inputs`` with the lock's state as it is now (the build rewrites it)."""
        return inputs.split("\0")[0] + "\0" + _stat_tag(lock)

    def unchanged(self, inputs: str, target: Path) -> dict[str, Any] | None:
        """The stored summary if the inputs match and the deck written then is still there."""
        try:
            if self._data["inputs"] != inputs or not self.wrote(target):
                return None
            summary = self._data["summary"]
            return summary if isinstance(summary, dict) else None
        except (ValueError, KeyError, TypeError):
            return None

    def wrote(self, target: Path) -> bool:
        """Is ``target`` the deck the last build here wrote, as it left it?"""
        try:
            return bool(self._data.get("output") == _output_tag(target))
        except OSError:
            return False

    def vouches_for(self, lock_text: str) -> bool:
        """Did the last build here leave the store beside this very lock?"""
        return bool(lock_text) and self._data.get("lock") == sha256(lock_text)

    def project(self) -> str:
        """The project of the lock the last build here wrote ("" when unknown)."""
        return str(self._data.get("project", ""))

    def written(self, target: Path) -> dict[str, Any] | None:
        """How the last build here zipped ``target`` (``package.write_apkg``'s record), when
        ``target`` is the deck it wrote, as it left it; else None."""
        pieces = self._data.get("pieces")
        return pieces if isinstance(pieces, dict) and self.wrote(target) else None

    def record(
        self, inputs: str, target: Path | None, summary: Any, *, lock: str, project: str, pieces: Any = None,
    ) -> bytes:
        """A build's manifest, sealed: its folder, inputs, output (None until the deck is in
        place), report, the digest of the lock it wrote and that lock's project, and how the
        deck was zipped (``pieces``)."""
        data = {"folder": self.folder, "inputs": inputs, "output": _output_tag(target) if target is not None else None,
                "summary": _plain(summary) if summary is not None else None, "lock": sha256(lock), "project": project,
                "pieces": pieces if target is not None else None}
        return seal(json.dumps(data).encode("utf-8"))


def _plain(summary: Any) -> dict[str, Any]:
    """The report as JSON-ready data: its fields, its warnings as dicts. (``asdict`` copies
    every nested list and tuple first: a seventh of a one-guide rebuild at 1,000 guides.)"""
    return {**vars(summary), "warnings": [vars(w) for w in summary.warnings]}


def _output_tag(target: Path) -> list[Any]:
    st = target.stat()
    return [str(target.resolve()), st.st_size, st.st_mtime_ns]


def _stat_tag(path: Path) -> str:
    try:
        st = path.stat()
        return f"{path}\0{st.st_size}\0{st.st_mtime_ns}\0"
    except OSError:
        return f"{path}\0missing\0"
