"""`lucy import dayone|jrnl|markdown|json`, `lucy export markdown|json`, `lucy backup|restore`."""

from __future__ import annotations

import json
import zipfile

#: A real 1×1 PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63fccfc0"
    "f01f00050502005fc8f1d20000000049454e44ae426082"
)


def dayone_zip(path, *, bad_entry: bool = False):
    import hashlib

    md5 = hashlib.md5(PNG).hexdigest()
    entries = [
        {"uuid": "AAAA", "creationDate": "2024-03-05T14:30:00Z", "timeZone": "Asia/Tokyo",
         "text": "# Tokyo night\n\nRamen at 23:30\\.\n\n![](dayone-moment://P1)", "tags": ["food"],
         "photos": [{"identifier": "P1", "md5": md5, "type": "png"}]},
        {"uuid": "BBBB", "creationDate": "2024-03-06T01:00:00Z", "timeZone": "America/New_York",
         "text": "Evening in New York."},
    ]
    if bad_entry:
        entries.append({"uuid": "CCCC", "text": "no date"})
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("Journal.json", json.dumps({"metadata": {"version": "1.0"}, "entries": entries}))
        z.writestr(f"photos/{md5}.png", PNG)
    return path


def test_import_dayone_dry_run_then_import_then_again(run_cli, tmp_path):
    path = dayone_zip(tmp_path / "export.zip")
    r = run_cli("import", "dayone", str(path), "--dry-run")
    assert r.exit_code == 0 and "Would add 2, update 0, skip 0" in r.output and "Nothing was changed" in r.output
    assert "No entries" in run_cli("list").output
    r = run_cli("import", "dayone", str(path))
    assert r.exit_code == 0 and "Added 2, updated 0, skipped 0" in r.output and "With 1 attachments." in r.output
    listed = run_cli("list").output
    assert "2024-03-05  Tokyo night" in listed and "2024-03-05  Evening in New York." in listed
    assert "Added 0, updated 0, skipped 2" in run_cli("import", "dayone", str(path)).output


def test_a_malformed_export_is_one_line_and_changes_nothing(run_cli, tmp_path):
    r = run_cli("import", "dayone", str(dayone_zip(tmp_path / "bad.zip", bad_entry=True)))
    assert r.exit_code == 2
    assert r.output.strip().splitlines() == [
        'Error: Journal.json: entry 3 (uuid CCCC): missing "creationDate"'
    ]
    assert "No entries" in run_cli("list").output
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as z:
        z.writestr("Journal.json", "{}")
        z.writestr("../../evil.sh", "rm -rf ~")
    r = run_cli("import", "dayone", str(evil))
    assert r.exit_code == 2 and "refused: '../../evil.sh'" in r.output and "Traceback" not in r.output


def test_import_jrnl_and_markdown(run_cli, tmp_path):
    journal = tmp_path / "journal.txt"
    journal.write_text("[2024-03-05 09:00] Coffee with @maya.\nGood talk.\n\n[2024-03-06 10:00] Rain *\n")
    assert "Added 2" in run_cli("import", "jrnl", str(journal)).output
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "2024-03-07 Thursday.md").write_text("Garden day #allotment")
    (notes / "photo.png").write_bytes(PNG)
    (notes / "todo.txt").write_text("ignored")
    r = run_cli("import", "markdown", str(notes))
    assert r.exit_code == 0 and "Added 1" in r.output
    assert "#allotment" in run_cli("list", "--tag", "allotment").output
    (notes / "ideas.md").write_text("no date here")
    r = run_cli("import", "markdown", str(notes))
    assert r.exit_code == 2 and "ideas.md: no date" in r.output


def test_export_json_then_import_into_another_journal(run_cli, tmp_path):
    run_cli("import", "dayone", str(dayone_zip(tmp_path / "export.zip")))
    out = tmp_path / "all.json"
    r = run_cli("export", "json", str(out))
    assert r.exit_code == 0 and "Exported 2 entries, 1 attachments and 0 digests" in r.output
    other = tmp_path / "other.db"
    r = run_cli("import", "json", str(out), db=other)
    assert r.exit_code == 0 and "Added 2" in r.output
    again = tmp_path / "again.json"
    run_cli("export", "json", str(again), db=other)
    strip = lambda p: {k: v for k, v in json.loads(p.read_text()).items() if k != "exported_at"}  # noqa: E731
    assert strip(again) == strip(out)


def test_export_markdown_refuses_a_foreign_folder(run_cli, tmp_path):
    run_cli("add", "Hello", "--date", "2024-03-05", "--title", "Hi")
    out = tmp_path / "md"
    r = run_cli("export", "markdown", str(out))
    assert r.exit_code == 0 and (out / "2024-03-05-hi.md").exists()
    assert run_cli("export", "markdown", str(out)).exit_code == 0  # a previous export: replaced
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "thesis.docx").write_text("x")
    r = run_cli("export", "markdown", str(foreign))
    assert r.exit_code == 2 and "not a previous Lucy export" in r.output


def test_backup_and_restore(run_cli, tmp_path, journal_path):
    run_cli("add", "Before the backup", "--date", "2024-03-05")
    saved = tmp_path / "saved.db"
    r = run_cli("backup", str(saved))
    assert r.exit_code == 0 and f"Backed up to {saved}" in r.output
    run_cli("add", "After the backup", "--date", "2024-03-06")
    r = run_cli("restore", str(saved), "--yes")
    assert r.exit_code == 0, r.output
    assert "The journal you had is kept as" in r.output and "Restored 1 entries" in r.output
    listed = run_cli("list").output
    assert "Before the backup" in listed and "After the backup" not in listed
    assert any(p.name.startswith("journal.replaced-") for p in journal_path.parent.iterdir())
    r = run_cli("restore", str(tmp_path / "missing.db"), "--yes")
    assert r.exit_code == 1 and "No backup at" in r.output


def test_restore_asks_first(run_cli, tmp_path):
    run_cli("add", "x", "--date", "2024-03-05")
    saved = tmp_path / "saved.db"
    run_cli("backup", str(saved))
    r = run_cli("restore", str(saved), input="n\n")
    assert r.exit_code == 1 and "1 entries, last 2024-03-05" in r.output


def test_bench_import(run_cli):
    r = run_cli("bench", "import", "--entries", "20", "--json")
    assert r.exit_code == 0, r.output
    result = json.loads(r.output.strip().splitlines()[-1])
    assert result["added"] == 20 and result["reimport_skipped"] == 20 and result["import_entries_per_s"] > 0


def test_an_export_to_a_folder_that_cannot_be_written_is_a_clear_error(run_cli, tmp_path):
    run_cli("add", "something", "--date", "2024-01-01")
    for args in (("export", "json", str(tmp_path / "missing" / "out.json")),
                 ("export", "jsonl", "-o", str(tmp_path / "missing" / "out.jsonl"))):
        r = run_cli(*args)
        assert r.exit_code == 1 and "Cannot write" in r.output and "Traceback" not in r.output
