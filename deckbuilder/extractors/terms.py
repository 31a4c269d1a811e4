"""Reading term/definition pairs out of a section's blocks, for ``definitions``.

Shapes, anywhere:
- ``**Term**: definition``, ``**Term:** definition``, ``**Term** — definition`` (also with an
  aside, ``**Macrotasks** (tasks): ...``), one or several to a paragraph, a definition
  running on over the lines after it; the same as list items, nested groups included;
- a definition list: a ``Term`` line, then a ``: definition`` line;
- ``**Pros:**`` alone, defined by the list or paragraph right after it (properties only).

In a glossary, where every line is a term by the author's own word, two more:
- ``Term: definition`` and ``Term — definition`` without bold;
- a subsection per term (``### Idempotency`` and the paragraph under it).

Whether a term is worth a card is ``definitions``' call; this module only reads.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ..model import Block, ListBlock, ListItem, Paragraph, Section
from ..screen import fits
from .frameworks import formula_parts
from .text import plain, to_markdown

# "**Term**: rest", "**Term:** rest", "**Term** — rest", "**Term** = rest": a separator is required
_TERM_LINE = re.compile(
    r"^(?:\*\*|__)(?P<term>[^*\n]+?)(?P<colon>:?)\s*(?:\*\*|__)(?P<aside>\s*\([^()\n]{1,40}\))?"
    r"\s*(?P<sep>:|[—–=]|--?(?=\s))?\s*(?P<rest>.*)$",
    re.DOTALL,
)
# "Term: rest", "Term — rest" in a glossary: a short name before the separator
_PLAIN_TERM_LINE = re.compile(r"^(?P<term>[^\s:—–][^:—–\n]{0,58}?)\s*(?::|\s[—–]|\s--?)\s+(?P<rest>\S.*)$", re.DOTALL)
_DEFINITION_LINE = re.compile(r"^:\s+")  # ": definition" under a term line
# properties of a section's subject ("**Time complexity**: O(log n)" under "Binary search")
PROPERTY = re.compile(
    r"^((time|space|memory)( complexity)?|complexity|runtime|big[- ]?o|(worst|best|average)[- ]case|"
    r"use cases?|when to use( it)?|best for|good for|pros|cons|advantages?|disadvantages?|"
    r"trade-?offs?|limitations?|drawbacks?|benefits?|purpose|default( value)?|returns?|guarantees?|"
    r"key idea|intuition|invariant|stable|in[- ]place|how it works|(key )?features|alternatives?|"
    r"best practices?|side effects?|(production |real[- ]world |common )?use cases?|dependencies|"
    r"mutability|lifecycle|performance|cost|caveats?|rule of thumb)$",
    re.I,
)
DEFINES_SUBJECT = re.compile(r"^(definition|what it (is|does)|meaning|description|in short|in one sentence)$", re.I)


@dataclass(frozen=True)
class Entry:
    term: str  # inline markdown, no bold marks
    body: str  # block markdown: the definition
    line: int


def entries(blocks: tuple[Block, ...], *, skip_lists: bool = False, glossary: bool = False) -> Iterator[Entry]:
    """Every term and its definition among the blocks, in order. ``skip_lists`` leaves
    lists of two or more items alone; ``glossary`` also reads terms without bold."""
    for n, block in enumerate(blocks):
        following = blocks[n + 1] if n + 1 < len(blocks) else None
        if isinstance(block, Paragraph):
            yield from _paragraph_entries(block, following, glossary)
        elif isinstance(block, ListBlock) and not (skip_lists and len(block.items) >= 2):
            for item in block.items:
                yield from _item_entries(item, glossary)


def heading_entry(section: Section) -> Entry | None:
    """A glossary's subsection per term: its title, and its opening paragraph or list."""
    if not section.blocks or any(True for _ in entries(section.blocks, glossary=True)):
        return None
    first = section.blocks[0]
    if not isinstance(first, (Paragraph, ListBlock)):
        return None
    return Entry(section.path[-1], to_markdown((first,)), section.line)


def _paragraph_entries(para: Paragraph, following: Block | None, glossary: bool) -> Iterator[Entry]:
    lines = para.text.split("\n")
    if len(lines) > 1 and _DEFINITION_LINE.match(lines[1].strip()):
        yield from _definition_list(lines, para.line)
        return
    current: list[str] = []
    start = 0
    for offset, raw in enumerate(lines + [""]):
        if offset == len(lines) or _starts_entry(raw.strip(), glossary):
            if current:
                entry = _labelled(" ".join(current), para.line + start, glossary)
                if entry and not entry.body and offset == len(lines) and start == 0 and is_property(entry.term):
                    entry = _with_following(entry, following)
                if entry and entry.body:
                    yield entry
            current, start = [raw.strip()], offset
        elif current:
            current.append(raw.strip())


def _definition_list(lines: list[str], line: int) -> Iterator[Entry]:
    """``Term`` then ``: definition`` (a definition may run on over the next lines)."""
    term, start, parts = "", 0, []
    for offset, raw in enumerate(lines + [""]):
        text = raw.strip()
        next_defines = offset + 1 < len(lines) and bool(_DEFINITION_LINE.match(lines[offset + 1].strip()))
        if _DEFINITION_LINE.match(text):
            parts.append(_DEFINITION_LINE.sub("", text))
        elif parts and text and not next_defines:
            parts[-1] += " " + text
        else:
            if term and parts:
                body = parts[0] if len(parts) == 1 else "\n".join("- " + p for p in parts)
                yield Entry(_unbold(term), body, line + start)
            term, start, parts = text, offset, []


def _item_entries(item: ListItem, glossary: bool) -> Iterator[Entry]:
    entry = _labelled(" ".join(ln.strip() for ln in item.text.split("\n")), item.line, glossary)
    nested = [e for child in item.children if isinstance(child, ListBlock) for e in entries((child,))]
    if nested:  # a group of definitions under a heading item: each its own card
        yield from nested
        return
    if entry and item.children and not entry.body and is_property(entry.term):
        entry = _with_following(entry, item.children[0])
    elif entry and item.children:
        extra = to_markdown(item.children)
        if fits(entry.body + "\n\n" + extra):
            entry = Entry(entry.term, entry.body + "\n\n" + extra, entry.line)
    if entry and entry.body:
        yield entry


def _starts_entry(line: str, glossary: bool) -> bool:
    return bool(_TERM_LINE.match(line) or glossary and _PLAIN_TERM_LINE.match(line))


def _labelled(text: str, line: int, glossary: bool = False) -> Entry | None:
    m = _TERM_LINE.match(text)
    if m and m.group("sep") == "=" and formula_parts(text):
        return None  # "**Value** = Impact × Scope": a formula, clozed by frameworks
    if m and (m.group("colon") or m.group("sep")):
        term = m.group("term").strip().rstrip(":").strip()
        if m.group("aside"):  # "**Macrotasks** (tasks): ..."
            term += " " + m.group("aside").strip()
        return Entry(term, m.group("rest").strip(), line)
    plain_match = _PLAIN_TERM_LINE.match(text) if glossary and not m else None
    if plain_match:
        return Entry(plain_match.group("term").strip(), plain_match.group("rest").strip(), line)
    return None


def _with_following(entry: Entry, following: Block | None) -> Entry | None:
    """``**Pros:**`` alone, defined by the list or paragraph right after it (properties only:
    ``**Constraints:**`` or ``**Key points:**`` before a list is a heading, not a term)."""
    if following is None or isinstance(following, Paragraph) and _TERM_LINE.match(following.text):
        return None
    if not isinstance(following, (Paragraph, ListBlock)) or any(True for _ in entries((following,))):
        return None
    body = to_markdown((following,))
    return Entry(entry.term, body, entry.line) if fits(body) else None


def is_property(term: str) -> bool:
    return bool(PROPERTY.match(plain(term)) or DEFINES_SUBJECT.match(plain(term)))


def _unbold(term: str) -> str:
    m = re.fullmatch(r"(\*\*|__)(.+)\1", term.strip())
    return (m.group(2) if m else term).strip().rstrip(":").strip()
