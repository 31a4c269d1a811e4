"""Real cards in real Chromium at phone size, light and night: no sideways scrolling,
main text >= 16px, every text >= 4.5:1 contrast. The cards are Anki's own rendering
(``card.question()`` / ``card.answer()`` of the seed deck imported with the anki library).

Without Chromium or Playwright these tests skip locally and fail in CI (``CI`` set).
Run with ``-s`` to see the measured minima per note type and mode.
"""

from __future__ import annotations

import shutil
from collections import defaultdict
from pathlib import Path

import pytest

from .chromium import MIN_CONTRAST, MIN_FONT_PX, PHONE, anki_page, contrast_ratio, measure, problems
from .conftest import SEED, import_apkg, run_cli

pytestmark = pytest.mark.slow  # every card drawn in Chromium

NOTE_TYPES = ("Deckbuilder Recall", "Deckbuilder Cloze", "Deckbuilder Red Flag")
MODES = {"light": False, "night": True}


@pytest.fixture
def page(browser):
    page = browser.new_page(viewport=PHONE)
    yield page
    page.close()


RENDER = Path(__file__).resolve().parent / "fixtures" / "render"
# technical.md: answers with highlighted code and a table; code-flags.md: red flags shown in
# code (a pair in one block, a pair in two blocks with a long line, a fix list as Extra) and a
# what-to-avoid card. Code must stay readable on a phone too.


def _deck_cards(tmp_path_factory, guide: Path) -> dict[str, list[dict[str, object]]]:
    """Every card of one guide's deck, as Anki renders it, by note type."""
    from anki.collection import Collection

    folder = tmp_path_factory.mktemp("guides")
    shutil.copy(guide, folder / guide.name)
    apkg = folder.parent / f"{folder.name}.apkg"
    result = run_cli("build", str(folder), "-o", str(apkg))
    assert result.exit_code == 0, result.output
    col = Collection(str(tmp_path_factory.mktemp("col") / "c.anki2"))
    import_apkg(col, apkg)
    cards: dict[str, list[dict[str, object]]] = defaultdict(list)
    for cid in col.find_cards(""):
        card = col.get_card(cid)
        note = card.note()
        notetype = note.note_type()
        cards[notetype["name"]].append({
            "question": card.question(), "answer": card.answer(), "css": notetype["css"],
            "ordinal": card.ord + 1, "fields": dict(note.items()), "guid": note.guid,
        })
    col.close()
    return cards


@pytest.fixture(scope="module")
def seed_cards(tmp_path_factory):
    """Every card of the seed deck, by note type."""
    return _deck_cards(tmp_path_factory, SEED)


@pytest.fixture(scope="module")
def decks(tmp_path_factory, seed_cards):
    """The seed deck, and a technical guide whose answers hold code and tables."""
    return {
        "seed": seed_cards,
        "technical": _deck_cards(tmp_path_factory, RENDER / "technical.md"),
        "code-flags": _deck_cards(tmp_path_factory, RENDER / "code-flags.md"),
    }


def test_every_kind_of_card_is_measured(seed_cards) -> None:
    """The cards below include what matters most: STAR outlines, the framework ladder, every red flag."""
    recall, cloze, flags = (seed_cards[name] for name in NOTE_TYPES)
    assert len(recall) >= 3 and any('class="star"' in str(c["fields"]["Back"]) for c in recall)
    ladder = [c for c in cloze if "Initiative Ladder" in str(c["fields"]["Hint"])]
    assert len(cloze) >= 3 and len(ladder) == 5
    assert len({c["guid"] for c in flags}) == 5


def test_technical_answers_carry_code_and_tables(decks) -> None:
    """The technical deck measured below does hold highlighted code and a table on its backs."""
    backs = [str(c["fields"]["Back"]) for c in decks["technical"]["Deckbuilder Recall"]]
    assert any("<pre><code" in b and 'class="hl-' in b for b in backs), backs
    assert any("<table>" in b for b in backs), backs


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("notetype", NOTE_TYPES)
@pytest.mark.parametrize("deck", ["seed", "technical"])
def test_cards_fit_a_phone_and_read_well(page, decks, deck: str, notetype: str, mode: str) -> None:
    assert decks[deck][notetype], f"the {deck} deck has no {notetype} card to measure"
    _fit_a_phone(page, decks[deck][notetype], f"{deck} {notetype}", mode)


@pytest.mark.parametrize("mode", MODES)
def test_code_red_flags_fit_a_phone_and_read_well(page, decks, mode: str) -> None:
    cards = decks["code-flags"]
    flags = cards["Deckbuilder Red Flag"]
    assert len(flags) == 2 and all("<pre" in str(c["fields"]["Weak"]) for c in flags)
    assert len(cards["Deckbuilder Recall"]) == 1  # the what-to-avoid card
    _fit_a_phone(page, flags + cards["Deckbuilder Recall"], "code red flags", mode)


def _fit_a_phone(page, cards: list[dict[str, object]], name: str, mode: str) -> None:
    failures = []
    fonts, contrasts, widths = [], [], []
    for card in cards:
        for side in ("question", "answer"):
            m = measure(page, anki_page(str(card["answer" if side == "answer" else "question"]), str(card["css"]),
                                        night=MODES[mode], ordinal=int(str(card["ordinal"]))))
            failures += [f"{side} of {card['guid']} card {card['ordinal']}: {p}" for p in problems(m)]
            fonts.append(m.min_main_font)
            contrasts.append(m.min_contrast)
            widths.append(m.scroll_width)
    print(f"\n{name} ({mode}, {len(fonts)} sides): widest {max(widths)}px of {PHONE['width']}, "
          f"smallest main text {min(fonts):g}px, lowest contrast {min(contrasts):.2f}:1")
    assert not failures, "\n".join(failures)


# ---------- the checks can fail ----------

GOOD_CARD = (
    '<div class="db db-q db-recall"><div class="hint">Interview question</div>'
    '<div class="front">Tell me about a time you took initiative</div></div>'
)
BROKEN_CSS = {
    "overflow": ".front { width: 900px; }",
    "font": ".front { font-size: 11px; }",
    "contrast": ".card .front { color: #999999; } .card { background: #ffffff; }",
}


def _templates_css() -> str:
    return (Path(__file__).resolve().parent.parent / "templates" / "cards.css").read_text(encoding="utf-8")


def test_the_checks_pass_a_good_card(page) -> None:
    for night in (False, True):
        assert problems(measure(page, anki_page(GOOD_CARD, _templates_css(), night=night))) == []


@pytest.mark.parametrize("check", BROKEN_CSS)
def test_each_check_fails_on_broken_css(page, check: str) -> None:
    css = _templates_css() + "\n" + BROKEN_CSS[check]
    found = problems(measure(page, anki_page(GOOD_CARD, css, night=False)))
    assert found, f"the {check} check did not notice {BROKEN_CSS[check]!r}"
    assert {p.split(":")[0] for p in found} == {check}, found


def test_contrast_arithmetic() -> None:
    assert contrast_ratio((0, 0, 0), (255, 255, 255)) == pytest.approx(21.0)
    assert contrast_ratio((0x99, 0x99, 0x99), (255, 255, 255)) == pytest.approx(2.85, abs=0.01)
    assert contrast_ratio((0x59, 0x5E, 0x66), (255, 255, 255)) >= MIN_CONTRAST
    assert MIN_FONT_PX == 16


def test_semi_transparent_text_is_blended(page) -> None:
    """rgba text and opacity count: black at 30% on white is 2.3:1, whatever its colour says."""
    css = _templates_css() + "\n.card .front { color: rgba(0, 0, 0, .3); }"
    assert any(p.startswith("contrast:") for p in problems(measure(page, anki_page(GOOD_CARD, css, night=False))))
    css = _templates_css() + "\n.card .front { opacity: .3; }"
    assert any(p.startswith("contrast:") for p in problems(measure(page, anki_page(GOOD_CARD, css, night=False))))


# ---------- the preview page ----------

def test_preview_night_switch(page, seed_dir: Path, tmp_path: Path) -> None:
    """The preview's button puts Anki's night-mode classes on every card, and the cards turn dark."""
    out = tmp_path / "preview.html"
    assert run_cli("preview", str(seed_dir), "-o", str(out)).exit_code == 0
    page.goto(out.as_uri())
    background = "getComputedStyle(document.querySelector('.pv-phone > .card')).backgroundColor"
    assert page.evaluate(background) == "rgb(255, 255, 255)"
    page.click("#pv-night")
    classes = page.evaluate("[...document.querySelectorAll('.pv-phone > .card')].map(c => c.className)")
    assert len(classes) > 100 and all("nightMode" in c and "night_mode" in c for c in classes)
    assert page.evaluate(background) == "rgb(17, 18, 20)"
    page.click("#pv-night")
    assert page.evaluate(background) == "rgb(255, 255, 255)"
