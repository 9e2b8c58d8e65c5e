"""`lucy import jrnl`: jrnl's plain-text journal and its JSON export."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lucy_app.core import entries, errors
from lucy_app.core.io import importer, jrnl

TEXT = """\
[2024-03-05 09:00] Morning pages with @Maya.
Wrote three pages before breakfast.
Mail me at maya@example.com, not a tag.

[2024-03-05 09:15:30 PM] Second entry the same day *
Body of the second, @work @big-project.

2024-03-06 07:05 Older jrnl wrote dates without brackets.

[2024-03-07 11:00] Title only, no body @solo
"""

JSON_EXPORT = {
    "tags": {"@work": 1, "@maya": 1},
    "entries": [
        {"title": "Standup ran long.", "body": "Then lunch with @maya.\n", "date": "2024-03-05",
         "time": "09:00", "tags": ["@work", "@maya"], "starred": False},
        {"title": "Quiet evening.", "body": "", "date": "2024-03-06", "time": "21:30", "tags": [],
         "starred": True},
    ],
}


def do_import(db, path):
    return importer.apply(db, importer.plan(db, jrnl.read(path)))


def test_the_plain_text_journal(db, tmp_path, kit):
    path = tmp_path / "journal.txt"
    path.write_text(TEXT)
    assert do_import(db, path) == {"added": 4, "updated": 0, "skipped": 0}
    got = entries.list_entries(db)
    assert [e.day.isoformat() for e in got] == ["2024-03-05", "2024-03-05", "2024-03-06", "2024-03-07"]
    first, second, third, fourth = got
    assert first.title == "Morning pages with @Maya."
    assert first.body == "Wrote three pages before breakfast.\nMail me at maya@example.com, not a tag."
    assert first.tags == ("maya",) and not first.starred and first.source == "jrnl"
    assert (first.created_at.hour, first.created_at.minute) == (9, 0)
    assert second.starred and second.title == "Second entry the same day"
    assert second.tags == ("big-project", "work") and second.created_at.hour == 21
    assert third.title is None and third.body == "Older jrnl wrote dates without brackets."
    assert (third.created_at.hour, third.created_at.minute) == (7, 5)
    assert fourth.body == "Title only, no body @solo" and fourth.tags == ("solo",)
    assert all(e.uid.startswith("jrnl:") for e in got)
    assert do_import(db, path) == {"added": 0, "updated": 0, "skipped": 4}


def test_am_pm_times(tmp_path):
    path = tmp_path / "j.txt"
    path.write_text("[2024-03-05 12:10:00 AM] Just after midnight.\n\n[2024-03-05 12:10:00 PM] Noon.\n")
    hours = [i.draft.created_at.hour for i in jrnl.read(path).items]
    assert hours == [0, 12]


def test_the_json_export(db, tmp_path):
    path = tmp_path / "export.json"
    path.write_text(json.dumps(JSON_EXPORT, indent=2))
    assert do_import(db, path)["added"] == 2
    standup, evening = entries.list_entries(db)
    assert standup.title == "Standup ran long." and standup.body == "Then lunch with @maya."
    assert standup.tags == ("maya", "work") and standup.created_at.hour == 9
    assert evening.title is None and evening.body == "Quiet evening." and evening.starred
    assert do_import(db, path)["added"] == 0


def test_the_same_entry_twice_in_one_file_comes_in_once(tmp_path):
    path = tmp_path / "j.txt"
    path.write_text("[2024-03-05 09:00] Same.\n\n[2024-03-05 09:00] Same.\n")
    batch = jrnl.read(path)
    assert len(batch.items) == 1 and "imported once" in batch.notes[0]


@pytest.mark.parametrize(
    "content, message",
    [
        (b"Dear diary\n[2024-03-05 09:00] x\n", r"j.txt:1: expected an entry's date line"),
        (b"[2024-03-05 09:00] ok\n\n[2024-02-30 10:00] bad day\n", r"j.txt:3: invalid date or time 2024-02-30"),
        (b"[2024-03-05 25:00] bad hour\n", r"j.txt:1: invalid date or time"),
        (b"[2024-03-05 09:00] ok\n\xff\xfe body\n", r"j.txt: not valid UTF-8 \(line 2"),
        (b'{"entries": [{"date": "2024-03-05", "title": "x"}, {"title": "no date"}]}',
         r"j.txt: entry 2: missing \"date\""),
        (b'{"entries": [{"date": "2024-03-05", "title": "x"', r"j.txt: not valid JSON"),
        (b'{"entries": [{"date": "2024-03-05", "title": "x", "tags": "work"}]}', r"entry 1: \"tags\" must be a list"),
        (b'{"no": "entries"}', r"not a jrnl JSON export"),
        (b"", r"no jrnl entries found"),
    ],
)
def test_malformed_journals_name_the_line_and_change_nothing(db, tmp_path, kit, content, message):
    good = tmp_path / "good.txt"
    good.write_text(TEXT)
    do_import(db, good)
    before = kit.fingerprint(db)
    path = tmp_path / "j.txt"
    path.write_bytes(content)
    with pytest.raises(errors.ImportFailed, match=message):
        do_import(db, path)
    assert kit.fingerprint(db) == before


def test_an_encrypted_journal_gets_a_hint(tmp_path):
    path = tmp_path / "j.txt"
    path.write_bytes(b"gAAAAAB\x80\x81\x82 encrypted")
    with pytest.raises(errors.ImportFailed) as caught:
        jrnl.read(path)
    assert "jrnl --decrypt" in caught.value.user_text()


FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
date_lines = st.from_regex(r"\[?20[0-9]{2}-[0-9]{2}-[0-9]{2} [0-9]{1,2}:[0-9]{2}(:[0-9]{2})?( [AP]M)?\]? ?", fullmatch=True)
lines = st.lists(date_lines | st.text(max_size=40) | st.just("@tag *"), max_size=8).map("\n".join)


@FUZZ
@given(text=lines | st.text(max_size=200))
def test_fuzz_text_never_raises_anything_but_import_failed(db, tmp_path, text):
    path = tmp_path / "fuzz.txt"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        do_import(db, path)
    except errors.ImportFailed:
        pass


@FUZZ
@given(data=st.binary(max_size=200) | st.builds(lambda e: json.dumps({"entries": e}).encode(),
                                                 st.lists(st.dictionaries(st.sampled_from(
                                                     ["date", "time", "title", "body", "tags", "starred"]),
                                                     st.none() | st.text(max_size=12) | st.booleans()
                                                     | st.lists(st.text(max_size=5), max_size=2)), max_size=3)))
def test_fuzz_bytes_never_raise_anything_but_import_failed(db, tmp_path, data):
    path = tmp_path / "fuzz.json"
    path.write_bytes(data)
    try:
        do_import(db, path)
    except errors.ImportFailed:
        pass
