"""Encryption at rest (SQLite3 Multiple Ciphers): what works on a keyed journal, and what never
reaches the disk in plain text — the journal, its WAL, its backups, the passphrase itself."""

from __future__ import annotations

import random
import struct
from datetime import date
from pathlib import Path

import apsw
import pytest

from lucy_app.core import backup, encryption, entries, errors, paths, search
from lucy_app.core.bench import sample_diary
from lucy_app.core.digests import scheduler
from lucy_app.core.journal import Journal
from lucy_app.core.settings import Settings
from lucy_app.core.storage import maintenance
from lucy_app.core.storage.db import Database

PASSPHRASE = "correct horse battery staple"
MARKER = "Zanzibarquokka"  # a word that appears in no generated entry


def _files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


def _leaks(folder: Path, needle: str) -> list[str]:
    """Files under ``folder`` holding ``needle`` (UTF-8 or UTF-16, as SQLite could store it)."""
    forms = [needle.encode(), needle.encode("utf-16-le"), needle.encode("utf-16-be")]
    return [str(p) for p in _files(folder) if any(f in p.read_bytes() for f in forms)]


@pytest.fixture
def encrypted(tmp_path, fill):
    """A 120-day journal with a marker entry, encrypted; yields its path."""
    path = tmp_path / "journal" / "journal.db"
    with Journal.open(path) as j:
        fill(j.db, 120, end=date(2024, 6, 30))
        entries.add(j.db, f"We met {MARKER} at the harbour.", day="2024-06-30", title="Harbour")
    assert _leaks(path.parent, MARKER)  # plain before
    encryption.encrypt(path, PASSPHRASE)
    return path


def test_an_encrypted_journal_holds_no_plain_text_open_closed_or_backed_up(encrypted):
    folder = encrypted.parent
    assert encryption.is_encrypted(encrypted)
    assert _leaks(folder, MARKER) == []
    with Journal.open(encrypted, passphrase=PASSPHRASE) as j:
        assert j.db.encrypted
        # written while open: they sit in the WAL until a checkpoint
        for i in range(30):
            entries.add(j.db, f"{MARKER} again, note {i}, by the lighthouse.", day="2024-07-01")
        assert Path(str(encrypted) + "-wal").stat().st_size > 0
        assert _leaks(folder, MARKER) == [], "plain text in the journal, -wal or -shm while open"
        hits = search.keyword_search(j.db, MARKER, limit=50)
        assert len(hits) == 31
        made = backup.backup(j.db, folder / "manual-backup.db")
        rolling = backup.rolling_backup(j, keep=2)
        assert backup.rolling_backup(j, keep=2) == rolling  # unchanged: read with the key, not copied again
    assert rolling is not None and rolling.parent == paths.backups_dir(encrypted)
    assert _leaks(folder, MARKER) == [], "plain text after close"
    for copy in (made, rolling):
        assert encryption.is_encrypted(copy)
        assert _leaks(copy.parent, MARKER) == []
        with pytest.raises(errors.JournalEncrypted):
            Database(copy, readonly=True)
        with Database(copy, readonly=True, passphrase=PASSPHRASE) as db, db.read() as conn:
            assert maintenance.integrity_problems(conn) == []
        assert entries.count(Journal.open(copy, passphrase=PASSPHRASE).db) == 120 + 31


def test_a_wrong_or_missing_passphrase_is_a_clear_error_and_changes_nothing(encrypted):
    before = encrypted.read_bytes()
    with pytest.raises(errors.WrongPassphrase):
        Journal.open(encrypted, passphrase="not the passphrase")
    with pytest.raises(errors.JournalEncrypted, match="encrypted"):
        Journal.open(encrypted)
    with pytest.raises(errors.JournalEncrypted):
        Journal.open(encrypted, readonly=True)
    assert encrypted.read_bytes() == before


def test_full_text_search_on_a_keyed_journal_survives_merges_and_optimize(tmp_path):
    """SQLite3MultipleCiphers issue #208 reported FTS5 trouble on encrypted databases: a few
    thousand entries (several FTS segments), automerge, 'merge' and 'optimize' must work."""
    path = tmp_path / "big.db"
    with Journal.open(path) as j:
        j.db.conn.execute("PRAGMA page_size = 4096")
    encryption.encrypt(path, PASSPHRASE)
    with Journal.open(path, passphrase=PASSPHRASE) as j:
        db = j.db
        samples = list(sample_diary.generate(1200, end=date(2024, 6, 30)))
        for n, s in enumerate(samples):  # one transaction per entry, as the app writes
            entries.add(db, s.body + (f" {MARKER}" if n % 97 == 0 else ""), day=s.day, title=s.title,
                        tags=s.tags)
        want = sum(1 for n in range(len(samples)) if n % 97 == 0)
        assert len(search.keyword_search(db, MARKER, limit=500)) == want
        for command in ("INSERT INTO entries_fts(entries_fts, rank) VALUES ('merge', 500)",
                        "INSERT INTO entries_fts(entries_fts) VALUES ('optimize')",
                        "INSERT INTO entries_fts(entries_fts) VALUES ('integrity-check')"):
            with db.write() as conn:
                conn.execute(command)
        assert len(search.keyword_search(db, MARKER, limit=500)) == want
        common = search.keyword_search(db, "walk", limit=1000)
        assert len(common) > 50
        # edits and deletes rewrite FTS rows on the keyed pages
        for hit in common[:100]:
            entries.update(db, hit.entry_id, body=f"rewritten {MARKER} {hit.entry_id}")
        with_marker = sum(1 for e in entries.list_entries(db) if MARKER in e.body)
        assert with_marker > want
        assert len(search.keyword_search(db, MARKER, limit=1000)) == with_marker
        with db.read() as conn:
            assert maintenance.integrity_problems(conn) == []
        # the extractive digests read the FTS index (document frequencies) on every sentence
        stats = scheduler.run(db, settings=Settings(), today=date(2024, 7, 1), since=date(2024, 1, 1))
        assert stats.written.get("day", 0) > 150
    assert _leaks(tmp_path, MARKER) == []


def test_sqlite_vec_knn_works_on_a_keyed_journal(encrypted):
    rng = random.Random(3)
    vectors = {i: [rng.uniform(-1, 1) for _ in range(384)] for i in range(1, 801)}
    with Journal.open(encrypted, passphrase=PASSPHRASE) as j, j.db.write() as conn:
        conn.execute("CREATE VIRTUAL TABLE knn_probe USING vec0(embedding float[384])")
        for i, v in vectors.items():
            conn.execute("INSERT INTO knn_probe(rowid, embedding) VALUES (?, ?)", (i, struct.pack("384f", *v)))
    with Journal.open(encrypted, passphrase=PASSPHRASE) as j, j.db.read() as conn:
        query = [x + 0.01 for x in vectors[123]]
        found = conn.execute("SELECT rowid, distance FROM knn_probe WHERE embedding MATCH ? AND k = 5 "
                             "ORDER BY distance", (struct.pack("384f", *query),)).fetchall()
        assert found[0][0] == 123
        assert len(found) == 5
        assert maintenance.integrity_problems(conn) == []


def test_restoring_an_encrypted_backup_needs_the_passphrase_and_stays_encrypted(encrypted, tmp_path):
    with Journal.open(encrypted, passphrase=PASSPHRASE) as j:
        saved = backup.backup(j.db, tmp_path / "saved.db")
    with pytest.raises(errors.JournalEncrypted):
        backup.check_backup(saved)
    with pytest.raises(errors.WrongPassphrase):
        backup.check_backup(saved, "wrong passphrase!")
    assert backup.check_backup(saved, PASSPHRASE)["entries"] == 121
    target = tmp_path / "elsewhere" / "journal.db"
    done = backup.restore(saved, target, PASSPHRASE)
    assert done.entries == 121 and encryption.is_encrypted(target)
    with Journal.open(target, passphrase=PASSPHRASE) as j:
        assert entries.count(j.db) == 121
    # replacing an encrypted journal that is open elsewhere is refused, as for a plain one
    with Journal.open(encrypted, passphrase=PASSPHRASE):
        with pytest.raises(errors.JournalBusy):
            backup.restore(saved, encrypted, PASSPHRASE)
    done = backup.restore(saved, encrypted, PASSPHRASE)
    assert done.replaced is not None and encryption.is_encrypted(done.replaced)


def test_decrypting_gives_back_a_plain_journal(encrypted):
    with pytest.raises(errors.WrongPassphrase):
        encryption.decrypt(encrypted, "wrong passphrase!")
    assert encryption.decrypt(encrypted, PASSPHRASE) == 121
    assert not encryption.is_encrypted(encrypted)
    with Journal.open(encrypted) as j:
        assert len(search.keyword_search(j.db, MARKER)) == 1


def test_the_cli_encrypts_uses_and_decrypts_and_never_writes_the_passphrase(run_cli, journal_path, tmp_path):
    env = {"LUCY_PASSPHRASE": PASSPHRASE}
    assert run_cli("add", f"{MARKER} at the market", "--date", "2024-03-05").exit_code == 0
    assert run_cli("settings", "backups_keep", "3").exit_code == 0
    result = run_cli("encrypt", env=env)
    assert result.exit_code == 0, result.output
    assert encryption.is_encrypted(journal_path)
    assert run_cli("list").exit_code != 0  # no passphrase, no terminal: a clear error
    for args in (("add", "a second entry", "--date", "2024-03-06"), ("digest", "run", "--extractive"),
                 ("brief", "--date", "2024-03-07"), ("backup", str(tmp_path / "b.db")), ("doctor",)):
        result = run_cli(*args, env=env)
        assert result.exit_code == 0, (args, result.output)
        assert PASSPHRASE not in result.output
    assert MARKER in run_cli("search", MARKER, env=env).output
    wrong = run_cli("list", env={"LUCY_PASSPHRASE": "wrong passphrase!"})
    assert wrong.exit_code != 0 and "Wrong passphrase" in wrong.output
    assert "wrong passphrase!" not in wrong.output
    # the journal's folder (journal, WAL, backups), the log folder and the data folder
    for folder in (journal_path.parent, paths.log_dir().parent, paths.data_dir().parent):
        if folder.exists():
            assert _leaks(folder, PASSPHRASE) == []
            assert _leaks(folder, MARKER) == []
    result = run_cli("decrypt", env=env)
    assert result.exit_code == 0, result.output
    assert not encryption.is_encrypted(journal_path)
    assert MARKER in run_cli("search", MARKER).output


def test_an_encrypted_journal_is_one_keyed_sqlite_file_to_apsw(encrypted):
    """What a program without the key sees: no SQLite header, 'not a database'."""
    assert not encrypted.read_bytes()[:16].startswith(b"SQLite format 3")
    conn = apsw.Connection(str(encrypted), flags=apsw.SQLITE_OPEN_READONLY)
    with pytest.raises(apsw.NotADBError):
        conn.execute("SELECT count(*) FROM sqlite_schema").fetchall()
    conn.close()


def test_encrypting_a_journal_another_program_has_open_is_refused_and_leaves_no_copy(tmp_path):
    from lucy_app.core import encryption, entries, errors
    from lucy_app.core.storage.db import Database

    path = tmp_path / "open.db"
    other = Database(path)  # the app, say
    entries.add(other, "A secret about the garden.", day="2024-05-01")
    try:
        with pytest.raises(errors.JournalBusy):
            encryption.encrypt(path, "correct horse battery")
    finally:
        other.close()
    assert sorted(p.name for p in tmp_path.iterdir() if "tmp" in p.name) == []
    assert not encryption.is_encrypted(path)
