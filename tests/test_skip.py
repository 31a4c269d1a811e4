"""``<!-- deckbuilder: skip -->``: whole sections, single blocks and single list items are
left out of the section tree, so no extractor makes a card of them."""

from __future__ import annotations

from pathlib import Path

import pytest

from deckbuilder.model import ListBlock, Paragraph, SourceText
from deckbuilder.sections import build_document

from .conftest import card_texts, import_guide, run_cli

SKIP = "<!-- deckbuilder: skip -->"

GUIDE = f"""\
# Skipping

## Common Questions

### Kept Questions
1. Tell me about a kept question one
2. Tell me about a kept question two

### Dropped Questions
{SKIP}
1. Tell me about a dropped section question

#### Dropped Subsection
1. Tell me about a dropped subsection question

### Mixed Questions
1. Tell me about a mixed question one
{SKIP}
2. Tell me about a mixed question two
3. Tell me about a mixed question three
4. Tell me about a mixed question four
   {SKIP}
5. {SKIP}
   Tell me about a mixed question five

## Notes

Q: Is this paragraph kept?
A: Yes.

{SKIP}
Q: Is this paragraph kept too?
A: No, the comment drops it.

Q: And the one after it?
A: Kept.

## Key Themes

- **Ownership**: what every answer above should show (a prompt's back needs it)
"""


def _tree(text: str):
    return build_document(SourceText(path="g.md", rel="g.md", text=text))


@pytest.fixture(scope="module")
def questions(tmp_path_factory) -> list[str]:
    col = import_guide(tmp_path_factory, "g.md", GUIDE)
    fronts = sorted(col.get_card(cid).note()["Front"] for cid in col.find_cards(""))
    assert all(c["q"] for c in card_texts(col))
    col.close()
    return fronts


def test_skip_under_a_heading_drops_the_section_and_its_subsections(questions) -> None:
    assert "Tell me about a kept question one" in questions
    assert "Tell me about a kept question two" in questions
    assert not any("dropped" in q for q in questions)


def test_skip_between_list_items_drops_one_item(questions) -> None:
    mixed = [q for q in questions if "mixed" in q]
    assert mixed == ["Tell me about a mixed question one", "Tell me about a mixed question three"]


def test_skip_before_a_paragraph_drops_that_paragraph(questions) -> None:
    assert "Is this paragraph kept?" in questions
    assert "And the one after it?" in questions
    assert "Is this paragraph kept too?" not in questions
    assert len(questions) == 7  # and the theme


def test_the_list_stays_whole_when_an_item_is_skipped() -> None:
    doc = _tree(f"# T\n\n## Steps\n1. one\n{SKIP}\n2. two\n3. three\n")
    (steps,) = doc.root.children
    (ladder,) = steps.blocks
    assert isinstance(ladder, ListBlock)
    assert [i.text for i in ladder.items] == ["one", "three"]


def test_skip_under_the_title_drops_the_document() -> None:
    doc = _tree(f"# T\n{SKIP}\n\nIntro.\n\n## A\n- x\n\n# Other\n\nText\n")
    assert doc.title == "T"
    assert doc.root.blocks == () and doc.root.children == ()


def test_a_later_section_at_the_same_level_is_kept() -> None:
    doc = _tree(f"# T\n\n## A\n{SKIP}\ntext\n### A.1\nmore\n## B\nkept\n")
    assert [s.title for s in doc.root.children] == ["B"]
    assert doc.root.children[0].blocks == (Paragraph("kept", 9),)


def test_a_skipped_section_still_ends_the_section_before_it() -> None:
    """The title heading closes no section, so what follows a skipped section and then
    the title belongs to the document, not to the section before the skipped one."""
    doc = _tree(f"## A\nkept in A\n\n## B\n{SKIP}\ndropped\n\n# T\nafter the title\n")
    assert doc.title == "T"
    assert [s.title for s in doc.root.children] == ["A"]
    assert doc.root.children[0].blocks == (Paragraph("kept in A", 2),)
    assert doc.root.blocks == (Paragraph("after the title", 9),)


def test_comments_never_reach_the_tree() -> None:
    doc = _tree(f"# T\n\n## A\ntext\n\n<!-- a plain comment -->\n{SKIP}\n")
    kinds = [type(b).__name__ for b in doc.root.children[0].blocks]
    assert kinds == ["Paragraph", "Opaque"]  # the plain comment stays an opaque block


def test_typos_and_skips_with_nothing_to_skip_are_reported(tmp_path: Path) -> None:
    (tmp_path / "g.md").write_text(
        "# G\n\n## Questions\n- Tell me about a time you led\n\n<!-- deckbuilder: skp -->\n\n"
        f"- Tell me about a time you failed\n\n{SKIP}\n\n## More Questions\n- Tell me about a time you won\n"
        "\n## Key Themes\n- **Ownership**: owning the outcome, good or bad\n",
        encoding="utf-8",
    )
    result = run_cli("build", str(tmp_path), "-o", str(tmp_path / "d.apkg"))
    assert result.exit_code == 0, result.output
    assert "g.md: 4 notes" in result.stdout  # three prompts and the theme they show
    assert "g.md:6: deckbuilder comment not understood" in result.stderr
    assert "g.md:10: skip comment has nothing after it to skip" in result.stderr


def test_a_numbered_level_one_heading_after_sections_is_a_section() -> None:
    """"## 1. What is X?" then "# 2. What is Y?": the second is the next question, not the
    guide's title, so the blocks under it stay its own."""
    doc = _tree("## 1. What is a lease?\nA lock that expires.\n\n# 2. What is a fence token?\nA number that grows.\n")
    assert doc.title == "G"
    assert [s.title for s in doc.root.children] == ["1. What is a lease?", "2. What is a fence token?"]
    assert doc.root.children[1].blocks == (Paragraph("A number that grows.", 5),)
