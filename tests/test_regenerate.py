"""Edit a guide, rebuild, re-import: updates arrive, history stays, nothing duplicates.

Driven through the CLI and imported with the official anki library's default options
("update notes and note types if newer").
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import ROOT, SEED_NOTES, copy_seed, import_apkg, run_cli

pytestmark = pytest.mark.slow  # build, import, edit, rebuild, import again, per test

QUESTION_OLD = "2. Describe a project you started on your own"
QUESTION_NEW = "2. Describe a project that you started on your own"
ANSWER_OLD = '"I was a backend engineer at a SaaS company.'
ANSWER_NEW = '"I was the only backend engineer at a small SaaS company.'
THEME_OLD = "**Curiosity**: Asking 'why' and 'what if'"
THEME_NEW = "**Curiosity**: Asking 'why', 'what if' and 'what next'"
FLAG = (
    '‚ùå **Giving up easily**: "I tried once but it didn\'t work..."\n'
    '‚úÖ **Better**: "I persisted through obstacles and eventually succeeded..."\n\n'
)
ADDED = "7. How do you decide which problem to fix first?"


def edit(guide: Path) -> None:
    text = guide.read_text(encoding="utf-8")
    for old, new in (
        (QUESTION_OLD, QUESTION_NEW),
        (ANSWER_OLD, ANSWER_NEW),
        (THEME_OLD, THEME_NEW),
        (FLAG, ""),
        ("6. Tell me about a time you improved a process without being asked\n",
         "6. Tell me about a time you improved a process without being asked\n" + ADDED + "\n"),
    ):
        assert old in text, old
        text = text.replace(old, new, 1)
    guide.write_text(text, encoding="utf-8")


def answer_all(col) -> None:
    for cid in col.find_cards(""):
        card = col.get_card(cid)
        card.start_timer()
        col.sched.answerCard(card, 4)


def history(col) -> dict[tuple[str, int], tuple[int, int, int]]:
    """(note guid, card ord) -> (reps, interval, revlog entries)."""
    out = {}
    for cid in col.find_cards(""):
        card = col.get_card(cid)
        revlog = col.db.scalar("select count() from revlog where cid = ?", cid)
        out[(card.note().guid, card.ord)] = (card.reps, card.ivl, revlog)
    return out


def note_by_front(col, text: str):
    (nid,) = col.find_notes(f'"Front:{text}"')
    return col.get_note(nid)


@pytest.fixture
def scenario(tmp_path: Path, collection):
    guides = tmp_path / "guides"
    guide = copy_seed(guides)
    first, second, third = (tmp_path / f"{n}.apkg" for n in ("first", "second", "third"))

    assert run_cli("build", str(guides), "-o", str(first), env={"SOURCE_DATE_EPOCH": "1800000000"}).exit_code == 0
    import_apkg(collection, first)
    answer_all(collection)
    before = history(collection)
    reworded_guid = note_by_front(collection, "Describe a project you started on your own").guid

    edit(guide)
    result = run_cli("build", str(guides), "-o", str(second), env={"SOURCE_DATE_EPOCH": "1800086400"})
    assert result.exit_code == 0, result.output
    log = import_apkg(collection, second)
    rebuilt = run_cli("build", str(guides), "-o", str(third), env={"SOURCE_DATE_EPOCH": "1800172800"})
    return {
        "col": collection, "log": log, "before": before, "report": result.stdout,
        "reworded_guid": reworded_guid, "second": second, "third": third, "rebuilt": rebuilt,
    }


def test_build_report_counts_the_edits(scenario) -> None:
    report = scenario["report"]
    # updated: the STAR answer, the prompt that shows its outline, the theme, and the three
    # prompts whose back showed the removed red flag or now shows the edited theme
    # ("what next" meets "How do you identify what needs to be done next?")
    assert (
        f"initiative-proactivity.md: {SEED_NOTES} notes (51 recall, 8 cloze, 4 red flag); "  # one added, one removed
        "1 added, 6 updated, 1 reworded, 55 unchanged, 1 removed"
    ) in report


def test_edited_notes_show_their_new_text(scenario) -> None:
    col = scenario["col"]
    star = note_by_front(col, "Describe a time you went above and beyond your job description")
    assert "I was the only backend engineer at a small SaaS company." in star["Back"]
    assert "'what next'" in note_by_front(col, "Curiosity")["Back"]


def test_every_old_card_keeps_its_history(scenario) -> None:
    after = history(scenario["col"])
    for key, (reps, ivl, revlog) in scenario["before"].items():
        assert reps == 1 and revlog == 1
        assert after[key] == (reps, ivl, revlog), key


def test_reworded_question_is_the_same_note(scenario) -> None:
    note = note_by_front(scenario["col"], "Describe a project that you started on your own")
    assert note.guid == scenario["reworded_guid"]
    assert not scenario["col"].find_notes('"Front:Describe a project you started on your own"')


def test_new_question_is_a_new_note(scenario) -> None:
    col = scenario["col"]
    note = note_by_front(col, "How do you decide which problem to fix first?")
    (card,) = note.cards()
    assert card.reps == 0 and card.type == 0  # new
    assert len(scenario["log"].new) == 1


def test_removed_red_flag_is_tagged(scenario) -> None:
    col = scenario["col"]
    (nid,) = col.find_notes("tag:deckbuilder::removed")
    note = col.get_note(nid)
    assert "I tried once but it didn't work" in note["Weak"] or "tried once" in note["Label"]
    assert note.cards()[0].reps == 1  # its history is kept until the user deletes it


def test_import_left_unchanged_notes_alone(scenario) -> None:
    log, col = scenario["log"], scenario["col"]
    assert len(log.updated) == 6 + 1 + 1  # edited + reworded + tombstone
    assert len(log.duplicate) == 55  # unchanged: "not newer", so Anki skipped them
    assert len(col.find_notes("")) == SEED_NOTES + 1  # one added, none duplicated


def test_third_build_without_edits_is_byte_identical(scenario) -> None:
    assert scenario["rebuilt"].exit_code == 0
    out = scenario["rebuilt"].stdout
    assert f"0 added, 0 updated, 0 reworded, 0 moved, {SEED_NOTES} unchanged, 0 removed" in out
    assert "64 notes (1 tagged deckbuilder::removed)" in out
    assert scenario["second"].read_bytes() == scenario["third"].read_bytes()


def test_dry_run_reports_without_writing(tmp_path: Path) -> None:
    guides = tmp_path / "guides"
    copy_seed(guides)
    out = tmp_path / "deck.apkg"
    result = run_cli("build", str(guides), "-o", str(out), "--dry-run")
    assert result.exit_code == 0
    assert f"{SEED_NOTES} added" in result.stdout and f"would write {SEED_NOTES} notes" in result.stdout
    assert not out.exists() and not (guides / "deckbuilder.lock").exists()
    assert not (guides / ".deckbuilder-cache").exists()


def test_css_change_reaches_an_imported_collection(tmp_path: Path, collection) -> None:
    guides = tmp_path / "guides"
    copy_seed(guides)
    templates = tmp_path / "tpl"
    shutil.copytree(ROOT / "templates", templates)
    env = {"SOURCE_DATE_EPOCH": "1800000000"}
    tpl = ("--templates", str(templates))
    assert run_cli("build", str(guides), "-o", str(tmp_path / "a.apkg"), *tpl, env=env).exit_code == 0
    import_apkg(collection, tmp_path / "a.apkg")
    with (templates / "cards.css").open("a", encoding="utf-8") as css:
        css.write("\n.deckbuilder-test-marker { color: red; }\n")
    env["SOURCE_DATE_EPOCH"] = "1800000100"
    result = run_cli("build", str(guides), "-o", str(tmp_path / "b.apkg"), *tpl, env=env)
    assert f"{SEED_NOTES} unchanged" in result.stdout
    import_apkg(collection, tmp_path / "b.apkg")
    model = collection.models.by_name("Deckbuilder Recall")
    assert ".deckbuilder-test-marker" in model["css"]
    assert len(collection.find_notes("")) == SEED_NOTES


def test_lock_file_survives_a_fresh_clone(tmp_path: Path) -> None:
    """Commit guides and lock, clone, rebuild: same GUIDs, times and bytes."""
    repo = tmp_path / "repo"
    copy_seed(repo / "guides")
    env = {"SOURCE_DATE_EPOCH": "1800000000"}
    assert run_cli("build", str(repo / "guides"), "-o", str(tmp_path / "a.apkg"), env=env).exit_code == 0
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "init", "-q", str(repo)], check=True)
    subprocess.run([*git, "-C", str(repo), "add", "-A"], check=True)
    subprocess.run([*git, "-C", str(repo), "commit", "-qm", "guides"], check=True)
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(repo), str(clone)], check=True)
    later = {"SOURCE_DATE_EPOCH": "1900000000"}  # a later day on another machine
    result = run_cli("build", str(clone / "guides"), "-o", str(tmp_path / "b.apkg"), env=later)
    assert f"{SEED_NOTES} unchanged" in result.stdout
    assert (tmp_path / "a.apkg").read_bytes() == (tmp_path / "b.apkg").read_bytes()


def test_unsure_rewording_is_new_and_said_so(tmp_path: Path) -> None:
    guides = tmp_path / "guides"
    guide = copy_seed(guides)
    assert run_cli("build", str(guides), "-o", str(tmp_path / "a.apkg")).exit_code == 0
    text = guide.read_text(encoding="utf-8")
    guide.write_text(text.replace(QUESTION_OLD, "2. Describe a side project you started at work"), encoding="utf-8")
    result = run_cli("build", str(guides), "-o", str(tmp_path / "b.apkg"))
    assert "1 added, 0 updated" in result.stdout and "1 removed" in result.stdout
    assert "treated as new, though it resembles a removed card" in result.stdout


def test_the_committed_lock_is_what_a_build_of_source_writes(tmp_path) -> None:
    """The README's build command must leave ``source/deckbuilder.lock`` as committed: a
    change to what the seed's cards say is committed with the lock it gives, so a user's
    first build updates nothing and a review history is never disturbed by a stale lock."""
    guides = tmp_path / "source"
    shutil.copytree(ROOT / "source", guides, ignore=shutil.ignore_patterns(".deckbuilder-cache"))
    committed = (guides / "deckbuilder.lock").read_bytes()
    result = run_cli("build", str(guides), "-o", str(tmp_path / "deck.apkg"))
    assert result.exit_code == 0, result.output
    assert (guides / "deckbuilder.lock").read_bytes() == committed, (
        "source/deckbuilder.lock is stale: run the README's build command and commit the lock")
