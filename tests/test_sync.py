"""``deckbuilder sync`` on real collections: the same edits as test_history, straight into Anki.

The collection lives in a profile folder of an Anki data folder given by ``ANKI_BASE``,
as Anki itself reads it; every sync goes through the real CLI and the official library.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import run_cli
from .test_history import DIFFERENT_NEW, continuing, edit_library, errors, fronts, library
from .test_regenerate import answer_all, history

pytestmark = pytest.mark.slow  # whole-library builds imported into real Anki collections

ROOT_DECK = "Interview Prep"


def collection(base: Path, profile: str = "User 1") -> Path:
    from anki.collection import Collection

    path = base / profile / "collection.anki2"
    path.parent.mkdir(parents=True)
    Collection(str(path)).close()
    return path


def sync(base: Path, guides: Path, *extra: str, epoch: str = "1800000000", code: int = 0):
    result = run_cli("sync", str(guides), "-o", str(guides.parent / "deck.apkg"), *extra,
                     env={"ANKI_BASE": str(base), "SOURCE_DATE_EPOCH": epoch})
    assert result.exit_code == code, result.output
    return result


def state(path: Path) -> dict:
    """What a test looks at, read with the collection closed again (sync needs it free)."""
    from anki.collection import Collection

    col = Collection(str(path))
    try:
        decks = {d.name: col.decks.card_count(d.id, include_subdecks=True) for d in col.decks.all_names_and_ids()}
        cards = {}
        for cid in col.find_cards(""):
            card = col.get_card(cid)
            cards[(card.note().guid, card.ord)] = (col.decks.name(card.did), card.queue)
        removed = {col.get_note(n).guid for n in col.find_notes("tag:deckbuilder::removed")}
        return {"history": history(col), "fronts": fronts(col), "decks": decks, "cards": cards, "removed": removed,
                "revlog": col.db.all("select * from revlog order by id"), "errors": errors(col)}
    finally:
        col.close()


@pytest.fixture(scope="module")
def synced(tmp_path_factory):
    from anki.collection import Collection

    root = tmp_path_factory.mktemp("sync")
    base = root / "Anki2"
    path = collection(base)
    guides = library(root / "guides")
    first = sync(base, guides)
    col = Collection(str(path))
    answer_all(col)
    col.close()
    before = state(path)
    edit_library(guides)
    dry = sync(base, guides, "--dry-run", epoch="1800086400")
    assert state(path)["cards"] == before["cards"]  # a dry run changes nothing
    second = sync(base, guides, epoch="1800086400")
    return {"base": base, "path": path, "guides": guides, "before": before, "after": state(path),
            "first": first.stdout, "dry": dry.stdout, "second": second.stdout}


def test_every_continuing_note_keeps_its_history(synced) -> None:
    before, after = synced["before"], synced["after"]
    keep = continuing(before["fronts"]) - after["removed"]
    assert len(keep) == 196  # every note of the library but the two the edits replace
    assert all(after["history"][key] == value for key, value in before["history"].items() if key[0] in keep)
    assert [f for g, f in after["fronts"].items() if g not in before["fronts"]] == [DIFFERENT_NEW]


def test_review_history_is_untouched(synced) -> None:
    assert synced["after"]["revlog"] == synced["before"]["revlog"]
    assert len(synced["before"]["revlog"]) == len(synced["before"]["cards"])


def test_cards_move_to_their_new_deck(synced) -> None:
    decks = synced["after"]["decks"]
    assert f"{ROOT_DECK}::Resolving Conflict" in decks and f"{ROOT_DECK}::Conflict Resolution" not in decks
    assert f"{ROOT_DECK}::Influence::Leading Without Authority" in decks
    assert f"{ROOT_DECK}::Leadership::Leading Without Authority" not in decks
    after = synced["after"]
    live = {key: deck for key, (deck, _) in after["cards"].items() if key[0] not in after["removed"]}
    assert f"{ROOT_DECK}::Conflict Resolution" in {d for d, _ in synced["before"]["cards"].values()}
    assert not [d for d in live.values() if "Conflict Resolution" in d or "Leadership" in d]
    assert "would move" in synced["dry"] and "did move" in synced["second"]


def test_removed_notes_are_suspended_in_the_removed_deck(synced) -> None:
    after = synced["after"]
    gone = {key: value for key, value in after["cards"].items() if key[0] in after["removed"]}
    assert len({guid for guid, _ in gone}) == 2 and len(gone) > 2  # a question, and a cloze with several cards
    assert set(gone.values()) == {(f"{ROOT_DECK}::Removed", -1)}
    assert after["errors"] == []


def test_no_empty_decks_and_a_backup(synced) -> None:
    decks = synced["after"]["decks"]
    assert [name for name, count in decks.items() if name.startswith(ROOT_DECK) and not count] == []
    backups = list((synced["path"].parent / "backups").glob("*.colpkg"))
    assert len(backups) == 2  # one before each sync that wrote
    assert "backup: " in synced["second"]


def test_delete_removed_deletes_them_and_their_deck(synced, tmp_path: Path) -> None:
    sync(synced["base"], synced["guides"], "--delete-removed", epoch="1800172800")
    after = state(synced["path"])
    assert after["removed"] == set() and f"{ROOT_DECK}::Removed" not in after["decks"]
    assert len(after["cards"]) == len(synced["after"]["cards"]) - sum(
        1 for key in synced["after"]["cards"] if key[0] in synced["after"]["removed"])


def test_refuses_a_collection_another_process_holds(tmp_path: Path) -> None:
    base = tmp_path / "Anki2"
    path = collection(base)
    guides = library(tmp_path / "guides")
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys; from anki.collection import Collection; c = Collection(sys.argv[1]); "
         "c.db.scalar('select count() from cards'); print('open', flush=True); sys.stdin.read()", str(path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        result = sync(base, guides, code=1)
        assert "is Anki running with this profile?" in result.output
        assert not (guides / "deckbuilder.lock").exists()  # refused before building anything
    finally:
        holder.communicate("")
    assert not (path.parent / "backups").exists() or not list((path.parent / "backups").iterdir())


def test_a_profile_must_be_chosen_when_there_are_several(tmp_path: Path) -> None:
    base = tmp_path / "Anki2"
    collection(base, "Alice")
    collection(base, "Bob")
    guides = library(tmp_path / "guides")
    result = sync(base, guides, code=1)
    assert "its profiles are Alice, Bob; choose one with --profile NAME" in result.output
    assert "did move 0 cards" in sync(base, guides, "--profile", "Bob").output


def test_a_note_back_in_its_guide_is_unsuspended_where_it_was(tmp_path: Path) -> None:
    from .test_history import DIFFERENT_OLD, SEED, replace_in

    base = tmp_path / "Anki2"
    path = collection(base)
    guides = library(tmp_path / "guides")
    sync(base, guides)
    first = state(path)
    replace_in(guides / SEED, DIFFERENT_OLD, DIFFERENT_NEW)
    sync(base, guides, epoch="1800086400")
    (guid,) = state(path)["removed"]
    replace_in(guides / SEED, DIFFERENT_NEW, DIFFERENT_OLD)
    result = sync(base, guides, epoch="1800172800")
    assert "unsuspend 1 cards back in a guide" in result.output
    back = state(path)
    assert back["cards"][(guid, 0)] == first["cards"][(guid, 0)]  # its deck, not suspended
    assert guid not in back["removed"]  # (the question that replaced it is removed now)
