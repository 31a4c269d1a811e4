"""History survives real edits: renamed headings and guides, moves, rewordings, deletions.

A library of five guides is built, imported with the official anki library and every card
answered once; then the edits below are made, and the deck rebuilt and re-imported as a
user would. Every note that continues one from before must keep its cards' history, and
no card may render an error.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .conftest import FIXTURES, card_texts, copy_seed, import_apkg, run_cli
from .test_regenerate import answer_all, history

pytestmark = pytest.mark.slow  # a generated library built twice and imported into Anki

FIRST = {"SOURCE_DATE_EPOCH": "1800000000"}
LATER = {"SOURCE_DATE_EPOCH": "1800086400"}

SEED = "initiative-proactivity.md"
REWORDED_OLD = "Tell me about a time you took initiative without being asked"
REWORDED_NEW = "Tell me about a time you took the initiative without anyone asking"
MOVED_QUESTION = '1. "Describe how you run an effective meeting."\n'
DIFFERENT_OLD = "What if your idea had failed?"
DIFFERENT_NEW = "What if your idea had succeeded?"
TAKEAWAY = ('**Key Takeaway:**\n"Bad news ages badly. Deliver it early, in person, with evidence and options, '
            'and make it easy for the listener to pass the message on."\n')


def library(folder: Path) -> Path:
    """The seed guide and the family fixtures: five guides, one in a subfolder."""
    shutil.copytree(FIXTURES / "family", folder, ignore=shutil.ignore_patterns("*.yaml"))
    copy_seed(folder)
    return folder


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def edit_library(guides: Path) -> None:
    """The author's later edits, as a user would pull them."""
    replace_in(guides / SEED, "### Taking Initiative", "### Showing Initiative")  # heading rename
    replace_in(guides / SEED, REWORDED_OLD, REWORDED_NEW)  # moderate rewording (78% alike word for word)
    replace_in(guides / SEED, DIFFERENT_OLD, DIFFERENT_NEW)  # a different question in the same place
    comm = guides / "communication.md"
    replace_in(comm, "## Likely Follow-Ups", "## Follow-up Questions to Prepare For")  # heading rename
    replace_in(comm, MOVED_QUESTION, "")  # moves to another guide, below
    replace_in(comm, TAKEAWAY, "")  # a cloze note with several cards leaves
    comm.rename(guides / "03-communication.md")  # renumbered guide
    lead = guides / "leadership" / "leading-without-authority.md"
    replace_in(lead, "### Influence\n", "### Influence\n" + MOVED_QUESTION)
    (guides / "influence").mkdir()
    lead.rename(guides / "influence" / lead.name)  # moved to another folder: another deck
    (guides / "leadership").rmdir()
    replace_in(guides / "conflict-resolution.md", "# Conflict Resolution", "# Resolving Conflict")  # new deck


def build(guides: Path, out: Path, env: dict[str, str], *extra: str):
    result = run_cli("build", str(guides), "-o", str(out), *extra, env=env)
    assert result.exit_code == 0, result.output
    return result


def fronts(col) -> dict[str, str]:
    """Note GUID -> its first field."""
    return {col.get_note(nid).guid: col.get_note(nid).fields[0] for nid in col.find_notes("")}


def errors(col) -> list[str]:
    """Cards whose question or answer Anki renders as an error."""
    return [c["q"] for c in card_texts(col) if "No cloze" in c["q"] + c["a"] or "Empty Cards" in c["q"] + c["a"]]


@pytest.fixture(scope="module")
def edited(tmp_path_factory):
    from anki.collection import Collection

    root = tmp_path_factory.mktemp("history")
    guides = library(root / "guides")
    build(guides, root / "first.apkg", FIRST)
    col = Collection(str(root / "collection.anki2"))
    import_apkg(col, root / "first.apkg")
    answer_all(col)
    before, before_fronts = history(col), fronts(col)
    edit_library(guides)
    dry = build(guides, root / "dry.apkg", LATER, "--dry-run", "--verbose")
    report = build(guides, root / "second.apkg", LATER)
    import_apkg(col, root / "second.apkg")
    live = {col.get_note(nid).guid for nid in col.find_notes("-tag:deckbuilder::removed")}
    yield {"col": col, "before": before, "before_fronts": before_fronts, "after": history(col), "live": live,
           "report": report.stdout, "dry": dry.stdout}
    col.close()


def continuing(before_fronts: dict[str, str]) -> set[str]:
    """The notes that continue after the edits: all but the replaced question and the deleted takeaway."""
    gone = [g for g, front in before_fronts.items() if DIFFERENT_OLD in front or "Bad news ages badly" in front]
    assert len(gone) == 2
    return set(before_fronts) - set(gone)


def test_every_continuing_note_keeps_its_history(edited) -> None:
    before, after = edited["before"], edited["after"]
    keep = continuing(edited["before_fronts"])
    kept = [key for key in before if key[0] in keep and key[0] in edited["live"] and after.get(key) == before[key]]
    assert len(kept) == len([key for key in before if key[0] in keep])
    assert len(keep) == 196  # every note of the library but the two the edits replace


def test_nothing_continuing_arrives_as_a_new_note(edited) -> None:
    col = edited["col"]
    new = [f for g, f in fronts(col).items() if g not in edited["before_fronts"]]
    assert new == [DIFFERENT_NEW]


def test_the_reworded_and_moved_notes_show_their_new_place(edited) -> None:
    col = edited["col"]
    (nid,) = col.find_notes(f'"Front:{REWORDED_NEW}"')
    assert col.get_note(nid).guid in edited["before_fronts"]
    (nid,) = col.find_notes('"Front:*Describe how you run an effective meeting*"')
    assert "Leading Without Authority" in col.get_note(nid)["Context"]


def test_two_similar_questions_stay_two_notes(edited) -> None:
    col = edited["col"]
    (old,) = col.find_notes(f'"Front:Removed from the guide: {DIFFERENT_OLD}"')
    (new,) = col.find_notes(f'"Front:{DIFFERENT_NEW}"')
    assert old != new
    assert "deckbuilder::removed" in col.get_note(old).tags


def test_no_card_renders_an_error(edited) -> None:
    col = edited["col"]
    (nid,) = col.find_notes('"Text:*Bad news ages badly*"')
    assert len(col.get_note(nid).cards()) > 1  # the removed takeaway had several cards
    assert errors(col) == []


def test_tombstones_say_how_to_remove_them(edited) -> None:
    col = edited["col"]
    for cid in col.find_cards("tag:deckbuilder::removed"):
        card = col.get_card(cid)
        assert "Removed from the guide" in card.question()
        assert "tag:deckbuilder::removed" in card.answer()


def test_the_report_says_what_happened(edited) -> None:
    report = edited["report"]
    assert "across a heading rename in initiative-proactivity: 'Common Questions / Taking Initiative'" in report
    assert "across a guide rename: communication -> 03-communication" in report
    assert "across a guide rename: leadership/leading-without-authority -> influence/leading-without-authority" \
        in report
    assert "treated as new, though it resembles a removed card" in report and DIFFERENT_NEW in report


def test_dry_run_verbose_lists_the_notes(edited) -> None:
    dry = edited["dry"]
    assert f"reworded initiative-proactivity: {REWORDED_OLD!r} -> {REWORDED_NEW!r}" in dry
    assert f"added    initiative-proactivity: {DIFFERENT_NEW!r}" in dry
    assert "moved    influence/leading-without-authority: 'Describe how you run an effective meeting.' " \
           "(from communication)" in dry
    assert f"removed  initiative-proactivity: {DIFFERENT_OLD!r}" in dry


def test_an_old_lock_still_gives_the_same_notes(tmp_path: Path) -> None:
    """A lock written before the answer/position columns (``fixtures/lock-v1``, the seed's
    first lock): every note keeps its GUID and id, and its time unless its content changed."""
    from deckbuilder.lockfile import read_lock

    from .conftest import FIXTURES, ROOT

    guides = tmp_path / "source"
    shutil.copytree(ROOT / "source", guides, ignore=shutil.ignore_patterns(".deckbuilder-cache"))
    shutil.copy(FIXTURES / "lock-v1" / "deckbuilder.lock", guides / "deckbuilder.lock")
    old = read_lock(guides / "deckbuilder.lock")
    assert all(n.answer == "" and n.pos == -1 for n in old.notes.values())  # the old format
    result = build(guides, tmp_path / "deck.apkg", LATER)
    assert " 0 added, " in result.stdout and " 0 moved, " in result.stdout and " 0 removed" in result.stdout
    new = read_lock(guides / "deckbuilder.lock")
    assert {g: n.note_id for g, n in new.notes.items()} == {g: n.note_id for g, n in old.notes.items()}
    same = [g for g, n in new.notes.items() if n.digest == old.notes[g].digest]
    assert same and all(new.notes[g].mod == old.notes[g].mod for g in same)
    assert all(n.pos >= 0 for n in new.notes.values())  # the evidence columns are filled in


def test_tombstones_from_an_older_lock_are_sent_again_once(tmp_path: Path) -> None:
    """A tombstone written before every cloze card kept its deletion is re-sent with a newer time, once."""
    from deckbuilder.lockfile import read_lock

    guides = tmp_path / "guides"
    library(guides)
    build(guides, tmp_path / "a.apkg", FIRST)
    replace_in(guides / "communication.md", TAKEAWAY, "")
    build(guides, tmp_path / "b.apkg", LATER)
    lock = guides / "deckbuilder.lock"
    (gone,) = read_lock(lock).removed.values()
    old_format = "".join(line.rsplit("\t", 1)[0] + "\n" if line.startswith("removed\t") else line
                         for line in lock.read_text(encoding="utf-8").splitlines(keepends=True))
    lock.write_text(old_format, encoding="utf-8")
    assert read_lock(lock).removed[gone.guid].tombstone == 0
    build(guides, tmp_path / "c.apkg", {"SOURCE_DATE_EPOCH": "1800172800"})
    again = read_lock(lock).removed[gone.guid]
    assert (again.mod, again.tombstone) == (1800172800, 1)
    build(guides, tmp_path / "d.apkg", {"SOURCE_DATE_EPOCH": "1800259200"})
    assert read_lock(lock).removed[gone.guid].mod == 1800172800
