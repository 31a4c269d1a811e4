"""Terms and their definitions, anywhere in a guide, become Recall cards: term -> definition.

Shapes read (in paragraphs, list items and nested lists, before the first heading too):
- ``**Term**: definition``, ``**Term:** definition``, ``**Term** — definition``, one or
  several to a paragraph, a definition running on over the lines that follow it;
- a definition list: a ``Term`` line, then a ``: definition`` line;
- a bold term alone (``**Pros:**``) followed by the list or paragraph that defines it.

The section is the context ("Definition · Caching strategies"). A bold label that is
structure rather than a term (STAR parts, ``Q:``/``A:``, ``Example:``, ``Note:``,
``Bad``/``Good``, ``How to fix``...) is never a definition. A property of the section's
subject (``**Time complexity**: O(log n)`` under "Binary search") is a real fact, so it
is a card whose front names the subject: "Binary search: time complexity".

Other extractors own some of the same shapes, and win there: key themes and metrics
(the lines they used), sample answers, red flags and mistakes, takeaways, and the lists
of a framework section.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ..model import Block, CardSpec, Document, Kind, ListBlock, ListItem, Paragraph, Section
from ..screen import ANSWER_LINES, fits
from . import frameworks, metrics, red_flags, star, takeaways, themes
from .text import is_link_only, plain, sections, title_matches, to_markdown, words

# "**Term**: rest", "**Term:** rest", "**Term** — rest", "**Term** - rest": a separator is required
_TERM_LINE = re.compile(
    r"^(?:\*\*|__)(?P<term>[^*\n]+?)(?P<colon>:?)\s*(?:\*\*|__)(?P<aside>\s*\([^()\n]{1,40}\))?"
    r"\s*(?P<sep>:|[—–]|--?(?=\s))?\s*(?P<rest>.*)$",
    re.DOTALL,
)
_DEFINITION_LINE = re.compile(r"^:\s+")  # ": definition" under a term line
# labels that structure a guide rather than name a term; compared lower-cased, colon removed
STRUCTURE = re.compile(
    r"^(situation|task|actions?|results?|outcomes?|impact|context|response|background|challenge|"
    r"what i did|what i('d| would) do differently|lessons?( learned)?|(key )?takeaways?|why (this|it) works|"
    r"q\d*|a\d*|question|answer|follow[- ]?ups?|examples?( \d+)?|e\.g\.|for example|notes?|nb|(pro )?tips?|"
    r"hints?|warning|caution|important|remember|summary|tl;? ?dr|bottom line|"
    r"bad|good|better|best|weak|strong|worse|before|after|do|don'?t|dos|don'?ts|avoid|instead|wrong|right|"
    r"correct|incorrect|red flags?|green flags?|how to fix( it)?|fix|solution|problem|issue|mistake|"
    r"why|how|what|when|where|who|jump to|next|previous|prev|see also|related|sources?|references?|"
    r"links?|read more|further reading|prerequisites?|difficulty|level|time|duration|estimated time|"
    r"last updated|updated|author|tags?|status|version|goal|objective|output|input|explanation|code|"
    r"usage|syntax|steps|approach|constraints|requirements|todo|tbd|(step|option|phase|stage|part|week|day|month|round)\s*[\w.-]{0,3})$",
    re.I,
)
# properties of the section's subject: worth a card whose front names the subject
PROPERTY = re.compile(
    r"^((time|space|memory)( complexity)?|complexity|runtime|big[- ]?o|(worst|best|average)[- ]case|"
    r"use cases?|when to use( it)?|best for|good for|pros|cons|advantages?|disadvantages?|"
    r"trade-?offs?|limitations?|drawbacks?|benefits?|purpose|default|returns?|guarantees?|"
    r"key idea|intuition|invariant|stable|in[- ]place)$",
    re.I,
)
DEFINES_SUBJECT = re.compile(r"^(definition|what it is|meaning|in short|in one sentence)$", re.I)
# section titles that name no subject of their own: look one level up
GENERIC_TITLE = re.compile(
    r"^(overview|summary|details?|notes?|complexity( analysis)?|analysis|properties|characteristics|"
    r"key points|basics|fundamentals|concepts?|core concepts|introduction|intro|how it works|"
    r"implementation|code|examples?|usage|performance|trade-?offs|pros and cons|comparison|"
    r"when to use( it)?|key terms|terminology|glossary|definitions?|vocabulary)$",
    re.I,
)
_ASKS = re.compile(
    r"^(what|how|why|when|where|which|who|whom|whose|is|are|can|could|should|would|does|do|did|"
    r"explain|describe|tell me|walk me|compare|design|implement|write|name|list|define)(?=\s)",
    re.I,
)
_IMPERATIVE = re.compile(
    r"^(use|avoid|always|never|don'?t|do|prefer|keep|make|be|start|ask|think|practi[cs]e|focus|show|"
    r"try|stay|remember|consider|stop|mind|watch|beware|measure|quantify|mention|own|lead|go)\s",
    re.I,
)
_SENTENCE_VERB = re.compile(r"\s(is|are|was|were|should|must|can|will|does|do|has|have)\s", re.I)
_QUESTION_PREFIX = re.compile(r"^\s*(?:Q(?:uestion)?\s*\d*\s*[:.)-]\s*|\d+[.)]\s+)", re.I)
_OPENING_WORD = re.compile(
    r"^(a|an|the|how|what|when|where|which|who|one|two|each|every|any|all|many|some|most|like|used|"
    r"this|that|these|it|its|in|on|for|to|with|by|from|when|if|only|also|same|short|small|large|"
    r"describes?|means?|refers?|lets?|makes?|runs?|holds?|picks?|keeps?|stores?|returns?)\b"
)
MIN_WORDS = 3  # words of a definition, fillers not counted: "an API style." is too short to test
FILLER = frozenset("a an the of to in on at by for with and or is are it its this that".split())
MAX_TERM_WORDS = 7
MAX_TERM_CHARS = 60


@dataclass(frozen=True)
class Entry:
    term: str  # inline markdown, no bold marks
    body: str  # block markdown: the definition
    line: int


def extract(doc: Document) -> Iterator[CardSpec]:
    claimed = {spec.line for spec in (*themes.extract(doc), *metrics.extract(doc))}
    for section in (doc.root, *sections(doc)):
        if _owned_elsewhere(doc, section):
            continue
        framework_lists = title_matches(section, frameworks.FRAMEWORK_HEADING, depth=1)
        for entry in entries(section.blocks, skip_lists=framework_lists):
            if entry.line not in claimed:
                spec = _spec(doc, section, entry)
                if spec:
                    yield spec


def _owned_elsewhere(doc: Document, section: Section) -> bool:
    """Sample answers, red flags and mistakes, takeaways: their labels are not terms."""
    return (
        star.is_answer(doc, section)
        or title_matches(section, red_flags.MISTAKE_HEADING, depth=1)
        or section.title.lstrip().startswith(red_flags.BAD_MARKERS)
        or title_matches(section, takeaways.TAKEAWAY_HEADING, depth=0)
    )


def entries(blocks: tuple[Block, ...], skip_lists: bool = False) -> Iterator[Entry]:
    """Every term and its definition among the blocks, in order."""
    for n, block in enumerate(blocks):
        following = blocks[n + 1] if n + 1 < len(blocks) else None
        if isinstance(block, Paragraph):
            yield from _paragraph_entries(block, following)
        elif isinstance(block, ListBlock) and not (skip_lists and len(block.items) >= 2):
            for item in block.items:
                yield from _item_entries(item)


def _paragraph_entries(para: Paragraph, following: Block | None) -> Iterator[Entry]:
    lines = para.text.split("\n")
    if len(lines) > 1 and _DEFINITION_LINE.match(lines[1].strip()):
        yield from _definition_list(lines, para.line)
        return
    current: list[str] = []
    start = 0
    for offset, raw in enumerate(lines + [""]):
        if offset == len(lines) or _TERM_LINE.match(raw.strip()):
            if current:
                entry = _labelled(" ".join(current), para.line + start)
                if entry and not entry.body and offset == len(lines) and start == 0 and _is_property(entry.term):
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


def _item_entries(item: ListItem) -> Iterator[Entry]:
    entry = _labelled(" ".join(ln.strip() for ln in item.text.split("\n")), item.line)
    nested = [e for child in item.children if isinstance(child, ListBlock) for e in entries((child,))]
    if nested:  # a group of definitions under a heading item: each its own card
        yield from nested
    elif entry and item.children and not entry.body and _is_property(entry.term):
        entry = _with_following(entry, item.children[0])
    elif entry and item.children:
        extra = to_markdown(item.children)
        if fits(entry.body + "\n\n" + extra):
            entry = Entry(entry.term, entry.body + "\n\n" + extra, entry.line)
    if entry and entry.body and not nested:
        yield entry


def _labelled(text: str, line: int) -> Entry | None:
    m = _TERM_LINE.match(text)
    if not m or not (m.group("colon") or m.group("sep")):
        return None
    term = m.group("term").strip().rstrip(":").strip()
    if m.group("aside"):  # "**Macrotasks** (tasks): ..."
        term += " " + m.group("aside").strip()
    return Entry(term, m.group("rest").strip(), line)


def _with_following(entry: Entry, following: Block | None) -> Entry | None:
    """``**Pros:**`` alone, defined by the list or paragraph right after it (properties only:
    ``**Constraints:**`` or ``**Key points:**`` before a list is a heading, not a term)."""
    if following is None or isinstance(following, Paragraph) and _TERM_LINE.match(following.text):
        return None
    if not isinstance(following, (Paragraph, ListBlock)) or any(True for _ in entries((following,))):
        return None
    body = to_markdown((following,))
    return Entry(entry.term, body, entry.line) if fits(body) else None


def _is_property(term: str) -> bool:
    return bool(PROPERTY.match(plain(term)) or DEFINES_SUBJECT.match(plain(term)))


def _unbold(term: str) -> str:
    m = re.fullmatch(r"(\*\*|__)(.+)\1", term.strip())
    return (m.group(2) if m else term).strip().rstrip(":").strip()


def _spec(doc: Document, section: Section, entry: Entry) -> CardSpec | None:
    term = plain(entry.term)
    if not term or not re.search(r"[^\W\d_]", term) or STRUCTURE.match(term):
        return None
    if is_link_only(entry.body) or entry.body.rstrip().endswith(":"):
        return None
    topic = topic_of(doc, section)
    if PROPERTY.match(term) or DEFINES_SUBJECT.match(term):
        subject = subject_of(doc, section)
        if not subject or not words(entry.body):
            return None
        front = subject if DEFINES_SUBJECT.match(term) else f"{subject}: {term[0].lower()}{term[1:]}"
        label, hint = subject, f"Definition · {topic}"
    elif _is_term(term) and len([w for w in words(entry.body) if w not in FILLER]) >= MIN_WORDS:
        front, label, hint = unwrap_code(entry.term), term, f"Definition · {topic}"
    else:
        return None
    back, extra = _fit(_capitalised(entry.body))
    return CardSpec(
        kind=Kind.DEFINITION,
        front=front,
        back=back,
        extra=extra,
        label=label,
        hint=hint,
        section_path=section.path,
        line=entry.line,
    )


def _capitalised(body: str) -> str:
    """"the Domain Name System..." -> "The Domain Name System...": a back reads as a sentence.
    Only an English opening word is capitalised, never a name like ``npm`` or ``kubectl``."""
    m = _OPENING_WORD.match(body)
    return body[0].upper() + body[1:] if m else body


def _is_term(term: str) -> bool:
    """A name, not a question, an instruction or a sentence."""
    if len(term) > MAX_TERM_CHARS or len(term.split()) > MAX_TERM_WORDS or term[-1] in "?.!,;":
        return False
    if _ASKS.match(term) and len(term.split()) > 1 or _IMPERATIVE.match(term):
        return False
    return not (len(term.split()) >= 4 and _SENTENCE_VERB.search(f" {term} "))


def _fit(body: str) -> tuple[str, str]:
    """Keep the back to one phone screen: whole sentences on the back, the rest as extra."""
    if fits(body, ANSWER_LINES):
        return body, ""
    sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z`*(\"])", body) if "\n" not in body else body.split("\n")
    joiner = " " if "\n" not in body else "\n"
    kept: list[str] = []
    for sentence in sentences:
        if kept and not fits(joiner.join(kept + [sentence]), ANSWER_LINES):
            break
        kept.append(sentence)
    return joiner.join(kept), joiner.join(sentences[len(kept) :])


def unwrap_code(front: str) -> str:
    """A front that is one code span (`` `useMemo` ``) reads as the plain name: shown small
    and grey as code, a name alone on a front is harder to read than the name itself."""
    m = re.fullmatch(r"`([^`]+)`", front.strip())
    return m.group(1).strip() if m else front


def topic_of(doc: Document, section: Section) -> str:
    """The section's title as a card's context: without ``Q1:`` or ``3.`` in front."""
    title = section.path[-1] if section.path else doc.title
    return _QUESTION_PREFIX.sub("", title).strip() or title


def subject_of(doc: Document, section: Section) -> str:
    """What a property belongs to: the nearest title that names something (not a question)."""
    for title in reversed((doc.title, *section.path)):
        title = _QUESTION_PREFIX.sub("", title).strip()
        if GENERIC_TITLE.match(title):
            continue
        return "" if _ASKS.match(title) or title.endswith("?") else title
    return ""
