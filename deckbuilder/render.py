"""Render card specs (markdown/plain) into the HTML of each note type's fields.

Raw HTML in the guide is escaped here (markdown-it with ``html`` off) and images become
their alt text, so nothing from a guide can inject markup or scripts into a card, load
anything remote, or reach files beside it. In cloze fields, code spans have ``{``, ``}``
and ``:`` written as character references, so Anki never reads ``std::vector`` or
``{{c1::`` inside backticks as cloze syntax.

A field of one line is inline markdown; a field that spans lines is block markdown
(paragraphs, lists, tables, fenced code highlighted by ``highlight``).
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from .highlight import highlight
from .inert import neutralise
from .model import CardSpec, Kind, NoteKind, StarOutline

_MARKDOWN_CHARS = re.compile(r"[\\`*_\[\]<>&!]| \n")
STAR_LABELS = {"S": "Situation", "T": "Task", "A": "Action", "R": "Result"}


@dataclass(frozen=True)
class RenderedNote:
    note_kind: NoteKind
    fields: tuple[str, ...]  # in FIELDS order


_CLOZE_SAFE = str.maketrans({"{": "&#123;", "}": "&#125;", ":": "&#58;"})
# C0 controls but tab and newlines: never text, and \x1f is how Anki separates fields
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@lru_cache(maxsize=2)
def _md(blocks: bool = False) -> MarkdownIt:
    """Raw HTML off, images as alt text; for blocks also tables, highlighted fences, and
    line breaks kept as ``<br>`` as ``inline`` keeps them."""
    md = MarkdownIt("commonmark", {"html": False, "typographer": False, "breaks": blocks})
    md.add_render_rule("image", _image_as_alt)
    md.add_render_rule("code_inline", _code_inline)
    if blocks:
        md.enable("table")
        md.add_render_rule("fence", _fence)
    return md


def _image_as_alt(self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    """``![alt](src)`` -> its alt text: a card never loads an image, remote or local."""
    return escapeHtml(self.renderInlineAsText(tokens[idx].children or [], options, env))


def _code_inline(self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    code = RendererHTML.code_inline(self, tokens, idx, options, env)
    return code.translate(_CLOZE_SAFE) if env.get("cloze") else code


def _fence(self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    """Fenced code, highlighted when the fence names its language."""
    token = tokens[idx]
    language = token.info.strip().split(maxsplit=1)[0] if token.info.strip() else ""
    code = highlight(token.content.rstrip("\n"), language)
    if env.get("cloze"):
        code = code.translate(_CLOZE_SAFE)
    css = f' class="language-{escapeHtml(language)}"' if language else ""
    return f"<pre><code{css}>{code}</code></pre>\n"


# The same short lines come back on note after note (a section's labels, a guide's advice
# lines, red-flag names): about one call in three is new text.
@lru_cache(maxsize=8192)
def inline(md: str, *, cloze: bool = False) -> str:
    """Inline markdown -> HTML with soft breaks as <br>; ``cloze`` for a cloze note's text."""
    md = md.strip()
    if not _MARKDOWN_CHARS.search(md):  # plain text: what markdown-it would give, 10x faster
        return md.replace('"', "&quot;").replace("\n", "<br>")
    return _md().renderInline(md, {"cloze": cloze}).replace("\n", "<br>")


def block(md: str, *, cloze: bool = False) -> str:
    """Block markdown -> HTML; paragraphs and ``- `` lists without markdown-it's block parser."""
    md = md.strip()
    simple = _simple_block(md, cloze)
    return simple if simple is not None else _md(blocks=True).render(md, {"cloze": cloze}).strip()


# Most multi-line fields (every question back built from a guide's advice, every framework
# ladder) are only paragraphs and one-line list items. markdown-it's block parser tries a
# dozen rules on each line and was a quarter of a cold build, so those fields skip it:
# their HTML is written here exactly as markdown-it writes it (tests/test_render_blocks.py
# checks that on generated markdown), and anything else falls back to markdown-it.
# Characters whose meaning depends on block context: tables, link reference definitions,
# and whitespace markdown-it reads differently from a space (tabs, CR, NUL, Unicode spaces).
_BLOCK_CONTEXT = re.compile(r"\||\]:|[^\S \n]|\x00")
# A line start that opens something other than a paragraph: indentation, headings, quotes,
# list markers, fences, thematic breaks and setext underlines.
_NOT_PARAGRAPH = re.compile(
    r"$|[ #>]|[-*+](?: |$)|\d{1,9}[.)](?: |$)|```|~~~|([-*_])(?: *\1){2,} *$|=+ *$|-+ *$"
)
_NUMBERED = re.compile(r"(\d{1,9})\. ")  # an ordered item's marker; ")" ones take the long way


def _simple_block(md: str, cloze: bool) -> str | None:
    """HTML for markdown of paragraphs and tight lists (``- `` or ``1. ``) of one-line
    items, None for anything else."""
    if _BLOCK_CONTEXT.search(md):
        return None
    out: list[str] = []
    paragraph: list[str] = []
    items: list[str] = []
    start: int | None = None  # the list's first number, None for a ``- `` list
    previous = "blank"
    for line in md.split("\n"):
        number = _NUMBERED.match(line)
        if not line:
            kind = "blank"
        elif line.startswith("- ") and not _NOT_PARAGRAPH.match(line[2:]):
            kind = "item"
        elif number and not _NOT_PARAGRAPH.match(line, number.end()):
            kind = "numbered"
        elif not _NOT_PARAGRAPH.match(line):
            kind = "text"
        else:
            return None
        if (kind == "text" and previous in ("item", "numbered")) or (kind != "text" and kind != "blank" and items
                                                                   and previous != kind):
            return None  # a lazy continuation line, a loose list, or a list of the other kind
        if kind == "numbered" and previous == "text":
            return None  # only a list starting at 1 may interrupt a paragraph
        if kind != "text" and paragraph:
            out.append(_paragraph(paragraph, cloze))
            paragraph = []
        if kind == "text" and items:
            out.append(_list(items, cloze, start))
            items = []
        if kind == "text":
            paragraph.append(line)
        elif kind == "item":
            items.append(line[2:].strip())
            start = None
        elif number:
            if not items:
                start = int(number.group(1))
            items.append(line[number.end():].strip())
        previous = kind
    if paragraph:
        out.append(_paragraph(paragraph, cloze))
    if items:
        out.append(_list(items, cloze, start))
    return "".join(out).strip()


def _paragraph(lines: list[str], cloze: bool) -> str:
    text = "\n".join(lines).strip()
    return f"<p>{_inline_html(text, cloze)}</p>\n"


def _list(items: list[str], cloze: bool, start: int | None = None) -> str:
    tag = "ul" if start is None else "ol"
    opening = f'<ol start="{start}">' if start is not None and start != 1 else f"<{tag}>"
    return opening + "\n" + "".join(f"<li>{_inline_html(item, cloze)}</li>\n" for item in items) + f"</{tag}>\n"


# A question back's rows ("**Show**: Ownership, Impact") were nine in ten of the lines
# markdown-it still parsed: a bold label at the start of a line of plain text is written
# here. A label that starts and ends with a letter or digit always opens and closes its
# bold (markdown's flanking rules); any other, or any other markup, goes to markdown-it.
_BOLD_LABEL = re.compile(r"\*\*(?P<label>[^\\`*_\[\]<>&!\n]+)\*\*(?P<rest>[^\\`*_\[\]<>&!\n]*)")


# A guide's advice backs repeat the same few theme, framework and red-flag lines (about
# one line in ten is new), so each line's HTML is kept rather than parsed again.
@lru_cache(maxsize=8192)
def _inline_html(text: str, cloze: bool) -> str:
    """A paragraph's or item's inline markdown as the block renderer writes it (breaks as ``<br />``)."""
    if not _MARKDOWN_CHARS.search(text):  # plain text, as in inline()
        return _plain_html(text)
    bold = _BOLD_LABEL.fullmatch(text)
    if bold and bold["label"][0].isalnum() and bold["label"][-1].isalnum():
        return f"<strong>{_plain_html(bold['label'])}</strong>{_plain_html(bold['rest'])}"
    return _md(blocks=True).renderInline(text, {"cloze": cloze})


def _plain_html(text: str) -> str:
    """Text without markdown as the block renderer writes it."""
    return text.replace('"', "&quot;").replace("\n", "<br />\n")


_BLOCK_START = re.compile(r"^(?:[-*+]\s|\d+[.)]\s|>|\||```|~~~)")


def is_block(md: str) -> bool:
    """Does this markdown need block rendering (several lines, or a list, quote, table, code)?"""
    md = md.strip()
    return "\n" in md or bool(_BLOCK_START.match(md))


def rich(md: str) -> str:
    """A field's markdown as HTML: inline for one line, blocks for more."""
    return block(md) if is_block(md) else inline(md)


def outline_html(outline: StarOutline) -> str:
    rows = []
    for label, lines in outline.rows:
        title = STAR_LABELS.get(label, label)
        if len(lines) == 1:
            body = inline(lines[0])
        else:
            body = "<ul>" + "".join(f"<li>{inline(x)}</li>" for x in lines) + "</ul>"
        rows.append(
            f'<div class="star-row"><span class="star-label" title="{title}">{html.escape(label)}</span>'
            f'<div class="star-text">{body}</div></div>'
        )
    return '<div class="star">' + "".join(rows) + "</div>"


@lru_cache(maxsize=4096)  # the same for every note of a section
def context(doc_title: str, section_path: tuple[str, ...]) -> str:
    return html.escape(" › ".join((doc_title,) + tuple(p for p in section_path if p)))


def render(spec: CardSpec, doc_title: str, *, math: bool = False) -> RenderedNote:
    note = _render(spec, doc_title)
    fields = note.fields
    if _CONTROL.search("".join(fields)):  # rare: one search of the note, not a substitution per field
        fields = tuple(_CONTROL.sub("", f) for f in fields)
    return RenderedNote(note.note_kind, neutralise(fields, math=math))


_SHOWS_CODE = re.compile(r"^```", re.M)  # a question that shows the code it asks about


def _render(spec: CardSpec, doc_title: str) -> RenderedNote:
    ctx = context(doc_title, spec.section_path)
    hint = html.escape(spec.hint)
    extra = rich(spec.extra) if spec.extra else ""
    kind = spec.note_kind
    if kind is NoteKind.CLOZE:
        text = block(spec.front, cloze=True) if spec.kind is Kind.FRAMEWORK else inline(spec.front, cloze=True)
        return RenderedNote(kind, (text, extra, hint, ctx))
    if kind is NoteKind.RED_FLAG:
        return RenderedNote(kind, (inline(spec.label), rich(spec.front), rich(spec.back), extra, ctx))
    if not spec.back:
        back = ""
    elif is_block(spec.back):
        back = f'<div class="back-text">{block(spec.back)}</div>'
    else:
        back = f'<p class="back-text">{inline(spec.back)}</p>'
    if spec.outline is not None:
        back += outline_html(spec.outline)
    front = block(spec.front) if _SHOWS_CODE.search(spec.front) else inline(spec.front)  # "the output of this code?"
    return RenderedNote(kind, (front, back, extra, hint, ctx))
