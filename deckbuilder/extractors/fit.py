"""Fit an answer to a phone: the opening blocks on the back, the rest in Extra.

A back is read in one glance, so it holds the answer's opening paragraph or first
bullets, up to about one phone screen (``screen.ANSWER_LINES``), and short code (up to
``CODE_LINES`` lines, highlighted by render). Longer code, and whatever follows the
first block that does not fit, goes to Extra, itself kept to about a screen.
"""

from __future__ import annotations

import re
from dataclasses import replace

from .. import screen
from ..model import Block, ListBlock, Opaque, Paragraph
from .text import is_link_only, to_markdown

CODE_LINES = 15


def answer(blocks: tuple[Block, ...]) -> tuple[str, str]:
    """(back, extra) as block markdown; back is "" when the blocks hold no answer."""
    kept = [b for b in map(_without_links, blocks) if b and not (isinstance(b, Opaque) and b.kind in ("html", "hr"))]
    blocks = tuple(b for n, b in enumerate(kept) if not _reading_list(kept, n) and not _reading_list(kept, n - 1))
    back: list[Block] = []
    extra: list[Block] = []
    spilled = False  # once a block did not fit, the rest of the answer follows it in Extra
    for block in blocks:
        if _long_code(block):
            extra.append(block)
        elif not spilled and screen.fits(to_markdown([*back, block])):
            back.append(block)
        elif not spilled and all(_is_label(b) for b in back):  # "Answer:" alone answers nothing
            head, rest = _split(block)
            back.append(head)
            extra += [rest] if rest else []
            spilled = True
        else:
            extra.append(block)
            spilled = True
    if not back and extra and isinstance(extra[0], Opaque) and _long_code(extra[0]):
        back.append(_head_of_code(extra[0]))  # and Extra goes on from where the back stops
        extra[0] = replace(extra[0], text="\n".join(extra[0].text.rstrip().split("\n")[CODE_LINES:]))
    while len(back) > 1 and extra and _is_label(back[-1]):  # "**Explanation:**" goes with what it names
        extra.insert(0, back.pop())
    return to_markdown(back), _screenful(extra)


# "**Answer:**", "Key Features:", "**Explanation**": a line that only names what follows
_LABEL = re.compile(r"^\s*(?:\*\*|__)?[^*_\n]{1,60}?(?::(?:\*\*|__)?|(?:\*\*|__)?:|(?<=[^\s*_])(?:\*\*|__))\s*$")


def _is_label(block: Block) -> bool:
    """A short line that only names what follows it, or one sentence that leads into it ("A
    request passes through these stages:"): on a back of its own it answers nothing, so the
    first part of what follows joins it."""
    if not isinstance(block, Paragraph):
        return False
    text = block.text.strip()
    return not text or len(text.split()) <= 6 and bool(_LABEL.match(text)) or _LEAD_IN.match(text) is not None


# one sentence ending in a colon: "A Java program is compiled in the following steps:"
_LEAD_IN = re.compile(r"^[^\n.!?]{1,200}:$")


def _without_links(block: Block) -> Block | None:
    """A paragraph without its lines that are only links or images ("[Back to TOC](#top)",
    "![image](...)", "**See also**: [#1](#1), [#5](#5)"): navigation and pictures say
    nothing on a card; None when that was all."""
    if not isinstance(block, Paragraph):
        return block
    kept = [ln for ln in block.text.split("\n") if not _navigation(ln)]
    return replace(block, text="\n".join(kept)) if any(ln.strip() for ln in kept) else None


# a label naming where to read more: "**Further Reading**:", "Connected Questions:", "See also:"
_READING = re.compile(
    r"^\s*(?:\*\*|__)?(?:further reading|references?|resources|see also|read more|learn more|useful links|links|"
    r"related(?: questions| reading)?|connected questions)\s*(?:\*\*|__)?\s*:\s*(?:\*\*|__)?\s*",
    re.I,
)


def _navigation(md: str) -> bool:
    return is_link_only(md) or bool(_READING.match(md)) and is_link_only(_READING.sub("", md, count=1))


def _reading_list(blocks: list[Block], n: int) -> bool:
    """Is ``blocks[n]`` a reading label over a list of only links? Both say nothing on a card."""
    if n < 0 or n + 1 >= len(blocks):
        return False
    label, after = blocks[n], blocks[n + 1]
    return (isinstance(label, Paragraph) and bool(_READING.match(label.text)) and not _READING.sub("", label.text)
            and isinstance(after, ListBlock) and all(not i.children and is_link_only(i.text) for i in after.items))


def _long_code(block: Block) -> bool:
    return isinstance(block, Opaque) and block.kind == "code" and len(block.text.rstrip().split("\n")) > CODE_LINES


def _head_of_code(block: Opaque) -> Opaque:
    """The first ``CODE_LINES`` lines, marked as cut: the rest follows in Extra."""
    head = block.text.rstrip().split("\n")[:CODE_LINES]
    return Opaque("code", "\n".join(head) + "\n…", block.line, info=block.info)


def _split(block: Block) -> tuple[Block, Block | None]:
    """The first part of a block too tall for the back: leading items or sentences."""
    if isinstance(block, ListBlock) and len(block.items) > 1:
        n = 1
        while n < len(block.items) and screen.fits(to_markdown([replace(block, items=block.items[: n + 1])])):
            n += 1
        return (ListBlock(block.ordered, block.items[:n], block.line),
                ListBlock(block.ordered, block.items[n:], block.line) if n < len(block.items) else None)
    if isinstance(block, Opaque) and block.kind == "table" and len(block.rows) > 2:
        n = 2  # the header and at least one row
        while n < len(block.rows) and screen.fits(to_markdown([replace(block, rows=block.rows[: n + 1])])):
            n += 1
        return (replace(block, rows=block.rows[:n]),
                replace(block, rows=block.rows[:1] + block.rows[n:]) if n < len(block.rows) else None)
    if isinstance(block, Paragraph):
        sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z`*(\"'])", block.text.strip())
        n = 1
        while n < len(sentences) and screen.fits(" ".join(sentences[: n + 1])):
            n += 1
        rest = " ".join(sentences[n:])
        return Paragraph(" ".join(sentences[:n]), block.line), Paragraph(rest, block.line) if rest else None
    return block, None


def _screenful(blocks: list[Block]) -> str:
    """Extra, up to about a screen; what is left after that is cut with an ellipsis."""
    kept: list[Block] = []
    for block in blocks:
        if kept and not screen.fits(to_markdown([*kept, block]), screen.SCREEN_LINES):
            kept.append(Paragraph("…", block.line))
            break
        kept.append(block)
    return to_markdown(kept)
