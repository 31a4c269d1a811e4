"""Key takeaways become Cloze notes that delete the phrases carrying the lesson.

Candidates, in priority order: the predicate of a copula sentence ("... is {{a starting
point, not a ceiling}}"), then the items of an enumeration ("Identify problems, gather
data, ..."), then what follows a dash. Each deletion is 1-8 words and never a stop word;
a note gets 1-5 deletions, numbered in reading order. The sample answer the takeaway
closes is the note's context.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import replace

from ..model import CardSpec, Document, Kind, Section
from . import star
from .labelled import MARKERS
from .text import list_items, paragraphs, sections, title_matches, unquote

MAX_WORDS = 8
MAX_DELETIONS = 5
STOP_WORDS = frozenset(
    "a an the and or but if of to in on at by for with as is are was be it its this that "
    "these those you your we our i my me not no so do does just than then very".split()
)
TAKEAWAY_HEADING = re.compile(r"\b(key )?takeaways?\b|\blessons?\b|\bremember\b|\bsummary\b", re.I)
_COPULA = re.compile(r"\b(?:is|are|isn't|aren't|has|have|means|equals|beats)\s+(?:about\s+)?", re.I)
_SENTENCE = re.compile(r"[^.!?]+[.!?]*")
_EDGE = re.compile(r"^[\s,;:\"'“”‘’—-]+|[\s,;:.!?\"'“”‘’—-]+$")
_NEGATIVE = re.compile(r"n't|\bnot\b", re.I)
_CONTRAST = re.compile(r"—|;|,\s*but\b")
_CONTRAST_LEAD = re.compile(r"^\s*(?:but\s+)?(?:it's|it is|they're|they are|that's|rather)?\s*", re.I)

_AUTHOR_CLOZE = re.compile(r"\{\{c\d+::")
_PHRASE_START = re.compile(
    r"\b(?:a|an|the|in|on|at|before|after|with|by|from|into|your|their|our|its|what|how|why)\b", re.I
)

Span = tuple[int, int]


def extract(doc: Document) -> Iterator[CardSpec]:
    for answer in star.answers(doc):
        if answer.takeaway:
            spec = cloze_spec(answer.takeaway, answer.section, answer.takeaway_line)
            if spec:
                yield replace(spec, extra=f"Closes the answer to: {answer.question}")
    for section in sections(doc):
        if title_matches(section, TAKEAWAY_HEADING, depth=0) and not star.is_answer(doc, section):
            for item in list_items(section.blocks):
                spec = cloze_spec(item.text, section, item.line)
                if spec:
                    yield spec
            for para in paragraphs(section.blocks):
                for text, line in _takeaway_lines(para.text, para.line):
                    spec = cloze_spec(text, section, line)
                    if spec:
                        yield spec


# "Good luck with your interviews! 🚀" closing the takeaways: a farewell, nothing to recall
_SIGN_OFF = re.compile(
    r"^\W*(?:good luck|best of luck|all the best|happy (?:coding|learning|interviewing|hacking)|"
    r"thanks? (?:you )?for reading|you(?:'ve| have) got this)\b",
    re.I,
)


def _takeaway_lines(text: str, line: int) -> list[tuple[str, int]]:
    """The takeaways of one paragraph: each line when every line opens with a ✅-style
    marker (one takeaway a line, soft-wrapped together), else the paragraph; a farewell is none."""
    lines = text.split("\n")
    if len(lines) > 1 and all(ln.lstrip().startswith(MARKERS) for ln in lines):
        found = [(ln.lstrip().lstrip("".join(MARKERS)).strip(), line + n) for n, ln in enumerate(lines)]
    else:
        found = [(text, line)]
    return [(t, n) for t, n in found if not _SIGN_OFF.match(t.replace("*", ""))]


def cloze_spec(text: str, section: Section, line: int) -> CardSpec | None:
    text = unquote(" ".join(text.split()))
    if _AUTHOR_CLOZE.search(text):
        return None  # an author's own cloze, well-formed or not, is never re-clozed
    if text.endswith(":"):
        return None  # "The goal is to show:" leads into the list under it; the lesson is there
    spans = pick_phrases(text)
    if not spans:
        return None
    return CardSpec(
        kind=Kind.TAKEAWAY,
        front=apply_cloze(text, spans),
        hint="Key takeaway",
        section_path=section.path,
        line=line,
    )


def pick_phrases(text: str) -> list[Span]:
    """Choose up to five non-overlapping spans of ``text`` to delete, in reading order."""
    chosen: list[Span] = []
    first = _copula_spans(text) + _enumeration_spans(text) + _dash_spans(text)
    for candidates in (first, _parallel_spans(text), _tail_spans(text)):
        for span in candidates:
            if len(chosen) >= MAX_DELETIONS:
                break
            if _good_phrase(text[span[0] : span[1]]) and not any(_overlaps(span, c) for c in chosen):
                chosen.append(span)
        if chosen:
            break
    return sorted(chosen)


def apply_cloze(text: str, spans: list[Span]) -> str:
    out, pos = [], 0
    for n, (start, end) in enumerate(spans, 1):
        out.append(text[pos:start])
        out.append("{{c%d::%s}}" % (n, text[start:end]))
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _sentences(text: str) -> Iterator[Span]:
    for m in _SENTENCE.finditer(text):
        yield m.start(), m.end()


def _trim(text: str, start: int, end: int) -> Span:
    """Shrink a span past punctuation, quotes and leading conjunctions."""
    piece = text[start:end]
    lead = _EDGE.match(piece)
    if lead:
        start += lead.end()
    trail = _EDGE.search(text[start:end])
    if trail:
        end = start + trail.start()
    conj = re.match(r"(?:and|or|but|then)\s+", text[start:end], re.I)
    if conj:
        start += conj.end()
    piece = text[start:end]
    if piece.count("(") != piece.count(")"):  # keep brackets whole: "(not just complaints)"
        if piece.endswith(")") or text[end : end + 1] != ")":
            start, end = (start + 1, end) if piece.startswith("(") else (start, end - 1)
        else:
            end += 1
    return start, end


def _copula_spans(text: str) -> list[Span]:
    spans = []
    for s_start, s_end in _sentences(text):
        sentence = text[s_start:s_end]
        m = _COPULA.search(sentence)
        if not m or m.start() == 0:
            continue
        start, end = s_start + m.end(), s_end
        contrast = _CONTRAST.search(sentence, m.end())
        if contrast and _NEGATIVE.search(m.group() + sentence[m.start() - 6 : m.start()]):
            # "Your job isn't just to write code—it's to create value": the lesson follows
            start = s_start + contrast.end()
            lead = _CONTRAST_LEAD.match(text[start:end])
            start += lead.end() if lead else 0
        elif contrast:
            end = s_start + contrast.start()
        spans.append(_trim(text, start, end))
    return spans


def _enumeration_spans(text: str) -> list[Span]:
    spans = []
    for s_start, s_end in _sentences(text):
        copula = _COPULA.search(text, s_start, s_end)
        if copula and copula.start() > s_start:  # "X are A, B, and C": enumerate the predicate
            s_start = copula.end()
        sentence = text[s_start:s_end]
        cuts = [m.start() for m in re.finditer(r",(?![^(]*\))", sentence)]
        if len(cuts) < 2:
            continue
        bounds = [0] + [c + 1 for c in cuts] + [len(sentence)]
        items = [_trim(text, s_start + a, s_start + b) for a, b in itertools.pairwise(bounds)]
        spans += [_first_item(text, items[0], items[1]), *items[1:]]
    return spans


def _first_item(text: str, first: Span, second: Span) -> Span:
    """"Web services provide a scalable, flexible, and stateless way": with no copula to
    start from, the first item runs back to the subject; keep as many words as the second."""
    words, size = text[first[0] : first[1]].split(), len(text[second[0] : second[1]].split())
    if len(words) <= max(3, 3 * size):
        return first
    return first[1] - len(" ".join(words[-size:])), first[1]


def _dash_spans(text: str) -> list[Span]:
    spans = []
    for m in re.finditer(r"—([^.!?—]+)", text):
        spans.append(_trim(text, m.start(1), m.end(1)))
    return spans


def _parallel_spans(text: str) -> list[Span]:
    """Clauses built alike: "Readiness decides {{traffic}}; liveness decides {{restarts}}".
    The word every clause shares (not the first, not a stop word) is kept; what follows
    it in each clause is deleted."""
    spans: list[Span] = []
    for s_start, s_end in _sentences(text):
        cuts = [s_start] + [s_start + m.end() for m in re.finditer(";", text[s_start:s_end])] + [s_end]
        clauses = list(itertools.pairwise(cuts))
        if len(clauses) < 2:
            continue
        found: list[dict[str, int]] = []
        for a, b in clauses:
            places: dict[str, int] = {}
            for m in list(re.finditer(r"[A-Za-z][\w'’-]*", text[a:b]))[1:4]:  # a short subject, then the verb
                if m.group().lower() not in STOP_WORDS:
                    places.setdefault(m.group().lower(), a + m.end())
            found.append(places)
        shared = [w for w in found[0] if all(w in f for f in found[1:])]
        if not shared:
            continue
        parts = [_trim(text, places[shared[0]], b - 1 if text[b - 1 : b] == ";" else b)
                 for (a, b), places in zip(clauses, found, strict=True)]
        if all(_good_phrase(text[a:b]) for a, b in parts):  # every clause completes the pattern
            spans.extend(parts)
    return spans


def _tail_spans(text: str) -> list[Span]:
    """Fallback: the object that ends a clause ("... hide {{a past experience or ...}}")."""
    for s_start, s_end in _sentences(text):
        bounds = [s_start] + [m.end() for m in _CONTRAST.finditer(text, s_start, s_end)] + [s_end]
        for c_start, c_end in itertools.pairwise(bounds):
            contrast = _CONTRAST.search(text, c_start, c_end)
            clause_end = contrast.start() if contrast else c_end
            for m in _PHRASE_START.finditer(text, c_start, clause_end):
                if m.start() > s_start and len(text[m.start() : clause_end].split()) <= MAX_WORDS:
                    return [_trim(text, m.start(), clause_end)]
    return []


def _good_phrase(phrase: str) -> bool:
    tokens = re.findall(r"[\w'’]+", phrase.lower())
    if not tokens or len(phrase.split()) > MAX_WORDS:
        return False
    return not all(t in STOP_WORDS for t in tokens) and "{{" not in phrase and "}}" not in phrase


def _overlaps(a: Span, b: Span) -> bool:
    return a[0] < b[1] and b[0] < a[1]
