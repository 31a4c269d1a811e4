"""Every card of every fixture guide, as Anki renders it, is worth reviewing.

The guides in ``fixtures/guides/`` (technical, by area, in several authors' styles), the
behavioral family and the seed are built through the CLI and imported with the official
``anki`` library. Over every card: no error card, no empty front, no markdown leftovers,
every Recall back answers, every Red Flag has a better version. ``fixtures/guides/oracle.yaml``
then says, per guide, which cards a learner expects and which must never appear.
"""

from __future__ import annotations

import html
import re
import shutil

import pytest
import yaml

from .conftest import FIXTURES, SEED, import_apkg, run_cli, strip_html

GUIDES = FIXTURES / "guides"
ORACLE = GUIDES / "oracle.yaml"
# rendered text that should have been markup: emphasis, code fences, links, headings, clozes, highlights
LEFTOVER = re.compile(r"\*\*|(?<!\w)__|```|\]\(|^#{1,6} |\{\{c\d|==\S|\\\*|<(?:/?strong|/?em|br)>")
# what Anki writes on a card it cannot render
ANKI_ERROR = re.compile(
    r"No cloze \d+ found|Please either add a cloze|there is no field called|The front of this card is (?:blank|empty)|"
    r"invalid template|Invalid HTML",
    re.I,
)


def _plain(markup: str) -> str:
    """Visible text, code left out (code may hold ``**`` or ``__init__`` on purpose)."""
    markup = re.sub(r"<style.*?</style>|<pre.*?</pre>|<code.*?</code>", " ", markup, flags=re.S)
    return " ".join(strip_html(markup).split())


@pytest.fixture(scope="module")
def deck(tmp_path_factory):
    """Every card of every fixture guide: (guide file, note type, fields, question, answer)."""
    from anki.collection import Collection

    folder = tmp_path_factory.mktemp("library")
    guides = [p for p in sorted(GUIDES.glob("*.md")) if p.name != "README.md"]
    for path in [SEED, *guides, *sorted((FIXTURES / "family").rglob("*.md"))]:
        target = folder / path.relative_to(path.parent if path.parent in (GUIDES, SEED.parent) else FIXTURES)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target)
    apkg = folder.parent / "library.apkg"
    result = run_cli("build", str(folder), "-o", str(apkg))
    assert result.exit_code == 0, result.output
    col = Collection(str(tmp_path_factory.mktemp("col") / "c.anki2"))
    import_apkg(col, apkg)
    cards = []
    for cid in col.find_cards(""):
        card = col.get_card(cid)
        note = card.note()
        cards.append(
            {
                "notetype": note.note_type()["name"],
                "fields": dict(note.items()),
                "tags": note.tags,
                "q": card.question(),
                "a": card.answer(),
            }
        )
    yield cards
    col.close()


def _has_code(markup: str) -> bool:
    """Code is content: a side that is a code block is not empty (``// ✅ Good`` pairs)."""
    return any(strip_html(code).strip() for code in re.findall(r"<pre.*?</pre>", markup, flags=re.S))


def _where(card) -> str:
    return f"{card['notetype']} [{' '.join(card['tags'])}] {_plain(card['q'])[:120]!r}"


def test_no_error_cards(deck) -> None:
    bad = [_where(c) for c in deck if ANKI_ERROR.search(_plain(c["q"]) + " " + _plain(c["a"]))]
    assert not bad, "\n".join(bad)


def test_no_empty_front(deck) -> None:
    main = {"Deckbuilder Recall": "Front", "Deckbuilder Cloze": "Text", "Deckbuilder Red Flag": "Weak"}
    bad = [_where(c) for c in deck if not _plain(c["fields"][main[c["notetype"]]]).strip()
           and not _has_code(c["fields"][main[c["notetype"]]])]
    assert not bad, "\n".join(bad)


def test_no_markdown_leftovers(deck) -> None:
    bad = []
    for card in deck:
        for name, value in card["fields"].items():
            if name == "Text":  # a cloze field's own deletions are Anki syntax, not leftovers
                value = re.sub(r"\{\{c\d+::|(?:::[^{}]*)?\}\}", "", value)
            if LEFTOVER.search(_plain(value)):
                bad.append(f"{_where(card)}: {name}: {_plain(value)[:160]!r}")
    assert not bad, "\n".join(bad)


def test_every_recall_back_answers(deck) -> None:
    bad = []
    for card in deck:
        if card["notetype"] != "Deckbuilder Recall":
            continue
        back = _plain(card["fields"]["Back"])
        if (len(back.split()) < 2 and not _has_code(card["fields"]["Back"])) or re.fullmatch(r"Category: .*", back):
            bad.append(f"{_where(card)}: back {back!r}")
    assert not bad, "\n".join(bad)


def test_every_red_flag_has_a_better_version(deck) -> None:
    bad = [_where(c) for c in deck if c["notetype"] == "Deckbuilder Red Flag"
           and len(_plain(c["fields"]["Better"]).split()) < 2 and not _has_code(c["fields"]["Better"])]
    assert not bad, "\n".join(bad)


def _oracle() -> dict:
    return yaml.safe_load(ORACLE.read_text(encoding="utf-8")) if ORACLE.exists() else {}


# oracle kind -> the note kinds (tag deckbuilder::kind::X) that satisfy it
ORACLE_KINDS = {
    "qa": {"qa", "author-qa", "star", "question"},
    "question": {"question", "qa", "author-qa", "star"},
    "definition": {"definition", "theme", "metric", "table-row"},
    "table_row": {"table-row", "definition"},
    "red_flag": {"red-flag", "avoid"},
    "avoid": {"red-flag", "avoid"},
    "cloze": {"takeaway", "framework", "formula", "author-cloze"},
}
FRONT = {"Deckbuilder Recall": ("Front",), "Deckbuilder Cloze": ("Text",), "Deckbuilder Red Flag": ("Label", "Weak")}
BACK = {
    "Deckbuilder Recall": ("Back", "Extra"),
    "Deckbuilder Cloze": ("Text", "Extra"),
    "Deckbuilder Red Flag": ("Better", "Extra"),
}


@pytest.mark.parametrize("guide", sorted(_oracle()))
def test_oracle(deck, guide: str) -> None:
    """The cards a learner expects from the guide are there; junk is not (rules: oracle.yaml's header)."""
    want = _oracle()[guide]
    tag = "deckbuilder::" + _doc_tag(guide)
    mine = []
    for card in deck:
        if any(t == tag or t.startswith(tag + "::") for t in card["tags"]):
            kind = next(t.rsplit("::", 1)[1] for t in card["tags"] if t.startswith("deckbuilder::kind::"))
            front = _norm(" ".join(card["fields"][f] for f in FRONT[card["notetype"]]))
            back = _norm(" ".join(card["fields"][f] for f in BACK[card["notetype"]]))
            if (kind, front, back) not in mine:  # a cloze note's cards are one note
                mine.append((kind, front, back))
    problems = []
    for item in want.get("must_have") or []:
        kinds, front, back = ORACLE_KINDS[item["kind"]], _norm(item["front"]), _norm(item.get("back_contains", ""))
        found = [(k, f, b) for k, f, b in mine if k in kinds and front in f]
        if not found:
            problems.append(f"missing card: {item}")
        elif not any(back in b for _, _, b in found):
            problems.append(f"card without the expected answer: {item}")
    for junk in want.get("must_not_have") or []:
        problems += [f"junk card {f[:100]!r} (matches {junk!r})" for _, f, _ in mine if _norm(junk) in f]
    if "min_cards" in want and len(mine) < want["min_cards"]:
        problems.append(f"{len(mine)} notes, expected at least {want['min_cards']}")
    if "max_cards" in want and len(mine) > want["max_cards"]:
        problems.append(f"{len(mine)} notes, expected at most {want['max_cards']}")
    assert not problems, f"{guide}:\n" + "\n".join(problems)


def _norm(text: str) -> str:
    """Plain, case-folded text as the oracle compares it: clozes read as their answers,
    tags and emphasis gone, quotes straightened, trailing ``?.:`` ignored."""
    text = re.sub(r"\{\{c\d+::(.*?)(::[^}]*)?\}\}", r"\1", text)
    text = re.sub(r"<(?:br|/p|/li|/div|/tr|/td|/th|/pre|/h\d)\b[^>]*>", " ", text)  # blocks part words
    text = html.unescape(re.sub(r"<[^>]+>", "", text))  # inline tags do not: "<code>DELETE</code>,"
    text = text.replace("**", "").replace("`", "").replace("*", "")
    text = text.translate(str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'}))
    return " ".join(text.split()).casefold().rstrip("?.: ")


def _doc_tag(guide: str) -> str:
    from deckbuilder.documents import doc_id, slug  # the same slug the build tags notes with

    return slug(doc_id(guide))


def test_a_question_about_code_shows_the_code_on_its_front(tmp_path_factory) -> None:
    """'What is the output of the following code?' is asked with the code in front, as Anki
    renders it; the back is the answer alone."""
    from .conftest import card_texts, import_guide

    text = (
        "# Python Output Questions\n\n## Lists\n\n### 1. What is the output of the following code?\n\n"
        "```python\nprint([0] * 3)\n```\n\n**Answer:** `[0, 0, 0]`: the list is repeated three times.\n"
    )
    col = import_guide(tmp_path_factory, "output.md", text)
    try:
        (card,) = card_texts(col)
    finally:
        col.close()
    assert card["q"].startswith("What is the output of the following code? print"), card["q"]
    assert '<pre><code class="language-python">' in card["q_html"]
    assert "the list is repeated three times." in card["a"] and "Answer:" not in card["a"]
    assert "the list is repeated" not in card["q"]
