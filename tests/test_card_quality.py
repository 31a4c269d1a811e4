"""Every card of every fixture guide, as Anki renders it, is worth reviewing.

The guides in ``fixtures/guides/`` (technical, by area, in several authors' styles), the
behavioral family and the seed are built through the CLI and imported with the official
``anki`` library. Over every card: no error card, no empty front, no markdown leftovers,
every Recall back answers, every Red Flag has a better version. ``fixtures/guides/oracle.yaml``
then says, per guide, which cards a learner expects and which must never appear.
"""

from __future__ import annotations

import re
import shutil

import pytest
import yaml

from .conftest import FIXTURES, SEED, import_apkg, run_cli, strip_html

GUIDES = FIXTURES / "guides"
ORACLE = GUIDES / "oracle.yaml"
# rendered text that should have been markup: emphasis, code fences, links, headings, clozes, highlights
LEFTOVER = re.compile(r"\*\*|(?<!\w)__|```|\]\(|^#{1,6} |\{\{c\d|==\S|\\\*|<(?:/?strong|/?em|br)>")
ANKI_ERROR = re.compile(r"No cloze \d+ found|Please either|empty front|invalid template|Error", re.I)


def _plain(markup: str) -> str:
    """Visible text, code left out (code may hold ``**`` or ``__init__`` on purpose)."""
    markup = re.sub(r"<style.*?</style>|<pre.*?</pre>|<code.*?</code>", " ", markup, flags=re.S)
    return " ".join(strip_html(markup).split())


@pytest.fixture(scope="module")
def deck(tmp_path_factory):
    """Every card of every fixture guide: (guide file, note type, fields, question, answer)."""
    from anki.collection import Collection

    folder = tmp_path_factory.mktemp("library")
    for path in [SEED, *sorted(GUIDES.glob("*.md")), *sorted((FIXTURES / "family").rglob("*.md"))]:
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


def _where(card) -> str:
    return f"{card['notetype']} [{' '.join(card['tags'])}] {_plain(card['q'])[:120]!r}"


def test_no_error_cards(deck) -> None:
    bad = [_where(c) for c in deck if ANKI_ERROR.search(_plain(c["q"]) + " " + _plain(c["a"]))]
    assert not bad, "\n".join(bad)


def test_no_empty_front(deck) -> None:
    main = {"Deckbuilder Recall": "Front", "Deckbuilder Cloze": "Text", "Deckbuilder Red Flag": "Weak"}
    bad = [_where(c) for c in deck if not _plain(c["fields"][main[c["notetype"]]]).strip()]
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
        if len(back.split()) < 2 or re.fullmatch(r"Category: .*", back):
            bad.append(f"{_where(card)}: back {back!r}")
    assert not bad, "\n".join(bad)


def test_every_red_flag_has_a_better_version(deck) -> None:
    bad = [_where(c) for c in deck if c["notetype"] == "Deckbuilder Red Flag"
           and len(_plain(c["fields"]["Better"]).split()) < 2]
    assert not bad, "\n".join(bad)


def _oracle() -> dict:
    return yaml.safe_load(ORACLE.read_text(encoding="utf-8")) if ORACLE.exists() else {}


@pytest.mark.parametrize("guide", sorted(_oracle()))
def test_oracle(deck, guide: str) -> None:
    """The cards a learner expects from the guide are there; junk is not."""
    want = _oracle()[guide]
    tag = "deckbuilder::" + _doc_tag(guide)
    mine = [c for c in deck if any(t.startswith(tag + "::") or t == tag for t in c["tags"])]
    fronts = [_front(c) for c in mine]
    problems = []
    for item in want.get("must_have") or []:
        found = [c for c, f in zip(mine, fronts, strict=True) if _norm(item["front"]) in _norm(f)]
        if not found:
            problems.append(f"missing card: {item}")
        elif "back_contains" in item and not any(
            _norm(item["back_contains"]) in _norm(_plain(c["a"])) for c in found
        ):
            problems.append(f"card without the expected answer: {item}")
    for junk in want.get("must_not_have") or []:
        problems += [f"junk card {f[:100]!r} (matches {junk!r})" for f in fronts if _norm(junk) in _norm(f)]
    if "min_cards" in want and len(mine) < want["min_cards"]:
        problems.append(f"{len(mine)} cards, expected at least {want['min_cards']}")
    if "max_cards" in want and len(mine) > want["max_cards"]:
        problems.append(f"{len(mine)} cards, expected at most {want['max_cards']}")
    assert not problems, f"{guide}:\n" + "\n".join(problems)


def _front(card) -> str:
    """What the oracle calls a card's front: a cloze's whole text, each deletion read as its answer."""
    if card["notetype"] == "Deckbuilder Cloze":
        text = re.sub(r"\{\{c\d+::(.*?)(?:::[^}]*)?\}\}", r"\1", card["fields"]["Text"], flags=re.S)
        return " ".join(strip_html(text).split())  # inline code kept: it is part of the sentence
    return _plain(card["q"])


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", text.lower()).split())


def _doc_tag(guide: str) -> str:
    from deckbuilder.documents import doc_id, slug  # the same slug the build tags notes with

    return slug(doc_id(guide))
