"""Sample answers: a ``### Q1: ...`` section with Situation/Task/Action/Result (or
Context/Response) labels becomes one Recall card: the question in front, a compact
outline behind (situation and task in a sentence, action step titles, headline results).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ..model import Block, CardSpec, Document, Kind, ListBlock, Paragraph, Section, StarOutline
from .text import first_sentence, list_items, plain, sections, split_label, truncate_words, unquote

# label -> row shown on the card; STAR parts get their letter
PARTS = {
    "situation": "S",
    "background": "S",
    "task": "T",
    "challenge": "T",
    "action": "A",
    "actions": "A",
    "what i did": "A",
    "result": "R",
    "results": "R",
    "outcome": "R",
    "impact": "R",
    "context": "Context",
    "response": "Response",
    "answer": "Response",
}
TAKEAWAY = re.compile(r"^(key )?(takeaways?|lessons?( learned)?|why (this|it) works)$", re.I)
_QUESTION_PREFIX = re.compile(r"^\s*(?:Q(?:uestion)?\s*\d+\s*[:.)-]\s*|Q:\s*)", re.I)
MAX_STEPS = 8
# "Option A", "Step 2", "Week 1": a label that says nothing without its text
_GENERIC_STEP = re.compile(r"^(option|step|phase|stage|part|week|day|month|round)\s*[\w.-]{0,3}$", re.I)
MAX_RESULTS = 3
MAX_SENTENCE_WORDS = 30
LONG_SENTENCE = 20
_ASIDE = re.compile(r"—|;\s|,\s*(?:but|even though|although|which|leaving|so)\b")


@dataclass(frozen=True)
class Answer:
    """A sample answer split into its labelled parts."""

    section: Section
    question: str
    parts: tuple[tuple[str, tuple[Block, ...]], ...]  # (row label, blocks), in order
    takeaway: str  # inline markdown, "" if none
    takeaway_line: int


def question_of(section: Section) -> str:
    return unquote(_QUESTION_PREFIX.sub("", section.path[-1])).strip()


def parse_answer(section: Section) -> Answer | None:
    """Split a section into labelled parts; None unless it reads as a sample answer."""
    parts: list[tuple[str, list[Block]]] = []
    takeaway, takeaway_line = "", 0
    in_takeaway = False
    for block in section.blocks:
        labelled = split_label(block.text) if isinstance(block, Paragraph) else None
        key = labelled.label.lower() if labelled else ""
        if labelled and key in PARTS:
            in_takeaway = False
            parts.append((PARTS[key], []))
            if labelled.rest:
                parts[-1][1].append(Paragraph(labelled.rest, block.line))
            continue
        if labelled and TAKEAWAY.match(key):
            in_takeaway = True
            takeaway, takeaway_line = labelled.rest, block.line
            continue
        if in_takeaway and isinstance(block, Paragraph) and not takeaway:
            takeaway, takeaway_line = block.text, block.line
            continue
        if parts and not in_takeaway:
            parts[-1][1].append(block)
    rows = {label for label, _ in parts}
    labels = [label for label, _ in parts]
    # Context before Response: "**Answer:** ..." then "**Context:** asked at Amazon" is an
    # answer and a note on where it was asked, not a told story
    told = {"Context", "Response"} <= rows and labels.index("Context") < labels.index("Response")
    if len(rows & {"S", "T", "A", "R"}) < 2 and not told:
        return None
    # "**Task**: - What was your responsibility?": a template to fill in, not an answer; the
    # first block of each part tells (worked examples may follow the last one)
    lines = [plain(t) for _, blocks in parts for t in _texts(blocks[:1])]
    if sum(line.endswith("?") for line in lines) * 2 > len(lines):
        return None
    return Answer(
        section=section,
        question=question_of(section),
        parts=tuple((label, tuple(blocks)) for label, blocks in parts),
        takeaway=unquote(takeaway),
        takeaway_line=takeaway_line,
    )


def _texts(blocks: list[Block]) -> Iterator[str]:
    for block in blocks:
        if isinstance(block, Paragraph):
            yield block.text
        elif isinstance(block, ListBlock):
            yield from (item.text for item in block.items)


def answers(doc: Document) -> list[Answer]:
    """The document's sample answers; computed once per document, as several extractors ask."""
    global _last
    if _last is not None and _last[0] is doc:
        return _last[1]
    found = [a for a in (parse_answer(s) for s in sections(doc)) if a is not None]
    _last = (doc, found, {id(a.section) for a in found})
    _outlines.clear()
    return found


def is_answer(doc: Document, section: Section) -> bool:
    answers(doc)
    assert _last is not None
    return id(section) in _last[2]


_last: tuple[Document, list[Answer], set[int]] | None = None


def outline(answer: Answer) -> StarOutline:
    """The answer's S/T/A/R rows; kept for the answers of the last document read, as every
    question similar to a sample answer shows its outline too."""
    kept = _outlines.get(id(answer))
    if kept is None or kept[0] is not answer:
        kept = _outlines[id(answer)] = (answer, _outline(answer))
    return kept[1]


_outlines: dict[int, tuple[Answer, StarOutline]] = {}  # id -> (the answer, held so its id stays its own)


def _outline(answer: Answer) -> StarOutline:
    rows = []
    for label, blocks in answer.parts:
        if label in ("A", "Response"):
            # steps when the part is a list of them; prose first means the prose is the answer
            prose_first = bool(blocks) and isinstance(blocks[0], Paragraph)
            lines = (_sentences(blocks) if prose_first else []) or _steps(blocks) or _sentences(blocks)
        elif label == "R":
            lines = _headline_results(blocks) or _sentences(blocks)
        else:
            lines = _sentences(blocks)
        if lines:
            rows.append((label, tuple(lines)))
    return StarOutline(rows=tuple(rows))


def gist(answer: Answer) -> StarOutline:
    """The sample answer in brief for a question card's back: how it opens and its
    headline result. The whole outline has its own card; on a question's back under the
    advice it made the side taller than a phone."""
    rows = outline(answer).rows
    opening = rows[:1] if rows and rows[0][0] not in ("A", "Response", "R") else ()
    results = tuple((label, lines[:2]) for label, lines in rows if label == "R")[:1] or tuple(
        (label, lines[:1]) for label, lines in rows if label == "Response")[:1]
    return StarOutline(rows=opening + results)


def extract(doc: Document) -> Iterator[CardSpec]:
    for answer in answers(doc):
        yield CardSpec(
            kind=Kind.STAR,
            front=answer.question,
            outline=outline(answer),
            hint="Sample answer · STAR" if _is_star(answer) else "Sample answer",
            section_path=answer.section.path[:-1],
            line=answer.section.line,
        )


def _is_star(answer: Answer) -> bool:
    return any(label in "STAR" for label, _ in answer.parts)


def _sentences(blocks: tuple[Block, ...]) -> list[str]:
    """The part's opening sentence, cut at a dash aside when it runs long."""
    for block in blocks:
        if isinstance(block, Paragraph) and plain(block.text):
            sentence = first_sentence(unquote(block.text.replace("\n", " ")))
            return [truncate_words(_shorten(sentence), MAX_SENTENCE_WORDS)]
    for item in list_items(blocks):
        return [truncate_words(unquote(item.text), MAX_SENTENCE_WORDS)]
    return []


def _shorten(sentence: str) -> str:
    """Cut a long sentence at its first aside ("—", ", but", "; ") if enough remains."""
    if len(sentence.split()) <= LONG_SENTENCE:
        return sentence
    for m in _ASIDE.finditer(sentence):
        head = sentence[: m.start()].rstrip(" ,;")
        if len(head.split()) >= 8:
            return head + "."
    return sentence


def _steps(blocks: tuple[Block, ...]) -> list[str]:
    """Titles of the action steps: the bold label of each top-level item."""
    steps = []
    for item in list_items(blocks):
        labelled = split_label(item.text)
        if labelled and _GENERIC_STEP.match(labelled.label) and labelled.rest:
            steps.append(f"{labelled.label}: {truncate_words(unquote(labelled.rest), 8)}")
        elif labelled:
            steps.append(labelled.label)
        elif plain(item.text):
            steps.append(truncate_words(first_sentence(unquote(item.text)), 10))
    if len(steps) > MAX_STEPS:
        steps = steps[: MAX_STEPS - 1] + [f"…and {len(steps) - MAX_STEPS + 1} more steps"]
    return steps


def _headline_results(blocks: tuple[Block, ...]) -> list[str]:
    """The first few result bullets that carry a figure, searched through nested lists."""
    found: list[str] = []

    def visit(bs: tuple[Block, ...]) -> None:
        for block in bs:
            if len(found) >= MAX_RESULTS:
                return
            if isinstance(block, ListBlock):
                for item in block.items:
                    text = unquote(item.text)
                    if re.search(r"\d", text) and len(found) < MAX_RESULTS:
                        found.append(truncate_words(text, 20))
                    visit(item.children)

    visit(blocks)
    return found
