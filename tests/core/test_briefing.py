"""The morning briefing: bounded, built from digests, every part leading to its entries."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from lucy_app.core import briefing, entries, text
from lucy_app.core.bench import sample_diary
from lucy_app.core.digests import read, scheduler
from lucy_app.core.settings import Settings

TODAY = sample_diary.DEFAULT_END + timedelta(days=1)  # 25 Nov 2026


@pytest.mark.parametrize("n_days", [7, 400])
def test_the_briefing_stays_within_its_word_budget(db, fill, n_days):
    fill(db, n_days)
    scheduler.run(db, settings=Settings(), today=TODAY)
    for budget in (120, 250):
        b = briefing.build(db, TODAY, Settings(briefing_words=budget))
        assert 0.5 * budget <= b.words <= budget, b.text
        assert text.word_count(b.text) == b.words


def test_each_part_drills_down_to_its_digest_and_entries(db, fill):
    made = {e.id: e for e in fill(db, 400)}
    scheduler.run(db, settings=Settings(), today=TODAY)
    b = briefing.build(db, TODAY, Settings())
    titles = [p.title for p in b.parts]
    assert titles[0] == "Yesterday" and titles[1].startswith("Last week") and titles[-1] == "On this day"
    for p in b.parts:
        digest = read.by_id(db, p.digest_id)
        assert digest.period.start == p.period_start and digest.level == p.level
        assert p.entry_ids and all(i in made for i in p.entry_ids)
        if p.key != "on_this_day":
            assert set(p.entry_ids) <= set(digest.entry_ids)
            assert p.period_start <= max(made[i].day for i in p.entry_ids) <= p.period_end
    on_this_day = b.parts[-1]
    assert all(made[i].day.month == 11 and made[i].day.day == 25 for i in on_this_day.entry_ids)


def test_a_gap_in_writing_says_when_the_last_entry_was(db):
    entries.add(db, "A quiet walk along the canal with the dog, and soup after.", day="2026-11-18")
    scheduler.run(db, settings=Settings(), today=TODAY)
    b = briefing.build(db, TODAY, Settings())
    assert b.parts[0].title == "Last entry, Wed 18 Nov"


def test_an_empty_journal_gets_a_friendly_line(db):
    b = briefing.build(db, TODAY, Settings())
    assert b.parts == [] and "Nothing to catch up on" in b.text and b.words < 30


def test_stale_parts_are_marked(db, fill):
    made = fill(db, 30)
    scheduler.run(db, settings=Settings(), today=TODAY)
    entries.update(db, made[-1].id, body="Rewritten yesterday.")
    stale = read.stale_keys(db, TODAY, Settings())
    b = briefing.build(db, TODAY, Settings(), stale_keys=stale)
    assert b.parts[0].stale and b.parts[0].key == "yesterday"


@pytest.mark.parametrize("day", [date(2026, 7, 15), date(2026, 10, 1), date(2026, 10, 9), date(2026, 2, 28)])
def test_a_back_dated_briefing_cites_nothing_written_after_its_day(db, fill, day):
    """"So far" means so far: the month and season parts of a past morning's briefing come
    only from entries up to that day, though their stored digests cover the whole period."""
    made = {e.id: e for e in fill(db, 400)}
    scheduler.run(db, settings=Settings(), today=TODAY)
    b = briefing.build(db, day, Settings())
    assert any(p.title.endswith("so far") for p in b.parts), b.text
    for p in b.parts:
        assert p.entry_ids and all(made[i].day <= day for i in p.entry_ids), (p.title, p.text)
        assert all(made[i].day <= day for _, ids in p.bullets for i in ids)
    assert 0 < b.words <= Settings().briefing_words
