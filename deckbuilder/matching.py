"""Which new notes continue which old ones, across the whole deck, whatever moved.

A note's GUID names where it was first seen (guide, section, kind, front), so a renamed
heading or guide, a note moved to another guide or a reworded front gives a new GUID.
The notes this build made that the lock does not know and the lock's notes that this
build did not make are paired here, as one global assignment (best pairs first, never
one note to two), so the new note can take the old GUID and keep its review history.

Evidence for a pair, always of the same kind: the front's similarity at word and at
character level; an unchanged answer (strong, when that answer is rare); the same guide
(after guide renames, which the exact pairs reveal); the same section; the same
position in its list. Two fronts that differ by a swapped content word ("...with your
manager" / "...with your peer") are different cards unless their own answer (not one
borrowed from a sample answer) is the same.

Cost stays near linear: exact fronts are paired through a hash table, and only the
remainder goes through an inverted index of rare word stems to a handful of scored
candidates each. There is no all-pairs loop.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from difflib import SequenceMatcher
from typing import NamedTuple

from .identity import normalise_front

ACCEPT = 0.8  # a pair at or above this score is one note
WARN = 0.6  # a pair between this and ACCEPT is reported as a likely match left apart
ANSWER_BONUS = 0.2  # the same rare answer: strong evidence
GUIDE_BONUS = 0.05
SECTION_BONUS = 0.02
POSITION_BONUS = 0.03
_BUCKET_PAIRS = 400  # more contested pairs of one front than this are paired in document order
_POSTING_LIMIT = 64  # a stem in more texts than this is too common to find a pair by
_SHORTLIST = 12  # scored candidates per note in the fuzzy round
# a listed question's back is borrowed from the sample answer most like its front, so an
# unchanged back says nothing the front does not: it cannot excuse a swapped word
_BORROWED_ANSWER = frozenset({"question"})

_STOP = frozenset(
    "a an the and or but if of to in on at by for from with about into over as is are was were be been being "
    "do does did done have has had i me my we our you your he she they them their it its this that these those "
    "what when where which who whom why how would could should can will shall may might must anyone someone "
    "something anything not no so than then there".split()
)
_SUFFIX = re.compile(r"(?:ing|ed|es|s|ly)$")


class Side(NamedTuple):  # a tuple: made for every note, it must be cheap
    """What matching needs of a note, new or old."""

    kind: str
    doc: str
    section: str
    text: str  # the front (identity text) as written
    answer: str = ""  # digest of the back or answer; "" when unknown
    pos: int = -1  # position among the notes of its kind in its section; -1 when unknown


class Pair(NamedTuple):
    new: int  # index into the new notes
    old: int  # index into the old notes
    score: float
    similarity: float  # of the fronts alone
    same_guide: bool = False  # the very same guide: among equal scores, it goes first


def plain(text: str) -> str:
    """The front without cloze markup, normalised: what two fronts are compared by (as identity reads it)."""
    return normalise_front(text)


def stems(text: str) -> frozenset[str]:
    """Content words, crudely stemmed ("asked", "asking" -> "ask")."""
    out = set()
    for word in text.split():
        if word in _STOP:
            continue
        stem = _SUFFIX.sub("", word) if len(word) > 4 else word
        out.add(stem)
    return frozenset(out)


def front_similarity(a: str, b: str) -> float:
    """The mean of the word-level and the character-level ratio of two normalised fronts."""
    words = SequenceMatcher(None, a.split(), b.split(), autojunk=False).ratio()
    chars = SequenceMatcher(None, a, b, autojunk=False).ratio()
    return (words + chars) / 2


def swapped_content(a: frozenset[str], b: frozenset[str]) -> bool:
    """Each front has a content word the other lacks: a different question sharing a phrase."""
    return bool(a - b) and bool(b - a)


class _Matcher:
    def __init__(self, new: Sequence[Side], old: Sequence[Side], live_docs: frozenset[str]) -> None:
        self.new, self.old = new, old
        self.live_docs = live_docs
        self._plain: dict[str, str] = {}
        new_answers = Counter(s.answer for s in new if s.answer)
        old_answers = Counter(s.answer for s in old if s.answer)
        self.rare_answers = {a for a, n in new_answers.items() if n == 1 and old_answers.get(a) == 1}
        self.doc_map: dict[str, str] = {}
        self.section_map: dict[tuple[str, str], str] = {}

    def text(self, side: Side) -> str:
        """The normalised front, worked out once per text (one front is often in many guides)."""
        found = self._plain.get(side.text)
        if found is None:
            found = self._plain[side.text] = plain(side.text)
        return found

    def learn_places(self, pairs: list[tuple[int, int]]) -> None:
        """Where each vanished guide and each section went, by majority of the exact pairs.
        A guide that is still there is still itself."""
        docs: dict[str, Counter[str]] = defaultdict(Counter)
        sections: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
        for n, o in pairs:
            if self.old[o].doc not in self.live_docs:
                docs[self.old[o].doc][self.new[n].doc] += 1
            sections[(self.old[o].doc, self.old[o].section)][self.new[n].section] += 1
        self.doc_map = {doc: c.most_common(1)[0][0] for doc, c in docs.items()}
        self.section_map = {key: c.most_common(1)[0][0] for key, c in sections.items()}

    def score(self, n: int, o: int, similarity: float) -> float:
        new, old = self.new[n], self.old[o]
        score = similarity
        if new.answer and new.answer == old.answer and new.answer in self.rare_answers:
            score += ANSWER_BONUS
        if self.doc_map.get(old.doc, old.doc) == new.doc:
            score += GUIDE_BONUS
            if self.section_map.get((old.doc, old.section), old.section) == new.section:
                score += SECTION_BONUS
                if new.pos >= 0 and new.pos == old.pos:
                    score += POSITION_BONUS
        return score

    def pair(self, n: int, o: int, similarity: float) -> Pair:
        return Pair(n, o, round(self.score(n, o, similarity), 9), similarity, self.new[n].doc == self.old[o].doc)

    def exact(
        self, new_ids: Iterable[int], old_ids: Iterable[int], normalised: bool
    ) -> tuple[list[Pair], list[Pair], set[int], set[int]]:
        """Pairs with the same kind and front, as written or ``normalised``: (settled,
        contested, the new and old notes that had a partner). A front that one note on each
        side has, or one note on each side within one guide (after renames), is settled; the
        other notes of that front compete with the near pairs."""
        text = self.text if normalised else lambda side: side.text
        buckets: dict[tuple[str, str], tuple[list[int], list[int]]] = {}
        for n in new_ids:
            key = (self.new[n].kind, text(self.new[n]))
            bucket = buckets.get(key)
            if bucket is None:
                bucket = buckets[key] = ([], [])
            bucket[0].append(n)
        for o in old_ids:
            bucket = buckets.get((self.old[o].kind, text(self.old[o])))
            if bucket is not None:
                bucket[1].append(o)
        shared = [b for b in buckets.values() if b[1]]
        if not normalised:
            self.learn_places([(ns[0], os[0]) for ns, os in shared if len(ns) == 1 and len(os) == 1])
        settled, contested = [], []
        for ns, os in shared:
            if len(ns) == 1 and len(os) == 1:
                settled.append(Pair(ns[0], os[0], 1.0, 1.0))
                continue
            by_doc: dict[str, tuple[list[int], list[int]]] = {}
            for n in ns:
                by_doc.setdefault(self.new[n].doc, ([], []))[0].append(n)
            for o in os:
                by_doc.setdefault(self.doc_map.get(self.old[o].doc, self.old[o].doc), ([], []))[1].append(o)
            left_new: list[int] = []
            left_old: list[int] = []
            for group_new, group_old in by_doc.values():
                if len(group_new) == 1 and len(group_old) == 1:
                    settled.append(Pair(group_new[0], group_old[0], 1.0, 1.0, True))
                else:
                    left_new += group_new
                    left_old += group_old
            if len(left_new) * len(left_old) <= _BUCKET_PAIRS:
                contested += [self.pair(n, o, 1.0) for n in left_new for o in left_old]
            else:  # one front in very many guides: the rest pair in document order
                contested += [self.pair(n, o, 1.0) for n, o in zip(left_new, left_old, strict=False)]
        return settled, contested, {n for ns, _ in shared for n in ns}, {o for _, os in shared for o in os}

    def fuzzy(self, new_left: list[int], old_left: list[int]) -> tuple[list[Pair], list[Pair]]:
        """Pairs for the notes the exact round left, found through rare stems: (accepted, near misses)."""
        new_stems = {n: stems(self.text(self.new[n])) for n in new_left}
        old_stems = {o: stems(self.text(self.old[o])) for o in old_left}
        frequency = Counter(w for group in (new_stems, old_stems) for s in group.values() for w in s)
        index: dict[tuple[str, str], list[int]] = defaultdict(list)
        for o in old_left:
            for word in self._probes(old_stems[o], frequency):
                index[(self.old[o].kind, word)].append(o)
        accepted, near = [], []
        for n in new_left:
            shared: Counter[int] = Counter()
            for word in self._probes(new_stems[n], frequency):
                shared.update(index.get((self.new[n].kind, word), ()))
            for o, _ in shared.most_common(_SHORTLIST):
                similarity = front_similarity(self.text(self.new[n]), self.text(self.old[o]))
                if similarity < WARN - ANSWER_BONUS:
                    continue
                pair = self.pair(n, o, similarity)
                score = pair.score
                answered = score - similarity >= ANSWER_BONUS and self.new[n].kind not in _BORROWED_ANSWER
                different = swapped_content(new_stems[n], old_stems[o]) and not answered
                if score >= ACCEPT and not different:
                    accepted.append(pair)
                elif score >= WARN or (different and similarity >= WARN):
                    near.append(pair._replace(score=min(score, ACCEPT - 0.01)))
        return accepted, near

    @staticmethod
    def _probes(words: frozenset[str], frequency: Counter[str]) -> list[str]:
        """The stems to look a text up by: the rare ones, or else its two rarest."""
        rare = [w for w in words if frequency[w] <= _POSTING_LIMIT]
        return rare or sorted(words, key=lambda w: (frequency[w], w))[:2]


def assign(pairs: list[Pair], taken_new: set[int], taken_old: set[int]) -> list[Pair]:
    """Best pairs first; a note already paired is skipped. Among equal scores the very same
    guide goes first, then document order."""
    out = []
    for pair in sorted(pairs, key=lambda p: (-p.score, not p.same_guide, p.new, p.old)):
        if pair.new in taken_new or pair.old in taken_old:
            continue
        taken_new.add(pair.new)
        taken_old.add(pair.old)
        out.append(pair)
    return out


def match(
    new: Sequence[Side], old: Sequence[Side], live_docs: Iterable[str] = ()
) -> tuple[list[Pair], list[Pair]]:
    """Pair new notes with old ones of the same kind: (matches, near misses left apart).
    ``live_docs``: the guides this build has (besides those of ``new``).

    A near miss is reported only when neither of its notes found another partner, once
    for each new note."""
    if not new or not old:
        return [], []
    matcher = _Matcher(new, old, frozenset(live_docs) | {s.doc for s in new})
    settled, contested, paired_new, paired_old = matcher.exact(range(len(new)), range(len(old)), False)
    more_settled, more_contested, _, _ = matcher.exact([n for n in range(len(new)) if n not in paired_new],
                                                       [o for o in range(len(old)) if o not in paired_old], True)
    settled += more_settled
    contested += more_contested
    taken_new = {p.new for p in settled}
    taken_old = {p.old for p in settled}
    accepted, near = matcher.fuzzy([n for n in range(len(new)) if n not in taken_new],
                                   [o for o in range(len(old)) if o not in taken_old])
    # a front that several notes share competes with the near pairs in one assignment
    matches = settled + assign(contested + accepted, taken_new, taken_old)
    left_apart = assign(near, taken_new, taken_old)
    return matches, left_apart
