"""What a rendered note will look like: its height on a phone, and deletions that cut tags.

``check`` measures notes after ``render``, not their markdown, because what a learner sees
is the HTML: a code block is highlighted and smaller, a list gets bullets, a table gets
rows. The HTML is turned back into the plain lines ``screen`` measures (code fenced, list
items on their own lines, table rows as ``|`` rows).
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from html.parser import HTMLParser

from . import screen

_DELETION = re.compile(r"\{\{c\d+::(?P<body>.*?)\}\}", re.S)
_PRE = re.compile(r"<pre\b[^>]*>(?P<code>.*?)</pre>", re.S | re.I)
_BREAK = re.compile(r"<br\s*/?>|</(?:p|li|div|tr|h[1-6]|ul|ol|table)>", re.I)
_ITEM = re.compile(r"<li\b[^>]*>", re.I)
_CELL = re.compile(r"<t[dh]\b[^>]*>", re.I)
_TAG = re.compile(r"<[^>]+>")
VOID = frozenset({"br", "hr", "img", "wbr", "input", "meta", "link", "col"})


def text_of(field: str) -> str:
    """A field's HTML as the plain lines ``screen`` measures; deletions show their answer."""
    field = _DELETION.sub(lambda m: m["body"].split("::")[0], field)
    field = _PRE.sub(lambda m: "\n```\n" + html.unescape(_TAG.sub("", m["code"])).rstrip("\n") + "\n```\n", field)
    field = _ITEM.sub("\n- ", field)
    field = _CELL.sub(" | ", field)
    field = _BREAK.sub("\n", field)
    return html.unescape(_TAG.sub("", field))


def side_lines(fields: Sequence[str]) -> float:
    """Height, in text lines, of the answer side, which shows every field of the note."""
    return sum(screen.lines(text_of(f)) for f in fields if f.strip())


class Balance(HTMLParser):
    """Feeds HTML and keeps what does not nest: an end tag closing an element it is not in
    (``problems``) and elements left open (``stack``)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()
        else:
            self.problems.append(f"</{tag}> closes outside the deletion")


def crossings(field: str) -> list[str]:
    """What is wrong with each deletion that opens or closes a tag it does not hold whole."""
    out: list[str] = []
    for m in _DELETION.finditer(field):
        checker = Balance()
        checker.feed(m["body"].split("::")[0])
        checker.close()
        problems = checker.problems + [f"<{t}> is not closed inside the deletion" for t in checker.stack]
        out.extend(f"{{{{c..::{m['body'][:40]}}}}}: {p}" for p in problems)
    return out
