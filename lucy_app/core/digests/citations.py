"""Checking what a writer cites: unknown ids are removed and counted; uncited claims are
grounded in the sources or dropped.

A model can invent ids, cite nothing, or state things no entry says. After generation every
bullet is checked against the ids the writer was given. A bullet with no valid citation is
matched against the source sentences by shared content words: if one source supports it
well enough it is cited to that entry, otherwise the bullet is dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lucy_app.core import fts_query, text
from lucy_app.core.digests.model import Bullet

CITATION = re.compile(r"\[\s*((?:#?\s*\d+\s*[,;]?\s*)+)\]")
_ID = re.compile(r"\d+")
#: Share of a bullet's content words a single source sentence must contain to support it.
GROUNDING_MIN = 0.6


@dataclass(frozen=True)
class Checked:
    bullets: list[Bullet]
    dropped_citations: int   # ids cited that were not among the sources
    dropped_bullets: int     # bullets no source supports


def content_words(s: str) -> set[str]:
    return {w.lower() for w in text.words(s) if len(w) > 2 and w.lower() not in fts_query.STOPWORDS}


def parse_bullets(output: str) -> list[tuple[str, list[int]]]:
    """(text, cited ids) for each bullet or sentence line of a model's output."""
    found = []
    for line in output.splitlines():
        line = line.strip()
        if not line:
            continue
        line = re.sub(r"^(?:[-*•]|\d+[.)])\s*", "", line)
        ids = [int(i) for m in CITATION.finditer(line) for i in _ID.findall(m.group(1))]
        clean = CITATION.sub("", line).strip()
        clean = re.sub(r"\s+([.,;:!?])", r"\1", clean)
        if text.word_count(clean) >= 3:
            found.append((clean, ids))
    return found


def check(candidates: list[tuple[str, list[int]]], sources: dict[int, str]) -> Checked:
    """Keep valid citations; ground or drop uncited bullets. ``sources``: id → source text."""
    source_sentences = [(eid, content_words(s.text)) for eid, body in sources.items()
                        for s in text.sentences(body)]
    bullets: list[Bullet] = []
    dropped_ids = dropped_bullets = 0
    for claim, ids in candidates:
        valid = tuple(dict.fromkeys(i for i in ids if i in sources))
        dropped_ids += len([i for i in ids if i not in sources])
        if not valid:
            support = ground(claim, source_sentences)
            if support is None:
                dropped_bullets += 1
                continue
            valid = (support,)
        bullets.append(Bullet(claim, valid))
    return Checked(bullets, dropped_ids, dropped_bullets)


def ground(claim: str, source_sentences: list[tuple[int, set[str]]]) -> int | None:
    """The source id whose single sentence best covers the claim's content words, if enough."""
    words = content_words(claim)
    if not words:
        return None
    best, best_share = None, 0.0
    for eid, sw in source_sentences:
        share = len(words & sw) / len(words)
        if share > best_share:
            best, best_share = eid, share
    return best if best_share >= GROUNDING_MIN else None


_CITE_AFTER_STOP = re.compile(r"([.!?])(\s*)(\[\s*(?:#?\s*\d+\s*[,;]?\s*)+\])")


_LEADING_CITE = re.compile(r"^(\s*(?:[-*•]\s*)?)(\[\s*(?:#?\s*\d+\s*[,;]?\s*)+\])\s*(.*)$")
_LEADING_DATE = re.compile(r"^\(?\d{1,2} [A-Z][a-z]{2} \d{4}\)?:?\s+")


def parse_sentences(output: str) -> list[tuple[str, list[int]]]:
    """(text, cited ids) for each sentence of prose output (citations may follow the stop,
    or lead a line the way the prompt labels its notes)."""
    lines = []
    for line in output.splitlines():
        m = _LEADING_CITE.match(line)
        lines.append(f"{m.group(1)}{m.group(3)} {m.group(2)}" if m else line)
    moved = _CITE_AFTER_STOP.sub(lambda m: f" {m.group(3)}{m.group(1)}", "\n".join(lines))
    found = []
    for s in text.sentences(moved):
        line = re.sub(r"^(?:[-*•]|\d+[.)])\s*", "", s.text.strip())
        ids = [int(i) for m in CITATION.finditer(line) for i in _ID.findall(m.group(1))]
        clean = _LEADING_DATE.sub("", CITATION.sub("", line).strip())
        clean = re.sub(r"\s+([.,;:!?])", r"\1", clean)
        if text.word_count(clean) >= 3:
            found.append((clean, ids))
    return found


def distinct(texts: list[str], overlap: float = 0.7) -> list[int]:
    """Indexes of ``texts`` without repeats: one mostly made of an earlier one's content
    words, or opening with the same sentence, is left out (small models say the same thing
    twice, or copy one source twice with different endings)."""
    kept: list[int] = []
    bags: list[set[str]] = []
    openings: set[frozenset[str]] = set()
    for i, t in enumerate(texts):
        bag = content_words(t)
        opening = frozenset(content_words(_FIRST_SENTENCE.split(t.strip(), maxsplit=1)[0]))
        if any(bag and len(bag & other) / len(bag) > overlap for other in bags) or (
                len(opening) >= 3 and opening in openings):
            continue
        kept.append(i)
        bags.append(bag)
        openings.add(opening)
    return kept


_FIRST_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z“\"])")
