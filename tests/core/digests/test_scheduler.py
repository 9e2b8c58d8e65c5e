"""Writing digests bottom-up, keeping them fresh, and surviving interruptions."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date

import pytest

from lucy_app.core import entries, errors
from lucy_app.core.digests import read, scheduler
from lucy_app.core.settings import Settings
from lucy_app.core.storage import digests as store
from lucy_app.core.storage.db import Database

TODAY = date(2026, 11, 25)


def all_rows(db):
    with db.read() as conn:
        return sorted(store.in_range(conn, None, "0001-01-01", "9999-12-31"),
                      key=lambda r: (r["level"], r["period_start"]))


def keys(db):
    return [(r["level"], r["period_start"]) for r in all_rows(db)]


def test_every_level_is_written_from_the_level_below(db, fill):
    fill(db, 120)  # 28 Jul – 24 Nov 2026
    stats = scheduler.run(db, settings=Settings(), today=TODAY)
    assert stats.written["day"] == 120
    rows = {(r["level"], r["period_start"]): r for r in all_rows(db)}
    import json

    week = rows[("week", "2026-11-16")]
    days = [rows[("day", f"2026-11-{d}")] for d in range(16, 23)]
    assert json.loads(week["child_ids"]) == [d["id"] for d in days]
    assert json.loads(week["entry_ids"]) == sorted(i for d in days for i in json.loads(d["entry_ids"]))
    month = rows[("month", "2026-10-01")]
    assert len(json.loads(month["child_ids"])) == 31  # a month is written from its days
    autumn = rows[("season", "2026-09-01")]
    assert [rows[k]["id"] for k in (("month", "2026-09-01"), ("month", "2026-10-01"), ("month", "2026-11-01"))] \
        == json.loads(autumn["child_ids"])
    year = rows[("year", "2026-01-01")]
    assert len(json.loads(year["child_ids"])) == 5  # Jul–Nov
    # every bullet of every digest cites entries inside its own period
    for r in rows.values():
        d = read.by_id(db, r["id"])
        assert d.bullets, r
        inside = set(json.loads(r["entry_ids"]))
        assert all(set(b.entry_ids) <= inside and b.entry_ids for b in d.bullets)


def test_running_twice_changes_nothing(db, fill):
    fill(db, 40)
    scheduler.run(db, settings=Settings(), today=TODAY)
    before = all_rows(db)
    again = scheduler.run(db, settings=Settings(), today=TODAY)
    assert again.total == 0 and all_rows(db) == before


def test_an_edit_makes_its_day_and_every_ancestor_stale(db, fill):
    made = fill(db, 120)
    scheduler.run(db, settings=Settings(), today=TODAY)
    target = next(e for e in made if e.day == date(2026, 10, 14))
    entries.update(db, target.id, body=target.body + "\n\nA hot-air balloon landed in the allotments.")
    plan = scheduler.survey(db, TODAY, Settings())
    stale = sorted((s.level, s.period.start.isoformat()) for s in plan.statuses.values() if s.state != "fresh")
    # and the week and month after it, which say what is new since
    assert stale == [("day", "2026-10-14"), ("month", "2026-10-01"), ("month", "2026-11-01"),
                     ("season", "2026-09-01"), ("week", "2026-10-12"), ("week", "2026-10-19"), ("year", "2026-01-01")]
    # the stale digests are still there (shown, marked stale) until rewritten
    assert read.get(db, "month", date(2026, 10, 1), Settings(), today=TODAY).digest.stale
    stats = scheduler.run(db, settings=Settings(), today=TODAY)
    assert stats.written == {"day": 1, "week": 2, "month": 2, "season": 1, "year": 1}
    assert not read.get(db, "month", date(2026, 10, 1), Settings(), today=TODAY).digest.stale


def test_trashing_the_only_entry_of_a_day_removes_its_digest(db, fill):
    made = fill(db, 10)
    scheduler.run(db, settings=Settings(), today=TODAY)
    entries.trash(db, made[3].id)
    stats = scheduler.run(db, settings=Settings(), today=TODAY)
    assert stats.removed == 1
    assert ("day", made[3].day.isoformat()) not in keys(db)


def test_periods_still_running_are_partial_and_redone_when_over(db, fill):
    fill(db, 10, end=date(2026, 11, 25))  # today has an entry
    scheduler.run(db, settings=Settings(), today=TODAY)
    with db.read() as conn:
        assert store.get(conn, "day", "2026-11-25")["partial"] == 1
        assert store.get(conn, "week", "2026-11-23")["partial"] == 1
        assert store.get(conn, "week", "2026-11-16")["partial"] == 0
        assert store.get(conn, "month", "2026-11-01")["partial"] == 1
    later = scheduler.run(db, settings=Settings(), today=date(2026, 11, 30))  # a Monday
    # the day and its week are over now: rewritten as complete; their ancestors follow
    assert later.written == {"day": 1, "week": 1, "month": 1, "season": 1, "year": 1}
    with db.read() as conn:
        assert store.get(conn, "day", "2026-11-25")["partial"] == 0
        assert store.get(conn, "week", "2026-11-23")["partial"] == 0
        assert store.get(conn, "month", "2026-11-01")["partial"] == 1


def test_hemisphere_decides_the_seasons(db, fill):
    fill(db, 100)  # mid-August … November
    scheduler.run(db, settings=Settings(hemisphere="south"), today=TODAY)
    seasons = [k for k in keys(db) if k[0] == "season"]
    assert seasons == [("season", "2026-06-01"), ("season", "2026-09-01")]  # winter Jun–Aug, spring Sep–Nov
    with db.read() as conn:
        assert store.get(conn, "season", "2026-09-01")["period_end"] == "2026-11-30"
    # switching to the north re-plans: southern spring becomes northern autumn, same dates here,
    # but the week start moves weeks and the old weeks are removed
    stats = scheduler.run(db, settings=Settings(hemisphere="north", week_start=6), today=TODAY)
    assert stats.removed > 0
    weeks = [k for k in keys(db) if k[0] == "week"]
    assert all(date.fromisoformat(start).weekday() == 6 for _, start in weeks)


def test_a_cancelled_run_stops_and_a_new_run_finishes(db, fill):
    import threading

    fill(db, 60)
    cancel = threading.Event()
    seen = []

    def progress(done, total, what):
        seen.append(what)
        if len(seen) == 20:
            cancel.set()

    stats = scheduler.run(db, settings=Settings(), today=TODAY, progress=progress, cancel=cancel)
    assert stats.cancelled and 0 < stats.total < 60
    scheduler.run(db, settings=Settings(), today=TODAY)
    assert sum(1 for k in keys(db) if k[0] == "day") == 60
    assert scheduler.run(db, settings=Settings(), today=TODAY).total == 0


def test_killing_the_process_mid_run_loses_nothing_and_duplicates_nothing(journal_path, fill):
    db = Database(journal_path)
    fill(db, 730)
    db.close()
    env = {**os.environ, "LUCY_DB": str(journal_path)}
    proc = subprocess.Popen([sys.executable, "-m", "lucy_app", "digest", "run", "--extractive",
                             "--today", TODAY.isoformat()], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    watcher = Database(journal_path)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if len(keys(watcher)) >= 100:
            break
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    written_before = len(keys(watcher))
    assert 100 <= written_before
    watcher.close()
    db = Database(journal_path)
    with db.read() as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    stats = scheduler.run(db, settings=Settings(), today=TODAY)
    assert stats.total > 0, "the kill landed after the run had finished"
    all_keys = keys(db)
    assert len(all_keys) == len(set(all_keys))  # exactly one digest per (level, period)
    assert sum(1 for k in all_keys if k[0] == "day") == 730
    assert scheduler.run(db, settings=Settings(), today=TODAY).total == 0
    db.close()


def test_an_unknown_level_is_a_clear_error(db):
    with pytest.raises(errors.InvalidInput):
        read.get(db, "decade", TODAY, Settings())


def test_digests_of_an_older_extractive_writer_are_written_again(db, fill):
    from lucy_app.core.digests import extractive

    fill(db, 10, end=date(2026, 11, 20))
    scheduler.run(db, settings=Settings(), today=TODAY)
    with db.read() as conn:
        row = store.get(conn, "day", "2026-11-20")
    with db.write() as conn:
        store.set_prompt_version(conn, row["id"], "extractive-0")
    assert [s.key for s in scheduler.survey(db, TODAY, Settings()).jobs()] == [("day", date(2026, 11, 20)),
                                                                                ("week", date(2026, 11, 16)),
                                                                                ("month", date(2026, 11, 1)),
                                                                                ("season", date(2026, 9, 1)),
                                                                                ("year", date(2026, 1, 1))]
    scheduler.run(db, settings=Settings(), today=TODAY)
    with db.read() as conn:
        assert store.get(conn, "day", "2026-11-20")["prompt_version"] == extractive.PROMPT_VERSION


def test_progress_counts_on_when_a_pass_reveals_more_work(db, fill):
    """An entry saved while digests are written needs a second pass: the count goes on from
    where it was ("40 of 45"), it does not start again at "1 of 6"."""
    fill(db, 20, end=date(2026, 11, 20))
    seen: list[tuple[int, int]] = []

    def progress(done, total, _what):
        if not seen:
            entries.add(db, "Written while the digests were being written.", day="2026-11-22")
        seen.append((done, total))

    scheduler.run(db, settings=Settings(), today=TODAY, progress=progress)
    dones = [d for d, _ in seen]
    assert dones == sorted(dones) and len(set(dones)) == len(dones)
    assert max(t for _, t in seen) == seen[-1][1] and seen[-1][0] == seen[-1][1]
    with db.read() as conn:
        assert store.get(conn, "day", "2026-11-22") is not None  # the second pass wrote it


def test_the_model_rewrites_what_the_briefing_shows_first(db, fill):
    """A slow model spends its time where it is read: this year, season, month and week
    before the days, and the newest days first."""
    from lucy_app.core.digests.writers import ExtractiveWriter

    class Recording(ExtractiveWriter):
        name = "llm"   # the scheduler's model pass; the words do not matter here
        order: list = []

        def day(self, period, entries, idf):
            self.order.append(("day", period.start))
            return super().day(period, entries, idf)

        def parent(self, period, children, idf, *, entries=None, previous=None):
            self.order.append((period.level, period.start))
            return super().parent(period, children, idf, entries=entries, previous=previous)

    fill(db, 20, end=date(2026, 11, 20))
    scheduler.run(db, settings=Settings(), today=TODAY, llm=Recording(), max_llm=6)
    assert Recording.order[:6] == [("year", date(2026, 1, 1)), ("season", date(2026, 9, 1)),
                                   ("month", date(2026, 11, 1)), ("week", date(2026, 11, 16)),
                                   ("day", date(2026, 11, 20)), ("day", date(2026, 11, 19))]


ROUTINE = [
    "Walked the dog along the canal before work.", "Porridge with honey and the radio on.",
    "Long meeting about the budget at the office.", "Cooked lentil soup for dinner.",
    "Read a chapter of my novel in bed.", "Rain in the afternoon, so I stayed in.",
    "Called Mum about the weekend.", "Watered the tomatoes on the balcony.",
    "Cycled to the market for bread and cheese.", "Answered emails until lunch.",
    "Tidied the kitchen and put the washing on.", "Evening stroll round the park with Sam.",
]
PIANO = {
    date(2025, 3, 10): "Started piano lessons with Mrs Hale; the scales are harder than they look.",
    date(2025, 3, 12): "Practised the piano scales for half an hour before breakfast.",
    date(2025, 3, 14): "Second piano lesson: Mrs Hale gave me a simple minuet.",
    date(2025, 3, 17): "Played the minuet on the piano all the way through, slowly.",
}


def test_a_month_says_what_is_new_against_the_month_before(db):
    """March brings piano lessons: the month and the week open with them, citing the days
    they were written about; February, like January, has nothing new; the spring and the
    year tell of the piano without calling it new this month."""
    day, n, made = date(2025, 1, 1), 0, {}
    with db.write():
        while day <= date(2025, 3, 31):
            lines = [ROUTINE[(n + k) % len(ROUTINE)] for k in range(3)]
            if day in PIANO:
                lines.insert(1, PIANO[day])
            made[day] = entries.add(db, " ".join(lines), day=day)
            day, n = date.fromordinal(day.toordinal() + 1), n + 3
    scheduler.run(db, settings=Settings(), today=date(2025, 6, 1))
    piano = [made[d].id for d in sorted(PIANO)]
    month = {m: read.get(db, "month", date(2025, m, 1), Settings(), today=date(2025, 6, 1)).digest for m in (1, 2, 3)}
    first = month[3].bullets[0]
    assert first.text.startswith("New this month — piano: "), first.text
    said = next(d for d, sentence in PIANO.items() if first.text.endswith(sentence))  # one of the days, quoted
    assert set(first.entry_ids) == set(piano) and first.entry_ids[0] == made[said].id  # its own day first
    for m in (1, 2):  # January has no month before it; February is like January
        assert not any(b.text.startswith("New this") for b in month[m].bullets), month[m].text
    week = read.get(db, "week", date(2025, 3, 10), Settings(), today=date(2025, 6, 1)).digest
    assert week.bullets[0].text.startswith("New this week — piano: ")
    assert set(week.bullets[0].entry_ids) == set(piano[:3])
    before = read.get(db, "week", date(2025, 3, 3), Settings(), today=date(2025, 6, 1)).digest
    assert not any(b.text.startswith("New this") for b in before.bullets)
    # the spring and the year are told about the piano, not that it is "new this month"
    for level, start in (("season", date(2025, 3, 1)), ("year", date(2025, 1, 1))):
        digest = read.get(db, level, start, Settings(), today=date(2025, 6, 1)).digest
        assert any("piano" in b.text for b in digest.bullets) and "New this" not in digest.text, digest.text


def test_editing_last_month_rewrites_what_this_month_says_is_new(db, fill):
    """A month opens with what is new since the month before: an edit there must reach it."""
    fill(db, 70, end=date(2026, 11, 20))
    scheduler.run(db, settings=Settings(), today=TODAY)
    october = entries.list_entries(db, start=date(2026, 10, 10), end=date(2026, 10, 10))[0]
    entries.update(db, october.id, body=october.body + " Then choir practice again.")
    stale = {s.key for s in scheduler.survey(db, TODAY, Settings()).jobs()}
    assert ("month", date(2026, 11, 1)) in stale and ("month", date(2026, 10, 1)) in stale
