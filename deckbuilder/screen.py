"""How tall a card side is on a phone, estimated from its markdown.

The cards are read on a 390x844 screen (AnkiMobile): 18px text with 1.5 line height in a
column about 346px wide, so about 38 characters a line and 28 lines a screen; code is
set at 16px in a padded box (about 32 characters a line, 0.9 of a text line). Extractors use this to keep a
side to one screen (cutting a long answer, splitting a long cloze) and ``check`` uses it
to name the notes that still do not fit. It is an estimate made without a browser, on
purpose a little pessimistic; the rendering tests measure real cards in Chromium.
"""

from __future__ import annotations

import math
import re

CHARS_PER_LINE = 38
CODE_CHARS_PER_LINE = 32
CODE_LINE = 0.9  # a code line's height in text lines
SCREEN_LINES = 28  # one phone screen, in text lines
ANSWER_LINES = 20  # the back below its front (repeated above the answer) and its context
_MARKUP = re.compile(r"\*\*|__|`|!?\[([^\]]*)\]\([^)]*\)")
_LIST = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_FENCE = re.compile(r"^\s*(```|~~~)")


def text_lines(text: str, width: int = CHARS_PER_LINE) -> int:
    """Lines one paragraph of inline markdown takes when wrapped."""
    visible = _MARKUP.sub(lambda m: m.group(1) or "", text)
    return max(1, math.ceil(len(visible.strip()) / width))


def lines(md: str) -> float:
    """Estimated height of block markdown, in text lines (paragraph gaps included)."""
    total = 0.0
    in_code = False
    for raw in md.strip().split("\n"):
        if _FENCE.match(raw):
            in_code = not in_code
            total += 0.5 if in_code else 0.0  # the code box's padding
            continue
        if in_code:
            total += CODE_LINE * max(1, math.ceil(len(raw.rstrip()) / CODE_CHARS_PER_LINE))
        elif not raw.strip():
            total += 0.4
        elif raw.lstrip().startswith("|"):
            if not re.fullmatch(r"[\s|:-]+", raw):
                cells = [c for c in raw.strip().strip("|").split("|")]
                width = max(6, (CHARS_PER_LINE + 4) // max(1, len(cells)))
                total += 0.9 * max(text_lines(c, width) for c in cells) + 0.3
        elif _LIST.match(raw):
            total += text_lines(_LIST.sub("", raw), CHARS_PER_LINE - 3) + 0.15
        else:
            total += text_lines(raw)
    return total


def fits(md: str, budget: float = ANSWER_LINES) -> bool:
    """Does this markdown fit in ``budget`` lines of a phone screen?"""
    return lines(md) <= budget
