"""Stubs: template text that nobody filled in never becomes a card.

Guides are often generated from a topic template (``# TITLE_PLACEHOLDER``, ``TODO`` under
every heading, the same generic answer under every question) and published before they
are written. Any extractor would happily turn that into cards a learner can only delete,
so ``scan`` finds the template text once, before the extractors run, and gives them the
document without it:

- a block is template text when it holds a placeholder token (``TITLE_PLACEHOLDER``, a
  ``{{TOPIC}}`` slot, ``Lorem ipsum``, ``[Insert ...]``), starts with ``TODO``/``TBD``/
  ``FIXME`` (after any ``**Label**:``), is a code block of TODO comments, a table whose
  cells are mostly TODO, or is part of an answer that repeats whole, word for word, under
  three or more sections (the boilerplate answer "Best practices, tools, and real-world
  implementations.");
- a section whose heading holds a placeholder, or whose every block is template text,
  is dropped with one warning naming it;
- a guide whose title holds a placeholder, or that is template text for the most part,
  is dropped whole with one warning.

Code spans are never read for placeholders (``{{ }}`` is Vue, ``TODO`` may be code), and
a lowercase "placeholder" or "todo app" is just a word. Boilerplate repeated *across*
guides is for ``check``, which sees them all.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import lru_cache

from ..model import Block, Document, ListBlock, ListItem, Opaque, Paragraph, Section, SourceWarning
from .text import plain, split_label, strip_marker, unquote

# Sections that hold no study material whatever they say: a TODO there is no one's loss.
BOILERPLATE_HEADING = re.compile(
    r"\b(?:overview|introduction|related|see also|(?:table of )?contents|resources|links?|references|"
    r"further reading|next steps|navigation)\b",
    re.I,
)
REPEATS = 3  # the same block under this many sections is boilerplate, not an answer
REPEAT_MIN_WORDS = 4  # shorter repeats are labels ("**Action:**"), not answers
GUIDE_SHARE = 2 / 3  # a guide with at least this share of template text (and GUIDE_MIN units) is a stub
GUIDE_MIN = 4
_CODE_SPAN = re.compile(r"(`+)[^`].*?\1", re.DOTALL)
_TOKEN = re.compile(
    r"\b[A-Z0-9_]*PLACEHOLDER[A-Z0-9_]*\b"  # TITLE_PLACEHOLDER (TITLEPLACEHOLDER in a cleaned title)
    r"|\{\{\s*[A-Z][A-Z0-9_]*\s*\}\}"  # {{TOPIC}}
    r"|(?i:\[\s*(?:insert|add|your)\b[^\]]*\])(?!\()"  # [Insert example here]
    r"|(?i:\blorem ipsum\b)"
)
# The cheap first look for a placeholder, as three searches: one alternation of these,
# tried at every position of a guide, cost a tenth of its extraction, and each part alone
# is scanned for its first character. ``[lL](?i:orem)`` is ``(?i:lorem)``: no other
# character folds to "l".
_MAYBE = (
    re.compile(r"PLACEHOLDER|\{\{|TODO|TBD|FIXME"),
    re.compile(r"[lL](?i:orem)"),
    re.compile(r"\[\s*(?i:insert|add|your)\b"),
)
_LEAD_LABEL = re.compile(r"^\W*(?:\*\*|__)[^*_\n]+(?:\*\*|__)\s*[:—–-]?\s*")
_TODO = re.compile(r"^\W*(?P<word>TODO|TBD|FIXME)\s*(?:[:—–(.!-]|$)")
_CODE_TODO = re.compile(r"^\s*(?:(?://|#|--|/?\*+|<!--|;)\s*)?(?:TODO|TBD|FIXME)\b|^\s*\.\.\.\s*$")


@dataclass(frozen=True)
class Stub:
    """Template text left out of the document: a whole guide, a section or some blocks."""

    line: int
    message: str


@dataclass(frozen=True)
class Scan:
    document: Document  # the document without its template text
    stubs: tuple[Stub, ...]

    @property
    def warnings(self) -> tuple[SourceWarning, ...]:
        """One warning per stub left out, naming the file and line: the author should hear
        that this text gave no card."""
        path = self.document.source.path
        return tuple(SourceWarning(path, stub.line, stub.message, "stub") for stub in self.stubs)


def scan(doc: Document) -> Scan:
    """The document without its template text, and what was left out."""
    repeats = _repeated(doc)
    if not repeats and not _maybe(doc.source.text):
        return Scan(doc, ())  # most guides: nothing that could be a placeholder
    blocks = [u for s in doc.root.walk() for u in _units(s.blocks)]
    template = [u for u in blocks if _reason(u, repeats)]
    heading = re.search(r"^#[ \t]+(.*)$", doc.source.text, re.M)
    title_token = _TOKEN.search(heading.group(1) if heading else doc.title)
    if title_token or (len(template) >= max(GUIDE_MIN, GUIDE_SHARE * len(blocks))):
        why = (f"its title is the placeholder {title_token.group()!r}" if title_token else
               f"{len(template)} of {len(blocks)} paragraphs, items and blocks are template text, such as "
               f"{_reason(template[0], repeats)}")
        empty = replace(doc.root, blocks=(), children=())
        return Scan(replace(doc, root=empty),
                    (Stub(1, f"guide is an unfilled template ({why}); no cards made from it"),))
    stubs: list[Stub] = []
    root = _section(doc.root, repeats, stubs)
    return Scan(doc if not stubs else replace(doc, root=root), tuple(stubs))


def _section(section: Section, repeats: frozenset[str], stubs: list[Stub]) -> Section:
    children = []
    for child in section.children:
        token = _TOKEN.search(child.title)
        if token:
            stubs.append(Stub(child.line, f"section '{child.title}' has a placeholder heading "
                                          f"({token.group()!r}); no cards made from it"))
            continue
        kept = _section(child, repeats, stubs)
        material = [b for b in child.blocks if _is_material(b)]
        if material and not any(_is_material(b) for b in kept.blocks) and not kept.children:
            reason = _reason(material[0], repeats)
            stubs.append(Stub(child.line, f"section '{child.title}' is template text ({reason}); "
                                          "no cards made from it"))
            continue
        children.append(kept)
    blocks, dropped = _filter(section.blocks, repeats)
    quiet = any(BOILERPLATE_HEADING.search(t) for t in section.path)
    if dropped and section.level and not quiet and any(_is_material(b) for b in blocks):
        first = dropped[0]
        stubs.append(Stub(first.line, f"{len(dropped)} template block(s) in section '{section.title}' "
                                      f"left out ({_reason(first, repeats)})"))
    return replace(section, blocks=blocks, children=tuple(children))


def _filter(
    blocks: tuple[Block, ...], repeats: frozenset[str]
) -> tuple[tuple[Block, ...], list[Block | ListItem]]:
    """The blocks that are not template text (list items one by one), and those that are."""
    kept: list[Block] = []
    dropped: list[Block | ListItem] = []
    for block in blocks:
        if isinstance(block, ListBlock):
            reasons = [_item_reason(i, repeats) for i in block.items]
            items = [i for i, reason in zip(block.items, reasons, strict=True) if not reason]
            dropped.extend(i for i, reason in zip(block.items, reasons, strict=True) if reason)
            if items:
                kept.append(replace(block, items=tuple(_clean_item(i, repeats) for i in items)))
        elif _reason(block, repeats):
            dropped.append(block)
        else:
            kept.append(block)
    return tuple(kept), dropped


def _clean_item(item: ListItem, repeats: frozenset[str]) -> ListItem:
    children, _ = _filter(item.children, repeats)
    return item if children == item.children else replace(item, children=children)


def _is_material(block: Block) -> bool:
    return not (isinstance(block, Opaque) and block.kind in ("html", "hr"))


def _reason(block: Block | ListItem, repeats: frozenset[str]) -> str:
    """Why a block is template text ("'TODO'"), or "" when it is real material."""
    if isinstance(block, ListItem):
        return _item_reason(block, repeats)
    if isinstance(block, Paragraph):
        return _text_reason(block.text, repeats)
    if isinstance(block, ListBlock):
        reasons = [_item_reason(i, repeats) for i in block.items]
        return reasons[0] if reasons and all(reasons) else ""
    if block.kind == "code":
        code = [ln for ln in block.text.split("\n") if ln.strip()]
        return "'TODO' code" if all(_CODE_TODO.match(ln) for ln in code) else ""
    if block.kind == "table" and len(block.rows) > 1:
        cells = [c for row in block.rows[1:] for c in row[1:]]
        reasons = [_text_reason(c, repeats) for c in cells]
        return next((r for r in reasons if r), "") if sum(map(bool, reasons)) * 2 > len(cells) else ""
    if block.kind == "quote":
        reasons = [_reason(b, repeats) for b in block.children if _is_material(b)]
        return reasons[0] if reasons and all(reasons) else ""
    return ""


def _item_reason(item: ListItem, repeats: frozenset[str]) -> str:
    return _text_reason(item.text, repeats)


@lru_cache(maxsize=4096)
def _text_reason(md: str, repeats: frozenset[str]) -> str:
    if repeats and _key(md) in repeats:
        return f"the same text under {REPEATS} or more sections: {_short(md)!r}"
    if not _maybe(md):
        return ""
    prose = _CODE_SPAN.sub(" ", md)
    token = _TOKEN.search(prose)
    if token:
        return repr(token.group())
    for line in prose.split("\n"):
        labelled = split_label(line)
        rest = unquote(plain(labelled.rest if labelled else strip_marker(line)))
        todo = _TODO.match(rest)
        if todo:
            return repr(todo["word"])
    return ""


def _maybe(text: str) -> bool:
    """Could the text hold a placeholder or a TODO? (No means certainly not.)"""
    return any(pattern.search(text) for pattern in _MAYBE)


def _repeated(doc: Document) -> frozenset[str]:
    """Answers that repeat under ``REPEATS`` or more sections of this guide: a section's
    whole text, or the text after a ``**Label**:`` (one definition for three different
    terms). A plain line a real guide reuses (a result bullet in three sample answers) is
    still material; the same answer under every question is not."""
    bodies: Counter[tuple[str, ...]] = Counter()
    labelled: Counter[str] = Counter()
    for section in doc.root.walk():
        texts = list(_texts(section.blocks))
        body = tuple(_key(t) for t in texts)
        if body and sum(len(k.split()) for k in body) >= REPEAT_MIN_WORDS:
            bodies[body] += 1
        labelled.update({k for t, k in zip(texts, body, strict=True)
                         if _LEAD_LABEL.match(t) and len(k.split()) >= REPEAT_MIN_WORDS})
    whole = {k for body, n in bodies.items() if n >= REPEATS for k in body}
    return frozenset(whole | {k for k, n in labelled.items() if n >= REPEATS})


def _units(blocks: tuple[Block, ...]) -> Iterator[Block | ListItem]:
    """A section's material one unit at a time: each list item on its own."""
    for block in blocks:
        if isinstance(block, ListBlock):
            yield from block.items
        elif _is_material(block):
            yield block


def _texts(blocks: tuple[Block, ...]) -> Iterator[str]:
    for unit in _units(blocks):
        if isinstance(unit, (Paragraph, ListItem)):
            yield unit.text


@lru_cache(maxsize=16384)  # a guide's lines, asked about again by every section that holds them
def _key(md: str) -> str:
    """What a repeat is judged on: the text after any ``**Label**:``, lowercased."""
    return " ".join(_LEAD_LABEL.sub("", md).lower().split())


def _short(md: str) -> str:
    text = plain(md)
    return text if len(text) <= 60 else text[:57] + "..."
