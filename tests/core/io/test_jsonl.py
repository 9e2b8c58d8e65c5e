"""`lucy import jsonl` / `lucy export jsonl`: idempotent, all-or-nothing, lossless."""

from __future__ import annotations

import json

import pytest

from lucy_app.core import entries, errors
from lucy_app.core.io import importer, jsonl
from lucy_app.core.journal import Journal


def write_lines(path, *objects):
    path.write_text("\n".join(o if isinstance(o, str) else json.dumps(o) for o in objects) + "\n")
    return path


def do_import(db, path):
    return importer.apply(db, importer.plan(db, jsonl.read(path)))


def test_import_then_reimport_adds_nothing(db, tmp_path):
    f = write_lines(
        tmp_path / "in.jsonl",
        {"date": "2024-03-05", "title": "Kite", "body": "Flew a kite.", "tags": ["outdoors"], "id": "k1"},
        {"date": "2024-03-06T23:30:00+09:00", "body": "Late in Tokyo."},
        {"date": "2024-03-07", "body": "Tagged by string", "tags": "a, b"},
    )
    assert do_import(db, f) == {"added": 3, "updated": 0, "skipped": 0}
    assert do_import(db, f) == {"added": 0, "updated": 0, "skipped": 3}
    got = entries.list_entries(db)
    assert [e.day.isoformat() for e in got] == ["2024-03-05", "2024-03-06", "2024-03-07"]
    assert got[0].uid == "k1" and got[0].tags == ("outdoors",) and got[2].tags == ("a", "b")
    assert got[1].created_at.utcoffset().total_seconds() == 9 * 3600


def test_a_changed_line_with_the_same_id_updates_the_entry(db, tmp_path):
    do_import(db, write_lines(tmp_path / "a.jsonl", {"date": "2024-03-05", "body": "v1", "id": "x"}))
    f = write_lines(tmp_path / "b.jsonl", {"date": "2024-03-05", "body": "v2", "id": "x"})
    assert importer.plan(db, jsonl.read(f)).summary() == {"added": 0, "updated": 1, "skipped": 0}
    do_import(db, f)
    assert [e.body for e in entries.list_entries(db)] == ["v2"]


@pytest.mark.parametrize(
    "bad, message",
    [
        ("{not json", r"bad.jsonl:2: not valid JSON"),
        (json.dumps({"body": "no date"}), r"bad.jsonl:2: missing \"date\""),
        (json.dumps({"date": "2024-02-31", "body": "x"}), r"bad.jsonl:2: Invalid date"),
        (json.dumps({"date": "2024-02-03", "body": ""}), r"bad.jsonl:2: Nothing to save"),
        (json.dumps([1, 2]), r"bad.jsonl:2: expected a JSON object"),
        (json.dumps({"date": "2024-02-03", "body": "x", "tags": 5}), r"bad.jsonl:2: \"tags\""),
        (json.dumps({"date": "2024-02-03", "body": "x", "id": "first"}), r"bad.jsonl:2: id 'first' already used"),
    ],
)
def test_a_bad_line_is_named_and_nothing_is_imported(db, tmp_path, bad, message):
    f = write_lines(tmp_path / "bad.jsonl", {"date": "2024-01-01", "body": "fine", "id": "first"}, bad)
    with pytest.raises(errors.ImportFailed, match=message):
        jsonl.read(f)
    assert entries.count(db) == 0


def test_invalid_utf8_is_named(tmp_path):
    f = tmp_path / "bad.jsonl"
    f.write_bytes(b'{"date": "2024-01-01", "body": "ok"}\n{"date": "2024-01-02", "body": "\xff"}\n')
    with pytest.raises(errors.ImportFailed, match=r"bad.jsonl:2: not valid UTF-8"):
        jsonl.read(f)


def test_a_failure_while_writing_rolls_the_whole_import_back(db, tmp_path, monkeypatch):
    entries.add(db, "already here", day="2024-01-01")
    f = write_lines(tmp_path / "in.jsonl", *({"date": "2024-03-05", "body": f"n{i}"} for i in range(10)))
    todo = importer.plan(db, jsonl.read(f))
    real_add = entries.add_draft
    calls = []

    def flaky(db_, draft):
        calls.append(draft)
        if len(calls) == 7:
            raise OSError("disk went away")
        return real_add(db_, draft)

    monkeypatch.setattr(entries, "add_draft", flaky)
    with pytest.raises(OSError):
        importer.apply(db, todo)
    assert [e.body for e in entries.list_entries(db)] == ["already here"]


def test_export_then_import_into_an_empty_journal_is_identical(db, tmp_path):
    entries.add(db, "First *entry*\n\nwith two paragraphs.", day="2024-03-05", title="One",
                tags=["a", "b"], mood=5, starred=True)
    entries.add(db, "Second, no title", day="2024-03-06")
    gone = entries.add(db, "trashed", day="2024-03-07")
    entries.trash(db, gone.id)
    out = tmp_path / "export.jsonl"
    with out.open("w") as fh:
        assert jsonl.write(entries.list_entries(db), fh) == 2
    with Journal.open(tmp_path / "copy.db") as copy:
        assert do_import(copy.db, out)["added"] == 2
        fields = lambda e: (e.uid, e.day, e.title, e.body, e.tags, e.mood, e.starred, e.created_at)  # noqa: E731
        assert [fields(e) for e in entries.list_entries(copy.db)] == [fields(e) for e in entries.list_entries(db)]
        assert do_import(copy.db, out)["added"] == 0
