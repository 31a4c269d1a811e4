"""Cache, process pool and the no-change fast path never change a byte of the output."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from deckbuilder.documents import load_documents
from deckbuilder.errors import DeckbuilderError
from deckbuilder.model import Kind, SourceWarning

from .conftest import copy_seed, run_cli

pytestmark = pytest.mark.slow  # two or three builds per test, through the process pool

EPOCH = {"SOURCE_DATE_EPOCH": "1800000000"}


def build(guides: Path, out: Path, *extra: str):
    result = run_cli("build", str(guides), "-o", str(out), *extra, env=EPOCH)
    assert result.exit_code == 0, result.output
    return result


def fresh(guides: Path) -> None:
    """Forget the previous build: lock, cache and manifest."""
    (guides / "deckbuilder.lock").unlink(missing_ok=True)
    shutil.rmtree(guides / ".deckbuilder-cache", ignore_errors=True)


def cache_rows(guides: Path, query: str) -> list[tuple]:
    import sqlite3

    conn = sqlite3.connect(guides / ".deckbuilder-cache" / "cache.sqlite")
    try:
        return conn.execute(query).fetchall()
    finally:
        conn.close()


def change_cache(guides: Path, statement: str, rows: list[tuple] | None = None) -> None:
    import sqlite3

    conn = sqlite3.connect(guides / ".deckbuilder-cache" / "cache.sqlite")
    try:
        with conn:
            conn.executemany(statement, rows if rows is not None else [()])
    finally:
        conn.close()


def test_cached_and_uncached_builds_are_identical(library: Path, tmp_path: Path) -> None:
    build(library, tmp_path / "uncached.apkg", "--no-cache")
    assert not (library / ".deckbuilder-cache").exists()
    fresh(library)
    build(library, tmp_path / "cold.apkg")
    assert cache_rows(library, "SELECT count(*) FROM entries") == [(5,)]  # one per guide
    fresh_lock = library / "deckbuilder.lock"
    fresh_lock.unlink()
    build(library, tmp_path / "warm.apkg")  # every guide from the cache
    assert (tmp_path / "uncached.apkg").read_bytes() == (tmp_path / "cold.apkg").read_bytes()
    assert (tmp_path / "cold.apkg").read_bytes() == (tmp_path / "warm.apkg").read_bytes()


def test_a_build_writes_the_deck_the_lock_and_one_cache_file(library: Path, tmp_path: Path) -> None:
    """However many guides, and whatever an older deckbuilder left in the cache folder."""
    cache = library / ".deckbuilder-cache"
    (cache / "ab").mkdir(parents=True)
    for old in ("build.sqlite", "manifest.json", "ab/ab12.json"):
        (cache / old).write_bytes(b"left by an older deckbuilder")
    before = {p for p in library.rglob("*") if p.is_file()}
    build(library, tmp_path / "deck.apkg")
    edit(library / "communication.md", "Audience first", "Audience comes first")
    build(library, tmp_path / "deck.apkg")
    written = {p for p in library.rglob("*") if p.is_file()} - before
    assert sorted(p.relative_to(library).as_posix() for p in written) == [
        ".deckbuilder-cache/cache.sqlite", "deckbuilder.lock"]
    assert [p.name for p in cache.iterdir()] == ["cache.sqlite"]
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["deck.apkg"]


def test_entries_no_guide_uses_are_pruned(library: Path, tmp_path: Path) -> None:
    build(library, tmp_path / "deck.apkg")
    keys = set(cache_rows(library, "SELECT key FROM entries"))
    edit(library / "communication.md", "Audience first", "Audience comes first")
    (library / "conflict-resolution.md").unlink()
    build(library, tmp_path / "deck.apkg")
    now = set(cache_rows(library, "SELECT key FROM entries"))
    assert len(now) == 4 and len(now & keys) == 3  # the edited guide's new entry; the deleted one's gone


def test_a_folder_is_the_same_however_its_path_is_spelt(
    library: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``guides`` then ``/abs/guides`` (and back) redo no guide, and messages use the spelling given."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    monkeypatch.chdir(library.parent)
    first = api_build(Path(library.name), tmp_path / "deck.apkg")
    assert len(first.redone) == 5
    absolute = api_build(library, tmp_path / "deck.apkg")
    assert absolute.redone == []
    assert {w.path for w in absolute.summary.warnings} == {str(library / "initiative-proactivity.md")}
    assert api_build(Path(library.name), tmp_path / "deck.apkg").redone == []
    edit(library / "communication.md", "Audience first", "Audience comes first")
    assert api_build(library, tmp_path / "deck.apkg").redone == [str(library / "communication.md")]


def test_warnings_come_back_with_their_kind_from_every_cache(
    library: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From the guide's cache entry, from the build store, and on the no-change fast path."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    out = tmp_path / "deck.apkg"
    repaired = SourceWarning(str(library / "initiative-proactivity.md"), 0,
                             "repaired broken encoding (UTF-8 misread as mac_roman); "
                             "run `deckbuilder check --fix-encoding` to repair the file", "encoding")
    assert api_build(library, out).summary.warnings == [repaired]  # worked out
    assert api_build(library, out).summary.warnings == [repaired]  # the fast path
    edit(library / "communication.md", "Audience first", "Audience comes first")
    kept = api_build(library, out)
    assert "initiative-proactivity.md" not in str(kept.redone) and kept.summary.warnings == [repaired]
    (library / "deckbuilder.lock").unlink()
    from_entries = api_build(library, out)  # the store goes with another lock: every guide from its entry
    assert len(from_entries.redone) == 5 and from_entries.summary.warnings == [repaired]


@pytest.mark.parametrize("damage", ["truncate", "flip", "foreign", "garbage"])
def test_a_damaged_cache_is_detected_and_rebuilt(library: Path, tmp_path: Path, damage: str) -> None:
    build(library, tmp_path / "a.apkg")
    entries = cache_rows(library, "SELECT key, sealed FROM entries ORDER BY key")
    damaged = []
    for n, (key, data) in enumerate(entries):
        if damage == "truncate":
            data = data[: len(data) // 2]
        elif damage == "flip":  # same length, one changed character inside a card's text
            at = data.rindex(b"Tell") if b"Tell" in data else len(data) - 10
            data = data[:at] + b"X" + data[at + 1 :]
        elif damage == "foreign":  # a well-formed entry, but for another file
            data = entries[(n + 1) % len(entries)][1]
        else:
            data = b"\x00\xff not json"
        damaged.append((data, key))
    change_cache(library, "UPDATE entries SET sealed = ? WHERE key = ?", damaged)
    (library / "deckbuilder.lock").unlink()
    build(library, tmp_path / "b.apkg")
    assert (tmp_path / "a.apkg").read_bytes() == (tmp_path / "b.apkg").read_bytes()


def test_serial_and_parallel_builds_are_identical(library: Path, tmp_path: Path) -> None:
    build(library, tmp_path / "serial.apkg", "--no-cache", "--jobs", "1")
    fresh(library)
    build(library, tmp_path / "parallel.apkg", "--no-cache", "--jobs", "2")
    assert (tmp_path / "serial.apkg").read_bytes() == (tmp_path / "parallel.apkg").read_bytes()


def test_no_change_rebuild_reports_and_leaves_the_deck_alone(library: Path, tmp_path: Path) -> None:
    out = tmp_path / "deck.apkg"
    first = build(library, out)
    stamp = out.stat().st_mtime_ns
    second = build(library, out)
    assert out.stat().st_mtime_ns == stamp  # not rewritten
    assert "0 added, 0 updated, 0 reworded, 0 moved, 198 unchanged, 0 removed" in second.stdout
    assert first.stdout.splitlines()[0].split(";")[0] == second.stdout.splitlines()[0].split(";")[0]
    assert "repaired broken encoding" in second.stderr  # the warning is not lost on the fast path


def test_an_edit_after_a_no_change_rebuild_is_seen(library: Path, tmp_path: Path) -> None:
    out = tmp_path / "deck.apkg"
    build(library, out)
    build(library, out)
    guide = library / "communication.md"
    guide.write_text(guide.read_text(encoding="utf-8").replace("Audience first", "Audience comes first"),
                     encoding="utf-8")
    result = build(library, out)
    assert "1 reworded" in result.stdout or "1 updated" in result.stdout


# --- the build store: a rebuild redoes only the guides that changed -------------------

def api_build(guides: Path, out: Path, **options):
    from deckbuilder.build import build as build_deck

    return build_deck([guides], out, workers=1, **options)


def twin_build(guides: Path, tmp_path: Path, name: str) -> tuple[bytes, int]:
    """Build ``guides`` incrementally, and a copy of the same state (same lock) without any
    cache; the two decks and locks must match. Returns the deck and how many guides were redone."""
    twin = tmp_path / f"twin-{name}"
    shutil.copytree(guides, twin, ignore=shutil.ignore_patterns(".deckbuilder-cache"))
    cold = api_build(twin, tmp_path / f"{name}-cold.apkg", use_cache=False)
    warm = api_build(guides, tmp_path / f"{name}-warm.apkg")
    deck = (tmp_path / f"{name}-warm.apkg").read_bytes()
    assert deck == (tmp_path / f"{name}-cold.apkg").read_bytes(), name
    assert (guides / "deckbuilder.lock").read_text() == (twin / "deckbuilder.lock").read_text(), name
    assert warm.summary.total() == cold.summary.total(), name
    return deck, len(warm.redone)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_each_kind_of_edit_redoes_only_its_guide_and_matches_a_cold_build(
    library: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    _, redone = twin_build(library, tmp_path, "first")
    assert redone == 5
    comm = library / "communication.md"
    steps = [
        ("answer", lambda: edit(comm, "State the conclusion in the first sentence",
                                "State the conclusion in the very first sentence"), 1),
        ("new question", lambda: edit(comm, '1. "Tell me about a time you explained',
                                      '1. "What makes a status update useful?"\n1. "Tell me about a time you '
                                      'explained'), 1),
        ("removed line", lambda: edit(comm, "- **Right channel**:", "- Right channel,"), 1),
        ("guide deleted", lambda: (library / "conflict-resolution.md").unlink(), 0),
        # a guide without material has no rows: its seal is that of nothing, and it is kept from now on
        ("empty guide", lambda: (library / "empty.md").write_text("# Empty\n\nNothing to learn.\n"), 1),
        # a second guide with the same title renames the kept guide's deck too
        ("title clash", lambda: shutil.copy(library / "leadership" / "leading-without-authority.md",
                                            library / "leadership" / "copy.md"), 2),
        ("resurrected", lambda: edit(comm, "- Right channel,", "- **Right channel**:"), 1),
        ("second day", lambda: monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800086400"), 0),
        ("two guides", lambda: (edit(comm, "very first", "first"),
                                edit(library / "failure-mistakes.md", "Failure questions", "Failure-led questions")),
         2),
    ]
    for name, change, expected in steps:
        change()
        _, redone = twin_build(library, tmp_path, name)
        assert redone == expected, name


@pytest.mark.parametrize("damage", ["flip", "doctored", "orphan rows", "truncate", "foreign", "stale lock",
                                    "old format", "failed build"])
def test_a_store_it_cannot_vouch_for_is_never_used(
    library: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    store = library / ".deckbuilder-cache" / "cache.sqlite"
    api_build(library, tmp_path / "first.apkg")
    edit(library / "communication.md", "Audience first", "Audience comes first")
    if damage == "flip":  # one changed byte inside each kept card's text
        store.write_bytes(store.read_bytes().replace(b"Tell me about", b"Tell me abouX"))
    elif damage == "doctored":  # a card's text changed by hand, every seal left as it was
        change_cache(library, "UPDATE notes SET flds = 'X' || flds WHERE id = (SELECT min(id) FROM notes)")
    elif damage == "orphan rows":  # a note under a file the docs table does not name, every seal left as it was
        change_cache(library, "INSERT INTO notes SELECT id + 1, 'elsewhere.md', pos, guid || 'x', mid, mod, tags, "
                              "'orphan' || flds, sfld FROM notes WHERE id = (SELECT max(id) FROM notes)")
    elif damage == "truncate":
        store.write_bytes(store.read_bytes()[:20000])
    elif damage == "foreign":  # a well-formed store from another library
        other = tmp_path / "other"
        copy_seed(other)
        api_build(other, tmp_path / "other.apkg")
        shutil.copy(other / ".deckbuilder-cache" / "cache.sqlite", store)
    elif damage == "stale lock":  # the lock goes back to an older version (git checkout)
        old_lock = (library / "deckbuilder.lock").read_text()
        api_build(library, tmp_path / "second.apkg")
        edit(library / "communication.md", "Audience comes first", "Audience always first")
        (library / "deckbuilder.lock").write_text(old_lock)
    elif damage == "old format":  # a cache an older deckbuilder left
        change_cache(library, "UPDATE meta SET value = '0' WHERE name = 'format'")
    else:  # the store was updated, then the deck could not be written
        with pytest.raises(DeckbuilderError, match="output folder does not exist"):
            api_build(library, tmp_path / "missing" / "deck.apkg")
    _, redone = twin_build(library, tmp_path, damage)
    assert redone == 5  # everything redone, and identical to a build without any cache


def age(guides: Path) -> None:
    """Every guide saved an hour ago: long enough before a build for its size and times to
    vouch for its bytes (``documents.read_sources``)."""
    then = time.time() - 3600
    for path in guides.rglob("*.md"):
        os.utime(path, (then, then))


def guides_read(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The guides this process reads from now on, in order."""
    read: list[str] = []
    read_bytes = Path.read_bytes

    def reading(path: Path) -> bytes:
        if path.suffix == ".md":
            read.append(path.name)
        return read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", reading)
    return read


def test_a_guide_as_the_last_build_saw_it_is_not_read_again(
    library: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    age(library)
    api_build(library, tmp_path / "first.apkg")
    edit(library / "communication.md", "Audience first", "Audience comes first")
    read = guides_read(monkeypatch)
    assert api_build(library, tmp_path / "second.apkg").redone == [str(library / "communication.md")]
    assert read == ["communication.md"]


def test_an_edit_that_puts_the_time_back_is_seen(
    library: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Size and modification time as they were: the change time, which only the kernel sets, shows it."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    age(library)
    api_build(library, tmp_path / "first.apkg")
    failure = library / "failure-mistakes.md"
    before = failure.stat()
    edit(failure, "Failure questions", "Failure Questions")
    os.utime(failure, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert failure.stat().st_size == before.st_size
    edit(library / "communication.md", "Audience first", "Audience comes first")  # past the fast path
    redone = api_build(library, tmp_path / "second.apkg").redone
    assert sorted(redone) == [str(library / "communication.md"), str(failure)]


def test_a_guide_saved_just_before_a_build_is_read_by_the_next(
    library: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its time cannot vouch for its bytes: a second save in the same tick of the clock
    would leave size and times as they were."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    age(library)
    os.utime(library / "failure-mistakes.md")  # saved now
    api_build(library, tmp_path / "first.apkg")
    edit(library / "communication.md", "Audience first", "Audience comes first")
    read = guides_read(monkeypatch)
    assert len(api_build(library, tmp_path / "second.apkg").redone) == 1
    assert sorted(read) == ["communication.md", "failure-mistakes.md"]


def test_a_kept_guide_that_was_not_read_is_read_when_its_deck_moves(
    library: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    age(library)
    twin_build(library, tmp_path, "first")
    shutil.copy(library / "leadership" / "leading-without-authority.md", library / "leadership" / "copy.md")
    _, redone = twin_build(library, tmp_path, "title clash")
    assert redone == 2


def test_a_dry_run_reads_the_caches_and_writes_nothing(
    library: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    out = tmp_path / "deck.apkg"
    api_build(library, out)
    (guide,) = load_documents([library / "communication.md"])
    # the theme is reworded, and so is every prompt's back that shows it
    shown = sum(1 for spec in guide.specs if spec.kind is Kind.QUESTION and "Audience first" in spec.back)
    edit(library / "communication.md", "Audience first", "Audience comes first")

    def state() -> dict[str, tuple[int, int]]:
        return {str(p): (p.stat().st_size, p.stat().st_mtime_ns) for p in [out, *library.rglob("*")] if p.is_file()}

    before = state()
    result = api_build(library, out, dry_run=True)
    assert state() == before
    assert result.redone == [str(library / "communication.md")]
    assert shown and result.summary.total()["reworded"] + result.summary.total()["updated"] == 1 + shown


def test_a_note_whose_card_ids_spill_over_makes_every_build_whole(
    library: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    many = " ".join(f"{{{{c{i}::w{i}}}}}" for i in range(1, 103))
    (library / "absurd.md").write_text(f"# Absurd\n\n## Notes\n\nThe list: {many}.\n", encoding="utf-8")
    twin_build(library, tmp_path, "first")
    edit(library / "communication.md", "Audience first", "Audience comes first")
    _, redone = twin_build(library, tmp_path, "after")
    assert redone == 6  # kept spilled ids would depend on the highest note id: no shortcut


def test_the_zip_is_the_same_whatever_the_worker_count(tmp_path: Path) -> None:
    import os
    import zipfile

    from deckbuilder.archive import SLICE, write_zip

    data = os.urandom(SLICE) + b"deck " * SLICE  # six slices, one of them incompressible
    (tmp_path / "db").write_bytes(data)
    paths = [str(tmp_path / f"{n}.zip") for n in (1, 2, 3)]
    for workers, path in zip((1, 2, 3), paths, strict=True):
        source = data if workers == 1 else tmp_path / "db"  # in memory, or read from a file slice by slice
        write_zip(path, [("collection.anki2", source), ("media", b"{}")], 1800000000, workers=workers)
    assert len({Path(p).read_bytes() for p in paths}) == 1
    with zipfile.ZipFile(paths[0]) as archive:
        assert archive.testzip() is None
        assert archive.read("collection.anki2") == data and archive.read("media") == b"{}"
        assert archive.getinfo("media").date_time == (2027, 1, 15, 8, 0, 0)


def test_a_rewritten_zip_copies_the_slices_it_deflated_before(tmp_path: Path) -> None:
    import os
    import zipfile

    from deckbuilder.archive import SLICE, Previous, write_zip

    def entries(data: bytes) -> list[tuple[str, bytes | Path]]:
        return [("collection.anki2", data), ("media", b"{}")]

    before = os.urandom(SLICE) + b"deck " * SLICE  # six slices
    after = before[:3 * SLICE] + b"X" + before[3 * SLICE + 1:]  # the fourth slice edited
    first = write_zip(str(tmp_path / "first.zip"), entries(before), 1800000000)
    fresh = write_zip(str(tmp_path / "fresh.zip"), entries(after), 1800000000)
    again = write_zip(str(tmp_path / "again.zip"), entries(after), 1800000000,
                      previous=Previous(tmp_path / "first.zip", first))
    assert (tmp_path / "again.zip").read_bytes() == (tmp_path / "fresh.zip").read_bytes()
    assert again == fresh
    assert [a[0] == b[0] for a, b in zip(first["collection.anki2"], again["collection.anki2"], strict=True)] == [
        True, True, True, False, True, True]
    with zipfile.ZipFile(tmp_path / "again.zip") as archive:
        assert archive.read("collection.anki2") == after

    # the unchanged slices are copied from the old archive, not deflated again: a byte
    # altered there (which the caller vouches never happens) shows up in the new one
    _, offset, length = first["collection.anki2"][1]
    old = bytearray((tmp_path / "first.zip").read_bytes())
    old[offset + length // 2] ^= 0xFF
    (tmp_path / "first.zip").write_bytes(bytes(old))
    write_zip(str(tmp_path / "copied.zip"), entries(after), 1800000000,
              previous=Previous(tmp_path / "first.zip", first))
    copied = (tmp_path / "copied.zip").read_bytes()
    assert copied[offset:offset + length] == bytes(old[offset:offset + length]) != (
        tmp_path / "fresh.zip").read_bytes()[offset:offset + length]


@pytest.mark.slow
def test_a_deck_rebuilt_from_copied_slices_is_a_cold_builds_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                  ) -> None:
    import sys

    from deckbuilder.cache import Manifest
    from deckbuilder.store import Store

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    import corpus

    def zipped() -> list[str]:
        with Store.open(guides / ".deckbuilder-cache") as store:
            pieces = Manifest(store.manifest(), guides).written(out)
        assert pieces is not None
        return [digest for digest, _, _ in pieces["collection.anki2"]]

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    guides = tmp_path / "guides"
    corpus.generate(guides, 60, "0")  # a collection of two slices
    out = tmp_path / "deck.apkg"
    api_build(guides, out)
    before = zipped()
    corpus.apply_one_change(guides, "0", 0)
    assert len(api_build(guides, out).redone) == 1
    after = zipped()
    assert len(after) == len(before) >= 2 and before[0] != after[0] and before[1:] == after[1:]  # one copied
    twin = tmp_path / "twin"
    shutil.copytree(guides, twin, ignore=shutil.ignore_patterns(".deckbuilder-cache"))
    api_build(twin, tmp_path / "cold.apkg", use_cache=False)
    assert out.read_bytes() == (tmp_path / "cold.apkg").read_bytes()
