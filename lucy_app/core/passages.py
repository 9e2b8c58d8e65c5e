"""Cutting entries and digests into passages: the pieces that are searched and embedded.

A passage is a run of whole lines (chat turns, list items, paragraphs) and, where a
paragraph is too long, of whole sentences, sized for the embedding model: all-MiniLM-L6-v2
was trained on at most 256 word pieces (fine-tuned on 128), so passages aim at
:data:`TARGET_TOKENS` and never pass :data:`MAX_TOKENS` (estimated without the model, see :func:`estimate_tokens`, so the
cut is the same whether or not a model is installed). Consecutive passages overlap by about
:data:`OVERLAP_TOKENS`, so a fact told across a boundary is whole in one of them. Every
passage keeps its character offsets in the source text.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from lucy_app.core import text as text_mod

#: Passage size, in estimated word pieces. Chosen with ``lucy bench recall`` on the tuning
#: half of LoCoMo among 80/120/160/200 (overlap half the target, or none): 80 gave the best
#: recall@1 and passage recall, 120 a point more recall@5 (see ARCHITECTURE.md, "Search").
TARGET_TOKENS = 80
MAX_TOKENS = 160
OVERLAP_TOKENS = 40
#: A paragraph break ends a passage once it holds at least this share of the target.
PARAGRAPH_BREAK_SHARE = 0.6

_PIECE = re.compile(r"\w+|[^\w\s]", re.UNICODE)
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


@dataclass(frozen=True)
class Passage:
    ord: int
    start: int
    end: int
    text: str

    @property
    def hash(self) -> str:
        return text_hash(self.text)


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def estimate_tokens(text: str) -> int:
    """Word pieces ``text`` takes in a BERT-style vocabulary, estimated without the model.

    One per word or punctuation mark, one more per six letters past the first six (long
    words split), one per CJK character. Within a few percent of all-MiniLM-L6-v2's own
    count on English prose and chat (measured on LoCoMo and the generated diary).
    """
    n = 0
    for m in _PIECE.finditer(text):
        w = m.group()
        cjk = len(_CJK.findall(w))
        if cjk:
            n += cjk + (1 if cjk < len(w) else 0)
        elif w[0].isalnum() or w[0] == "_":
            n += 1 + max(0, len(w) - 6) // 6
        else:
            n += 1
    return n


@dataclass(frozen=True)
class _Unit:
    start: int
    end: int
    tokens: int
    new_block: bool  # starts a paragraph (follows a blank line or the start)


def _units(source: str, max_tokens: int) -> list[_Unit]:
    """Lines of ``source``; lines too long for a passage split at sentences, then words."""
    out: list[_Unit] = []
    pos = 0
    blank_before = True
    for line in source.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        stripped = line.strip()
        if not stripped or not text_mod.WORD.search(stripped):
            blank_before = blank_before or not stripped
            continue
        lead = len(line) - len(line.lstrip())
        start, end = start + lead, start + lead + len(stripped)
        pieces = _split_long(source, start, end, max_tokens)
        for i, (s, e) in enumerate(pieces):
            out.append(_Unit(s, e, estimate_tokens(source[s:e]), blank_before and i == 0))
        blank_before = False
    return out


def _split_long(source: str, start: int, end: int, max_tokens: int) -> list[tuple[int, int]]:
    if estimate_tokens(source[start:end]) <= max_tokens:
        return [(start, end)]
    out: list[tuple[int, int]] = []
    for s in text_mod.sentences(source[start:end]):
        s_start, s_end = start + s.start, start + s.end
        if estimate_tokens(s.text) <= max_tokens:
            out.append((s_start, s_end))
            continue
        # a "sentence" longer than a passage: cut between words
        words = list(re.finditer(r"\S+", source[s_start:s_end]))
        chunk_start, n, prev_end = None, 0, 0
        for w in words:
            t = estimate_tokens(w.group())
            if chunk_start is not None and n + t > max_tokens:
                out.append((chunk_start, s_start + prev_end))
                chunk_start, n = None, 0
            if chunk_start is None:
                chunk_start = s_start + w.start()
            n += t
            prev_end = w.end()
        if chunk_start is not None:
            out.append((chunk_start, s_start + prev_end))
    return out


def cut(source: str, *, target: int | None = None, max_tokens: int | None = None,
        overlap: int | None = None) -> list[Passage]:
    """The passages of ``source``, in order, with their offsets (``source[start:end]``).

    Whole units (lines, or sentences of long lines) are packed up to ``target`` tokens (a
    single unit may reach ``max_tokens``); the next passage starts so that it repeats at
    most ``overlap`` tokens of the previous one's tail, and always moves forward.
    """
    target = TARGET_TOKENS if target is None else target
    max_tokens = MAX_TOKENS if max_tokens is None else max_tokens
    overlap = OVERLAP_TOKENS if overlap is None else overlap
    units = _units(source, max_tokens)
    out: list[Passage] = []
    i = 0
    while i < len(units):
        j, n = i, 0
        while j < len(units):
            u = units[j]
            if j > i and (n + u.tokens > target
                          or (u.new_block and n >= target * PARAGRAPH_BREAK_SHARE)):
                break
            n += u.tokens
            j += 1
        start, end = units[i].start, units[j - 1].end
        out.append(Passage(len(out), start, end, source[start:end]))
        if j >= len(units):
            break
        # step back over the tail while it stays within the overlap and moves forward
        k, tail = j, 0
        while k - 1 > i and tail + units[k - 1].tokens <= overlap and not units[k].new_block:
            k -= 1
            tail += units[k].tokens
        i = k
    return out
