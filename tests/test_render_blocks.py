"""Block fields written without markdown-it's block parser are the HTML markdown-it writes.

``render.block`` writes paragraphs and tight ``- `` and ``1. `` lists itself (the common
shapes of a question back and a framework ladder) and hands everything else to
markdown-it. The property: for any markdown built from block markdown's sharp edges,
``block`` gives what markdown-it's full render gives, in cloze fields too.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from deckbuilder import render

PIECES = [
    "a", "word", "two words", " ", "  ", "\n", "\n\n", "- ", "-", "--", "---", "* ", "*", "**", "***", "+ ",
    "_", "___", "1. ", "2) ", "10.", "#", "# ", "### ", "> ", ">", "=", "===", "```", "~~~", "`", "``",
    "|", "| a | b |", "|---|", "[", "]", "(", ")", ":", "]:", "[x]: /url", "[x]", "<", ">", "&", "&amp;",
    '"', "'", "\\", "\t", "\r", "\u00a0", "\u2028", "!", "![alt](x.png)", "[link](http://x.y)",
    "<http://x.y>", "{{c1::", "}}", "::", "==", "“quoted”", "é", "🚀", "**Show**: ", "- **Use**: STAR",
]
MARKDOWN = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)
INLINE = ["a", "word", " ", "**", "*", "_", "`", "[x](y)", "&", '"', "\\", "!", "{{c1::", "}}", "“q”", "🚀", "  "]
# lines mostly of words and inline markup, some opening a block: mostly the short way's shapes
LINE = st.one_of(
    st.lists(st.sampled_from(INLINE), min_size=1, max_size=8).map("".join),
    st.lists(st.sampled_from([p for p in PIECES if "\n" not in p]), max_size=6).map("".join),
)
SIMPLE_SHAPES = st.lists(
    st.tuples(st.sampled_from(["", "", "- ", "\n", "1. ", "2. ", "01. ", "0. ", "3) "]), LINE).map("".join), max_size=12
).map("\n".join)


def markdown_it(md: str, cloze: bool) -> str:
    return render._md(blocks=True).render(md.strip(), {"cloze": cloze}).strip()


@settings(max_examples=1500, deadline=None)
@given(md=st.one_of(MARKDOWN, SIMPLE_SHAPES), cloze=st.booleans())
def test_block_is_what_markdown_it_writes(md: str, cloze: bool) -> None:
    assert render.block(md, cloze=cloze) == markdown_it(md, cloze)


def test_question_backs_take_the_short_way() -> None:
    back = (
        "Ask yourself:\n\n- **Show**: Customer empathy, `code` & <b>\n- **Use**: STAR; the Ladder\n"
        "- **Avoid**: Ignoring stakeholders: “I didn't bother...”\n\nThen [say](http://x.y) it  \nagain."
    )
    assert render._simple_block(back, False) == markdown_it(back, False)
    for other in ("- a\n\n- b", "- a\nb", "1) a", "- a\n1. b", "a\n1. b", "| a |\n|---|", "```\nx\n```", "> q",
                  "- a\n  - b", "a\n---"):
        assert render._simple_block(other, False) is None, other


def test_framework_ladders_take_the_short_way() -> None:
    """A framework's cloze is a numbered list: written here, not parsed (it was the one
    field per guide that still went through markdown-it's block parser)."""
    for ladder in ("1. {{c1::Notice}} that something is off\n2. {{c2::Ask}} what needs `doing`", "3. a\n4. b\n\nText"):
        for cloze in (False, True):
            assert render._simple_block(ladder, cloze) == markdown_it(ladder, cloze)


LABEL_PIECES = ["Show", "a", "é", "7", " ", ":", ".", "“", '"', "-", "🚀", "'", ")", "(", ",", "x y", "‹"]


@settings(max_examples=800, deadline=None)
@given(label=st.lists(st.sampled_from(LABEL_PIECES), min_size=1, max_size=5).map("".join),
       rest=st.lists(st.sampled_from(LABEL_PIECES + ["**", "`x`", "&", "\n"]), max_size=5).map("".join),
       cloze=st.booleans())
def test_bold_labels_are_what_markdown_it_writes(label: str, rest: str, cloze: bool) -> None:
    """A question back's "**Show**: ..." rows are written without markdown-it: exactly as it
    writes them, whatever the label's edges (a label ending in ":" or a space is no bold)."""
    line = f"**{label}**{rest}"
    render._inline_html.cache_clear()
    assert render._inline_html(line, cloze) == render._md(blocks=True).renderInline(line, {"cloze": cloze})
