"""Definitions and comparison-table rows, end to end: a technical guide built through the
CLI and imported with the anki library gives one Recall note per term and per compared
thing, with the section as context; layout tables give none; and each card reads well on a
phone in light and night mode (Chromium at 390x844, the checks of tests/chromium.py), the
side no taller than one screen.

The shapes one by one are in fixtures/cases/definitions.md and fixtures/cases/tables.md;
material this extractor leaves to others (answers to a question, Q/A pairs, mistakes) is
checked here on the extractor alone, whatever cards those others make of it.
"""

from __future__ import annotations

import pytest

from deckbuilder.extractors import definitions, tables
from deckbuilder.reader import parse_source
from deckbuilder.screen import ANSWER_LINES, fits
from deckbuilder.sections import build_document

from .chromium import PHONE, anki_page, measure, problems
from .conftest import card_texts, import_guide

GUIDE = """\
# Caching for Backend Interviews

| What this covers | How to use it |
|---|---|
| Cache patterns, eviction and the words interviewers use. | Cover the right column and answer out loud. |

## Vocabulary

**Cache hit ratio** — the share of reads served from the cache instead of the database;
below about 80% a cache rarely pays for itself.

**TTL:** how long an entry may be served before it must be fetched again.

Eviction
: Removing entries when the cache is full, usually the least recently used first (LRU).

## Caching strategies

| Approach | Latency | When to use |
|---|---|---|
| Cache-aside | a miss costs a database read plus a cache write | read-heavy data that may be slightly stale |
| Write-through | every write pays for both cache and database | data that is read right after it is written |
| Write-back | the fastest writes; the database is updated later | write-heavy data that may lose a few writes |

### Redis

**Time complexity**: O(1) for `GET` and `SET` on a single key.

**Pros:**
- in-memory reads in well under a millisecond
- data structures (lists, sets, sorted sets) beyond plain strings

### Redis vs Memcached

| Aspect | Redis | Memcached |
|---|---|---|
| Data types | strings, lists, sets, sorted sets, hashes | strings only |
| Persistence | snapshots and an append-only file | none: a restart empties it |

## Glossary

- LRU: evicts the entry that was used least recently when the cache is full.

### Thundering herd
Many clients miss the same expired key at once and all hit the database together.

## Before the interview

| Task | Done |
|---|---|
| Draw the cache-aside read path | [ ] |
| Explain one eviction policy | [ ] |
"""


@pytest.fixture(scope="module")
def cards(tmp_path_factory):
    col = import_guide(tmp_path_factory, "caching.md", GUIDE)
    try:
        yield [c for c in card_texts(col) if c["notetype"] == "Deckbuilder Recall"]
    finally:
        col.close()


def _card(cards, front: str) -> dict[str, str]:
    found = [c for c in cards if front in c["q"]]
    assert len(found) == 1, f"{len(found)} cards for {front!r}: {[c['q'] for c in cards]}"
    return found[0]


def test_every_term_is_a_definition_card(cards) -> None:
    for front, answer in [
        ("Cache hit ratio", "below about 80%"),
        ("TTL", "fetched again"),
        ("Eviction", "least recently used"),
        ("Redis: time complexity", "O(1) for GET and SET"),
        ("Redis: pros", "sorted sets"),
        ("LRU", "least recently"),
        ("Thundering herd", "hit the database together"),
    ]:
        card = _card(cards, front)
        assert "kind::definition" in card["tags"]
        assert answer in card["a"], card["a"]
    assert "Definition · Vocabulary" in _card(cards, "TTL")["q"]


def test_every_compared_thing_is_a_table_row_card(cards) -> None:
    rows = [c for c in cards if "kind::table-row" in c["tags"]]
    assert len(rows) == 5
    card = _card(rows, "Write-through")
    assert "Caching strategies · Latency, When to use" in card["q"]
    assert "Latency : every write pays for both cache and database" in card["a"]
    assert "When to use : data that is read right after it is written" in card["a"]
    card = _card(rows, "Redis vs Memcached: persistence")
    assert "Memcached : none: a restart empties it" in card["a"]


def test_layout_and_checklist_tables_give_no_card(cards) -> None:
    texts = " ".join(c["q"] + " " + c["a"] for c in cards)
    for junk in ("What this covers", "Cover the right column", "Draw the cache-aside", "Done"):
        assert junk not in texts
    assert len(cards) == 12


@pytest.mark.parametrize("night", [False, True], ids=["light", "night"])
def test_cards_fit_a_phone_and_read_well(browser, cards, night: bool) -> None:
    page = browser.new_page(viewport=PHONE)
    failures = []
    try:
        for card in cards:
            for side in ("q_html", "a_html"):
                css = card[side].split("<style>", 1)[1].split("</style>", 1)[0] if "<style>" in card[side] else ""
                m = measure(page, anki_page(card[side], css, night=night))
                failures += [f"{side} of {card['q'][:40]!r}: {p}" for p in problems(m)]
                height = page.evaluate("document.documentElement.scrollHeight")
                if height > PHONE["height"]:
                    failures.append(f"{side} of {card['q'][:40]!r}: {height}px tall")
    finally:
        page.close()
    assert not failures, "\n".join(failures)


def _document(markdown: str):
    return build_document(parse_source(("# Guide\n\n" + markdown).encode(), "case.md", "case.md"))


def _definitions(markdown: str) -> list[str]:
    """Fronts of the definitions extractor alone: what it leaves to the others stays out,
    whatever cards those others make of it."""
    return [spec.front for spec in definitions.extract(_document(markdown))]


@pytest.mark.parametrize(
    "markdown",
    [
        "## What is a Pod?\n- **Contains:** one or more containers scheduled together.\n"
        "- **Analogy:** a box of toys that always move together.\n",
        "## Q3: Explain ACID\n- **Atomicity**: a transaction happens completely or not at all.\n",
        "## What is binary search?\n**Time complexity**: O(log n)\n",
        "## Rapid fire\n**Q:** What does a load balancer do?\n**A:** It spreads requests over healthy servers.\n",
        "## Networking\n**What is a CDN?**: a network of servers that cache content near users.\n",
        "## Common mistakes\n- **Premature optimisation**: tuning code before measuring where time goes.\n",
        "## Indexes\n**Key takeaway:** index the columns your slow queries filter on.\n\n"
        "**How to fix**: read the query plan before adding an index.\n",
    ],
    ids=["question-answer parts", "numbered question", "property of a question", "Q/A labels",
         "bold question", "mistakes", "takeaway and fix labels"],
)
def test_left_to_other_extractors(markdown: str) -> None:
    assert _definitions(markdown) == []


def test_a_table_under_a_question_leaves_the_question_to_the_context() -> None:
    """The question heading is the card's breadcrumb already; the hint names the columns."""
    specs = list(tables.extract(_document(
        "## Q2: Explain the isolation levels and the anomalies each one allows\n\n"
        "| Level | Dirty reads | Phantom reads |\n|---|---|---|\n"
        "| Read committed | prevented | possible |\n| Serializable | prevented | prevented |\n"
    )))
    assert [(s.front, s.hint) for s in specs] == [
        ("Read committed", "Dirty reads, Phantom reads"),
        ("Serializable", "Dirty reads, Phantom reads"),
    ]


def test_a_long_definition_keeps_whole_sentences_on_one_screen() -> None:
    sentence = "A write-ahead log records every change before the data pages are touched, in order. "
    spec = next(definitions.extract(_document("## Storage\n\n**WAL**: " + sentence * 12 + "\n")))
    assert fits(spec.back, ANSWER_LINES) and spec.extra
    assert spec.back.endswith(".") and (spec.back + " " + spec.extra).split() == (sentence * 12).split()


def test_a_wide_row_keeps_its_first_columns_on_one_screen() -> None:
    header = "| Engine | " + " | ".join(f"Trait {n}" for n in range(1, 13)) + " |"
    cells = " | ".join("an answer of about ten words that fills one whole line" for _ in range(12))
    markdown = f"## Engines\n\n{header}\n|{'---|' * 13}\n| InnoDB | {cells} |\n| MyISAM | {cells} |\n"
    spec = next(tables.extract(_document(markdown)))
    assert fits(spec.back, ANSWER_LINES) and spec.back.startswith("- **Trait 1**:")
    assert spec.extra.endswith("fills one whole line") and "**Trait 12**" in spec.extra
