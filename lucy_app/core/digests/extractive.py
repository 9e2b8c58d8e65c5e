"""The extractive digest writer: deterministic, instant, no model.

It picks and trims the most informative sentences and keeps names and numbers. A
sentence is informative when its words are rare in the whole diary (inverse document
frequency from the full-text index) yet recur within the period (what the period is
*about*: the boiler that broke on Monday and was fixed on Friday). Near-duplicates are
skipped, every source gets a turn before any gets a second, and the chosen sentences keep
their order in time. Days are written from entries; higher levels from the bullets of the
digests below them, each bullet keeping its citations.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from lucy_app.core import text
from lucy_app.core.digests.citations import content_words
from lucy_app.core.digests.model import BUDGET_WORDS, Bullet

NAME = "extractive"
PROMPT_VERSION = "extractive-1"
MAX_SENTENCE_WORDS = 32
#: Sentences of one entry considered at most (choosing is quadratic in the candidates).
MAX_CANDIDATES_PER_ENTRY = 400
_SPEAKER = re.compile(r"^([A-Z][\w .'’-]{0,30}):\s+")


@dataclass(frozen=True)
class Candidate:
    """A sentence (or a child digest's bullet) that may go into a digest."""
    text: str
    entry_ids: tuple[int, ...]
    order: tuple  # where it came from, to keep time order
    source: int   # which entry / child digest it belongs to (for round-robin)


class Idf:
    """Inverse document frequency of words over the journal, cached per run."""

    def __init__(self, n_docs: int, doc_count):
        self.n = max(n_docs, 1)
        self._count = doc_count
        self._cache: dict[str, float] = {}

    def __call__(self, word: str) -> float:
        w = word.lower()
        if w not in self._cache:
            df = self._count(w)
            self._cache[w] = math.log((self.n + 1) / (df + 0.5))
        return self._cache[w]


def entry_candidates(entries: list) -> list[Candidate]:
    """The sentences of a day's entries (title first), speaker names kept on chat lines."""
    out = []
    for e_index, e in enumerate(entries):
        body = text.plain(e.body)
        speaker_at = _speakers(body)
        found = text.sentences(body)
        if len(found) > MAX_CANDIDATES_PER_ENTRY:  # a book-length entry: an even sample of it
            step = len(found) / MAX_CANDIDATES_PER_ENTRY
            found = [found[int(i * step)] for i in range(MAX_CANDIDATES_PER_ENTRY)]
        for s_index, s in enumerate(found):
            speaker = next((name for pos, name in reversed(speaker_at) if pos <= s.start), None)
            sentence = compress(s.text.lstrip("-*• ").strip(), speaker)
            if sentence:
                out.append(Candidate(sentence, (e.id,), (e.day, e_index, s_index), e.id))
    return out


_ASIDE = re.compile(r"\s*\[[^\]]*\]|\s*\([^)]*\)")
_OPENER = re.compile(
    r"^(?:(?:oh|ah|aw+|wow|woah|whoa|hey|hi|hello|yeah|yes|yep|no|nah|ok|okay|well|so|haha|lol|"
    r"omg|thanks|thank you|cool|great|awesome|sure|right|hmm+|um+|uh)\b[\s,!.…-]*)+",
    re.IGNORECASE,
)


def compress(sentence: str, speaker: str | None = None) -> str:
    """A sentence without asides in brackets or leading interjections, speaker kept."""
    body = _SPEAKER.sub("", sentence, count=1) if speaker and sentence.startswith(speaker + ":") else sentence
    body = _ASIDE.sub("", body).strip()
    body = _OPENER.sub("", body).strip()
    if not body or not text.WORD.search(body):
        return ""
    body = body[0].upper() + body[1:]
    return f"{speaker}: {body}" if speaker else body


def _speakers(body: str) -> list[tuple[int, str]]:
    """Where each speaker's turn starts, when the entry is a transcript (``Name: text`` lines).

    Only bodies with at least three such lines by at most a handful of names count, so a
    line like "Choir practice: we sang" in an ordinary entry is not taken for a speaker.
    """
    found = [(m.start(), m.group(1)) for m in _SPEAKER_LINE.finditer(body)]
    names = {name for _, name in found}
    if len(found) < 3 or len(names) > 6 or not all(_is_name(n) for n in names):
        return []
    return found


def _is_name(name: str) -> bool:
    return all(part[:1].isupper() for part in name.split())


_SPEAKER_LINE = re.compile(r"^([A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*){0,2}):[ \t]+", re.MULTILINE)


def bullet_candidates(children: list) -> list[Candidate]:
    """The bullets of child digests, in time order."""
    return [Candidate(b.text, b.entry_ids, (d.period.start, i), d.id)
            for d in children for i, b in enumerate(d.bullets)]


def choose(candidates: list[Candidate], idf: Idf, budget: int) -> list[Bullet]:
    """The most informative, least redundant candidates that fit ``budget`` words."""
    if not candidates:
        return []
    bags = [content_words(c.text) for c in candidates]
    # Words that recur across sentences in this period (the period's themes).
    spread: dict[str, int] = {}
    for bag in bags:
        for w in bag:
            spread[w] = spread.get(w, 0) + 1
    scores = []
    for c, bag in zip(candidates, bags):
        words = text.words(c.text)
        if len(words) < 4 or not bag:
            scores.append(-1.0)
            continue
        informative = sum(idf(w) for w in bag)
        themes = sum(idf(w) * math.log(spread[w]) for w in bag if spread[w] > 1) / math.log(len(candidates) + 1)
        names = sum(1 for w in words[1:] if w[:1].isupper()) + sum(1 for w in words if w[:1].isdigit())
        score = (informative + 2.0 * themes + 1.5 * names) / math.sqrt(len(words) + 4)
        if c.text.rstrip().endswith("?"):
            score *= 0.5  # a digest reports what happened, not what was asked
        scores.append(score)
    ranked = sorted(range(len(candidates)), key=lambda i: (-scores[i], candidates[i].order))
    chosen: list[int] = []
    used = 0
    turns: dict[int, int] = {}
    for round_ in range(len(candidates)):  # each source gets a turn before any gets a second
        added = False
        for i in ranked:
            if scores[i] < 0 or i in chosen or turns.get(candidates[i].source, 0) > round_:
                continue
            if any(_overlap(bags[i], bags[j]) > 0.5 for j in chosen):
                continue
            n = min(text.word_count(candidates[i].text), MAX_SENTENCE_WORDS)
            if used and used + n > budget:
                continue
            chosen.append(i)
            used += n
            added = True
            turns[candidates[i].source] = turns.get(candidates[i].source, 0) + 1
        if not added or used >= budget * 0.9:
            break
    chosen.sort(key=lambda i: candidates[i].order)
    return [Bullet(text.trim_words(candidates[i].text, MAX_SENTENCE_WORDS), candidates[i].entry_ids)
            for i in chosen]


def _overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / max(1, min(len(a), len(b)))


def day_budget(entries: list) -> int:
    """Longer days get longer digests: about an eighth of what was written, within bounds."""
    written = sum(text.word_count(e.body) for e in entries)
    return max(BUDGET_WORDS["day"], min(2 * BUDGET_WORDS["day"], written // 8))


def write_day(entries: list, idf: Idf, budget: int | None = None) -> list[Bullet]:
    return choose(entry_candidates(entries), idf, budget or day_budget(entries))


def write_parent(level: str, children: list, idf: Idf, budget: int | None = None) -> list[Bullet]:
    return choose(bullet_candidates(children), idf, budget or BUDGET_WORDS[level])
