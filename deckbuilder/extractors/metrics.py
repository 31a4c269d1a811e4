"""Metrics to include (``**Time saved**: "Recovered 600 hours..."``) become Recall cards:
the metric in front, the guide's example figure behind.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..model import CardSpec, Document, Kind
from .labelled import labelled_lines
from .memo import once_per_document
from .text import sections, title_matches, unquote

METRIC_HEADING = re.compile(r"\bmetrics?\b|numbers to|quantif|measur(e|ing) (your )?impact", re.I)


@once_per_document
def extract(doc: Document) -> Iterator[CardSpec]:
    for section in sections(doc):
        if not title_matches(section, METRIC_HEADING, depth=1):
            continue
        for entry in labelled_lines(section.blocks):
            yield CardSpec(
                kind=Kind.METRIC,
                front=entry.label,
                back=unquote(entry.rest),
                label=entry.label,
                hint="Metric to include · example?",
                section_path=section.path,
                line=entry.line,
            )
