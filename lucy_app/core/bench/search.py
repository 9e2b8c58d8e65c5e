"""`lucy bench search`: how long indexing takes and how fast hybrid search answers.

Builds a fresh journal from the generated diary (:mod:`.sample_diary`, about 300 words a
day), cuts every entry into passages (timed alone), embeds them with the default embedding
model (timed alone: passages per second, with the thread count llama.cpp was given), then
runs a fixed mix of questions through hybrid search and keyword search and reports their
p50/p95 latency, and what re-indexing one edited entry costs.
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from pathlib import Path

from lucy_app.core import entries, index, search
from lucy_app.core.bench import sample_diary
from lucy_app.core.bench.storage import percentile
from lucy_app.core.storage.db import Database, file_size

QUESTIONS = [
    "When did we go camping by the reservoir?",
    "What did Grandma Rose say about keeping busy?",
    "apple picking at the orchard",
    "How is the marathon training going?",
    "What did I cook for Maya?",
    "When was I in Lisbon?",
    "What happened with the harbour redesign in 2025?",
    "Biscuit and the tennis ball",
    "What did the vet say about Biscuit?",
    "Which books did I read last winter?",
    "cherry blossom walk in the park",
    "when did I have the flu",
    "What did Sam cook in March 2024?",
    "skiing on the hill trail",
    "the fox under the hedge",
    "What did I plant at the allotment in spring 2022?",
    "concert in the park with friends",
    "What did Dr. Okafor help me with?",
    "Kyoto moss garden",
    "lemon cake for a birthday",
]


def run(n_entries: int = 3650, n_queries: int = 200, *, models=None, progress=None,
        embedding_model: Path | None = None) -> dict:
    """``embedding_model``: a GGUF to measure instead of ``models``' embedding model (a
    candidate). ``n_entries`` below 3650: a sample of the ten years, to extrapolate from."""
    from lucy_app.core.bench.recall import embedding_service, embedding_summary

    if embedding_model is not None:
        models = embedding_service(embedding_model)
    sample = list(sample_diary.generate(n_entries))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        db = Database(path)
        for s in sample:
            entries.add(db, s.body, day=s.day, title=s.title, tags=s.tags, mood=s.mood)
        t0 = time.perf_counter()
        cut = index.run(db, progress=progress)
        cut_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        embedded = index.run(db, models=models, progress=progress) if models is not None else None
        embed_s = time.perf_counter() - t0
        threads = models.info()["embed"].get("threads") if models is not None else None
        rng = random.Random(1)
        asked = [rng.choice(QUESTIONS) for _ in range(n_queries)]
        hybrid_ms, keyword_ms = [], []
        for q in asked:
            t = time.perf_counter()
            search.hybrid_search(db, q, models=models, limit=10)
            hybrid_ms.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            search.keyword_search(db, q, limit=10)
            keyword_ms.append((time.perf_counter() - t) * 1000)
        # one edited entry: what the background indexer does after a save
        last = entries.list_entries(db, limit=1, newest_first=True)[0]
        entries.update(db, last.id, body=last.body + "\n\nAn extra line written later about the weir.")
        t = time.perf_counter()
        again = index.run(db, models=models)
        reindex_ms = (time.perf_counter() - t) * 1000
        size = file_size(path)
        db.close()
    out = {
        "entries": n_entries,
        "passages": cut.passages_written,
        "passages_per_entry": round(cut.passages_written / n_entries, 2),
        "cut_seconds": round(cut_s, 1),
        "index_seconds": round(cut_s + embed_s, 1),
        "embed_seconds": round(embed_s, 1),
        "passages_embedded": embedded.passages_embedded if embedded else 0,
        "embedded_per_s": round(embedded.embedded_per_second, 1) if embedded else None,
        "embed_threads": threads,
        "model_error": embedded.model_error if embedded else "no embedding model",
        "queries": n_queries,
        "hybrid_ms_p50": round(statistics.median(hybrid_ms), 1),
        "hybrid_ms_p95": round(percentile(hybrid_ms, 95), 1),
        "keyword_ms_p50": round(statistics.median(keyword_ms), 1),
        "keyword_ms_p95": round(percentile(keyword_ms, 95), 1),
        "reindex_one_edit_ms": round(reindex_ms, 1),
        "reindex_passages_embedded": again.passages_embedded,
        "reindex_passages_kept": again.passages_kept,
        "journal_mb": round(size / 1e6, 1),
        **embedding_summary(models),
    }
    return out
