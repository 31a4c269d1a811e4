"""Cache, process pool and the no-change fast path never change a byte of the output."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .conftest import FIXTURES, copy_seed, run_cli

EPOCH = {"SOURCE_DATE_EPOCH": "1800000000"}


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """The seed plus the family fixtures: five guides, one in a subfolder."""
    guides = tmp_path / "guides"
    shutil.copytree(FIXTURES / "family", guides, ignore=shutil.ignore_patterns("*.yaml"))
    copy_seed(guides)
    return guides


def build(guides: Path, out: Path, *extra: str):
    result = run_cli("build", str(guides), "-o", str(out), *extra, env=EPOCH)
    assert result.exit_code == 0, result.output
    return result


def fresh(guides: Path) -> None:
    """Forget the previous build: lock, cache and manifest."""
    (guides / "deckbuilder.lock").unlink(missing_ok=True)
    shutil.rmtree(guides / ".deckbuilder-cache", ignore_errors=True)


def test_cached_and_uncached_builds_are_identical(library: Path, tmp_path: Path) -> None:
    build(library, tmp_path / "uncached.apkg", "--no-cache")
    assert not (library / ".deckbuilder-cache").exists()
    fresh(library)
    build(library, tmp_path / "cold.apkg")
    entries = list((library / ".deckbuilder-cache").rglob("*.json"))
    assert len(entries) == 5 + 1  # one per guide, and the manifest
    fresh_lock = library / "deckbuilder.lock"
    fresh_lock.unlink()
    build(library, tmp_path / "warm.apkg")  # every guide from the cache
    assert (tmp_path / "uncached.apkg").read_bytes() == (tmp_path / "cold.apkg").read_bytes()
    assert (tmp_path / "cold.apkg").read_bytes() == (tmp_path / "warm.apkg").read_bytes()


@pytest.mark.parametrize("damage", ["truncate", "flip", "foreign", "garbage"])
def test_a_damaged_cache_is_detected_and_rebuilt(library: Path, tmp_path: Path, damage: str) -> None:
    build(library, tmp_path / "a.apkg")
    entries = [p for p in (library / ".deckbuilder-cache").rglob("*.json") if p.name != "manifest.json"]
    for entry in entries:
        data = entry.read_bytes()
        if damage == "truncate":
            entry.write_bytes(data[: len(data) // 2])
        elif damage == "flip":  # same length, one changed character inside a card's text
            at = data.rindex(b"Tell") if b"Tell" in data else len(data) - 10
            entry.write_bytes(data[:at] + b"X" + data[at + 1 :])
        elif damage == "foreign":  # a well-formed entry, but for another file
            entry.write_bytes(entries[0].read_bytes() if entry != entries[0] else entries[1].read_bytes())
        else:
            entry.write_bytes(b"\x00\xff not json")
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
    assert "0 added, 0 updated, 0 reworded, 186 unchanged, 0 removed" in second.stdout
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
