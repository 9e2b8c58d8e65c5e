"""File → Import in the app: plan, confirm, import on the writer, then the diary shows it."""

from __future__ import annotations

import json

from lucy_app.core import entries


def write_jsonl(path, rows):
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return path


def test_importing_a_file_adds_its_entries_and_a_second_import_adds_nothing(qtbot, open_window, tmp_path, reopen):
    window = open_window()
    src = write_jsonl(tmp_path / "old-diary.jsonl", [
        {"date": "2019-04-12", "title": "Lisbon", "body": "Tram 28 up to Alfama, then pastéis de nata.", "id": "l1"},
        {"date": "2019-04-13", "body": "Rain in Lisbon; the tile museum.", "id": "l2"},
    ])
    asked = []
    window.import_flow.confirm = lambda title, text: asked.append((title, text)) or True
    with qtbot.waitSignal(window.import_flow.imported, timeout=10_000) as done:
        window.import_flow.start("jsonl", src)
    assert done.args[0]["added"] == 2
    assert asked[0][0] == "Import old-diary.jsonl?" and asked[0][1].startswith("2 new entries, 0 updated")
    assert "2 new" in window.statusBar().currentMessage()
    assert [e.title for e in entries.list_entries(reopen().db)] == ["Lisbon", None]
    with qtbot.waitSignal(window.import_flow.imported, timeout=10_000) as again:
        window.import_flow.start("jsonl", src)
    assert again.args[0] == {"added": 0, "updated": 0, "skipped": 2} or again.args[0]["added"] == 0
    assert entries.count(reopen().db) == 2


def test_a_malformed_file_is_named_and_changes_nothing(qtbot, open_window, tmp_path, reopen):
    window = open_window(days=3)
    bad = tmp_path / "broken.jsonl"
    bad.write_text('{"date": "2019-04-12", "body": "fine"}\n{"date": "2019-04-13", "body": \n')
    window.import_flow.confirm = lambda title, text: True
    with qtbot.waitSignal(window.import_flow.problem, timeout=10_000) as failed:
        window.import_flow.start("jsonl", bad)
    assert "broken.jsonl:2: not valid JSON" in str(failed.args[0])
    qtbot.waitUntil(lambda: "broken.jsonl:2" in window.notice.text)
    assert entries.count(reopen().db) == 3


def test_the_import_menu_lists_every_format(open_window):
    window = open_window()
    labels = [a.text() for a in window.import_button.menu().actions()]
    assert labels == ["Day One export…", "jrnl journal…", "Folder of Markdown files…", "Lucy JSON export…",
                      "JSON Lines…"]
    assert window.import_button.accessibleName() == "Import entries"


def test_opening_the_app_keeps_a_rolling_backup(qtbot, open_window, journal_path):
    from lucy_app.core import backup

    window = open_window(days=2)
    qtbot.waitUntil(lambda: backup.latest_backup(journal_path) is not None, timeout=10_000)
    assert window.tasks.flush()
    assert len(backup.backups(journal_path)) == 1
