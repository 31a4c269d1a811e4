"""Faults and attacks: ``kill -9`` at fixed points of a build, a save during a build, full
and read-only disks, file-size limits, a dying worker, a tampered cache, and inputs that
used to end in a traceback or a hang. Each recovers byte for byte, or fails with one line
and leaves the deck and the lock as they were.

Kills use the fault-injection hook ``DECKBUILDER_KILL_AT`` (``deckbuilder/faults.py``) in
a real ``python -m deckbuilder`` process. Full and read-only disks are small tmpfs mounts,
which need root (as in CI); elsewhere those tests skip and say why.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from deckbuilder.faults import ENV as KILL_AT

from .conftest import copy_seed, import_apkg, run_cli

pytestmark = pytest.mark.slow  # kill -9 at fixed points, full disks, killed workers: subprocess builds, 2-13 s each

E1 = {"SOURCE_DATE_EPOCH": "1800000000"}
E2 = {"SOURCE_DATE_EPOCH": "1800000100"}


def cli(*args: object, env: dict[str, str] | None = None, limit_file_size: int = 0) -> subprocess.CompletedProcess[str]:
    """The real command in its own process (it can be killed, and limits apply to it alone)."""
    def limits() -> None:
        if limit_file_size:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit_file_size, limit_file_size))

    return subprocess.run([sys.executable, "-m", "deckbuilder", *map(str, args)], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, preexec_fn=limits, timeout=300)


def assert_one_line_error(result: subprocess.CompletedProcess[str] | object, *fragments: str) -> None:
    code = getattr(result, "returncode", getattr(result, "exit_code", None))
    stderr = str(result.stderr)
    assert code not in (0, None) and code > 0, (code, stderr)
    assert "Traceback" not in stderr + str(getattr(result, "stdout", "")), stderr
    errors = [line for line in stderr.splitlines() if line.startswith(("error: ", "Error: "))]
    assert len(errors) == 1, stderr
    for fragment in fragments:
        assert fragment in errors[0], (fragment, stderr)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# --- kill -9 -------------------------------------------------------------------------------

POINTS = [("pool-running", ["--no-cache", "-j", "2"]), ("store-written", []), ("zip-half-written", []),
          ("deck-written", []), ("lock-written", [])]


@pytest.mark.parametrize("point, extra", POINTS, ids=[p for p, _ in POINTS])
def test_kill_9_then_rebuild_equals_a_clean_build(library: Path, tmp_path: Path, point: str, extra: list[str]) -> None:
    out = tmp_path / "deck.apkg"
    assert cli("build", library, "-o", out, env=E1).returncode == 0
    twin = tmp_path / "twin"
    shutil.copytree(library, twin, ignore=shutil.ignore_patterns(".deckbuilder-cache"))
    for folder in (library, twin):
        edit(folder / "communication.md", "Audience first", "Audience comes first")
    killed = cli("build", library, "-o", out, *extra, env={**E2, KILL_AT: point})
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert cli("build", library, "-o", out, env=E2).returncode == 0
    assert cli("build", twin, "-o", tmp_path / "clean.apkg", "--no-cache", env=E2).returncode == 0
    assert out.read_bytes() == (tmp_path / "clean.apkg").read_bytes()
    assert (library / "deckbuilder.lock").read_bytes() == (twin / "deckbuilder.lock").read_bytes()
    assert not [p for p in [*library.iterdir(), *tmp_path.iterdir()] if p.name.endswith(".tmp")]  # nothing left


def _processes_with(tag: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and tag.encode() in (entry / "environ").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def test_workers_exit_when_the_build_is_killed(library: Path, tmp_path: Path) -> None:
    tag = f"DECKBUILDER_TEST_TAG={uuid.uuid4().hex}"
    name, value = tag.split("=")
    killed = cli("build", library, "-o", tmp_path / "d.apkg", "--no-cache", "-j", "2",
                 env={KILL_AT: "pool-running", name: value})
    assert killed.returncode == -signal.SIGKILL
    for _ in range(300):  # the kernel kills them at once; allow a loaded machine some slack
        if not _processes_with(tag):
            break
        time.sleep(0.1)
    survivors = _processes_with(tag)
    for pid in survivors:
        os.kill(pid, signal.SIGKILL)
    assert survivors == []


def test_a_killed_worker_is_one_line(library: Path, tmp_path: Path) -> None:
    """What the OOM killer does to a worker: BrokenProcessPool, reported as one line."""
    out = tmp_path / "d.apkg"
    assert cli("build", library, "-o", out, env=E1).returncode == 0
    deck, lock = out.read_bytes(), (library / "deckbuilder.lock").read_bytes()
    result = cli("build", library, "-o", out, "--no-cache", "-j", "2", env={**E2, KILL_AT: "worker"})
    assert_one_line_error(result, "worker process died")
    assert out.read_bytes() == deck and (library / "deckbuilder.lock").read_bytes() == lock


# --- a save during a build ---------------------------------------------------------------

def test_a_save_during_a_build_reaches_the_next_build(library: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import deckbuilder.build as build_module

    read_sources = build_module.read_sources

    def read_then_save(*args):  # an editor saves while the build runs
        sources = read_sources(*args)
        edit(library / "communication.md", "Audience first", "Audience comes first")
        return sources

    monkeypatch.setattr(build_module, "read_sources", read_then_save)
    first = run_cli("build", str(library), "-o", str(tmp_path / "d.apkg"), env=E1)
    assert first.exit_code == 0 and " 0 reworded" in first.stdout
    monkeypatch.undo()
    second = run_cli("build", str(library), "-o", str(tmp_path / "d.apkg"), env=E2)
    assert "1 reworded" in second.stdout or "1 updated" in second.stdout, second.stdout


# --- full, read-only and limited disks -----------------------------------------------------

@contextmanager
def small_disk(path: Path, size: str) -> Iterator[Path]:
    path.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"a small filesystem needs root to mount: {mounted.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def test_full_tmpdir_is_one_line(library: Path, tmp_path: Path) -> None:
    out = tmp_path / "d.apkg"
    assert cli("build", library, "-o", out, env=E1).returncode == 0
    deck = out.read_bytes()
    edit(library / "communication.md", "Audience first", "Audience comes first")
    with small_disk(tmp_path / "tmp", "16k") as tmp:
        result = cli("build", library, "-o", out, env={**E2, "TMPDIR": str(tmp)})
    assert_one_line_error(result, "cannot write the deck")
    assert out.read_bytes() == deck


@pytest.mark.parametrize("no_cache", [False, True])
def test_a_file_size_limit_is_one_line(library: Path, tmp_path: Path, no_cache: bool) -> None:
    out = tmp_path / "d.apkg"
    assert cli("build", library, "-o", out, env=E1).returncode == 0
    deck, lock = out.read_bytes(), (library / "deckbuilder.lock").read_bytes()
    edit(library / "communication.md", "Audience first", "Audience comes first")
    result = cli("build", library, "-o", out, *(["--no-cache"] if no_cache else []), env=E2,
                 limit_file_size=64 * 1024)
    assert_one_line_error(result, "cannot write")
    assert out.read_bytes() == deck and (library / "deckbuilder.lock").read_bytes() == lock


@pytest.mark.parametrize("trouble", ["read-only", "full"])
def test_a_source_folder_that_cannot_take_the_lock_changes_nothing(tmp_path: Path, trouble: str) -> None:
    out = tmp_path / "d.apkg"
    with small_disk(tmp_path / "guides", "256k") as guides:
        copy_seed(guides)
        assert cli("build", guides, "-o", out, "--no-cache", env=E1).returncode == 0
        deck, lock = out.read_bytes(), (guides / "deckbuilder.lock").read_bytes()
        edit(guides / "initiative-proactivity.md", "Tell me about", "Tell us about")
        if trouble == "read-only":
            subprocess.run(["mount", "-o", "remount,ro", str(guides)], check=True)
        else:
            filler = guides / "filler"
            with open(filler, "wb", buffering=0) as handle, pytest.raises(OSError):
                while True:
                    handle.write(b"\0" * 4096)
        result = cli("build", guides, "-o", out, "--no-cache", env=E2)
        assert_one_line_error(result, "deckbuilder.lock: cannot write the lock file")
        assert out.read_bytes() == deck and (guides / "deckbuilder.lock").read_bytes() == lock


# --- a cache that cannot inject ------------------------------------------------------------

INJECTED = '<img src=x onerror="alert(1)">'


def cache_db(guides: Path) -> sqlite3.Connection:
    return sqlite3.connect(guides / ".deckbuilder-cache" / "cache.sqlite", isolation_level=None)


def forge(key: str, sealed: bytes, how: str) -> bytes:
    """Rewrite a cache entry the way someone without this user's secret could: HTML added,
    every checksum recomputed."""
    import hashlib
    import hmac

    from deckbuilder.cache import unseal

    header, _, packed = unseal(sealed).partition(b"\n")
    text = zlib.decompress(packed)
    assert b"Tell me about" in text or b"Tell" not in text
    payload = zlib.compress(text.replace(b"Tell me about", INJECTED.replace('"', '\\"').encode() + b"Tell me about"))
    if how == "checksum recomputed":  # the format the cache had before it was sealed
        meta = json.dumps({"key": key, "sha256": hashlib.sha256(payload).hexdigest(), "format": 1})
        return meta.encode() + b"\n" + payload
    body = header + b"\n" + payload  # sealed, but with another secret (a cache folder committed by someone else)
    return hmac.new(b"0" * 64, body, "sha256").hexdigest().encode() + b"\n" + body


@pytest.mark.parametrize("how", ["checksum recomputed", "another user's seal"])
def test_a_tampered_cache_entry_never_reaches_a_card(library: Path, tmp_path: Path, how: str) -> None:
    from anki.collection import Collection

    assert run_cli("build", str(library), "-o", str(tmp_path / "a.apkg"), env=E1).exit_code == 0
    conn = cache_db(library)
    entries = conn.execute("SELECT key, sealed FROM entries").fetchall()
    conn.executemany("UPDATE entries SET sealed = ? WHERE key = ?", [(forge(k, v, how), k) for k, v in entries])
    conn.execute("DELETE FROM meta WHERE name = 'manifest'")  # every guide from its entry
    conn.close()
    assert run_cli("build", str(library), "-o", str(tmp_path / "b.apkg"), env=E1).exit_code == 0
    assert (tmp_path / "a.apkg").read_bytes() == (tmp_path / "b.apkg").read_bytes()
    col = Collection(str(tmp_path / "c.anki2"))
    import_apkg(col, tmp_path / "b.apkg")
    assert not col.find_notes("onerror")
    col.close()


def test_a_committed_cache_folder_is_not_trusted(library: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Someone else's cache, doctored, with every seal recomputed under their secret."""
    from deckbuilder.cache import Manifest, seal, unseal, user_secret
    from deckbuilder.store import Store, _contents, _seal

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "someone-else"))
    user_secret.cache_clear()
    assert run_cli("build", str(library), "-o", str(tmp_path / "a.apkg"), env=E1).exit_code == 0
    with Store.open(library / ".deckbuilder-cache") as store:
        conn = store.conn
        conn.execute("UPDATE notes SET flds = ? || flds", (INJECTED,))
        docs = conn.execute("SELECT * FROM docs").fetchall()
        contents = _contents(conn)
        conn.executemany("UPDATE docs SET content = ?, seal = ? WHERE file = ?",
                         [(contents[row[0]], _seal(row[:-2], contents[row[0]]), row[0]) for row in docs])
        manifest = json.loads(unseal(store.manifest() or b""))
        manifest["inputs"] = "force a build"
        store.set_manifest(seal(json.dumps(manifest).encode()))
        assert len(Store.documents(store)) == 5 and store.trusted()  # every seal passes, under their secret
        assert Manifest(store.manifest(), library).project()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "me"))
    user_secret.cache_clear()
    try:
        assert run_cli("build", str(library), "-o", str(tmp_path / "b.apkg"), env=E1).exit_code == 0
    finally:
        user_secret.cache_clear()
    assert INJECTED.encode() not in (tmp_path / "b.apkg").read_bytes()
    assert (tmp_path / "a.apkg").read_bytes() == (tmp_path / "b.apkg").read_bytes()


def test_deep_json_in_the_cache_is_a_miss(library: Path, tmp_path: Path) -> None:
    from deckbuilder.cache import FORMAT, seal

    assert run_cli("build", str(library), "-o", str(tmp_path / "a.apkg"), env=E1).exit_code == 0
    conn = cache_db(library)
    keys = [k for (k,) in conn.execute("SELECT key FROM entries")]
    conn.executemany("UPDATE entries SET sealed = ? WHERE key = ?",
                     [(seal(f"{k} {FORMAT}".encode() + b"\n" + zlib.compress(b"[" * 200_000)), k) for k in keys])
    conn.execute("UPDATE meta SET value = ? WHERE name = 'manifest'", (seal(b"[" * 200_000),))
    conn.close()
    result = run_cli("build", str(library), "-o", str(tmp_path / "b.apkg"), env=E1)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "a.apkg").read_bytes() == (tmp_path / "b.apkg").read_bytes()


# --- inputs that used to end in a traceback or a hang ---------------------------------------

DEEP = "[" * 5000 + "]" * 5000


def test_deep_front_matter(tmp_path: Path) -> None:
    (tmp_path / "g.md").write_text(f"---\nx: {DEEP}\n---\n# T\n\n## Common Questions\n1. Why?\n")
    assert_one_line_error(run_cli("build", str(tmp_path), "-o", str(tmp_path / "d.apkg")), "nested too deeply")


def test_deep_config(seed_dir: Path, tmp_path: Path) -> None:
    (seed_dir / "deckbuilder.yaml").write_text(f"deck: {DEEP}\n")
    assert_one_line_error(run_cli("build", str(seed_dir), "-o", str(tmp_path / "d.apkg")), "nested too deeply")


def test_a_file_name_that_is_not_utf8(seed_dir: Path, tmp_path: Path) -> None:
    with open(os.path.join(os.fsencode(seed_dir), b"bad\xff.md"), "w") as handle:
        handle.write("# Bad\n\n## Common Questions\n1. Why?\n")
    result = cli("build", seed_dir, "-o", tmp_path / "d.apkg")
    assert_one_line_error(result, "bad\\xff.md: the file name is not UTF-8")


@pytest.mark.parametrize("args, fragment", [
    (["--config", "/dev/zero"], "/dev/zero: not a regular file"),
    (["--config", "CONFIG"], "output: control characters"),
])
def test_bad_settings_are_one_line(seed_dir: Path, tmp_path: Path, args: list[str], fragment: str) -> None:
    config = tmp_path / "settings.yaml"
    config.write_text('output: "a\\0.apkg"\n')
    args = [str(config) if a == "CONFIG" else a for a in args]
    result = run_cli("build", str(seed_dir), "-o", str(tmp_path), *args)
    assert_one_line_error(result, fragment)


def test_negative_debounce(seed_dir: Path) -> None:
    result = run_cli("watch", str(seed_dir), "--debounce", "-5")
    assert_one_line_error(result, "--debounce")


# --- smaller things -------------------------------------------------------------------------

def test_a_link_out_of_the_guides_folder_is_not_read(seed_dir: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.md"
    secret.write_text("# Secret\n\n## Access\n\n### What is the root password?\nIt is hunter2.\n")
    (seed_dir / "evil.md").symlink_to(secret)
    (seed_dir / "passwd.md").symlink_to("/etc/passwd")
    result = run_cli("cards", str(seed_dir))
    assert result.exit_code == 0
    assert "root password" not in result.stdout and "root:" not in result.stdout
    assert "evil.md: a link to a file outside" in result.stderr and "passwd.md: a link" in result.stderr


def test_terminal_escapes_in_file_names_are_printed_escaped(seed_dir: Path, tmp_path: Path) -> None:
    (seed_dir / "\x1b]0;pwned\x07\x1b[2Jevil.md").write_text("# Evil\n\nQ: What is this?\nA: A file name.\n")
    result = cli("build", seed_dir, "-o", tmp_path / "d.apkg")
    assert result.returncode == 0, result.stderr
    assert "\x1b" not in result.stdout + result.stderr and "\x07" not in result.stdout
    assert "\\x1b]0;pwned\\x07\\x1b[2Jevil.md: 1 notes" in result.stdout


def test_fix_encoding_keeps_an_existing_backup(seed_dir: Path) -> None:
    guide = seed_dir / "initiative-proactivity.md"
    original = guide.read_bytes()
    (seed_dir / "initiative-proactivity.md.bak").write_text("precious")
    result = run_cli("check", str(seed_dir), "--fix-encoding")
    assert "original kept as initiative-proactivity.md.bak.1" in result.stdout
    assert (seed_dir / "initiative-proactivity.md.bak").read_text() == "precious"
    assert (seed_dir / "initiative-proactivity.md.bak.1").read_bytes() == original
