"""No answerless prompt: a question the guide gives nothing to answer with is no card,
and ``questions.unanswered`` names it (for ``check``); every seed prompt has a real back."""

from __future__ import annotations

from deckbuilder.extractors import answers, questions
from deckbuilder.reader import parse_source
from deckbuilder.sections import build_document

from .conftest import SEED

BARE = """\
# Bare

## Common Questions

1. Tell me about a time you failed
2. Practise this one aloud.
3. How do you handle a missed deadline?
"""


def _doc(text: str, name: str = "bare.md"):
    return build_document(parse_source(text.encode(), name, name))


def test_prompts_with_nothing_to_answer_with_are_named() -> None:
    doc = _doc(BARE)
    dropped = [(p.question, p.line, p.category) for p in questions.unanswered(doc)]
    # the note "Practise this one aloud." goes with the first question, which is then answered by it
    assert dropped == [("How do you handle a missed deadline?", 7, "Common Questions")]
    assert [s.front for s in questions.extract(doc)] == ["Tell me about a time you failed"]


def test_a_guide_that_says_what_strong_answers_show_answers_every_prompt() -> None:
    doc = _doc(BARE + "\n## Key Themes\n- **Ownership**: saying what you did and what you changed\n")
    assert questions.unanswered(doc) == []
    backs = {s.front: s.back for s in questions.extract(doc)}
    assert backs["How do you handle a missed deadline?"] == "- **Show**: Ownership"


def test_every_seed_prompt_has_a_real_back() -> None:
    doc = build_document(parse_source(SEED.read_bytes(), str(SEED), SEED.name))
    specs = list(questions.extract(doc))
    assert questions.unanswered(doc) == []
    assert len(specs) == 24
    for spec in specs:
        assert spec.back.startswith("- **Show**: "), spec
        assert "- **Avoid**: " in spec.back and "- **Quantify**: " in spec.back, spec


def test_a_details_question_left_empty_is_no_card_and_is_named() -> None:
    doc = _doc("# Ops\n\n## Logs\n\n"
               "<details>\n<summary>Where do container logs go?</summary><br><b>\n</b></details>\n\n"
               "<details>\n<summary>What is log rotation?</summary><br><b>\n\nOld files are renamed and pruned.\n"
               "</b></details>\n")
    assert list(answers.unanswered_details(doc)) == [(5, "Where do container logs go?")]
    assert [s.front for s in answers.extract(doc)] == ["What is log rotation?"]
