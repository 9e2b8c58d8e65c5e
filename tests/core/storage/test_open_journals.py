"""A running journal keeps SQLite's locks, whatever else the process opens.

POSIX locks belong to the process and go when any descriptor of the file is closed. A
process that lost them looks like no process at all: the next `lucy` checkpoints and
deletes the journal's -wal while the app still writes into it, and entries shown as saved
vanish at the next crash. Every path that opens a connection, reads a file the user chose,
or writes a copy must leave the locks in place.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from lucy_app.core import backup, doctor, encryption, entries, errors, model_files
from lucy_app.core.io import json_export, jsonl, markdown, sources
from lucy_app.core.journal import Journal
from lucy_app.core.storage.db import Database
from tests.locks import connected, needs_proc_locks

pytestmark = needs_proc_locks


def _another_connection(j, tmp):
    j.db.reopen().close()


def _open_again(j, tmp):
    Journal.open(j.path).close()


def _read_only(j, tmp):
    Database(j.path, readonly=True).close()


def _backup(j, tmp):
    backup.backup(j.db, tmp / "copy.db")


def _rolling_backup(j, tmp):
    backup.rolling_backup(j, keep=2)


def _is_encrypted(j, tmp):
    assert not encryption.is_encrypted(j.path)


def _doctor(j, tmp):
    assert doctor.examine(j).ok


def _export_json(j, tmp):
    json_export.write(j.db, tmp / "export.json")


def _export_markdown(j, tmp):
    markdown.export(j.db, tmp / "md")


def _journal_as_json_export_target(j, tmp):
    with pytest.raises(errors.InvalidInput, match="journal Lucy has open"):
        json_export.write(j.db, j.path)


def _journal_as_jsonl_export_target(j, tmp):
    with pytest.raises(errors.InvalidInput, match="journal Lucy has open"):
        jsonl.write_file(entries.list_entries(j.db), j.path)


def _wal_as_import(j, tmp):
    with pytest.raises(errors.InvalidInput, match="journal Lucy has open"):
        jsonl.read(Path(f"{j.path}-wal"))


def _journal_as_zip(j, tmp):
    with pytest.raises(errors.InvalidInput, match="journal Lucy has open"):
        sources.is_zip(j.path)


def _journal_as_model(j, tmp):
    with pytest.raises(errors.ModelError, match="journal Lucy has open"):
        model_files.check_choice("chat", str(j.path))


def _shm_as_model(j, tmp):
    with pytest.raises(errors.ModelError, match="journal Lucy has open"):
        model_files.check_choice("embedding", f"{j.path}-shm")


def _journal_as_backup(j, tmp):
    with pytest.raises(errors.InvalidInput, match="journal Lucy has open"):
        backup.check_backup(j.path)


def _hard_link_as_import(j, tmp):
    link = tmp / "diary-export.jsonl"
    os.link(j.path, link)
    with pytest.raises(errors.InvalidInput, match="journal Lucy has open"):
        jsonl.read(link)


PATHS = [_another_connection, _open_again, _read_only, _backup, _rolling_backup, _is_encrypted, _doctor,
         _export_json, _export_markdown, _journal_as_json_export_target, _journal_as_jsonl_export_target,
         _wal_as_import, _journal_as_zip, _journal_as_model, _shm_as_model, _journal_as_backup,
         _hard_link_as_import]


@pytest.mark.parametrize("action", PATHS, ids=[p.__name__.strip("_") for p in PATHS])
def test_the_journal_keeps_its_locks(action, journal, tmp_path):
    entries.add(journal.db, "A day by the sea.", day="2024-03-05")
    assert connected(journal.path)
    action(journal, tmp_path)
    assert connected(journal.path), "the process lost SQLite's locks on the journal"
    assert Path(f"{journal.path}-wal").exists()


APP = textwrap.dedent("""
    import os, signal, sys
    from lucy_app.core import entries, errors, model_files
    from lucy_app.core.journal import Journal

    journal = Journal.open(sys.argv[1])
    entries.add(journal.db, "Saved before the other process ran.", day="2024-03-05")
    worker = journal.db.reopen()          # the app's worker threads open their own connections
    try:                                  # the user picks the -shm as a model file by mistake
        model_files.check_choice("chat", sys.argv[1] + "-shm")
    except errors.ModelError:
        pass
    print("ready", flush=True)
    sys.stdin.readline()                  # meanwhile another `lucy` uses the journal
    entries.add(worker, "Saved after the other process ran.", day="2024-03-06")
    print("saved", flush=True)
    os.kill(os.getpid(), signal.SIGKILL)  # a crash: nothing is closed or checkpointed
""")


def test_a_second_lucy_process_never_deletes_a_running_journals_wal(tmp_path):
    path = tmp_path / "journal.db"
    app = subprocess.Popen([sys.executable, "-c", APP, str(path)], stdin=subprocess.PIPE,
                           stdout=subprocess.PIPE, text=True)
    try:
        assert app.stdout.readline().strip() == "ready"
        other = subprocess.run([sys.executable, "-m", "lucy_app", "--db", str(path), "list"],
                               capture_output=True, text=True, timeout=120)
        assert other.returncode == 0, other.stderr
        assert "Saved before" in other.stdout
        assert Path(f"{path}-wal").exists(), "the other process deleted the running journal's WAL"
        app.stdin.write("go\n")
        app.stdin.flush()
        assert app.stdout.readline().strip() == "saved"
        assert app.wait(timeout=60) == -signal.SIGKILL
    finally:
        if app.poll() is None:
            app.kill()
            app.wait()
    with Journal.open(path) as j:
        bodies = [e.body for e in entries.list_entries(j.db)]
    assert bodies == ["Saved before the other process ran.", "Saved after the other process ran."]
