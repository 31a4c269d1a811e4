"""Fences that hold prose are read as markdown.

Authors put a sample answer, an analogy or a one-line answer in a code fence with no
language, to set it apart ("**Sample Answer:**" over a fence of numbered points, "**Q6:
What is PCB?**" over a fence of two lines). A card shows a fence as code: a monospace
block that does not wrap, so on a phone a sentence runs off the screen and a list of
fifteen points is one block too tall to split. Read as markdown, the same text becomes
paragraphs and lists a card can show and cut where it must.

A fence is prose when it names no language and reads as sentences: most of its words are
words (not numbers, symbols or ``snake_case``), its lines hold a few of them, and no line
looks like code or a table laid out in columns (a line ending in ``;``, ``{`` or ``}``, a
comment, a prompt, a statement keyword, two spaces inside a line, an indented line that is
not a nested list item). Anything else stays code.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.token import Token

_WORD = re.compile(r"^[(\"'“]?[A-Za-z][A-Za-z'’-]*[)\"'”]?[,.:!?)]*$")
_CODE_LINE = re.compile(
    r"[;{}\\]$|^(?:#|//|/\*|\$ |>>>|<\w)|\S {2,}\S|\t|^\s*[|+]"
    r"|^\s+(?![-*+]\s|\d{1,2}[.)]\s)\S"  # indented, and not a nested list item: code laid out
    r"|^(?:SELECT|FROM|WHERE|INSERT|UPDATE|DELETE|CREATE|ALTER|DROP|WITH|def|class|import|return)\b"
)
_MARKER = re.compile(r"^\s*(?:[-*+]|\d{1,2}[.)])\s+")


def is_prose(text: str) -> bool:
    """Does a fence's text read as sentences rather than code, output or a laid-out table?"""
    lines = [ln.rstrip() for ln in text.split("\n") if ln.strip()]
    if not lines or any(_CODE_LINE.search(ln) for ln in lines):
        return False
    tokens = [t for ln in lines for t in _MARKER.sub("", ln).split()]
    words = sum(1 for t in tokens if _WORD.match(t))
    return words >= 0.7 * len(tokens) and len(tokens) >= 3 * len(lines) and max(
        len(_MARKER.sub("", ln).split()) for ln in lines) >= 4


def read_prose_fences(tokens: list[Token], md: MarkdownIt) -> list[Token]:
    """``tokens`` with each prose fence replaced by the tokens of its text parsed as markdown,
    at the fence's nesting level and source lines."""
    out: list[Token] = []
    for tok in tokens:
        if tok.type != "fence" or tok.info.strip() or not tok.map or not is_prose(tok.content):
            out.append(tok)
            continue
        first = tok.map[0] + 1  # the line after the opening fence
        for inner in md.parse(tok.content):
            inner.level += tok.level
            if inner.map:
                inner.map = [inner.map[0] + first, inner.map[1] + first]
            out.append(inner)
    return out
