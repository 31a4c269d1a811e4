"""The seed guide's card specs: counts per kind, known cards, and no junk."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from deckbuilder.documents import load_documents
from deckbuilder.model import Kind

from .conftest import SEED


@pytest.fixture(scope="module")
def specs():
    (doc,) = load_documents([SEED])
    return doc.specs


def by_front(specs, kind: Kind) -> dict[str, object]:
    return {s.front: s for s in specs if s.kind is kind}


def test_counts_per_kind(specs) -> None:
    assert Counter(s.kind for s in specs) == {
        Kind.QUESTION: 24,
        Kind.STAR: 5,
        Kind.THEME: 15,
        Kind.METRIC: 6,
        Kind.TAKEAWAY: 5,
        Kind.FRAMEWORK: 2,
        Kind.FORMULA: 1,
        Kind.RED_FLAG: 5,
    }


def test_no_duplicate_fronts(specs) -> None:
    fronts = [(s.kind, s.front) for s in specs]
    assert len(fronts) == len(set(fronts))


def test_nothing_from_overview_navigation_or_related_topics(specs) -> None:
    for spec in specs:
        assert spec.section_path[:1] not in (("Overview",), ("Related Topics",)), spec
        assert "](" not in spec.front and "Back to" not in spec.front
    assert min(s.line for s in specs) > 8  # the overview paragraph sits on lines 3-4


def test_question_prompt_with_matching_sample_answer(specs) -> None:
    q = by_front(specs, Kind.QUESTION)["Tell me about a time you took initiative without being asked"]
    assert q.label == "Taking Initiative"
    assert q.outline is not None
    assert q.extra == "Sample answer: Tell me about a time you took initiative to solve a problem without being asked"


def test_question_without_sample_answer_gets_the_guides_advice(specs) -> None:
    """The back says what the guide says a strong answer shows, in the guide's words,
    picked by the question's words: a prevented problem meets "Problem prevention"."""
    q = by_front(specs, Kind.QUESTION)["Tell me about a time you prevented a problem before it occurred"]
    assert q.back.split("\n") == [
        "- **Show**: Problem prevention, Creative thinking",
        "- **Use**: STAR; the Opportunity Identification Framework",
        "- **Avoid**: Waiting for permission: “Nobody told me to do it...”",
        "- **Quantify**: problems prevented",
    ]
    q = by_front(specs, Kind.QUESTION)["What if your idea had failed?"]
    assert q.outline is None
    assert "- **Use**: STAR; the Initiative Ladder: aim for levels 4-5 in your examples" in q.back


def test_star_outline_is_compact(specs) -> None:
    star = by_front(specs, Kind.STAR)["Tell me about a time you took initiative to solve a problem without being asked"]
    rows = dict(star.outline.rows)
    assert list(rows) == ["S", "T", "A", "R"]
    assert rows["S"] == (
        "During my time at a fintech startup, I noticed our engineering team was spending excessive time in meetings.",
    )
    assert rows["A"][:3] == ("Gathered Data First", "Identified Root Causes", "Researched Solutions")
    assert rows["R"][0] == "Engineering meeting time: 18 → 10 hours/week per person (44% reduction)"
    assert sum(len(lines) for lines in rows.values()) <= 14


def test_takeaway_cloze(specs) -> None:
    takeaway = next(s for s in specs if s.kind is Kind.TAKEAWAY and s.front.startswith("Your job description"))
    assert takeaway.front.startswith("Your job description is {{c1::a starting point, not a ceiling}}.")
    assert "{{c4::demonstrate initiative}}" in takeaway.front
    assert takeaway.extra == "Closes the answer to: Describe a time you went above and beyond your job description"


@pytest.mark.parametrize("n", range(5))
def test_every_takeaway_deletes_one_to_five_short_phrases(specs, n: int) -> None:
    import re

    takeaway = [s for s in specs if s.kind is Kind.TAKEAWAY][n]
    deletions = re.findall(r"\{\{c(\d+)::(.*?)\}\}", takeaway.front)
    assert 1 <= len(deletions) <= 5
    assert [int(k) for k, _ in deletions] == list(range(1, len(deletions) + 1))
    for _, phrase in deletions:
        assert 1 <= len(phrase.split()) <= 8
        assert phrase.lower() not in {"the", "a", "and", "is", "to", "of"}


def test_framework_ladder(specs) -> None:
    ladder = next(s for s in specs if s.kind is Kind.FRAMEWORK and s.label == "The Initiative Ladder")
    assert ladder.front.splitlines() == [
        "1. {{c1::Wait to be told}} what to do",
        "2. {{c2::Ask}} what needs to be done",
        "3. {{c3::Recommend}} what should be done",
        "4. {{c4::Do it}} and report results",
        "5. {{c5::Do it}} and inform only if needed",
    ]
    assert ladder.extra == "Aim for levels 4-5 in your examples."


def test_formula(specs) -> None:
    (formula,) = [s for s in specs if s.kind is Kind.FORMULA]
    assert formula.front == "Value = ({{c1::Impact}} × {{c2::Scope}}) / {{c3::Effort}}"


def test_theme_and_metric(specs) -> None:
    assert by_front(specs, Kind.THEME)["Curiosity"].back == "Asking 'why' and 'what if'"
    assert by_front(specs, Kind.METRIC)["ROI"].back == "2-week investment saved 7,800 hours annually"


def test_red_flag(specs) -> None:
    flag = by_front(specs, Kind.RED_FLAG)["Nobody told me to do it..."]
    assert flag.label == "Waiting for permission"
    assert flag.back == "I saw the need and took action..."


def test_specs_come_in_document_order(specs) -> None:
    lines = [s.line for s in specs]
    assert lines == sorted(lines)


def test_raw_and_repaired_seed_give_identical_specs(tmp_path: Path) -> None:
    from deckbuilder.encoding import repair_mojibake

    fixed = tmp_path / SEED.name
    fixed.write_text(repair_mojibake(SEED.read_text(encoding="utf-8"))[0], encoding="utf-8")
    (raw,) = load_documents([SEED])
    (clean,) = load_documents([fixed])
    assert raw.specs == clean.specs
    assert clean.repaired == "" and raw.repaired == "mac_roman"
