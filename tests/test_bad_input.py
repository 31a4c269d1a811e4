"""Bad input: a one-line message naming the file (and line), a non-zero exit, nothing lost."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from .conftest import SEED_NOTES, card_texts, copy_seed, import_guide, run_cli


@pytest.fixture
def good(tmp_path: Path) -> tuple[Path, Path, bytes]:
    """A guides folder that builds, and the deck it built: (folder, deck, deck bytes)."""
    guides = tmp_path / "guides"
    copy_seed(guides)
    deck = tmp_path / "deck.apkg"
    assert run_cli("build", str(guides), "-o", str(deck)).exit_code == 0
    return guides, deck, deck.read_bytes()


def build(*args: str):
    return run_cli("build", *args)


def assert_failed(result, *fragments: str) -> None:
    assert result.exit_code != 0
    lines = result.stderr.strip().splitlines()
    errors = [line for line in lines if line.startswith("error: ")]
    assert errors, result.stderr
    for fragment in fragments:
        assert any(fragment in line for line in errors), (fragment, result.stderr)
    assert "Traceback" not in result.output


def assert_intact(deck: Path, before: bytes) -> None:
    assert deck.read_bytes() == before
    assert not [p for p in deck.parent.iterdir() if p.name.endswith(".tmp")]


def test_missing_path(tmp_path: Path) -> None:
    assert_failed(build(str(tmp_path / "nope"), "-o", str(tmp_path / "d.apkg")), "nope: no such file or folder")
    assert not (tmp_path / "d.apkg").exists()


def test_folder_without_markdown(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    assert_failed(build(str(tmp_path), "-o", str(tmp_path / "d.apkg")), "has no markdown files")


def test_unreadable_file(good) -> None:
    guides, deck, before = good
    path = guides / "socket.md"  # a socket cannot be read as a file, even by root
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    try:
        assert_failed(build(str(guides / "initiative-proactivity.md"), str(path), "-o", str(deck)),
                      f"{path}: cannot read the file")
    finally:
        server.close()
    assert_intact(deck, before)


def test_binary_file(good) -> None:
    guides, deck, before = good
    (guides / "image.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert_failed(build(str(guides), "-o", str(deck)), "image.md: this is a binary file, not markdown")
    assert_intact(deck, before)


def test_non_utf8_file_names_the_line(good) -> None:
    guides, deck, before = good
    (guides / "latin1.md").write_bytes("# Title\n\nfine\ncaf\u00e9 au lait\n".encode("latin-1"))
    assert_failed(build(str(guides), "-o", str(deck)), "latin1.md:4: not UTF-8 text (byte 0xe9)")
    assert_intact(deck, before)


def test_one_bad_document_never_hides_another(good) -> None:
    guides, deck, before = good
    (guides / "a-binary.md").write_bytes(b"\x00\x01\x02")
    (guides / "b-latin1.md").write_bytes(b"caf\xe9")
    result = build(str(guides), "-o", str(deck))
    assert_failed(result, "a-binary.md: this is a binary file", "b-latin1.md:1: not UTF-8 text")
    assert_intact(deck, before)


def test_empty_and_material_free_documents(tmp_path: Path) -> None:
    (tmp_path / "empty.md").write_text("")
    (tmp_path / "prose.md").write_text("# Just prose\n\nNothing to study here, only a story.\n")
    result = build(str(tmp_path), "-o", str(tmp_path / "d.apkg"))
    assert_failed(result, "nothing to build")
    assert "empty.md: no study material found" in result.stderr
    assert "prose.md: no study material found" in result.stderr
    assert not (tmp_path / "d.apkg").exists()


def test_empty_document_beside_a_good_one_only_warns(good) -> None:
    guides, deck, _ = good
    (guides / "empty.md").write_text("")
    result = build(str(guides), "-o", str(deck))
    assert result.exit_code == 0
    assert "empty.md: no study material found; it adds no cards" in result.stderr


def test_huge_file(good) -> None:
    guides, deck, before = good
    with (guides / "huge.md").open("wb") as f:
        f.truncate(50 * 1024 * 1024)  # sparse: 50 MB without writing them
    assert_failed(build(str(guides), "-o", str(deck)), "huge.md: file is 52 MB, over the 20 MB limit")
    assert_intact(deck, before)


def test_malformed_front_matter_names_the_line(good) -> None:
    guides, deck, before = good
    (guides / "fm.md").write_text("---\ntitle: ok\ndeck: [unclosed\n---\n# T\n")
    assert_failed(build(str(guides), "-o", str(deck)), "fm.md:4: front matter:")
    assert_intact(deck, before)


def test_malformed_config_names_the_line(good) -> None:
    guides, deck, before = good
    (guides / "deckbuilder.yaml").write_text("deck: Prep\nextractors:\n  star: [true\n")
    assert_failed(build(str(guides), "-o", str(deck)), "deckbuilder.yaml:4: invalid YAML")
    assert_intact(deck, before)


def test_output_in_a_missing_folder(good, tmp_path: Path) -> None:
    guides, _, _ = good
    target = tmp_path / "no" / "such" / "deck.apkg"
    assert_failed(build(str(guides), "-o", str(target)), "the output folder does not exist")
    assert not target.parent.exists()


def test_output_in_a_read_only_place(good) -> None:
    guides, _, _ = good
    assert_failed(build(str(guides), "-o", "/sys/deck.apkg"), "/sys/deck.apkg: cannot write here")


def test_duplicate_titles_get_distinct_decks(tmp_path: Path, collection) -> None:
    from .conftest import import_apkg

    for name in ("a.md", "b.md"):
        copy_seed(tmp_path / "g").rename(tmp_path / "g" / name)
    result = build(str(tmp_path / "g"), "-o", str(tmp_path / "d.apkg"))
    assert result.exit_code == 0
    assert "a.md: the title 'Initiative & Proactivity' is also used by" in result.stderr
    import_apkg(collection, tmp_path / "d.apkg")
    names = {d.name for d in collection.decks.all_names_and_ids()}
    assert {"Interview Prep::Initiative & Proactivity (a)", "Interview Prep::Initiative & Proactivity (b)"} <= names
    assert len(collection.find_notes("")) == 126


def test_failed_write_keeps_the_previous_deck(good) -> None:
    guides, deck, before = good
    (guides / "initiative-proactivity.md").write_text("# Broken\n\n- [x](y)\n")  # no cards any more
    assert build(str(guides), "-o", str(deck)).exit_code != 0
    assert_intact(deck, before)


def test_a_guide_named_twice_is_read_once(tmp_path: Path) -> None:
    guide = copy_seed(tmp_path / "g")
    for order in ((guide.parent, guide), (guide, guide.parent)):  # through its folder and on its own
        result = build(*map(str, order), "-o", str(tmp_path / "d.apkg"))
        assert result.exit_code == 0, result.output
        assert f"wrote {SEED_NOTES} notes" in result.stdout and "same card" not in result.stderr



def test_a_guide_opening_with_a_rule_is_markdown_not_front_matter(tmp_path_factory) -> None:
    """'---' over a heading and prose is a thematic break: the guide builds and its question
    is a card. Front matter opens with a setting ('deck: ...')."""
    text = ("---\n# Networking Notes\nA short set of notes.\n\n---\n\n"
            "## Basics\n\n### What does DNS do?\n\nIt turns a host name into an IP address.\n")
    col = import_guide(tmp_path_factory, "rule.md", text)
    try:
        cards = card_texts(col)
    finally:
        col.close()
    asked = [c for c in cards if c["q"].startswith("What does DNS do?")]
    assert asked and "host name into an IP address" in asked[0]["a"], cards
