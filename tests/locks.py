"""Reading /proc/locks: which POSIX locks a process holds on a journal and its -shm.

An idle WAL connection holds a READ lock on the journal file (SQLite's SHARED range) and
one on byte 128 of the -shm (the "DMS" byte that tells other processes someone is
connected). A process that lost them looks like no process at all to the next `lucy`,
which then checkpoints and deletes the -wal and -shm under it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

PROC_LOCKS = Path("/proc/locks")

needs_proc_locks = pytest.mark.skipif(not PROC_LOCKS.exists(), reason="needs Linux /proc/locks")


def held(journal: Path, pid: int | None = None) -> set[tuple[str, str]]:
    """{(file, lock type)} for the journal's files locked by ``pid`` (default: this process)."""
    pid = os.getpid() if pid is None else pid
    inodes = {}
    for suffix in ("", "-shm", "-wal"):
        p = Path(f"{journal}{suffix}")
        if p.exists():
            inodes[p.stat().st_ino] = p.name
    found = set()
    for line in PROC_LOCKS.read_text().splitlines():
        parts = line.split()
        if len(parts) < 8 or parts[1] == "->" or not parts[4].isdigit() or int(parts[4]) != pid:
            continue
        inode = int(parts[5].split(":")[-1])
        if inode in inodes:
            found.add((inodes[inode], parts[3]))
    return found


def connected(journal: Path, pid: int | None = None) -> bool:
    """The locks every open WAL connection holds: the journal file and the -shm's DMS byte."""
    locks = held(journal, pid)
    name = Path(journal).name
    return (name, "READ") in locks and (f"{name}-shm", "READ") in locks
