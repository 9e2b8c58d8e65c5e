"""`lucy bench recall`: does search find the entries and passages that answer a question?

Reads the LoCoMo-as-diary files where they lie (``../shared/bench/locomo``, CC BY-NC 4.0;
never copied), builds fresh journals in a temporary folder — one per conversation, or all
conversations in one with ``merged`` — indexes them with the app's own indexer and models,
and asks every question that has evidence (its text alone). In the same run it scores:

- ``hybrid``: :func:`lucy_app.core.search.hybrid_search` for entries and
  :func:`~lucy_app.core.search.search_passages` for passages;
- ``bm25``: FTS5 BM25 over whole entries with any of the question's words (keyword search's
  ranking); its "passages" are the whole entries in rank order.

Metrics: recall@k = |gold entries ∩ top k| / |gold entries|, averaged over questions;
passage recall at a 400-word budget = the share of evidence turns (lines) contained in the
passages taken in rank order while their running word count stays within 400 (the first
is always taken). Reported overall, by category, and for the two halves of the
conversations (``tune``: the 1st, 3rd and 5th conversation in id order, on which the search
weights were chosen; ``check``: the others, never looked at while choosing).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from lucy_app.core import entries, index, search, text
from lucy_app.core.bench import locomo
from lucy_app.core.bench.storage import percentile
from lucy_app.core.journal import Journal

CATEGORIES = ("multi-hop", "temporal", "open-domain", "single-hop")
KS = (1, 5, 10)
WORD_BUDGET = 400
PASSAGES_ASKED = 40

Progress = Callable[[int, int, str], None]


def take_within(budget: int, items: list[tuple[int, int, int, str]]) -> list[tuple[int, int, int]]:
    """(entry, start, end) of ``items`` (entry, start, end, text) taken in order while the
    running word count stays within ``budget`` (the first is always taken)."""
    taken, words = [], 0
    for entry_id, start, end, body in items:
        n = text.word_count(body)
        if taken and words + n > budget:
            break
        taken.append((entry_id, start, end))
        words += n
    return taken


def line_span(body: str, line: int) -> tuple[int, int] | None:
    """Offsets of line ``line`` of ``body`` without its surrounding blanks."""
    pos = 0
    for i, ln in enumerate(body.split("\n")):
        if i == line:
            lead = len(ln) - len(ln.lstrip())
            return pos + lead, pos + lead + len(ln.strip())
        pos += len(ln) + 1
    return None


def add_entries(db, diary: list[locomo.LocomoEntry]) -> tuple[dict[str, int], dict[int, str]]:
    """Write ``diary``'s entries into ``db``: (LoCoMo entry id → journal id, journal id → body)."""
    ids = {e.entry_id: entries.add(db, e.body, day=e.stamp.date(), title=e.title).id for e in diary}
    return ids, {i: entries.get(db, i).body for i in ids.values()}


def evidence_spans(question: locomo.LocomoQuestion, ids: dict[str, int],
                   bodies: dict[int, str]) -> list[tuple[int, int, int]]:
    """(journal id, start, end) of each evidence line of ``question`` found in the journal."""
    out = []
    for entry_key, line in question.evidence_lines:
        span = line_span(bodies[ids[entry_key]], line) if entry_key in ids else None
        if span:
            out.append((ids[entry_key], *span))
    return out


def contained(lines: list[tuple[int, int, int]], taken) -> float:
    """The share of ``lines`` lying wholly inside one of the ``taken`` (entry, start, end) spans."""
    found = sum(1 for e, s, t in lines if any(e == e2 and s2 <= s and t <= t2 for e2, s2, t2 in taken))
    return found / len(lines)


def _scores(ranked: list[int], gold: set[int], taken, lines: list[tuple[int, int, int]]) -> dict:
    out = {f"recall@{k}": len(gold & set(ranked[:k])) / len(gold) for k in KS}
    if lines:
        out[f"passage_recall@{WORD_BUDGET}w"] = contained(lines, taken)
    return out


def _mean(rows: list[dict]) -> dict:
    keys = [f"recall@{k}" for k in KS] + [f"passage_recall@{WORD_BUDGET}w"]
    out = {}
    for k in keys:
        values = [r[k] for r in rows if k in r]
        out[k] = round(statistics.mean(values), 3) if values else None
    out["n"] = len(rows)
    return out


def summarise(rows: list[dict], tune: set[str]) -> dict:
    """rows: {conv_id, category, scores} → overall, by category and by split."""
    out = _mean([r["scores"] for r in rows])
    out["by_category"] = {c: _mean([r["scores"] for r in rows if r["category"] == c]) for c in CATEGORIES}
    out["by_split"] = {
        "tune": _mean([r["scores"] for r in rows if r["conv_id"] in tune]),
        "check": _mean([r["scores"] for r in rows if r["conv_id"] not in tune]),
    }
    return out


def run(data_dir: Path, *, merged: bool = False, models=None, progress: Progress | None = None,
        embedding_model: Path | None = None) -> dict:
    """Score hybrid search and BM25 on LoCoMo. ``embedding_model``: a GGUF to measure instead
    of ``models``' embedding model (a candidate; :func:`embedding_service`)."""
    if embedding_model is not None:
        models = embedding_service(embedding_model)
    report = progress or (lambda done, total, what: None)
    all_entries = locomo.entries(data_dir)
    questions = locomo.questions(data_dir)
    convs = sorted({e.conv_id for e in all_entries})
    tune = set(convs[0::2])
    groups = [convs] if merged else [[c] for c in convs]
    rows: dict[str, list[dict]] = {"hybrid": [], "bm25": []}
    timings: list[float] = []
    index_seconds = 0.0
    embedded, embed_seconds = 0, 0.0
    model_error = None
    done = 0
    with tempfile.TemporaryDirectory() as tmp:
        for group in groups:
            with Journal.open(Path(tmp) / f"{'merged' if merged else group[0]}.db") as journal:
                db = journal.db
                ids, bodies = add_entries(db, [e for e in all_entries if e.conv_id in group])
                t0 = time.perf_counter()
                stats = index.run(db, models=models,
                                  progress=lambda d, t, what, at=done: report(at, len(questions), f"indexing {what}"))
                index_seconds += time.perf_counter() - t0
                embedded += stats.passages_embedded
                embed_seconds += stats.embed_seconds
                model_error = model_error or stats.model_error
                for q in (q for q in questions if q.conv_id in group):
                    gold = {ids[g] for g in q.evidence_entry_ids if g in ids}
                    if not gold:
                        continue
                    lines = evidence_spans(q, ids, bodies)
                    t = time.perf_counter()
                    hits = search.hybrid_search(db, q.question, models=models, limit=max(KS))
                    timings.append((time.perf_counter() - t) * 1000)
                    found = search.search_passages(db, q.question, models=models, limit=PASSAGES_ASKED,
                                                   max_words=WORD_BUDGET)
                    taken = take_within(WORD_BUDGET, [(p.entry_id, p.start, p.end, p.text) for p in found])
                    rows["hybrid"].append({"conv_id": q.conv_id, "category": q.category,
                                           "scores": _scores([h.entry_id for h in hits], gold, taken, lines)})
                    ranked = search.bm25_entries(db, q.question, limit=max(KS))
                    taken = take_within(WORD_BUDGET, [(i, 0, len(bodies[i]), bodies[i]) for i in ranked])
                    rows["bm25"].append({"conv_id": q.conv_id, "category": q.category,
                                         "scores": _scores(ranked, gold, taken, lines)})
                    done += 1
                    report(done, len(questions), "questions")
    return {
        "mode": "merged" if merged else "per-conversation",
        "n": len(rows["hybrid"]),
        "hybrid": summarise(rows["hybrid"], tune),
        "bm25": summarise(rows["bm25"], tune),
        "tune_conversations": sorted(tune),
        "index_seconds": round(index_seconds, 1),
        "passages_embedded": embedded,
        "embedded_per_s": round(embedded / embed_seconds, 1) if embed_seconds else None,
        "query_ms_p50": round(statistics.median(timings), 1) if timings else None,
        "query_ms_p95": round(percentile(timings, 95), 1) if timings else None,
        "vectors": model_error is None and models is not None,
        "model_error": model_error,
        **embedding_summary(models),
    }


def embedding_service(path: Path):
    """A model service with only the embedding model ``path`` (threads as ``$LUCY_THREADS`` says)."""
    from lucy_app.core.llm.service import ModelService

    return ModelService(None, Path(path))


def embedding_summary(models) -> dict:
    """Which embedding model a run measured and the prompts it used (for the JSON result)."""
    if models is None:
        return {"embedding_model": None}
    from lucy_app.core.errors import ModelError
    from lucy_app.core.llm import embedding_prompts

    try:
        info = models.info()["embed"]
        prompts = embedding_prompts.for_service(models)
    except ModelError:
        return {"embedding_model": None}
    return {"embedding_model": info.get("name"), "embedding_file": Path(info["path"]).name if info.get("path") else None,
            "embedding_prompts": prompts.family}
