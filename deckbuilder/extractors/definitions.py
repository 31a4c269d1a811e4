"""Terms and their definitions, anywhere in a guide, become Recall cards: term -> definition.

The shapes (``**Term**: definition`` lines and items, ``Term`` + ``: definition`` lists, and
in a glossary plain ``Term: definition`` lines and a subsection per term) are read by
``terms``, in every section and before the first heading too.

The section is the context ("Definition · Caching strategies"). A bold label that is
structure rather than a term (STAR parts, ``Q:``/``A:``, ``Example:``, ``Note:``,
``Bad``/``Good``, ``How to fix``...) is never a definition. A property of the section's
subject (``**Time complexity**: O(log n)`` under "Binary search") is a real fact, so it
is a card whose front names the subject: "Binary search: time complexity"; where a
section's labels are mostly such properties (a cheat sheet's ``## Redis``), all of them
are, and ``**Definition**:`` or ``**What it does**:`` defines the subject itself.

Other extractors own some of the same shapes, and win there: key themes and metrics
(the lines they used), sample answers, red flags and mistakes, takeaways, and the lists
of a framework section.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

from ..model import CardSpec, Document, Kind, Section
from ..screen import ANSWER_LINES, fits
from . import answers, frameworks, metrics, star, takeaways, themes
from .asking import heading_asks
from .flag_mistakes import MISTAKE_HEADING
from .flag_pieces import BAD_MARKERS, label_kind  # a red flag's sides (Bad, Instead of, Try) are no terms
from .terms import DEFINES_SUBJECT, PROPERTY, Entry, entries, heading_entry, is_property
from .text import is_link_only, plain, sections, title_matches, words

# labels that structure a guide rather than name a term; compared lower-cased, colon removed
STRUCTURE = re.compile(
    r"^(situation|task|actions?|results?|outcomes?|impact|context|response|background|challenge|"
    r"what i did|what i('d| would) do differently|lessons?( learned)?|(key )?takeaways?|why (this|it) works|"
    r"q\d*|a\d*|question|answer|follow[- ]?ups?|examples?( \d+)?|e\.g\.|for example|notes?|nb|(pro )?tips?|"
    r"hints?|warning|caution|important|remember|summary|tl;? ?dr|bottom line|"
    r"bad|good|better|best|weak|strong|worse|before|after|do|don'?t|dos|don'?ts|avoid|instead|wrong|right|"
    r"correct|incorrect|red flags?|green flags?|how to fix( it)?|fix|solution|problem|issue|mistake|"
    r"why|how|what|when|where|who|jump to|next|previous|prev|see also|related|sources?|references?|"
    r"links?|read more|further reading|prerequisites?|difficulty|level|time|duration|estimated time|"
    r"last updated|updated|author|tags?|status|version|goal|objective|output|input|explanation|code|"
    r"usage|syntax|steps|approach|constraints|requirements|keywords|key concepts|key points|concepts|topics|"
    r"sample answer|model answer|evaluation criteria|directory|files?|todo|tbd|format|audience|role|company|"
    r"team|location|date|interviewer|(tech )?stack|tools|"
    r"(step|option|phase|stage|part|week|day|month|round)\s*[\w.-]{0,3})$",
    re.I,
)
INTRO_HEADING = re.compile(
    r"^(overview|about( this guide)?|introduction|intro|preface|how to use( this guide)?|before you start|"
    r"getting started|prerequisites|(table of )?contents|toc|readme)$",
    re.I,
)
# where to read more: "**Books**: <a title> by <an author>" names a book, it defines nothing
RESOURCES_HEADING = re.compile(
    r"\b(?:(?:study |learning |additional |further |useful |recommended )?resources|further reading|"
    r"reading list|recommended reading|references|bibliography|useful links|learn more|where to learn)\b",
    re.I,
)
# advice on interviewing: "**Know your team's practices** - research its workflow" is a tip, not a term
TIPS_HEADING = re.compile(r"\btips\b|\badvice\b|\bdos and don'?ts\b", re.I)
# a word that makes any label structure: "Real-world example", "Interview tip", "Common pitfall"
STRUCTURE_WORD = re.compile(
    r"\b(examples?|tips?|pitfalls?|gotchas?|mistakes?|insights?|analogy|mnemonic|takeaways?|notes?|prompts?|"
    r"case stud(?:y|ies)|"
    r"warnings?|reminders?|hints?|answers?|questions?|follow[- ]?ups?|red flags?|interview(er)?s?)\b",
    re.I,
)
# a glossary: every line is a term by the author's own word, bold or not
GLOSSARY_HEADING = re.compile(
    r"glossary|\b(key |important |core |basic )?terms\b|terminology|vocabulary|definitions|jargon|acronyms", re.I
)
# section titles that name no subject of their own: look one level up
GENERIC_TITLE = re.compile(
    r"^(overview|summary|details?|notes?|complexity( analysis)?|analysis|properties|characteristics|"
    r"key points|basics|fundamentals|concepts?|core concepts|introduction|intro|how it works|"
    r"implementation|code|examples?|usage|performance|trade-?offs|pros and cons|comparison|"
    r"when to use( it)?|key terms|terminology|glossary|definitions?|vocabulary)$",
    re.I,
)
_ASKS = re.compile(
    r"^(what|how|why|when|where|which|who|whom|whose|is|are|can|could|should|would|does|do|did|"
    r"explain|describe|tell me|walk me|compare|design|implement|write|name|list|define)(?=\s)",
    re.I,
)
# a heading that asks without a "?": a wh-word and a verb, or a prompt
_ASKS_HEADING = re.compile(
    r"^((what|how|why|when|where|which|who)(\s+\w+)?\s+(is|are|was|were|do|does|did|can|could|would|should|"
    r"will|happens|makes|causes)\b|what's|how's|(is|are|can|does|do|should)\s|"
    r"(explain|describe|tell me|walk me|compare|design|implement|write|define)\s)",
    re.I,
)
_IMPERATIVE = re.compile(
    r"^(use|avoid|always|never|don'?t|do|prefer|keep|make|be|start|ask|think|practi[cs]e|focus|show|"
    r"try|stay|remember|consider|stop|mind|watch|beware|measure|quantify|mention|own|lead|go)\s",
    re.I,
)
# advice steps of behavioral guides ("**Gather facts**: ...", "**Acknowledge feelings**: ..."):
# a capitalised verb and a lowercase object. Verbs that also open technical terms stay out
# ("Separate chaining", "Prepare phase", "Build context", "Check constraint", "Seek time").
_ADVICE_VERB = re.compile(
    r"^(?:Identify|Listen|Schedule|Find|Respect|Prioriti[sz]e|Gather|Understand|Choose|Acknowledge|Provide|"
    r"Maintain|Demonstrate|Create|Escalate|Evaluate|Communicate|Offer|Recogni[sz]e|Compensate|Have|Research|"
    r"Learn|Involve|Invest|Hire|Give|Adjust|Organi[sz]e|Encourage|Share|Clarify|Align|Take|Bring|Follow|Admit|"
    r"Apologi[sz]e|Celebrate|Empower|Foster|Establish|Reflect|Define|Improve)\s+[a-z]"
)
# verbs that open advice steps and technical terms alike: steps only among other steps
_STEP_VERB = re.compile(r"^(?:Set|Document|Prepare|Select|Build|Monitor|Send|Separate|Write|Check|Review|Support|"
                        r"Handle|Reduce|Seek|Accept|Delegate)\s+[a-z]")
_SENTENCE_VERB = re.compile(r"\s(is|are|was|were|should|must|can|will|does|do|has|have)\s", re.I)
_QUESTION_PREFIX = re.compile(r"^\s*(?:Q(?:uestion)?\s*\d*\s*[:.)-]\s*|\d+[.)]\s+)", re.I)
# an English word opening a definition: capitalised; a lowercase name (npm, kubectl) is not
_OPENING_WORD = re.compile(r"^[a-z]+(?:-[a-z]+)?\b(?![(.`_/])")
_LOWERCASE_NAMES = frozenset("npm git kubectl etcd nginx yarn pip curl grep bash vim ssh sudo cron systemd".split())
_LETTER = re.compile(r"^\W*[A-Z](\s*[-–—]\s*[A-Z])?\W*$")  # "A", "A–C": a glossary's letter heading
# "### ✅ Answer:", "### Key Differences:": a heading that labels its part of the answer above it
LABEL_TITLE = re.compile(r"^\W*(?:answers?|explanation|\w+(?: \w+){0,2}:)\W*$", re.I)
# "Intermediate Level", "Beginner-Level:", "Hard questions": how hard, not what about
LEVEL_TITLE = re.compile(
    r"^(?:(?:beginner|intermediate|advanced|expert|basic|easy|medium|hard|junior|mid|senior)(?:[- ]level)?"
    r"|level\s*\d+)(?:\s+questions?)?\s*:?$",
    re.I,
)
_BIG_O = re.compile(r"\b[OΘΩ]\(")
_ONLY_ASKS = re.compile(r"^(?:[^.!?]+\?\s*)+$")  # one question or more, and nothing else
_BARE_COST = re.compile(r"^(time|space|memory)$", re.I)
MIN_WORDS = 3  # words of a definition, fillers not counted: "an API style." is too short to test
FILLER = frozenset("a an the of to in on at by for with and or is are it its this that".split())
MAX_TERM_WORDS = 7
MAX_TERM_CHARS = 60


def extract(doc: Document) -> Iterator[CardSpec]:
    claimed = {spec.line for spec in (*themes.extract(doc), *metrics.extract(doc))}
    for section in (doc.root, *sections(doc)):
        if _owned_elsewhere(doc, section) or _about_the_guide(doc, section):
            continue
        glossary = in_glossary(doc, section)
        framework_lists = title_matches(section, frameworks.FRAMEWORK_HEADING, depth=1)
        found = list(entries(section.blocks, skip_lists=framework_lists, glossary=glossary))
        if glossary:  # "### Idempotency" and its paragraph, under the glossary's heading
            found += [e for e in map(heading_entry, section.children) if e]
        if sum(bool(_ADVICE_VERB.match(e.term) or _STEP_VERB.match(e.term)) for e in found) * 2 > len(found):
            found = [e for e in found if not _STEP_VERB.match(e.term)]  # a list of steps: "Document issues" too
        # "**Kafka:** ... / **RabbitMQ:** ... / **Kafka:** ...": a comparison point by point, whose sides
        # are labelled again and again; no one line of it defines either
        seen = Counter(plain(e.term).lower() for e in found)
        found = [e for e in found if seen[plain(e.term).lower()] < 2]
        properties = _describes_subject(found, glossary)
        for entry in sorted(found, key=lambda e: e.line):
            spec = _spec(doc, section, entry, properties) if entry.line not in claimed else None
            if spec:
                yield spec


def _describes_subject(found: list[Entry], glossary: bool) -> bool:
    """Are the section's labels properties of its subject ("## Redis" + "**Use cases**:" +
    "**Persistence**:") rather than terms? Yes with a "**Definition**:" label; outside a
    glossary also when a third of the labels are known properties (one "**Performance**:"
    among six network terms does not make them properties of "Networking")."""
    if any(DEFINES_SUBJECT.match(plain(e.term)) for e in found):
        return True
    return not glossary and sum(is_property(e.term) for e in found) * 3 >= len(found) > 0


def _about_the_guide(doc: Document, section: Section) -> bool:
    """Before the first heading and in an overview, bold labels are about the guide itself
    (``**Last updated:**``, ``**Format:**``), and under *Resources* they name where to read
    more (``**Books**: ...``); only a glossary defines terms there."""
    intro = not section.level or bool(INTRO_HEADING.match(section.path[-1]))
    return (intro or title_matches(section, RESOURCES_HEADING, depth=1)) and not in_glossary(doc, section)


def _owned_elsewhere(doc: Document, section: Section) -> bool:
    """Answers to a question (``**Purpose:**``, ``**Analogy:**`` there are parts of the answer),
    sample answers, red flags and mistakes, takeaways: their labels are not terms."""
    return (
        any(asks(title) or heading_asks(title) for title in section.path[-2:])  # as answers reads it
        or star.is_answer(doc, section)
        or answers.labelled_answer(section) is not None  # "**Setup:**" there is the scenario's
        or title_matches(section, TIPS_HEADING, depth=1)
        or title_matches(section, MISTAKE_HEADING, depth=1)
        or section.title.lstrip().startswith(BAD_MARKERS)
        or title_matches(section, takeaways.TAKEAWAY_HEADING, depth=0)
    )


def _spec(doc: Document, section: Section, entry: Entry, properties: bool = False) -> CardSpec | None:
    """The card for one term, or None; ``properties``: the section's labels describe its subject."""
    term = plain(entry.term)
    if not term or not re.search(r"[^\W\d_]", term):
        return None
    big_o = bool(PROPERTY.match(term) and _BIG_O.search(entry.body))
    structure = STRUCTURE.match(term) or STRUCTURE_WORD.search(term) or _BARE_COST.match(term) or label_kind(term)
    if structure and not big_o:
        return None  # "**Time**: 30 minutes" is about the guide; "**Time**: O(n)" is a fact
    if is_link_only(entry.body) or entry.body.rstrip().endswith(":") or _ONLY_ASKS.match(plain(entry.body)):
        return None  # "**Alerting**: Which alerts? Who is paged?": a checklist's prompt, defining nothing
    if _worked_figures(term, entry.body) or _SEE_ELSEWHERE.match(plain(entry.body)):
        return None  # the figures of a worked example; "(See the summary above.)" points, it defines nothing
    topic = topic_of(doc, section)
    if properties or PROPERTY.match(term) or DEFINES_SUBJECT.match(term):
        subject = subject_of(doc, section)
        if not subject or not words(entry.body):
            return None
        if DEFINES_SUBJECT.match(term):  # "### Artifact" + "**Definition**:": the context is above it
            front, topic = unwrap_code(subject), topic_of(doc, section, above=subject)
        else:
            front = f"{subject}: {lower_first(term)}"
        label, hint = subject, f"Definition · {topic}"
    elif _is_term(term) and len([w for w in words(entry.body) if w not in FILLER]) >= MIN_WORDS:
        front, label, hint = unwrap_code(entry.term), term, f"Definition · {topic}"
    else:
        return None
    back, extra = fit(capitalised(entry.body))
    return CardSpec(
        kind=Kind.DEFINITION,
        front=front,
        back=back,
        extra=extra,
        label=label,
        hint=hint,
        section_path=section.path,
        line=entry.line,
    )


# "**Traffic estimates**" over "- Users: 1M DAU" / "- Peak: 3x = ~350 req/s": the figures of one
# worked example, to redo in an interview, not a term to recall; "**Estimation**: working out
# the load..." defines the word and stays
_FIGURES_LABEL = re.compile(r"\b(?:estimates?|estimations?|calculations?|assumptions?|numbers|math|"
                            r"back[- ]of[- ](?:the[- ])?envelope)\b", re.I)
_SEE_ELSEWHERE = re.compile(r"^\(?(?:see|refer to|cf\.?)\b[^\n]{0,80}\b(?:above|below|earlier|later)\b", re.I)
_ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,2}[.)])\s+(?P<text>.*)$")


def _worked_figures(term: str, body: str) -> bool:
    items = [_ITEM.match(ln) for ln in body.strip().split("\n") if ln.strip()]
    return (bool(_FIGURES_LABEL.search(term)) and len(items) >= 2 and all(items)
            and sum(bool(re.search(r"\d", m["text"])) for m in items if m) * 4 >= len(items) * 3)


def lower_first(text: str) -> str:
    """"Time complexity" -> "time complexity" after a colon; "SLA" and "TTL" keep their capitals,
    and so do names with a capital or code inside them ("JavaScript", "Response.json()")."""
    first = text.split(" ", 1)[0]
    if len(text) < 2 or not text[1].islower() or any(c.isupper() for c in first[1:]) or _CODE_MARK.search(first):
        return text
    return text[0].lower() + text[1:]


_CODE_MARK = re.compile(r"[.(_/]")


def capitalised(body: str) -> str:
    """"the Domain Name System..." -> "The Domain Name System...": a back reads as a sentence.
    A name in code or a known lowercase tool (``npm``, ``kubectl``) keeps its case."""
    m = _OPENING_WORD.match(body)
    return body[0].upper() + body[1:] if m and m.group(0) not in _LOWERCASE_NAMES else body


def _is_term(term: str) -> bool:
    """A name, not a question, an instruction or a sentence."""
    if len(term) > MAX_TERM_CHARS or len(term.split()) > MAX_TERM_WORDS or term[-1] in "?.!,;":
        return False
    if _ASKS.match(term) and len(term.split()) > 1 or _IMPERATIVE.match(term) or _ADVICE_VERB.match(term):
        return False
    return not (len(term.split()) >= 4 and _SENTENCE_VERB.search(f" {term} "))


def fit(body: str) -> tuple[str, str]:
    """Keep the back to one phone screen: whole sentences on the back, the rest as extra."""
    if fits(body, ANSWER_LINES):
        return body, ""
    sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z`*(\"])", body) if "\n" not in body else body.split("\n")
    joiner = " " if "\n" not in body else "\n"
    kept: list[str] = []
    for sentence in sentences:
        if kept and not fits(joiner.join(kept + [sentence]), ANSWER_LINES):
            break
        kept.append(sentence)
    return joiner.join(kept), joiner.join(sentences[len(kept) :])


def unwrap_code(front: str) -> str:
    """A front that is one code span or one bold span (`` `useMemo` ``, ``**Sharding**``)
    reads as the plain name: a front is set large and bold already."""
    m = re.fullmatch(r"`([^`]+)`|(\*\*|__)([^*_]+)\2", front.strip())
    return (m.group(1) or m.group(3)).strip() if m else front


def topic_of(doc: Document, section: Section, above: str = "") -> str:
    """The section's title as a card's context: without ``Q1:`` or ``3.`` in front, and
    not a glossary's letter heading (``## A``), a label (``### Answer:``), a difficulty
    (``### Intermediate Level``) nor the ``above`` title: the one above then."""
    for title in reversed((doc.title, *section.path)):
        topic = _QUESTION_PREFIX.sub("", title).strip() or title
        if not _LETTER.match(title) and not LABEL_TITLE.match(title) and not LEVEL_TITLE.match(topic) \
                and topic != above:
            return topic
    return doc.title


def in_glossary(doc: Document, section: Section) -> bool:
    """A glossary section, or any section of a guide that is a glossary as a whole."""
    return any(GLOSSARY_HEADING.search(title) for title in (doc.title, *section.path))


def subject_of(doc: Document, section: Section) -> str:
    """What a property belongs to: the nearest title that names something (not a question)."""
    for title in reversed((doc.title, *section.path)):
        title = _QUESTION_PREFIX.sub("", title).strip().rstrip(":").rstrip()  # "#### Kafka:" names Kafka
        if GENERIC_TITLE.match(title):
            continue
        return "" if asks(title) else title
    return ""


def asks(title: str) -> bool:
    """Is this heading a question ("Q3: What is X?", "How does a B-tree speed up reads",
    "Explain the CAP theorem")? "What interviewers look for" and "How to prepare" are not."""
    if _QUESTION_PREFIX.match(title) and re.match(r"\s*Q", title, re.I):
        return True
    title = _QUESTION_PREFIX.sub("", title).strip()
    return title.endswith("?") or bool(_ASKS_HEADING.match(title))
