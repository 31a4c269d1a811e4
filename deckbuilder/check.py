"""``deckbuilder check``: lint guides without writing a deck.

Each finding names the file and line and says what to do. Errors stop a build (or would
produce a broken card); warnings are worth a look and become errors with ``--strict``.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .config import Config
from .documents import gather
from .encoding import decode, repair_mojibake
from .errors import DeckbuilderError
from .extractors import REGISTRY, extract_all, star
from .extractors.text import is_link_only, plain, sections
from .identity import normalise
from .model import CardSpec, Document, ListBlock, NoteKind, Opaque, Paragraph, Section
from .reader import read_source
from .sections import build_document

MAX_FRONT_WORDS = 30
MAX_BACK_WORDS = 90
NOT_MATERIAL = re.compile(r"overview|introduction|related|see also|table of contents|contents|resources|links?", re.I)
_CLOZE = re.compile(r"\{\{c\d+::(.*?)\}\}", re.S)
_INLINE_HTML = re.compile(r"<(?!!--)/?[a-zA-Z][^>]*>")
_DECKBUILDER_COMMENT = re.compile(r"^\s*<!--\s*deckbuilder:", re.I)


@dataclass(frozen=True)
class Finding:
    level: str  # "error" or "warning"
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.level}: {self.message}"


def check(paths: list[Path], config: Config | None = None) -> list[Finding]:
    """Every finding for the guides under ``paths``, in file and line order."""
    config = config or Config()
    findings: list[Finding] = []
    seen_fronts: dict[tuple[str, str], str] = {}
    try:
        files = gather(paths)
    except DeckbuilderError as err:
        return [Finding("error", err.path, err.line, _bare(err))]
    for path, root in files:
        try:
            source = read_source(path, root)
        except DeckbuilderError as err:
            findings.append(Finding("error", str(path), err.line, _bare(err)))
            continue
        shown = str(path)
        if source.repaired:
            findings.append(Finding("warning", shown, 0, f"broken encoding (UTF-8 misread as {source.repaired}); "
                                                         "run `deckbuilder check --fix-encoding` to repair the file"))
        document = build_document(source)
        specs = extract_all(document, config.enabled(list(REGISTRY), config.document(source.rel)))
        findings.extend(_spec_findings(shown, specs))
        findings.extend(_silent_sections(shown, document, specs))
        findings.extend(_raw_html(shown, document))
        for spec in specs:
            key = (spec.kind.value, normalise(spec.front))
            here = f"{shown}:{spec.line}"
            if key in seen_fronts and not seen_fronts[key].startswith(f"{shown}:"):
                findings.append(Finding("warning", shown, spec.line, f"same card as {seen_fronts[key]}"))
            seen_fronts.setdefault(key, here)
    return sorted(findings, key=lambda f: (f.path, f.line))


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


def _silent_sections(path: str, document: Document, specs: list[CardSpec]) -> Iterator[Finding]:
    """Sections with list or ``**Label**:`` material that gave no card at all."""
    covered = {s.section_path[:n] for s in specs for n in range(1, len(s.section_path) + 1)}
    for section in sections(document):
        if section.path in covered or any(NOT_MATERIAL.search(t) for t in section.path):
            continue
        if star.is_answer(document, section):  # a sample answer's card sits on its parent
            continue
        if _looks_like_material(section):
            yield Finding("warning", path, section.line,
                          f"section '{section.path[-1]}' looks like study material but gave no cards")


def _looks_like_material(section: Section) -> bool:
    items = [i for b in section.blocks if isinstance(b, ListBlock) for i in b.items if not is_link_only(i.text)]
    labels = [p for p in section.blocks if isinstance(p, Paragraph) and re.match(r"\s*\W*\s*\*\*[^*]+\*\*", p.text)]
    return len(items) >= 3 or len(labels) >= 2


def _raw_html(path: str, document: Document) -> Iterator[Finding]:
    for section in [document.root, *sections(document)]:
        for block in section.blocks:
            if isinstance(block, Opaque) and block.kind == "html" and not _DECKBUILDER_COMMENT.match(block.text):
                yield Finding("warning", path, block.line, "raw HTML is escaped on cards, not rendered")
            elif isinstance(block, Paragraph) and _INLINE_HTML.search(block.text):
                yield Finding("warning", path, block.line, "inline HTML is escaped on cards, not rendered")


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
