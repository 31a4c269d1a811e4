"""Property: whatever markdown a guide holds, a build either fails with a DeckbuilderError
(a message for people) or writes a deck that Anki imports and renders, card by card.

Inputs are the real guides (the seed and the family fixtures) mangled by random line
edits and insertions of markdown's sharp edges (emphasis, cloze braces, comments,
backticks, tables, headings, emoji, very long lines), and documents assembled from
those edges alone. No NUL bytes: a NUL marks a binary file, which the reader refuses.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deckbuilder.build import build
from deckbuilder.errors import DeckbuilderError

from .conftest import FIXTURES, SEED, import_apkg

BASES = [SEED.read_text(encoding="utf-8")] + [
    p.read_text(encoding="utf-8") for p in sorted((FIXTURES / "family").rglob("*.md"))
]
EDGES = [
    "**", "__", "*", "_", "{{", "}}", "::", "{{c1::", "{{c2::x::y}}", "{{c0::", "==", "==x==", "<!--", "-->",
    "<!-- deckbuilder: skip -->", "<!-- deckbuilder: nope -->", "`", "``", "```", "```python", "~~~",
    "| a | b |", "|---|---|", "| 1 | 2 |", "#", "# ", "## ", "### ", "###### ", "### Q1: ", "Q: ", "A: ",
    "**Q:** ", "**A:** ", "- ", "* ", "1. ", "2) ", "   - ", "> ", "---", "***", "❌ **Bad**: ",
    "✅ **Better**: ", "**Situation:**", "**Task:**", "**Action:**", "**Result:**", "**Key Takeaway:**",
    "Value = (Impact × Scope) / Effort", "![alt](http://example.com/x.png)", "[link](javascript:x)",
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "&amp;", "&#0;", "\\", "\t", "\r\n",
    "🚀", "👍🏽", "👨‍👩‍👧", "\u200d", "\ufeff", "\u202e", "é", "‚Äô", "√©", "Ã©", "ðŸ", "\ue000",
]
ODD_TEXT = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=30)
REPEATED = st.builds(lambda edge, n: edge * n, st.sampled_from(EDGES), st.integers(1, 40))
SNIPPET = st.one_of(st.sampled_from(EDGES), ODD_TEXT, REPEATED)
LONG_LINE = st.builds(
    lambda word, n: " ".join([word] * n),
    st.sampled_from(["word", "**bold**", "==x==", "{{c1::y}}"]),
    st.integers(500, 3000),
)

MUTATION = st.one_of(
    st.tuples(st.just("delete"), st.integers(0, 10_000)),
    st.tuples(st.just("duplicate"), st.integers(0, 10_000)),
    st.tuples(st.just("swap"), st.integers(0, 10_000), st.integers(0, 10_000)),
    st.tuples(st.just("insert"), st.integers(0, 10_000), SNIPPET),
    st.tuples(st.just("splice"), st.integers(0, 10_000), st.integers(0, 200), SNIPPET),
    st.tuples(st.just("insert"), st.integers(0, 10_000), LONG_LINE),
)


def mutate(text: str, mutations: list[tuple]) -> str:
    lines = text.split("\n")
    for op, at, *rest in mutations:
        i = at % (len(lines) + 1)
        if op == "delete" and lines:
            del lines[i % len(lines)]
        elif op == "duplicate" and lines:
            lines.insert(i, lines[i % len(lines)])
        elif op == "swap" and lines:
            j = rest[0] % len(lines)
            i %= len(lines)
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "insert":
            lines.insert(i, rest[0])
        elif op == "splice" and lines:
            line = lines[i % len(lines)]
            pos = rest[0] % (len(line) + 1)
            lines[i % len(lines)] = line[:pos] + rest[1] + line[pos:]
    return "\n".join(lines)


MUTATED = st.builds(mutate, st.sampled_from(BASES), st.lists(MUTATION, max_size=25))
ASSEMBLED = st.lists(st.one_of(st.sampled_from(EDGES), SNIPPET, st.sampled_from(BASES[0].split("\n")[:200])),
                     max_size=60).map("\n".join)
GUIDE = st.one_of(MUTATED, MUTATED, ASSEMBLED)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(guides=st.lists(GUIDE, min_size=1, max_size=2))
def test_any_markdown_builds_a_deck_anki_imports_or_fails_for_people(guides: list[str]) -> None:
    from anki.collection import Collection

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "guides"
        folder.mkdir()
        for n, text in enumerate(guides):
            (folder / f"guide-{n}.md").write_bytes(text.encode("utf-8"))
        out = Path(tmp) / "deck.apkg"
        try:
            result = build([folder], out)
        except DeckbuilderError as err:
            assert str(err).strip()  # a message for people, not an empty one
            return
        col = Collection(str(Path(tmp) / "collection.anki2"))
        try:
            log = import_apkg(col, out)
            assert len(log.new) == result.summary.note_count
            for cid in col.find_cards(""):
                card = col.get_card(cid)
                assert card.question().strip() and card.answer().strip()
            assert len(col.find_notes("")) == result.summary.note_count
        finally:
            col.close()
