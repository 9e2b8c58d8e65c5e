"""`lucy bench digests`: day digests against LoCoMo's reference session summaries (ROUGE).

Each conversation becomes its own diary in a temporary journal; every day gets a digest
from the app's own writers with the app's own settings (nothing is tuned to the
references). The day digests are scored against the reference summaries of that day's
sessions, next to a lead-3 baseline (the first three sentences of each entry).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

from lucy_app.core import entries, text
from lucy_app.core.bench import locomo, rouge
from lucy_app.core.digests import scheduler
from lucy_app.core.digests.model import Digest
from lucy_app.core.digests.writers import LlmWriter
from lucy_app.core.journal import Journal
from lucy_app.core.storage import digests as digest_store

FAR_FUTURE = date(2100, 1, 1)  # so no period counts as still running


def lead3(body: str) -> str:
    """The first three lines (for these transcripts: the first three turns)."""
    return " ".join([ln for ln in body.splitlines() if ln.strip()][:3])


def _mean(rows: list[dict[str, float]]) -> dict[str, float]:
    if not rows:
        return {}
    return {k: round(statistics.mean(r[k] for r in rows), 3) for k in rows[0]}


def run(data_dir: Path, *, models=None, llm_days: int = 0, progress=None) -> dict:
    all_entries = locomo.entries(data_dir)
    refs = locomo.summaries(data_dir)
    by_conv: dict[str, list[locomo.LocomoEntry]] = defaultdict(list)
    for e in all_entries:
        by_conv[e.conv_id].append(e)
    scored: dict[str, list[dict]] = {"extractive": [], "lead3": [], "llm": [], "extractive_same_days": []}
    words = {"extractive": [], "llm": [], "reference": []}
    extractive_seconds = 0.0
    llm_seconds = 0.0
    llm_fallbacks = 0
    llm_left = llm_days
    with tempfile.TemporaryDirectory() as tmp:
        for conv_id, conv in sorted(by_conv.items()):
            with Journal.open(Path(tmp) / f"{conv_id}.db") as journal:
                sources: dict[date, list[locomo.LocomoEntry]] = defaultdict(list)
                for e in conv:
                    entries.add(journal.db, e.body, day=e.stamp.date(), title=e.title)
                    sources[e.stamp.date()].append(e)
                t0 = time.perf_counter()
                scheduler.run(journal.db, settings=journal.settings, today=FAR_FUTURE, levels={"day"})
                extractive_seconds += time.perf_counter() - t0
                with journal.db.read() as conn:
                    days = [Digest.from_row(r) for r in
                            digest_store.in_range(conn, "day", "0001-01-01", "9999-12-31")]
                for digest in days:
                    day_sources = sources[digest.period.start]
                    reference = " ".join(refs[e.entry_id] for e in day_sources if e.entry_id in refs)
                    if not reference:
                        continue
                    candidate = " ".join(b.text for b in digest.bullets)
                    scored["extractive"].append(rouge.scores(candidate, reference))
                    scored["lead3"].append(rouge.scores(" ".join(lead3(e.body) for e in day_sources), reference))
                    words["extractive"].append(text.word_count(candidate))
                    words["reference"].append(text.word_count(reference))
                    if models is not None and llm_left > 0:
                        llm_left -= 1
                        writer = LlmWriter(models)
                        day_entries = entries.list_entries(journal.db, start=digest.period.start,
                                                           end=digest.period.end)
                        t1 = time.perf_counter()
                        written = writer.day(digest.period, day_entries, scheduler.make_idf(journal.db))
                        llm_seconds += time.perf_counter() - t1
                        llm_fallbacks += int(written.writer != "llm")
                        llm_text = " ".join(b.text for b in written.bullets)
                        scored["llm"].append(rouge.scores(llm_text, reference))
                        scored["extractive_same_days"].append(scored["extractive"][-1])
                        words["llm"].append(text.word_count(llm_text))
                    if progress:
                        progress(len(scored["extractive"]), len(all_entries), str(digest.period.start))
    result = {
        "days": len(scored["extractive"]),
        "extractive": _mean(scored["extractive"]),
        "lead3": _mean(scored["lead3"]),
        "median_words": {k: statistics.median(v) for k, v in words.items() if v},
        "extractive_seconds": round(extractive_seconds, 2),
    }
    if scored["llm"]:
        result["llm"] = _mean(scored["llm"])
        result["llm_days"] = len(scored["llm"])
        result["extractive_on_llm_days"] = _mean(scored["extractive_same_days"])
        result["llm_fallbacks"] = llm_fallbacks
        result["llm_day_digests_per_minute"] = round(60 * len(scored["llm"]) / llm_seconds, 2)
    return result
