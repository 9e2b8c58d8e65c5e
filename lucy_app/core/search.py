"""Finding entries: keyword search, and hybrid search over passages and their vectors.

Results carry the entry's date, title and a snippet with the matched words marked as
character spans, so the CLI can print them in bold and the app can highlight them.

:func:`keyword_search` is FTS5 BM25 over whole entries. :func:`hybrid_search` and
:func:`search_passages` fuse, per query, five signals (see ARCHITECTURE.md, "Search"):

1. BM25 over passages (``passages_fts``) and 2. cosine similarity of the passages' vectors
   (sqlite-vec KNN, plus the BM25 candidates' own vectors), each divided by the query's
   best (:func:`_scaled`) and mixed with :data:`W_VECTOR` into a passage score;
3. BM25 over whole entries (title and tags included), scaled the same way, mixed into the
   entry score (:data:`W_ENTRY`) with the entry's best passage score;
4. for the best :data:`OVERALL_CANDIDATES` entries, how close each is to the query as a
   whole: the mean similarity of all its passages (:data:`W_OVERALL`; it lifts the entries
   that are about the question over those that touch it in one line);
5. a soft date prior when the query names a time ("in March 2023") and no range is given:
   entries inside it gain :data:`W_DATE`, entries outside it half as much every
   :data:`DATE_HALF_DAYS` days (a quarter of the range, if longer) — what was told a few
   days later still counts.

A passage's final score adds :data:`W_PASSAGE_ENTRY` times its entry's (normalised) score,
so the passages returned come from the entries that rank best. Weighted sums of normalised
scores beat reciprocal rank fusion here: the vector model is weak on its own (LoCoMo
recall@1 0.42 against 0.62 for passage BM25), and RRF gives its ranks the same say as
BM25's. The weights were chosen on three LoCoMo conversations and checked on the other
three (``lucy bench recall``).
"""

from __future__ import annotations

import json
import logging
import re
import weakref
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from lucy_app.core import clock, errors, fts_query
from lucy_app.core import text as text_mod
from lucy_app.core.settings import Settings
from lucy_app.core.storage import entries as store
from lucy_app.core.storage import passages as passage_store
from lucy_app.core.storage.db import Database
from lucy_app.core.text import word_count

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PassageMatch:
    """A passage that matched: where it is (entry or digest, offsets) and how well."""

    text: str
    start: int
    end: int
    score: float
    entry_id: int | None = None
    digest_id: int | None = None
    day: date | None = None
    day_end: date | None = None
    sources: tuple[str, ...] = ()


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
    #: The entry's (or digest's) best passages, best first (hybrid search).
    passages: tuple[PassageMatch, ...] = ()
    #: Set when the hit is a digest: ``entry_id`` is then the first entry it cites for the
    #: matched passage and ``entry_ids`` all the entries it leads to.
    digest_id: int | None = None
    entry_ids: tuple[int, ...] = ()


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
    stems = [text_mod.stem(w) for w in wanted if w]
    if not stems:
        return ()
    spans = []
    for m in re.finditer(r"\w+", text):
        token = m.group().lower()
        if any(token.startswith(s) for s in stems):
            spans.append((m.start(), m.end()))
    return tuple(spans)


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


def bm25_entries(db: Database, query: str, *, start: date | None = None, end: date | None = None,
                 limit: int = 20) -> list[int]:
    """Entry ids by FTS5 BM25 with any of the query's words: keyword search's ranking
    without its all-words pass (the baseline ``lucy bench recall`` compares against)."""
    match = fts_query.any_words(query)
    if not match:
        return []
    with db.read() as conn:
        rows = passage_store.entry_bm25(conn, match, start=start.isoformat() if start else None,
                                        end=end.isoformat() if end else None, limit=limit)
    return [r[0] for r in rows]


# --- hybrid search ----------------------------------------------------------------------

#: Share of the vector similarity in a passage's score (the rest is passage BM25).
W_VECTOR = 0.6
#: Share of whole-entry BM25 in an entry's score (the rest is its best passage).
W_ENTRY = 0.2
#: Share of the entry's overall closeness to the query (mean similarity of all its passages,
#: see :func:`_overall_similarity`), added to the entry's score.
W_OVERALL = 0.2
#: The best entries (by their other signals) whose overall closeness is measured.
OVERALL_CANDIDATES = 50
#: What an entry inside the time the query names gains (less with distance outside it).
W_DATE = 0.7
#: How much a passage's score follows its entry's score.
W_PASSAGE_ENTRY = 0.6
#: Candidates taken from each index before fusing.
PASSAGE_CANDIDATES = 300
ENTRY_CANDIDATES = 200
VECTOR_CANDIDATES = 50
#: The best BM25 passages whose vectors are compared with the query's (the rest: BM25 only).
VECTOR_RESCORE = 300
#: A passage found by its vector alone must be at least this similar (cosine) to the query:
#: all-MiniLM-L6-v2 puts unrelated text below 0.2 and the best passage of 99% of LoCoMo's
#: questions above 0.35, so nonsense finds nothing rather than the nearest nonsense. Other
#: models bring their own floor, similarity baseline and weights (E5 puts unrelated text at
#: ~0.75): :class:`lucy_app.core.llm.embedding_prompts.Fusion`.
VECTOR_FLOOR = 0.25
DATE_CANDIDATES = 400
#: Outside the named time, the date prior halves every this many days (or a quarter of the
#: range's length, if longer).
DATE_HALF_DAYS = 3

_POSSESSIVE = re.compile(r"(\w)['’]s\b")

# Errors of a model service already reported (once per service, not per query).
_reported: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def model_problem(models) -> str | None:
    """Why hybrid search ran without vectors for ``models``, if it did."""
    try:
        return _reported.get(models)
    except TypeError:
        return None


def _report(models, exc: errors.ModelError) -> None:
    text = exc.user_text()
    try:
        if models in _reported:
            return
        _reported[models] = text
    except TypeError:
        pass
    log.warning("searching without vectors: %s", text)


@dataclass(frozen=True)
class _Plan:
    match: str | None           # FTS5 query (any of the informative words)
    prior: tuple[date, date] | None  # the time the query names, when no range was given


def _plan(query: str, start: date | None, end: date | None, today: date | None,
          settings: Settings | None) -> _Plan:
    from lucy_app.core import temporal

    text = query
    prior = None
    settings = settings or Settings()
    named = temporal.parse_range(query, today or clock.today(), hemisphere=settings.hemisphere,
                                 week_start=settings.week_start)
    if named is not None:
        if named.phrase and named.phrase in text:
            text = text.replace(named.phrase, " ")  # a time is not a topic
        if start is None and end is None:
            prior = (named.start, named.end)
    text = _POSSESSIVE.sub(r"\1", text)  # "John's" would be the phrase "john s"
    match = fts_query.any_words(text) or fts_query.any_words(_POSSESSIVE.sub(r"\1", query))
    return _Plan(match, prior)


def _scaled(scores: dict) -> dict:
    """Scores divided by the best one (negatives as 0): 1 for the best, ratios for the rest.

    Unlike min-max it does not stretch a small lead into all-or-nothing when there are only
    two or three candidates (a new journal); on LoCoMo both score the same."""
    if not scores:
        return {}
    hi = max(scores.values())
    if hi <= 0:
        return {k: 0.0 for k in scores}
    return {k: max(0.0, v) / hi for k, v in scores.items()}


def _date_half(prior: tuple[date, date]) -> float:
    return max(DATE_HALF_DAYS, ((prior[1] - prior[0]).days + 1) / 4)


def _date_factor(day: date, prior: tuple[date, date]) -> float:
    """1 inside the named time, halving every :func:`_date_half` days outside it."""
    start, end = prior
    if start <= day <= end:
        return 1.0
    distance = (start - day).days if day < start else (day - end).days
    return 0.5 ** (distance / _date_half(prior))


def _query_vector(db: Database, models, query: str):
    """(the query's vector, the vectors' model id, the model's prompts), or Nones."""
    from lucy_app.core import index
    from lucy_app.core.llm import embedding_prompts

    if models is None:
        return None, None, embedding_prompts.NONE
    try:
        model = index.embedding_model(models, db)
        return models.embed([model.prompts.query + query])[0], model.id, model.prompts
    except errors.ModelError as exc:
        _report(models, exc)
        return None, None, embedding_prompts.NONE


@dataclass
class _Ranked:
    owners: list[tuple[str, int]]             # ("e", entry id) / ("d", digest id), best first
    owner_score: dict[tuple[str, int], float]
    passages: list[dict]                      # passage rows with "score" and "sources", best first
    entry_sources: dict[tuple[str, int], set]


def _rank(db: Database, query: str, *, models, start: date | None, end: date | None,
          include_digests: bool, today: date | None, settings: Settings | None) -> tuple[_Ranked, _Plan]:
    if start and end and start > end:
        raise errors.InvalidInput(f"The range starts ({start}) after it ends ({end})")
    if not fts_query.words(query):
        raise errors.InvalidInput("Nothing to search for: the query has no words")
    plan = _plan(query, start, end, today, settings)
    s, e = (start.isoformat() if start else None), (end.isoformat() if end else None)
    qvec, model_id, prompts = _query_vector(db, models, query)
    tuned = prompts.fusion
    floor = VECTOR_FLOOR if tuned.floor is None else tuned.floor
    n_near = VECTOR_CANDIDATES if tuned.vector_candidates is None else tuned.vector_candidates
    with db.read() as conn:
        bm_passages = passage_store.fts_passages(conn, plan.match, start=s, end=e, digests=include_digests,
                                                 limit=PASSAGE_CANDIDATES) if plan.match else []
        bm_entries = passage_store.entry_bm25(conn, plan.match, start=s, end=e,
                                              limit=ENTRY_CANDIDATES) if plan.match else []
        near: list[dict] = []
        sims: dict[int, float] = {}
        if qvec is not None:
            near = [r for r in passage_store.knn_passages(conn, qvec, model_id, k=n_near, start=s,
                                                          end=e, digests=include_digests)
                    if 1.0 - r["distance"] >= floor]
            sims = {r["id"]: 1.0 - r["distance"] for r in near}
            missing = [r["id"] for r in bm_passages[:VECTOR_RESCORE] if r["id"] not in sims]
            sims.update({pid: 1.0 - d for pid, d in
                         passage_store.distances(conn, qvec, missing, model_id).items()})
        dated: list[tuple[int, str]] = []
        if plan.prior is not None:
            lo, hi = plan.prior
            pad = round(2 * _date_half(plan.prior))  # entries out there gain a quarter or less
            dated = passage_store.entry_days(conn, (lo - timedelta(days=pad)).isoformat(),
                                             (hi + timedelta(days=pad)).isoformat(),
                                             inner=(lo.isoformat(), hi.isoformat()), limit=DATE_CANDIDATES)
    rows: dict[int, dict] = {}
    for r in bm_passages:
        rows[r["id"]] = {**r, "sources": {"keyword"}}
    for r in near:
        rows.setdefault(r["id"], {**r, "sources": set()})["sources"].add("vector")
    bm = _scaled({r["id"]: -r["score"] for r in bm_passages})
    vec = _scaled({pid: sims[pid] - tuned.baseline for pid in rows if pid in sims})
    w_vec = (W_VECTOR if tuned.w_vector is None else tuned.w_vector) if vec else 0.0
    p_score = {pid: (1 - w_vec) * bm.get(pid, 0.0) + w_vec * vec.get(pid, 0.0) for pid in rows}

    def owner(r: dict) -> tuple[str, int]:
        return ("e", r["entry_id"]) if r["entry_id"] is not None else ("d", r["digest_id"])

    best: dict[tuple[str, int], float] = {}
    sources: dict[tuple[str, int], set] = defaultdict(set)
    days: dict[tuple[str, int], tuple[date, date]] = {}
    for pid, r in rows.items():
        key = owner(r)
        best[key] = max(best.get(key, 0.0), p_score[pid])
        sources[key] |= r["sources"]
        days[key] = (date.fromisoformat(r["day"]), date.fromisoformat(r["day_end"]))
    entry_bm = _scaled({("e", eid): -score for eid, _, score in bm_entries})
    for key in entry_bm:
        sources[key].add("keyword")
    for eid, day in dated + [(eid, day) for eid, day, _ in bm_entries]:
        days.setdefault(("e", eid), (date.fromisoformat(day), date.fromisoformat(day)))
    candidates = set(best) | set(entry_bm) | {("e", eid) for eid, _ in dated}
    content = {key: (1 - W_ENTRY) * best.get(key, 0.0) + W_ENTRY * entry_bm.get(key, 0.0) for key in candidates}
    overall = _overall_similarity(db, qvec, model_id, sorted(content, key=lambda k: (-content[k], k)), sims)
    final: dict[tuple[str, int], float] = {}
    for key in candidates:
        score = content[key] + W_OVERALL * overall.get(key, 0.0)
        if plan.prior is not None and key in days:
            d0, d1 = days[key]
            factor = max(_date_factor(d0, plan.prior), _date_factor(d1, plan.prior))
            score += W_DATE * factor
            if factor >= 1.0:
                sources[key].add("date")
        final[key] = score
    owners = sorted(final, key=lambda k: (-final[k], k))
    final_n = _scaled(final)
    w_follow = W_PASSAGE_ENTRY if tuned.w_passage_entry is None else tuned.w_passage_entry
    ranked_passages = []
    for pid, r in rows.items():
        ranked_passages.append({**r, "score": p_score[pid] + w_follow * final_n.get(owner(r), 0.0),
                                "sources": tuple(sorted(r["sources"]))})
    ranked_passages.sort(key=lambda r: (-r["score"], r["id"]))
    return _Ranked(owners, final, ranked_passages, sources), plan


def _overall_similarity(db: Database, qvec, model_id: str | None, ranked: list[tuple[str, int]],
                        known: dict[int, float]) -> dict[tuple[str, int], float]:
    """How close the query is to each of the best :data:`OVERALL_CANDIDATES` entries (and
    digests) as a whole: the mean similarity of all their passages, spread from 0 for the
    least close to 1 for the closest. An entry that is about the question throughout
    outranks one that mentions it in passing. ``known``: similarities already measured
    (passage id → cosine), not asked for again."""
    if qvec is None or len(ranked) < 2:
        return {}
    top = ranked[:OVERALL_CANDIDATES]
    with db.read() as conn:
        owned = passage_store.embedded_passages_of(conn, model_id, entry_ids=[i for k, i in top if k == "e"],
                                                   digest_ids=[i for k, i in top if k == "d"])
        similarity = dict(known)
        similarity.update((pid, 1.0 - d) for pid, d in passage_store.distances(
            conn, qvec, [pid for pid, _, _ in owned if pid not in known], model_id).items())
    sims: dict[tuple[str, int], list[float]] = defaultdict(list)
    for pid, entry_id, digest_id in owned:
        if pid in similarity:
            sims[("e", entry_id) if entry_id is not None else ("d", digest_id)].append(similarity[pid])
    means = {key: sum(v) / len(v) for key, v in sims.items()}
    if len(means) < 2:
        return {}
    lo, hi = min(means.values()), max(means.values())
    return {key: (m - lo) / (hi - lo) if hi > lo else 0.0 for key, m in means.items()}


def _match(r: dict) -> PassageMatch:
    return PassageMatch(text=r["text"], start=r["start"], end=r["end"], score=round(r["score"], 6),
                        entry_id=r["entry_id"], digest_id=r["digest_id"],
                        day=date.fromisoformat(r["day"]), day_end=date.fromisoformat(r["day_end"]),
                        sources=r["sources"])


def search_passages(db: Database, query: str, *, models=None, start: date | None = None,
                    end: date | None = None, limit: int = 20, max_words: int | None = None,
                    include_digests: bool = False, today: date | None = None,
                    settings: Settings | None = None) -> list[PassageMatch]:
    """The passages that best answer ``query``, best first (entries' passages, and digests'
    when ``include_digests``). Without a usable embedding model: keyword signals only.

    Passages of one source that overlap are returned joined (one span, the better score),
    so no text comes twice. With ``max_words``, passages are taken in rank order while the
    words returned stay within it (the first is always taken).
    """
    ranked, _ = _rank(db, query, models=models, start=start, end=end, include_digests=include_digests,
                      today=today, settings=settings)
    out: list[PassageMatch] = []
    for r in ranked.passages:
        candidate = _join(out, _match(r))
        if max_words is not None and out and sum(word_count(p.text) for p in candidate) > max_words:
            break
        out = candidate
        if max_words is None and len(out) >= limit:
            break
    return out[:limit]


def _join(taken: list[PassageMatch], new: PassageMatch) -> list[PassageMatch]:
    """``taken`` (disjoint spans) plus ``new``, merged with the spans of its source it
    overlaps; the merged span keeps the place of the first of them."""
    out: list[PassageMatch] = []
    at = None
    for p in taken:
        if (p.entry_id, p.digest_id) == (new.entry_id, new.digest_id) and new.start < p.end and p.start < new.end:
            new = _union(p, new)
            at = len(out) if at is None else at
        else:
            out.append(p)
    out.insert(len(out) if at is None else at, new)
    return out


def _union(a: PassageMatch, b: PassageMatch) -> PassageMatch:
    left, right = (a, b) if a.start <= b.start else (b, a)
    text, end = (left.text, left.end) if right.end <= left.end else \
        (left.text + right.text[left.end - right.start:], right.end)
    return PassageMatch(text=text, start=left.start, end=end, score=max(a.score, b.score),
                        entry_id=a.entry_id, digest_id=a.digest_id, day=a.day, day_end=a.day_end,
                        sources=tuple(sorted(set(a.sources) | set(b.sources))))


_CITES = re.compile(r"#(\d+)")


def hybrid_search(db: Database, query: str, *, models=None, start: date | None = None,
                  end: date | None = None, limit: int = 10, passages_per_entry: int = 3,
                  include_digests: bool = False, today: date | None = None,
                  settings: Settings | None = None) -> list[Hit]:
    """Entries (and, with ``include_digests``, digests) that best answer ``query``.

    Each hit carries its best passages (offsets in the entry body, or the digest text).
    ``start``/``end`` restrict to a range of days; otherwise a time named in the query
    ("in March 2023", relative to ``today``, seasons and weeks as ``settings`` say) favours
    entries of that time. Without a usable
    embedding model (``models`` None, missing or broken) it uses the keyword signals only;
    a model's error is logged once (see :func:`model_problem`), never raised.
    """
    ranked, plan = _rank(db, query, models=models, start=start, end=end, include_digests=include_digests,
                         today=today, settings=settings)
    by_owner: dict[tuple[str, int], list[dict]] = defaultdict(list)
    for r in ranked.passages:
        key = ("e", r["entry_id"]) if r["entry_id"] is not None else ("d", r["digest_id"])
        by_owner[key].append(r)
    top = ranked.owners[:limit]
    entry_ids = [i for kind, i in top if kind == "e"]
    digest_ids = [i for kind, i in top if kind == "d"]
    with db.read() as conn:
        heads = passage_store.entry_heads(conn, entry_ids)
        digests = passage_store.digest_heads(conn, digest_ids)
    hits = []
    for key in top:
        kind, ident = key
        joined: list[PassageMatch] = []
        for r in by_owner.get(key, []):
            joined = _join(joined, _match(r))  # overlapping windows come back as one span
            if len(joined) >= max(1, passages_per_entry):
                break
        found = tuple(joined)
        srcs = tuple(sorted(ranked.entry_sources.get(key, ()))) or ("keyword",)
        score = round(ranked.owner_score[key], 6)
        if kind == "e":
            head = heads.get(ident)
            if head is None:
                continue
            if found:
                snippet_text, where = found[0].text, (found[0].start, found[0].end)
            else:
                snippet_text, where = head["body"][:400], None
            snippet, spans = _snippet(snippet_text, query)
            hits.append(Hit(entry_id=ident, day=date.fromisoformat(head["day"]), title=head["title"],
                            snippet=snippet, highlights=spans, score=score,
                            tags=tuple(json.loads(head["tags"])), passage=where, sources=srcs,
                            passages=found[:passages_per_entry]))
        else:
            head = digests.get(ident)
            if head is None or not found:
                continue
            cited = [int(i) for i in _CITES.findall(found[0].text)] or json.loads(head["entry_ids"])
            every = tuple(dict.fromkeys(cited + json.loads(head["entry_ids"])))
            if not every:
                continue
            snippet, spans = _snippet(found[0].text, query)
            hits.append(Hit(entry_id=every[0], day=date.fromisoformat(head["period_start"]),
                            title=f"{head['level'].capitalize()} digest {head['period_start']} – {head['period_end']}",
                            snippet=snippet, highlights=spans, score=score,
                            passage=(found[0].start, found[0].end), sources=srcs,
                            passages=found[:passages_per_entry], digest_id=ident, entry_ids=every))
    return hits


SNIPPET_WORDS = 32


def _snippet(text: str, query: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """About :data:`SNIPPET_WORDS` words of ``text`` around its first matched word, on one line."""
    flat = text.replace("\n", " ")
    spans = mark_words(flat, query)
    words = list(re.finditer(r"\S+", flat))
    if len(words) <= SNIPPET_WORDS:
        return flat, spans
    first = spans[0][0] if spans else 0
    at = next((i for i, w in enumerate(words) if w.end() > first), 0)
    lo = max(0, min(at - SNIPPET_WORDS // 4, len(words) - SNIPPET_WORDS))
    hi = lo + SNIPPET_WORDS
    a, b = words[lo].start(), words[hi - 1].end()
    prefix, suffix = ("…" if lo else ""), ("…" if hi < len(words) else "")
    out = prefix + flat[a:b] + suffix
    shift = len(prefix) - a
    return out, tuple((s + shift, t + shift) for s, t in spans if s >= a and t <= b)
