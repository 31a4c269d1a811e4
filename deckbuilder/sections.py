"""Build a ``Document`` section tree from markdown-it-py's token stream.

Headings open sections; paragraphs, lists and opaque blocks (code, tables, html,
quotes, rules) become the section's blocks, with 1-based source line numbers.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import PurePosixPath

from markdown_it import MarkdownIt
from markdown_it.token import Token

from .model import Block, Document, ListBlock, ListItem, Opaque, Paragraph, Section, SourceText


@lru_cache(maxsize=1)
def markdown() -> MarkdownIt:
    """The one parser configuration used to read guides (CommonMark plus tables)."""
    return MarkdownIt("commonmark", {"html": True}).enable("table")


_LEADING_JUNK = re.compile(r"^[^\w\"'(\[]+", re.UNICODE)
_INLINE_MARKS = re.compile(r"(\*\*|__|\*|_|`)")


def clean_title(title: str) -> str:
    """Heading text without leading emoji/markers or emphasis: ``📋 Common Questions`` -> ``Common Questions``."""
    title = _INLINE_MARKS.sub("", title)
    return _LEADING_JUNK.sub("", title).strip()


def build_document(source: SourceText) -> Document:
    tokens = markdown().parse(source.text)
    offset = source.body_line
    root_blocks: list[Block] = []
    # stack of (level, title, line, blocks, children) under construction
    stack: list[tuple[int, str, int, list[Block], list[Section]]] = [(0, "", 1, root_blocks, [])]
    doc_title = ""
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.type == "heading_open":
            level = int(tok.tag[1])
            title = _plain(tokens[i + 1])
            line = _line(tok, offset)
            i += 3
            if level == 1 and not doc_title:
                doc_title = title
                continue
            while len(stack) > 1 and stack[-1][0] >= level:
                _close(stack)
            stack.append((level, title, line, [], []))
            continue
        block, i = _block(tokens, i, offset)
        if block is not None:
            stack[-1][3].append(block)
    while len(stack) > 1:
        _close(stack)
    root = Section(title="", level=0, line=1, path=(), blocks=tuple(root_blocks), children=tuple(stack[0][4]))
    root = _with_paths(root, ())
    title = doc_title or str(dict(source.front_matter).get("title") or "") or _title_from_name(source.rel)
    return Document(source=source, title=clean_title(title) or title, root=root)


def _close(stack: list[tuple[int, str, int, list[Block], list[Section]]]) -> None:
    level, title, line, blocks, children = stack.pop()
    stack[-1][4].append(
        Section(title=title, level=level, line=line, path=(), blocks=tuple(blocks), children=tuple(children))
    )


def _with_paths(section: Section, parent: tuple[str, ...]) -> Section:
    path = parent + (clean_title(section.title),) if section.level else parent
    children = tuple(_with_paths(c, path) for c in section.children)
    return Section(section.title, section.level, section.line, path, section.blocks, children)


def _title_from_name(rel: str) -> str:
    stem = re.sub(r"^\d+[-_ ]*", "", PurePosixPath(rel).stem)
    return stem.replace("-", " ").replace("_", " ").strip().title() or "Untitled"


def _line(tok: Token, offset: int) -> int:
    return (tok.map[0] if tok.map else 0) + offset


def _plain(inline: Token) -> str:
    """Plain text of an inline token (for headings)."""
    parts = []
    for child in inline.children or []:
        if child.type in ("text", "code_inline", "html_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts).strip()


def _block(tokens: list[Token], i: int, offset: int) -> tuple[Block | None, int]:
    """Read one block starting at ``tokens[i]``; return it (or None) and the next index."""
    tok = tokens[i]
    t = tok.type
    if t == "paragraph_open":
        return Paragraph(tokens[i + 1].content, _line(tok, offset)), i + 3
    if t in ("bullet_list_open", "ordered_list_open"):
        return _list(tokens, i, offset)
    if t in ("fence", "code_block"):
        return Opaque("code", tok.content, _line(tok, offset)), i + 1
    if t == "html_block":
        return Opaque("html", tok.content, _line(tok, offset)), i + 1
    if t == "hr":
        return Opaque("hr", "", _line(tok, offset)), i + 1
    if t in ("table_open", "blockquote_open"):
        close = t.replace("_open", "_close")
        j = _matching(tokens, i, close)
        text = " ".join(x.content for x in tokens[i:j] if x.type == "inline")
        return Opaque(t.split("_")[0], text, _line(tok, offset)), j + 1
    return None, i + 1


def _matching(tokens: list[Token], i: int, close: str) -> int:
    """Index of the token closing the one at ``i`` (same level)."""
    level = tokens[i].level
    j = i + 1
    while not (tokens[j].type == close and tokens[j].level == level):
        j += 1
    return j


def _list(tokens: list[Token], i: int, offset: int) -> tuple[ListBlock, int]:
    open_tok = tokens[i]
    end = _matching(tokens, i, open_tok.type.replace("_open", "_close"))
    items: list[ListItem] = []
    j = i + 1
    while j < end:
        item_open = tokens[j]  # list_item_open
        item_end = _matching(tokens, j, "list_item_close")
        text = ""
        children: list[Block] = []
        k = j + 1
        while k < item_end:
            block, k = _block(tokens, k, offset)
            if block is None:
                continue
            if not text and not children and isinstance(block, Paragraph):
                text = block.text
            else:
                children.append(block)
        items.append(ListItem(text, _line(item_open, offset), tuple(children)))
        j = item_end + 1
    return ListBlock(open_tok.type == "ordered_list_open", tuple(items), _line(open_tok, offset)), end + 1
