"""Red flags become "fix the red flag" notes: the weak version in front, the better behind.

Every shape guides use is read (``flag_pieces`` says which side a line, item or code
block is, ``flag_pairs`` pairs them, ``flag_mistakes`` reads mistake headings):
- ``❌ **Label**: "weak"`` + ``✅ **Better**: "better"``, ``❌ Don't X`` / ``✅ Do Y`` lines or
  lists, ``❌ 'weak' → ✅ 'better'`` on one line;
- ``**Bad**:`` / ``**Good**:`` pairs (lines, items, blockquotes, ``Example – Bad``,
  ``Instead of`` / ``Try``, ``Don't say`` / ``Say``);
- ``// ❌ Bad`` / ``// ✅ Good`` code, as code on both sides;
- ``### ❌ Mistake`` headings with a ``**How to fix**:`` paragraph or list;
- tables with a ❌ / "What not to say" column and a ✅ / "Say instead" column.

A ❌ / ✅ pros-and-cons list is not a red flag (see ``_pro_or_con``). A red flag always
has a real better version. A ``❌`` line without one is a "what to
avoid" Recall note when the guide says why (``❌ Don't X; it breaks Y``, or a reason
nested under it or in the paragraph after it), and no card at all otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

from ..model import CardSpec, Document, Kind, Opaque, Section
from ..screen import SCREEN_LINES, fits
from . import star
from .flag_avoid import avoid_card
from .flag_mistakes import MISTAKE_HEADING, Mistake, is_mistake, label_of, mistake_of
from .flag_pairs import Found, find, table_pairs
from .flag_pieces import PLACEHOLDER, capital, is_code
from .memo import once_per_document
from .text import QUOTES, is_link_only, sections, unquote, words

_ADVICE = re.compile(r"^(?:don'?t|do not|never|avoid|stop|no longer|skip)\b", re.I)
_WORDING = re.compile(r"do'?s\b|don'?ts|phrasing|wording", re.I)  # with MISTAKE_HEADING: a red-flag context
_PROS_CONS = re.compile(
    r"\bpros\b|\bcons\b|advantages|disadvantages|trade-?offs?|strengths|weaknesses|benefits|drawbacks|"
    r"\bvs\.?\b|versus|comparison|compared|when to use|features|support",
    re.I,
)
_DO = re.compile(r"^do\s+(?!not\b|n't\b)", re.I)


@once_per_document
def extract(doc: Document) -> Iterator[CardSpec]:
    for section in sections(doc):
        if star.is_answer(doc, section):
            continue
        own_label = label_of(section)
        flags, avoid = [], []
        tables = [f for b in section.blocks if isinstance(b, Opaque) and b.kind == "table" for f in table_pairs(b)]
        for found in sorted(find(section.blocks) + tables, key=lambda f: f.line):
            if _pro_or_con(section, found):
                continue
            spec = _red_flag(section, found, own_label)
            if spec:
                flags.append(spec)
            else:
                avoid += [s for s in [avoid_card(section, found)] if s]
        mistake = mistake_of(section)
        if mistake:
            flags = _with_mistake(section, mistake, flags)
        yield from sorted(flags + avoid, key=lambda s: s.line)


def _pro_or_con(section: Section, found: Found) -> bool:
    """Is this ❌ line a con in a pros-and-cons list (``❌ Harder to shard`` under
    "PostgreSQL vs MongoDB") rather than a red flag? A ❌ side that is a quote, code or
    one of a one-line pair is a red flag; any other must read as advice (``❌ Don't ...``)
    or stand in a mistakes / red-flags / do's-and-don'ts section, and never among pros and cons."""
    weak = found.weak.strip()
    if not found.marked or found.explicit or is_code(weak) or weak[:1] in QUOTES:
        return False
    context = [*section.path, found.lead]
    if any(_PROS_CONS.search(c) for c in context):
        return True
    return not (_ADVICE.match(weak) or any(MISTAKE_HEADING.search(c) or _WORDING.search(c) for c in context))


def _red_flag(section: Section, found: Found, own_label: str) -> CardSpec | None:
    """The pair as a red flag, if both sides are real and each fits a phone screen."""
    weak, better = _side(found.weak), _better(found.better, found.marked)
    if not _real(weak, 1) or not _real(better, 2) or _ADVICE.match(better):
        return None  # a ✅ "Don't forget the TTL" is advice of its own, not the better version
    if not (fits(weak, SCREEN_LINES) and fits(better, SCREEN_LINES)):
        return None
    label = found.label or _label(section, found, own_label, is_code(weak))
    return CardSpec(
        Kind.RED_FLAG, front=weak, back=better, label=label, extra=found.reason,
        section_path=section.path, line=found.line,
    )


def _label(section: Section, found: Found, own_label: str, code: bool) -> str:
    """A pair without a label of its own: a code pair takes its lead-in; pairs under one
    mistake's heading take the heading, unless a lead-in says they are about something
    else; plain ``Bad:``/``Good:`` pairs keep their section's title; others go without
    (the card's context already names the section)."""
    if found.lead:
        return found.lead if code else ""
    if is_mistake(section):
        return own_label
    return section.path[-1] if found.titled else ""


def _with_mistake(section: Section, mistake: Mistake, flags: list[CardSpec]) -> list[CardSpec]:
    """Add the mistake's own card; a mistake shown only in code lends its fix to the code pair."""
    if not _real(mistake.fix, 2):
        return flags
    if mistake.problem:
        spec = CardSpec(
            Kind.RED_FLAG, front=unquote(mistake.problem), back=mistake.fix, label=mistake.label,
            extra=mistake.more, section_path=section.path, line=mistake.line,
        )
        return [spec, *flags]
    code = next((i for i, f in enumerate(flags) if is_code(f.front) and not f.extra), None)
    if code is not None:
        flags[code] = replace(flags[code], extra=f"How to fix:\n\n{mistake.fix}")
        return flags
    parent = section.path[-2] if len(section.path) > 1 else mistake.label
    spec = CardSpec(
        Kind.RED_FLAG, front=mistake.label, back=mistake.fix, label=parent,
        section_path=section.path, line=mistake.line,
    )
    return [spec, *flags]


def _side(text: str) -> str:
    """A side as shown: code as it is; text on one line, without its quotes (``"x".`` too)."""
    if is_code(text):
        return text.strip()
    if "\n\n" in text.strip():
        return unquote(text.strip())  # paragraphs stay paragraphs
    text = " ".join(text.split())
    if len(text) > 2 and text[-1] in ".,;" and text[-2] in QUOTES:
        text = text[:-1]
    return unquote(text)


def _better(text: str, marked: bool) -> str:
    """The better side; a marked ``✅ Do read the logs`` reads ``Read the logs``."""
    if is_code(text):
        return text.strip()
    if text.startswith("- "):
        return "\n".join("- " + _better(item[2:], marked) for item in text.split("\n"))
    text = _side(text)
    return capital(_DO.sub("", text)) if marked and _DO.match(text) else text


def _real(md: str, min_words: int) -> bool:
    """Is there something to learn here: words (or code), not only a link or a placeholder?"""
    if is_code(md):
        return any(ln.strip() for ln in md.split("\n")[1:-1])
    return len(words(md)) >= min_words and not is_link_only(md) and not PLACEHOLDER.match(md.strip(QUOTES + " "))
