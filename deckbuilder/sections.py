"""Build a ``Document`` section tree from markdown-it-py's token stream.

Headings open sections; paragraphs, lists and opaque blocks (code, tables, html,
quotes, rules) become the section's blocks, with 1-based source line numbers. Three
steps, each a function: ``read_blocks`` (tokens -> headings and blocks in document
order), ``without_skipped`` (the skip comments below applied) and ``tree`` (sections).

Skip comments. ``<!-- deckbuilder: skip -->`` on a line of its own leaves material out
of the tree, so no extractor ever sees it:

- right under a heading (before any other block), it drops that section with all its
  subsections; right under the document's title (or at the very top) it drops the
  rest of the document;
- anywhere else between blocks it drops the next block: a paragraph, a whole list, a
  table... When it stands between two items of one list (which splits the list in
  two), it drops only the next item and the list stays whole;
- inside a list item (indented under it), it drops that item and its nested lists.

A misspelt directive, or a skip comment with nothing after it to skip, is reported as
a warning naming the file and line (``Document.warnings``, data the caller shows or
stores); the comments themselves never reach the tree.
"""

from __future__ import annotations

import html
import logging
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import PurePosixPath
from typing import Union

from markdown_it import MarkdownIt
from markdown_it.token import Token

from .fences import read_prose_fences
from .model import Block, Document, ListBlock, ListItem, Opaque, Paragraph, Section, SourceText, SourceWarning

SKIP = "skip"
_DIRECTIVE = re.compile(r"<!--\s*deckbuilder\s*:\s*(?P<name>[\w-]*)\s*-->", re.IGNORECASE)
_MENTION = re.compile(r"<!--\s*deckbuilder\s*:", re.IGNORECASE)
# The word alone: a comment's token text may lose the quote markers or indentation
# around it that the file has, never the word itself.
_NAMED = re.compile("deckbuilder", re.IGNORECASE)


@lru_cache(maxsize=1)
def markdown() -> MarkdownIt:
    """The one parser configuration used to read guides (CommonMark plus tables).

    Only the block structure is parsed here: inline content stays markdown source for the
    extractors, and render.py parses the little that reaches a card. Skipping the inline
    pass saves a third of the parse time, the largest cost of a cold build."""
    _quiet_parser_debug()
    return MarkdownIt("commonmark", {"html": True}).enable("table").disable("inline")


def _quiet_parser_debug() -> None:
    """markdown-it-py's block rules log a debug line each time one is tried on a line: about
    8,000 calls a guide, 8 million at 1,000 guides, each checking the logging level to print
    nothing (a fourteenth of the block parse). deckbuilder never shows those lines, so the
    ``debug`` of markdown-it's own loggers becomes a no-op written in C (``"".format`` takes
    any arguments and returns ""). Other logging, and other libraries' loggers, are untouched."""
    for name, logger in list(logging.Logger.manager.loggerDict.items()):
        if name.startswith("markdown_it.") and isinstance(logger, logging.Logger):
            logger.debug = "".format  # type: ignore[method-assign, assignment]


_LEADING_JUNK = re.compile(r"^[^\w\"'(\[]+", re.UNICODE)
_INLINE_MARKS = re.compile(r"(\*\*|__|\*|_|`)")


def clean_title(title: str) -> str:
    """Heading text without leading emoji/markers or emphasis: ``📋 Common Questions`` -> ``Common Questions``."""
    title = _INLINE_MARKS.sub("", title)
    return _LEADING_JUNK.sub("", title).strip()


def directive(block: Block) -> str | None:
    """The name in a ``<!-- deckbuilder: NAME -->`` block standing alone, "" if it is
    garbled, None if the block is no deckbuilder comment at all."""
    if not isinstance(block, Opaque) or block.kind != "html" or not _MENTION.match(block.text.strip()):
        return None
    m = _DIRECTIVE.fullmatch(block.text.strip())
    return m.group("name").lower() if m else ""


@dataclass
class _Pending:
    """A skip comment waiting for the block it drops."""

    line: int
    after: Block | None  # the block just before the comment


@dataclass(frozen=True)
class Heading:
    """A heading in the block stream, where a section opens (the tree is built from these)."""

    level: int
    title: str  # plain text, see ``_plain``
    line: int
    left_out: bool = False  # its section was skipped: it still ends the sections it would end


Piece = Union[Heading, Block]


def build_document(source: SourceText) -> Document:
    """One guide's section tree, in three steps: its blocks and headings in document order,
    less what skip comments leave out, folded into sections."""
    tokens = markdown().parse(source.text)
    if "```" in source.text or "~~~" in source.text:
        tokens = read_prose_fences(tokens, markdown())
    pieces = read_blocks(tokens, source)
    warnings: list[SourceWarning] = []
    if _NAMED.search(source.text):  # else there is no deckbuilder comment to act on
        pieces = without_skipped(pieces, source, warnings)
    return tree(pieces, source, tuple(warnings))


def read_blocks(tokens: list[Token], source: SourceText) -> list[Piece]:
    """The headings and top-level blocks of a token stream, in document order. Skip
    comments are still in it: as blocks of their own, and among list items' children."""
    pieces: list[Piece] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.type == "heading_open":
            pieces.append(Heading(int(tok.tag[1]), _plain(tokens[i + 1]), _line(tok, source)))
            i += 3
            continue
        block, i = _block(tokens, i, source)
        if block is not None:
            pieces.append(block)
    return pieces


@dataclass
class _Open:
    """A section the skip filter is inside of."""

    level: int
    at: int  # where its heading is in the filtered pieces (-1: the document itself)
    fresh: bool = True  # nothing read since its heading: a skip here drops the section
    last: int = -1  # where its last block is in the filtered pieces


def without_skipped(pieces: list[Piece], source: SourceText, warnings: list[SourceWarning]) -> list[Piece]:
    """``pieces`` without what skip comments leave out, and without the comments; adds to
    ``warnings`` the comments it does not understand and those with nothing to skip."""
    out: list[Piece] = []
    stack = [_Open(0, -1)]
    doc_title = ""
    skip_below: int | None = None  # dropping a section: skip everything deeper than this level
    pending: _Pending | None = None
    for piece in pieces:
        if isinstance(piece, Heading):
            if skip_below is not None and piece.level > skip_below:
                continue
            skip_below = None
            if pending:
                warnings.append(_nothing_to_skip(source, pending.line))
                pending = None
            out.append(piece)
            if piece.level == 1 and not doc_title:
                doc_title = piece.title
                if len(stack) == 1:
                    stack[0].fresh = True  # right under the title: the whole document
                continue
            while len(stack) > 1 and stack[-1].level >= piece.level:
                stack.pop()
            stack.append(_Open(piece.level, len(out) - 1))
            continue
        block = _without_skipped_items(piece, source, warnings)
        if skip_below is not None:
            continue
        current = stack[-1]
        name = directive(block)
        if name is not None:
            if _known(name, block, source, warnings):
                if current.fresh:
                    skip_below = current.level
                    if len(stack) > 1:  # the section is left out entirely
                        at = stack.pop().at
                        heading = out[at]
                        assert isinstance(heading, Heading)
                        out[at] = replace(heading, left_out=True)
                else:
                    after = out[current.last] if current.last >= 0 else None
                    assert not isinstance(after, Heading)
                    pending = _Pending(block.line, after)
            continue
        current.fresh = False
        if pending is None:
            out.append(block)
            current.last = len(out) - 1
            continue
        if _splits_list(pending.after, block):
            assert isinstance(pending.after, ListBlock) and isinstance(block, ListBlock)
            out[current.last] = ListBlock(pending.after.ordered, pending.after.items + block.items[1:],
                                          pending.after.line)
        pending = None
    if pending:
        warnings.append(_nothing_to_skip(source, pending.line))
    return out


def _without_skipped_items(block: Block, source: SourceText, warnings: list[SourceWarning]) -> Block:
    """``block`` without the list items that hold a skip comment, at any depth, and
    without the other comments among items' children."""
    if isinstance(block, ListBlock):
        items = []
        for item in block.items:
            skipped = False
            children: list[Block] = []
            for child in item.children:
                name = directive(child)
                if name is not None:
                    skipped = skipped or _known(name, child, source, warnings)
                else:
                    children.append(_without_skipped_items(child, source, warnings))
            if not skipped:
                items.append(ListItem(item.text, item.line, tuple(children)))
        return ListBlock(block.ordered, tuple(items), block.line)
    if isinstance(block, Opaque) and block.children:
        return replace(block, children=tuple(_without_skipped_items(c, source, warnings) for c in block.children))
    return block


@dataclass
class _Section:
    """A section under construction."""

    level: int
    title: str
    line: int
    path: tuple[str, ...]
    blocks: list[Block] = field(default_factory=list)
    children: list[Section] = field(default_factory=list)


def tree(pieces: list[Piece], source: SourceText, warnings: tuple[SourceWarning, ...] = ()) -> Document:
    """Fold headings and blocks into sections: a heading opens a section that holds the
    blocks after it and the deeper sections; the first level-1 heading is the title, unless
    headings came before it and it is numbered like a section ("## 1. What is X?" then
    "# 2. What is Y?"): no guide is titled "2. ...", and taken for the title it would
    leave its own content to the question before it."""
    stack = [_Section(0, "", 1, ())]
    doc_title = ""
    headed = False  # a heading came before
    for piece in pieces:
        if not isinstance(piece, Heading):
            stack[-1].blocks.append(piece)
            continue
        if piece.level == 1 and not doc_title and not (headed and _NUMBERED_TITLE.match(piece.title)):
            doc_title = piece.title
            continue
        headed = True
        while len(stack) > 1 and stack[-1].level >= piece.level:
            _close(stack)
        if not piece.left_out:
            stack.append(_Section(piece.level, piece.title, piece.line,
                                  stack[-1].path + (clean_title(piece.title),)))
    while len(stack) > 1:
        _close(stack)
    root = Section(title="", level=0, line=1, path=(), blocks=tuple(stack[0].blocks),
                   children=tuple(stack[0].children))
    title = doc_title or str(dict(source.front_matter).get("title") or "") or _title_from_name(source.rel)
    return Document(source=source, title=clean_title(title) or title, root=root, warnings=warnings)


_NUMBERED_TITLE = re.compile(r"^\s*\d{1,3}[.)]\s")


def _known(name: str, block: Block, source: SourceText, warnings: list[SourceWarning]) -> bool:
    """Is this a directive we act on? Warn about the ones we do not understand."""
    if name == SKIP:
        return True
    warnings.append(SourceWarning(
        source.path, block.line,
        "deckbuilder comment not understood; write <!-- deckbuilder: skip --> on a line of its own", "skip-comment",
    ))
    return False


def _nothing_to_skip(source: SourceText, line: int) -> SourceWarning:
    return SourceWarning(source.path, line, "skip comment has nothing after it to skip; to leave out a section, "
                                            "put the comment on the line right under its heading", "skip-comment")


def _splits_list(before: Block | None, after: Block) -> bool:
    """A skip comment between two items cuts a list in two: ``- a`` / comment / ``- b``."""
    return isinstance(before, ListBlock) and isinstance(after, ListBlock) and before.ordered == after.ordered


def _close(stack: list[_Section]) -> None:
    done = stack.pop()
    stack[-1].children.append(
        Section(
            title=done.title, level=done.level, line=done.line, path=done.path,
            blocks=tuple(done.blocks), children=tuple(done.children),
        )
    )


def _title_from_name(rel: str) -> str:
    stem = re.sub(r"^\d+[-_ ]*", "", PurePosixPath(rel).stem)
    return stem.replace("-", " ").replace("_", " ").strip().title() or "Untitled"


def _line(tok: Token, source: SourceText) -> int:
    return (tok.map[0] if tok.map else 0) + source.body_line


_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_EMPHASIS = re.compile(r"\*\*|__|(?<![\w\\])[*_](?=\S)|(?<=\S)(?<!\\)[*_](?!\w)|`")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def _plain(inline: Token) -> str:
    """Plain text of a heading's inline markdown: links to their text, emphasis and code
    marks dropped, entities and backslash escapes decoded."""
    text = _LINK.sub(r"\1", inline.content)
    text = _EMPHASIS.sub("", text)
    text = html.unescape(_ESCAPE.sub(r"\1", text))
    return " ".join(text.split())


def _block(tokens: list[Token], i: int, source: SourceText) -> tuple[Block | None, int]:
    """Read one block starting at ``tokens[i]``; return it (or None) and the next index."""
    tok = tokens[i]
    t = tok.type
    if t == "paragraph_open":
        return Paragraph(tokens[i + 1].content, _line(tok, source)), i + 3
    if t in ("bullet_list_open", "ordered_list_open"):
        return _list(tokens, i, source)
    if t in ("fence", "code_block"):
        return Opaque("code", tok.content, _line(tok, source), info=tok.info.strip()), i + 1
    if t == "html_block":
        return Opaque("html", tok.content, _line(tok, source)), i + 1
    if t == "hr":
        return Opaque("hr", "", _line(tok, source)), i + 1
    if t in ("table_open", "blockquote_open"):
        close = t.replace("_open", "_close")
        j = _matching(tokens, i, close)
        text = " ".join(x.content for x in tokens[i:j] if x.type == "inline")
        if t == "table_open":
            return Opaque("table", text, _line(tok, source), rows=_rows(tokens[i:j])), j + 1
        return Opaque("quote", text, _line(tok, source), children=_blocks(tokens, i + 1, j, source)), j + 1
    return None, i + 1


def _rows(tokens: list[Token]) -> tuple[tuple[str, ...], ...]:
    """A table's cells as inline markdown, row by row, the header row first."""
    rows: list[tuple[str, ...]] = []
    cells: list[str] = []
    for tok in tokens:
        if tok.type == "tr_open":
            cells = []
        elif tok.type == "inline":
            cells.append(tok.content)
        elif tok.type == "tr_close":
            rows.append(tuple(cells))
    return tuple(rows)


def _blocks(tokens: list[Token], i: int, end: int, source: SourceText) -> tuple[Block, ...]:
    """The blocks between ``tokens[i]`` and ``tokens[end]`` (a quote's content)."""
    out: list[Block] = []
    while i < end:
        block, i = _block(tokens, i, source)
        if block is not None:
            out.append(block)
    return tuple(out)


def _matching(tokens: list[Token], i: int, close: str) -> int:
    """Index of the token closing the one at ``i`` (same level)."""
    level = tokens[i].level
    j = i + 1
    while not (tokens[j].type == close and tokens[j].level == level):
        j += 1
    return j


def _list(tokens: list[Token], i: int, source: SourceText) -> tuple[ListBlock, int]:
    """A list; skip comments stay among its items' children for ``without_skipped``.

    One pass: each block read ends where the next begins, so an item ends at the first
    ``list_item_close`` at its level, and the list after its last item."""
    open_tok = tokens[i]
    close = "ordered_list_close" if open_tok.type == "ordered_list_open" else "bullet_list_close"
    items: list[ListItem] = []
    j = i + 1
    while tokens[j].type != close:
        item_open = tokens[j]  # list_item_open
        text = ""
        children: list[Block] = []
        read = False  # anything but a comment read yet: a paragraph after it is no longer the item's text
        k = j + 1
        if tokens[k].type == "heading_open":  # "1. ### What is JSX?": a numbered heading, its text the item's
            text, read, k = _plain(tokens[k + 1]), True, k + 3
        while tokens[k].type != "list_item_close" or tokens[k].level != item_open.level:
            block, k = _block(tokens, k, source)
            if block is None:
                continue
            if not read and isinstance(block, Paragraph):
                text = block.text
            else:
                children.append(block)
            read = read or directive(block) is None
        items.append(ListItem(text, _line(item_open, source), tuple(children)))
        j = k + 1
    return ListBlock(open_tok.type == "ordered_list_open", tuple(items), _line(open_tok, source)), j + 1
