"""The lock survives what happens to it in real life: git merges, another project's lock
copied in, odd file names, and a file cut short. Driven through the real CLI and real git."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from deckbuilder.lockfile import END, parse_lock

from .conftest import FIXTURES, ROOT, SEED_NOTES, copy_seed, import_apkg, run_cli

pytestmark = pytest.mark.slow  # several builds per test, git merges of the lock

GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "init.defaultBranch=main",
       "-c", "commit.gpgsign=false"]


def build(guides: Path, out: Path, epoch: int = 1800000000, *extra: str):
    return run_cli("build", str(guides), "-o", str(out), *extra, env={"SOURCE_DATE_EPOCH": str(epoch)})


def git(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*GIT, "-C", str(repo), *args], capture_output=True, text=True)


def guide(title: str, questions: int) -> str:
    """A guide of ``questions`` answered questions: one note each."""
    items = "\n\n".join(
        f"### What is {title.lower()} fact {n}?\nIt is the number {n} fact about {title.lower()}."
        for n in range(1, questions + 1)
    )
    return f"# {title}\n\n## Facts\n\n{items}\n"


def note_ids(lock_text: str) -> list[int]:
    lock = parse_lock(lock_text, "lock")
    return [n.note_id for n in (*lock.notes.values(), *lock.removed.values())]


def two_branches(
    tmp_path: Path, first: str, second: str, *, union: bool = False
) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """A repository with one guide, built and committed; two branches each add a guide and
    build a few seconds apart (so their new note ids overlap); then ``git merge``."""
    repo = tmp_path / "repo"
    guides = repo / "guides"
    guides.mkdir(parents=True)
    (guides / "middle.md").write_text(guide("Middle", 3), encoding="utf-8")
    (repo / ".gitignore").write_text(".deckbuilder-cache/\n*.apkg\n")
    if union:
        (repo / ".gitattributes").write_text("deckbuilder.lock merge=union\n")
    assert build(guides, repo / "deck.apkg", 1800000000).exit_code == 0
    assert git(repo, "init", "-q").returncode == 0
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    for branch, name, epoch in (("one", first, 1800000100), ("two", second, 1800000102)):
        git(repo, "checkout", "-q", "-b", branch, "main")
        (guides / f"{name}.md").write_text(guide(name.title(), 40), encoding="utf-8")
        assert build(guides, repo / "deck.apkg", epoch).exit_code == 0
        git(repo, "add", "-A")
        git(repo, "commit", "-qm", f"add {name}")
    git(repo, "checkout", "-q", "one")
    return guides, git(repo, "merge", "-q", "--no-edit", "two")


def test_a_cleanly_merged_lock_builds(tmp_path: Path) -> None:
    from anki.collection import Collection

    guides, merged = two_branches(tmp_path, "alpha", "zulu")
    assert merged.returncode == 0, merged.stdout + merged.stderr  # git saw no conflict
    lock_text = (guides / "deckbuilder.lock").read_text()
    raw_ids = [int(line.split("\t")[4]) for line in lock_text.splitlines() if line.startswith("note\t")]
    assert len(raw_ids) != len(set(raw_ids))  # the merge really did put one id on two notes
    result = build(guides, tmp_path / "merged.apkg", 1800000200)
    assert result.exit_code == 0, result.output
    assert "83 unchanged" in result.stdout  # 3 + 40 + 40, nothing lost, nothing re-added
    ids = note_ids((guides / "deckbuilder.lock").read_text())
    assert len(ids) == len(set(ids)) == 83
    again = build(guides, tmp_path / "again.apkg", 1800000300)
    assert again.exit_code == 0 and "83 unchanged" in again.stdout
    col = Collection(str(tmp_path / "c.anki2"))
    import_apkg(col, tmp_path / "merged.apkg")
    assert len(col.find_notes("")) == 83
    col.close()


def test_merge_resolution_does_not_depend_on_line_order(tmp_path: Path) -> None:
    guides, _ = two_branches(tmp_path, "alpha", "zulu")
    text = (guides / "deckbuilder.lock").read_text()
    lines = text.splitlines(keepends=True)
    body = [line for line in lines if line.startswith(("note\t", "removed\t"))]
    shuffled = "".join([line for line in lines if line not in body and line != END + "\n"] + body[::-1]
                       + [END + "\n"])
    forward, backward = parse_lock(text, "a"), parse_lock(shuffled, "b")
    assert forward.notes == backward.notes and forward.removed == backward.removed


def test_conflict_markers_say_how_to_resolve(tmp_path: Path) -> None:
    guides, merged = two_branches(tmp_path, "alpha", "beta")  # both insert at the same place
    assert merged.returncode != 0
    lock = guides / "deckbuilder.lock"
    result = build(guides, tmp_path / "d.apkg", 1800000200)
    assert result.exit_code == 1
    assert "merge conflict" in result.stderr and "Keep both sides" in result.stderr and "Traceback" not in result.output
    # doing what the message says works
    markers = ("<<<<<<<", "=======", ">>>>>>>")
    kept = [line for line in lock.read_text().splitlines(keepends=True) if not line.startswith(markers)]
    lock.write_text("".join(kept))
    result = build(guides, tmp_path / "d.apkg", 1800000200)
    assert result.exit_code == 0, result.output
    assert "83 unchanged" in result.stdout


def test_union_merge_needs_no_hand_work(tmp_path: Path) -> None:
    guides, merged = two_branches(tmp_path, "alpha", "beta", union=True)
    assert merged.returncode == 0, merged.stderr
    result = build(guides, tmp_path / "d.apkg", 1800000200)
    assert result.exit_code == 0, result.output
    assert "83 unchanged" in result.stdout


# --- another project's lock ------------------------------------------------------------

@pytest.fixture
def two_projects(tmp_path: Path) -> tuple[Path, Path]:
    a, b = tmp_path / "a", tmp_path / "b"
    copy_seed(a)
    shutil.copytree(FIXTURES / "family", b, ignore=shutil.ignore_patterns("*.yaml"))
    assert build(a, tmp_path / "a.apkg").exit_code == 0
    return a, b


@pytest.mark.parametrize("b_built_before", [False, True])
def test_another_projects_lock_is_refused(two_projects, tmp_path: Path, b_built_before: bool) -> None:
    a, b = two_projects
    out = tmp_path / "b.apkg"
    if b_built_before:
        assert build(b, out).exit_code == 0
    before = out.read_bytes() if out.exists() else None
    shutil.copy(a / "deckbuilder.lock", b / "deckbuilder.lock")
    copied = (b / "deckbuilder.lock").read_bytes()
    result = build(b, out)
    assert result.exit_code == 1, result.output
    assert "another project" in result.stderr and "Traceback" not in result.output
    assert (b / "deckbuilder.lock").read_bytes() == copied  # nothing written
    assert (out.read_bytes() if out.exists() else None) == before
    assert "removed" not in result.stdout


def test_another_projects_deck_is_not_replaced(two_projects, tmp_path: Path) -> None:
    _, b = two_projects
    assert build(b, tmp_path / "b.apkg").exit_code == 0
    a_deck = (tmp_path / "a.apkg").read_bytes()
    result = build(b, tmp_path / "a.apkg")
    assert result.exit_code == 1
    assert "all belong to another project" in result.stderr and "Traceback" not in result.output
    assert (tmp_path / "a.apkg").read_bytes() == a_deck


def test_a_renamed_deck_is_refused_until_adopted(two_projects, tmp_path: Path) -> None:
    a, _ = two_projects
    (a / "deckbuilder.yaml").write_text("deck: Another Deck\n")
    result = build(a, tmp_path / "a.apkg")
    assert result.exit_code == 1 and "made for the deck 'Interview Prep'" in result.stderr
    adopted = build(a, tmp_path / "a.apkg", 1800000000, "--adopt-lock")
    assert adopted.exit_code == 0, adopted.output
    assert "\tAnother Deck\n" in (a / "deckbuilder.lock").read_text()
    assert build(a, tmp_path / "a.apkg").exit_code == 0


# --- names and damage ------------------------------------------------------------------

def test_tabs_and_newlines_in_file_names(tmp_path: Path) -> None:
    guides = tmp_path / "guides"
    copy_seed(guides)
    odd = [guides / "tab\there.md", guides / "new\nline.md", guides / "back\\slash.md"]
    for n, path in enumerate(odd):
        path.write_text(guide(f"Odd {n}", 2), encoding="utf-8")
    out = tmp_path / "d.apkg"
    assert build(guides, out).exit_code == 0
    (guides / "initiative-proactivity.md").write_text(
        (guides / "initiative-proactivity.md").read_text(encoding="utf-8") + "\n", encoding="utf-8")
    second = build(guides, out, 1800000100, "--no-cache")  # reads every lock line back
    assert second.exit_code == 0, second.output
    assert "69 unchanged" in second.stdout
    for path in odd:
        path.unlink()
    third = build(guides, out, 1800000200)
    assert third.exit_code == 0, third.output
    assert "6 removed" in third.stdout
    lock = parse_lock((guides / "deckbuilder.lock").read_text(), "lock")
    assert {n.doc for n in lock.removed.values()} == {"tab\there", "new\nline", "back\\slash"}


@pytest.mark.parametrize("cut", ["line boundary", "mid line", "empty"])
def test_a_cut_lock_is_reported(tmp_path: Path, cut: str) -> None:
    guides = tmp_path / "guides"
    copy_seed(guides)
    out = tmp_path / "d.apkg"
    assert build(guides, out).exit_code == 0
    lock = guides / "deckbuilder.lock"
    text = lock.read_text()
    if cut == "line boundary":
        text = "".join(text.splitlines(keepends=True)[:-5])
    elif cut == "mid line":
        text = text[: len(text) // 2]
    else:
        text = ""
    lock.write_text(text)
    deck = out.read_bytes()
    result = build(guides, out, 1800000100)
    if cut == "empty":  # an empty file is no lock: there is no history to lose in it
        assert result.exit_code == 0
        return
    assert result.exit_code == 1
    assert "cut short" in result.stderr and "Traceback" not in result.output
    assert lock.read_text() == text and out.read_bytes() == deck


@pytest.mark.parametrize("bad", ["unknown note kind", "huge id", "huge mod", "negative id"])
def test_a_damaged_lock_line_is_an_error_with_its_line(tmp_path: Path, bad: str) -> None:
    guides = tmp_path / "guides"
    copy_seed(guides)
    assert build(guides, tmp_path / "d.apkg").exit_code == 0
    lock = guides / "deckbuilder.lock"
    lines = lock.read_text().splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith("note\t"))
    parts = lines[at].rstrip("\n").split("\t")
    if bad == "unknown note kind":
        parts[7] = "basic"
    elif bad == "huge id":
        parts[4] = str(2**63)
    elif bad == "huge mod":
        parts[3] = str(2**64)
    else:
        parts[4] = "-100"
    lines[at] = "\t".join(parts) + "\n"
    lock.write_text("".join(lines))
    result = build(guides, tmp_path / "d.apkg", 1800000100, "--no-cache")
    assert result.exit_code == 1
    assert f"deckbuilder.lock:{at + 1}: unreadable lock file line" in result.stderr
    assert "Traceback" not in result.output


def test_a_version_1_lock_is_read_and_upgraded(tmp_path: Path) -> None:
    """A lock written before version 2 (``fixtures/lock-v1``, the seed's lock as first
    committed): every note keeps its GUID and id, nothing is added or removed, and the
    lock is rewritten as version 2."""
    guides = tmp_path / "guides"
    shutil.copytree(ROOT / "source", guides)
    shutil.copy(ROOT / "tests" / "fixtures" / "lock-v1" / "deckbuilder.lock", guides / "deckbuilder.lock")
    old = (guides / "deckbuilder.lock").read_text()
    assert old.startswith("# deckbuilder lock 1")
    result = build(guides, tmp_path / "d.apkg")
    assert result.exit_code == 0 and " 0 added," in result.stdout and " 0 removed" in result.stdout, result.output
    new = (guides / "deckbuilder.lock").read_text()
    assert new.startswith("# deckbuilder lock 2") and new.endswith(END + "\n")

    def ids(text: str) -> set[tuple[str, str]]:  # (guid, note id) of every note line
        return {(p[1], p[4]) for p in (ln.split("\t") for ln in text.splitlines()) if p[0] == "note"}

    assert len(ids(old)) == SEED_NOTES and ids(new) == ids(old)
