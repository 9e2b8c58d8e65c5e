"""`lucy bench briefing` and `lucy bench backfill`: the briefing stays short and instant as
the diary grows; extractive backfill time for a generated diary."""

from __future__ import annotations

import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from lucy_app.core import briefing, entries
from lucy_app.core.bench import sample_diary
from lucy_app.core.digests import scheduler
from lucy_app.core.journal import Journal


def build_journal(path: Path, n_days: int) -> Journal:
    journal = Journal.open(path)
    with journal.db.write():
        for s in sample_diary.generate(n_days):
            entries.add(journal.db, s.body, day=s.day, title=s.title, tags=s.tags, mood=s.mood)
    return journal


def run(sizes: tuple[tuple[str, int], ...] = (("1 week", 7), ("1 year", 365), ("10 years", 3650)),
        repeats: int = 20) -> dict:
    today = sample_diary.DEFAULT_END + timedelta(days=1)
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for label, n in sizes:
            with build_journal(Path(tmp) / f"{n}.db", n) as journal:
                t0 = time.perf_counter()
                stats = scheduler.run(journal.db, settings=journal.settings, today=today)
                backfill = time.perf_counter() - t0
                timings = []
                for _ in range(repeats):
                    t = time.perf_counter()
                    result = briefing.build(journal.db, today, journal.settings)
                    timings.append((time.perf_counter() - t) * 1000)
                out[label] = {
                    "entries": n,
                    "digests": stats.total,
                    "extractive_backfill_s": round(backfill, 2),
                    "briefing_words": result.words,
                    "briefing_ms_p50": round(statistics.median(timings), 2),
                    "briefing_ms_max": round(max(timings), 2),
                }
    return out
