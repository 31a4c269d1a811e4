"""The story bank: the user's own STAR stories, read from a folder of markdown.

A behavioral question is answered with one's own stories, not a guide's sample answer.
The bank is ``stories/`` at the top of the guides folder (the guide gatherer skips it) or
a folder named by ``stories:`` in ``deckbuilder.yaml``; nothing else is ever read as a
story, since stories hold private details. In a file, each ``##`` heading is one story;
a file without one is a single story named by its ``#`` title (or ``title:``). A story
says what it answers on an ``Answers:`` line or in front matter (``answers: [...]``),
may give a one-line ``Summary:`` and its ``Metrics:``, and tells the rest in STAR parts
(``**Situation:**``...) or Context/Response, as the guides' sample answers do.

Reading is plain data out (``Bank`` of ``Story``); matching stories to questions is
``story_match``, their cards and the "Your stories:" part of question backs ``story_cards``.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from .config import STORIES_FOLDER, bank_folder
from .errors import ConfigError
from .extractors import star
from .extractors.text import first_sentence, plain, split_label, split_plain_label, truncate_words, unquote
from .model import Block, Paragraph, Section, StarOutline
from .reader import read_source
from .render import STAR_LABELS
from .sections import build_document

if TYPE_CHECKING:
    from .config import Config

log = logging.getLogger("deckbuilder")

SUMMARY_WORDS = 18  # a one-line outline on a question's back
_LABELS = {"answers": "answers", "answer": "answers", "summary": "summary", "in one line": "summary",
           "one line": "summary", "metrics": "metrics"}


@dataclass(frozen=True)
class Story:
    """One story, in markdown/plain text, with where it came from."""

    title: str
    path: str  # the file, for messages
    line: int  # its heading (or the file's first line)
    answers: tuple[tuple[str, int], ...]  # (entry as written, its line)
    summary: str  # the one-line outline: the story's own, else its result's first sentence
    metrics: str  # inline markdown, "" if none
    outline: StarOutline  # rows as the sample answers' outlines (S/T/A/R or Context/Response)
    parts: tuple[str, ...]  # the part labels the story has, in order
    answers_line: int  # where ``answers`` is written (0: nowhere)


@dataclass(frozen=True)
class Bank:
    """Every story of the bank folder, in file and line order."""

    folder: str
    stories: tuple[Story, ...]

    def __repr__(self) -> str:
        # The settings' repr keys every guide's cache entry. A question's back shows a story's
        # title and one-line outline, chosen by its answers: only those are in it, so editing
        # a story's situation or actions redoes the bank's own notes and not every guide.
        return f"Bank({self.folder!r}, shown={self.shown_digest()})"

    def shown_digest(self) -> str:
        """What question backs depend on: each story's title, summary and answers, in order."""
        shown = [(s.title, s.summary, [a for a, _ in s.answers]) for s in self.stories]
        return hashlib.sha256(repr(shown).encode("utf-8")).hexdigest()[:16]

    def digest(self) -> str:
        """Everything the bank's notes depend on."""
        return hashlib.sha256(repr([self.folder, *self.stories]).encode("utf-8")).hexdigest()


def with_bank(config: Config, paths: list[Path]) -> Config:
    """The settings with the story bank read in, when there is one: the folder named by
    ``stories:``, else ``stories/`` in the first guides folder. ``stories: false`` reads none."""
    folder = bank_folder(config, paths)
    if folder is None:
        return config
    _refuse_inside_guides(folder, [p for p in paths if p.is_dir()], config.source)
    return replace(config, bank=load_bank(folder))


def _refuse_inside_guides(folder: Path, roots: list[Path], where: str) -> None:
    """A bank inside a guides folder other than its top ``stories/`` would also be read as guides."""
    for root in roots:
        try:
            rel = folder.resolve().relative_to(root.resolve())
        except ValueError:
            continue
        if rel.parts and rel.parts != (STORIES_FOLDER,):
            raise ConfigError(f"stories: {folder} is inside the guides folder {root}, where its files would be "
                              f"read as guides; move it to {root / STORIES_FOLDER} or outside {root}",
                              where or str(folder))


def load_bank(folder: Path) -> Bank:
    """Every story under ``folder`` (markdown files, hidden ones left out). As for guides, a
    link to a file outside the folder is skipped: a bank in a shared repository must not
    put some other file of yours into a deck."""
    inside = folder.resolve()
    files = []
    for path in sorted(folder.rglob("*")):
        if path.suffix.lower() not in (".md", ".markdown") or not path.is_file() \
                or any(part.startswith(".") for part in path.relative_to(folder).parts):
            continue
        if not path.resolve().is_relative_to(inside):
            log.warning("%s: a link to a file outside %s; skipped", path, folder)
            continue
        files.append(path)
    return Bank(str(folder), tuple(story for path in files for story in read_stories(path, folder)))


def read_stories(path: Path, folder: Path) -> list[Story]:
    """The stories of one file: one per ``##`` heading, or the whole file as one."""
    source = read_source(path, folder)  # decoding, mojibake and front matter as for guides
    doc = build_document(source)
    meta = dict(source.front_matter)
    shown = str(path)
    heads = [s for s in doc.root.children if s.level == 2]
    if heads:
        return [_story(shown, s.title, s.line, _all_blocks(s), {}, source.text) for s in heads]
    title = str(meta.get("title") or doc.title or path.stem.replace("-", " ").replace("_", " ").capitalize())
    raw = path.read_text(encoding="utf-8", errors="replace")
    return [_story(shown, title, 1, _all_blocks(doc.root), meta, raw)]


def _all_blocks(section: Section) -> tuple[Block, ...]:
    """A story's blocks, its sub-headings' included (``### Action`` under a story is still the story)."""
    out = list(section.blocks)
    for child in section.children:
        out.append(Paragraph(f"**{child.title}:**", child.line))
        out.extend(_all_blocks(child))
    return tuple(out)


def _story(path: str, title: str, line: int, blocks: tuple[Block, ...], meta: dict[str, object], raw: str) -> Story:
    """A story from its blocks: its own labelled lines taken out, the rest read as STAR parts."""
    found: dict[str, tuple[str, int]] = {}
    rest: list[Block] = []
    for block in blocks:
        if not isinstance(block, Paragraph):
            rest.append(block)
            continue
        kept = []
        for offset, text in enumerate(block.text.split("\n")):
            label = split_label(text) or split_plain_label(text)
            key = _LABELS.get(label.label.lower()) if label else None
            if label and key and key not in found:
                found[key] = (label.rest, block.line + offset)
            elif label and label.label.lower() in star.PARTS and not text.lstrip().startswith(("*", "_")):
                kept.append(f"**{label.label}:** {label.rest}")  # "Situation: ..." reads as "**Situation:**"
            else:
                kept.append(text)
        if kept:
            rest.append(Paragraph("\n".join(kept), block.line))
    answers = _answers(*found["answers"]) if "answers" in found else _meta_answers(meta, raw)
    answers_line = found["answers"][1] if "answers" in found else (answers[0][1] if answers else 0)
    answer = star.parse_answer(Section(title, 2, line, (title,), tuple(rest)))
    outline = star.outline(answer) if answer else StarOutline(())
    parts = tuple(label for label, _ in answer.parts) if answer else ()
    metrics = found.get("metrics", (_meta_text(meta, "metrics"), 0))[0]
    summary = found.get("summary", (_meta_text(meta, "summary"), 0))[0] or _result_line(outline)
    return Story(title=plain(title), path=path, line=line, answers=answers, summary=_one_line(summary),
                 metrics=metrics, outline=outline, parts=parts, answers_line=answers_line)


def _answers(text: str, line: int) -> tuple[tuple[str, int], ...]:
    """``initiative, ownership, "disagreed with your manager"`` or a YAML list ``[...]``."""
    body = text.strip()
    try:
        value = yaml.safe_load(body if body.startswith("[") else f"[{body}]")
    except yaml.YAMLError:
        value = [part.strip() for part in body.strip("[]").split(",")]
    items = value if isinstance(value, list) else [value]
    return tuple((unquote(str(item)).strip(), line) for item in items if str(item).strip())


def _meta_answers(meta: dict[str, object], raw: str) -> tuple[tuple[str, int], ...]:
    """``answers:`` in front matter: a list, or one text of comma-separated entries."""
    value = meta.get("answers")
    if value is None:
        return ()
    line = next((n for n, text in enumerate(raw.split("\n"), 1) if re.match(r"answers\s*:", text)), 1)
    if isinstance(value, list):
        return tuple((str(item).strip(), line) for item in value if str(item).strip())
    return _answers(str(value), line)


def _meta_text(meta: dict[str, object], key: str) -> str:
    value = meta.get(key)
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value) if value is not None else ""


def _result_line(outline: StarOutline) -> str:
    rows = dict(outline.rows)
    lines = rows.get("R") or rows.get("Response") or ()
    return lines[0] if lines else ""


def _one_line(text: str) -> str:
    return truncate_words(first_sentence(unquote(text.strip())), SUMMARY_WORDS) if text.strip() else ""


def missing_parts(story: Story) -> list[str]:
    """The STAR parts a story leaves out ([] for a complete STAR or Context/Response story)."""
    if {"Context", "Response"} <= set(story.parts):
        return []
    return [name for letter, name in STAR_LABELS.items() if letter not in story.parts]
