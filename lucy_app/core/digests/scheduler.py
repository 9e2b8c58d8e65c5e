"""Writing digests: one at a time, bottom-up, most recent first, resumable.

Each digest is generated outside any transaction (a model may take seconds) and stored in
its own short ``BEGIN IMMEDIATE`` transaction after checking that its inputs did not change
meanwhile; a crash loses at most the digest being written, and the unique (level, period)
key keeps exactly one digest per period. Every run starts from :func:`plan.survey`, so a
restart simply continues.

Two phases: every missing or stale period first gets an extractive digest (instant), then,
if an LLM writer is given, extractive digests are rewritten by the model, newest first,
re-running the cheap phase after each rewrite so parents follow their children.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from lucy_app.core import clock, errors, periods, text
from lucy_app.core import entries as entries_mod
from lucy_app.core.digests import extractive as extractive_mod
from lucy_app.core.digests import plan as plan_mod
from lucy_app.core.digests.extractive import Idf
from lucy_app.core.digests.model import CHILD_LEVEL, Bullet, Digest, render
from lucy_app.core.digests.writers import ExtractiveWriter, Writer, Written
from lucy_app.core.entries import Entry
from lucy_app.core.pausing import stopper
from lucy_app.core.settings import Settings
from lucy_app.core.storage import digests as store
from lucy_app.core.storage import entries as entry_store
from lucy_app.core.storage.db import Database

Progress = Callable[[int, int, str], None]


@dataclass
class RunStats:
    written: dict[str, int] = field(default_factory=dict)
    by_llm: int = 0
    fallbacks: list[str] = field(default_factory=list)
    removed: int = 0
    skipped_changed: int = 0
    seconds: float = 0.0
    cancelled: bool = False

    @property
    def total(self) -> int:
        return sum(self.written.values())


def survey(db: Database, today: date, settings: Settings) -> plan_mod.Plan:
    with db.read() as conn:
        versions = store.live_entry_versions(conn)
        stored = store.all_meta(conn)
    return plan_mod.survey(versions, stored, today, hemisphere=settings.hemisphere,
                           week_start=settings.week_start)


def make_idf(db: Database) -> Idf:
    def doc_count(word: str) -> int:
        with db.read() as conn:
            return entry_store.term_document_count(conn, word)

    return Idf(entries_mod.count(db), doc_count)


def write_one(db: Database, status: plan_mod.Status, writer: Writer, idf: Idf, today: date) -> Written | None:
    """Write the digest of one period; None when its inputs vanished or changed meanwhile."""
    period = status.period
    level = period.level
    now = before = None
    with db.read() as conn:
        if level == "day":
            day_entries = _entries_of(conn, period)
            children: list[Digest] = []
            input_hash = plan_mod.day_hash(_versions(day_entries))
            if not day_entries:
                return None
        else:
            day_entries = []
            child_rows = store.in_range(conn, CHILD_LEVEL[level], period.start.isoformat(), period.end.isoformat())
            children = [Digest.from_row(r) for r in child_rows]
            if not children:
                return None
            # the period's entries (the model's bullets are checked against them) and, for a
            # week or a month, the period before's (what is new since; also in its identity)
            if level in plan_mod.LOOKS_BACK:
                before = _entries_of(conn, periods.shift(period, -1))
            input_hash = plan_mod.parent_hash(level, child_rows, _versions(before))
            if level in extractive_mod.WHAT_CHANGED or writer.name == "llm":
                now = _entries_of(conn, period)
            if level not in extractive_mod.WHAT_CHANGED:
                before = None
    if level == "day":
        written = writer.day(period, day_entries, idf)
    else:
        written = writer.parent(period, children, idf, entries=now, previous=before)
    bullets = written.bullets or _last_resort(day_entries, children)
    if level == "day":
        entry_ids = [e.id for e in day_entries]
    else:
        entry_ids = sorted({i for c in children for i in c.entry_ids})
    with db.write() as conn:
        if _current_hash(conn, status, level) != input_hash:
            return None  # an entry changed while we were writing: the next pass redoes it
        store.upsert(conn, {
            "level": level,
            "period_start": period.start.isoformat(),
            "period_end": period.end.isoformat(),
            "text": render(bullets),
            "entry_ids": json.dumps(entry_ids),
            "child_ids": json.dumps([c.id for c in children]),
            "citations": json.dumps([{"entries": list(b.entry_ids)} for b in bullets]),
            "writer": written.writer,
            "model": written.model,
            "prompt_version": written.prompt_version,
            "input_hash": input_hash,
            "source_seq": store.newest_change(conn, period.start.isoformat(), period.end.isoformat()),
            "partial": int(period.end >= today),
            "n_entries": len(entry_ids),
            "dropped_citations": written.dropped_citations,
            "created_at": _stamp(),
        })
    return written


def _entries_of(conn, period) -> list[Entry]:
    return [Entry.from_row(r) for r in entry_store.list_range(conn, start=period.start.isoformat(),
                                                               end=period.end.isoformat())]


def _versions(entries: list[Entry] | None) -> list[tuple[int, int]] | None:
    return None if entries is None else [(e.id, e.seq) for e in entries]


def _stamp() -> str:

    return clock.now().isoformat(timespec="microseconds")


def _current_hash(conn, status: plan_mod.Status, level: str) -> str:
    p = status.period
    if level == "day":
        return plan_mod.day_hash(_versions(_entries_of(conn, p)))
    before = _entries_of(conn, periods.shift(p, -1)) if level in plan_mod.LOOKS_BACK else None
    return plan_mod.parent_hash(level, store.in_range(conn, CHILD_LEVEL[level], p.start.isoformat(), p.end.isoformat()),
                                _versions(before))


def _last_resort(day_entries: list[Entry], children: list[Digest]) -> list[Bullet]:
    """A digest is never empty: the opening words of the first source."""
    if day_entries:
        e = day_entries[0]
        return [Bullet(text.trim_words(" ".join(text.plain(e.body).split()), 25), (e.id,))]
    first = next((b for c in children for b in c.bullets), None)
    return [first] if first else []


def run(db: Database, *, settings: Settings, today: date | None = None, llm: Writer | None = None,
        levels: set[str] | None = None, since: date | None = None, progress: Progress | None = None,
        cancel: threading.Event | None = None, pause: Callable[[], bool] | None = None,
        max_llm: int | None = None) -> RunStats:
    """Bring digests up to date; with ``llm``, then rewrite extractive digests with it."""
    today = today or clock.today()
    stats = RunStats()
    started = time.monotonic()
    extractive = ExtractiveWriter()
    idf = make_idf(db)

    stopped = stopper(cancel, pause)

    done_before = 0  # progress counts on across passes, never starting over

    def catch_up(progress=progress) -> None:
        nonlocal done_before
        for _ in range(5):  # a pass may reveal work (edits made meanwhile)
            plan = survey(db, today, settings)
            if plan.orphans:
                with db.write() as conn:
                    store.delete(conn, plan.orphans)
                stats.removed += len(plan.orphans)
            jobs = plan.jobs(levels=levels, since=since)
            if not jobs:
                return
            for n, status in enumerate(jobs, start=1):
                if stopped():
                    raise errors.Cancelled("Digest writing was stopped")
                if write_one(db, status, extractive, idf, today) is None:
                    stats.skipped_changed += 1
                else:
                    stats.written[status.level] = stats.written.get(status.level, 0) + 1
                if progress:
                    progress(done_before + n, done_before + len(jobs), f"{status.period.label}")
            done_before += len(jobs)

    try:
        catch_up()
        rewritten = 0
        while llm is not None and (max_llm is None or rewritten < max_llm):
            plan = survey(db, today, settings)
            todo = [s for s in plan.statuses.values()
                    if s.state == "fresh" and s.stored["writer"] == "extractive"
                    and not s.stored["prompt_version"].endswith(LLM_TRIED)
                    and (levels is None or s.level in levels) and (since is None or s.period.end >= since)]
            if not todo:
                break
            status = min(todo, key=plan_mod.rewrite_order)
            if stopped():
                raise errors.Cancelled("Digest writing was stopped")
            written = write_one(db, status, llm, idf, today)
            rewritten += 1
            if written is not None:
                stats.written[status.level] = stats.written.get(status.level, 0) + 1
                if written.writer == "llm":
                    stats.by_llm += 1
                elif written.fell_back:
                    stats.fallbacks.append(f"{status.period.label}: {written.fell_back}")
                    _mark_llm_tried(db, status)
            if progress:
                progress(rewritten, rewritten + len(todo) - 1, f"{status.period.label} (model)")
            catch_up(progress=None)  # the parents of what the model wrote: quick, and not what is counted
    except errors.Cancelled:
        stats.cancelled = True
    stats.seconds = time.monotonic() - started
    return stats


LLM_TRIED = "+llm-tried"


def _mark_llm_tried(db: Database, status: plan_mod.Status) -> None:
    """Remember that the model could not do better here, so it is not asked again and again."""
    with db.write() as conn:
        row = store.get(conn, status.period.level, status.period.start.isoformat())
        if row and row["writer"] == "extractive" and not row["prompt_version"].endswith(LLM_TRIED):
            store.set_prompt_version(conn, row["id"], row["prompt_version"] + LLM_TRIED)
