"""Red flags become "fix the red flag" notes: the weak phrasing in front, the better behind.

Three shapes are read:
- a ``❌ **Label**: "weak"`` line followed by a ``✅ **Better**: "better"`` line;
- ``Bad:`` / ``Good:`` example pairs (bold or plain labels, lines or list items);
- a mistake heading (``### ❌ Being Too Vague``, or any heading under a mistakes/red
  flags section) whose paragraphs describe the problem and then the fix.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..model import Block, CardSpec, Document, Kind, ListBlock, Paragraph, Section
from . import star
from .labelled import labelled_lines
from .text import plain, sections, split_label, split_plain_label, title_matches, unquote

WEAK_LABELS = re.compile(r"^(bad|weak|poor|avoid|don'?t( say)?|instead of|wrong|before|red flag)$", re.I)
GOOD_LABELS = re.compile(r"^(better|good|strong|do( say)?|instead|try|fix|right|after|say)$", re.I)
FIX_LABELS = re.compile(r"^(how to fix( it)?|solution|do this instead|what to do instead)$", re.I)
MISTAKE_HEADING = re.compile(r"red flags?|mistakes?|pitfalls?|avoid|anti-?patterns?|what not to", re.I)
BAD_MARKERS = ("❌", "🚫", "⛔", "✗", "✘", "👎")


def extract(doc: Document) -> Iterator[CardSpec]:
    for section in sections(doc):
        if star.is_answer(doc, section):
            continue
        pairs = list(_marker_pairs(section)) + list(_bad_good_pairs(section))
        yield from pairs
        if not pairs:
            spec = _mistake_heading(section)
            if spec:
                yield spec


def _spec(section: Section, label: str, weak: str, better: str, line: int, extra: str = "") -> CardSpec:
    return CardSpec(
        kind=Kind.RED_FLAG,
        front=unquote(weak),
        back=unquote(better),
        label=label,
        extra=extra,
        section_path=section.path,
        line=line,
    )


def _marker_pairs(section: Section) -> Iterator[CardSpec]:
    pending = None
    for entry in labelled_lines(section.blocks):
        if entry.marker in BAD_MARKERS and not GOOD_LABELS.match(entry.label):
            pending = entry
        elif pending and (entry.marker in ("✅", "✔", "✓", "👍") or GOOD_LABELS.match(entry.label)):
            yield _spec(section, pending.label, pending.rest, entry.rest, pending.line)
            pending = None


def _lines(blocks: tuple[Block, ...]) -> Iterator[tuple[str, int]]:
    for block in blocks:
        if isinstance(block, Paragraph):
            for offset, raw in enumerate(block.text.split("\n")):
                yield raw, block.line + offset
        elif isinstance(block, ListBlock):
            for item in block.items:
                yield item.text, item.line
                yield from _lines(item.children)


def _bad_good_pairs(section: Section) -> Iterator[CardSpec]:
    """``Bad: "..."`` then ``Good: "..."`` (lines or items); ❌/✅ lines belong to ``_marker_pairs``."""
    pending: tuple[str, int] | None = None
    label = section.path[-1] if section.path else ""
    for raw, line in _lines(section.blocks):
        if raw.lstrip().startswith((*BAD_MARKERS, "✅")):
            continue
        labelled = split_label(raw) or split_plain_label(raw)
        if not labelled or not labelled.rest:
            continue
        if WEAK_LABELS.match(labelled.label):
            pending = (labelled.rest, line)
        elif pending and GOOD_LABELS.match(labelled.label):
            yield _spec(section, label, pending[0], labelled.rest, pending[1])
            pending = None


def _mistake_heading(section: Section) -> CardSpec | None:
    """``### ❌ Being Too Vague`` + problem paragraphs + a fix paragraph."""
    marked = section.title.lstrip().startswith(BAD_MARKERS)
    if not marked and not title_matches(section, MISTAKE_HEADING, depth=1):
        return None
    if not marked and section.level and title_matches(section, MISTAKE_HEADING, depth=0):
        return None  # the red-flags section itself, not one mistake
    problem, fix = [], []
    for block in section.blocks:
        if not isinstance(block, Paragraph):
            continue
        labelled = split_label(block.text)
        if labelled and (GOOD_LABELS.match(labelled.label) or FIX_LABELS.match(labelled.label)):
            fix.append(labelled.rest)
        elif fix:
            fix.append(block.text)
        else:
            problem.append(labelled.rest if labelled else block.text)
    if not fix or not problem:
        return None
    weak = problem[0]
    return _spec(
        section,
        section.path[-1],
        weak,
        " ".join(plain(f) for f in fix if f),
        section.line,
        extra=" ".join(problem[1:]),
    )
