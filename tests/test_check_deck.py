"""``deckbuilder check`` tells the author what the deck will really look like.

Small guides written to a temporary folder, checked through the real CLI: each test names
the finding it expects at its file and line, and the false positives that must stay quiet.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from deckbuilder.rendered import crossings, side_lines, text_of

from .conftest import run_cli

PROMPTS = """# Prompts

## Common Questions
- Tell me about a time you disagreed with your manager
"""

TALL = "# Tall\n\n## Notes\nQ: What are the steps of a deploy?\nA: " + "\n".join(
    f"step {n}" for n in range(1, 31)
) + "\n"

FLAGS = """# Flags

## Red Flags to Avoid
❌ **Blaming others**: "It was the QA team's fault"
✅ **Better**: [see this](https://example.com)
"""

STUB = """# TITLE_PLACEHOLDER

## Key Themes
- **Concept**: TODO
"""

SHAPES = """# Shapes

## Indexes
| Index types |
|---|
| Hash |
| B-tree |

## Transactions
- **Atomicity**: all-or-nothing
- **Isolation**: invisible

## Replication
**What is replica lag?**

### What is a write-ahead log?

## Linked Lists
- A node holds a value and a pointer
- The head is the first node
- Insertion at the head is constant time
"""

QUIET = """# Quiet

## Overview
- This guide covers caching
- It has three parts
- Read it in order

## Related Topics
- Queues
- Logs
- Streams

## Table of Contents
- [Caching](#caching)
- [Queues](#queues)
- [Logs](#logs)

## Key Themes
- **Generics**: `Array<string>` and Array<string> hold strings; `<div>` is markup shown as code
- **Tags**: React components return JSX such as `<div className="x">`

A `<div>` is a block; Map<string, number> and Promise<void> are TypeScript generics.
"""


def _check(tmp_path: Path, *guides: tuple[str, str], strict: bool = False):
    for name, text in guides:
        (tmp_path / name).write_text(text, encoding="utf-8")
    return run_cli("check", *(["--strict"] if strict else []), str(tmp_path))


def test_unanswered_prompt_is_named(tmp_path: Path) -> None:
    out = _check(tmp_path, ("prompts.md", PROMPTS)).stdout
    assert ("prompts.md:4: warning: the interview question 'Tell me about a time you disagreed with your manager' "
            "has no answer, and the guide says nothing about what a strong answer shows; no card made") in out


def test_note_taller_than_a_phone(tmp_path: Path) -> None:
    out = _check(tmp_path, ("tall.md", TALL)).stdout
    assert "tall.md:4: warning: 'What are the steps of a deploy?' is about " in out
    assert "lines tall on a phone (a screen holds 28); shorten it or split it" in out


def test_red_flag_without_a_better_version_is_named(tmp_path: Path) -> None:
    """The extractor makes no Red Flag from a ❌ line whose ✅ side is only a link; check says so."""
    result = _check(tmp_path, ("flags.md", FLAGS), strict=True)
    assert ("flags.md:4: warning: 'Blaming others: \"It was the QA team's fault\"' gave no card: a red flag "
            "needs a ✅ better version after it (not only a link), or a reason") in result.stdout
    assert result.exit_code == 1


def test_skipped_stub_is_a_counted_warning(tmp_path: Path) -> None:
    skipped = PROMPTS.replace("## Common Questions\n", "## Common Questions\n<!-- deckbuilder: skip -->\n")
    result = _check(tmp_path, ("stub.md", STUB), ("prompts.md", skipped))
    out = result.stdout
    assert ("stub.md:1: warning: guide is an unfilled template (its title is the placeholder "
            "'TITLE_PLACEHOLDER'); no cards made from it") in out
    assert "prompts.md:4: warning: skip comment" not in out  # a section skip: nothing to warn about
    # and, as the build says too, neither guide gives a card
    assert "prompts.md: warning: no study material found; it adds no cards" in out
    assert "stub.md: warning: no study material found; it adds no cards" in out
    assert out.strip().endswith("0 error(s), 3 warning(s)")
    assert not result.stderr  # findings only, nothing printed beside them uncounted
    assert _check(tmp_path, strict=True).exit_code == 1


def test_logged_warnings_count_under_strict(tmp_path: Path) -> None:
    guide = "# Skips\n\n## Key Themes\n- **Cache**: a fast copy of slow data\n\n<!-- deckbuilder: skip -->\n"
    result = _check(tmp_path, ("skips.md", guide))
    assert "skips.md:6: warning: skip comment has nothing after it to skip" in result.stdout
    assert result.stdout.strip().endswith("0 error(s), 1 warning(s)")
    assert _check(tmp_path, strict=True).exit_code == 1


def test_silent_sections_name_their_shape(tmp_path: Path) -> None:
    out = _check(tmp_path, ("shapes.md", SHAPES)).stdout
    assert "shapes.md:3: warning: section 'Indexes' looks like study material (a table) but gave no cards" in out
    assert ("shapes.md:9: warning: section 'Transactions' looks like study material (a list of bold terms) "
            "but gave no cards") in out
    assert ("shapes.md:13: warning: section 'Replication' looks like study material (a bold line ending in '?') "
            "but gave no cards") in out
    assert "shapes.md:14: warning: the question 'What is replica lag?' has no answer after it; no card made" in out
    assert "shapes.md:16: warning: the question 'What is a write-ahead log?' has no answer under it" in out
    assert "section 'Linked Lists' looks like study material (a list of 3 items)" in out  # "Links" is quiet, not this


def test_quiet_on_boilerplate_code_and_generics(tmp_path: Path) -> None:
    out = _check(tmp_path, ("quiet.md", QUIET)).stdout
    assert out.strip() == "0 error(s), 0 warning(s)", out
    html = QUIET.replace("are TypeScript generics.", "are TypeScript generics. <span>Real markup</span>")
    out = _check(tmp_path, ("quiet.md", html)).stdout
    assert "quiet.md:22: warning: inline HTML is escaped on cards, not rendered" in out


def test_cross_guide_boilerplate(tmp_path: Path) -> None:
    guides = [
        (f"{topic}.md", f"# {topic.title()}\n\n## Key Themes\n- **{topic.title()}**: "
                        "Best practices, tools, and real-world implementations.\n")
        for topic in ("caching", "queues", "sharding")
    ]
    out = _check(tmp_path, *guides).stdout
    assert ("caching.md:4: warning: the back 'best practices tools and real world implementations' repeats in "
            "3 guides (queues.md, sharding.md): boilerplate answers nothing") in out
    assert out.count("repeats in") == 1


@pytest.mark.parametrize(
    ("field", "problem"),
    [
        ("<strong>its outer {{c1::variables</strong>}} alive", "</strong> closes outside the deletion"),
        ("{{c1::<code>git</code> rebase}} and {{c2::<em>merge}}</em>", "<em> is not closed inside the deletion"),
    ],
)
def test_crossing_deletions_are_found(field: str, problem: str) -> None:
    assert any(problem in c for c in crossings(field))
    assert not crossings("<strong>its outer {{c1::variables}}</strong> and {{c2::<code>a</code> b}}")


def test_rendered_height_counts_code_lists_and_lines() -> None:
    assert text_of("<ul>\n<li>a</li>\n<li>{{c1::b::hint}}</li>\n</ul>").split() == ["-", "a", "-", "b"]
    code = "<pre><code>" + "\n".join(f"line {n}" for n in range(40)) + "</code></pre>"
    assert side_lines([code]) > 28 > side_lines(["<p>one short paragraph</p>", "Context"])
