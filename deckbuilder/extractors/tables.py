"""Comparison tables: each row that names a thing becomes a Recall card, the thing in
front and its other cells behind, under their column headers.

``| Approach | Latency | When to use |`` gives "Write-through" -> "**Latency**: every write
pays for cache and DB / **When to use**: ...", with the section and the compared columns
as context ("Caching strategies · Latency, When to use"). A table with a definition column
(``| Term | Definition |``) gives definitions instead; a table of qualities
(``| Aspect | SQL | NoSQL |``) names the comparison in front: "SQL vs NoSQL: scaling".

A table that only lays out text is not a card: fewer than two rows, one column, an empty
header, prose cells, a table of contents (rows of links, or the questions answered below:
``| No. | Questions |``), a checklist (a column of ``[ ]``) or a key/value table of facts
about the guide itself (difficulty, time, author).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..model import CardSpec, Document, Kind, Opaque, Section
from ..screen import ANSWER_LINES, fits
from .definitions import MIN_WORDS, asks, capitalised, fit, lower_first, topic_of, unwrap_code
from .flag_pairs import flag_columns
from .text import is_link_only, plain, sections, truncate_words, words

# a first column of qualities ("| Aspect | SQL | NoSQL |"): the row is "SQL vs NoSQL: scaling"
ASPECT = re.compile(r"^(aspects?|features?|criteri(a|on)|propert(y|ies)|dimensions?|factors?|characteristics?|"
                    r"attributes?|metrics?|parameters?|)$", re.I)
QUESTION = re.compile(r"^(questions?|q|prompt)$", re.I)
DEFINES = re.compile(r"^(definition|meaning|description|what it (is|does|means)|explanation)$", re.I)
# first-column labels of a table about the guide, not about the subject
META = re.compile(
    r"^(difficulty|level|time|duration|estimated time|author|tags?|status|version|last updated|updated|"
    r"prerequisites?|topics?|category|source|links?|format|audience|read time)$",
    re.I,
)
PLACEHOLDER = re.compile(r"^(todo|tbd|tba|n/?a|-+|—|–|\?+|\.\.\.|…)?$", re.I)
CHECKBOX = re.compile(r"^\[[ xX]?\]|^[☐☑☒]")
NUMBER = re.compile(r"^#?\d+[.)]?$")
FILE_NAME = re.compile(r"^[\w./-]+\.(md|markdown|html?|txt|pdf|ya?ml|json)$", re.I)  # a table of files is navigation
NUMBERING = re.compile(r"^(#|no\.?|n°|nr\.?|)$", re.I)
MIN_ROWS = 2
MAX_NAME_WORDS = 8
MAX_QUESTION_WORDS = 25
MAX_TOPIC_WORDS = 8  # a long heading above a table is cut short in the hint
PROSE_WORDS = 25  # average words per cell above which a table is laid-out text
MAX_HINT_COLUMNS = 3
ANSWER_ROWS = 4  # rows a question's card may hold as its whole answer; more are learnt row by row


def extract(doc: Document) -> Iterator[CardSpec]:
    for section in (doc.root, *sections(doc)):
        for block in section.blocks:
            if isinstance(block, Opaque) and block.kind == "table":
                yield from _rows(doc, section, block)


def settle(specs: list[CardSpec]) -> list[CardSpec]:
    """A question answered by a table alone ("How do containers differ from VMs?" over
    ``| Aspect | Container | VM |``) gets one kind of card, not the same facts twice: the
    question's card when the table is small and whole on its back, else the row cards, one
    idea each, where the question's card would be a grid to recite, too tall for a phone,
    or a few rows with the rest left to Extra."""
    drop: set[int] = set()
    for n, spec in enumerate(specs):
        if spec.kind is not Kind.QA or not _only_table(spec.back) or spec.extra and not _only_table(spec.extra):
            continue
        end = next((later.line for later in specs[n + 1 :] if later.kind is Kind.QA and later.line > spec.line), None)
        rows = {k for k, row in enumerate(specs) if row.extractor == "tables" and spec.line < row.line
                and (end is None or row.line < end) and row.section_path[: len(spec.section_path)] == spec.section_path}
        if rows:
            drop |= {n} if spec.extra or len(rows) > ANSWER_ROWS else rows
    return [spec for n, spec in enumerate(specs) if n not in drop]


def _only_table(md: str) -> bool:
    lines = [ln for ln in md.strip().split("\n") if ln.strip()]
    return bool(lines) and all(ln.lstrip().startswith("|") for ln in lines)


def _rows(doc: Document, section: Section, table: Opaque) -> Iterator[CardSpec]:
    if flag_columns(table.rows):
        return  # a "❌ what not to say | ✅ say instead" table: its rows are red flags
    columns = _comparison(table.rows)
    if columns is None:
        return
    header, rows = columns
    topic = topic_of(doc, section)
    names = [plain(h) for h in header]
    defining = next((n for n, name in enumerate(names[1:], 1) if DEFINES.match(name)), 0)
    aspects = bool(ASPECT.match(names[0]))  # rows are qualities, columns the things compared
    # under a question ("What is the difference between TCP and UDP?") the front names the
    # things compared, as under a plain heading: "TCP vs UDP: delivery", not "...UDP?: delivery"
    compared_names = " vs ".join(names[1:]) if asks(topic) and len(names) == 3 else topic
    for offset, row in enumerate(rows, 1):
        name, cells = row[0].strip(), {h: c.strip() for h, c in zip(names[1:], row[1:], strict=False)}
        shown = [(h, c) for h, c in cells.items() if not PLACEHOLDER.match(plain(c))]
        if PLACEHOLDER.match(plain(name)) or not shown or all(is_link_only(c) for _, c in shown):
            continue
        if any(c.count("`") % 2 for c in row):
            continue  # a "|" inside code split the row: its cells are broken
        if defining:  # "| Term | Definition |": the definition behind, other columns as extra
            definition = cells.get(names[defining], "")
            if len(words(definition)) < MIN_WORDS:
                continue
            back, rest = fit(capitalised(definition))
            extra = "\n\n".join(part for part in (rest, _cells_markdown(shown, skip=names[defining])[0]) if part)
            kind, hint = Kind.DEFINITION, f"Definition · {topic}"
        elif QUESTION.match(names[0]) and len(names) == 2:  # "| Question | Answer |": the answer alone
            back, extra = fit(capitalised(shown[0][1]))
            kind, hint = Kind.TABLE_ROW, topic
        else:
            back, extra = _cells_markdown(shown)
            compared = names[1 : 1 + MAX_HINT_COLUMNS] + (["…"] if len(names) > 1 + MAX_HINT_COLUMNS else [])
            kind, hint = Kind.TABLE_ROW, ", ".join(compared)
            if not asks(topic):  # a question above the table is in the card's context already
                hint = f"{truncate_words(topic, MAX_TOPIC_WORDS)} · {hint}"
        yield CardSpec(
            kind=kind,
            front=f"{compared_names}: {lower_first(plain(name))}" if aspects else unwrap_code(name),
            back=back,
            extra=extra,
            label=names[0],
            hint=hint,
            section_path=section.path,
            line=table.line + offset + 1,  # header and delimiter rows come first
        )


def _comparison(rows: tuple[tuple[str, ...], ...]) -> tuple[tuple[str, ...], list[tuple[str, ...]]] | None:
    """The header and rows of a table that compares things; None for laid-out text."""
    if len(rows) < MIN_ROWS + 1:
        return None
    header, body = rows[0], [r for r in rows[1:] if any(plain(c) for c in r)]
    if len(header) == 2 and QUESTION.match(plain(header[1])):
        return None  # "| No. | Questions |": an index of the questions the guide answers below
    if NUMBERING.match(plain(header[0])) and all(NUMBER.match(plain(r[0])) for r in body):
        header, body = header[1:], [r[1:] for r in body]  # a "#" column numbers the rows
    if len(header) < 2 or len(body) < MIN_ROWS or not all(plain(h) for h in header[1:]):
        return None
    cells = [c for r in body for c in r]
    if any(all(CHECKBOX.match(plain(r[i]) if i < len(r) else "") for r in body) for i in range(len(header))):
        return None  # a checklist
    if sum(len(words(c)) for c in cells) / max(1, len(cells)) > PROSE_WORDS:
        return None
    names = [plain(r[0]) for r in body]
    if sum(1 for r in body if is_link_only(r[0])) * 2 > len(body) or any(
        all(i < len(r) and is_link_only(r[i]) for r in body) for i in range(len(header))
    ):
        return None  # a table of contents: its names, or a whole column, are links
    if sum(1 for n in names if FILE_NAME.match(n)) * 2 > len(body):
        return None  # a table of files ("| guide | covers |"): navigation too
    if sum(1 for n in names if META.match(n)) * 2 > len(body):
        return None
    if any(_is_sentence(n) for n in names):
        return None  # the first column holds sentences, not names (a question is fine: it names its answer)
    return header, body


def _cells_markdown(cells: list[tuple[str, str]], skip: str = "") -> tuple[str, str]:
    """``- **Header**: cell`` lines; what does not fit one phone screen goes to extra."""
    lines = [f"- **{header}**: {cell}" for header, cell in cells if header != skip]
    kept = 1
    while kept < len(lines) and fits("\n".join(lines[: kept + 1]), ANSWER_LINES):
        kept += 1
    return "\n".join(lines[:kept]), "\n".join(lines[kept:])


def _is_sentence(name: str) -> bool:
    if name.endswith("?"):
        return len(name.split()) > MAX_QUESTION_WORDS
    return len(name.split()) > MAX_NAME_WORDS or name.endswith(".") and len(name.split()) > 3

