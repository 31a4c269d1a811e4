"""The matching rule on small cases (tests/fixtures/matching.yaml), and the assignment's guarantees."""

from __future__ import annotations

import pytest
import yaml

from deckbuilder.matching import Side, match

from .conftest import FIXTURES

CASES = yaml.safe_load((FIXTURES / "matching.yaml").read_text(encoding="utf-8"))


def side(data: dict) -> Side:
    return Side(data.get("kind", "question"), data.get("doc", "g"), data.get("section", "s"), data["text"],
                data.get("answer", ""), data.get("pos", 0))


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_case(case: dict) -> None:
    pairs, _ = match([side(case["new"])], [side(case["old"])])
    assert bool(pairs) == case["same"], (case["old"]["text"], case["new"]["text"])


def test_a_near_miss_is_reported_with_both_texts() -> None:
    _, near = match([Side("question", "g", "s", "Describe a side project you started at work")],
                    [Side("question", "g", "s", "Describe a project you started on your own")])
    (pair,) = near
    assert 0.6 <= pair.similarity < 0.8


def test_never_one_note_to_two() -> None:
    old = [Side("question", "a", "s", "How did you measure success?")]
    new = [Side("question", "b", "s", "How did you measure success?"),
           Side("question", "c", "s", "How did you measure success?")]
    pairs, _ = match(new, old)
    assert len(pairs) == 1


def test_a_shared_front_goes_to_its_own_guide() -> None:
    """Two guides kept one follow-up each and both renamed the heading: each keeps its own."""
    old = [Side("question", doc, "Follow-up Questions", "How did you measure success?") for doc in ("a", "b")]
    new = [Side("question", doc, "Likely Follow-Ups", "How did you measure success?") for doc in ("b", "a")]
    pairs, _ = match(new, old)
    assert sorted((new[p.new].doc, old[p.old].doc) for p in pairs) == [("a", "a"), ("b", "b")]


def test_a_reworded_note_and_a_moved_copy_each_find_their_own() -> None:
    """One front in two guides: guide a rewords it, guide b moves it to guide c."""
    text = "Tell me about a time you prioritized a flaky test suite"
    old = [Side("question", "a", "s", text), Side("question", "b", "s", text)]
    new = [Side("question", "c", "s", text), Side("question", "a", "s", text.replace("a time you", "a time when you"))]
    pairs, _ = match(new, old)
    assert sorted((new[p.new].doc, old[p.old].doc) for p in pairs) == [("a", "a"), ("c", "b")]


def test_a_renamed_guide_is_learnt_from_its_exact_pairs() -> None:
    """After a guide rename, a reworded note prefers the renamed guide over a vanished one with the same words."""
    question = "How do you handle a team that never follows through?"
    old = [Side("question", "other", "s", question, pos=5), Side("question", "old", "s", question, pos=5)]
    old += [Side("question", "old", "s", f"Question number {i} about ownership", pos=i) for i in range(5)]
    new = [Side("question", "renamed", "s", f"Question number {i} about ownership", pos=i) for i in range(5)]
    new.append(Side("question", "renamed", "s", question.replace("How do", "How would"), pos=5))
    pairs, _ = match(new, old)
    assert [old[p.old].doc for p in pairs if new[p.new].text.startswith("How would")] == ["old"]
