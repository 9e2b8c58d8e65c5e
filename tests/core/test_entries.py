"""Entries: create, read, update, trash, restore, empty; full-text index and change log."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lucy_app.core import entries, errors, search
from lucy_app.core.storage import entries as store


def fts_ids(db, word):
    return [h.entry_id for h in search.keyword_search(db, word)]


def changes(db):
    with db.read() as conn:
        return [(c["entry_id"], c["day"], c["op"]) for c in store.changes_since(conn, 0)]


def test_add_and_read_back(db):
    e = entries.add(db, "We walked to the *old bridge*.", day="2024-03-05", title="  Bridge  walk ",
                    tags=["#Walks", "family", "walks"], mood="good")
    got = entries.get(db, e.id)
    assert got == e
    assert (got.day, got.title, got.tags, got.mood) == (date(2024, 3, 5), "Bridge walk", ("family", "walks"), 4)
    assert got.created_at.tzinfo is not None and got.updated_at == got.created_at
    assert got.body == "We walked to the *old bridge*."


def test_several_entries_on_one_day_in_writing_order(db):
    a = entries.add(db, "morning", day="2024-03-05")
    b = entries.add(db, "evening", day="2024-03-05")
    entries.add(db, "next day", day="2024-03-06")
    same_day = entries.list_entries(db, start=date(2024, 3, 5), end=date(2024, 3, 5))
    assert [e.id for e in same_day] == [a.id, b.id]
    assert entries.day_counts(db) == {date(2024, 3, 5): 2, date(2024, 3, 6): 1}


def test_on_this_day_in_earlier_years_is_one_query_with_the_old_semantics(db):
    a = entries.add(db, "morning, a year ago", day="2025-03-05")
    b = entries.add(db, "evening, a year ago", day="2025-03-05")
    c = entries.add(db, "29 years ago", day="1997-03-05")
    entries.add(db, "30 years ago: too far back", day="1996-03-05")
    entries.add(db, "the day itself", day="2026-03-05")
    entries.add(db, "the day after, a year ago", day="2025-03-06")
    entries.trash(db, entries.add(db, "in the trash", day="2024-03-05").id)
    assert [e.id for e in entries.on_this_day(db, date(2026, 3, 5))] == [a.id, b.id, c.id]

    leap = entries.add(db, "a leap day", day="2024-02-29")
    entries.add(db, "the day before", day="2023-02-28")
    entries.add(db, "the day after", day="2023-03-01")
    assert [e.id for e in entries.on_this_day(db, date(2028, 2, 29))] == [leap.id]
    assert entries.on_this_day(db, date(2028, 2, 28))[0].body == "the day before"
    assert entries.on_this_day(db, date(1, 3, 5)) == []


def test_edit_updates_fields_search_and_change_log(db):
    e = entries.add(db, "The heron stood in the reeds.", day="2024-03-05")
    assert fts_ids(db, "heron") == [e.id]
    edited = entries.update(db, e.id, body="A kingfisher flashed past.", day="2024-03-07", tags=["birds"])
    assert edited.day == date(2024, 3, 7) and edited.tags == ("birds",)
    assert edited.updated_at >= e.updated_at and edited.seq > e.seq
    assert fts_ids(db, "heron") == []
    assert fts_ids(db, "kingfisher") == [e.id]
    assert fts_ids(db, "birds") == [e.id]  # tags are searchable
    # both the old and the new day are marked as changed (their digests must be redone)
    assert changes(db) == [(e.id, "2024-03-05", "add"), (e.id, "2024-03-07", "edit"),
                           (e.id, "2024-03-05", "edit")]


def test_an_edit_that_changes_nothing_writes_nothing(db):
    e = entries.add(db, "same", day="2024-03-05")
    assert entries.update(db, e.id, body="same") == e
    assert len(changes(db)) == 1


def test_trash_restore_and_empty(db):
    keep = entries.add(db, "a lighthouse", day="2024-03-05")
    gone = entries.add(db, "a lighthouse keeper", day="2024-03-06")
    entries.trash(db, gone.id)
    assert [e.id for e in entries.list_entries(db)] == [keep.id]
    assert [e.id for e in entries.list_entries(db, trashed=True)] == [gone.id]
    assert fts_ids(db, "keeper") == []
    with pytest.raises(errors.NotFound, match="trash"):
        entries.update(db, gone.id, body="x")
    entries.restore(db, gone.id)
    assert fts_ids(db, "keeper") == [gone.id]
    entries.trash(db, gone.id)
    assert entries.empty_trash(db) == 1
    with pytest.raises(errors.NotFound):
        entries.get(db, gone.id)
    assert entries.count(db) == 1 and entries.count(db, trashed=True) == 0
    assert [op for _, _, op in changes(db)] == ["add", "add", "trash", "restore", "trash", "purge"]
    with db.write() as conn:
        store.fts_integrity(conn)


def test_bad_input_is_refused_and_changes_nothing(db):
    with pytest.raises(errors.InvalidInput, match="empty"):
        entries.add(db, "  \n\t ")
    with pytest.raises(errors.InvalidInput, match="Invalid date"):
        entries.add(db, "text", day="2024-02-30")
    with pytest.raises(errors.InvalidInput, match="mood"):
        entries.add(db, "text", mood=9)
    with pytest.raises(errors.NotFound):
        entries.update(db, 12345, body="x")
    with pytest.raises(errors.NotFound):
        entries.trash(db, 12345)
    assert entries.count(db) == 0 and changes(db) == []


def test_nul_bytes_and_undecodable_text_are_stored_safely(db):
    weird = "before\x00after \udcff end"
    e = entries.add(db, weird, day="2024-01-01", title="t\x00itle")
    assert e.body == "beforeafter \ufffd end" and e.title == "title"


def test_a_large_entry_round_trips(db):
    body = ("A long day. " * 100_000).strip()  # ~1.2 MB
    e = entries.add(db, body, day="2024-01-01")
    assert entries.get(db, e.id).body == body
    assert fts_ids(db, "long") == [e.id]


@given(st.lists(st.text(min_size=0, max_size=30), max_size=8))
def test_tag_normalisation_is_idempotent(tags):
    try:
        once = entries.normalize_tags(tags)
    except errors.InvalidInput:
        return
    assert entries.normalize_tags(once) == once
    assert all(t == t.lower() and not t.startswith("#") and " " not in t for t in once)


@given(st.text(min_size=1))
def test_body_cleaning_is_idempotent(text):
    try:
        once = entries.clean_body(text)
    except errors.InvalidInput:
        assert not text.replace("\x00", "").strip()
        return
    assert entries.clean_body(once) == once
    assert "\x00" not in once and "\r" not in once
