"""Extractors whose cards other extractors read too, run once per document.

``advice`` reads the themes, frameworks, red flags and metrics of a guide to build
question backs, and ``definitions`` reads themes and metrics to leave their lines alone;
each of those extractors also runs on its own. Red flags alone were a tenth of a cold
build's extraction when run twice, so each keeps the cards of the last document it read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps

from ..model import CardSpec, Document


def once_per_document(extract: Callable[[Document], Iterable[CardSpec]]) -> Callable[[Document], tuple[CardSpec, ...]]:
    """``extract`` with its cards kept for the last document (by identity: documents are
    frozen, and the one kept is held, so no other document can take its id)."""
    last: tuple[Document, tuple[CardSpec, ...]] | None = None

    @wraps(extract)
    def cached(doc: Document) -> tuple[CardSpec, ...]:
        nonlocal last
        if last is None or last[0] is not doc:
            last = (doc, tuple(extract(doc)))
        return last[1]

    return cached
