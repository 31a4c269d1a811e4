"""Mistake headings: ``### ❌ Being Too Vague`` (or any heading under a Mistakes / Pitfalls /
Anti-patterns section) whose prose describes the mistake and whose ``**How to fix**:``
paragraph or list gives the fix.

The mistake's first paragraph is the weak side (its first sentence when the paragraph is
long), later paragraphs go to Extra, the heading is the label and the fix is the better
side. A fix ends where the guide moves on: a lead-in to something else (``Debugging a Pod
stuck in CrashLoopBackOff:``), a label, a marker line or code.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ..model import Block, ListBlock, Paragraph, Section
from .flag_pairs import blocks_markdown
from .flag_pieces import BAD_MARKERS, GOOD_MARKERS, label_kind, lines_of
from .text import first_sentence, no_emoji, split_label, title_matches

MISTAKE_HEADING = re.compile(
    r"red flags?|mistakes?|pitfalls?|avoid|anti-?patterns?|what not to|gotchas?|do'?s and don'?ts", re.I
)
# "Mistake: using the latest tag", "Pitfall 2 – ...": the heading without its frame
_PREFIX = re.compile(r"^(?:common\s+)?(?:mistake|pitfall|anti-?pattern|red flag|gotcha)s?\s*#?\d*\s*[:.–—-]\s*", re.I)
_NUMBER = re.compile(r"^\s*\d+[.)]\s+")
LONG_PROBLEM_WORDS = 40
# better-version labels that open a mistake's fix too ("**Instead:** name the stakes")
_FIX_TOO = ("better", "instead", "try")


@dataclass(frozen=True)
class Mistake:
    label: str  # the heading, without "Mistake:"
    problem: str  # inline markdown; "" when the guide shows the mistake only in code
    more: str  # the later problem paragraphs, for Extra
    fix: str  # markdown: a paragraph, paragraphs or a list
    line: int


def is_mistake(section: Section) -> bool:
    """One mistake under its own heading (not the Mistakes section itself)."""
    if section.title.lstrip().startswith(BAD_MARKERS):
        return True
    return title_matches(section, MISTAKE_HEADING, depth=1) and not (
        section.level and title_matches(section, MISTAKE_HEADING, depth=0)
    )


def label_of(section: Section) -> str:
    """The heading as a label: ``2. ❌ Mistake: using the latest tag`` -> ``Using the latest tag``."""
    label = no_emoji(_NUMBER.sub("", section.path[-1])) if section.path else ""
    label = _PREFIX.sub("", label)
    return label[:1].upper() + label[1:]


def mistake_of(section: Section) -> Mistake | None:
    """The mistake a section describes and its fix; None without a fix."""
    if not is_mistake(section):
        return None
    problem: list[str] = []
    fix: list[Block] = []
    fixing = False
    for block in _units(section.blocks):
        labelled = split_label(block.text) if isinstance(block, Paragraph) else None
        kind = label_kind(labelled.label) if labelled else ""
        if not fixing:
            if labelled and (kind == "fix" or labelled.label.lower() in _FIX_TOO):
                fixing = True
                if labelled.rest:
                    fix.append(Paragraph(labelled.rest, block.line))
            elif kind in ("bad", "good"):
                continue  # "**Example – Bad**:": an example pair, read by flag_pairs
            elif isinstance(block, Paragraph) and not block.text.lstrip().startswith(BAD_MARKERS + GOOD_MARKERS):
                problem.append(labelled.rest if labelled else block.text)
        elif not _continues(block, fix):
            break
        else:
            fix.append(block)
    if not fix:
        return None
    first = " ".join(problem[0].split()) if problem else ""
    if len(first.split()) > LONG_PROBLEM_WORDS:
        first = first_sentence(first)
    return Mistake(label_of(section), first, " ".join(problem[1:]), blocks_markdown(fix), section.line)


def _units(blocks: tuple[Block, ...]) -> Iterator[Block]:
    """The blocks, with a paragraph of label lines (``**Mistake**:`` / ``**Impact**:`` /
    ``**Solution**:``) read as one paragraph per line."""
    for block in blocks:
        if isinstance(block, Paragraph):
            yield from lines_of(block)
        else:
            yield block


def _continues(block: Block, fix: list[Block]) -> bool:
    """Is this block still part of the fix that opened before it?"""
    if isinstance(block, ListBlock):
        last = fix[-1] if fix else None
        return last is None or (isinstance(last, Paragraph) and last.text.rstrip().endswith(":"))
    if not isinstance(block, Paragraph) or split_label(block.text):
        return False
    text = block.text.strip()
    return not text.endswith(":") and not text.startswith(BAD_MARKERS + GOOD_MARKERS) and bool(fix)
