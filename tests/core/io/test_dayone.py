"""`lucy import dayone`: Day One JSON exports (zip with photos, or bare JSON)."""

from __future__ import annotations

import json
import stat
import zipfile
from datetime import timedelta
from zoneinfo import ZoneInfoNotFoundError

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lucy_app.core import entries, errors
from lucy_app.core.io import dayone, importer, sources
from lucy_app.core.storage import attachments as attachment_store

TOKYO = "A1B2C3D4E5F60718293A4B5C6D7E8F90"
NEW_YORK_EARLY = "0F1E2D3C4B5A69788796A5B4C3D2E1F0"
NEW_YORK_LATE = "11112222333344445555666677778888"
PHOTO = "AD6F2A6EC10C41AEA35E94BAD169936D"
GONE = "99999999999999999999999999999999"


def realistic_export(kit, tmp_path, *, with_photo=True):
    jpeg = kit.JPEG
    entries_ = [
        kit.dayone_entry(
            TOKYO, "2024-03-05T14:30:00Z", "Asia/Tokyo",
            "# Kite day\n\nFlew a kite by the river\\. It was well\\-known \\*windy\\* \\(very\\)\\!\n\n"
            f"![](dayone-moment://{PHOTO})\n\n1\\. not a list\n\n`keep\\.this`",
            tags=["Outdoors", "Big Trip"], starred=True,
            location={"localityName": "Tokyo", "country": "Japan", "latitude": 35.68, "longitude": 139.69,
                      "placeName": "Sumida River"},
            weather={"conditionsDescription": "Windy", "temperatureCelsius": 11.5},
            creationDevice="Maya's iPhone", editingTime=123.4,
            photos=[{"identifier": PHOTO, "md5": kit.md5(jpeg), "type": "jpeg", "width": 2, "height": 2,
                     "orderInEntry": 0},
                    {"identifier": GONE, "md5": "0" * 32, "type": "jpeg"}],
        ),
        # 00:30 local in New York is 05:30Z the same day
        kit.dayone_entry(NEW_YORK_EARLY, "2024-03-05T05:30:00Z", "America/New_York",
                         "Couldn't sleep; wrote this after midnight.", tags=["night"]),
        # 20:00 local in New York is already the next day in UTC
        kit.dayone_entry(NEW_YORK_LATE, "2024-03-06T01:00:00Z", "America/New_York",
                         f"Evening walk.\n\n![](dayone-moment://{GONE})"),
    ]
    files = {f"photos/{kit.md5(jpeg)}.jpeg": jpeg} if with_photo else {}
    return kit.write_dayone_zip(tmp_path / "export.zip", entries_, files)


def do_import(db, path):
    return importer.apply(db, importer.plan(db, dayone.read(path)))


def by_uid(db):
    return {e.uid: e for e in entries.list_entries(db)}


def test_a_day_one_zip_comes_in_with_days_tags_photos_and_metadata(db, tmp_path, kit):
    summary = do_import(db, realistic_export(kit, tmp_path))
    assert summary == {"added": 3, "updated": 0, "skipped": 0, "attachments": 1}
    got = by_uid(db)
    kite = got[f"dayone:{TOKYO}"]
    assert kite.day.isoformat() == "2024-03-05"  # 23:30 in Tokyo
    assert (kite.created_at.hour, kite.created_at.minute) == (23, 30)
    assert kite.created_at.utcoffset() == timedelta(hours=9)
    assert kite.title == "Kite day" and kite.starred and kite.tags == ("big-trip", "outdoors")
    assert "Flew a kite by the river. It was well-known \\*windy\\* (very)!" in kite.body
    assert "1\\. not a list" in kite.body and "`keep\\.this`" in kite.body
    sha = kit.sha256(kit.JPEG)
    assert f"![](attachment:{sha})" in kite.body and "dayone-moment" not in kite.body
    with db.read() as conn:
        stored = attachment_store.for_entry(conn, kite.id, with_data=True)
    assert [(r["sha256"], r["mime"], bytes(r["data"])) for r in stored] == [(sha, "image/jpeg", kit.JPEG)]
    meta = kite.metadata["dayone"]
    assert meta["location"]["placeName"] == "Sumida River" and meta["weather"]["temperatureCelsius"] == 11.5
    assert meta["creationDevice"] == "Maya's iPhone" and meta["editingTime"] == 123.4
    assert "text" not in meta and "richText" not in meta
    assert kite.metadata["missing_attachments"] == [GONE]  # listed, but not in the zip

    early = got[f"dayone:{NEW_YORK_EARLY}"]
    assert early.day.isoformat() == "2024-03-05" and early.created_at.hour == 0
    late = got[f"dayone:{NEW_YORK_LATE}"]
    assert late.day.isoformat() == "2024-03-05"  # UTC says the 6th; New York says the 5th
    assert late.created_at.utcoffset() == timedelta(hours=-5)
    assert f"![](dayone-moment://{GONE})" in late.body  # kept as it was
    assert late.metadata["missing_attachments"] == [GONE]


def test_importing_the_same_export_again_adds_nothing(db, tmp_path, kit):
    path = realistic_export(kit, tmp_path)
    do_import(db, path)
    assert importer.plan(db, dayone.read(path)).summary() == {"added": 0, "updated": 0, "skipped": 3}
    assert do_import(db, path)["added"] == 0
    assert entries.count(db) == 3


def test_a_photo_that_arrives_later_updates_the_entry(db, tmp_path, kit):
    do_import(db, realistic_export(kit, tmp_path, with_photo=False))
    assert "dayone-moment" in by_uid(db)[f"dayone:{TOKYO}"].body
    summary = do_import(db, realistic_export(kit, tmp_path, with_photo=True))
    assert summary["updated"] == 1 and summary["attachments"] == 1
    assert "attachment:" in by_uid(db)[f"dayone:{TOKYO}"].body


def test_a_bare_json_export_finds_photos_beside_it(db, tmp_path, kit):
    folder = tmp_path / "unzipped"
    (folder / "photos").mkdir(parents=True)
    (folder / "photos" / f"{kit.md5(kit.PNG)}.png").write_bytes(kit.PNG)
    entry = kit.dayone_entry(TOKYO, "2024-03-05T14:30:00Z", "Asia/Tokyo", f"![](dayone-moment://{PHOTO})\n\nHi",
                             photos=[{"identifier": PHOTO, "md5": kit.md5(kit.PNG), "type": "png"}])
    (folder / "Journal.json").write_text(json.dumps({"metadata": {"version": "1.0"}, "entries": [entry]}))
    assert do_import(db, folder / "Journal.json")["attachments"] == 1
    assert by_uid(db)[f"dayone:{TOKYO}"].body.startswith(f"![](attachment:{kit.sha256(kit.PNG)})")


def test_photos_the_text_never_mentions_are_attached_at_the_end(db, tmp_path, kit):
    entry = kit.dayone_entry(TOKYO, "2024-03-05T14:30:00Z", "Asia/Tokyo", "Old-style entry",
                             photos=[{"identifier": PHOTO, "md5": kit.md5(kit.PNG), "type": "png"}])
    path = kit.write_dayone_zip(tmp_path / "e.zip", [entry], {f"photos/{kit.md5(kit.PNG)}.png": kit.PNG})
    do_import(db, path)
    assert by_uid(db)[f"dayone:{TOKYO}"].body == f"Old-style entry\n\n![](attachment:{kit.sha256(kit.PNG)})"


def test_an_unknown_time_zone_falls_back_to_utc_and_says_so(db, tmp_path, kit):
    entry = kit.dayone_entry(TOKYO, "2024-03-05T23:30:00Z", "Mars/Olympus_Mons", "Far away")
    path = kit.write_dayone_zip(tmp_path / "e.zip", [entry])
    do_import(db, path)
    got = by_uid(db)[f"dayone:{TOKYO}"]
    assert got.day.isoformat() == "2024-03-05" and got.created_at.utcoffset() == timedelta(0)
    assert "unknown time zone 'Mars/Olympus_Mons'" in got.metadata["lucy_notes"][0]


def test_offsets_written_as_gmt_plus_are_understood(tmp_path, kit):
    entry = kit.dayone_entry(TOKYO, "2024-03-05T23:30:00Z", "GMT+0100", "Offset zone")
    batch = dayone.read(kit.write_dayone_zip(tmp_path / "e.zip", [entry]))
    assert batch.items[0].draft.day.isoformat() == "2024-03-06"


def test_without_a_time_zone_database_the_error_says_what_to_install(db, tmp_path, kit, monkeypatch):
    def no_zones(name):
        raise ZoneInfoNotFoundError(name)

    monkeypatch.setattr(dayone, "ZoneInfo", no_zones)
    path = kit.write_dayone_zip(tmp_path / "e.zip", [kit.dayone_entry(TOKYO, "2024-03-05T14:30:00Z", "Asia/Tokyo", "x")])
    with pytest.raises(errors.ImportFailed, match="no time zone database") as caught:
        dayone.read(path)
    assert "tzdata" in caught.value.user_text()


def test_an_empty_entry_is_reported_not_imported(tmp_path, kit):
    path = kit.write_dayone_zip(tmp_path / "e.zip", [
        kit.dayone_entry(TOKYO, "2024-03-05T14:30:00Z", "Asia/Tokyo", "Something"),
        kit.dayone_entry(PHOTO, "2024-03-05T14:30:00Z", "Asia/Tokyo", "   "),
    ])
    batch = dayone.read(path)
    assert len(batch.items) == 1
    assert batch.notes == [f"Journal.json: entry 2 (uuid {PHOTO}): empty (no text, no media), not imported"]


def test_unescaping_keeps_what_matters():
    assert dayone.unescape("A sentence\\. Another \\- and \\(this\\)\\!") == "A sentence. Another - and (this)!"
    assert dayone.unescape("\\# not a heading\n\\- not a bullet\n2\\. not a list") == \
        "\\# not a heading\n\\- not a bullet\n2\\. not a list"
    assert dayone.unescape("\\*literal\\* \\_x\\_ \\[y\\] a\\\\.b") == "\\*literal\\* \\_x\\_ \\[y\\] a\\\\.b"
    assert dayone.unescape("```\nregex a\\.b\n```\nc\\.d `e\\.f`") == "```\nregex a\\.b\n```\nc.d `e\\.f`"


# --- malformed input: a clear error, and nothing changes ------------------------------------


def _symlink_zip(path):
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("Journal.json", json.dumps({"entries": []}))
        info = zipfile.ZipInfo("photos/link.jpeg")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        z.writestr(info, "/etc/passwd")
    return path


def _member_zip(name):
    def build(path):
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("Journal.json", json.dumps({"entries": []}))
            z.writestr(name, b"evil")
        return path
    return build


MALFORMED = [
    ("bad json", lambda kit, p: kit.write_dayone_zip(p, [], raw_json=b'{"entries": [ {"uuid": '),
     r"Journal.json: not valid JSON \(.*line 1"),
    ("invalid utf-8", lambda kit, p: kit.write_dayone_zip(p, [], raw_json=b'{"entries": [{"text": "\xff\xfe"}]}'),
     r"Journal.json: not valid UTF-8 \(line 1"),
    ("not day one", lambda kit, p: kit.write_dayone_zip(p, [], raw_json=b'{"something": 1}'),
     r"Journal.json: not a Day One export"),
    ("missing date", lambda kit, p: kit.write_dayone_zip(p, [
        kit.dayone_entry("U1", "2024-01-01T10:00:00Z", "UTC", "fine"),
        {"uuid": "U2", "text": "no date"}]),
     r"Journal.json: entry 2 \(uuid U2\): missing \"creationDate\""),
    ("missing uuid", lambda kit, p: kit.write_dayone_zip(p, [{"creationDate": "2024-01-01T10:00:00Z", "text": "x"}]),
     r"Journal.json: entry 1: missing \"uuid\""),
    ("bad date", lambda kit, p: kit.write_dayone_zip(p, [kit.dayone_entry("U1", "yesterday", "UTC", "x")]),
     r"entry 1 \(uuid U1\): invalid \"creationDate\""),
    ("bad tags", lambda kit, p: kit.write_dayone_zip(p, [kit.dayone_entry("U1", "2024-01-01T10:00:00Z", "UTC", "x",
                                                                         tags="work")]),
     r"entry 1 \(uuid U1\): \"tags\" must be a list"),
    ("duplicate uuid", lambda kit, p: kit.write_dayone_zip(p, [kit.dayone_entry("U1", "2024-01-01T10:00:00Z", "UTC", "a"),
                                                               kit.dayone_entry("U1", "2024-01-02T10:00:00Z", "UTC", "b")]),
     r"entry 2 \(uuid U1\): the uuid is already used by Journal.json: entry 1"),
    ("path traversal", lambda kit, p: _member_zip("../evil.sh")(p), r"refused: '../evil.sh': a path that climbs out"),
    ("nested traversal", lambda kit, p: _member_zip("photos/../../evil")(p), r"refused: .*climbs out"),
    ("absolute path", lambda kit, p: _member_zip("/etc/cron.d/evil")(p), r"refused: '/etc/cron.d/evil': an absolute path"),
    ("windows path", lambda kit, p: _member_zip("C:\\evil.bat")(p), r"an absolute path"),
    ("symlink", lambda kit, p: _symlink_zip(p), r"refused: 'photos/link.jpeg': a symbolic link"),
    ("no journal", lambda kit, p: _only_photos(p), r"no journal in this archive"),
]


def _only_photos(path):
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("photos/a.jpeg", b"x")
    return path


@pytest.mark.parametrize("build, message", [m[1:] for m in MALFORMED], ids=[m[0] for m in MALFORMED])
def test_malformed_exports_name_the_problem_and_change_nothing(db, tmp_path, kit, build, message):
    do_import(db, realistic_export(kit, tmp_path))
    before = kit.fingerprint(db)
    bad = build(kit, tmp_path / "bad.zip")
    with pytest.raises(errors.ImportFailed, match=message):
        do_import(db, bad)
    assert kit.fingerprint(db) == before


def test_a_zip_bomb_is_refused_before_reading(db, tmp_path, kit, monkeypatch):
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("Journal.json", json.dumps({"entries": []}))
        z.writestr("photos/big.jpeg", b"\0" * 3_000_000)  # compresses to a few kB
    assert path.stat().st_size < 50_000
    monkeypatch.setattr(sources, "MAX_MEMBER_BYTES", 1_000_000)
    with pytest.raises(errors.ImportFailed, match=r"photos/big.jpeg.*at most 1000000 per file"):
        dayone.read(path)
    monkeypatch.setattr(sources, "MAX_MEMBER_BYTES", 10_000_000)
    monkeypatch.setattr(sources, "MAX_TOTAL_BYTES", 2_000_000)
    with pytest.raises(errors.ImportFailed, match="unpacks to more than 2000000 bytes"):
        dayone.read(path)


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(errors.ImportFailed, match="no such file"):
        dayone.read(tmp_path / "nope.zip")


# --- fuzz: arbitrary input never raises anything but ImportFailed -------------------------


FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=25,
)
entry_like = st.fixed_dictionaries(
    {},
    optional={
        "uuid": st.text(max_size=10) | st.integers(), "creationDate": st.text(max_size=25) | st.integers()
        | st.just("2024-03-05T14:30:00Z"), "timeZone": st.text(max_size=20) | st.just("Asia/Tokyo"),
        "text": st.text(max_size=80) | json_values, "tags": json_values | st.lists(st.text(max_size=70), max_size=3),
        "starred": json_values, "photos": json_values | st.lists(st.fixed_dictionaries(
            {"identifier": st.text(max_size=8)}, optional={"md5": st.text(max_size=8), "type": st.text(max_size=5)}),
            max_size=2),
        "modifiedDate": st.text(max_size=25), "location": json_values,
    },
)


def _only_import_failed(fn):
    try:
        fn()
    except errors.ImportFailed:
        pass


@FUZZ
@given(data=st.binary(max_size=300))
def test_fuzz_arbitrary_bytes(tmp_path, data):
    for name, prefix in (("a.json", b""), ("b.zip", b"PK\x03\x04")):
        path = tmp_path / name
        path.write_bytes(prefix + data)
        _only_import_failed(lambda p=path: dayone.read(p))


@FUZZ
@given(doc=json_values | st.fixed_dictionaries({"entries": st.lists(entry_like | json_values, max_size=4)}))
def test_fuzz_arbitrary_json_documents(db, tmp_path, doc):
    path = tmp_path / "Journal.json"
    path.write_text(json.dumps(doc))
    _only_import_failed(lambda: do_import(db, path))


def test_a_re_zipped_export_with_a_folder_on_top(db, tmp_path, kit):
    entry = kit.dayone_entry(TOKYO, "2024-03-05T14:30:00Z", "Asia/Tokyo", f"![](dayone-moment://{PHOTO})\n\nHi",
                             photos=[{"identifier": PHOTO, "md5": kit.md5(kit.PNG), "type": "png"}])
    path = tmp_path / "rezipped.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("Export/Journal.json", json.dumps({"entries": [entry]}))
        z.writestr(f"Export/photos/{kit.md5(kit.PNG)}.png", kit.PNG)
        z.writestr("__MACOSX/Export/._Journal.json", b"\0\5\26\7")
    assert do_import(db, path)["attachments"] == 1
