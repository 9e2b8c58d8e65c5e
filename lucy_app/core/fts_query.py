"""Turn what a user types into a safe SQLite FTS5 query.

People type words, not query syntax: ``lucy search "mum's birthday"`` must not fail on the
apostrophe. Every word becomes a quoted FTS5 string; ``all_words`` joins them with AND
(what a search box does), ``any_words`` with OR (what ranking by BM25 over a question wants).
A trailing ``*`` on a word keeps its prefix meaning.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[\w][\w'’\-]*\*?", re.UNICODE)

# Words too common to help a ranking (questions are full of them).
STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself
    yourselves""".split()
)


def words(text: str) -> list[str]:
    out = []
    for w in _WORD.findall(text):
        w = w.replace("’", "'").strip("'-")
        if w and w.strip("*"):
            out.append(w)
    return out


def _quote(word: str) -> str:
    prefix = word.endswith("*")
    core = word.rstrip("*").replace('"', '""')
    return f'"{core}"' + ("*" if prefix else "")


def all_words(text: str) -> str | None:
    """An FTS5 query matching entries that contain every word, or None if there is no word."""
    ws = words(text)
    return " AND ".join(_quote(w) for w in ws) if ws else None


def any_words(text: str, *, drop_stopwords: bool = True) -> str | None:
    """An FTS5 query matching entries that contain any of the (informative) words."""
    ws = words(text)
    if drop_stopwords:
        kept = [w for w in ws if w.lower().rstrip("*") not in STOPWORDS]
        ws = kept or ws
    seen: list[str] = []
    for w in ws:
        if w.lower() not in (s.lower() for s in seen):
            seen.append(w)
    return " OR ".join(_quote(w) for w in seen) if seen else None
