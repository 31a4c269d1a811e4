"""Cloze cards as Anki draws them: no broken markup inside a deletion, no card without its
cloze, no note taller than a phone. Built through the CLI and imported with ``anki``."""

from __future__ import annotations

import re

import pytest

from deckbuilder import screen
from deckbuilder.rendered import Balance

from .conftest import card_texts, import_guide

LONG = " ".join(
    f"A {{{{c{n}::{word} index}}}} is one more structure the database keeps beside the table, "
    "and it has to be updated on every write that touches its columns."
    for n, word in enumerate(["hash", "sorted", "covering", "partial", "unique", "composite", "bitmap"], 1)
)
GUIDE = f"""# Tricky Clozes

## Notes

A closure keeps **its outer {{{{c1::variables**}}}} alive after the function returns.

The {{{{c1::obj}}}}ect keeps its {{{{c2::state}}}} between calls.

The ==event [loop==](https://example.com/loop) runs one task at a time.

Call ==Vec::new== to make an empty vector, and ==Vec::with_capacity== to reserve room.

{LONG}

## Key Takeaways

- The **cache is fast** for repeated reads.
- Use `Promise.all(a, b, c)` for parallel work, `Promise.race` for timeouts, and `await` for order.
"""


@pytest.fixture(scope="module")
def cards(tmp_path_factory):
    col = import_guide(tmp_path_factory, "tricky-clozes.md", GUIDE)
    yield [c for c in card_texts(col) if c["notetype"] == "Deckbuilder Cloze"], col
    col.close()


def test_no_deletion_crosses_markup(cards) -> None:
    found, _ = cards
    for card in found:
        for side in ("q_html", "a_html"):
            checker = Balance()
            checker.feed(re.sub(r"<style.*?</style>", "", card[side], flags=re.S))
            assert not checker.problems, f"{card['a']!r}: {checker.problems}"


def test_deletions_cover_whole_words_and_no_anki_syntax(cards) -> None:
    found, _ = cards
    answers = " | ".join(c["a"] for c in found)
    assert "object keeps its state" in answers and "obj ect" not in answers
    assert not any("Vec::new" in c["a"] or "Vec::with_capacity" in c["a"] for c in found)  # never a hint "new"


def test_every_card_finds_its_cloze(cards) -> None:
    found, col = cards
    assert found
    for card in found:
        assert "No cloze" not in card["q"] + card["a"], card["a"]
        assert "[...]" in card["q"], card["q"]
    for nid in col.find_notes('"note:Deckbuilder Cloze"'):
        note = col.get_note(nid)
        ordinals = {int(n) for n in re.findall(r"\{\{c(\d+)::", note["Text"])}
        assert {c.ord + 1 for c in note.cards()} == ordinals, note["Text"]


def test_long_cloze_is_split_to_fit_a_phone(cards) -> None:
    found, _ = cards
    parts = [c for c in found if "index" in c["a"] and "database keeps" in c["a"]]
    assert len({c["guid"] for c in parts}) >= 2
    for card in parts:
        assert screen.fits(card["a"], screen.SCREEN_LINES), card["a"]
