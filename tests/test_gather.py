"""Which files of a guides folder are guides: markdown, not hidden, not the story bank, no
link leading out of the folder; read through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import run_cli

GUIDE = "# {title}\n\n## Questions\n\n### What does {title} mean?\n\n{title} is the word this guide defines.\n"


def guide(path: Path, title: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(GUIDE.format(title=title), encoding="utf-8")


def test_a_folder_gives_its_markdown_guides_in_path_order_and_nothing_else(tmp_path: Path) -> None:
    folder = tmp_path / "guides"
    for rel in ("b.md", "a/z.md", "a/y.MARKDOWN", "a/stories/kept.md", "Upper.Md"):
        guide(folder / rel, Path(rel).stem.capitalize())
    # not guides: hidden files and folders, the story bank at the top, other suffixes
    for rel in (".draft.md", ".git/HEAD.md", "a/.obsidian/cache.md", "stories/mine.md", "notes.txt"):
        guide(folder / rel, "Skipped")
    outside = tmp_path / "secret.md"
    guide(outside, "Secret")
    (folder / "a" / "leak.md").symlink_to(outside)  # a link out of the folder
    (folder / "a" / "gone.md").symlink_to(tmp_path / "missing.md")  # a broken link
    guide(folder / "a" / "target.txt", "Linked")
    (folder / "inside.md").symlink_to(folder / "a" / "target.txt")  # a link to a file inside: a guide
    (folder / "linked").symlink_to(folder / "a", target_is_directory=True)  # a linked folder is not entered

    result = run_cli("cards", str(folder), "--format", "json")

    assert result.exit_code == 0, result.output
    sources = list(dict.fromkeys(card["source"].rsplit(":", 1)[0] for card in json.loads(result.stdout)))
    assert sources == [str(folder / rel) for rel in
                       ("Upper.Md", "a/stories/kept.md", "a/y.MARKDOWN", "a/z.md", "b.md", "inside.md")]
    assert "a link to a file outside" in result.stderr and "leak.md" in result.stderr
    assert "Secret" not in result.stdout
