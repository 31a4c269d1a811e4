"""Nothing from a guide runs or loads in Anki: raw HTML is escaped, images become their
alt text, script links are text. Checked on the HTML Anki itself renders after a real
import, with the hostile material placed wherever cards come from."""

from __future__ import annotations

import re

import pytest

from deckbuilder.render import inline

from .conftest import card_texts, import_apkg, import_guide, run_cli

GUIDE = """\
# Hostile Guide

<script>alert("block")</script>

## Common Questions
1. Tell me about a time <img src=http://evil.example/q.png onerror=alert(1)> you shipped
2. Describe a time you used <script>alert(2)</script> badly
3. Tell me about ![a diagram](http://images.example/d.png) you drew

## Notes

Q: What does <iframe src="http://evil.example/frame"></iframe> load?
A: Nothing: ![the secret](../../../secret.png) stays a word. <svg onload=alert(4)> [a link](javascript:alert(3))

The ==<b onmouseover=alert(5)>bold==, ![local](file:///etc/passwd) and {{c1::<img src=x onerror=alert(6)>}}.

## Key Themes
- **Curiosity**: asking why <img src="http://evil.example/t.png"> ![pic](http://images.example/t.png)

## Red Flags
❌ **Vague**: "<a href="javascript:alert(7)" onclick="alert(8)">weak</a>"
✅ **Better**: "Concrete <style>body{display:none}</style> numbers"
"""

TAG_WITH_HANDLER = re.compile(r"<[a-zA-Z][^>]*\son[a-z]+\s*=", re.I)
DANGEROUS_TAG = re.compile(r"<\s*(script|img|iframe|svg|object|embed|link|meta|base|form|b\b|a\b[^>]*javascript)", re.I)
SRC_ATTRIBUTE = re.compile(r"<[^>]*\s(src|srcset|href)\s*=\s*[\"']?\s*(https?:|javascript:|file:|\.\./)", re.I)


@pytest.fixture(scope="module")
def cards(tmp_path_factory) -> list[dict[str, str]]:
    col = import_guide(tmp_path_factory, "hostile.md", GUIDE)
    texts = card_texts(col)
    col.close()
    return texts


def _html(card: dict[str, str]) -> str:
    """Both sides as Anki renders them, without the note type's own stylesheet."""
    return re.sub(r"<style>.*?</style>", "", card["q_html"] + card["a_html"], count=2, flags=re.S)


def test_hostile_material_reached_cards(cards) -> None:
    """The other tests only mean something if the hostile lines became cards."""
    text = " ".join(c["q"] + " " + c["a"] for c in cards)
    for visible in ("alert(1)", "alert(2)", "iframe", "alert(4)", "onmouseover", "alert(6)",
                    "evil.example/t.png", "alert(7)", "display:none"):
        assert visible in text, visible
    assert len(cards) >= 8


def test_no_tag_from_the_guide_reaches_a_card(cards) -> None:
    for card in cards:
        html = _html(card)
        assert not DANGEROUS_TAG.search(html), DANGEROUS_TAG.search(html)
        assert not TAG_WITH_HANDLER.search(html), TAG_WITH_HANDLER.search(html)
        assert not SRC_ATTRIBUTE.search(html), SRC_ATTRIBUTE.search(html)
        assert "<style" not in html.lower()


def test_images_become_their_alt_text(cards) -> None:
    html = " ".join(_html(c) for c in cards)
    assert "images.example" not in html and "secret.png" not in html
    for alt in ("a diagram", "the secret", "local", "pic"):
        assert alt in html, alt


def test_script_links_stay_text(cards) -> None:
    answer = next(c for c in cards if "the secret" in c["a"])
    assert "[a link](javascript:alert(3))" in answer["a"]
    assert "href" not in _html(answer)


@pytest.mark.parametrize(
    "md, html",
    [
        ("![alt *text*](http://x/y.png)", "alt text"),
        ('![a "quoted" <b>](y.png)', "a &quot;quoted&quot; &lt;b&gt;"),
        ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"),
        ("[x](http://ok.example)", '<a href="http://ok.example">x</a>'),
    ],
)
def test_inline_rendering(md: str, html: str) -> None:
    assert inline(md) == html


def test_control_characters_never_reach_a_field(tmp_path) -> None:
    """Found by test_fuzz: Anki joins a note's fields with \\x1f, so one in a guide split a field."""
    from anki.collection import Collection

    (tmp_path / "g.md").write_text(
        "# G\n\n## Notes\n\nQ: What is \x1fthis\x07?\nA: A field\x1fseparator.\n", encoding="utf-8"
    )
    out = tmp_path / "d.apkg"
    assert run_cli("build", str(tmp_path), "-o", str(out)).exit_code == 0
    col = Collection(str(tmp_path / "c.anki2"))
    import_apkg(col, out)
    (card,) = card_texts(col)
    col.close()
    assert card["q"].startswith("What is this?") and "A fieldseparator." in card["a"]
