"""One self-contained HTML page showing every card's front and back, as Anki would draw them.

Guides are read and rendered exactly as ``build`` does (same notes, same templates and
CSS, same cards per note), then each card side is filled by ``card_html`` and set in a
phone-width frame: ``<div class="card cardN">`` like Anki's card element, inside a
``.mobile`` wrapper like Anki's phone apps. Cards are grouped by document and section.
A button switches every card between light and night mode by toggling the
``nightMode`` / ``night_mode`` classes Anki puts on the card element.

Nothing is loaded from anywhere: the page's CSS and its few lines of script are inline,
and the cards' HTML is what their fields hold (guides' raw HTML is escaped by ``render``).
Nothing is written beside the guides: no lock file, no cache.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

from .atomic import write_text
from .card_html import Side, cloze_ordinals, render_template
from .config import Config
from .coverage import coverage
from .documents import candidates, load_documents
from .errors import OutputError
from .model import FIELDS, Guide, NoteKind, RenderedNote
from .notetypes import NOTE_TYPES, Templates, load_templates
from .story_cards import DOC_ID as STORY_DOC

SHORT_NAMES = {NoteKind.RECALL: "Recall", NoteKind.CLOZE: "Cloze", NoteKind.RED_FLAG: "Red Flag"}


@dataclass(frozen=True)
class PreviewCard:
    """One card, both sides rendered: what Anki's ``card.question()`` / ``card.answer()`` give."""

    note: RenderedNote
    ordinal: int  # 1-based
    of: int  # cards this note makes
    question: str
    answer: str


@dataclass(frozen=True)
class PreviewResult:
    path: Path
    documents: int
    notes: int
    cards: int


def note_cards(note: RenderedNote, templates: Templates) -> list[PreviewCard]:
    """A note's cards: one, or one per cloze number, each side filled like Anki fills it."""
    record = note
    spec = NOTE_TYPES[record.note_kind]
    fields = dict(zip(FIELDS[record.note_kind], record.fields, strict=True))
    ordinals = cloze_ordinals(record.fields[0]) if spec.cloze else [1]
    specials = {
        "Tags": " ".join(record.tags), "Type": spec.name, "Card": "Cloze" if spec.cloze else "Card 1",
        "Deck": record.deck, "Subdeck": record.deck.rsplit("::", 1)[-1],
    }
    cards = []
    for ordinal in ordinals:
        question = render_template(
            templates.front, Side(fields, ordinal, specials=specials), f"{spec.template}_front.html"
        )
        answer = render_template(
            templates.back, Side(fields, ordinal, True, question, specials), f"{spec.template}_back.html"
        )
        cards.append(PreviewCard(note, ordinal, len(ordinals), question, answer))
    return cards


def write_preview(paths: list[Path], out: Path, config: Config | None = None) -> PreviewResult:
    """Render every card that ``paths`` make into one HTML file at ``out``."""
    config = config or Config()
    docs = load_documents(paths, config)
    templates = {kind: load_templates(kind, config.templates) for kind in NoteKind}
    notes = candidates(docs)
    cards = [card for note in notes for card in note_cards(note, templates[note.note_kind])]
    page = page_html(docs, cards, [templates[kind].css for kind in NoteKind], _coverage(docs, config))
    _write_atomically(out, page)
    return PreviewResult(out, len({n.doc for n in notes}), len(notes), len(cards))


def _write_atomically(out: Path, text: str) -> None:
    """A reader never sees half a page; the file gets the usual permissions, not mkstemp's 0600."""
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        write_text(out, text)
    except OSError as err:
        raise OutputError(f"cannot write the preview: {err.strerror}", str(out)) from None


# ---------- the page ----------

def _coverage(docs: list[Guide], config: Config) -> str:
    """Issue 14: with a story bank, the coverage table of ``deckbuilder stories``, as HTML."""
    if config.bank is None:
        return ""
    found = coverage([(d.path, d.specs or ()) for d in docs if d.doc_id != STORY_DOC], config.bank)
    rows = "".join(
        f"<tr><td>{_e(c.guide)}</td><td>{_e(c.name)}</td><td class=\"pv-num\">{len(c.questions)}</td>"
        f"<td class=\"pv-num\">{c.covered}</td><td>{_e(', '.join(c.stories()) or '-')}</td></tr>"
        for c in found.categories
    )
    uncovered = "".join(f"<li>{_e(q.text)} <span class=\"pv-muted\">{_e(q.path)}:{q.line}</span></li>"
                        for q in found.uncovered())
    unused = "".join(f"<li>{_e(s.title)} <span class=\"pv-muted\">{_e(s.path)}:{s.line}</span></li>"
                     for s in found.unused)
    return (
        '<section class="pv-coverage" id="coverage">\n<h2>Your stories: coverage</h2>\n'
        '<table class="pv-table"><thead><tr><th>guide</th><th>category</th><th>questions</th><th>covered</th>'
        f"<th>stories</th></tr></thead>\n<tbody>{rows}</tbody></table>\n"
        f"<h3>Questions no story covers ({len(found.uncovered())})</h3>\n<ul>{uncovered}</ul>\n"
        f"<h3>Stories that answer nothing ({len(found.unused)})</h3>\n<ul>{unused}</ul>\n</section>\n"
    )


def page_html(docs: list[Guide], cards: list[PreviewCard], stylesheets: list[str], coverage_table: str = "",
              ) -> str:
    """The whole page: header with counts and the night-mode switch, the stories' coverage
    when there is a story bank, then documents and sections."""
    by_doc: dict[str, list[PreviewCard]] = {}
    for card in cards:
        by_doc.setdefault(card.note.doc, []).append(card)
    shown = [doc for doc in docs if doc.doc_id in by_doc]
    css = "\n".join(dict.fromkeys(stylesheets))  # the note types share cards.css; include it once
    notes = len({id(card.note) for card in cards})
    toc = "".join(
        f'<li><a href="#doc-{i}">{_e(doc.title)}</a> <span class="pv-muted">{len(by_doc[doc.doc_id])} cards</span></li>'
        for i, doc in enumerate(shown, 1)
    )
    body = "".join(_document_html(i, doc, by_doc[doc.doc_id]) for i, doc in enumerate(shown, 1))
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Deck preview</title>
<style>
{PAGE_CSS}
</style>
<style>
{css}
</style>
</head>
<body class="pv-page">
<header class="pv-header">
<h1>Deck preview</h1>
<p class="pv-muted">{len(cards)} cards from {notes} notes in {len(shown)} documents,
each side as Anki draws it at phone width.</p>
<button type="button" id="pv-night" class="pv-button" aria-pressed="false">Night mode</button>
<nav><ol class="pv-toc">{toc}</ol></nav>
</header>
<main>
{coverage_table}{body}</main>
<script>
{PAGE_SCRIPT}
</script>
</body>
</html>
"""


def _document_html(index: int, doc: Guide, cards: list[PreviewCard]) -> str:
    sections: dict[str, list[PreviewCard]] = {}
    for card in cards:
        sections.setdefault(card.note.section, []).append(card)
    parts = [
        f'<section class="pv-doc" id="doc-{index}">\n<h2>{_e(doc.title)}</h2>\n'
        f'<p class="pv-muted">Deck <b>{_e(doc.deck)}</b> · {_e(doc.path)} · {len(cards)} cards</p>\n'
    ]
    for title, section_cards in sections.items():
        parts.append(f'<section class="pv-section">\n<h3>{_e(title) or _e(doc.title)}</h3>\n')
        parts.extend(_card_html(card) for card in section_cards)
        parts.append("</section>\n")
    parts.append("</section>\n")
    return "".join(parts)


def _card_html(card: PreviewCard) -> str:
    record = card.note
    kind = record.note_kind
    number = f" · card {card.ordinal} of {card.of}" if card.of > 1 else ""
    return (
        f'<article class="pv-card" data-notetype="{_e(NOTE_TYPES[kind].name)}" data-guid="{_e(record.guid)}"'
        f' data-ord="{card.ordinal}">\n'
        f'<p class="pv-meta"><span class="pv-tag pv-{kind.value}">{SHORT_NAMES[kind]}</span> '
        f'{_e(card.note.kind.replace("_", " "))}{number} · <span class="pv-where">{_e(card.note.where)}</span></p>\n'
        f'<div class="pv-sides">\n{_side("Front", "question", card.ordinal, card.question)}'
        f'{_side("Back", "answer", card.ordinal, card.answer)}</div>\n</article>\n'
    )


def _side(label: str, side: str, ordinal: int, content: str) -> str:
    return (
        f'<figure class="pv-side"><figcaption>{label}</figcaption>'
        f'<div class="pv-phone mobile"><div class="card card{ordinal}" data-side="{side}">\n'
        f"{content}\n</div></div></figure>\n"
    )


def _e(text: str) -> str:
    return html.escape(text, quote=True)


PAGE_CSS = """\
.pv-page {
  --pv-bg: #eceef1; --pv-fg: #1b1b1f; --pv-muted: #50555c; --pv-line: #c9ced6; --pv-link: #1a56c4;
  margin: 0; padding: 24px 16px 64px; background: var(--pv-bg); color: var(--pv-fg);
  font: 16px/1.5 -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Noto Sans", "Liberation Sans",
    Arial, sans-serif;
}
html.pv-dark .pv-page {
  --pv-bg: #000000; --pv-fg: #e8e9ec; --pv-muted: #a3a8b0; --pv-line: #3a3f46; --pv-link: #8ab4f8;
}
html.pv-dark { color-scheme: dark; }
.pv-header, .pv-doc { max-width: 820px; margin: 0 auto; }
.pv-header h1 { margin: 0 0 .25em; font-size: 1.6em; }
.pv-doc h2 { margin: 2em 0 .2em; font-size: 1.4em; border-bottom: 2px solid var(--pv-line); }
.pv-section h3 { margin: 1.6em 0 .6em; font-size: 1.05em; }
.pv-muted, .pv-meta { color: var(--pv-muted); }
.pv-page a { color: var(--pv-link); }
.pv-toc { padding-left: 1.4em; }
.pv-button {
  font: inherit; padding: .4em 1em; border-radius: 999px; cursor: pointer;
  border: 1px solid var(--pv-line); background: var(--pv-fg); color: var(--pv-bg);
}
.pv-card { margin: 0 0 28px; }
.pv-coverage { max-width: 820px; margin: 0 auto; overflow-x: auto; }
.pv-table { border-collapse: collapse; font-size: 14px; }
.pv-table th, .pv-table td { border-bottom: 1px solid var(--pv-line); padding: 4px 8px; text-align: left; }
.pv-table .pv-num { text-align: right; }
.pv-meta { margin: 0 0 6px; font-size: 14px; }
.pv-tag { display: inline-block; padding: 0 .5em; border-radius: 4px; font-weight: 600; color: #ffffff; }
.pv-recall { background: #1a56c4; } .pv-cloze { background: #6b3fa0; } .pv-red_flag { background: #a50e0e; }
.pv-sides { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
.pv-side { margin: 0; }
.pv-side figcaption { font-size: 13px; font-weight: 600; color: var(--pv-muted); margin: 0 0 4px 6px; }
.pv-phone {
  box-sizing: border-box; width: 390px; max-width: calc(100vw - 32px); overflow-x: auto;
  border: 1px solid var(--pv-line); border-radius: 18px; box-shadow: 0 1px 4px rgba(0, 0, 0, .12);
}
.pv-phone > .card { min-height: 120px; }
"""

PAGE_SCRIPT = """\
(function () {
  var button = document.getElementById("pv-night");
  function setNight(on) {
    document.documentElement.classList.toggle("pv-dark", on);
    document.querySelectorAll(".pv-phone > .card").forEach(function (card) {
      card.classList.toggle("nightMode", on);
      card.classList.toggle("night_mode", on);
    });
    button.setAttribute("aria-pressed", on ? "true" : "false");
    button.textContent = on ? "Light mode" : "Night mode";
  }
  button.addEventListener("click", function () {
    setNight(button.getAttribute("aria-pressed") !== "true");
  });
  if (window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches) setNight(true);
})();
"""
