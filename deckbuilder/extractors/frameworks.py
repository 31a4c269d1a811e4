"""Frameworks: a numbered ladder or a list under a framework heading becomes one Cloze
note with one deletion per step; a formula (``Value = (Impact × Scope) / Effort``)
becomes a Cloze note over its terms, and a bold formula inside a sentence ("has exactly
**E = V − 1** edges") one deletion of its right-hand side. The framework's name is shown
as context.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..model import CardSpec, Document, Kind, ListBlock, Paragraph, Section
from . import star
from .asking import heading_asks
from .memo import once_per_document
from .takeaways import TAKEAWAY_HEADING
from .text import is_link_only, paragraphs, plain, sections, split_label, title_matches, unquote

FRAMEWORK_HEADING = re.compile(
    r"framework|ladder|model\b|formula|method|checklist|steps\b|process\b|playbook|principles? of|rule of",
    re.I,
)
MAX_STEP_WORDS = 8
LONG_STEP_WORDS = 16  # a step longer than this, with no clause to delete, is advice in prose
_FORMULA = re.compile(r"^(?P<lhs>[A-Za-z][\w '’-]{0,40}?)\s*=\s*(?P<rhs>.+)$")
_OPERATOR = re.compile(r"\s[×x*/÷+−-]\s|[()]")
_INLINE_FORMULA = re.compile(r"\*\*(?P<lhs>[A-Za-z][\w ]{0,20}?)\s*=\s*(?P<rhs>[^*=\n]+?)\*\*")
_TASK = re.compile(r"^\s*\[[ xX]\]\s")  # "- [ ] Deploy it": a to-do for the reader, not a step to learn
_TERM = re.compile(r"[A-Za-z][\w'’-]*(?:\s+[A-Za-z][\w'’-]*)*")


@once_per_document
def extract(doc: Document) -> Iterator[CardSpec]:
    for section in sections(doc):
        if star.is_answer(doc, section):
            continue
        # a summary under "... methods?" is a list of takeaways, already the takeaways extractor's
        # a list under a heading that asks ("### 2. What is the CSS box model?") is that answer's
        # list, on the answer's card already
        if title_matches(section, FRAMEWORK_HEADING, depth=1) and not title_matches(section, TAKEAWAY_HEADING, 0) \
                and not heading_asks(section.title):
            yield from _lists(section)
        for para in paragraphs(section.blocks):
            spec = formula_spec(para, section) or inline_formula_spec(para, section)
            if spec:
                yield spec


def _lists(section: Section) -> Iterator[CardSpec]:
    lists = [b for b in section.blocks if isinstance(b, ListBlock) and len(b.items) >= 2]
    texts = [p for p in paragraphs(section.blocks) if not formula_parts(p.text)]
    notes = [plain(p.text) for p in texts if not _is_lead_in(p.text)]
    for number, block in enumerate(lists, 1):
        lines: list[str] = []
        for n, item in enumerate(block.items, 1):
            if is_link_only(item.text) or _TASK.match(item.text):
                continue
            step = _step(item.text.split("\n")[0], len(lines) + 1)
            if not step:
                lines = []
                break
            lines.append(f"{n}. {step}" if block.ordered else f"- {step}")
        if len(lines) < 2:
            continue
        before = [p for p in texts if p.line < block.line]
        lead = plain(before[-1].text) if before and _is_lead_in(before[-1].text) else ""
        name = section.path[-1]
        if len(lists) > 1:  # each list its own note, told apart by its lead-in
            name = f"{name} ({lead.rstrip(':') or f'list {number}'})"
        yield CardSpec(
            kind=Kind.FRAMEWORK,
            front=(f"{lead}\n\n" if lead else "") + "\n".join(lines),
            label=name,
            extra=" ".join(notes),
            hint=f"Framework · {name}",
            section_path=section.path,
            line=block.line,
        )


def _is_lead_in(md: str) -> bool:
    """"Ask yourself:" introduces the list; it belongs on the card, above the steps."""
    return md.rstrip().endswith(":") and len(plain(md).split()) <= 12


def _step(md: str, n: int) -> str:
    """Delete the step's bold name, or the whole step when it is short."""
    labelled = split_label(md)
    bold = re.match(r"^\s*\*\*(.+?)\*\*(.*)$", md)
    if labelled and not bold:
        return "{{c%d::%s}}: %s" % (n, labelled.label, plain(labelled.rest))
    if bold:
        return "{{c%d::%s}}%s" % (n, plain(bold.group(1)).rstrip(":"), _tail(bold.group(2)))
    text = unquote(plain(md))
    if len(text.split()) <= MAX_STEP_WORDS + 2:  # a short step is deleted whole
        return "{{c%d::%s}}" % (n, text)
    head = re.split(r",\s|\s[—–-]\s|:\s|;\s|(?<=\w)\.\s", text, maxsplit=1)
    if len(head) == 2 and len(head[0].split()) <= MAX_STEP_WORDS:  # else its first clause or sentence
        sep = text[len(head[0]) : len(text) - len(head[1])]
        return "{{c%d::%s}}%s%s" % (n, head[0], sep, head[1])
    words = text.split()
    if len(words) > LONG_STEP_WORDS:
        return ""  # a paragraph of advice, not a step: its first words would test a fragment
    return "{{c%d::%s}} %s" % (n, " ".join(words[:MAX_STEP_WORDS]), " ".join(words[MAX_STEP_WORDS:]))


def _tail(md: str) -> str:
    tail = plain(md)
    return (" " + tail if tail and tail[0].isalnum() else tail) if tail else ""


def formula_parts(md: str) -> tuple[str, str] | None:
    text = plain(md)
    if "\n" in md.strip() or len(text.split()) > 16:
        return None
    m = _FORMULA.match(text)
    if not m or not _OPERATOR.search(m.group("rhs")):
        return None
    if "=" in m.group("rhs") or re.search(r",\s", m.group("rhs")):
        return None  # prose around a formula, not a formula
    if re.search(r"\d", m.group("rhs")) and len(_terms(m.group("rhs"))) < 2:
        return None  # a worked example ("Total = 10 × 20"), not a formula; "… / 86,400" with terms is one
    return m.group("lhs").strip(), m.group("rhs").strip()


def _terms(rhs: str) -> list[str]:
    return [m.group() for m in _TERM.finditer(rhs) if m.group() != "x"]


def inline_formula_spec(para: Paragraph, section: Section) -> CardSpec | None:
    """A bold formula inside a short sentence: "A tree with V vertices has **E = V − 1**
    edges" deletes the formula's right-hand side as one piece."""
    m = _INLINE_FORMULA.search(para.text)
    if not m or "\n" in para.text.strip() or len(plain(para.text).split()) > 30:
        return None
    lhs, rhs = m.group("lhs").strip(), m.group("rhs").strip()
    if not _OPERATOR.search(f" {rhs} ") or len(rhs.split()) > MAX_STEP_WORDS or m.group() == para.text.strip():
        return None
    start, end = m.start("rhs"), m.start("rhs") + len(rhs)
    return CardSpec(
        kind=Kind.FORMULA,
        front=para.text[:start] + "{{c1::%s}}" % rhs + para.text[end:],
        label=lhs,
        hint=f"Formula · {section.path[-1]}",
        section_path=section.path,
        line=para.line,
    )


def formula_spec(para: Paragraph, section: Section) -> CardSpec | None:
    parts = formula_parts(para.text)
    if not parts:
        return None
    lhs, rhs = parts
    out, pos, n = [], 0, 0
    for m in _TERM.finditer(rhs):
        if m.group() in ("x",):
            continue
        n += 1
        out.append(rhs[pos : m.start()] + "{{c%d::%s}}" % (n, m.group()))
        pos = m.end()
    if n == 0:
        return None
    out.append(rhs[pos:])
    following = [
        plain(p.text) for p in paragraphs(section.blocks) if p.line > para.line and not formula_parts(p.text)
    ]
    return CardSpec(
        kind=Kind.FORMULA,
        front=f"{lhs} = {''.join(out)}",
        label=lhs,
        extra=following[0] if following else "",
        hint=f"Formula · {section.path[-1]}",
        section_path=section.path,
        line=para.line,
    )
