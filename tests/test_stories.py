"""Issue 14: the user's own stories on question cards, and which questions they cover.

The fixture bank (``tests/fixtures/stories/``: seven stories in four files, one per ``##``
heading and one per file) is written against the seed guide. Decks are built through the
CLI and imported with the official anki library.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from deckbuilder.stories import load_bank

from .conftest import FIXTURES, card_texts, copy_seed, import_apkg, run_cli, strip_html

BANK = FIXTURES / "stories"
OWNERSHIP = "Tell me about a time you took ownership of something outside your role"
FAILED = "What if your idea had failed?"
BUY_IN = "How do you get buy-in for your ideas?"


@pytest.fixture
def guides(tmp_path: Path) -> Path:
    """The seed guide with the fixture bank in its ``stories/`` folder."""
    folder = copy_seed(tmp_path / "guides").parent
    shutil.copytree(BANK, folder / "stories")
    return folder


def build(folder: Path, out: Path, epoch: str = "1800000000", *extra: str):
    result = run_cli("build", str(folder), "-o", str(out), *extra, env={"SOURCE_DATE_EPOCH": epoch})
    assert result.exit_code == 0, result.output
    return result


def text(markup: str) -> str:
    """Markup as text; the space a tag left before punctuation dropped ("owned</b>:")."""
    return re.sub(r" ([:;,.])", r"\1", " ".join(strip_html(markup).split()))


def backs(col) -> dict[str, str]:
    """Each Recall note's front -> its back (and outline), as text, from the imported notes."""
    notes = (col.get_note(nid) for nid in col.find_notes(""))
    return {text(n["Front"]): text(n["Back"]) for n in notes if "Front" in n.keys()}


def test_the_bank_reads_every_story_with_its_parts() -> None:
    bank = load_bank(BANK)
    titles = [s.title for s in bank.stories]
    assert titles == [
        "Opening the internal API", "The cache migration that failed", "Mentoring a new hire through a rough start",
        "Flaky tests quarantined", "Expired sessions before they hurt", "The on-call runbook nobody owned",
        "Pushing back on the rewrite",
    ]
    flaky = bank.stories[3]
    assert flaky.answers == (("initiative", 4), ("improved a process", 4))
    assert flaky.parts == ("S", "T", "A", "R")
    assert flaky.summary.startswith("Quarantined our flaky tests without being asked")
    assert flaky.metrics == "main green 70% → 98%; retries 60 → 5 a week"
    api = bank.stories[0]  # front matter
    assert [a for a, _ in api.answers] == ["saw an opportunity", "innovation"]
    assert api.answers[0][1] == 2
    rewrite = bank.stories[6]  # no summary: its result's first sentence
    assert rewrite.summary == "The pilot shipped in three weeks with no incident, and we migrated the rest endpoint " \
                              "by endpoint."


def test_question_backs_show_the_right_stories(guides: Path, tmp_path: Path, collection) -> None:
    build(guides, tmp_path / "deck.apkg")
    import_apkg(collection, tmp_path / "deck.apkg")
    shown = backs(collection)
    ownership = shown[OWNERSHIP]
    assert ownership.startswith("Your stories: The on-call runbook nobody owned: Took over the abandoned on-call "
                                "runbook")
    assert ownership.index("Your stories:") < ownership.index("Show")  # before the guide's own material
    assert shown[FAILED].startswith("Your stories: The cache migration that failed: We kept the old cache")
    rewrite = shown["Give an example of when you challenged the status quo"]
    assert "Pushing back on the rewrite" in rewrite and "Expired sessions before they hurt" in rewrite
    assert "Your stories" not in shown[BUY_IN]
    assert not any("Mentoring a new hire" in back for back in shown.values())
    # a sample answer's question shows them too, before its outline
    star = shown["Tell me about a time you saw an opportunity others missed"]
    assert star.startswith("Your stories: Opening the internal API: Turned our internal API into a paid beta")


def test_each_story_is_a_recall_note_in_its_own_deck(guides: Path, tmp_path: Path, collection) -> None:
    result = build(guides, tmp_path / "deck.apkg")
    assert "stories: 7 notes (7 recall, 0 cloze, 0 red flag); 7 added" in result.stdout
    assert "stories/work.md" not in result.stdout  # the bank is not read as a guide
    import_apkg(collection, tmp_path / "deck.apkg")
    stories = [c for c in card_texts(collection) if c["deck"] == "Interview Prep::Your stories"]
    assert len(stories) == 7
    flaky = next(c for c in stories if "Your story: Flaky tests quarantined: tell it" in c["q"])
    assert "Metrics : main green 70% → 98%; retries 60 → 5 a week" in flaky["a"]
    for label in ("Our CI failed on about 30% of runs", "Nobody owned test health.", "Measured", "Quarantined",
                  "Main went from 70% to 98% green within a month"):
        assert label in flaky["a"], label
    assert "deckbuilder::kind::story" in flaky["tags"]


def test_no_bank_no_stories(tmp_path: Path, collection) -> None:
    folder = copy_seed(tmp_path / "guides").parent
    build(folder, tmp_path / "deck.apkg")
    import_apkg(collection, tmp_path / "deck.apkg")
    assert not any("Your stor" in c["q"] + c["a"] for c in card_texts(collection))


def test_a_bank_outside_the_guides_is_read_only_when_named(tmp_path: Path) -> None:
    folder = copy_seed(tmp_path / "guides").parent
    private = tmp_path / "private" / "my-stories"
    shutil.copytree(BANK, private)
    quiet = run_cli("cards", str(folder))
    assert "Your story" not in quiet.stdout
    (folder / "deckbuilder.yaml").write_text("stories: ../private/my-stories\n", encoding="utf-8")
    named = run_cli("cards", str(folder))
    assert named.exit_code == 0, named.output
    assert named.stdout.count("Your story:") == 7
    (folder / "deckbuilder.yaml").write_text("stories: false\n", encoding="utf-8")
    shutil.copytree(BANK, folder / "stories")
    off = run_cli("cards", str(folder))
    assert "Your story" not in off.stdout and "stories/work.md" not in off.stdout


def test_a_bank_inside_the_guides_elsewhere_is_refused(tmp_path: Path) -> None:
    folder = copy_seed(tmp_path / "guides").parent
    shutil.copytree(BANK, folder / "private")
    (folder / "deckbuilder.yaml").write_text("stories: private\n", encoding="utf-8")
    result = run_cli("build", str(folder), "-o", str(tmp_path / "deck.apkg"))
    assert result.exit_code == 1
    assert "would be read as guides" in result.output


def test_cards_json_says_which_rule_matched(guides: Path) -> None:
    rows = json.loads(run_cli("cards", str(guides), "--format", "json").stdout)
    by_front = {row["fields"]["Front"]: row for row in rows if "Front" in row["fields"]}
    ownership = by_front[OWNERSHIP]["stories"]
    assert ownership == [{"story": "The on-call runbook nobody owned", "file": str(guides / "stories" / "work.md"),
                          "rule": "phrase", "entry": "ownership", "matched": OWNERSHIP}]
    runbook = by_front["How do you identify what needs to be done next?"]["stories"]
    assert [(m["story"], m["rule"], m["entry"], m["matched"]) for m in runbook] == [
        ("The on-call runbook nobody owned", "category", "ownership", "Ownership & Accountability")]
    assert by_front[BUY_IN]["stories"] == []
    assert "stories" not in by_front["Curiosity"]  # not an interview question


EXPECTED_TABLE = [
    ("Taking Initiative", 6, 6),
    ("Proactive Problem-Solving", 6, 6),
    ("Ownership & Accountability", 4, 4),
    ("Sample Answers with STAR Framework", 5, 3),
    ("Follow-up Questions to Prepare For", 8, 2),
]


def test_coverage_per_category_uncovered_and_unused(guides: Path) -> None:
    data = json.loads(run_cli("stories", str(guides), "--format", "json").stdout)
    assert [(c["category"], c["questions"], c["covered"]) for c in data["categories"]] == EXPECTED_TABLE
    ownership = data["categories"][2]
    assert ownership["stories"] == ["The on-call runbook nobody owned"]
    assert [q["question"] for q in data["uncovered"]] == [
        "Describe a time you went above and beyond your job description",
        "Describe a time you proposed a new idea that was implemented",
        "How do you identify what needs to be done?",
        "How do you balance proactive work with assigned tasks?",
        "How do you know when to ask permission vs. take action?",
        "What motivates you to go above and beyond?",
        "How do you prioritize when you see multiple opportunities?",
        BUY_IN,
    ]
    assert [s["story"] for s in data["unused"]] == ["Mentoring a new hire through a rough start"]
    table = run_cli("stories", str(guides)).stdout
    assert "21 of 29 questions covered by at least one story" in table
    assert "Ownership & Accountability                  4        4  The on-call runbook nobody owned" in table
    assert f"{guides / 'stories' / 'mentoring.md'}:1: Mentoring a new hire through a rough start" in table


def test_stories_without_a_bank_says_how_to_make_one(seed_dir: Path) -> None:
    result = run_cli("stories", str(seed_dir))
    assert result.exit_code == 1
    assert "no story bank: make a stories/ folder" in result.output


def test_preview_shows_the_coverage_table(guides: Path, tmp_path: Path) -> None:
    out = tmp_path / "preview.html"
    assert run_cli("preview", str(guides), "-o", str(out)).exit_code == 0
    page = out.read_text(encoding="utf-8")
    assert "Your stories: coverage" in page
    assert "<td>Ownership &amp; Accountability</td><td class=\"pv-num\">4</td><td class=\"pv-num\">4</td>" in page
    assert "Stories that answer nothing (1)" in page


LONG_SENTENCE = " ".join(["we"] + ["worked through one more part of a long problem"] * 3) + "."
RESULTS = "\n".join(f"- Result {n}: cut {n}0% of the time it took everyone to ship a change to production"
                    for n in range(3))
LONG_STORY = (
    "## A very long story\nAnswers: ownership\nMetrics: " + "; ".join(f"{n}0% faster builds" for n in range(8))
    + f"\n\n**Situation:** {LONG_SENTENCE}\n\n**Task:** {LONG_SENTENCE}\n\n**Action:**\n"
    + "\n".join(f"- **Step {n}**: did one more thing that took a long line to tell properly" for n in range(12))
    + f"\n\n**Result:**\n{RESULTS}\n"
)


def test_check_names_each_story_problem(guides: Path) -> None:
    bad = guides / "stories" / "bad.md"
    bad.write_text(
        "## Half a story\nAnswers: initiative, \"led a reorg\"\n\n**Situation:** We had no on-call rota.\n\n"
        "**Action:** I wrote one.\n\n" + LONG_STORY, encoding="utf-8")
    result = run_cli("check", str(guides))
    out = result.stdout
    shown = str(bad)
    assert f"{shown}:1: warning: the story 'Half a story' has no Task, Result" in out
    assert f"{shown}:2: warning: answers entry 'led a reorg' of the story 'Half a story' matches no question" in out
    assert f"{shown}:2: warning: answers entry 'initiative'" not in out
    assert f"{shown}:8: warning: the story 'A very long story' is about" in out
    assert "mentoring.md:2: warning: answers entry 'mentoring'" in out


def test_a_too_long_story_card_is_cut_to_one_screen(guides: Path) -> None:
    from deckbuilder import screen
    from deckbuilder.story_cards import card_lines, fitted

    (guides / "stories" / "long.md").write_text(LONG_STORY, encoding="utf-8")
    story = next(s for s in load_bank(guides / "stories").stories if s.title == "A very long story")
    assert card_lines(story, story.outline) > screen.ANSWER_LINES
    cut = fitted(story)
    assert card_lines(story, cut) <= screen.ANSWER_LINES
    assert dict(cut.rows)["S"] == dict(story.outline.rows)["S"]  # the steps go first, the situation stays


def note_state(col) -> dict[str, tuple[int, tuple[str, ...]]]:
    """guid -> (mod, fields) of every note in the collection."""
    notes = (col.get_note(nid) for nid in col.find_notes(""))
    return {n.guid: (n.mod, tuple(n.fields)) for n in notes}


def guid_of(col, front: str) -> str:
    (nid,) = col.find_notes(f'"Front:{front}"')
    return col.get_note(nid).guid


def rebuild_and_import(col, guides: Path, out: Path, epoch: str):
    before = note_state(col)
    result = build(guides, out, epoch)
    import_apkg(col, out)
    after = note_state(col)
    assert after.keys() == before.keys()  # nothing added, nothing lost
    return result, {guid for guid in after if after[guid] != before[guid]}, after


def test_editing_a_story_updates_exactly_the_notes_that_show_it(guides: Path, tmp_path: Path, collection) -> None:
    from .test_regenerate import answer_all, history

    build(guides, tmp_path / "first.apkg", "1800000000")
    import_apkg(collection, tmp_path / "first.apkg")
    answer_all(collection)
    reviewed = history(collection)

    # 1. its result, which is its one-line outline on "What if your idea had failed?"
    story = guides / "stories" / "failed-migration.md"
    story.write_text(story.read_text(encoding="utf-8").replace("We kept the old cache, lost nothing",
                                                               "We kept the old cache, lost no data"), encoding="utf-8")
    result, changed, after = rebuild_and_import(collection, guides, tmp_path / "second.apkg", "1800086400")
    guids = {guid_of(collection, FAILED), guid_of(collection, "Your story: The cache migration that failed: tell it")}
    assert changed == guids
    assert {after[g][0] for g in guids} == {1800086400}
    assert "initiative-proactivity.md: 63 notes (50 recall, 8 cloze, 5 red flag); 1 updated, 62 unchanged" \
        in result.stdout
    assert "stories: 7 notes (7 recall, 0 cloze, 0 red flag); 1 updated, 6 unchanged" in result.stdout
    assert "lost no data" in backs(collection)[FAILED]

    # 2. an action step, which no question shows: only the story's own note
    work = guides / "stories" / "work.md"
    work.write_text(work.read_text(encoding="utf-8").replace("- **Made it stick**:", "- **Kept it fixed**:"),
                    encoding="utf-8")
    result, changed, _ = rebuild_and_import(collection, guides, tmp_path / "third.apkg", "1800172800")
    assert changed == {guid_of(collection, "Your story: Flaky tests quarantined: tell it")}
    assert "stories: 7 notes (7 recall, 0 cloze, 0 red flag); 1 updated, 6 unchanged" in result.stdout

    assert history(collection) == reviewed  # every card kept its reviews


def test_only_what_questions_show_keys_the_guides() -> None:
    """A story's body is not in the settings' fingerprint (every guide would be redone), its
    title, summary and answers are."""
    from dataclasses import replace

    bank = load_bank(BANK)
    flaky = bank.stories[3]
    body = replace(bank, stories=(*bank.stories[:3], replace(flaky, metrics="other"), *bank.stories[4:]))
    shown = replace(bank, stories=(*bank.stories[:3], replace(flaky, summary="other"), *bank.stories[4:]))
    assert repr(body) == repr(bank) and body.digest() != bank.digest()
    assert repr(shown) != repr(bank)


@pytest.mark.parametrize("mode", ["light", "night"])
def test_story_cards_fit_a_phone_and_read_well(browser, guides: Path, tmp_path: Path, collection, mode: str) -> None:
    """Story notes and question backs with stories, as Anki renders them, in Chromium."""
    from .chromium import PHONE
    from .test_rendering import _fit_a_phone

    build(guides, tmp_path / "deck.apkg")
    import_apkg(collection, tmp_path / "deck.apkg")
    cards = []
    for cid in collection.find_cards(""):
        card = collection.get_card(cid)
        note = card.note()
        if "Front" in note.keys() and "Your stor" in note["Front"] + note["Back"]:
            cards.append({"question": card.question(), "answer": card.answer(), "css": note.note_type()["css"],
                          "ordinal": card.ord + 1, "guid": note.guid})
    assert len(cards) == 7 + 21  # every story, every question a story covers
    page = browser.new_page(viewport=PHONE)
    try:
        _fit_a_phone(page, cards, "stories", mode)
    finally:
        page.close()


def test_bad_story_settings_and_files_name_the_place(guides: Path) -> None:
    config = guides / "deckbuilder.yaml"
    config.write_text("stories: ../nowhere\n", encoding="utf-8")
    result = run_cli("stories", str(guides))
    assert result.exit_code == 1
    assert f"deckbuilder.yaml: stories: no such folder: {(guides.parent / 'nowhere').resolve()}" in result.output
    config.write_text("stories: 3\n", encoding="utf-8")
    assert "deckbuilder.yaml: stories: expected a folder, or false" in run_cli("stories", str(guides)).output
    config.unlink()
    (guides / "stories" / "broken.md").write_text("---\nanswers: [a, b\n---\n# X\n", encoding="utf-8")
    result = run_cli("build", str(guides), "-o", str(guides.parent / "deck.apkg"))
    assert result.exit_code == 1
    assert f"{guides / 'stories' / 'broken.md'}:3: front matter:" in result.output


def test_an_entry_matches_by_phrase_category_section_or_tag() -> None:
    from deckbuilder.story_match import entry_match

    path = ("Conflict", "With your manager")
    question = "Tell me about a time you disagreed with your manager"
    assert entry_match('"disagreed with your manager"', question, path) == ("phrase", question)
    assert entry_match("conflict", question, path) == ("section", "Conflict")
    assert entry_match("manager", "Describe a hard decision", path) == ("category", "With your manager")
    assert entry_match("deckbuilder::behavioral::conflict::with-your-manager", "Describe a hard decision", path) \
        == ("category", "With your manager")
    assert entry_match("peer", question, path) is None
    assert entry_match("tell me about", question, path) is None  # no content words: never a match


def test_a_link_out_of_the_bank_is_not_read(guides: Path, tmp_path: Path) -> None:
    secret = tmp_path / "diary.md"
    secret.write_text("# Secret\nAnswers: initiative\n\n**Situation:** private\n\n**Result:** private\n",
                      encoding="utf-8")
    (guides / "stories" / "diary.md").symlink_to(secret)
    result = run_cli("cards", str(guides))
    assert "Your story: Secret" not in result.stdout
    assert f"warning: {guides / 'stories' / 'diary.md'}: a link to a file outside" in result.stderr


def test_watch_rebuilds_when_a_story_outside_the_guides_is_saved(tmp_path: Path) -> None:
    import threading

    from deckbuilder.watch import watch_and_build

    from .test_watch import wait_for

    folder = copy_seed(tmp_path / "guides").parent
    shutil.copytree(BANK, tmp_path / "private")
    (folder / "deckbuilder.yaml").write_text("stories: ../private\n", encoding="utf-8")
    reports: list[int] = []
    stop = threading.Event()
    thread = threading.Thread(target=watch_and_build, daemon=True, kwargs={"stop_event": stop},
                              args=([folder], tmp_path / "deck.apkg", 50,
                                    lambda result: reports.append(result.summary.note_count)))
    thread.start()
    try:
        assert wait_for(lambda: len(reports) == 1)
        assert reports == [70]
        story = tmp_path / "private" / "work.md"
        text = story.read_text(encoding="utf-8").replace("retries 60 → 5 a week", "retries 60 → 4 a week")

        def save() -> bool:  # saved again until the watcher, started after the first build, sees it
            story.write_text(text, encoding="utf-8")
            return wait_for(lambda: len(reports) >= 2, 2.0)

        assert wait_for(save, 40.0)
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()
