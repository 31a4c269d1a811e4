"""Reading ``**Label**: text`` lines, wherever they stand: lines of a paragraph or list items."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ..model import Block, ListBlock, Paragraph
from .text import split_label

MARKERS = ("❌", "✅", "🚫", "⛔", "✗", "✘", "✔", "✓", "👎", "👍")


@dataclass(frozen=True)
class Entry:
    label: str
    rest: str  # inline markdown after the label
    marker: str  # leading ❌/✅-style marker, "" if none
    line: int


def labelled_lines(blocks: tuple[Block, ...]) -> Iterator[Entry]:
    """Every ``**Label**: rest`` line among the blocks, with its marker and line number."""
    for block in blocks:
        if isinstance(block, Paragraph):
            for offset, raw in enumerate(block.text.split("\n")):
                entry = _entry(raw, block.line + offset)
                if entry:
                    yield entry
        elif isinstance(block, ListBlock):
            for item in block.items:
                entry = _entry(item.text.split("\n")[0], item.line)
                if entry:
                    yield entry


def _entry(raw: str, line: int) -> Entry | None:
    stripped = raw.strip()
    marker = next((m for m in MARKERS if stripped.startswith(m)), "")
    labelled = split_label(stripped)
    if not labelled or not labelled.rest or not re.search(r"\w", labelled.rest):
        return None
    return Entry(labelled.label, labelled.rest, marker, line)
