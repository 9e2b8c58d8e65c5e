"""One-file backups of the journal, restoring one, and automatic rolling backups.

- :func:`backup` writes a consistent copy with SQLite's online backup API, while the app
  or another process keeps writing (the copy is one snapshot; it is checked with
  SQLite's integrity check before it is given its name).
- :func:`restore` replaces the journal with a backup after checking that the backup is a
  Lucy journal this Lucy can open and that it passes the integrity check. The replaced
  journal is kept beside it as ``<name>.replaced-<timestamp>.db``. It refuses while another
  program (the app, another ``lucy``) has the journal open.
- :func:`rolling_backup` keeps the newest ``keep`` copies in
  :func:`lucy_app.core.paths.backups_dir` (``<name>-backups/<name>-<UTC time>.db``); the app
  calls it when it starts and closes. A copy identical to the newest one is not made again.
- :func:`latest_backup` is what a "journal damaged" message offers (:func:`restore_hint`).

A backup of an encrypted journal is encrypted with the same passphrase (the copy is keyed
before the first page is written); checking or restoring it needs that passphrase.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import apsw

from lucy_app.core import errors, paths
from lucy_app.core.storage import db as db_mod
from lucy_app.core.storage import exchange
from lucy_app.core.storage.db import Database
from lucy_app.core.storage.open_journals import is_open_journal, refuse_open_journal


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")


def _temp_beside(target: Path, tag: str) -> Path:
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.{tag}-", suffix=".tmp", dir=target.parent)
    os.close(fd)
    os.unlink(name)  # SQLite creates it
    return Path(name)


def _remove_db_files(path: Path) -> None:
    for suffix in ("", "-journal", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            Path(str(path) + suffix).unlink()


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def backup(db: Database, target: Path) -> Path:
    """Write a consistent, checked copy of the open journal ``db`` to the new file ``target``.

    ``target`` may be a folder: the copy is then ``<journal name>-<UTC time>.db`` in it.
    An encrypted journal gives an encrypted copy (same passphrase).
    """
    target = Path(target).expanduser()
    if target.is_dir():
        target = target / f"{db.path.stem}-{_stamp()}.db"
    if target.exists():
        raise errors.InvalidInput(f"{target} already exists", hint="choose a new file name")
    if target.resolve() == db.path.resolve() or is_open_journal(target):
        raise errors.InvalidInput("A backup cannot overwrite the journal itself")
    if not target.parent.is_dir():
        raise errors.InvalidInput(f"The folder {target.parent} does not exist")
    tmp = _temp_beside(target, "backup")
    try:
        with db_mod.translated(target):
            exchange.copy_database(db.conn, tmp, db.passphrase)
        exchange.examine_copy(tmp, db.passphrase)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, target)
        _fsync_dir(target.parent)
    finally:
        _remove_db_files(tmp)
    return target


@dataclass(frozen=True)
class Restored:
    journal: Path
    replaced: Path | None  # where the journal that was there now lives
    entries: int
    last_day: str | None


def check_backup(source: Path, passphrase: str | None = None) -> dict:
    """Facts about a backup file (entries, last day…) once it has passed every check.

    Works on a private copy, so the file itself is never touched. An encrypted backup
    needs its ``passphrase`` (without it: :class:`errors.JournalEncrypted`).
    """
    source = Path(source).expanduser()
    if not source.is_file():
        raise errors.NotFound(f"No backup at {source}")
    refuse_open_journal(source, "a backup")
    tmp = _temp_beside(Path(tempfile.gettempdir()) / source.name, "check")
    try:
        return _copy_checked(source, tmp, passphrase)
    finally:
        _remove_db_files(tmp)


def _copy_checked(source: Path, tmp: Path, passphrase: str | None = None) -> dict:
    """Copy ``source`` to ``tmp`` and check the copy; errors name ``source``, not the copy."""
    try:
        try:
            exchange.copy_file(source, tmp, passphrase)
        except apsw.Error as exc:
            raise db_mod.translate(exc, source) from exc
        return exchange.examine_copy(tmp, passphrase)
    except errors.JournalError as exc:
        hint = "choose another backup; nothing was changed"
        raise type(exc)(exc.message.replace(str(tmp), str(source)).replace("The journal ", "The backup "),
                        hint=hint if isinstance(exc, (errors.JournalCorrupt, errors.NotAJournal)) else exc.hint
                        ) from exc


def restore(source: Path, journal_path: Path, passphrase: str | None = None) -> Restored:
    """Replace the journal at ``journal_path`` with the backup ``source``.

    The backup is copied and checked first (a Lucy journal, not newer than this Lucy,
    integrity ok); the journal it replaces is renamed ``<name>.replaced-<time>.db``.
    Refuses, changing nothing, while another program has the journal open. An encrypted
    backup needs its ``passphrase`` and stays encrypted (the same passphrase opens the
    restored journal).
    """
    source = Path(source).expanduser()
    journal_path = Path(journal_path).expanduser()
    if not source.is_file():
        raise errors.NotFound(f"No backup at {source}")
    if journal_path.exists() and source.resolve() == journal_path.resolve():
        raise errors.InvalidInput("That file is the journal itself")
    refuse_open_journal(source, "a backup")
    journal_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temp_beside(journal_path, "restore")
    try:
        facts = _copy_checked(source, tmp, passphrase)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        replaced = None
        if journal_path.exists():
            exchange.claim_for_replacement(journal_path, passphrase=passphrase)
            replaced = journal_path.with_name(
                f"{journal_path.stem}.replaced-{datetime.now().strftime('%Y%m%d-%H%M%S')}{journal_path.suffix or '.db'}"
            )
            n = 2
            while replaced.exists():
                replaced = replaced.with_name(f"{replaced.stem.rsplit('~', 1)[0]}~{n}{replaced.suffix}")
                n += 1
            os.replace(journal_path, replaced)
            for suffix in ("-wal", "-shm", "-journal"):  # never let an old WAL meet the new file
                side = Path(str(journal_path) + suffix)
                if side.exists():
                    os.replace(side, Path(str(replaced) + suffix))
        os.replace(tmp, journal_path)
        _fsync_dir(journal_path.parent)
    finally:
        _remove_db_files(tmp)
    return Restored(journal_path, replaced, facts["entries"], facts["last_day"])


# --- rolling backups ------------------------------------------------------------------------


def _pattern(journal_path: Path) -> re.Pattern:
    return re.compile(re.escape(journal_path.stem) + r"-(\d{8}T\d{6}\d{6}Z)\.db")


def backups(journal_path: Path) -> list[Path]:
    """The automatic backups of ``journal_path``, oldest first."""
    folder = paths.backups_dir(Path(journal_path))
    if not folder.is_dir():
        return []
    pattern = _pattern(Path(journal_path))
    found = [p for p in folder.iterdir() if pattern.fullmatch(p.name) and p.is_file()]
    return sorted(found, key=lambda p: p.name)


def latest_backup(journal_path: Path) -> Path | None:
    """The newest automatic backup of ``journal_path``, or None."""
    found = backups(journal_path)
    return found[-1] if found else None


def restore_hint(journal_path: Path) -> str:
    """What a "journal damaged" message tells the user to do, naming the newest backup."""
    journal_path = Path(journal_path)
    newest = latest_backup(journal_path)
    db = "" if journal_path == paths.default_journal_path() else f"--db {_shell_word(journal_path)} "
    if newest is None:
        return (f"{journal_path} was not changed; restore a backup with `lucy {db}restore FILE` "
                "(there is no automatic backup beside it)")
    return (f"restore your latest backup with `lucy {db}restore {_shell_word(newest)}`; "
            f"{journal_path} was not changed")


def _shell_word(path: Path) -> str:
    import shlex

    return shlex.quote(str(path))


def rolling_backup(journal, keep: int | None = None) -> Path | None:
    """Back the open journal up into its backups folder, keeping the newest ``keep`` copies.

    ``journal`` is a :class:`~lucy_app.core.journal.Journal` (or a ``Database``); ``keep``
    defaults to the journal's ``backups_keep`` setting; 0 makes no backup. Returns the
    newest backup: a new one, or the previous one when nothing changed since.
    """
    db = journal.db if hasattr(journal, "db") else journal
    if keep is None:
        keep = journal.settings.backups_keep if hasattr(journal, "settings") else 5
    if keep <= 0:
        return None
    folder = paths.backups_dir(db.path)
    folder.mkdir(parents=True, exist_ok=True)
    newest = latest_backup(db.path)
    with db.read() as conn:
        current = exchange.fingerprint(conn)
    made = newest
    if newest is None or _fingerprint_of(newest, db.passphrase) != current:
        made = backup(db, folder / f"{db.path.stem}-{_stamp()}.db")
    for old in backups(db.path)[:-keep]:
        _remove_db_files(old)
    return made


def _fingerprint_of(path: Path, passphrase: str | None = None) -> str | None:
    try:
        conn = db_mod.connect(path, readonly=True, passphrase=db_mod.key_for(path, passphrase))
    except (errors.LucyError, errors.BugError):
        return None
    try:
        with db_mod.translated(path):
            return exchange.fingerprint(conn)
    except (errors.LucyError, errors.BugError):
        return None
    finally:
        conn.close()
