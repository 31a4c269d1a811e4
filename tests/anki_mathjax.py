"""Anki's own MathJax, as its reviewer sets it up, for tests in Chromium.

The files come from Anki's desktop wheel (``aqt`` on PyPI, the version matching the
installed ``anki`` library): ``_aqt/data/web/js/mathjax.js`` (Anki's MathJax
configuration) and ``_aqt/data/web/js/vendor/mathjax/`` (the MathJax bundle Anki ships).
The wheel is read in place, never unpacked. It is found at ``$DECKBUILDER_AQT_WHEEL``, or
in ``~/.cache/deckbuilder-tests/``, where it is fetched once with
``pip download --no-deps aqt==VERSION``. Without it the tests fail and say so: they are
never skipped.

``serve_anki(page, card_html)`` loads a card side in a page the way the reviewer shows it
(Anki's config, then the bundle, the card in ``#qa``, ``MathJax.typesetPromise``) with the
network blocked: every request that is not one of Anki's own files is aborted and
returned in a list.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from functools import lru_cache
from pathlib import Path
from typing import Any

ORIGIN = "http://anki.invalid"
PREFIX = "/_anki/js/"


def anki_version() -> str:
    from anki.buildinfo import version

    return ".".join(str(int(part)) for part in version.split("."))


@lru_cache(maxsize=1)
def aqt_wheel() -> Path:
    given = os.environ.get("DECKBUILDER_AQT_WHEEL")
    if given:
        return Path(given)
    folder = Path.home() / ".cache" / "deckbuilder-tests"
    version = anki_version()
    found = sorted(folder.glob(f"aqt-{version}-*.whl"))
    if not found:
        folder.mkdir(parents=True, exist_ok=True)
        done = subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", f"aqt=={version}",
                               "-d", str(folder)], capture_output=True, text=True)
        found = sorted(folder.glob(f"aqt-{version}-*.whl"))
        if not found:
            raise RuntimeError(f"Anki's MathJax comes from the aqt {version} wheel, which could not be fetched "
                               f"({done.stderr.strip()[-300:]}); download it and set DECKBUILDER_AQT_WHEEL")
    return found[0]


@lru_cache(maxsize=256)
def anki_file(path: str) -> bytes | None:
    """``/_anki/js/...`` from the wheel; None if Anki has no such file."""
    with zipfile.ZipFile(aqt_wheel()) as wheel:
        try:
            return wheel.read("_aqt/data/web/js/" + path[len(PREFIX):])
        except KeyError:
            return None


def page_html(card_html: str) -> str:
    return (
        '<!doctype html><html><head><meta charset="utf-8">'
        f'<script src="{PREFIX}mathjax.js"></script>'
        f'<script src="{PREFIX}vendor/mathjax/tex-chtml-full.js"></script>'
        f'</head><body class="card"><div id="qa">{card_html}</div></body></html>'
    )


def serve_anki(page: Any, card_html: str) -> list[str]:
    """Show ``card_html`` with Anki's MathJax and typeset it; returns the requests that were
    blocked (anything but Anki's own files)."""
    blocked: list[str] = []

    def route(request_route: Any) -> None:
        url = request_route.request.url
        if url == ORIGIN + "/card.html":
            request_route.fulfill(body=page_html(card_html), content_type="text/html")
            return
        body = anki_file(url[len(ORIGIN):]) if url.startswith(ORIGIN + PREFIX) else None
        if body is None:
            blocked.append(url)
            request_route.abort()
        else:
            kind = "text/javascript" if url.endswith(".js") else "application/octet-stream"
            request_route.fulfill(body=body, content_type=kind)

    page.route("**/*", route)
    page.goto(ORIGIN + "/card.html")
    page.evaluate("async () => { await MathJax.startup.promise; "
                  "await MathJax.typesetPromise([document.getElementById('qa')]); }")
    page.wait_for_load_state("networkidle")
    return blocked


def active_content(page: Any) -> list[str]:
    """What in the typeset card could run or load: script links, CSS that fetches, math at all."""
    return page.evaluate("""() => {
        const found = [];
        for (const el of document.querySelectorAll('#qa *')) {
            for (const attr of ['href', 'src', 'xlink:href']) {
                const value = el.getAttribute(attr);
                if (value && /^\\s*(javascript|data|https?|file):/i.test(value)) found.push(`${attr}=${value}`);
            }
            const style = el.getAttribute('style') || '';
            if (/url\\(/i.test(style)) found.push(`style=${style}`);
        }
        return found;
    }""")


def typeset_count(page: Any) -> int:
    return int(page.evaluate("() => document.querySelectorAll('#qa mjx-container').length"))
