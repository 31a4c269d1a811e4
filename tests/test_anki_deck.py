"""Real decks built through the CLI and imported into a fresh collection with the anki library."""

from __future__ import annotations

import os
import re
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from .conftest import SEED, SEED_NOTES, card_texts, copy_seed, import_apkg, run_cli

MOJIBAKE = re.compile(r"‚Ä|‚Ü|‚ú|‚ù|√©|â€|Ã|ðŸ|\ufffd")


@pytest.fixture(scope="module")
def seed_deck(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("guides")
    out = folder / "seed.apkg"
    result = run_cli("build", str(copy_seed(folder)), "-o", str(out))
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def imported(seed_deck, tmp_path_factory):
    from anki.collection import Collection

    col = Collection(str(tmp_path_factory.mktemp("col") / "c.anki2"))
    log = import_apkg(col, seed_deck)
    yield col, log, card_texts(col)
    col.close()


def test_cli_prints_summary_and_output(seed_dir: Path) -> None:
    out = seed_dir / "deck.apkg"
    result = run_cli("build", str(seed_dir), "-o", str(out))
    assert result.exit_code == 0
    assert f"initiative-proactivity.md: {SEED_NOTES} notes (50 recall, 8 cloze, 5 red flag)" in result.stdout
    assert f"wrote {SEED_NOTES} notes to {out}" in result.stdout
    assert "repaired broken encoding" in result.stderr
    umask = os.umask(0)
    os.umask(umask)
    for written in (out, seed_dir / "deckbuilder.lock"):  # not mkstemp's owner-only 0600
        assert written.stat().st_mode & 0o777 == 0o666 & ~umask


def test_notes_per_note_type(imported) -> None:
    col, log, _ = imported
    assert len(log.new) == SEED_NOTES
    counts = Counter(col.get_note(nid).note_type()["name"] for nid in col.find_notes(""))
    assert counts == {"Deckbuilder Recall": 50, "Deckbuilder Cloze": 8, "Deckbuilder Red Flag": 5}


def test_every_card_renders_clean(imported) -> None:
    _, _, cards = imported
    assert len(cards) >= SEED_NOTES
    for card in cards:
        for side in ("q", "a"):
            text = card[side]
            assert text, card
            assert not MOJIBAKE.search(text), (side, text)
            assert "**" not in text and "](" not in text, (side, text)
            assert not re.search(r"&(amp|lt|gt|quot|#\d+);|\\[*_\[\]`]", text), (side, text)
            assert "{{" not in text and "}}" not in text, (side, text)
        assert 'id="answer"' in card["a_html"] or "id=answer" in card["a_html"]


def test_known_cards(imported) -> None:
    _, _, cards = imported
    by_q = {c["q"]: c for c in cards}
    ladder = [c for c in cards if "Initiative Ladder" in c["q"] and "[...]" in c["q"]]
    assert len(ladder) == 5  # one card per step
    flag = next(c for c in cards if c["notetype"] == "Deckbuilder Red Flag" and "Nobody told me" in c["q"])
    assert "Waiting for permission" in flag["q"]
    assert "I saw the need and took action..." in flag["a"]
    assert "I saw the need" not in flag["q"]
    theme = next(c for q, c in by_q.items() if q.startswith("Key theme") and "Curiosity" in q)
    assert "Asking 'why' and 'what if'" in theme["a"]
    star = next(c for c in cards if "Sample answer" in c["q"] and "saw an opportunity others missed" in c["q"])
    assert "Validated the Opportunity" in star["a"]
    assert "$270K ARR from API subscriptions" in star["a"]


def test_decks_tags_and_order(imported) -> None:
    col, _, cards = imported
    assert {c["deck"] for c in cards} == {"Interview Prep::Initiative & Proactivity"}
    assert all(" " not in tag for c in cards for tag in c["tags"].split())
    assert any("deckbuilder::initiative-proactivity::common-questions::taking-initiative" in c["tags"] for c in cards)
    first = col.get_card(min(col.find_cards("is:new"), key=lambda cid: col.get_card(cid).due))
    assert first.note()["Front"] == "Tell me about a time you took initiative without being asked"


def test_building_twice_gives_same_guids(tmp_path: Path) -> None:
    guids = []
    for n in range(2):
        out = tmp_path / f"{n}.apkg"
        (tmp_path / "guides" / "deckbuilder.lock").unlink(missing_ok=True)  # identity alone, no lock
        assert run_cli("build", str(copy_seed(tmp_path / "guides")), "-o", str(out)).exit_code == 0
        guids.append(_guids(out))
    assert guids[0] == guids[1] and len(guids[0]) == SEED_NOTES


def test_raw_and_repaired_seed_build_identical_cards(tmp_path: Path, collection) -> None:
    from anki.collection import Collection

    from deckbuilder.encoding import repair_mojibake

    fixed_dir = tmp_path / "fixed"
    fixed_dir.mkdir()
    (fixed_dir / SEED.name).write_text(repair_mojibake(SEED.read_text(encoding="utf-8"))[0], encoding="utf-8")
    texts = []
    raw = copy_seed(tmp_path / "raw")
    for name, src in (("raw", raw), ("fixed", fixed_dir / SEED.name)):
        out = tmp_path / f"{name}.apkg"
        assert run_cli("build", str(src), "-o", str(out)).exit_code == 0
        col = Collection(str(tmp_path / f"{name}.anki2"))
        import_apkg(col, out)
        texts.append(sorted((c["guid"], c["q_html"], c["a_html"]) for c in card_texts(col)))
        col.close()
    assert texts[0] == texts[1]


def _guids(apkg: Path) -> set[str]:
    import sqlite3
    import tempfile

    with zipfile.ZipFile(apkg) as z, tempfile.TemporaryDirectory() as d:
        z.extract("collection.anki2", d)
        conn = sqlite3.connect(Path(d) / "collection.anki2")
        rows = {r[0] for r in conn.execute("SELECT guid FROM notes")}
        conn.close()
    return rows


def test_cloze_syntax_in_a_recall_front_makes_one_ordinary_card(tmp_path_factory) -> None:
    from .conftest import import_guide

    guide = "# Anki\n\n## Common Questions\n1. What does `{{c2::x}}` do in an Anki note?\n   - It marks a cloze.\n"
    col = import_guide(tmp_path_factory, "anki.md", guide)
    try:
        (cid,) = col.find_cards("")
        card = col.get_card(cid)
        assert card.ord == 0 and card.note().note_type()["name"] == "Deckbuilder Recall"
        assert "{{c2::x}}" in card.question()
    finally:
        col.close()
