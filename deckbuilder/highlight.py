"""Syntax highlighting for code on cards, with Pygments' lexers and our own few colours.

Pygments knows how to tokenise some 500 languages, far better than anything hand-written
here. Its own HTML formatter, though, emits one of ~80 token classes with a theme's
colours; a card needs a handful of colours that keep 4.5:1 contrast in light and night
mode (``templates/cards.css``: ``.hl-kw`` and friends). So each token is folded into one of
six classes, and everything else stays plain text.

Only a fence that names its language is highlighted; guessing a language is slow and
often wrong, and a wrong guess is worse than plain code.
"""

from __future__ import annotations

import html
from functools import lru_cache
from typing import Any

# token type (as Pygments names it) -> our class; the first match up the type's parents wins
_CLASSES = (
    ("Comment", "hl-cm"),
    ("Literal.String", "hl-st"),
    ("Literal.Number", "hl-nu"),
    ("Keyword.Constant", "hl-nu"),
    ("Keyword", "hl-kw"),
    ("Name.Builtin", "hl-bi"),
    ("Name.Function", "hl-fn"),
    ("Name.Class", "hl-fn"),
    ("Name.Decorator", "hl-bi"),
    ("Name.Tag", "hl-kw"),
    ("Name.Attribute", "hl-bi"),
    ("Operator.Word", "hl-kw"),
)


@lru_cache(maxsize=64)
def _lexer(language: str) -> Any:
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    try:
        return get_lexer_by_name(language, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return None


@lru_cache(maxsize=512)
def _css_class(token_type: Any) -> str:
    name = str(token_type)[len("Token.") :]
    for prefix, css in _CLASSES:
        if name == prefix or name.startswith(prefix + "."):
            return css
    return ""


def highlight(code: str, language: str) -> str:
    """``code`` as escaped HTML with ``<span class="hl-…">`` around tokens; plain escaped
    text when the language is empty or unknown."""
    lexer = _lexer(language.lower()) if language else None
    if lexer is None:
        return html.escape(code, quote=False)
    out = []
    for token_type, value in lexer.get_tokens(code):
        text = html.escape(value, quote=False)
        css = _css_class(token_type) if value.strip() else ""
        out.append(f'<span class="{css}">{text}</span>' if css else text)
    return "".join(out)
