"""Author syntax: the guide's own clozes and Q:/A: pairs, built through the CLI and
imported with the anki library; other extractors never make a second card of them."""

from __future__ import annotations

from pathlib import Path

import pytest

from deckbuilder.extractors.cloze_markup import parse

from .conftest import card_texts, import_guide, run_cli

GUIDE = """\
# System Design

## Basics

The {{c1::CAP theorem}} says you can keep {{c2::two of three::how many?}} guarantees.

- A ==load balancer== spreads ==traffic== across servers
- Use `a == b` and `{{c1::not a cloze}}` in code as text

Q: What is idempotency?
A: Doing it twice has the same effect as doing it once.
It matters for retries.

**Q:** Why put a queue between services?

**A:** To *decouple* producers from consumers.

- Q: What does `std::vector` hold?
- A: A ==dynamic array==.

## Key Takeaways

- Caching is about {{c1::trading memory for speed}}.
- Good engineers measure before they optimise, gather data, and share results.

## Key Themes

**Q:** Is this a theme?
**A:** No, an author question.

## Common Questions

1. Tell me about a time you ==scaled== a system
2. Tell me about a time you debugged production
"""


@pytest.fixture(scope="module")
def cards(tmp_path_factory) -> list[dict[str, str]]:
    col = import_guide(tmp_path_factory, "design.md", GUIDE)
    texts = card_texts(col)
    col.close()
    return texts


def _cloze_cards(cards: list[dict[str, str]], needle: str) -> list[dict[str, str]]:
    return [c for c in cards if c["notetype"] == "Deckbuilder Cloze" and needle in c["a"]]


def test_explicit_clozes_keep_their_numbers_and_hints(cards) -> None:
    cap = sorted(_cloze_cards(cards, "CAP theorem"), key=lambda c: c["q"])
    assert len(cap) == 2
    questions = {c["q"].split(" System Design")[0] for c in cap}
    assert "The [...] says you can keep two of three guarantees." in questions
    assert "The CAP theorem says you can keep [how many?] guarantees." in questions
    assert all("how many?" not in c["a"] for c in cap)  # the hint is gone once answered


def test_each_highlight_is_its_own_deletion(cards) -> None:
    lb = _cloze_cards(cards, "load balancer")
    assert sorted(c["q"].split(" System Design")[0] for c in lb) == [
        "A [...] spreads traffic across servers",
        "A load balancer spreads [...] across servers",
    ]
    assert all("==" not in c["q"] + c["a"] for c in cards)


def test_markup_inside_code_is_text(cards) -> None:
    assert not any("not a cloze" in c["q"] + c["a"] for c in cards)  # no card at all: it is not author material
    vector = next(c for c in cards if "std::vector" in c["q"])
    assert vector["notetype"] == "Deckbuilder Recall"
    assert "<code>std::vector</code>" in vector["q_html"]


@pytest.mark.parametrize(
    "question, answer",
    [
        ("What is idempotency?", "Doing it twice has the same effect as doing it once. It matters for retries."),
        ("Why put a queue between services?", "To decouple producers from consumers."),
        ("What does std::vector hold?", "A dynamic array."),
        ("Is this a theme?", "No, an author question."),
    ],
)
def test_q_and_a_pairs_become_recall_notes(cards, question: str, answer: str) -> None:
    (card,) = [c for c in cards if c["notetype"] == "Deckbuilder Recall" and c["q"].startswith(question)]
    assert answer in card["a"]
    assert "Q:" not in card["q"] and "A:" not in card["a"]


def test_recall_answer_keeps_markdown(cards) -> None:
    queue = next(c for c in cards if c["q"].startswith("Why put a queue"))
    assert "<em>decouple</em>" in queue["a_html"]


def test_other_extractors_leave_author_material_alone(cards) -> None:
    # the takeaways extractor clozes the plain line, never the author's one
    caching = _cloze_cards(cards, "Caching is about")
    assert len(caching) == 1 and "Caching is about [...]" in caching[0]["q"]
    assert len(_cloze_cards(cards, "Good engineers measure")) == 3
    # "**Q:** ..." under Key Themes is no theme card "Q"
    assert not any(c["q"].startswith("Key theme") for c in cards)
    # a highlighted question in a question list is a cloze, not also a question card
    scaled = [c for c in cards if "scaled" in c["a"]]
    assert [c["notetype"] for c in scaled] == ["Deckbuilder Cloze"]
    # the other prompt has no answer in the guide: the "Q"/"A" tags under Key Themes are no
    # themes to show on its back (it once read "Show: A, Q"), so it is no card
    assert not any("debugged production" in c["q"] for c in cards)


def test_card_count(cards) -> None:
    kinds = sorted(c["notetype"].split()[-1] for c in cards)
    # clozes: CAP x2, load balancer x2, caching x1, scaled x1, takeaway x3; recall: 4 Q/A
    assert kinds.count("Cloze") == 9
    assert kinds.count("Recall") == 4


def test_broken_markup_is_reported_and_makes_no_card(tmp_path: Path) -> None:
    (tmp_path / "g.md").write_text(
        "# G\n\n## Notes\n\nThe {{c1::unclosed cloze\n\nQ: A question with no answer\n\nJust prose.\n\n"
        "A: An answer with no question\n\nQ: fine?\nA: fine\n",
        encoding="utf-8",
    )
    result = run_cli("build", str(tmp_path), "-o", str(tmp_path / "d.apkg"))
    assert result.exit_code == 0, result.output
    assert "g.md: 1 notes (1 recall, 0 cloze" in result.stdout
    assert "g.md:5: a cloze is not closed; end it with }}" in result.stderr
    assert "g.md:7: Q:/A: pair needs an A: line after it" in result.stderr
    assert "g.md:11: A: without a Q: before it" in result.stderr


@pytest.mark.parametrize(
    "text, anki, plain",
    [
        ("==a== and ==b==", "{{c1::a}} and {{c2::b}}", "a and b"),
        ("{{c2::x}} then ==y==", "{{c2::x}} then {{c3::y}}", "x then y"),
        ("{{c1::x::hint}}", "{{c1::x::hint}}", "x"),
        ("==`code`== and `==not==`", "{{c1::`code`}} and `==not==`", "`code` and `==not==`"),
        ("a == b == c", "", "a == b == c"),
        ("{{c0::zero}}", "", "{{c0::zero}}"),
        ("{{c1::}}", "", "{{c1::}}"),
        ("{{c1::a {{c2::b}} c}}", "", "{{c1::a {{c2::b}} c}}"),
    ],
)
def test_parse(text: str, anki: str, plain: str) -> None:
    parsed = parse(text)
    assert (parsed.anki, parsed.plain) == (anki, plain)
    assert bool(parsed.problem) == (text.startswith("{{c") and not anki)


def test_an_answer_under_a_numbered_bold_question_is_no_stray_answer(tmp_path: Path) -> None:
    """``**3. Q: What is X?**`` then ``* **A:** ...``: the answers extractor makes that card,
    so ``check`` must not call the ``A:`` an answer without a question; one after prose still is."""
    (tmp_path / "g.md").write_text(
        "# G\n\n## Memory\n\n**3. Q: What is a page cache?**\n*   **A:** File pages the kernel keeps in RAM.\n\n"
        "Some prose.\n\n**A:** An answer nobody asked for.\n",
        encoding="utf-8",
    )
    result = run_cli("check", str(tmp_path))
    assert "g.md:6: warning: A: without a Q:" not in result.output
    assert "g.md:10: warning: A: without a Q: before it" in result.output
    cards = run_cli("cards", str(tmp_path), "--format", "json")
    assert "What is a page cache?" in cards.stdout
