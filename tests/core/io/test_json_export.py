"""`lucy export json` / `lucy import json`: lossless, portable between journals."""

from __future__ import annotations

import base64
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lucy_app.core import entries, errors
from lucy_app.core.io import importer, json_export
from lucy_app.core.journal import Journal
from lucy_app.core.storage import attachments as attachment_store
from lucy_app.core.storage import exchange


def digest_row(level, start, end, entry_ids, child_ids=(), text=None):
    return {
        "level": level, "period_start": start, "period_end": end,
        "text": text or "\n".join(f"- Something happened [#{i}]" for i in entry_ids),
        "entry_ids": json.dumps(list(entry_ids)), "child_ids": json.dumps(list(child_ids)),
        "citations": json.dumps([{"entries": [i]} for i in entry_ids]),
        "writer": "llm" if level == "week" else "extractive", "model": "smollm2" if level == "week" else None,
        "prompt_version": "v1", "input_hash": f"hash-{level}-{start}", "source_seq": 99, "partial": 0,
        "n_entries": len(entry_ids), "dropped_citations": 0, "created_at": "2024-03-11T07:00:00.123456+01:00",
    }


def rich_journal(db, kit):
    """Entries with every field, gaps in the ids, trash, attachments and digests."""
    purged = entries.add(db, "made and purged, so ids have a gap", day="2024-03-01")
    entries.trash(db, purged.id)
    entries.empty_trash(db)
    b = entries.add(db, "Second day, added first.", day="2024-03-06", tags=["b"])
    a = entries.add(db, f"First *entry*\n\n![kite](attachment:{kit.sha256(kit.PNG)})", day="2024-03-05",
                    title="Kite", tags=["outdoors", "with-maya"], mood=5, starred=True)
    entries.update(db, a.id, metadata={"dayone": {"weather": {"temperatureCelsius": 11.5}}, "note": "é ☃"})
    gone = entries.add(db, "In the trash, but kept by a lossless export.", day="2024-03-07")
    entries.trash(db, gone.id)
    with db.write() as conn:
        attachment_store.insert(conn, a.id, kit.sha256(kit.PNG), "kite.png", "image/png", kit.PNG,
                                "2024-03-05T10:00:00+00:00")
        attachment_store.insert(conn, None, kit.sha256(kit.JPEG), "loose.jpg", "image/jpeg", kit.JPEG,
                                "2024-03-05T11:00:00+00:00")
        d1 = exchange.insert_digest(conn, digest_row("day", "2024-03-05", "2024-03-05", [a.id]))
        d2 = exchange.insert_digest(conn, digest_row("day", "2024-03-06", "2024-03-06", [b.id]))
        week = digest_row("week", "2024-03-04", "2024-03-10", [a.id, b.id], [d1, d2],
                          text=f"- A kite and a second day [#{a.id}, #{b.id}]")
        week["citations"] = json.dumps([{"entries": [a.id, b.id], "child_ids": [d1, d2], "score": 0.5}])
        exchange.insert_digest(conn, week)
    return a, b


def without_stamp(path):
    doc = json.loads(path.read_text())
    doc.pop("exported_at")
    return doc


def do_import(db, path):
    return importer.apply(db, importer.plan(db, json_export.read(path)))


def test_export_import_export_is_identical(db, tmp_path, kit):
    a, b = rich_journal(db, kit)
    first = tmp_path / "first.json"
    assert json_export.write(db, first) == {"entries": 3, "attachments": 2, "digests": 3}
    doc = json.loads(first.read_text())
    assert doc["format"] == "lucy-journal" and doc["version"] == 1
    week = doc["digests"][-1]
    assert week["entries"] == [a.uid, b.uid] and week["children"] == ["day:2024-03-05", "day:2024-03-06"]
    assert week["text"] == "- A kite and a second day [#@1, #@2]" and week["cited"] == [a.uid, b.uid]
    assert week["citations"] == [{"entries@uid": [a.uid, b.uid],
                                  "child_ids@digest": ["day:2024-03-05", "day:2024-03-06"], "score": 0.5}]

    with Journal.open(tmp_path / "other.db") as other:
        # ids in the new journal differ from the old one's
        entries.add(other.db, "pre-existing, then purged", day="2020-01-01")
        entries.trash(other.db, 1)
        entries.empty_trash(other.db)
        summary = do_import(other.db, first)
        assert summary == {"added": 3, "updated": 0, "skipped": 0, "attachments": 2, "digests": 3}
        second = tmp_path / "second.json"
        json_export.write(other.db, second)
        assert without_stamp(second) == without_stamp(first)

        got = {e.uid: e for e in entries.list_entries(other.db)}
        with other.db.read() as conn:
            rows = {(d["level"], d["period_start"]): d for d in exchange.digest_rows(conn)}
        new_a, new_b = got[a.uid], got[b.uid]
        assert (new_a.id, new_b.id) != (a.id, b.id)
        stored_week = rows[("week", "2024-03-04")]
        assert json.loads(stored_week["entry_ids"]) == [new_a.id, new_b.id]
        assert stored_week["text"] == f"- A kite and a second day [#{new_a.id}, #{new_b.id}]"
        assert json.loads(stored_week["child_ids"]) == [rows[("day", "2024-03-05")]["id"], rows[("day", "2024-03-06")]["id"]]
        assert json.loads(stored_week["citations"])[0]["entries"] == [new_a.id, new_b.id]
        assert stored_week["source_seq"] > 0  # as fresh as its entries
        assert entries.count(other.db, trashed=True) == 1

        assert do_import(other.db, first) == {"added": 0, "updated": 0, "skipped": 3, "digests": 0}


def test_import_into_the_same_journal_changes_nothing(db, tmp_path, kit):
    rich_journal(db, kit)
    path = tmp_path / "x.json"
    json_export.write(db, path)
    before = kit.fingerprint(db)
    summary = importer.plan(db, json_export.read(path)).summary()
    assert (summary["added"], summary["updated"], summary["skipped"], summary["digests"]) == (0, 0, 3, 0)
    do_import(db, path)
    assert kit.fingerprint(db) == before


def _mutate(path, change):
    doc = json.loads(path.read_text())
    change(doc)
    path.write_text(json.dumps(doc))


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: d.update(format="something"), "not a Lucy JSON export"),
        (lambda d: d.update(version=99), "written by a newer Lucy"),
        (lambda d: d["entries"][1].pop("day"), r"entry 2 \(uid .*\): missing or invalid \"day\""),
        (lambda d: d["entries"][0].update(day="2024-02-30"), r"entry 1 .*Invalid date"),
        (lambda d: d["entries"][0]["attachments"][0].update(data="!!!"), r"attachment 1: \"data\" is not valid base64"),
        (lambda d: d["entries"][0]["attachments"][0].update(data=base64.b64encode(b"other").decode()),
         "does not match its sha256"),
        (lambda d: d["digests"][0].update(entries=["nobody"]), r"digest 1: cites 'nobody'"),
        (lambda d: d["digests"][0].update(level="decade"), r"digest 1: invalid level"),
        (lambda d: d["entries"].append(dict(d["entries"][0])), r"entry 4 .*the uid is used twice"),
    ],
)
def test_a_damaged_export_is_refused_and_changes_nothing(db, tmp_path, kit, change, message):
    rich_journal(db, kit)
    path = tmp_path / "x.json"
    json_export.write(db, path)
    _mutate(path, change)
    with Journal.open(tmp_path / "target.db") as target:
        entries.add(target.db, "already here", day="2024-01-01")
        before = kit.fingerprint(target.db)
        with pytest.raises(errors.ImportFailed, match=message):
            do_import(target.db, path)
        assert kit.fingerprint(target.db) == before


FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
scalars = st.none() | st.booleans() | st.integers(-5, 5) | st.text(max_size=12) | st.sampled_from(
    ["2024-03-05", "2024-03-05T10:00:00+00:00", "day", "llm", "aGk="])
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
                      max_leaves=10)
entry_keys = st.sampled_from(["uid", "day", "created_at", "updated_at", "body", "title", "tags", "mood", "starred",
                              "metadata", "deleted_at", "attachments", "source"])
docs = st.fixed_dictionaries({
    "format": st.just("lucy-journal"), "version": st.just(1),
    "entries": st.lists(st.dictionaries(entry_keys, values), max_size=3),
    "digests": st.lists(st.dictionaries(st.sampled_from(["level", "period_start", "period_end", "text", "writer",
                                                         "entries", "children", "citations", "cited"]), values),
                        max_size=2),
}) | values


@FUZZ
@given(doc=docs)
def test_fuzz_any_json_gives_an_import_or_import_failed(db, tmp_path, doc):
    path = tmp_path / "fuzz.json"
    path.write_text(json.dumps(doc))
    try:
        do_import(db, path)
    except errors.ImportFailed:
        pass
