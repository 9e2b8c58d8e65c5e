"""Journals this process has open, and why nothing else may open their files.

SQLite's locks on a journal are POSIX advisory locks. They belong to the process, and the
operating system releases *all* of them when *any* descriptor of the file is closed — also
one that Python, Qt or a library opened just to read a few bytes ("How To Corrupt An
SQLite Database File", §2.2). A process that lost its locks looks to every other process
like no process at all: the next `lucy` checkpoints and deletes the journal's -wal and
-shm while the app still writes into them, and entries shown as saved vanish.

So while a connection is open, nothing in this process may open the journal, its -wal,
-shm or -journal through another descriptor. The registry below knows which files those
are: the header checks skip them (they were checked before the first connection), and
files chosen by the user for something else (an import, a model, an image, an export
target) are refused when they are one of them (:func:`refuse_open_journal`).
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

from lucy_app.core import errors

_SIDE_FILES = ("-wal", "-shm", "-journal")


@dataclass
class _Held:
    count: int
    encrypted: bool
    dev_ino: tuple[int, int] | None


_held_lock = threading.Lock()
_held: dict[str, _Held] = {}
#: Held while a first connection checks the file and connects (no raw read beside a new connection).
opening = threading.RLock()


def hold(path: Path, encrypted: bool) -> None:
    real = os.path.realpath(path)
    try:
        st = os.stat(real)
        dev_ino = (st.st_dev, st.st_ino)
    except OSError:
        dev_ino = None
    with _held_lock:
        held = _held.get(real)
        if held is None:
            _held[real] = _Held(1, encrypted, dev_ino)
        else:
            held.count += 1


def release(path: Path) -> None:
    real = os.path.realpath(path)
    with _held_lock:
        held = _held.get(real)
        if held is not None:
            held.count -= 1
            if held.count <= 0:
                del _held[real]


def held_entry(path: Path | str) -> _Held | None:
    """The open journal that ``path`` is (or is the -wal/-shm/-journal of), if any."""
    with _held_lock:
        if not _held:
            return None
        try:
            real = os.path.realpath(path)
        except ValueError:  # a name no file can have (a NUL byte): not the journal
            return None
        if real in _held:
            return _held[real]
        for suffix in _SIDE_FILES:
            if real.endswith(suffix) and real[: -len(suffix)] in _held:
                return _held[real[: -len(suffix)]]
        try:
            st = os.stat(real)
        except OSError:
            return None
        return next((h for h in _held.values() if h.dev_ino == (st.st_dev, st.st_ino)), None)


def is_open_journal(path: Path | str) -> bool:
    """True when this process has ``path`` open as a journal (or it is such a journal's
    -wal, -shm or -journal): then it must never be opened through another descriptor."""
    return held_entry(path) is not None


def refuse_open_journal(path: Path | str, what: str) -> None:
    """Refuse ``path``, chosen by the user as ``what``, when it is the open journal or one of
    its side files: reading or writing it here would release the journal's locks."""
    if is_open_journal(path):
        raise errors.InvalidInput(f"{path} is the journal Lucy has open, not {what}",
                                  hint="choose another file")
