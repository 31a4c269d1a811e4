"""``deckbuilder check``: lint guides without writing a deck, and say what the deck will
really look like.

Each finding names the file and line and says what to do. Errors stop a build (or would
produce a broken card); warnings are worth a look and become errors with ``--strict``.
Each guide goes through the build's own per-guide step (``documents.process_file``): a
guide the build skips is not checked, and every warning the build gives about a guide (a
skip comment with nothing to skip, a broken ``Q:``/``A:`` pair, a template stub left out,
repaired encoding, no material, two guides with one title) is a finding here, so that
``--strict`` counts every warning that ``check`` prints.

Per note, measured on what the note renders: a Recall back without a real answer, a side
taller than a phone screen, a Red Flag without a better version, a cloze whose deletion
cuts its markup. Per guide: sections with study-looking material that gave no card (named
by shape), questions nobody answers, raw HTML that cards will show escaped (not in code,
not a ``List<T>`` generic). Across guides: the same card twice, and the same back in
several guides (boilerplate that answers nothing). Boilerplate sections (overview,
resources, table of contents...) are left alone.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from . import screen
from .config import Config
from .documents import distinct_decks, gather, process_file
from .encoding import decode, repair_mojibake
from .errors import DeckbuilderError
from .extractors import answers, questions, star, stubs
from .extractors.flag_mistakes import MISTAKE_HEADING
from .extractors.flag_pieces import BAD_MARKERS, lines_of
from .extractors.text import is_link_only, no_emoji, plain, sections, title_matches
from .identity import normalise, note_guid
from .model import CardSpec, Document, Guide, ListBlock, NoteKind, Opaque, Paragraph, Section
from .rendered import crossings, side_lines
from .story_check import story_problems
from .story_match import is_question

MAX_FRONT_WORDS = 30
MAX_BACK_WORDS = 90
BOILERPLATE_GUIDES = 3  # the same back in this many guides is boilerplate
NOT_MATERIAL = stubs.BOILERPLATE_HEADING
_CLOZE = re.compile(r"\{\{c\d+::(.*?)\}\}", re.S)
_CODE_SPAN = re.compile(r"(`+)[^`].*?\1", re.S)
# A tag a browser would act on: a known element, not glued to a word (``List<String>``).
_INLINE_HTML = re.compile(
    r"(?<![\w<])</?(?:a|abbr|b|br|button|code|div|em|form|h[1-6]|i|iframe|img|input|kbd|li|ol|p|pre|"
    r"script|section|small|span|strong|style|sub|sup|table|td|th|tr|u|ul|video)\b[^>]*>",
    re.I,
)
_DETAILS = re.compile(r"^\s*</?(?:details|summary)\b", re.I)  # a question shape, not stray markup
_TASK = re.compile(r"^\s*\[[ xX]\]\s")  # "- [ ] Solve Two Sum": a to-do, not material
_CATEGORY_ONLY = re.compile(r"^\s*Category:[^\n]*$")


@dataclass(frozen=True)
class Finding:
    level: str  # "error" or "warning"
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.level}: {self.message}"


def findings_json(findings: list[Finding], strict: bool = False) -> str:
    """Every finding as one JSON document, with the counts that decide the exit code
    (``strict``: every warning counts as an error, and is listed as one)."""
    listed = [{"level": "error" if strict else f.level, "path": f.path, "line": f.line, "message": f.message}
              for f in findings]
    errors = sum(f["level"] == "error" for f in listed)
    return json.dumps({"errors": errors, "warnings": len(listed) - errors, "findings": listed},
                      ensure_ascii=False, indent=2)


def check(paths: list[Path], config: Config | None = None) -> list[Finding]:
    """Every finding for the guides under ``paths``, in file and line order."""
    config = config or Config()
    findings: list[Finding] = []
    _check(paths, config, findings)
    return sorted(findings, key=lambda f: (f.path, f.line))


def _check(paths: list[Path], config: Config, findings: list[Finding]) -> None:
    asked: list[CardSpec] = []  # issue 14: the interview questions, for the story checks
    seen_fronts: dict[tuple[str, str], str] = {}
    backs: dict[str, list[tuple[str, int]]] = {}
    try:
        files = gather(paths)
    except DeckbuilderError as err:
        findings.append(Finding("error", err.path, err.line, _bare(err)))
        return
    guides = []
    for path, root in files:
        try:
            guide = process_file(path, root, config)  # the build's own step: its settings, its warnings
        except DeckbuilderError as err:
            findings.append(Finding("error", str(path), err.line, _bare(err)))
            continue
        if guide is None or guide.document is None or guide.specs is None:
            continue  # skipped (``skip: true``), as the build skips it
        guides.append(guide)
        shown = guide.path
        specs = list(guide.specs)
        findings.extend(Finding("warning", w.path, w.line, w.message) for w in guide.warnings)
        material = stubs.scan(guide.document).document  # what the extractors read: template text left out
        findings.extend(_spec_findings(shown, specs))
        findings.extend(_note_findings(shown, guide))
        findings.extend(_silent_sections(shown, material, specs))
        findings.extend(_unanswered(shown, material, specs))
        findings.extend(_flags_without_better(shown, material, specs))
        findings.extend(_raw_html(shown, material))
        asked.extend(spec for spec in specs if is_question(spec))
        for spec in specs:
            key = (spec.kind.value, normalise(spec.front))
            here = f"{shown}:{spec.line}"
            if key in seen_fronts and not seen_fronts[key].startswith(f"{shown}:"):
                findings.append(Finding("warning", shown, spec.line, f"same card as {seen_fronts[key]}"))
            seen_fronts.setdefault(key, here)
            answered = spec.note_kind is NoteKind.RECALL and not _answerless(spec)  # else reported as answerless
            if answered and len(normalise(plain(spec.back)).split()) >= 3:
                places = backs.setdefault(normalise(plain(spec.back)), [])
                if not any(p == shown for p, _ in places):
                    places.append((shown, spec.line))
    _, deck_warnings = distinct_decks([(g.path, g.rel, g.title, g.base_deck) for g in guides])
    findings.extend(Finding("warning", w.path, w.line, w.message) for w in deck_warnings)
    findings.extend(_boilerplate(backs))
    findings.extend(_stories(config, asked))


def _stories(config: Config, asked: list[CardSpec]) -> Iterator[Finding]:
    """Issue 14: the story bank's problems (``story_check``), as warnings."""
    for problem in story_problems(config.bank, asked):
        yield Finding("warning", problem.path, problem.line, problem.message)


def _bare(err: DeckbuilderError) -> str:
    """The message without the ``path:line:`` prefix the error already carries."""
    prefix = f"{err.path}:{err.line}: " if err.line else f"{err.path}: "
    return err.message[len(prefix):] if err.path and err.message.startswith(prefix) else err.message


def _spec_findings(path: str, specs: list[CardSpec]) -> Iterator[Finding]:
    for spec in specs:
        if spec.note_kind is NoteKind.CLOZE:
            deletions = _CLOZE.findall(spec.front)
            if not deletions:
                yield Finding("error", path, spec.line, "cloze note without deletions; add {{c1::...}}")
            for text in deletions:
                answer = text.split("::")[0]
                if "}}" in answer or "{{" in answer or text.count("::") > 1:
                    yield Finding("error", path, spec.line, f"cloze deletion contains '}}}}' or '::': {text[:40]!r}")
            continue
        words = len(plain(spec.front).split())
        if words > MAX_FRONT_WORDS:
            yield Finding("warning", path, spec.line, f"front is {words} words; keep it under {MAX_FRONT_WORDS}")
        back_words = len(plain(spec.back).split())
        if back_words > MAX_BACK_WORDS:
            yield Finding("warning", path, spec.line, f"back is {back_words} words; keep it under {MAX_BACK_WORDS}")


def _note_findings(path: str, guide: Guide) -> Iterator[Finding]:
    """What each note will look like on a phone, measured on the fields the build rendered."""
    fields = {note.guid: note.fields for note in guide.notes or ()}  # a repeat shares its first's GUID
    for spec in guide.specs or ():
        if spec.note_kind is NoteKind.RECALL and _answerless(spec):
            shown = plain(spec.back) or "nothing"
            yield Finding("warning", path, spec.line, f"'{_short(spec.front)}' has no real answer on its back "
                                                      f"(only {_short(shown)!r}); write the answer under it")
        note = fields[note_guid(guide.doc_id, spec)]
        if spec.note_kind is NoteKind.CLOZE:
            for crossing in crossings(note[0]):
                yield Finding("error", path, spec.line, f"a cloze deletion cuts its markup ({crossing})")
        height = side_lines(note)
        long_back = len(plain(spec.back).split()) > MAX_BACK_WORDS and spec.note_kind is not NoteKind.CLOZE
        if height > screen.SCREEN_LINES and not long_back:
            yield Finding("warning", path, spec.line, f"'{_short(plain(spec.front))}' is about {height:.0f} lines "
                                                      f"tall on a phone (a screen holds {screen.SCREEN_LINES}); "
                                                      "shorten it or split it")


def _answerless(spec: CardSpec) -> bool:
    """A Recall back that answers nothing: empty, only links, or only "Category: X"."""
    if spec.outline is not None:
        return False
    lines = [ln for ln in spec.back.split("\n") if ln.strip() and not _CATEGORY_ONLY.match(ln)]
    return not re.search(r"\w", _unlinked("\n".join(lines)))


def _unlinked(md: str) -> str:
    return re.sub(r"!?\[[^\]]*\]\([^)]*\)|https?://\S+", "", md)


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _boilerplate(backs: dict[str, list[tuple[str, int]]]) -> Iterator[Finding]:
    """The same back in several guides is a template's answer, not this guide's."""
    for text, places in backs.items():
        if len(places) >= BOILERPLATE_GUIDES:
            path, line = places[0]
            others = ", ".join(Path(p).name for p, _ in places[1:4]) + (", ..." if len(places) > 4 else "")
            yield Finding("warning", path, line, f"the back {_short(text)!r} repeats in {len(places)} guides "
                                                 f"({others}): boilerplate answers nothing; write this card's answer")


def _silent_sections(path: str, document: Document, specs: list[CardSpec]) -> Iterator[Finding]:
    """Sections with study-looking material that gave no card at all, named by its shape."""
    covered = {s.section_path[:n] for s in specs for n in range(1, len(s.section_path) + 1)}
    for section in sections(document):
        if section.path in covered or any(NOT_MATERIAL.search(t) for t in section.path):
            continue
        if star.is_answer(document, section):  # a sample answer's card sits on its parent
            continue
        shape = _material_shape(section)
        if shape:
            yield Finding("warning", path, section.line,
                          f"section '{section.path[-1]}' looks like study material ({shape}) but gave no cards")


def _material_shape(section: Section) -> str:
    """What in a section looks like study material: "a table", "a list of bold terms"..., or ""."""
    items = [i for b in section.blocks if isinstance(b, ListBlock) for i in b.items
             if not is_link_only(i.text) and not _TASK.match(i.text)]
    labels = [p for p in section.blocks if isinstance(p, Paragraph) and re.match(r"\s*\W*\s*\*\*[^*]+\*\*", p.text)]
    questions = [p for p in labels if _bold_question(p.text)]
    tables = [b for b in section.blocks if isinstance(b, Opaque) and b.kind == "table" and len(b.rows) >= 3]
    details = [b for b in section.blocks if isinstance(b, Opaque) and re.match(r"\s*<details\b", b.text, re.I)]
    if questions:
        return f"{_count(len(questions), 'bold line')} ending in '?'"
    if details:
        return f"{_count(len(details), '<details> block')} with a <summary> question"
    if tables:
        return "a table"
    bold_items = [i for i in items if re.match(r"\s*\W*\s*\*\*[^*]+\*\*", i.text)]
    if len(bold_items) >= 2:
        return "a list of bold terms"
    if len(items) >= 3:
        return f"a list of {len(items)} items"
    if len(labels) >= 2:
        return f"{len(labels)} bold labels"
    return ""


def _flags_without_better(path: str, document: Document, specs: list[CardSpec]) -> Iterator[Finding]:
    """❌ lines in a red-flags or mistakes section that gave no card: the extractor makes a
    Red Flag only with a real better version, and a what-to-avoid card only with a reason."""
    used = {spec.line for spec in specs}
    for section in sections(document):
        if not title_matches(section, MISTAKE_HEADING, depth=1):
            continue
        for block in section.blocks:
            pieces = lines_of(block) if isinstance(block, Paragraph) else (
                [Paragraph(i.text, i.line) for i in block.items] if isinstance(block, ListBlock) else [])
            for piece in pieces:
                if piece.text.lstrip().startswith(BAD_MARKERS) and piece.line not in used:
                    shown = _short(no_emoji(plain(piece.text)))
                    yield Finding("warning", path, piece.line, f"'{shown}' gave no card: a red flag needs a "
                                                                "✅ better version after it (not only a link), "
                                                                "or a reason")


def _count(n: int, noun: str) -> str:
    return f"a {noun}" if n == 1 else f"{n} {noun}s"


def _bold_question(md: str) -> bool:
    return bool(re.fullmatch(r"\s*\*\*[^*]+\?\s*\*\*\s*", md.strip().split("\n")[0]))


def _unanswered(path: str, document: Document, specs: list[CardSpec]) -> Iterator[Finding]:
    """Questions the guide asks and never answers: a prompt in a question list that became
    no card (``questions.unanswered``), a ``<details>`` question left empty
    (``answers.unanswered_details``), a heading or a bold line ending in '?' with nothing under it."""
    for prompt in questions.unanswered(document):
        yield Finding("warning", path, prompt.line, f"the interview question '{_short(prompt.question)}' has no "
                                                    "answer, and the guide says nothing about what a strong answer "
                                                    "shows; no card made")
    for line, question in answers.unanswered_details(document):
        yield Finding("warning", path, line, f"the question '{_short(question)}' has an empty answer; no card made")
    lines = {s.line for s in specs}
    for section in sections(document):
        if any(NOT_MATERIAL.search(t) for t in section.path):
            continue
        only_links = all(isinstance(b, Paragraph) and is_link_only(b.text) for b in section.blocks)
        if section.title.rstrip().endswith("?") and only_links and not section.children and section.line not in lines:
            yield Finding("warning", path, section.line, f"the question '{_short(section.path[-1])}' has no answer "
                                                         "under it; no card made")
        blocks = section.blocks
        for n, block in enumerate(blocks):
            if isinstance(block, Paragraph) and _bold_question(block.text) and block.line not in lines:
                after = blocks[n + 1] if n + 1 < len(blocks) else None
                if after is None or (isinstance(after, Paragraph) and _bold_question(after.text)):
                    question = plain(block.text.strip().split("\n")[0])
                    yield Finding("warning", path, block.line, f"the question '{_short(question)}' has no answer "
                                                               "after it; no card made")


def _raw_html(path: str, document: Document) -> Iterator[Finding]:
    for section in [document.root, *sections(document)]:
        if any(NOT_MATERIAL.search(t) for t in section.path):
            continue
        for block in section.blocks:
            if (isinstance(block, Opaque) and block.kind == "html" and not block.text.lstrip().startswith("<!--")
                    and not _DETAILS.match(block.text)):
                yield Finding("warning", path, block.line, "raw HTML is escaped on cards, not rendered")
            texts = [(block.text, block.line)] if isinstance(block, Paragraph) else []
            if isinstance(block, ListBlock):
                texts = [(item.text, item.line) for item in block.items]
            for text, line in texts:
                if _INLINE_HTML.search(_CODE_SPAN.sub("", text)):
                    yield Finding("warning", path, line, "inline HTML is escaped on cards, not rendered")


def fix_encoding(paths: list[Path]) -> list[tuple[Path, Path]]:
    """Rewrite files with mojibake as clean UTF-8; return (file, backup) pairs. An existing
    backup is never overwritten: the next free ``NAME.md.bak.N`` is used instead."""
    fixed = []
    for path, _root in gather(paths):
        try:
            text = decode(path.read_bytes())
        except (OSError, UnicodeDecodeError):
            continue
        repaired, codec = repair_mojibake(text)
        if not codec:
            continue
        backup = _free_backup(path)
        shutil.copy2(path, backup)
        path.write_text(repaired, encoding="utf-8")
        fixed.append((path, backup))
    return fixed


def _free_backup(path: Path) -> Path:
    """``NAME.md.bak``, or the first ``NAME.md.bak.N`` that does not exist; created here, so
    that nothing else can take it in between."""
    import os

    for n in range(0, 10_000):
        backup = path.with_name(path.name + ".bak" + (f".{n}" if n else ""))
        try:
            os.close(os.open(backup, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
            return backup
        except FileExistsError:
            continue
    raise DeckbuilderError("too many backups already; remove some NAME.md.bak.N files", str(path))
