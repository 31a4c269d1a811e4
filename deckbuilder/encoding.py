"""Decode bytes and undo mojibake: UTF-8 that was read as Mac Roman or Windows-1252.

ftfy handles Windows-1252 well but leaves Mac Roman mojibake (``‚úÖ`` for ``✅``) alone,
so we reverse both ourselves. The reversal works run by run: every stretch of non-ASCII
characters is re-encoded with the suspect codec and must decode as strict UTF-8 to be
replaced. A correct file never passes that test (``✅`` is not a Mac Roman character,
``é`` alone is not a UTF-8 sequence), so it is never "repaired".
"""

from __future__ import annotations

import re

# Windows-1252 leaves five bytes undefined; browsers and editors map them to C1 controls.
_CP1252_HOLES = {0x81, 0x8D, 0x8F, 0x90, 0x9D}
_CP1252_ENCODE = {}
for _byte in range(0x80, 0x100):
    if _byte in _CP1252_HOLES:
        _CP1252_ENCODE[chr(_byte)] = _byte
    else:
        _CP1252_ENCODE[bytes([_byte]).decode("cp1252")] = _byte

_MAC_ENCODE = {bytes([b]).decode("mac_roman"): b for b in range(0x80, 0x100)}

CODECS: dict[str, dict[str, int]] = {"mac_roman": _MAC_ENCODE, "windows-1252": _CP1252_ENCODE}

# A run of characters that each stand for one byte >= 0x80 in some codec.
_RUN = re.compile(r"[^\x00-\x7f]+")
# Mojibake needs two non-ASCII characters in a row (one byte >= 0x80 alone is never
# UTF-8). A text without, the usual case, is not walked run by run: the emoji, quotes and
# dashes of a guide make hundreds of one-character runs, most of the time reading took.
_TWO_IN_A_ROW = re.compile(r"[^\x00-\x7f][^\x00-\x7f]")


def _reverse_run(run: str, table: dict[str, int]) -> str | None:
    try:
        raw = bytes(table[ch] for ch in run)
    except KeyError:
        return None
    try:
        fixed = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return fixed if fixed != run else None


def _repair_with(text: str, table: dict[str, int]) -> tuple[str, int]:
    count = 0

    def fix(match: re.Match[str]) -> str:
        nonlocal count
        fixed = _reverse_run(match.group(), table)
        if fixed is None:
            return match.group()
        count += 1
        return fixed

    return _RUN.sub(fix, text), count


def repair_mojibake(text: str) -> tuple[str, str]:
    """Return ``(text, codec)``: the repaired text and the codec undone, or ``(text, "")``.

    Picks the codec that explains the most runs; repeats once for double-encoded text.
    """
    if not _TWO_IN_A_ROW.search(text):
        return text, ""
    undone: list[str] = []
    for _ in range(2):
        best_text, best_codec, best_count = text, "", 0
        for codec, table in CODECS.items():
            fixed, count = _repair_with(text, table)
            if count > best_count:
                best_text, best_codec, best_count = fixed, codec, count
        if not best_codec:
            break
        text = best_text
        undone.append(best_codec)
    return text, "+".join(undone)


def has_mojibake(text: str) -> bool:
    return bool(repair_mojibake(text)[1])


def decode(data: bytes) -> str:
    """Decode file bytes as UTF-8 (BOM allowed); raise UnicodeDecodeError otherwise."""
    text = data.decode("utf-8-sig")
    return text.replace("\r\n", "\n").replace("\r", "\n")
