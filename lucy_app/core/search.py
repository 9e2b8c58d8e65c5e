"""Finding entries: keyword search over the full-text index.

Results carry the entry's date, title and a snippet with the matched words marked as
character spans, so the CLI can print them in bold and the app can highlight them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date

from lucy_app.core import errors, fts_query
from lucy_app.core.storage import entries as store
from lucy_app.core.storage.db import Database


@dataclass(frozen=True)
class Hit:
    entry_id: int
    day: date
    title: str | None
    snippet: str
    highlights: tuple[tuple[int, int], ...] = ()
    score: float = 0.0
    tags: tuple[str, ...] = ()
    #: Character offsets of the matched passage inside the entry body, when known.
    passage: tuple[int, int] | None = None
    sources: tuple[str, ...] = field(default=("keyword",))


def split_marks(marked: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """Remove snippet markers, returning the plain text and the marked spans."""
    out: list[str] = []
    spans: list[tuple[int, int]] = []
    pos = 0
    start = None
    for ch in marked:
        if ch == store.MARK_OPEN:
            start = pos
        elif ch == store.MARK_CLOSE:
            if start is not None:
                spans.append((start, pos))
            start = None
        else:
            out.append(ch)
            pos += 1
    return "".join(out), tuple(spans)


def mark_words(text: str, query: str) -> tuple[tuple[int, int], ...]:
    """Spans of ``text`` where a word of ``query`` (or a word starting with it) appears."""
    import re

    wanted = [w.lower().rstrip("*") for w in fts_query.words(query)
              if w.lower() not in fts_query.STOPWORDS]
    stems = [_stem(w) for w in wanted if w]
    if not stems:
        return ()
    spans = []
    for m in re.finditer(r"\w+", text):
        token = m.group().lower()
        if any(token.startswith(s) for s in stems):
            spans.append((m.start(), m.end()))
    return tuple(spans)


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s", "ly"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def keyword_search(db: Database, query: str, *, start: date | None = None,
                   end: date | None = None, limit: int = 20) -> list[Hit]:
    """Entries containing every word of ``query`` (or, if none does, any of them)."""
    if start and end and start > end:
        raise errors.InvalidInput(f"The range starts ({start}) after it ends ({end})")
    s, e = (start.isoformat() if start else None), (end.isoformat() if end else None)
    rows: list[dict] = []
    with db.read() as conn:
        for match in (fts_query.all_words(query), fts_query.any_words(query)):
            if match:
                rows = store.fts_search(conn, match, start=s, end=e, limit=limit)
            if rows:
                break
    if not fts_query.words(query):
        raise errors.InvalidInput("Nothing to search for: the query has no words")
    hits = []
    for r in rows:
        text, spans = split_marks(r["snippet"])
        spans = spans or mark_words(text, query)
        hits.append(Hit(entry_id=r["id"], day=date.fromisoformat(r["day"]), title=r["title"],
                        snippet=text.replace("\n", " "),
                        highlights=spans, score=-r["score"], tags=tuple(json.loads(r["tags"]))))
    return hits
