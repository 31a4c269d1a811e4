"""Small helpers the extractors share for reading inline markdown and headings."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from ..model import Block, Document, ListBlock, ListItem, Paragraph, Section

QUOTES = "\"'“”‘’"

# "**Term**: rest", "**Term:** rest", '"**Term:**' (a label opening a quoted answer)
_LABEL = re.compile(
    r"""^\s*["“]?\s*(?:[-*]\s+)?(?:\*\*|__)(?P<label>[^*_\n]+?)\s*(?::\s*)?(?:\*\*|__)\s*(?::\s*|[-–—]\s+)?(?P<rest>.*)$""",
    re.DOTALL,
)
# "Term: rest" without emphasis, for Bad:/Good: style lines
_PLAIN_LABEL = re.compile(r"^\s*(?P<label>[A-Z][\w '/&-]{0,30}?):\s+(?P<rest>.+)$", re.DOTALL)
_EMOJI = re.compile(
    "[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\uFE0F\u200D\u2190-\u21FF\u2300-\u23FF]+"
)
_MARKUP = re.compile(r"(\*\*|__|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w)|`)")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_WORD_CHAR = re.compile(r"\w")


@dataclass(frozen=True)
class Labelled:
    label: str  # plain label text without colon
    rest: str  # inline markdown after the label


# Star, red flags, frameworks and labelled lists each read the same lines of a guide. Kept
# small: each answer kept is an object every full garbage collection walks (at 16,384 they
# cost the parse more than they saved), and the repeats come within a guide.
@lru_cache(maxsize=1024)
def split_label(text: str) -> Labelled | None:
    """``**Term**: definition`` -> Labelled("Term", "definition"); None if no bold label leads."""
    m = _LABEL.match(strip_marker(text))
    if not m:
        return None
    label = m.group("label").strip().rstrip(":").strip()
    return Labelled(label, m.group("rest").strip()) if label else None


def split_plain_label(text: str) -> Labelled | None:
    m = _PLAIN_LABEL.match(strip_marker(text))
    return Labelled(m.group("label").strip(), m.group("rest").strip()) if m else None


def strip_marker(text: str) -> str:
    """Drop leading emoji/check markers: ``✅ **Better**: x`` -> ``**Better**: x``."""
    text = text.strip()
    m = _EMOJI.match(text)
    return text[m.end() :].strip() if m else text


def has_marker(text: str, marker: str) -> bool:
    return text.lstrip().startswith(marker)


def unquote(text: str) -> str:
    """Remove one pair of surrounding quotes and a trailing ellipsis kept inside them."""
    text = text.strip()
    if not text:
        return text
    if len(text) >= 2 and text[0] in QUOTES and text[-1] in QUOTES:
        text = text[1:-1].strip()
    elif text[:1] in QUOTES and text.count(text[0]) == 1:
        text = text[1:].strip()
    elif text[-1:] in QUOTES and text.count(text[-1]) == 1:
        text = text[:-1].strip()
    return text


# Every extractor reads the same lines through plain() (a question is plain-ed by the
# question list, the advice, the answer matcher...): about one call in five is new text.
@lru_cache(maxsize=16384)
def plain(md: str) -> str:
    """Inline markdown -> plain text (links to their text, emphasis and code marks removed)."""
    text = _LINK.sub(r"\1", md) if "](" in md else md  # the patterns are slow on long text without them
    if "*" in text or "_" in text or "`" in text:
        text = _MARKUP.sub("", text)
    return " ".join(text.split())  # as re.sub(r"\s+", " ") and strip(): both split on str.isspace


def no_emoji(text: str) -> str:
    return " ".join(_EMOJI.sub("", text).split())


def is_link_only(md: str) -> bool:
    """Navigation: an item or paragraph that is nothing but links and separators."""
    rest = _LINK.sub("", md)
    return bool(_LINK.search(md)) and not _WORD_CHAR.search(no_emoji(rest).replace("|", ""))


def words(text: str) -> list[str]:
    return _WORD.findall(plain(text).lower())


def lines(md: str) -> list[str]:
    return [ln.strip() for ln in md.split("\n") if ln.strip()]


def title_matches(section: Section, pattern: re.Pattern[str], depth: int = 99) -> bool:
    """Does the section's title, or one of its ``depth`` nearest ancestors', match?"""
    return any(_title_matches(t, pattern) for t in section.path[-(depth + 1) :])


@lru_cache(maxsize=1024)  # every extractor asks of a section's last titles; small as split_label's
def _title_matches(title: str, pattern: re.Pattern[str]) -> bool:
    return pattern.search(title) is not None


def sections(doc: Document) -> Iterator[Section]:
    """Every titled section in document order."""
    for section in doc.root.walk():
        if section.level:
            yield section


def list_items(blocks: tuple[Block, ...]) -> Iterator[ListItem]:
    """Top-level items of every list among ``blocks``."""
    for block in blocks:
        if isinstance(block, ListBlock):
            yield from block.items


def paragraphs(blocks: tuple[Block, ...]) -> Iterator[Paragraph]:
    for block in blocks:
        if isinstance(block, Paragraph):
            yield block


def truncate_words(text: str, limit: int) -> str:
    parts = text.split()
    return text if len(parts) <= limit else " ".join(parts[:limit]) + "…"


def first_sentence(text: str) -> str:
    m = re.match(r"(.+?[.!?])(\s|$)", text.strip(), re.DOTALL)
    return (m.group(1) if m else text).strip()


def to_markdown(blocks: tuple[Block, ...] | list[Block]) -> str:
    """Blocks back to block markdown, for a card's back: paragraphs, lists (nested ones
    indented), fenced code with its language, tables and quotes. Raw HTML and rules are
    left out: on a card they would only show as escaped source or a stray line."""
    return "\n\n".join(md for md in (_block_markdown(b) for b in blocks) if md)


# layout tags written inline ("text<br>", "<ins>key</ins>", "n<sup>2</sup>", an empty anchor
# "<a id="q2"></a>" for a table of contents to link to): cards escape raw HTML, so they would
# show as text; a code span is kept as written
_LAYOUT_TAG = re.compile(
    r"(`+).*?\1|[ \t]*<br\s*/?>[ \t]*\n?|</?(?:ins|u|sub|small|mark)>|<sup>|</sup>"
    r"|[ \t]*<a\s+(?:id|name)\s*=\s*[\"'][^\"'<>]*[\"']\s*(?:/>|>\s*</a>)[ \t]*",
    re.I | re.S,
)


def without_layout_tags(md: str) -> str:
    """Inline markdown without the layout tags cards would show escaped: ``<br>`` becomes a
    line break, ``<sup>2</sup>`` reads ``^2``, underline and the like keep their text."""
    def swap(m: re.Match[str]) -> str:
        tag = m.group().strip().lower()
        return m.group() if m.group(1) else "\n" if tag.startswith("<br") else "^" if tag == "<sup>" else ""
    return _LAYOUT_TAG.sub(swap, md).strip()


# a line the author's editor broke mid-sentence: long (at least 70 characters, as editors
# wrap at 80 or more), not ending a clause or a hard break, and the next line going on the
# sentence: in lower case ("...gives their memory" / "back to", also "*fulfilled*"), or,
# after a word, a comma or a full stop (where markdown itself puts only a space), with a
# code span ("...: if" / "`dist[u] + w < dist[v]`") or a capitalised word ("...the primary
# key in" / "InnoDB"). A label line ("Task: ..."), a line after a bold label or a question,
# and code pasted as text (a line with a code comment in it) stay apart.
_WRAPPED_LINE = re.compile(r"^(?:(?!\s#\s|\s//\s).){70,}$")
_GOES_ON = re.compile(r"[a-z(]|[*_][a-z]")  # after any wrapped line but a sentence's end
_GOES_ON_AFTER_WORD = re.compile(  # after a wrapped line ending in a word, a comma or a full stop
    r"`[^`\n]+`|(?![A-Z][\w '/&-]{0,30}?:(?:\s|$))[A-Z][\w'’-]*(?:[\s,.;)]|$)"
)


def unwrapped(md: str) -> str:
    """Inline markdown with the lines an editor wrapped joined again: a card renders each
    line break, so "...gives their memory" / "back to the heap" would break mid-sentence
    on a phone. Short lines ("Serial: one thread" / "Parallel: ...") are the author's own
    breaks and stay; so does code, in its own block."""
    if "\n" not in md:
        return md
    lines = md.split("\n")
    out = [lines[0]]
    for before, line in zip(lines, lines[1:], strict=False):
        if _wrapped(before, out[-1], line):
            out[-1] = out[-1].rstrip(" ") + " " + line
        else:
            out.append(line)
    return "\n".join(out)


def _wrapped(before: str, joined: str, line: str) -> bool:
    """Does ``line`` go on the sentence of the line ``before`` it (``joined``: that line with
    the lines it went on)? Lower case goes on only a line long as written ("Logs are in
    /lib/systemd" / "sudo systemctl ..." stay apart); a new sentence goes on a paragraph."""
    if before.endswith("  "):  # a hard break
        return False
    before, joined = before.rstrip(" "), joined.rstrip(" ")
    if _GOES_ON.match(line):
        return bool(_WRAPPED_LINE.match(before)) and before[-1] not in ".!?:;\\"
    return (bool(_WRAPPED_LINE.match(joined)) and joined[-1] not in "*_`!?:;\\"
            and bool(_GOES_ON_AFTER_WORD.match(line)))


def _block_markdown(block: Block) -> str:
    if isinstance(block, Paragraph):
        return unwrapped(without_layout_tags(block.text))
    if isinstance(block, ListBlock):
        out = []
        for n, item in enumerate(block.items, 1):
            marker = f"{n}. " if block.ordered else "- "
            body = [unwrapped(without_layout_tags(item.text))] + [_block_markdown(c) for c in item.children]
            text = "\n".join(b for b in body if b)
            out.append(marker + text.replace("\n", "\n" + " " * len(marker)))
        return "\n".join(out)
    if block.kind == "code":
        fence = "~~~" if "```" in block.text else "```"
        return f"{fence}{block.info}\n{block.text.rstrip()}\n{fence}"
    if block.kind == "table" and block.rows:
        header, *rows = block.rows
        table = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        table += ["| " + " | ".join(row) + " |" for row in rows]
        return "\n".join(table)
    if block.kind == "quote":
        inner = to_markdown(block.children)
        return "\n".join("> " + ln if ln else ">" for ln in inner.split("\n"))
    return ""
