"""Where in an entry a summary sentence came from, so a citation can scroll to it.

A digest bullet cites entries, not offsets. Extractive bullets are sentences of the entry,
found verbatim; a model's bullet is matched to the entry sentence sharing the most words.
"""

from __future__ import annotations

from lucy_app.core import text as text_mod

_STOP = frozenset("a an and the of to in on at for with was were is it i my me we our with by from "
                  "that this then than but or as be been had has have".split())


def _words(s: str) -> set[str]:
    return {w.lower() for w in text_mod.words(s) if w.lower() not in _STOP}


def find_passage(body: str, quote: str | None) -> tuple[int, int] | None:
    """Character offsets in ``body`` of the sentence(s) ``quote`` comes from, or None."""
    if not quote or not body:
        return None
    q = quote.strip().rstrip("…").strip()
    if len(q) >= 12:
        at = body.find(q)
        if at >= 0:
            return at, at + len(q)
    wanted = _words(q)
    if not wanted:
        return None
    best, best_score = None, 0.0
    for span in text_mod.sentences(body):
        have = _words(span.text)
        if not have:
            continue
        score = len(wanted & have) / (len(wanted) ** 0.5 * len(have) ** 0.5)
        if score > best_score:
            best, best_score = span, score
    if best is None or best_score < 0.2:
        return None
    return best.start, best.end
