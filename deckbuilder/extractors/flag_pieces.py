"""A section read as red-flag pieces: each line, item or code block that may be one side
of a red flag, with what it says about itself.

Guides mark the weak and the better side in many ways: ``❌``/``✅`` markers, ``**Bad**:``
/ ``**Good**:`` labels (also ``Example – Bad:``, ``Instead of``/``Try``, ``Don't say``/
``Say``), a ``// ❌ Bad`` comment opening a code block, or both sides on one line
(``❌ 'weak' → ✅ 'better'``). ``pieces`` flattens paragraphs, lists and quotes into one
stream (a paragraph's continuation lines stay with the line they continue); ``read``
says which side a piece is. Pairing them is ``flag_pairs``' job.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from ..model import Block, ListBlock, Opaque, Paragraph
from .text import Labelled, split_label, strip_marker, to_markdown

BAD_MARKERS = ("❌", "🚫", "⛔", "✗", "✘", "👎")
GOOD_MARKERS = ("✅", "✔", "✓", "👍")
WEAK_LABELS = re.compile(
    r"^(bad|weak|poor|avoid|don'?t( say)?|do not say|instead of|wrong|before|red flag|incorrect|anti-?pattern)$", re.I
)
GOOD_LABELS = re.compile(r"^(better|good|strong|do( say)?|instead|try|right|after|say|correct|preferred)$", re.I)
FIX_LABELS = re.compile(
    r"^(how to (fix|avoid|prevent)( it)?|fix|solution|remedy|do this instead|what to do instead|instead)$", re.I
)
_LEGACY = re.compile(
    r"^(bad|weak|poor|avoid|don'?t( say)?|instead of|wrong|before|red flag|"
    r"better|good|strong|do( say)?|try|right|after|say)$",
    re.I,
)
# "Example – Bad", "Bad example", "❌ Bad": the label without its frame
_EXAMPLE = re.compile(r"^(?:examples?\s*[-–—:]?\s*)|(?:\s*[-–—]?\s*(?:examples?|version|answer|phrasing))$", re.I)
_ASIDE = re.compile(r"\s*\([^)]*\)$")  # "Before (multiple anti-patterns)"
_ARROW = re.compile(r"\s*(?:→|->|=>|⟶|➡️?|➔)\s*(?:✅\s*)?|\s+✅\s*")
_INSTEAD = re.compile(
    r"^(?:\*\*)?instead of(?:\*\*)?:?\s+(?P<weak>.+?),\s*(?:\*\*)?(?:try|say|use|write)(?:\*\*)?:?\s+(?P<better>.+)$",
    re.I | re.S,
)
# "Bad: ...", "Example – Good:" (the content may follow on the next piece)
_PLAIN_LABEL = re.compile(r"^(?P<label>[A-Z][\w '’/&–—-]{0,30}?)\s*:(?:\s+(?P<rest>.+))?$", re.S)
_COMMENT = re.compile(r"^\s*(?://+|#+|--|/\*+|<!--|;+|%)\s*(?P<text>.*?)\s*(?:\*/|-->)?\s*$")
# a comment that labels the code: "// ❌ Bad: ...", "# BAD", "-- wrong (full scan)"; not "// bad request"
_END = r"(?:\s*[:—–(,.-]|\s*$)"
_CODE_BAD = re.compile(
    rf"^(?:❌|🚫|✗|✘|👎|(?:bad|wrong|avoid|don'?t(?: do this)?|incorrect|anti-?pattern){_END})", re.I
)
_CODE_GOOD = re.compile(
    rf"^(?:✅|✔|✓|👍|(?:good|better|correct|fixed|right|preferred|do(?: this instead)?){_END})", re.I
)


@dataclass(frozen=True)
class Piece:
    """One line of a paragraph (with its continuation lines), one list item, or one code block."""

    text: str  # inline markdown; for code, the block as fenced markdown
    line: int
    code: bool = False
    paragraph: bool = False  # a paragraph of its own, not a list item or a line among labels
    children: tuple[Block, ...] = ()  # a list item's nested blocks
    quoted: bool = False  # inside a blockquote


@dataclass(frozen=True)
class Side:
    """What a piece says about itself: a weak ("bad") or better ("good") side, both at
    once ("pair"), the opening of a fix ("fix"), or nothing ("none")."""

    role: str
    text: str = ""  # the side's content: inline markdown or fenced code; "" when it follows
    label: str = ""  # its own label ("Waiting for permission"), "" if none
    better: str = ""  # for "pair": the better side
    marked: bool = False  # it starts with a ❌/✅ marker
    titled: bool = False  # a plain ``Bad:``/``Good:`` line or item, labelled by its section (see ``read``)
    named: bool = False  # a ``Bad:`` / ``Wrong:`` / ``Good:`` label says which side it is


def pieces(blocks: tuple[Block, ...], quoted: bool = False) -> Iterator[Piece]:
    """The section's pieces in reading order; quotes and nested lists are read through."""
    for block in blocks:
        if isinstance(block, Paragraph):
            yield from _paragraph(block, quoted)
        elif isinstance(block, ListBlock):
            for item in block.items:
                yield Piece(" ".join(item.text.split("\n")), item.line, children=item.children, quoted=quoted)
                yield from pieces(item.children, quoted)
        elif block.kind == "quote":
            yield from _quote(block)
        elif block.kind == "code":
            yield from _code(block)


def _quote(block: Opaque) -> Iterator[Piece]:
    """A quote of plain prose is one piece (a whole answer, several paragraphs long);
    a quote holding markers or labels is read through."""
    inner = list(pieces(block.children, True))
    if len(inner) > 1 and all(not p.code and read(p).role == "none" and not _opens(p.text) for p in inner):
        yield Piece(to_markdown(block.children), block.line, paragraph=True, quoted=True)
    else:
        yield from inner


def _paragraph(block: Paragraph, quoted: bool) -> Iterator[Piece]:
    units = lines_of(block)
    for unit in units:
        yield Piece(unit.text, unit.line, paragraph=len(units) == 1, quoted=quoted)


def lines_of(block: Paragraph) -> list[Paragraph]:
    """A paragraph cut where a line opens with a marker or a label (``**Bad**:`` then
    ``**Good**:`` on the next line); other lines continue the one before, joined by a space."""
    groups: list[tuple[int, list[str]]] = []
    for offset, raw in enumerate(block.text.split("\n")):
        if not groups or _opens(raw):
            groups.append((block.line + offset, [raw.strip()]))
        else:
            groups[-1][1].append(raw.strip())
    return [Paragraph(" ".join(texts), line) for line, texts in groups]


def _opens(raw: str) -> bool:
    """Does this line of a paragraph start a new piece (a marker or a label), rather than
    continue the one before it?"""
    text = raw.strip()
    if text.startswith(BAD_MARKERS + GOOD_MARKERS) or split_label(text):
        return True
    plain = _plain_label(text)
    return bool(plain and label_kind(plain.label))


def _code(block: Opaque) -> Iterator[Piece]:
    """A code block; one holding both halves (``// ❌ Bad`` ... ``// ✅ Good``) is two."""
    lines = block.text.rstrip("\n").split("\n")
    cut = next(
        (n for n, ln in enumerate(lines) if n and _comment_role(ln) == "good"),
        0,
    ) if _comment_role(next((ln for ln in lines if ln.strip()), "")) == "bad" else 0
    halves = [(0, lines[:cut]), (cut, lines[cut:])] if cut else [(0, lines)]
    for start, half in halves:
        code = "\n".join(half).strip("\n")
        if code.strip():
            fence = "~~~" if "```" in code else "```"
            yield Piece(f"{fence}{block.info}\n{code}\n{fence}", block.line + start, code=True)


def _comment_role(line: str) -> str:
    m = _COMMENT.match(line)
    if not m:
        return ""
    text = m.group("text")
    return "bad" if _CODE_BAD.match(text) else "good" if _CODE_GOOD.match(text) else ""


@lru_cache(maxsize=4096)  # a guide's few labels ("Bad", "Better", "Instead") on every red flag
def label_kind(label: str) -> str:
    name = _EXAMPLE.sub("", _ASIDE.sub("", strip_marker(label))).strip()
    if WEAK_LABELS.match(name):
        return "bad"
    if FIX_LABELS.match(name) and not GOOD_LABELS.match(name):
        return "fix"
    if GOOD_LABELS.match(name):
        return "good"
    return ""


def read(piece: Piece) -> Side:
    """Which side of a red flag this piece is, if any."""
    return _read(piece.text, piece.code, piece.quoted)


@lru_cache(maxsize=1024)  # a side is its text's: guides repeat their lines; small as split_label's
def _read(text: str, code: bool, quoted: bool) -> Side:
    if code:
        first = next((ln for ln in text.split("\n")[1:] if ln.strip()), "")
        role = _comment_role(first)
        return Side(role, text) if role else Side("none")
    text = text.strip()
    marker = "bad" if text.startswith(BAD_MARKERS) else "good" if text.startswith(GOOD_MARKERS) else ""
    marked = bool(marker)
    body = strip_marker(text) if marker else text
    bold = split_label(body)
    labelled = bold or _plain_label(body)
    kind = label_kind(labelled.label) if labelled else ""
    if labelled and kind == "fix" and not marker:
        return Side("fix", labelled.rest)
    # The first red-flag reader labelled plain Bad:/Good: lines and items with their
    # section's title; they keep it, as it is part of their identity.
    titled = bool(labelled and kind and not marker and not quoted and _LEGACY.match(labelled.label))
    if labelled and kind in ("bad", "good"):
        marker, body, label = kind, labelled.rest, ""
    elif bold and marker and re.search(r"\w", bold.rest):
        if marker == "good":
            return Side("none")  # "✅ **Ownership**: ..." is a theme, not a better version
        body, label = bold.rest, bold.label
    else:
        label = ""
    if marker and label_kind(body.strip(" :*_")) in ("bad", "good"):
        body = ""  # "❌ Bad" over a code block: the side is what follows
    if not marker:
        instead = _INSTEAD.match(body)
        if instead:
            return Side("pair", instead.group("weak"), better=instead.group("better"))
        return Side("none")
    if marker == "bad":
        weak, better = _split_arrow(body)
        if better:
            return Side("pair", weak, label, better, marked=marked)
    return Side(marker, body, label, marked=marked, titled=titled, named=kind in ("bad", "good"))


def _plain_label(text: str) -> Labelled | None:
    m = _PLAIN_LABEL.match(text.strip())
    return Labelled(m.group("label").strip(), (m.group("rest") or "").strip()) if m else None


def _split_arrow(text: str) -> tuple[str, str]:
    """``'weak' → ✅ 'better'`` -> (weak, better); the first arrow outside code spans."""
    for m in _ARROW.finditer(text):
        if text[: m.start()].count("`") % 2 == 0 and m.start() > 0 and text[m.end() :].strip():
            return text[: m.start()].strip(), text[m.end() :].strip()
    return text, ""


PLACEHOLDER = re.compile(r"^(?:todo|tbd|tba|n/?a|xxx|\.\.\.|…|fixme|placeholder)\b", re.I)


def is_code(md: str) -> bool:
    """Is this side a fenced code block?"""
    return md.lstrip().startswith(("```", "~~~"))


def capital(text: str) -> str:
    return text[:1].upper() + text[1:]
