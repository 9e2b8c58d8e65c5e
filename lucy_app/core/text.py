"""Plain-text helpers shared by indexing, digests and answers: sentences, words, Markdown.

Every function keeps character offsets into the original text, so a sentence or passage
found later can be shown in place (drill-down scrolls to it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

WORD = re.compile(r"\w+(?:['’]\w+)*", re.UNICODE)

# A sentence ends at . ! ? (or …) followed by space and an upper-case letter, digit, quote
# or bracket; or at a line break. Common abbreviations do not end sentences.
_ABBREVIATIONS = {"dr", "mr", "mrs", "ms", "st", "prof", "e.g", "i.e", "etc", "vs", "approx", "no", "jr", "sr"}
_BOUNDARY = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9À-Ý])|\n+")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str


def sentences(text: str) -> list[Span]:
    """Sentences (and single lines) of ``text`` with their offsets; blank ones skipped."""
    out: list[Span] = []
    pos = 0
    for m in _BOUNDARY.finditer(text):
        piece = text[pos:m.start()]
        last_word = re.search(r"([\w.]+)\.$", piece.strip())
        if m.group().strip() == "" and "\n" not in m.group() and last_word and \
                last_word.group(1).lower().rstrip(".") in _ABBREVIATIONS:
            continue
        _add(out, text, pos, m.start())
        pos = m.end()
    _add(out, text, pos, len(text))
    return out


def _add(out: list[Span], text: str, start: int, end: int) -> None:
    piece = text[start:end]
    stripped = piece.strip()
    if not stripped or not WORD.search(stripped):
        return
    lead = len(piece) - len(piece.lstrip())
    out.append(Span(start + lead, start + lead + len(stripped), stripped))


def words(text: str) -> list[str]:
    return WORD.findall(text)


def word_count(text: str) -> int:
    return len(WORD.findall(text))


_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_MD_MARKS = re.compile(r"(^|\s)[#>*+-]+\s+|[*_`~]+", re.MULTILINE)


def plain(markdown: str) -> str:
    """Markdown reduced to readable text (images become their captions)."""
    text = _MD_IMAGE.sub(lambda m: m.group(1), markdown)
    text = _MD_LINK.sub(lambda m: m.group(1), text)
    return _MD_MARKS.sub(lambda m: m.group(1), text)


def trim_words(text: str, limit: int) -> str:
    """At most ``limit`` words of ``text``, cut at a word boundary with an ellipsis."""
    found = list(WORD.finditer(text))
    if len(found) <= limit:
        return text
    cut = found[limit - 1].end()
    return text[:cut].rstrip(" ,;:-") + "…"


def stem(word: str) -> str:
    """A crude stem so that bake, baked, bakes and baking meet (for matching question words
    and highlighting; the full-text index has its own Porter stemmer)."""
    w = word.lower()
    for suffix in ("ing", "ed", "es", "s", "e"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            return w[: -len(suffix)]
    return w
