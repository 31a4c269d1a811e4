"""Plain frozen data passed between the pipeline stages.

read -> ``SourceText``; sections -> ``Document`` of ``Section``s holding ``Block``s;
extractors -> ``CardSpec``s; render -> ``RenderedNote``s, one ``Guide`` per file;
reconcile with the lock -> ``ReconciledNote``s, which the package writes. Nothing here
knows about genanki, the lock or the cache.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from enum import Enum
from typing import Union


@dataclass(frozen=True)
class SourceText:
    """A decoded, repaired markdown file and its front matter."""

    path: str  # path as given, for messages
    rel: str  # path relative to its source root, posix style; the document's identity
    text: str  # markdown body, front matter removed
    front_matter: tuple[tuple[str, object], ...] = ()
    body_line: int = 1  # 1-based line in the file where ``text`` starts
    repaired: str = ""  # codec name if mojibake was repaired, else ""


@dataclass(frozen=True)
class SourceWarning:
    """Something about a guide its author should hear of, kept as data so that it travels
    with the guide's cached result and is shown again on every build, not only the first."""

    path: str  # path as given, for messages
    line: int  # 1-based line in the file, or 0 for the file as a whole
    message: str
    kind: str = ""  # a short stable name ("encoding", "stub", "duplicate", ...) for grouping

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class Paragraph:
    text: str  # inline markdown source; soft breaks kept as "\n"
    line: int


@dataclass(frozen=True)
class ListItem:
    text: str  # inline markdown of the item's first paragraph
    line: int
    children: tuple[Block, ...] = ()  # later paragraphs and nested lists


@dataclass(frozen=True)
class ListBlock:
    ordered: bool
    items: tuple[ListItem, ...]
    line: int


@dataclass(frozen=True)
class Opaque:
    """Material that is not prose: code, tables, html, rules, quotes.

    Extractors read it through the extra fields: a fence's language (``info``), a
    table's cells (``rows``, the header row first) and a quote's own blocks (``children``).
    """

    kind: str  # "code", "table", "html", "hr", "quote"
    text: str  # code: the code; table and quote: their inline texts joined; html: the source
    line: int
    info: str = ""  # code: the fence's info string ("python"), "" for indented code
    rows: tuple[tuple[str, ...], ...] = ()  # table: inline markdown of each cell, header row first
    children: tuple[Block, ...] = ()  # quote: the blocks inside it


Block = Union[Paragraph, ListBlock, Opaque]


@dataclass(frozen=True)
class Section:
    title: str  # plain heading text, emoji and markers kept
    level: int  # 1-6, 0 for the document root
    line: int
    path: tuple[str, ...]  # clean titles from the document's first level-2 section down
    blocks: tuple[Block, ...] = ()
    children: tuple[Section, ...] = ()

    def walk(self) -> list[Section]:
        """This section and all below it, in document order."""
        out = [self]
        for child in self.children:
            out.extend(child.walk())
        return out


@dataclass(frozen=True)
class Document:
    source: SourceText
    title: str
    root: Section
    warnings: tuple[SourceWarning, ...] = ()  # what reading the tree found odd (a garbled skip comment...)


class Kind(str, Enum):
    """What a card teaches; part of its identity."""

    QUESTION = "question"
    STAR = "star"
    THEME = "theme"
    METRIC = "metric"
    TAKEAWAY = "takeaway"
    FRAMEWORK = "framework"
    FORMULA = "formula"
    RED_FLAG = "red_flag"
    AUTHOR_CLOZE = "author_cloze"  # the guide's own {{c1::...}} or ==highlight==
    AUTHOR_QA = "author_qa"  # the guide's own Q: / A: pair
    QA = "qa"  # a question the guide answers: "### What is X?", "**Q: ...**" + "A: ...", <details>
    DEFINITION = "definition"  # "**Term**: definition", "Term" + ": definition", glossary entries
    TABLE_ROW = "table_row"  # one row of a comparison table: the thing -> its other cells
    AVOID = "avoid"  # a lone "❌ Don't over-engineer": what to avoid, and why
    STORY = "story"  # one of the user's own stories, from the story bank (not from a guide)


class NoteKind(str, Enum):
    RECALL = "recall"
    CLOZE = "cloze"
    RED_FLAG = "red_flag"


# Each note type's fields, in order: frozen once shipped (Anki matches note types by them)
FIELDS: dict[NoteKind, tuple[str, ...]] = {
    NoteKind.RECALL: ("Front", "Back", "Extra", "Hint", "Context"),
    NoteKind.CLOZE: ("Text", "Extra", "Hint", "Context"),
    NoteKind.RED_FLAG: ("Label", "Weak", "Better", "Extra", "Context"),
}


NOTE_KIND = {
    Kind.QUESTION: NoteKind.RECALL,
    Kind.STAR: NoteKind.RECALL,
    Kind.THEME: NoteKind.RECALL,
    Kind.METRIC: NoteKind.RECALL,
    Kind.TAKEAWAY: NoteKind.CLOZE,
    Kind.FRAMEWORK: NoteKind.CLOZE,
    Kind.FORMULA: NoteKind.CLOZE,
    Kind.RED_FLAG: NoteKind.RED_FLAG,
    Kind.AUTHOR_CLOZE: NoteKind.CLOZE,
    Kind.AUTHOR_QA: NoteKind.RECALL,
    Kind.QA: NoteKind.RECALL,
    Kind.DEFINITION: NoteKind.RECALL,
    Kind.TABLE_ROW: NoteKind.RECALL,
    Kind.AVOID: NoteKind.RECALL,
    Kind.STORY: NoteKind.RECALL,
}


@dataclass(frozen=True)
class StarOutline:
    """A compact outline of a sample answer: one row per part, in the guide's order."""

    rows: tuple[tuple[str, tuple[str, ...]], ...]  # (label, lines of inline markdown)


@dataclass(frozen=True)
class CardSpec:
    """One note to be made, in markdown/plain text, with where it came from.

    ``front`` is the note's identity text (question, term, cloze text, weak phrasing).
    ``back`` is markdown: one line of inline markdown, or block markdown (paragraphs,
    lists, fenced code, tables) when it spans lines; ``outline`` follows it for STAR
    answers. ``extra`` is markdown too. For cloze kinds ``front`` holds the text with
    ``{{cN::...}}`` deletions. A red flag's ``front`` and ``back`` (weak and better) may be
    fenced code.
    """

    kind: Kind
    front: str
    back: str = ""
    extra: str = ""
    label: str = ""  # red flag label, theme term, category...
    outline: StarOutline | None = None
    section_path: tuple[str, ...] = ()
    line: int = 0
    extractor: str = ""
    hint: str = ""  # small text above the front, e.g. "Key theme"
    related: tuple[str, ...] = field(default=())

    @property
    def note_kind(self) -> NoteKind:
        return NOTE_KIND[self.kind]


@dataclass(frozen=True)
class RenderedNote:
    """One note as its guide renders it: the fields, tags and deck Anki will show, and what
    names it across builds (guide, kind, section, front). No id or time yet: those come
    from the lock (``ReconciledNote``)."""

    guid: str
    note_kind: NoteKind
    fields: tuple[str, ...]  # HTML, in the note type's field order
    tags: tuple[str, ...]
    deck: str  # full deck name, "::"-separated
    doc: str  # the guide's doc id
    kind: str  # Kind value
    section: str  # section path, " / "-joined
    key: str  # the identity text as written (front), for rewording and tombstones
    cards: tuple[int, ...]  # the template ordinal of each card it makes (``card_html.template_ordinals``)
    where: str = ""  # source file:line, for messages
    # Derived from the above when the note is made, so in the worker that renders it (the
    # build's serial reconcile step only compares them); ``replace`` computes them again.
    digest: str = field(init=False)  # everything Anki shows of it: a change updates the note
    answer: str = field(init=False)  # what a card asks you to recall, for rewording ("": none)

    def __post_init__(self) -> None:
        text = "\x1e".join((self.note_kind.value, *self.fields, " ".join(self.tags), self.deck))
        object.__setattr__(self, "digest", hashlib.sha256(text.encode("utf-8")).hexdigest()[:20])
        object.__setattr__(self, "answer", _answer_digest(self.note_kind, self.fields))


_ANSWER_FIELD = {NoteKind.RECALL: 1, NoteKind.RED_FLAG: 2}
# a cloze deletion, its answer in group 1 (a hint after "::" left out)
CLOZE_DELETION = re.compile(r"\{\{c\d+::(.*?)(?:::[^}]*)?\}\}", re.DOTALL)


def _answer_digest(note_kind: NoteKind, fields: tuple[str, ...]) -> str:
    """The back, the better phrasing, or the deleted words, hashed."""
    at = _ANSWER_FIELD.get(note_kind)
    answer = fields[at] if at is not None else "\x1f".join(CLOZE_DELETION.findall(fields[0]))
    return hashlib.sha256(answer.encode("utf-8")).hexdigest()[:12] if answer else ""


@dataclass(frozen=True)
class ReconciledNote:
    """One note ready to be written: what Anki stores of it, with the id, modification time
    and new-card position the lock gives it (``changes.reconcile``)."""

    guid: str
    note_kind: NoteKind
    fields: tuple[str, ...]
    tags: tuple[str, ...]
    deck: str
    note_id: int  # also Anki's "added" time in ms
    mod: int  # modification time, seconds: newer exactly when the content changed
    due: int  # position among the build's new cards
    cards: tuple[int, ...]  # the template ordinal of each card it makes, worked out where it was rendered


@dataclass(frozen=True)
class Guide:
    """One guide as a build knows it: where it came from, where its cards go, what its
    author should hear of; and its rendered ``notes`` when this build redid it, or None
    when it is kept as the last build left it (the store has its rows)."""

    path: str  # as given, for messages
    file: str  # the resolved path: its identity, however it was spelt
    rel: str  # relative to its source root
    doc_id: str
    key: str  # the cache key of the bytes it came from
    title: str
    base_deck: str  # the deck before two guides with one title were told apart
    deck: str
    warnings: tuple[SourceWarning, ...] = ()
    notes: tuple[RenderedNote, ...] | None = None
    counts: tuple[tuple[str, int], ...] = ()  # notes per note kind (NoteKind value)
    note_count: int = 0  # notes it gives the deck (after notes another guide gave first)
    lock_span: tuple[int, int] = (0, 0)  # where its notes are in the lock file's text
    specs: tuple[CardSpec, ...] | None = None  # kept only when asked for (``cards``, ``preview``)
    repaired: str = ""  # codec undone, if the file had mojibake
    document: Document | None = None  # the section tree, kept with the specs (for ``check``)

    @property
    def redone(self) -> bool:
        """Did this build read, extract and render it (rather than keep the stored rows)?"""
        return self.notes is not None
