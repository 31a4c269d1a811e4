"""Guide text is text to learn, never instructions to Anki.

Anki reads more than HTML in a field. Before a card is shown it looks for bracket tags:
``[sound:file]`` plays (and autoplays), ``[anki:tts]...[/anki:tts]`` speaks,
``[latex]``, ``[$]`` and ``[$$]`` are typeset by running LaTeX. Then its reviewer runs
MathJax over the card, which turns ``\\(...\\)`` and ``\\[...\\]`` into math, and MathJax's
``\\href``, ``\\style``, ``\\class``, ``\\cssId``, ``\\unicode`` and ``\\require`` can make a
working ``javascript:`` link, fetch a remote file or load code.

``neutralise`` runs last on every rendered note, so no guide text can do any of that:

- a bracket tag's ``[`` becomes ``&#91;``: it looks the same, and Anki's tag patterns,
  which read the field's HTML source, no longer match;
- a MathJax delimiter gets a zero-width space after its backslash (``\\&#8203;(``): it
  looks the same, and MathJax, which reads the page's text, no longer finds it.

With ``math: true`` in ``deckbuilder.yaml`` the delimiters are kept, so authors can write
``\\(x^2\\)``, unless a field of the note uses a command outside the safe subset
(``UNSAFE``); then the whole note's math is shown as text. The check is per note, since
MathJax reads a card's fields as one text and a formula opened in one field could close
in the next.
"""

from __future__ import annotations

import html
import re

# the start of Anki's bracket tags (rslib: av tags and LaTeX), case-insensitive as Anki's are
_BRACKET_TAG = re.compile(r"\[(?=/?(?:sound:|anki:|latex\]|\$\$?\]))", re.I)
# a backslash that starts (or ends) MathJax's inline \( \) or display \[ \] math, as Anki configures it
_DELIMITER = re.compile(r"\\(?=[()\[\]])")
# MathJax commands that reach outside the formula: links, CSS, ids and classes, raw
# characters and fonts, extensions, attributes, and definitions that could hide any of them
UNSAFE = re.compile(
    r"\\(?:href|style|class|cssId|unicode|require|data|bbox|mmlToken|setOptions|"
    r"def|gdef|edef|xdef|let|newcommand|renewcommand|newenvironment|renewenvironment|"
    r"DeclareMathOperator)(?![A-Za-z])"
)
_TAG = re.compile(r"<[^>]*>")


def neutralise(fields: tuple[str, ...], *, math: bool = False) -> tuple[str, ...]:
    """A note's field HTML with Anki's bracket tags shown as text, and MathJax delimiters
    too unless ``math`` is on and no field uses an unsafe command."""
    out = tuple(_BRACKET_TAG.sub("&#91;", f) if "[" in f else f for f in fields)
    if math and not any(UNSAFE.search(html.unescape(_TAG.sub("", f))) for f in out if "\\" in f):
        return out
    return tuple(_DELIMITER.sub("\\\\&#8203;", f) if "\\" in f else f for f in out)
