"""Pair the weak and better sides of a section's red flags, and keep the weak sides that
found no better version.

Sides come in runs: a run of weak sides, then a run of better ones. Equal runs pair item
by item (``❌ A``/``❌ B`` then ``✅ A'``/``✅ B'``, or lines alternating); one weak side
takes every better one after it; one better side goes with the weak side just before it.
A label with nothing after it (``Example – Bad:``) takes the next piece (often a code
block). A plain paragraph ends the runs: what stands on both sides of prose is not one
pair. A paragraph ending in ``:`` just before a run is its lead-in, the best label the
pairs have when they carry none of their own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from ..model import Block, ListBlock, Opaque
from .flag_pieces import BAD_MARKERS, GOOD_MARKERS, Piece, Side, pieces, read
from .text import plain, split_label, strip_marker, to_markdown

MAX_LEAD_WORDS = 15
# the columns of a "| ❌ What not to say | ✅ What to say instead |" table
# (a ❌ or ✅ cell is enough; "Good for" / "Bad for" or "Before" / "After" columns are a comparison)
_FRAME = r"(?: (?:example|version|answer|phrasing|practice))?$"
_WEAK_COLUMN = re.compile(
    r"^(?:(?:what )?not to (?:say|do)|bad|weak|wrong|avoid|don'?t(?: say| do)?|instead of|anti-?pattern|mistake)"
    + _FRAME,
    re.I,
)
_GOOD_COLUMN = re.compile(
    r"^(?:(?:what )?to (?:say|do)(?: instead)?|(?:say|do)(?: this)? instead"
    r"|better|good|strong|right|correct|fix|do|say)" + _FRAME,
    re.I,
)
_CODE_CELL = re.compile(r"^`([^`]+)`$")


@dataclass(frozen=True)
class Found:
    """A weak side with its better version, or alone (``better`` empty)."""

    weak: str  # inline markdown or fenced code
    better: str
    label: str  # the weak side's own label, "" if none
    line: int
    lead: str = ""  # the lead-in paragraph before the run, without its colon
    reason: str = ""  # the blocks nested under the weak side, or (a lone one) the paragraph after it
    marked: bool = False  # the weak side starts with ❌
    titled: bool = False  # a plain Bad:/Good: pair, labelled by its section
    explicit: bool = False  # both sides on one line ("❌ 'x' → ✅ 'y'"), or the weak one labelled "Bad:"


@dataclass
class _Runs:
    lead: str = ""
    bads: list[tuple[Side, Piece]] = field(default_factory=list)
    goods: list[tuple[Side, Piece]] = field(default_factory=list)
    reasons: dict[int, str] = field(default_factory=dict)  # line of a lone weak side -> its reason

    def flush(self) -> Iterator[Found]:
        bads, goods = self.bads, self.goods
        pairs: list[tuple[tuple[Side, Piece], str]] = []
        if goods and len(bads) == len(goods):
            pairs = [(b, g[0].text) for b, g in zip(bads, goods, strict=True)]
        elif goods and len(bads) == 1:
            pairs = [(bads[0], _joined([g[0].text for g in goods]))]
        elif len(goods) == 1:
            pairs = [(bads[-1], goods[0][0].text)]
        paired = {id(b) for b, _ in pairs}
        for bad, better in pairs:
            yield self._found(bad, better)
        for bad in bads:
            if id(bad) not in paired:
                yield self._found(bad, "")
        self.bads, self.goods = [], []

    def _found(self, bad: tuple[Side, Piece], better: str) -> Found:
        side, piece = bad
        reason = self.reasons.get(piece.line, "") or _nested_reason(piece.children)
        return Found(
            side.text, better, side.label, piece.line, self.lead, reason, side.marked, side.titled, side.named
        )


def find(blocks: tuple[Block, ...]) -> list[Found]:
    """Every red flag among the blocks, paired or lone, in reading order."""
    runs = _Runs()
    out: list[Found] = []
    waiting: tuple[Side, Piece] | None = None  # a label whose content is the next piece
    previous: Piece | None = None
    for piece in pieces(blocks):
        side = read(piece)
        if waiting:
            if side.role == "none" and not _is_lead(piece):
                side, piece = replace(waiting[0], text=piece.text), waiting[1]
            waiting = None
        if side.role in ("bad", "good") and not side.text.strip():
            waiting = (side, piece)
        elif side.role == "pair":
            out += runs.flush()
            found = Found(side.text, side.better, side.label, piece.line, runs.lead, marked=side.marked, explicit=True)
            out.append(found)
        elif side.role == "bad":
            if runs.goods:
                out += runs.flush()
            runs.bads.append((side, piece))
        elif side.role == "good":
            if runs.bads:
                runs.goods.append((side, piece))
        elif piece.paragraph and _caption(piece.text) and side.role == "none":
            pass  # "**Issues**:" over a list: a note on the side before, not the end of the run
        elif piece.paragraph or side.role == "fix":
            if runs.bads and not runs.goods and previous is runs.bads[-1][1] and previous.paragraph:
                if side.role == "none" and _is_prose(piece.text):
                    runs.reasons[previous.line] = piece.text
            out += runs.flush()
            runs.lead = _lead(piece) if side.role == "none" else ""
        previous = piece
    out += runs.flush()
    return sorted(out, key=lambda f: f.line)


def _caption(text: str) -> bool:
    labelled = split_label(text)
    return bool(labelled and not labelled.rest)


def _is_lead(piece: Piece) -> bool:
    return piece.paragraph and piece.text.rstrip().endswith(":")


def _lead(piece: Piece) -> str:
    text = piece.text.strip()
    if not _is_lead(piece) or len(text.split()) > MAX_LEAD_WORDS or text.startswith(("**", "__")):
        return ""
    return text.rstrip(":").strip()


def _is_prose(text: str) -> bool:
    """A plain sentence: no marker, no label, no lead-in to something else."""
    text = text.strip()
    return not (text.endswith(":") or text.startswith(BAD_MARKERS + GOOD_MARKERS) or split_label(text))


def _nested_reason(children: tuple[Block, ...]) -> str:
    """What is nested under a lone weak item, unless it holds red flags of its own."""
    if any(read(p).role != "none" for p in pieces(children)):
        return ""
    return blocks_markdown(children)


def blocks_markdown(blocks: tuple[Block, ...] | list[Block]) -> str:
    """Block markdown for a side; a list of one plain item is said inline."""
    if len(blocks) == 1 and isinstance(blocks[0], ListBlock) and len(blocks[0].items) == 1:
        item = blocks[0].items[0]
        if not item.children:
            return " ".join(item.text.split())
    return to_markdown(blocks)


def _joined(betters: list[str]) -> str:
    """Several better versions for one weak side: a list, or code blocks one after another."""
    if any(b.startswith(("```", "~~~")) for b in betters):
        return "\n\n".join(betters)
    return "\n".join("- " + " ".join(b.split()) for b in betters)


def table_pairs(table: Opaque) -> list[Found]:
    """Each row of a table with a weak and a better column; a third column labels the row."""
    columns = flag_columns(table.rows)
    if not columns:
        return []
    weak, better, label = columns
    out = []
    for n, row in enumerate(table.rows[1:]):
        if len(row) == len(table.rows[0]):
            name = plain(row[label]) if label is not None else ""
            out.append(Found(_cell(row[weak]), _cell(row[better]), name, table.line + 2 + n))
    return out


def flag_columns(rows: tuple[tuple[str, ...], ...]) -> tuple[int, int, int | None] | None:
    """(weak, better, label) columns of a red-flag table, None for any other table."""
    if len(rows) < 2:
        return None
    kinds = [_column_kind(cell) for cell in rows[0]]
    if kinds.count("bad") != 1 or kinds.count("good") != 1:
        return None
    label = next((n for n, k in enumerate(kinds) if not k), None)
    return kinds.index("bad"), kinds.index("good"), label


def _column_kind(cell: str) -> str:
    text = plain(strip_marker(cell))
    if cell.strip().startswith(BAD_MARKERS) or _WEAK_COLUMN.match(text):
        return "bad"
    if cell.strip().startswith(GOOD_MARKERS) or _GOOD_COLUMN.match(text):
        return "good"
    return ""


def _cell(md: str) -> str:
    """A cell's text; a phrase set in code only to look quoted (```"I hated my boss."```) is unwrapped."""
    md = md.strip()
    m = _CODE_CELL.match(md)
    return m.group(1) if m and m.group(1)[:1] in "\"'“‘" else md

