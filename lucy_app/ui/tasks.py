"""The app's threads: one serialized writer, pools for reads and long work, results as signals.

- **The writer** (:class:`Writer`, a ``QThread``) owns the only connection that writes.
  Jobs run one at a time in the order they were queued, so an autosave queued after
  another is applied after it. :meth:`Tasks.flush` waits until every queued job is done
  (used when the window closes).
- **Readers** (a ``QThreadPool``) each keep their own connection, opened on first use.
- **Long work** (answers, "rewrite now") runs in a second pool, so it never holds up reads.
- Background threads that must also write (the digest scheduler, the indexer) get a
  :class:`RoutedDatabase`: reads on their own connection, and each write transaction
  *borrows* the writer's connection through the writer's queue — so every write is still
  made by one connection, in queue order, and a user's save waits at most for one short
  transaction, never for a model.

Every job is a plain function of a database; its result (or exception) comes back to the
GUI thread through one queued signal and is handed to the callbacks given.
"""

from __future__ import annotations

import contextlib
import itertools
import queue
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from lucy_app.core import errors
from lucy_app.core.storage.db import Database
from lucy_app.ui.errors import log_bug
from lucy_app.ui.qt import QObject, QThread, QThreadPool, Signal

Job = Callable[[Any], Any]
Done = Callable[[Any], None]
Failed = Callable[[BaseException], None]


def _call(fn: Job, db: Callable[[], Any], deliver: Callable[[Any, BaseException | None], None]) -> None:
    """``fn(db())``, its result or exception handed to ``deliver`` (never raised here)."""
    try:
        result = fn(db())
    except BaseException as exc:  # noqa: BLE001 - handed to the GUI
        deliver(None, exc)
    else:
        deliver(result, None)


class Writer(QThread):
    """The one thread that writes to the journal, one job at a time, in order."""

    def __init__(self, open_db: Callable[[], Database]):
        super().__init__()
        self.setObjectName("lucy-writer")
        self._open_db = open_db
        self._queue: queue.Queue = queue.Queue()
        self._pending = 0
        self._idle = threading.Condition()
        self.db: Database | None = None
        self.open_error: BaseException | None = None
        self._ident: int | None = None

    # -- queueing (any thread) ---------------------------------------------------------

    def submit(self, item: tuple) -> None:
        with self._idle:
            self._pending += 1
        self._queue.put(item)

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every queued job has run; False on timeout."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._idle:
            while self._pending:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return False
                self._idle.wait(left)
        return True

    @contextlib.contextmanager
    def lease(self) -> Iterator[Database]:
        """The writer's connection, for one transaction made from another thread, in queue order."""
        if threading.get_ident() == self._ident:
            yield self._db()
            return
        granted, released = threading.Event(), threading.Event()
        self.submit(("lease", granted, released))
        while not granted.wait(0.5):
            if not self.isRunning():
                raise errors.Cancelled("The journal is closing")
        try:
            yield self._db()
        finally:
            released.set()

    def stop(self) -> None:
        self._queue.put(None)
        self.wait()

    def _db(self) -> Database:
        if self.db is None:
            raise self.open_error or errors.Cancelled("The journal is closing")
        return self.db

    # -- the thread --------------------------------------------------------------------

    def run(self) -> None:
        self._ident = threading.get_ident()
        try:
            self.db = self._open_db()
        except BaseException as exc:  # noqa: BLE001 - reported to each job below
            self.open_error = exc
        while True:
            item = self._queue.get()
            if item is None:
                break
            try:
                if item[0] == "lease":
                    _, granted, released = item
                    granted.set()
                    released.wait()
                else:
                    _, fn, deliver = item
                    _call(fn, self._db, deliver)
            finally:
                with self._idle:
                    self._pending -= 1
                    self._idle.notify_all()
        if self.db is not None:
            self.db.close()
            self.db = None


class RoutedDatabase:
    """A :class:`Database` look-alike for one background thread.

    ``read()`` uses the thread's own connection; ``write()`` borrows the writer's connection
    for one transaction (nested writes join it).
    """

    def __init__(self, reader: Database, writer: Writer):
        self._reader = reader
        self._writer = writer
        self._held: Database | None = None
        self.path = reader.path
        self.readonly = reader.readonly

    @property
    def conn(self):
        return self._reader.conn

    @property
    def passphrase(self) -> str | None:
        return self._reader.passphrase

    @property
    def encrypted(self) -> bool:
        return self._reader.encrypted

    def read(self):
        if self._held is not None:
            return self._held.read()
        return self._reader.read()

    @contextlib.contextmanager
    def write(self):
        if self._held is not None:
            with self._held.write() as conn:
                yield conn
            return
        with self._writer.lease() as db:
            self._held = db
            try:
                with db.write() as conn:
                    yield conn
            finally:
                self._held = None

    def reopen(self) -> Database:
        return self._reader.reopen()

    def close(self) -> None:
        self._reader.close()


class _Relay(QObject):
    """Lives in the GUI thread; worker threads emit, the GUI thread receives (queued)."""

    finished = Signal(int, object, object)


class Tasks(QObject):
    """Queue reads, writes and long work; get results back in the GUI thread."""

    #: A job failed and nobody asked to handle it: (exception, what was being done).
    failed = Signal(object, str)

    def __init__(self, journal_db: Database, *, readers: int = 3, workers: int = 2, parent=None):
        super().__init__(parent)
        self._open = journal_db.reopen
        self._relay = _Relay()
        self._relay.finished.connect(self._deliver)
        self._callbacks: dict[int, tuple[Done | None, Failed | None, str]] = {}
        self._ids = itertools.count(1)
        self._closing = False
        self.writer = Writer(self._open)
        self.writer.start()
        self._readers = QThreadPool()
        self._readers.setMaxThreadCount(readers)
        self._readers.setExpiryTimeout(-1)
        self._workers = QThreadPool()
        self._workers.setMaxThreadCount(workers)
        self._workers.setExpiryTimeout(-1)
        self._thread_dbs: dict[int, RoutedDatabase] = {}
        self._dbs: list[Database] = []
        self._dbs_lock = threading.Lock()
        self._active = 0
        self._active_lock = threading.Lock()

    # -- public ------------------------------------------------------------------------

    def write(self, fn: Job, on_done: Done | None = None, on_error: Failed | None = None,
              what: str = "saving") -> int:
        """Run ``fn(db)`` on the writer thread, after every write queued before it."""
        ticket = self._register(on_done, on_error, what)
        self.writer.submit(("job", fn, self._deliverer(ticket)))
        return ticket

    def read(self, fn: Job, on_done: Done | None = None, on_error: Failed | None = None,
             what: str = "reading the journal") -> int:
        """Run ``fn(db)`` on a reader thread (its own connection)."""
        return self._start(self._readers, fn, on_done, on_error, what)

    def work(self, fn: Job, on_done: Done | None = None, on_error: Failed | None = None,
             what: str = "working") -> int:
        """Run a long ``fn(db)`` (a model, a rewrite) on a worker thread."""
        return self._start(self._workers, fn, on_done, on_error, what)

    @property
    def jobs_pending(self) -> int:
        """Reads and long jobs queued or running (the background scheduler yields to them)."""
        return self._active

    def routed_db(self) -> RoutedDatabase:
        """A database for a background thread of its own (close it when done)."""
        return RoutedDatabase(self._open(), self.writer)

    def flush(self, timeout: float | None = 30.0) -> bool:
        """Wait until every queued write is done."""
        return self.writer.flush(timeout)

    def shutdown(self) -> None:
        """Finish queued writes, stop the threads, close every connection."""
        if self._closing:
            return
        self.flush(None)
        self._closing = True
        self._readers.waitForDone()
        self._workers.waitForDone()
        self.writer.stop()
        with self._dbs_lock:
            for db in self._dbs:
                db.close()
            self._dbs.clear()

    # -- plumbing ----------------------------------------------------------------------

    def _register(self, on_done, on_error, what) -> int:
        ticket = next(self._ids)
        self._callbacks[ticket] = (on_done, on_error, what)
        return ticket

    def _deliverer(self, ticket: int) -> Callable[[Any, BaseException | None], None]:
        relay = self._relay
        what = self._callbacks[ticket][2]

        def deliver(result, exc):
            if exc is not None and not isinstance(exc, errors.LucyError):
                log_bug(exc, f"{what} (a background job)" if what else "a background job")
            relay.finished.emit(ticket, result, exc)

        return deliver

    def _start(self, pool: QThreadPool, fn: Job, on_done, on_error, what) -> int:
        ticket = self._register(on_done, on_error, what)
        deliver = self._deliverer(ticket)

        def run() -> None:
            try:
                _call(fn, self._thread_db, deliver)
            finally:
                with self._active_lock:
                    self._active -= 1

        with self._active_lock:
            self._active += 1
        pool.start(run)
        return ticket

    def _thread_db(self) -> RoutedDatabase:
        """This pool thread's own connection, opened on its first job and kept.

        Keyed by the OS thread, not ``threading.local``: a pool thread is Qt's, and Python
        may give it a fresh thread state for every job it runs — thread-local data would be
        lost each time and every job would open (and keep) a new connection.
        """
        ident = threading.get_ident()
        with self._dbs_lock:
            db = self._thread_dbs.get(ident)
            if db is None:
                raw = self._open()
                self._dbs.append(raw)
                db = self._thread_dbs[ident] = RoutedDatabase(raw, self.writer)
        return db

    def _deliver(self, ticket: int, result: Any, exc: BaseException | None) -> None:
        on_done, on_error, what = self._callbacks.pop(ticket, (None, None, ""))
        if self._closing:
            return
        if exc is None:
            if on_done is not None:
                on_done(result)
        elif on_error is not None:
            on_error(exc)
        elif not isinstance(exc, errors.Cancelled):
            self.failed.emit(exc, what)
