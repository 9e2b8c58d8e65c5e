"""`lucy bench ask`: does the ask pipeline lose evidence, and does it abstain honestly?

On the LoCoMo-as-diary data (one journal per conversation, indexed with the app's own
indexer and models, digests written), for every question:

- context recall: the share of evidence turns contained in the passages ``ask`` retrieves
  for the question (:func:`lucy_app.core.ask.prepare`: time phrase removed, restricted to
  the question's range), next to the hybrid search's passage recall of the question text
  at the same 400-word budget (:mod:`lucy_app.core.bench.recall`'s measure); and the same
  for what is finally handed to the model, after the relevance check (an abstention hands
  nothing).
- abstention: on the adversarial questions (nothing in the diary answers them), how often
  Lucy says nothing is recorded; on the answerable ones, how often it wrongly does.

"Today" for a conversation is the day after its last entry. The model is not asked to
write answers here (the context and the abstention are decided before it speaks).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from lucy_app.core import ask, entries, index, search
from lucy_app.core.bench import locomo
from lucy_app.core.bench.recall import WORD_BUDGET, add_entries, contained, evidence_spans, take_within
from lucy_app.core.digests import scheduler
from lucy_app.core.journal import Journal


def run(data_dir: Path, *, models=None, progress=None) -> dict:
    all_entries = locomo.entries(data_dir)
    questions = locomo.questions(data_dir)
    adversarial = locomo.adversarial_questions(data_dir)
    convs = sorted({e.conv_id for e in all_entries})
    context_recall, handed_recall, search_recall = [], [], []
    abstain_answerable, abstain_adversarial = [], []
    timings = []
    with tempfile.TemporaryDirectory() as tmp:
        for conv in convs:
            with Journal.open(Path(tmp) / f"{conv}.db") as journal:
                db = journal.db
                ids, bodies = add_entries(db, [e for e in all_entries if e.conv_id == conv])
                today = max(e.stamp.date() for e in all_entries if e.conv_id == conv) + timedelta(days=1)
                scheduler.run(db, settings=journal.settings, today=today)
                index.run(db, models=models)
                for q in (q for q in questions if q.conv_id == conv):
                    lines = evidence_spans(q, ids, bodies)
                    t = time.perf_counter()
                    prepared = ask.prepare(db, q.question, today=today, settings=journal.settings, models=models)
                    timings.append((time.perf_counter() - t) * 1000)
                    abstain_answerable.append(prepared.abstained)
                    if not lines:
                        continue
                    built = [(s.entry_id, s.start, s.end) for s in prepared.context if s.start is not None]
                    context_recall.append(contained(lines, built))
                    handed = [] if prepared.abstained else built
                    handed_recall.append(contained(lines, handed))
                    found = search.search_passages(db, q.question, models=models, limit=40, max_words=WORD_BUDGET,
                                                   today=today)
                    taken = take_within(WORD_BUDGET, [(p.entry_id, p.start, p.end, p.text) for p in found])
                    search_recall.append(contained(lines, taken))
                for q in (q for q in adversarial if q.conv_id == conv):
                    prepared = ask.prepare(db, q.question, today=today, settings=journal.settings, models=models)
                    abstain_adversarial.append(prepared.abstained)
                if progress:
                    progress(convs.index(conv) + 1, len(convs), conv)
    return {
        "questions_with_evidence": len(context_recall),
        "context_passage_recall@400w": round(statistics.mean(context_recall), 3),
        "handed_to_model_passage_recall@400w": round(statistics.mean(handed_recall), 3),
        "search_passage_recall@400w": round(statistics.mean(search_recall), 3),
        "answerable": len(abstain_answerable),
        "wrongly_abstained_on_answerable": round(statistics.mean(abstain_answerable), 3),
        "adversarial": len(abstain_adversarial),
        "abstained_on_adversarial": round(statistics.mean(abstain_adversarial), 3),
        "prepare_ms_p50": round(statistics.median(timings), 1),
        "vectors": models is not None,
    }


def latency(journal, question: str, *, today, models, runs: int = 3) -> dict:
    """Time one question on an existing journal: retrieval (``prepare``) and the whole answer,
    with the time to the model's first token."""
    from lucy_app.core.bench.storage import percentile

    prep = []
    for _ in range(max(5, runs)):
        t = time.perf_counter()
        ask.prepare(journal.db, question, today=today, settings=journal.settings, models=models)
        prep.append((time.perf_counter() - t) * 1000)
    firsts, totals, modes = [], [], []
    for _ in range(runs):
        stamps: list[float] = []
        t = time.perf_counter()
        result = ask.answer(journal.db, question, today=today, settings=journal.settings, models=models,
                            on_token=lambda _p, stamps=stamps: stamps.append(time.perf_counter()))
        totals.append(time.perf_counter() - t)
        # the first piece is the answer's opening words written for the model (no model time)
        model_pieces = stamps[1:] if result.range and ask.prefill_for(result.range) else stamps
        firsts.append(model_pieces[0] - t if model_pieces else None)
        modes.append(result.mode)
    return {
        "question": question,
        "entries": entries.count(journal.db),
        "retrieval_ms_p50": round(statistics.median(prep), 1),
        "retrieval_ms_p95": round(percentile(prep, 95), 1),
        "first_token_s": [round(f, 2) if f is not None else None for f in firsts],
        "total_s": [round(t, 2) for t in totals],
        "modes": modes,
        "answer": result.text,
    }
