"""Pictures of real cards for the README: one of each note type, light and night, at phone size.

Run by hand from the repository root, in the venv with the test extras (anki, playwright)
and Debian's chromium installed:

    .venv/bin/python docs/screenshots.py

It builds the seed guide (a private copy, so source/ gets no lock file) through the CLI,
imports the deck into a fresh collection with the anki library, and shows each card's back
as Anki renders it, in headless Chromium at 390x844 (the same path as
tests/test_rendering.py). The pictures are cropped to the card's height and written as
docs/<kind>-<light|dark>.png.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.chromium import PHONE, anki_page, chromium  # noqa: E402
from tests.conftest import copy_seed, import_apkg  # noqa: E402

DOCS = ROOT / "docs"
SCALE = 1.5  # sharp on a retina screen, and each picture stays under 150 KB


def pick_cards(col) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """The shortest STAR answer, the Initiative Ladder's fourth step, the first red flag."""
    cards = [col.get_card(cid) for cid in col.find_cards("")]

    def kind(card, name: str) -> bool:  # type: ignore[no-untyped-def]
        return card.note().note_type()["name"] == name

    star = [c for c in cards if kind(c, "Deckbuilder Recall") and 'class="star"' in c.note()["Back"]]
    ladder = [c for c in cards if kind(c, "Deckbuilder Cloze") and "Initiative Ladder" in c.note()["Hint"]]
    flags = [c for c in cards if kind(c, "Deckbuilder Red Flag")]
    return {
        "recall": min(star, key=lambda c: len(c.answer())),
        "cloze": next(c for c in ladder if c.ord == 3),
        "redflag": flags[0],
    }


def main() -> None:
    from anki.collection import Collection

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "guides"
        copy_seed(folder)
        apkg = Path(tmp) / "seed.apkg"
        subprocess.run([sys.executable, "-m", "deckbuilder", "build", str(folder), "-o", str(apkg)], check=True)
        col = Collection(str(Path(tmp) / "collection.anki2"))
        try:
            import_apkg(col, apkg)
            chosen = pick_cards(col)
            with chromium() as browser:
                page = browser.new_page(viewport=PHONE, device_scale_factor=SCALE)
                for name, card in chosen.items():
                    css = card.note().note_type()["css"]  # type: ignore[attr-defined]
                    for mode, night in (("light", False), ("dark", True)):
                        page.set_content(anki_page(card.answer(), css, night=night,  # type: ignore[attr-defined]
                                                   ordinal=card.ord + 1))  # type: ignore[attr-defined]
                        height = page.evaluate("Math.ceil(document.body.getBoundingClientRect().height)")
                        out = DOCS / f"{name}-{mode}.png"
                        page.screenshot(path=str(out), full_page=True,
                                        clip={"x": 0, "y": 0, "width": PHONE["width"], "height": height})
                        print(f"{out.relative_to(ROOT)}: {PHONE['width']}x{height}, {out.stat().st_size // 1024} KB")
        finally:
            col.close()


if __name__ == "__main__":
    main()
