"""Mojibake repair: undo UTF-8 misread as Mac Roman or Windows-1252, never touch good text."""

from __future__ import annotations

import pytest

from deckbuilder.encoding import CODECS, repair_mojibake
from deckbuilder.reader import parse_source

from .conftest import SEED

GOOD = "# Café naïve — “quoted” ✅ ❌ → 📋 résumé, Ærø, 50°, ½, ß, Ünïcödé, ‚single low‘\n"


def misread(text: str, codec: str) -> str:
    """What an editor shows when it opens UTF-8 ``text`` as ``codec`` (holes as C1 controls)."""
    by_byte = {byte: char for char, byte in CODECS[codec].items()}
    return "".join(by_byte.get(b, chr(b)) for b in text.encode("utf-8"))


@pytest.mark.parametrize("codec", ["mac_roman", "windows-1252"])
def test_repairs_utf8_misread_as(codec: str) -> None:
    broken = misread(GOOD, codec)
    assert broken != GOOD
    assert repair_mojibake(broken) == (GOOD, codec)


@pytest.mark.parametrize(
    "text",
    [GOOD, "plain ascii only\n", "Ça va? Déjà vu. Œuvre, «guillemets», ‰, √2, ∆, π, Ω\n", "‚ and ‘ alone\n"],
)
def test_correct_text_is_never_repaired(text: str) -> None:
    assert repair_mojibake(text) == (text, "")


def test_double_encoded_text_is_repaired_twice() -> None:
    once = "✅ done — ok".encode().decode("mac_roman")
    twice = once.encode("utf-8").decode("mac_roman")
    assert repair_mojibake(twice) == ("✅ done — ok", "mac_roman+mac_roman")


def test_seed_is_repaired_completely() -> None:
    source = parse_source(SEED.read_bytes(), str(SEED), SEED.name)
    assert source.repaired == "mac_roman"
    assert "‚úÖ" not in source.text and "‚Üí" not in source.text and "‚Äî" not in source.text
    assert source.text.count("✅") == 20 and "→" in source.text and "—" in source.text
    assert "## 📋 Common Questions" in source.text


def test_windows_1252_with_undefined_bytes() -> None:
    # U+2705 is E2 9C 85; 0x9D is one of cp1252's holes, which editors show as U+009D
    broken = "\u00e2\u0153\u2026 done \u00e2\u20ac\u201d \u00e2\u009d\u0152"
    assert repair_mojibake(broken) == ("✅ done — ❌", "windows-1252")
