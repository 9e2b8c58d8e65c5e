"""The journal file: one SQLite database, opened and guarded here.

This module owns the apsw connections. Every connection gets the same set-up: WAL,
foreign keys, a busy timeout, ``synchronous=FULL`` and the sqlite-vec extension. Writes
go through :meth:`Database.write` (``BEGIN IMMEDIATE``), reads through
:meth:`Database.read` (one consistent snapshot). apsw errors become Lucy's known errors
(busy, read-only, disk full, corrupt, not a database) or bugs.

Why ``synchronous=FULL``: in WAL mode, NORMAL may lose the last committed transactions on
power loss (they are durable only after a checkpoint). A diary entry the user saw saved
must survive a power cut, and entries are written a few times a minute at most, so the
extra fsync per commit costs nothing a user can notice (``bench/sync_cost.py`` measures it:
about 4 ms per saved entry on a virtual disk, against 0.2 ms with NORMAL).

Fair turns for writers: SQLite's own busy handler backs off to one try every 100 ms, so an
autosave waiting for the write lock could lose, for seconds, to a background job (the indexer,
the digest backfill) that commits and begins its next transaction at once. Waiting writers
here try again every millisecond (:data:`BUSY_POLL_S`), and a transaction that held the lock
for a while pauses briefly after its commit (:data:`COURTESY_PAUSE_S`), so a waiting writer —
in this process or another — gets its turn (``bench/save_latency.py`` measures it).
"""

from __future__ import annotations

import contextlib
import os
import struct
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import apsw
import sqlite_vec

from lucy_app.core import errors
from lucy_app.core.storage import open_journals
from lucy_app.core.storage.open_journals import held_entry, is_open_journal

SQLITE_MAGIC = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 10_000
#: A writer waiting for the write lock tries again this often (seconds).
BUSY_POLL_S = 0.001
#: A write transaction that held the lock at least this long (seconds) pauses for
#: COURTESY_PAUSE_S after committing, so that a waiting writer gets the lock in between.
COURTESY_AFTER_S = 0.010
COURTESY_PAUSE_S = 0.003
#: ``PRAGMA application_id`` of a Lucy journal: "LUCY" in ASCII.
APPLICATION_ID = 0x4C554359


def vec_extension_path() -> str:
    return sqlite_vec.loadable_path()


def check_file_header(path: Path) -> None:
    """Refuse, without writing anything, a file that cannot be a healthy SQLite journal.

    Catches what opening would silently accept or even "repair": a file that is not SQLite
    at all, and a file cut short (its header says it has more pages than it holds).
    Encrypted journals have no plain header; they are checked when the key is applied.
    A journal this process already has open was checked before its first connection and is
    not read again (that would release its locks: see above).
    """
    if is_open_journal(path):
        return
    try:
        size = path.stat().st_size
        if size == 0:
            return  # a new, empty file becomes a journal
        with path.open("rb") as f:
            header = f.read(100)
    except IsADirectoryError:
        raise errors.NotAJournal(f"{path} is a folder, not a journal file") from None
    except PermissionError:
        raise errors.JournalReadOnly(
            f"Cannot read {path}: permission denied", hint="check the file's permissions"
        ) from None
    if not header.startswith(SQLITE_MAGIC):
        if looks_encrypted(path):
            raise errors.JournalEncrypted(
                f"{path} is encrypted (or it is not a Lucy journal)",
                hint="give its passphrase",
            )
        raise errors.NotAJournal(
            f"{path} is not a Lucy journal (not a SQLite database)",
            hint="choose another file, or start a new journal",
        )
    if len(header) < 100:
        raise errors.JournalCorrupt(f"{path} is truncated ({size} bytes)", hint=_BACKUP_HINT)
    page_size = struct.unpack(">H", header[16:18])[0]
    page_size = 65536 if page_size == 1 else page_size
    change_counter, n_pages = struct.unpack(">II", header[24:32])
    valid_for = struct.unpack(">I", header[92:96])[0]
    if page_size < 512 or page_size & (page_size - 1):
        raise errors.JournalCorrupt(f"{path} has a damaged header", hint=_BACKUP_HINT)
    if (
        n_pages
        and valid_for == change_counter
        and size < n_pages * page_size
        and not _has_pending_log(path)
    ):
        raise errors.JournalCorrupt(
            f"{path} is truncated: {size} bytes where its header promises {n_pages * page_size}",
            hint=_BACKUP_HINT,
        )


def _has_pending_log(path: Path) -> bool:
    """A `-wal` (or rollback `-journal`) with content: SQLite replays it when it opens the file.

    A process killed while checkpointing leaves page 1 already rewritten (promising the new,
    larger size) and the pages after it still only in the `-wal`; that journal is whole, and
    opening it completes the checkpoint. Only `stat`, never `open`: see above.
    """
    for suffix in ("-wal", "-journal"):
        try:
            if Path(f"{path}{suffix}").stat().st_size > 0:
                return True
        except OSError:
            continue
    return False


def looks_encrypted(path: Path) -> bool:
    """An encrypted journal: whole pages of what looks like noise, no SQLite header."""
    held = held_entry(path)
    if held is not None:
        return held.encrypted
    try:
        size = path.stat().st_size
        with path.open("rb") as f:
            head = f.read(16)
    except OSError:
        return False
    return size >= 512 and size % 512 == 0 and not head.startswith(SQLITE_MAGIC) and len(set(head)) > 8


_BACKUP_HINT = "restore your latest backup with `lucy restore FILE`; this file was not changed"


def translate(exc: apsw.Error, path: Path | str) -> Exception:
    """Map an apsw error to a known Lucy error or a bug."""
    where = str(path)
    if isinstance(exc, apsw.BusyError) or isinstance(exc, apsw.LockedError):
        return errors.JournalBusy(
            f"The journal {where} is busy: another program is writing to it",
            hint="try again in a moment",
        )
    if isinstance(exc, apsw.ReadOnlyError):
        return errors.JournalReadOnly(
            f"The journal {where} is read-only", hint="check the file's and folder's permissions"
        )
    if isinstance(exc, apsw.FullError):
        return errors.DiskFull(
            f"The disk holding {where} is full; nothing was saved", hint="free some space and retry"
        )
    if isinstance(exc, apsw.NotADBError):
        return errors.NotAJournal(
            f"{where} is not a Lucy journal (or it is encrypted)",
            hint="choose another file, or give the passphrase if it is encrypted",
        )
    if isinstance(exc, apsw.CorruptError):
        return errors.JournalCorrupt(f"The journal {where} is damaged", hint=_BACKUP_HINT)
    if isinstance(exc, (apsw.CantOpenError, apsw.PermissionsError)):
        return errors.JournalReadOnly(
            f"Cannot open {where}", hint="check that its folder exists and is writable"
        )
    if isinstance(exc, apsw.IOError):
        return errors.JournalError(
            f"The disk reported an error while using {where}", hint="check the disk, then retry"
        )
    return errors.BugError(f"{type(exc).__name__}: {exc} (journal {where})")


@contextlib.contextmanager
def translated(path: Path | str) -> Iterator[None]:
    try:
        yield
    except apsw.Error as exc:
        raise translate(exc, path) from exc


def busy_handler(timeout_ms: int):
    """Wait for a lock by trying every :data:`BUSY_POLL_S` for up to ``timeout_ms``."""
    deadline = 0.0

    def handler(count: int) -> bool:
        nonlocal deadline
        now = time.monotonic()
        if count == 0:
            deadline = now + timeout_ms / 1000
        elif now >= deadline:
            return False
        time.sleep(BUSY_POLL_S)
        return True

    return handler


def connect(path: Path, *, readonly: bool = False, passphrase: str | None = None) -> apsw.Connection:
    """Open one configured connection to ``path`` (which must be checked already)."""
    flags = apsw.SQLITE_OPEN_READONLY if readonly else (apsw.SQLITE_OPEN_READWRITE | apsw.SQLITE_OPEN_CREATE)
    with translated(path):
        conn = apsw.Connection(str(path), flags=flags | apsw.SQLITE_OPEN_URI)
        conn.set_busy_handler(busy_handler(BUSY_TIMEOUT_MS))
        if passphrase is not None:
            _apply_key(conn, passphrase)
        conn.enable_load_extension(True)
        conn.load_extension(vec_extension_path())
        conn.enable_load_extension(False)
    # Reading the schema is the first touch of the file's content: it fails cleanly on a
    # file that is not a database, or was encrypted with another key, before any write.
    try:
        conn.execute("SELECT count(*) FROM sqlite_schema").fetchall()
    except apsw.NotADBError:
        conn.close()
        if passphrase is not None:
            raise errors.WrongPassphrase(f"Wrong passphrase for {path}", hint="try again; it is case-sensitive") from None
        raise translate(apsw.NotADBError("file is not a database"), path) from None
    except apsw.Error as exc:
        conn.close()
        raise translate(exc, path) from exc
    with translated(path):
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA temp_store = MEMORY")
    return conn


def use_wal(conn: apsw.Connection) -> None:
    """Switch the file to WAL (a write: only after the file is known to be ours)."""
    mode = conn.execute("PRAGMA journal_mode").fetchall()[0][0]
    if mode != "wal":
        conn.execute("PRAGMA journal_mode = WAL")


def _plain_sqlite(path: Path) -> bool:
    held = held_entry(path)
    if held is not None:
        return not held.encrypted
    try:
        with path.open("rb") as f:
            return f.read(16) == SQLITE_MAGIC
    except OSError:
        return False


def key_for(path: Path, passphrase: str | None) -> str | None:
    """The passphrase to open ``path`` with: None for a plain SQLite file (it needs none)."""
    if passphrase is None or _plain_sqlite(Path(path)):
        return None
    return passphrase


def _apply_key(conn: apsw.Connection, passphrase: str) -> None:
    """Key an encrypted journal (SQLite3 Multiple Ciphers' default cipher)."""
    conn.pragma("key", passphrase)


class Database:
    """An open journal file: one connection, used by one thread at a time.

    Each thread that touches the journal opens its own ``Database`` (they are cheap): the
    app has one writer thread and reader threads; SQLite and WAL keep them consistent.
    """

    def __init__(self, path: Path, *, readonly: bool = False, passphrase: str | None = None,
                 migrate: bool = True):
        from lucy_app.core.storage import migrations

        self.path = Path(path)
        self.readonly = readonly
        self._passphrase = passphrase
        if not self.path.parent.exists():
            if readonly:
                raise errors.NotFound(f"No journal at {self.path}")
            self.path.parent.mkdir(parents=True, exist_ok=True)
        if readonly and not self.path.exists():
            raise errors.NotFound(f"No journal at {self.path}")
        with open_journals.opening:  # no header read of a first connection while another one is being made
            passphrase = self._passphrase = key_for(self.path, passphrase)  # None for a plain SQLite file
            if passphrase is None and self.path.exists():
                check_file_header(self.path)
            self.conn = connect(self.path, readonly=readonly, passphrase=passphrase)
            open_journals.hold(self.path, encrypted=passphrase is not None)
        self._owner = threading.get_ident()
        try:
            with translated(self.path):
                migrations.check_compatible(self.conn, self.path)
                if not readonly:
                    use_wal(self.conn)
                if migrate:
                    migrations.migrate(self.conn, self.path, readonly=readonly)
        except BaseException:
            self.conn.close()
            open_journals.release(self.path)
            raise

    @property
    def passphrase(self) -> str | None:
        """The key this journal was opened with (None: not encrypted). Held in memory only;
        backups use it so a copy of an encrypted journal is encrypted the same way."""
        return self._passphrase

    @property
    def encrypted(self) -> bool:
        return self._passphrase is not None

    # -- transactions ----------------------------------------------------------------

    @contextlib.contextmanager
    def write(self) -> Iterator[apsw.Connection]:
        """A write transaction: ``BEGIN IMMEDIATE`` … ``COMMIT`` (rolled back on error).

        Nested calls join the outer transaction.
        """
        if self.readonly:
            raise errors.JournalReadOnly(f"The journal {self.path} is open read-only")
        with self._transaction("BEGIN IMMEDIATE") as conn:
            yield conn

    @contextlib.contextmanager
    def read(self) -> Iterator[apsw.Connection]:
        """A read transaction: every query inside sees the same snapshot."""
        with self._transaction("BEGIN") as conn:
            yield conn

    @contextlib.contextmanager
    def _transaction(self, begin: str) -> Iterator[apsw.Connection]:
        conn = self.conn
        if not conn.in_transaction:
            with translated(self.path):
                conn.execute(begin)
            began = time.monotonic()
            try:
                yield conn
            except BaseException as exc:
                if conn.in_transaction:
                    with translated(self.path):
                        conn.execute("ROLLBACK")
                if isinstance(exc, apsw.Error):
                    raise translate(exc, self.path) from exc
                raise
            else:
                with translated(self.path):
                    try:
                        conn.execute("COMMIT")
                    except apsw.Error:
                        if conn.in_transaction:
                            conn.execute("ROLLBACK")
                        raise
                if begin == "BEGIN IMMEDIATE" and time.monotonic() - began >= COURTESY_AFTER_S:
                    time.sleep(COURTESY_PAUSE_S)  # a waiting writer's turn (see the module doc)
        else:
            yield conn  # joined: the outermost transaction commits or rolls back

    # -- life cycle --------------------------------------------------------------------

    def close(self) -> None:
        if self.conn is not None:
            with contextlib.suppress(apsw.Error):
                self.conn.close()
            self.conn = None  # type: ignore[assignment]
            open_journals.release(self.path)

    def reopen(self) -> Database:
        """Another connection to the same file (for another thread)."""
        return Database(self.path, readonly=self.readonly, passphrase=self._passphrase, migrate=False)

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def file_size(path: Path) -> int:
    """Bytes used by the journal, its WAL and shared memory file."""
    total = 0
    for suffix in ("", "-wal", "-shm"):
        p = Path(str(path) + suffix)
        if p.exists():
            total += os.path.getsize(p)
    return total
