"""Cards in real Chromium: Debian's ``chromium`` driven by Playwright, and the checks we make.

Playwright never downloads a browser here; it launches the system one. A card side is
loaded the way Anki's reviewer shows it (``anki_page``), measured in the page
(``measure``), and judged by ``problems``, which names every failure:

- overflow: the page is wider than the phone (``scrollWidth > clientWidth``);
- font: a main-text element (``MAIN_TEXT``) is set below 16px;
- contrast: a visible piece of text has a WCAG contrast below 4.5:1 against the first
  opaque background behind it (semi-transparent backgrounds and ``opacity`` are blended).

Used by tests/test_rendering.py and docs/screenshots.py.
"""

from __future__ import annotations

import os
import re
import shutil
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

PHONE = {"width": 390, "height": 844}
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]
# The text a card is for; small print (hint, breadcrumb, STAR letter badges) is excluded.
MAIN_TEXT = ".front, .back, .cloze-text, .flag-text, .extra"
NOT_MAIN_TEXT = ".star-label"
MIN_FONT_PX = 16.0
MIN_CONTRAST = 4.5


def chromium_path() -> str | None:
    found = shutil.which("chromium") or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)
    return found


def why_unavailable() -> str:
    """Empty if Chromium and Playwright are both there; otherwise what is missing and how to get it."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is missing: pip install -e '.[test]'"
    if chromium_path() is None:
        return "Debian's chromium is missing: apt-get install chromium (as .ci/run does)"
    return ""


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium browser (the system one, no sandbox: we run as root in CI)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def strip_style(card_html: str) -> str:
    """``card.question()`` starts with the note type's CSS in a <style>; the page gets it in <head>."""
    return re.sub(r"^\s*<style>.*?</style>", "", card_html, count=1, flags=re.S)


def anki_page(card_html: str, css: str, *, night: bool, ordinal: int = 1) -> str:
    """A card side as Anki's reviewer shows it: the CSS in <head>, the card classes on <body>,
    and the side's HTML in ``#qa``. Night mode adds ``nightMode night_mode`` to the body."""
    classes = f"card card{ordinal}" + (" nightMode night_mode" if night else "")
    return (
        '<!doctype html><html><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>{css}</style></head>"
        f'<body class="{classes}"><div id="qa">{strip_style(card_html)}</div></body></html>'
    )


@dataclass(frozen=True)
class TextSample:
    text: str
    where: str  # tag.class of the element holding the text
    font_px: float
    main: bool
    contrast: float


@dataclass(frozen=True)
class Measurement:
    scroll_width: int
    client_width: int
    texts: tuple[TextSample, ...]

    @property
    def main_texts(self) -> list[TextSample]:
        return [t for t in self.texts if t.main]

    @property
    def min_main_font(self) -> float:
        return min((t.font_px for t in self.main_texts), default=0.0)

    @property
    def min_contrast(self) -> float:
        return min((t.contrast for t in self.texts if _is_text(t.text)), default=0.0)


def problems(m: Measurement, *, min_font: float = MIN_FONT_PX, min_contrast: float = MIN_CONTRAST) -> list[str]:
    """Every failed check, one line each, starting ``overflow:``, ``font:`` or ``contrast:``."""
    out = []
    if m.scroll_width > m.client_width:
        out.append(f"overflow: the page is {m.scroll_width}px wide in a {m.client_width}px viewport")
    if not m.main_texts:
        out.append(f"font: no main text ({MAIN_TEXT}) found to measure")
    for t in m.main_texts:
        if t.font_px < min_font:
            out.append(f"font: {t.font_px:g}px < {min_font:g}px in {t.where}: {t.text!r}")
    for t in m.texts:
        if _is_text(t.text) and t.contrast < min_contrast:
            out.append(f"contrast: {t.contrast:.2f}:1 < {min_contrast}:1 in {t.where}: {t.text!r}")
    return out


def measure(page: Any, document: str) -> Measurement:
    """Load ``document`` into ``page`` and measure its width and every visible text."""
    page.set_content(document, wait_until="load")
    raw = page.evaluate(_MEASURE_JS, {"main": MAIN_TEXT, "notMain": NOT_MAIN_TEXT})
    texts = []
    for item in raw["texts"]:
        background = _flatten([_parse_colour(c) for c in item["backgrounds"]])
        r, g, b, a = _parse_colour(item["color"])
        a *= item["opacity"]
        foreground = tuple(a * fg + (1 - a) * bg for fg, bg in zip((r, g, b), background, strict=True))
        texts.append(TextSample(item["text"], item["where"], item["fontSize"], item["main"],
                                contrast_ratio(foreground, background)))
    return Measurement(raw["scrollWidth"], raw["clientWidth"], tuple(texts))


def contrast_ratio(fg: tuple[float, ...], bg: tuple[float, ...]) -> float:
    """WCAG 2 contrast ratio of two sRGB colours (0-255 channels)."""
    lighter, darker = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _luminance(rgb: tuple[float, ...]) -> float:
    def channel(value: float) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _flatten(layers: list[tuple[float, float, float, float]]) -> tuple[float, float, float]:
    """Backgrounds from the element outwards -> the colour seen (the canvas under all is white)."""
    colour = (255.0, 255.0, 255.0)
    for r, g, b, a in reversed(layers):
        colour = (a * r + (1 - a) * colour[0], a * g + (1 - a) * colour[1], a * b + (1 - a) * colour[2])
    return colour


_RGB = re.compile(r"rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)(?:\s*[,/]\s*([\d.]+%?))?\s*\)")


def _parse_colour(text: str) -> tuple[float, float, float, float]:
    match = _RGB.fullmatch(text.strip())
    if not match:
        raise ValueError(f"unexpected computed colour {text!r}")
    r, g, b, a = match.groups()
    alpha = 1.0 if a is None else float(a[:-1]) / 100 if a.endswith("%") else float(a)
    return float(r), float(g), float(b), alpha


def _is_text(text: str) -> bool:
    """Emoji and other pictographs are icons, not text: WCAG's 4.5:1 is for text."""
    return any(unicodedata.category(ch) not in ("So", "Sk", "Mn", "Cf", "Zs") for ch in text)


_MEASURE_JS = """
({main, notMain}) => {
  const root = document.documentElement;
  const mains = new Set(document.querySelectorAll(main));
  const notMains = new Set(document.querySelectorAll(notMain));
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const text = node.data.replace(/\\s+/g, " ").trim();
    const el = node.parentElement;
    if (!text || !el || ["STYLE", "SCRIPT"].includes(el.tagName)) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    if (![...range.getClientRects()].some(r => r.width > 0 && r.height > 0)) continue;
    const style = getComputedStyle(el);
    if (style.visibility !== "visible") continue;
    const backgrounds = [];
    let opacity = 1, isMain = false, excluded = false;
    for (let e = el; e; e = e.parentElement) {
      const s = getComputedStyle(e);
      backgrounds.push(s.backgroundColor);
      opacity *= parseFloat(s.opacity);
      if (mains.has(e)) isMain = true;
      if (notMains.has(e)) excluded = true;
    }
    const names = typeof el.className === "string" ? el.className.trim() : "";
    const cls = names ? "." + names.split(/\\s+/).join(".") : "";
    texts.push({
      text: text.slice(0, 80), where: el.tagName.toLowerCase() + cls, color: style.color,
      fontSize: parseFloat(style.fontSize), main: isMain && !excluded, backgrounds, opacity,
    });
  }
  return {scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, texts};
}
"""
