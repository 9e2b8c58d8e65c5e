"""Opening a damaged journal: a clear error naming the newest backup, and the file untouched."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from lucy_app.core import backup, entries, errors
from lucy_app.core.journal import Journal


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def backed_up(journal_path, fill):
    """A journal with a year of entries and one automatic backup, closed and checkpointed."""
    with Journal.open(journal_path) as j:
        fill(j.db, 120)
        made = backup.rolling_backup(j)
        j.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    return journal_path, made


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])


def _garbage_header(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xa5" * (4096 - 100)  # page 1 after the header: the schema
    path.write_bytes(bytes(data))


def _zeroed_start(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[:4096] = b"\x00" * 4096
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", [_truncate, _garbage_header, _zeroed_start], ids=lambda f: f.__name__)
def test_a_damaged_journal_is_refused_untouched_and_the_error_offers_the_latest_backup(backed_up, damage):
    path, made = backed_up
    damage(path)
    before = _digest(path)
    with pytest.raises((errors.JournalCorrupt, errors.NotAJournal)) as exc:
        Journal.open(path)
    assert f"lucy --db {path} restore {made}" in exc.value.hint or f"lucy restore {made}" in exc.value.hint
    assert "not changed" in exc.value.hint
    assert _digest(path) == before
    assert not Path(str(path) + "-wal").exists() or Path(str(path) + "-wal").stat().st_size == 0
    done = backup.restore(made, path)  # and the hint's command works
    assert done.entries > 100


def test_the_cli_names_the_backup_for_a_damaged_journal(backed_up, run_cli):
    path, made = backed_up
    _truncate(path)
    result = run_cli("list")
    assert result.exit_code == 1
    assert "truncated" in result.output and f"restore {made}" in result.output


def test_a_page_damaged_later_is_reported_with_the_backup_when_it_is_read(backed_up, run_cli):
    """Damage past the schema is found when the page is read (`lucy doctor` checks every page)."""
    path, made = backed_up
    data = bytearray(path.read_bytes())
    start = len(data) // 2 // 4096 * 4096
    data[start:start + 4 * 4096] = b"\x5a" * (4 * 4096)
    path.write_bytes(bytes(data))
    result = run_cli("doctor")
    assert result.exit_code != 0
    result = run_cli("export", "json", str(path.parent / "out.json"))
    assert result.exit_code == 1 and "damaged" in result.output and f"restore {made}" in result.output


def test_without_a_backup_the_hint_says_how_to_restore_one(journal_path):
    with Journal.open(journal_path) as j:
        entries.add(j.db, "one entry", day="2024-03-05")
    _garbage_header(journal_path)
    with pytest.raises(errors.JournalCorrupt) as exc:
        Journal.open(journal_path)
    assert "lucy --db" in exc.value.hint and "restore FILE" in exc.value.hint
