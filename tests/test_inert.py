"""No active content from a guide: Anki's bracket tags and MathJax delimiters in guide text
stay text (``deckbuilder/inert.py``). Checked with Anki's own rendering (``card.question()``,
its audio and TTS tags) and in Chromium with Anki's own MathJax set-up and bundle, the
network blocked (``tests/anki_mathjax.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from deckbuilder.inert import neutralise

from .anki_mathjax import active_content, serve_anki, typeset_count
from .chromium import strip_style
from .conftest import import_apkg, run_cli, strip_html

GUIDE = r"""# Active Guide

## Notes

Q: What does \\(\\href{javascript:alert(1)}{this link}\\) do?
A: Nothing: \\[\\style{background:url(http://evil.example/bg.png)}{y}\\] stays text.

Q: What plays [sound:evil.mp3] here?
A: Nothing speaks [anki:tts lang=en_US]spoken words[/anki:tts] or typesets
[latex]\input{/etc/passwd}[/latex] [$]x^2[/$] [$$]y[/$$]

Q: What is \\(x^2\\)?
A: The square \\[x \\cdot x\\], safe math.
"""
HOSTILE = r"<p>\(\href{javascript:alert(1)}{x}\)</p><p>\[\style{background:url(http://evil.example/bg.png)}{y}\]</p>"


def build_and_import(tmp_path: Path, config: str = "") -> list:
    from anki.collection import Collection

    guides = tmp_path / "guides"
    guides.mkdir()
    (guides / "active.md").write_text(GUIDE, encoding="utf-8")
    if config:
        (guides / "deckbuilder.yaml").write_text(config, encoding="utf-8")
    result = run_cli("build", str(guides), "-o", str(tmp_path / "d.apkg"))
    assert result.exit_code == 0, result.output
    col = Collection(str(tmp_path / "c.anki2"))
    import_apkg(col, tmp_path / "d.apkg")
    cards = [col.get_card(cid) for cid in col.find_cards("")]
    sides = [(card.question(), card.answer(), card.question_av_tags(), card.answer_av_tags()) for card in cards]
    col.close()
    return sides


def test_bracket_tags_are_text_in_anki(tmp_path: Path) -> None:
    sides = build_and_import(tmp_path)
    assert len(sides) == 3
    text = " ".join(strip_html(q + a) for q, a, _, _ in sides)
    for shown in ("[sound:evil.mp3]", "[anki:tts lang=en_US]spoken words[/anki:tts]", "[latex]", "[$]x^2[/$]"):
        assert shown in text, shown
    for question, answer, q_tags, a_tags in sides:
        assert q_tags == [] and a_tags == []  # nothing plays or speaks
        assert "<img" not in question + answer  # no LaTeX image
        assert "[anki:play" not in question + answer


def typeset(browser, card_html: str) -> tuple[list[str], list[str], int]:
    """(active content, blocked requests, formulas typeset) of a card side in Anki's MathJax."""
    page = browser.new_page()
    try:
        blocked = serve_anki(page, strip_style(card_html))
        return active_content(page), blocked, typeset_count(page)
    finally:
        page.close()


def test_anki_mathjax_does_run_hostile_math(browser) -> None:
    """The check can fail: raw delimiters make a javascript: link and a remote fetch."""
    active, blocked, count = typeset(browser, HOSTILE)
    assert count == 2
    assert any("javascript:" in a for a in active), active
    assert any("evil.example" in a for a in active) or any("evil.example" in b for b in blocked)


def test_mathjax_never_runs_on_guide_text(browser, tmp_path: Path) -> None:
    sides = build_and_import(tmp_path)
    for question, answer, _, _ in sides:
        for side in (question, answer):
            active, blocked, count = typeset(browser, side)
            assert (active, blocked, count) == ([], [], 0), strip_html(side)
    assert "\\(" in strip_html(" ".join(q for q, _, _, _ in sides)).replace("\u200b", "")  # still readable


def test_math_on_typesets_only_the_safe_subset(browser, tmp_path: Path) -> None:
    sides = build_and_import(tmp_path, "math: true\n")
    typeset_by_front = {}
    for question, answer, _, _ in sides:
        for side in (question, answer):
            active, blocked, count = typeset(browser, side)
            assert (active, blocked) == ([], []), strip_html(side)
            typeset_by_front.setdefault(strip_html(strip_style(question)).strip()[:30], []).append(count)
    safe = [counts for front, counts in typeset_by_front.items() if "x^2" in front and "href" not in front]
    hostile = [counts for front, counts in typeset_by_front.items() if "href" in front]
    assert safe and all(c > 0 for c in safe[0]), typeset_by_front
    assert hostile and all(c == 0 for c in hostile[0]), typeset_by_front


@pytest.mark.parametrize("field, math, expected", [
    ("[sound:a.mp3]", False, "&#91;sound:a.mp3]"),
    ("[SOUND:a.mp3] [/anki:tts]", False, "&#91;SOUND:a.mp3] &#91;/anki:tts]"),
    ("[$$]x[/$$]", False, "&#91;$$]x&#91;/$$]"),
    ("[a link] [x]", False, "[a link] [x]"),
    (r"\(x\) \[y\]", False, r"\&#8203;(x\&#8203;) \&#8203;[y\&#8203;]"),
    (r"\(x\)", True, r"\(x\)"),
    (r"\(\href{javascript:a}{x}\)", True, r"\&#8203;(\href{javascript:a}{x}\&#8203;)"),
    (r"\(\cssId{a}{x}\)", True, r"\&#8203;(\cssId{a}{x}\&#8203;)"),
    (r"\(\hrefx\)", True, r"\(\hrefx\)"),
])
def test_neutralise(field: str, math: bool, expected: str) -> None:
    assert neutralise((field,), math=math) == (expected,)


def test_an_unsafe_command_in_one_field_stops_math_in_all() -> None:
    """MathJax reads a card's fields as one text: a formula opened in one may close in the next."""
    fields = (r"\(a", r"\style{color:red}{b}\)")
    assert neutralise(fields, math=True) == (r"\&#8203;(a", r"\style{color:red}{b}\&#8203;)")
