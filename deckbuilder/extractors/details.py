"""``<details><summary>question</summary>answer</details>``: the question and its answer.

A guide written for GitHub hides each answer under its question with ``<details>``. The
answer sits in the same html block (``<summary>Q</summary><br><b>A</b></details>``, its
simple tags mapped to markdown) or in the markdown blocks that follow, up to the
``</details>`` (which may hide on the answer's last line). ``answers`` makes the cards;
``outside_details`` tells the other extractors which blocks are answers, not lists of
questions.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

from ..model import Block, ListBlock, ListItem, Opaque, Paragraph, Section
from .asking import asks

_SUMMARY = re.compile(r"<summary[^>]*>(?P<q>.*?)</summary>(?P<rest>.*)", re.I | re.DOTALL)
_DETAILS_END = re.compile(r"</details\s*>", re.I)


def outside_details(blocks: tuple[Block, ...]) -> Iterator[Block]:
    """The blocks that are not part of a ``<details>`` answer: a list inside one is that
    answer's steps, not a list of questions."""
    inside = False
    for block in blocks:
        if isinstance(block, Opaque) and block.kind == "html" and re.search(r"</?details\b", block.text, re.I):
            inside = bool(re.search(r"<details\b", block.text, re.I)) and not _DETAILS_END.search(block.text)
        elif inside:
            inside = not _before_end(block)[1]
        else:
            yield block


def questions(section: Section) -> Iterator[tuple[str, list[Block], int]]:
    """Each ``<details>`` whose summary asks: its question, its answer's blocks, its line."""
    blocks = section.blocks
    for n, block in enumerate(blocks):
        if not (isinstance(block, Opaque) and block.kind == "html" and "<details" in block.text.lower()):
            continue
        m = _SUMMARY.search(block.text)
        question = _html_markdown(m["q"]).replace("\n", " ") if m else ""
        if not m or not asks(question):
            continue
        inner, closed = _DETAILS_END.split(m["rest"], maxsplit=1)[0], bool(_DETAILS_END.search(m["rest"]))
        if not closed and not re.search(r"</(?:b|strong)>", inner, re.I):
            inner = _OPEN_BOLD.sub("", inner)  # closed on the answer's last line, in another block
        answer: list[Block] = [Paragraph(md, block.line) for md in [_html_markdown(inner)]
                               if md.strip("*_ \n")]  # "<br><b>\n</b>": an answer left empty
        for after in [] if closed else blocks[n + 1 :]:
            if isinstance(after, Opaque) and after.kind == "html" and re.search(r"</?details\b", after.text, re.I):
                break  # its end, or the next block when this one's end hides in the answer's last line
            kept, ended = _before_end(after)
            answer += [kept] if kept else []
            if ended:
                break
        yield question, answer, block.line


# "<summary>Q</summary><br><b>" then the answer, then "</b></details>": the bold wraps the
# whole answer across blank lines, so markdown sees an opening tag alone and a closing one
# on the answer's last line (a lazy continuation); neither is emphasis on the card.
_OPEN_BOLD = re.compile(r"<(?:b|strong)>", re.I)
_CLOSE = re.compile(r"\s*(?:</(?:b|strong)>\s*)*</details\s*>.*", re.I | re.DOTALL)


def _before_end(block: Block) -> tuple[Block | None, bool]:
    """The part of a block before a ``</details>`` written on its last line, and whether
    it held one: the answer ends there, and what follows belongs to the next question."""
    if isinstance(block, Paragraph) and _DETAILS_END.search(block.text):
        text = _CLOSE.sub("", block.text).strip()
        return (Paragraph(text, block.line) if text else None), True
    if isinstance(block, ListBlock):
        items: list[ListItem] = []
        for item in block.items:
            if _DETAILS_END.search(item.text):
                text = _CLOSE.sub("", item.text).strip()
                items += [ListItem(text, item.line)] if text else []
                return (ListBlock(block.ordered, tuple(items), block.line) if items else None), True
            children: list[Block] = []
            for child in item.children:
                kept, ended = _before_end(child)
                children += [kept] if kept else []
                if ended:
                    items.append(ListItem(item.text, item.line, tuple(children)))
                    return ListBlock(block.ordered, tuple(items), block.line), True
            items.append(item)
    return block, False


_TAGS = [
    (re.compile(r"<pre[^>]*>\s*<code(?:\s+class=\"(?:language-)?(?P<lang>[\w+-]+)\")?[^>]*>(?P<code>.*?)</code>\s*</pre>",
                re.I | re.DOTALL), lambda m: f"\n\n```{m['lang'] or ''}\n{m['code'].strip()}\n```\n\n"),
    (re.compile(r"<code[^>]*>(.*?)</code>", re.I | re.DOTALL), lambda m: f"`{m[1]}`"),
    (re.compile(r"</?(?:b|strong)>", re.I), lambda m: "**"),
    (re.compile(r"</?(?:i|em)>", re.I), lambda m: "*"),
    (re.compile(r"<br\s*/?>", re.I), lambda m: "\n"),
    (re.compile(r"<li[^>]*>", re.I), lambda m: "\n- "),
    (re.compile(r"</?(?:p|div|ul|ol)[^>]*>", re.I), lambda m: "\n\n"),
    (re.compile(r"<[^>]+>"), lambda m: ""),
]


def _html_markdown(fragment: str) -> str:
    """The inside of a one-block ``<details>``, as block markdown (its simple tags mapped)."""
    for pattern, to in _TAGS:
        fragment = pattern.sub(to, fragment)
    fragment = html.unescape(fragment)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(ln.strip() for ln in fragment.strip().split("\n")))


