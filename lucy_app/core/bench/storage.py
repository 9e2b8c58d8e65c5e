"""`lucy bench storage`: how fast entries go in and keyword searches come back.

Builds a fresh journal in a temporary folder from the generated diary, one transaction
per entry as the app writes them (``synchronous=FULL``, so one fsync each), then runs a
fixed set of keyword queries and reports p50/p95 latency.
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from pathlib import Path

from lucy_app.core import entries, search
from lucy_app.core.bench import sample_diary
from lucy_app.core.storage.db import Database, file_size

QUERY_WORDS = ["Lisbon", "apple picking", "Maya", "marathon", "flu", "Christmas parsnips",
               "allotment tomatoes", "Biscuit tennis ball", "cherry blossom", "Grandma Rose",
               "harbour redesign", "skiing", "Piranesi", "budget spreadsheet", "camping reservoir",
               "Kyoto", "lemon cake", "moving", "concert", "risotto"]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def run(n_entries: int = 3650, n_queries: int = 200) -> dict:
    sample = list(sample_diary.generate(n_entries))
    words = sum(len(s.body.split()) for s in sample)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        db = Database(path)
        t0 = time.perf_counter()
        for s in sample:
            entries.add(db, s.body, day=s.day, title=s.title, tags=s.tags, mood=s.mood)
        insert_s = time.perf_counter() - t0
        rng = random.Random(1)
        timings = []
        for _ in range(n_queries):
            q = rng.choice(QUERY_WORDS)
            t = time.perf_counter()
            search.keyword_search(db, q, limit=10)
            timings.append((time.perf_counter() - t) * 1000)
        size = file_size(path)
        db.close()
    return {
        "entries": n_entries,
        "words_per_entry": round(words / n_entries),
        "insert_seconds": round(insert_s, 2),
        "insert_entries_per_s": round(n_entries / insert_s, 1),
        "fts_queries": n_queries,
        "fts_ms_p50": round(statistics.median(timings), 2),
        "fts_ms_p95": round(percentile(timings, 95), 2),
        "journal_mb": round(size / 1e6, 1),
    }
