"""Metrics to include (``**Time saved**: "Recovered 600 hours..."``) become Recall cards:
the metric in front, the guide's example figure behind.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..model import CardSpec, Document, Kind
from .labelled import MARKERS, labelled_lines
from .memo import once_per_document
from .text import sections, title_matches, unquote

METRIC_HEADING = re.compile(r"\bmetrics?\b|numbers to|quantif|measur(e|ing) (your )?impact", re.I)
# A sub-heading under a metrics heading that names other material is not metrics: its
# "❌ Vague: ..." / "✅ Better: ..." labels are a red flag's sides, not metrics to quote.
OTHER_MATERIAL = re.compile(r"red flags?|mistakes?|pitfalls?|\bavoid|\bdon'?t\b|questions?|framework|takeaways?", re.I)


@once_per_document
def extract(doc: Document) -> Iterator[CardSpec]:
    for section in sections(doc):
        if not title_matches(section, METRIC_HEADING, depth=1):
            continue
        if not METRIC_HEADING.search(section.title) and OTHER_MATERIAL.search(section.title):
            continue
        for entry in labelled_lines(section.blocks):
            if entry.marker or entry.label.startswith(MARKERS):  # "**❌ Vague**:" is a flag's side
                continue
            yield CardSpec(
                kind=Kind.METRIC,
                front=entry.label,
                back=unquote(entry.rest),
                label=entry.label,
                hint="Metric to include · example?",
                section_path=section.path,
                line=entry.line,
            )
