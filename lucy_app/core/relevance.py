"""Is anything in the diary about what a question asks? Decided by meaning, not word overlap.

Measured on the passages retrieved for the question (in its range, if any):

- **names**: every name the question asks about (a capitalised word) must be in a passage;
- **words**: the share of its other key words that the best passage contains, matched
  leniently — forms of a word meet (bury/buried, sick/sickness) and so do spelling
  variants ("Parmazan" for "parmesan", :func:`spelling_variant`); each word counts by how
  rare it is in the journal, so the topic's own words weigh most;
- **unwritten**: the share (by rarity) of its key words the journal never uses at all;
- **meaning**: the best cosine similarity between the question's key words and a passage
  (the embedding model), and that of the unwritten words alone ("sick" against a day with a
  fever: the word is never written, but the thing is).

A question is answered when its names are there and either most of its words are
(:data:`WORDS_MIN`), or ``meaning + 0.6 × meaning of the unwritten words − 0.2 × unwritten``
clears the embedding model's bar (:data:`BARS`); otherwise Lucy says nothing is recorded
about it. The weights and the bar were chosen on LoCoMo's tuning conversations (its
answerable questions against questions about topics no conversation mentions,
:mod:`lucy_app.core.bench.absent`) and checked on the held-out ones (``lucy bench honesty``).
Without an embedding model, only the words decide (:data:`WORDS_ONLY_MIN`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date

from lucy_app.core import text
from lucy_app.core.honesty import lemma
from lucy_app.core.storage import passages as passage_store
from lucy_app.core.storage.db import Database

#: Share of the key words the best passage must contain, for the words alone to suffice.
WORDS_MIN = 0.6
#: Without an embedding model: the words must reach this, and fewer than half be unwritten.
WORDS_ONLY_MIN = 0.5
#: How much the unwritten words' own meaning adds, and how much being unwritten takes away.
UNWRITTEN_MEANING_WEIGHT = 0.6
UNWRITTEN_PENALTY = 0.2
#: The bar the combined meaning must clear, per embedding model family (their cosines sit at
#: different heights: unrelated text is ~0.15 for EmbeddingGemma, ~0.25 for MiniLM).
BARS = {"embeddinggemma": 0.28, "plain": 0.30}
DEFAULT_BAR = 0.30
#: How many nearest passages the meaning is measured on.
NEAREST = 8


@dataclass(frozen=True)
class Relevance:
    words: float                 # share of key words in the best passage (0..1)
    meaning: float | None        # best cosine similarity (None: no embedding model)
    relevant: bool
    unwritten: float = 0.0       # share of key words the journal never uses (nor a spelling of them)
    named: bool = True           # every name the question asks about is in a passage
    meaning_unwritten: float | None = None  # best similarity of those unwritten words alone


def edits(a: str, b: str, limit: int) -> int:
    """Levenshtein distance of ``a`` and ``b``, or ``limit + 1`` once it is sure to exceed ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        row = [i]
        for j, cb in enumerate(b, 1):
            row.append(min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(row) > limit:
            return limit + 1
        previous = row
    return previous[-1]


def spelling_variant(a: str, b: str) -> bool:
    """Two spellings of one word of seven letters or more: same first letter, at most two
    edits apart ("Parmazan" and parmesan). Shorter words are left alone: "caving" and
    "carving", "plane" and "plant" are other words."""
    if min(len(a), len(b)) < 7 or a[0] != b[0]:
        return False
    return edits(a, b, 2) <= 2


def _matches(word: str, vocabulary: set[str]) -> bool:
    w = word.lower()
    if w in vocabulary or lemma(w) in vocabulary:
        return True
    return any(spelling_variant(w, v) for v in vocabulary)


def word_share(key_words: list[str], passage: str, weight=None) -> float:
    """Share of ``key_words`` other than names in ``passage`` (matched leniently), each word
    counted by ``weight(word)`` (default 1); 0 when a name among them is missing, 1 when
    there are only names and all are there."""
    if not key_words:
        return 1.0
    low = passage.lower()
    names = [w for w in key_words if w[:1].isupper()]
    if any(not re.search(r"\b" + re.escape(n.lower()) + r"\b", low) for n in names):
        return 0.0
    others = [w for w in key_words if not w[:1].isupper()]
    if not others:
        return 1.0
    found = {w.lower() for w in text.words(passage)}
    vocabulary = found | {lemma(w) for w in found}
    weight = weight or (lambda _w: 1.0)
    total = sum(weight(w) for w in others)
    return sum(weight(w) for w in others if _matches(w, vocabulary)) / total if total else 1.0


def rarity(db: Database):
    """How much a word says about what a question asks: its inverse document frequency in
    the journal ("skydiving", never written, says most; "felt", everywhere, little)."""
    from lucy_app.core.storage import entries as entry_store

    with db.read() as conn:
        n = entry_store.count(conn)
    counts: dict[str, int] = {}

    def document_count(word: str) -> int:
        w = word.lower()
        if w not in counts:
            with db.read() as conn:
                try:
                    counts[w] = entry_store.term_document_count(conn, w)
                except Exception:  # noqa: BLE001 - a word FTS cannot parse: as if never written
                    counts[w] = 0
        return counts[w]

    def weight(word: str) -> float:
        return math.log((n + 1) / (document_count(word) + 0.5))

    weight.document_count = document_count  # type: ignore[attr-defined]
    return weight


def meaning(db: Database, topic: str, *, models, start: date | None, end: date | None) -> float | None:
    """Best cosine similarity of ``topic`` to a passage in the range (None: no vectors)."""
    if models is None or not topic.strip():
        return None
    from lucy_app.core import search

    vector, model_id = search._query_vector(db, models, topic)[:2]
    if vector is None:
        return None
    with db.read() as conn:
        near = passage_store.knn_passages(conn, vector, model_id, k=NEAREST,
                                          start=start.isoformat() if start else None,
                                          end=end.isoformat() if end else None)
    return max((1.0 - r["distance"] for r in near), default=0.0)


def bar(models, db: Database) -> float:
    """The combined-meaning bar for the embedding model in use."""
    from lucy_app.core import index

    try:
        family = index.embedding_model(models, db).prompts.family
    except Exception:  # noqa: BLE001 - no usable model: judge() does not ask then
        return DEFAULT_BAR
    return BARS.get(family, DEFAULT_BAR)


def judge(db: Database, topic: str, key_words: list[str], passages: list[str], *, models,
          start: date | None = None, end: date | None = None) -> Relevance:
    """``topic``: the question without its time; ``key_words``: what it is about (names
    capitalised). Names must be in a passage; then the other words, or the meaning."""
    weight = rarity(db)
    words = max((word_share(key_words, p, weight) for p in passages), default=0.0)
    others = [w for w in key_words if not w[:1].isupper()]
    seen = {w.lower() for p in passages for w in text.words(p)}
    seen |= {lemma(w) for w in seen}
    never = [w for w in others if weight.document_count(w) == 0 and not _matches(w, seen)]
    total = sum(weight(w) for w in others)
    unwritten = sum(weight(w) for w in never) / total if total else 0.0
    # the words the journal never uses: is something like them there, by meaning?
    sim_never = meaning(db, " ".join(never), models=models, start=start, end=end) if never else None
    names = [w for w in key_words if w[:1].isupper()]
    named = all(any(re.search(r"\b" + re.escape(n.lower()) + r"\b", p.lower()) for p in passages) for n in names)
    plain = " ".join(w for w in key_words if w not in names) or " ".join(w for w in text.words(topic) if w not in names)
    sim = meaning(db, plain, models=models, start=start, end=end)
    if sim is None:
        relevant = named and words >= WORDS_ONLY_MIN and unwritten < 0.5
    else:
        combined = sim + UNWRITTEN_MEANING_WEIGHT * (sim_never if sim_never is not None else sim) \
            - UNWRITTEN_PENALTY * unwritten
        relevant = named and (words >= WORDS_MIN or combined >= bar(models, db))
    return Relevance(round(words, 3), None if sim is None else round(sim, 3), relevant, round(unwritten, 3), named,
                     None if sim_never is None else round(sim_never, 3))
