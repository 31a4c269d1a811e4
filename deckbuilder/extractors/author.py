"""Author syntax: cards the guide asks for in so many words, anywhere in the document.

- A paragraph or list item with cloze markup (``{{c1::answer}}``, ``{{c1::answer::hint}}``
  or ``==highlight==``) becomes one Cloze note; see ``cloze_markup``.
- ``Q: question`` followed by ``A: answer`` (also ``**Q:**``/``**A:**``, ``**Q: question**``
  and ``Answer:``) on consecutive lines of one paragraph or item, or in consecutive
  paragraphs or items, becomes a Recall note. Lines after ``A:`` belong to the answer
  until the next ``Q:``. A ``Q:`` whose answer is not on an ``A:`` line (an empty ``A:``
  followed by a list or code, or no ``A:`` at all) is left to the ``answers`` extractor,
  which reads the blocks after it, when it asks; otherwise it is reported.

Author syntax wins. ``scan`` also reports the source lines it used; ``extract_all`` drops
any other extractor's card made from those lines (``Scan.covers``) and gives the other
extractors the document with cloze markup removed (``without_markup``), so a sample
answer's outline or a framework's ladder that merely contains such a line still reads well.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from ..model import Block, CardSpec, Document, Kind, ListBlock, ListItem, Paragraph, Section, SourceWarning
from .answers import question_line
from .asking import asks, heading_asks
from .cloze_markup import might_have_markup, parse
from .text import unwrapped

# Cards that summarise a whole answer or list keep a claimed line as one part of many.
SUMMARY_KINDS = frozenset({Kind.STAR, Kind.FRAMEWORK})
_TAG = re.compile(r"^\s*(?P<em>\*\*|__)?(?P<tag>[QA]|Answer)\s*(?P=em)?\s*:\s*(?P=em)?\s*(?P<rest>.*)$", re.I)
# Every line ``_TAG`` matches matches this too, in one search of a whole unit: most units
# have no Q:/A: line, and are let through without a match per line.
_MAYBE_TAG = re.compile(r"^[\s*_]*(?:[QA]|Answer)[\s*_]*:", re.I | re.M)


@dataclass(frozen=True)
class Unit:
    """One paragraph or list item's own text, with its first line."""

    text: str
    line: int
    item: bool = False  # a list item, not a paragraph

    def lines(self) -> list[tuple[str, int]]:
        return [(raw, self.line + n) for n, raw in enumerate(self.text.split("\n"))]


@dataclass(frozen=True)
class Scan:
    specs: tuple[CardSpec, ...]
    claimed: frozenset[int]  # source lines that became author cards
    warnings: tuple[SourceWarning, ...] = ()  # author syntax that made no card (a Q: without its A:...)

    def covers(self, spec: CardSpec) -> bool:
        """Was ``spec`` (from another extractor) made from material the author claimed?"""
        return spec.kind not in SUMMARY_KINDS and spec.line in self.claimed


@dataclass
class _Pair:
    question: list[str]
    lines: list[int]
    answer: list[str] | None = None


@dataclass
class _Scanner:
    doc: Document
    section: Section
    specs: list[CardSpec] = field(default_factory=list)
    claimed: set[int] = field(default_factory=set)
    warnings: list[SourceWarning] = field(default_factory=list)
    pair: _Pair | None = None
    before: Unit | None = None  # the unit read last: a bold question line there owns an A: here

    def unit(self, unit: Unit | None) -> None:
        """Read the next unit (None: something that breaks a Q/A run, like a code block)."""
        before, self.before = self.before, unit
        if unit is not None and self.pair is None and not _MAYBE_TAG.search(unit.text):  # no Q:/A: line in it
            self.cloze(unit)
            return
        lines = unit.lines() if unit else []
        if self.pair and self.pair.answer is not None:
            if unit and unit.item and unit.line == self.pair.lines[-1] + 1 and "".join(self.pair.answer).strip() \
                    and not any(_tag(r, True) for r, _ in lines):
                # "A: Two layers." and on the next line "1) ACLs on the subnet": the answer goes on as a list
                self.pair.answer += [f"- {lines[0][0]}", *(r for r, _ in lines[1:])]
                self.pair.lines += [n for _, n in lines]
                return
            self.finish()
        tags, open_pair = [], self.pair is not None
        for raw, _ in lines:
            tags.append(_tag(raw, open_pair))
            open_pair = open_pair or bool(tags[-1] and tags[-1]["tag"].upper() == "Q")
        if self.pair and (not tags or not tags[0] or tags[0]["tag"].upper() == "Q"):
            self.finish(followed=True)  # a question waiting for its answer in this unit, which has none
        if unit is None:
            return
        if not any(tags):
            self.cloze(unit)
            return
        for (raw, line), tag in zip(lines, tags, strict=True):
            if tag and tag["tag"].upper() == "Q":
                self.finish()
                self.pair = _Pair([tag["rest"]], [line])
            elif tag and (self.pair is None or self.pair.answer is not None):
                # else the heading asks, or "**3. Q: What is X?**" just before it does
                if not (self.pair is None and (_asks_first(before) or self.section.level
                                               and heading_asks(self.section.title))):
                    self.warn(line, "A: without a Q: before it; no card made")
                self.finish()
            elif tag:
                assert self.pair is not None
                self.pair.answer = [tag["rest"]]
                self.pair.lines.append(line)
            elif self.pair:
                (self.pair.question if self.pair.answer is None else self.pair.answer).append(raw)
                self.pair.lines.append(line)

    def finish(self, followed: bool = False) -> None:
        """Make the pair's card; ``followed``: more blocks come after it in the section."""
        pair, self.pair = self.pair, None
        if pair is None:
            return
        question = _clean(" ".join(pair.question))
        answer = unwrapped(_clean("\n".join(pair.answer or [])))
        if question and not answer and (followed or pair.answer is not None) and asks(question):
            return  # the answers extractor reads the blocks after it
        if not question or not answer:
            missing = "an A: line after it" if pair.answer is None else "a question and an answer"
            self.warn(pair.lines[0], f"Q:/A: pair needs {missing}; no card made")
            return
        self.claimed.update(pair.lines)
        self.add(Kind.AUTHOR_QA, question, pair.lines[0], back=answer)

    def cloze(self, unit: Unit) -> None:
        if not might_have_markup(unit.text):
            return
        parsed = parse(unit.text)
        if parsed.problem:
            self.warn(unit.line, f"{parsed.problem}; no cloze card made")
        if parsed.anki:
            self.claimed.update(line for _, line in unit.lines())
            self.add(Kind.AUTHOR_CLOZE, parsed.anki.strip(), unit.line)

    def add(self, kind: Kind, front: str, line: int, back: str = "") -> None:
        self.specs.append(
            CardSpec(kind=kind, front=front, back=back, section_path=self.section.path, line=line, extractor="author")
        )

    def warn(self, line: int, message: str) -> None:
        self.warnings.append(SourceWarning(self.doc.source.path, line, message, "author-syntax"))


def scan(doc: Document) -> Scan:
    """Every author card in the document, and the lines they claim."""
    specs: list[CardSpec] = []
    claimed: set[int] = set()
    warnings: list[SourceWarning] = []
    for section in doc.root.walk():
        scanner = _Scanner(doc, section)
        for unit in units(section.blocks):
            scanner.unit(unit)
        scanner.finish()
        specs.extend(scanner.specs)
        claimed |= scanner.claimed
        warnings.extend(scanner.warnings)
    return Scan(tuple(specs), frozenset(claimed), tuple(warnings))


def extract(doc: Document) -> Iterator[CardSpec]:
    yield from scan(doc).specs


def units(blocks: tuple[Block, ...]) -> Iterator[Unit | None]:
    """Paragraphs and list items (nested ones too) in reading order; None for other blocks."""
    for block in blocks:
        if isinstance(block, Paragraph):
            yield Unit(block.text, block.line)
        elif isinstance(block, ListBlock):
            for item in block.items:
                yield Unit(item.text, item.line, item=True)
                yield from units(item.children)
        else:
            yield None


def without_markup(doc: Document) -> Document:
    """``doc`` with every well-formed cloze replaced by its answer (the same object if none)."""
    if not might_have_markup(doc.source.text):
        return doc
    return replace(doc, root=_strip_section(doc.root))


def _strip_section(section: Section) -> Section:
    return replace(
        section,
        blocks=_strip_blocks(section.blocks),
        children=tuple(_strip_section(c) for c in section.children),
    )


def _strip_blocks(blocks: tuple[Block, ...]) -> tuple[Block, ...]:
    out: list[Block] = []
    for block in blocks:
        if isinstance(block, Paragraph):
            out.append(replace(block, text=parse(block.text).plain))
        elif isinstance(block, ListBlock):
            items = tuple(
                ListItem(parse(i.text).plain, i.line, _strip_blocks(i.children)) for i in block.items
            )
            out.append(replace(block, items=items))
        else:
            out.append(block)
    return tuple(out)


def _asks_first(unit: Unit | None) -> bool:
    """Is the unit's first line a bold or ``Q:`` question the answers extractor reads?"""
    return unit is not None and bool(question_line(unit.text.split("\n")[0]))


def _tag(raw: str, open_pair: bool) -> re.Match[str] | None:
    """A ``Q:``/``A:`` label; ``Answer:`` counts only after a ``Q:`` (a sample answer's
    ``**Answer:**`` part label is no author syntax)."""
    m = _TAG.match(raw)
    if not m or (m["tag"].lower() == "answer" and not open_pair) or (len(m["tag"]) == 1 and m["tag"].islower()):
        return None
    return m


def _clean(text: str) -> str:
    """Q/A text has no deletions: cloze markup is replaced by its answer; the closing
    ``**`` of ``**Q: What is X?**`` goes with its opening one."""
    text = parse(text).plain.strip()
    for em in ("**", "__"):
        if text.endswith(em) and text.count(em) % 2:
            text = text[: -len(em)].rstrip()
    return text
