"""Cloze notes that cannot break and fit a phone, whichever extractor made them.

A deletion is cut by character positions, and markdown does not forgive a cut in the
wrong place: ``**bold {{c1::x**}}`` renders a stray ``</strong>`` inside the deletion,
``{{c1::obj}}ect`` hides half a word, a deletion inside a code span is never seen by Anki
(code is escaped), and a deletion inside a link hides half of it. ``fit`` runs over every
cloze spec after the extractors and:

- moves each deletion to whole words, and out of (or around) code spans, links, tags and
  emphasis, so that it holds either all of such a region or none of it (emphasis: or lies
  within its text), at most ``MAX_WORDS`` words once moved and not ending on a stop word
  ("reported by the"); a deletion moved down to stop words ("a"), or one that cannot be
  placed so, or that holds ``::``, ``{{`` or ``}}`` outside code, is dropped (its text stays);
- gives deletions that hide the same phrase one number, so no card shows the answer of
  another (takeaways and formulas; a framework's steps and an author's numbers stand);
- splits a note taller than a phone screen (``screen.fits`` on its text) along its
  sentences or list items into notes of 1 to ``MAX_DELETIONS`` deletions, each keeping
  the framework's lead-in, the hint and the extra; parts after the first are told apart
  by their label (a framework's identity) or their text;
- drops a note left without any deletion: Anki would show it as "No cloze found".

A spec that needs none of this comes back unchanged, so existing notes keep their GUIDs.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace

from .. import screen
from ..model import CardSpec, Kind, NoteKind
from .takeaways import STOP_WORDS

MAX_DELETIONS = 5
MAX_WORDS = 8
BUDGET = screen.ANSWER_LINES  # the text shows whole on the back, above the extra and context
AUTHOR_KINDS = frozenset({Kind.AUTHOR_CLOZE})
# Phrases picked from prose: the same phrase twice is one fact, hidden on one card. A
# framework's steps are places in a sequence (step 4 and step 5 may both start "Do it").
ONE_NUMBER_PER_TEXT = frozenset({Kind.TAKEAWAY, Kind.FORMULA})
_DELETION = re.compile(r"\{\{c(?P<n>\d+)::(?P<body>.*?)\}\}", re.DOTALL)
_CODE = re.compile(r"(?<!`)(`+)(?!`).+?(?<!`)\1(?!`)", re.DOTALL)
_LINK = re.compile(r"!?\[(?P<inner>[^\]\n]*)\]\([^)\n]*\)|<https?://[^>\s]*>")
_TAG = re.compile(r"</?[A-Za-z][^<>\n]*>")
_EMPHASIS = re.compile(
    r"(?P<m>\*\*|__)(?=\S)(?P<inner>.+?)(?<=\S)(?P=m)"
    r"|(?<![\w*])\*(?=[^\s*])(?P<inner1>.+?)(?<=[^\s*])\*(?![\w*])"
    r"|(?<![\w_])_(?=[^\s_])(?P<inner2>.+?)(?<=[^\s_])_(?![\w_])"
)
_LIST_LINE = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"“‘(*_\[`A-Z0-9])")


@dataclass(frozen=True)
class Deletion:
    start: int  # in the plain text (deletions replaced by their answers)
    end: int
    number: int
    hint: str = ""


@dataclass(frozen=True)
class Region:
    """Markup a deletion must hold whole or leave alone; emphasis may also hold it."""

    start: int
    end: int
    inner: tuple[int, int] | None  # emphasis: its text, where a deletion may sit


def fit(spec: CardSpec) -> list[CardSpec]:
    """``spec`` repaired and split to fit a phone; ``[spec]`` for other note kinds."""
    if spec.note_kind is not NoteKind.CLOZE:
        return [spec]
    text, deletions = parse(spec.front)
    fixed = repair(text, deletions, author=spec.kind in AUTHOR_KINDS, merge=spec.kind in ONE_NUMBER_PER_TEXT)
    if not fixed:
        return []
    front = spec.front if fixed == deletions else build(text, fixed)
    if screen.fits(text, BUDGET):
        return [spec if front == spec.front else replace(spec, front=front)]
    return list(_parts(spec, text, fixed))


def parse(front: str) -> tuple[str, list[Deletion]]:
    """A cloze front as its plain text and the deletions' places in it."""
    out: list[str] = []
    deletions: list[Deletion] = []
    pos = length = 0
    for m in _DELETION.finditer(front):
        before = front[pos : m.start()]
        answer, _, hint = m["body"].partition("::")
        out.append(before)
        length += len(before)
        deletions.append(Deletion(length, length + len(answer), int(m["n"]), hint))
        out.append(answer)
        length += len(answer)
        pos = m.end()
    out.append(front[pos:])
    return "".join(out), deletions


def build(text: str, deletions: list[Deletion]) -> str:
    out, pos = [], 0
    for d in sorted(deletions, key=lambda d: d.start):
        hint = f"::{d.hint}" if d.hint else ""
        out.append(text[pos : d.start] + "{{c%d::%s%s}}" % (d.number, text[d.start : d.end], hint))
        pos = d.end
    return "".join(out) + text[pos:]


def repair(
    text: str, deletions: list[Deletion], *, author: bool = False, merge: bool = False
) -> list[Deletion]:
    """Every deletion on whole words and whole markup, or dropped; with ``merge``,
    deletions hiding the same text share one number."""
    regions = _regions(text)
    placed: list[Deletion] = []
    for d in deletions:
        span = _place(text, (d.start, d.end), regions, limit=0 if author else MAX_WORDS)
        if span and not any(span[0] < p.end and p.start < span[1] for p in placed):
            placed.append(d if span == (d.start, d.end) else replace(d, start=span[0], end=span[1]))
    if not merge:
        return placed
    numbers: dict[str, int] = {}
    out = []
    for d in sorted(placed, key=lambda d: d.number):
        key = " ".join(text[d.start : d.end].lower().split())
        number = numbers.setdefault(key, len(numbers) + 1)
        out.append(d if number == d.number else replace(d, number=number))
    return sorted(out, key=lambda d: d.start)


def _regions(text: str) -> list[Region]:
    code = [Region(m.start(), m.end(), None) for m in _CODE.finditer(text)]
    masked = _mask(text, code)
    links = [Region(m.start(), m.end(), None) for m in _LINK.finditer(masked)]
    masked = _mask(masked, links)
    tags = [Region(m.start(), m.end(), None) for m in _TAG.finditer(masked)]
    emphasis = []
    for m in _EMPHASIS.finditer(_mask(masked, tags)):
        group = next(g for g in ("inner", "inner1", "inner2") if m.start(g) >= 0)
        emphasis.append(Region(m.start(), m.end(), (m.start(group), m.end(group))))
    return code + links + tags + emphasis


def _mask(text: str, regions: list[Region]) -> str:
    for r in regions:
        text = text[: r.start] + "\ue000" * (r.end - r.start) + text[r.end :]
    return text


def _place(text: str, span: tuple[int, int], regions: list[Region], limit: int) -> tuple[int, int] | None:
    """The nearest span to ``span`` on whole words that cuts no region, or None. A span
    that had to move may hold at most ``limit`` words (0: any); one that did not stands."""
    given = span
    span = _words(text, span)
    for _ in range(4):  # a move may touch another region; a few passes settle it
        broken = next((r for r in regions if _cuts(span, r)), None)
        if broken is None:
            break
        for candidate in _candidates(span, broken):
            candidate = _words(text, candidate, moved=True)
            if candidate[1] > candidate[0] and not _cuts(candidate, broken):
                span = candidate
                break
        else:
            return None
    if limit and span != given:
        span = _words(text, _without_stop_words(text, span), moved=True)  # a cut left "... its": end on a word
    body = text[span[0] : span[1]]
    if any(_cuts(span, r) for r in regions) or not re.search(r"\w", body):
        return None
    if limit and span != given and all(w.lower() in STOP_WORDS for w in re.findall(r"[\w'’]+", body)):
        return None  # moved down to "{{c1::a}}", it tests nothing ("Do it" as a step's name stands)
    if "::" in _CODE.sub("", body) or "{{" in body or "}}" in body:
        return None  # Anki would read these as cloze syntax
    if limit and span != given and len(body.split()) > limit:
        return None
    return span


def _without_stop_words(text: str, span: tuple[int, int]) -> tuple[int, int]:
    start, end = span
    while m := re.match(r"([A-Za-z']+)\s+", text[start:end]):
        if m[1].lower() not in STOP_WORDS:
            break
        start += m.end()
    while m := re.search(r"\s+([A-Za-z']+)$", text[start:end]):
        if m[1].lower() not in STOP_WORDS:
            break
        end = start + m.start()
    return start, end


def _candidates(span: tuple[int, int], region: Region) -> Iterator[tuple[int, int]]:
    """Ways to stop cutting ``region``: into its text, out of it, or around it."""
    start, end = span
    if region.inner:
        yield max(start, region.inner[0]), min(end, region.inner[1])
    if start < region.start:
        yield start, region.start
    if end > region.end:
        yield region.end, end
    yield min(start, region.start), max(end, region.end)


def _cuts(span: tuple[int, int], region: Region) -> bool:
    start, end = span
    if end <= region.start or start >= region.end:
        return False
    if start <= region.start and end >= region.end:
        return False
    return not (region.inner and region.inner[0] <= start and end <= region.inner[1])


def _words(text: str, span: tuple[int, int], moved: bool = False) -> tuple[int, int]:
    """Trim spaces (and, once moved, the commas a cut left), then widen to whole words:
    ``{{c1::obj}}ect`` -> ``{{c1::object}}``."""
    start, end = span
    edge = " \t\n,;:" if moved else " \t\n"
    while start < end and text[start] in edge:
        start += 1
    while end > start and text[end - 1] in edge:
        end -= 1
    while 0 < start < len(text) and text[start - 1].isalnum() and text[start].isalnum():
        start -= 1
    while 0 < end < len(text) and text[end - 1].isalnum() and text[end].isalnum():
        end += 1
    return start, end


def _parts(spec: CardSpec, text: str, deletions: list[Deletion]) -> Iterator[CardSpec]:
    """A note too tall for a phone, as several notes along its sentences or list items."""
    lead, units = _units(text, deletions)
    groups: list[list[tuple[int, int]]] = [[]]
    for unit in units:
        group = groups[-1] + [unit]
        count = sum(1 for d in deletions if group[0][0] <= d.start < unit[1])
        if groups[-1] and (count > MAX_DELETIONS or not screen.fits(lead + text[group[0][0] : unit[1]], BUDGET)):
            groups.append([unit])
        else:
            groups[-1] = group
    part = 0
    for group in groups:
        start, end = group[0][0], group[-1][1]
        inside = [d for d in deletions if start <= d.start and d.end <= end]
        if not inside:
            continue  # text without a deletion is no card; it stays in the guide
        part += 1
        numbers = {n: i for i, n in enumerate(dict.fromkeys(d.number for d in inside), 1)}
        shifted = [replace(d, start=d.start - start, end=d.end - start, number=numbers[d.number]) for d in inside]
        body = build(text[start:end], shifted).strip()
        yield _part(spec, lead + body, part)


def _units(text: str, deletions: list[Deletion]) -> tuple[str, list[tuple[int, int]]]:
    """The lead-in every part repeats, and the spans to group: list items or sentences."""
    lines = text.split("\n")
    if sum(1 for ln in lines if _LIST_LINE.match(ln)) >= 2:
        first = next(i for i, ln in enumerate(lines) if _LIST_LINE.match(ln))
        lead = "\n".join(lines[:first])
        spans: list[tuple[int, int]] = []
        pos = len(lead) + (1 if first else 0)
        for line in lines[first:]:
            if _LIST_LINE.match(line) or not spans:
                spans.append((pos, pos + len(line)))
            else:  # a continuation line belongs to its item
                spans[-1] = (spans[-1][0], pos + len(line))
            pos += len(line) + 1
        return (lead.rstrip() + "\n\n" if lead.strip() else ""), spans
    held = [(r.start, r.end) for r in _regions(text)] + [(d.start, d.end) for d in deletions]
    cuts = [m.end() for m in _SENTENCE_END.finditer(text) if not any(a < m.start() < b for a, b in held)]
    bounds = [0, *cuts, len(text)]
    return "", [(a, b) for a, b in itertools.pairwise(bounds) if text[a:b].strip()]


def _part(spec: CardSpec, front: str, part: int) -> CardSpec:
    if part == 1:
        return replace(spec, front=front)
    label = f"{spec.label} (part {part})" if spec.label else spec.label
    hint = f"{spec.hint} · part {part}" if spec.hint else f"Part {part}"
    return replace(spec, front=front, label=label, hint=hint)
