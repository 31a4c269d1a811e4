"""deckbuilder preview: one self-contained page whose cards are the cards Anki makes.

The seed is built twice from the same private copy, as an .apkg imported with the anki
library and as a preview page; every card must be on the page, and read the same.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from deckbuilder.card_html import Side, TemplateError, cloze_ordinals, render_template

from .conftest import SEED_NOTES, copy_seed, import_apkg, run_cli, strip_html

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
URL_ATTRIBUTES = {"src", "href", "srcset", "action", "formaction", "poster", "data", "background", "xlink:href"}


class PreviewPage(HTMLParser):
    """The page's cards (note type, guid, ordinal, each side's text) and every URL-valued attribute."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.cards: list[dict[str, str]] = []
        self.urls: list[str] = []
        self.tags: list[str] = []
        self._stack: list[str | None] = []  # the side each open element belongs to

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.tags.append(tag)
        self.urls += [value or "" for name, value in attrs if name in URL_ATTRIBUTES]
        if "pv-card" in (found.get("class") or "").split():
            self.cards.append({"notetype": found["data-notetype"] or "", "guid": found["data-guid"] or "",
                               "ord": found["data-ord"] or "", "question": "", "answer": ""})
        side = found.get("data-side") or (self._stack[-1] if self._stack else None)
        if side:
            self.cards[-1][side] += " "  # as strip_html does: a tag separates words
        if tag not in VOID:
            self._stack.append(side)

    def handle_endtag(self, tag: str) -> None:
        if tag not in VOID and self._stack:
            side = self._stack.pop()
            if side:
                self.cards[-1][side] += " "

    def handle_data(self, data: str) -> None:
        if self._stack and self._stack[-1]:
            self.cards[-1][self._stack[-1]] += data


def text(markup: str) -> str:
    """What a person reads: no CSS, no tags, entities decoded, whitespace collapsed."""
    markup = re.sub(r"<style>.*?</style>", "", markup, flags=re.S)
    return " ".join(strip_html(markup).split())


def spaced(plain: str) -> str:
    return " ".join(plain.split())


@pytest.fixture(scope="module")
def seed(tmp_path_factory):
    """(preview page, parsed page, Anki's cards, CLI output, files beside the guide after preview)."""
    from anki.collection import Collection

    folder = tmp_path_factory.mktemp("guides")
    copy_seed(folder)
    out = tmp_path_factory.mktemp("out")
    result = run_cli("preview", str(folder), "-o", str(out / "preview.html"))
    assert result.exit_code == 0, result.output
    beside = sorted(p.name for p in folder.iterdir())
    built = run_cli("build", str(folder), "-o", str(out / "deck.apkg"))
    assert built.exit_code == 0, built.output
    col = Collection(str(tmp_path_factory.mktemp("col") / "c.anki2"))
    import_apkg(col, out / "deck.apkg")
    anki = []
    for cid in col.find_cards(""):
        card = col.get_card(cid)
        note = card.note()
        notetype = note.note_type()
        anki.append({
            "notetype": notetype["name"], "guid": note.guid, "ord": str(card.ord + 1),
            "question": card.question(), "answer": card.answer(), "fields": dict(note.items()),
            "qfmt": notetype["tmpls"][0]["qfmt"], "afmt": notetype["tmpls"][0]["afmt"],
        })
    col.close()
    page = (out / "preview.html").read_text(encoding="utf-8")
    parsed = PreviewPage()
    parsed.feed(page)
    yield page, parsed, anki, result.stdout, beside


def test_cli_reports_what_it_wrote(seed) -> None:
    _, parsed, anki, stdout, beside = seed
    assert re.search(rf"wrote {len(anki)} cards \({SEED_NOTES} notes, 1 documents\) to .*preview\.html", stdout), stdout
    assert beside == ["initiative-proactivity.md"]  # no lock file, no cache next to the guide


def test_page_is_self_contained(seed) -> None:
    page, parsed, _, _, _ = seed
    assert not re.search(r"https?:|//[a-z0-9.-]+\.[a-z]{2,}/", page, re.I)
    assert all(url.startswith("#") for url in parsed.urls), [u for u in parsed.urls if not u.startswith("#")]
    assert not {"link", "img", "iframe", "object", "embed", "base"} & set(parsed.tags)
    assert "@import" not in page and "url(" not in page
    assert parsed.tags.count("script") == 1 and "<script src" not in page


def test_every_card_anki_makes_is_on_the_page(seed) -> None:
    page, parsed, anki, _, _ = seed
    assert len(parsed.cards) == len(anki) == page.count('<article class="pv-card"')
    assert page.count('<div class="card card') == 2 * len(anki)  # a frame per side
    ours = sorted((c["notetype"], c["guid"], c["ord"]) for c in parsed.cards)
    assert ours == sorted((c["notetype"], c["guid"], c["ord"]) for c in anki)


def test_cards_read_as_anki_renders_them(seed) -> None:
    """Every card, both sides: the same text as Anki's own card.question() / card.answer()."""
    _, parsed, anki, _, _ = seed
    ours = {(c["guid"], c["ord"]): c for c in parsed.cards}
    checked = {"Deckbuilder Recall": 0, "Deckbuilder Cloze": 0, "Deckbuilder Red Flag": 0}
    for card in anki:
        mine = ours[card["guid"], card["ord"]]
        assert spaced(mine["question"]) == text(card["question"]), card["guid"]
        assert spaced(mine["answer"]) == text(card["answer"]), card["guid"]
        checked[card["notetype"]] += 1
    assert all(n >= 5 for n in checked.values()), checked
    ladder = [c for c in parsed.cards if "Initiative Ladder" in c["question"]]
    assert len(ladder) == 5 and all(spaced(c["question"]).count("[...]") == 1 for c in ladder)


def test_card_html_matches_anki_exactly(seed) -> None:
    """The template subset, filled from Anki's own fields and templates, gives Anki's HTML."""
    _, _, anki, _, _ = seed
    for card in anki:
        ordinal = int(card["ord"])
        question = render_template(card["qfmt"], Side(card["fields"], ordinal))
        answer = render_template(card["afmt"], Side(card["fields"], ordinal, True, question))
        assert question == re.sub(r"^<style>.*?</style>", "", card["question"], flags=re.S), card["guid"]
        assert answer == re.sub(r"^<style>.*?</style>", "", card["answer"], flags=re.S), card["guid"]


CLOZE_CASES = [
    'A {{c1::x <b>bold</b> & "q" (y), é-z/1.5}} B {{c2::two::hint it}} C {{c1::again}}',
    "{{c1::outer {{c2::inner}} end}} and {{c3::a→b ’s `y` &#123;&nbsp;}}",
    "{{c1::a::b {{c2::c}} d}} {{c2::p::q::r}} stray }} {{c10::ten}}",
    "x {{c2::a}} y {{c1::}} z {{c3::h::}}",
    "<ol>\n<li>{{c1::Wait to be told}} what to do</li>\n<li>{{c2::Ask}} what needs to be done</li>\n</ol>",
]


@pytest.mark.parametrize("source", CLOZE_CASES)
def test_cloze_rendering_matches_anki(collection, source: str) -> None:
    """Hints, nesting, repeated numbers, and Anki's attribute escaping of the hidden answer."""
    notetype = collection.models.by_name("Cloze")
    note = collection.new_note(notetype)
    note["Text"] = source
    collection.add_note(note, collection.decks.id("Default"))
    template = notetype["tmpls"][0]
    fields = dict(note.items())
    assert cloze_ordinals(source) == [card.ord + 1 for card in note.cards()]
    for card in note.cards():
        question = render_template(template["qfmt"], Side(fields, card.ord + 1))
        answer = render_template(template["afmt"], Side(fields, card.ord + 1, True, question))
        assert question == re.sub(r"^<style>.*?</style>", "", card.question(), flags=re.S)
        assert answer == re.sub(r"^<style>.*?</style>", "", card.answer(), flags=re.S)


@pytest.mark.parametrize("value", ["", " ", "<br>", "<div><br></div>", "<BR />", "&nbsp;", "<p></p>", "x"])
def test_conditionals_treat_empty_fields_like_anki(collection, value: str) -> None:
    notetype = collection.models.copy(collection.models.by_name("Basic"))
    notetype["tmpls"][0]["qfmt"] = "{{Front}}|{{#Back}}shown{{/Back}}{{^Back}}hidden{{/Back}}"
    collection.models.update_dict(notetype)
    notetype = collection.models.get(notetype["id"])
    note = collection.new_note(notetype)
    note["Front"], note["Back"] = "f", value
    collection.add_note(note, collection.decks.id("Default"))
    mine = render_template(notetype["tmpls"][0]["qfmt"], Side(dict(note.items())))
    assert mine == re.sub(r"^<style>.*?</style>", "", note.cards()[0].question(), flags=re.S)


def test_unsupported_template_syntax_is_an_error_naming_the_template(seed_dir: Path, tmp_path: Path) -> None:
    override = tmp_path / "tpl"
    override.mkdir()
    (override / "recall_front.html").write_text("{{type:Front}}", encoding="utf-8")
    result = run_cli("preview", str(seed_dir), "-o", str(tmp_path / "p.html"), "--templates", str(override))
    assert result.exit_code == 1
    assert "recall_front.html" in result.stderr and "type" in result.stderr
    assert not (tmp_path / "p.html").exists()
    with pytest.raises(TemplateError, match="never closed"):
        render_template("{{#Front}}x", Side({"Front": "f"}))
    with pytest.raises(TemplateError, match="no such field"):
        render_template("{{Nope}}", Side({"Front": "f"}))


def test_guide_text_is_escaped_in_the_page(tmp_path: Path) -> None:
    guide = tmp_path / "guides" / "tips.md"
    guide.parent.mkdir()
    guide.write_text(
        "# Tips & <Tricks>\n\n## Common <b>Questions</b>\n\n"
        "1. What about <script>alert(1)</script> and \"quotes\" here?\n"
        "   - It is <i>escaped</i>, like every answer.\n", encoding="utf-8",
    )
    out = tmp_path / "preview.html"
    assert run_cli("preview", str(guide.parent), "-o", str(out)).exit_code == 0
    page = out.read_text(encoding="utf-8")
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<h2>Tips &amp; &lt;Tricks&gt;</h2>" in page
    assert "<b>Questions</b>" not in page and "Common &lt;b&gt;Questions&lt;/b&gt;" in page
    assert page.count("<script>") == 1


def test_default_output_and_errors(seed_dir: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run_cli("preview", str(seed_dir))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "build" / "preview.html").is_file()
    missing = run_cli("preview", str(tmp_path / "nowhere"))
    assert missing.exit_code == 1 and "no such file or folder" in missing.stderr
