"""Render a card side the way Anki does, for the part of Anki's template language ours use.

The preview shows cards without Anki, so this mirrors Anki's own output for:

- ``{{Field}}``: the field's HTML as stored (fields are already escaped by ``render``);
- ``{{#Field}}...{{/Field}}`` and ``{{^Field}}...{{/Field}}``: shown when the field is
  non-empty / empty; like Anki, a field of only whitespace, ``<br>`` and ``<div>`` tags
  counts as empty;
- ``{{FrontSide}}`` (the rendered question, on the answer side), ``{{Tags}}``,
  ``{{Type}}``, ``{{Deck}}``, ``{{Subdeck}}`` and ``{{Card}}``;
- ``{{cloze:Field}}`` for card number *n*: deletion *n* becomes
  ``<span class="cloze" data-cloze="…" data-ordinal="n">[...]</span>`` on the question
  (``[hint]`` for ``{{cN::text::hint}}``) and ``<span class="cloze" data-ordinal="n">text</span>``
  on the answer; every other deletion is ``<span class="cloze-inactive" data-ordinal="m">text</span>``.
  Deletions may nest; an unclosed ``{{cN::`` is dropped, as Anki drops it.

Anything else (other filters, ``{{type:…}}``, changed delimiters) raises ``TemplateError``
naming the template, rather than rendering something Anki would not. The tests compare
this output with Anki's own ``card.question()`` / ``card.answer()`` character for character.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from .errors import DeckbuilderError


class TemplateError(DeckbuilderError):
    """A card template uses Anki syntax the preview does not render; it names the template."""


# ---------- the template language: {{Field}}, {{#Field}}, {{^Field}}, {{/Field}} ----------

_TAG = re.compile(r"\{\{(.*?)\}\}", re.S)
_EMPTY_FIELD = re.compile(r"^(?:\s|</?(?:br|div)\s?/?>)*$", re.I)
SPECIAL_FIELDS = ("FrontSide", "Tags", "Type", "Deck", "Subdeck", "Card")


@dataclass(frozen=True)
class _Replace:
    name: str
    filters: tuple[str, ...]


@dataclass
class _Section:
    name: str
    negated: bool
    body: list[_Node] = field(default_factory=list)


_Node = str | _Replace | _Section


@dataclass(frozen=True)
class Side:
    """What a template is filled from: field values, the special fields, and the card."""

    fields: Mapping[str, str]
    ordinal: int = 1  # the card's number, 1-based (Anki's ord + 1)
    answer: bool = False
    front_side: str = ""
    specials: Mapping[str, str] = field(default_factory=dict)  # Tags, Type, Deck, Subdeck, Card


def render_template(template: str, side: Side, name: str = "template") -> str:
    """Fill ``template`` like Anki would for one side of one card."""
    return "".join(_render(_parse(template, name), side, name))


def _parse(template: str, name: str) -> list[_Node]:
    root: list[_Node] = []
    stack: list[_Section] = []
    pos = 0
    for match in _TAG.finditer(template):
        body = stack[-1].body if stack else root
        if match.start() > pos:
            body.append(template[pos:match.start()])
        pos = match.end()
        tag = match.group(1).strip()
        if tag[:1] in "#^":
            section = _Section(tag[1:].strip(), tag[0] == "^")
            body.append(section)
            stack.append(section)
        elif tag[:1] == "/":
            if not stack or stack[-1].name != tag[1:].strip():
                raise TemplateError(f"{{{{{tag}}}}} closes nothing that is open", name)
            stack.pop()
        elif tag[:1] in "=!>" or not tag:
            raise TemplateError(f"{{{{{tag}}}}} is not supported by the preview", name)
        else:
            *filters, field_name = tag.split(":")
            body.append(_Replace(field_name.strip(), tuple(f.strip() for f in filters)))
    if stack:
        raise TemplateError(f"{{{{#{stack[-1].name}}}}} is never closed", name)
    (stack[-1].body if stack else root).append(template[pos:])
    return root


def _render(nodes: list[_Node], side: Side, name: str) -> list[str]:
    out: list[str] = []
    for node in nodes:
        if isinstance(node, str):
            out.append(node)
        elif isinstance(node, _Section):
            shown = not _EMPTY_FIELD.match(_value(node.name, side, name))
            if shown != node.negated:
                out.extend(_render(node.body, side, name))
        else:
            out.append(_replace(node, side, name))
    return out


def _value(field_name: str, side: Side, name: str) -> str:
    if field_name in side.fields:
        return side.fields[field_name]
    if field_name == "FrontSide":
        return side.front_side if side.answer else ""
    if field_name in SPECIAL_FIELDS:
        return side.specials.get(field_name, "")
    raise TemplateError(f"{{{{{field_name}}}}}: the note type has no such field", name)


def _replace(node: _Replace, side: Side, name: str) -> str:
    value = _value(node.name, side, name)
    if not node.filters:
        return value
    if node.filters == ("cloze",):
        return render_cloze(value, side.ordinal, answer=side.answer)
    raise TemplateError(f"the filter {':'.join(node.filters)!r} is not supported by the preview", name)


# ---------- cloze deletions ----------

_CLOZE_TOKEN = re.compile(r"\{\{c(\d+)::|\}\}")


@dataclass
class _Cloze:
    ordinal: int
    body: list[str | _Cloze] = field(default_factory=list)
    hint: str | None = None


def parse_cloze(text: str) -> list[str | _Cloze]:
    """Text and (nested) deletions, split the way Anki splits them."""
    root: list[str | _Cloze] = []
    stack: list[_Cloze] = []
    pos = 0
    for match in _CLOZE_TOKEN.finditer(text):
        if match.start() > pos:
            _add_text(text[pos:match.start()], stack, root)
        pos = match.end()
        if match.group(1) is not None:
            stack.append(_Cloze(int(match.group(1))))
        elif stack:
            cloze = stack.pop()
            (stack[-1].body if stack else root).append(cloze)
        else:
            root.append(match.group(0))
    if not stack:  # an unclosed deletion and everything after it are dropped
        root.append(text[pos:])
    return root


def _add_text(chunk: str, stack: list[_Cloze], root: list[str | _Cloze]) -> None:
    """Inside a deletion, ``::`` starts its hint, up to the next deletion or its end."""
    if not stack:
        root.append(chunk)
        return
    if "::" in chunk:
        chunk, stack[-1].hint = chunk.split("::", 1)
    stack[-1].body.append(chunk)


def cloze_ordinals(text: str) -> list[int]:
    """The card numbers a cloze field makes, in order (``[1]`` if it has no deletions)."""
    found: set[int] = set()

    def walk(nodes: list[str | _Cloze]) -> None:
        for node in nodes:
            if isinstance(node, _Cloze):
                found.add(node.ordinal)
                walk(node.body)

    walk(parse_cloze(text))
    return sorted(n for n in found if n > 0) or [1]


def template_ordinals(cloze: bool, text: str) -> tuple[int, ...]:
    """The template ordinal of each card a note makes: its one card, or one per cloze
    number of its first field ``text`` (Anki's ``ord`` is the number less one)."""
    return tuple(k - 1 for k in cloze_ordinals(text)) if cloze else (0,)


def render_cloze(text: str, ordinal: int, *, answer: bool) -> str:
    return "".join(_cloze_html(node, ordinal, answer) for node in parse_cloze(text))


def _cloze_html(node: str | _Cloze, ordinal: int, answer: bool) -> str:
    if isinstance(node, str):
        return node
    inner = "".join(_cloze_html(child, ordinal, answer) for child in node.body)
    n = node.ordinal
    if n != ordinal:
        return f'<span class="cloze-inactive" data-ordinal="{n}">{inner}</span>'
    if answer:
        return f'<span class="cloze" data-ordinal="{n}">{inner}</span>'
    shown = node.hint if node.hint is not None else "..."
    return f'<span class="cloze" data-cloze="{encode_attribute(inner)}" data-ordinal="{n}">[{shown}]</span>'


_NAMED = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}


def encode_attribute(text: str) -> str:
    """Anki's attribute escaping: ASCII letters and digits kept, other Latin-1 as ``&#xHH;``."""
    out = []
    for ch in text:
        if ch in _NAMED:
            out.append(_NAMED[ch])
        elif (ch.isascii() and ch.isalnum()) or ord(ch) > 0xFF:
            out.append(ch)
        else:
            out.append(f"&#x{ord(ch):X};")
    return "".join(out)
