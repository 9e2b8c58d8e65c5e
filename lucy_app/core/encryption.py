"""Encryption at rest: turning a journal into a passphrase-encrypted one and back.

Lucy's apsw is built with SQLite3 Multiple Ciphers (the ``apsw-sqlite3mc`` package), so an
encrypted journal is still one SQLite file — every page, its WAL included, encrypted with
the default cipher (ChaCha20-Poly1305), the key derived from the passphrase. Full-text
search, sqlite-vec and backups work the same; a backup of an encrypted journal is
encrypted with the same passphrase.

The passphrase is only ever held in memory: it is never written to the journal, a
settings file or a log. Lose it and the journal cannot be read — there is no recovery.

Converting writes a complete new file next to the journal with ``VACUUM INTO``, checks it
(opens with the passphrase, integrity check, same entries), and only then replaces the
original; the old file's name now holds the converted journal. The plaintext original is
deleted (an ordinary delete: file-system remnants may survive on some disks).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from urllib.parse import quote

from lucy_app.core import errors
from lucy_app.core.storage import entries as entry_store
from lucy_app.core.storage import exchange, maintenance
from lucy_app.core.storage.db import Database, looks_encrypted, translated, use_wal

MIN_PASSPHRASE = 8


def check_passphrase(passphrase: str) -> str:
    if not isinstance(passphrase, str) or len(passphrase) < MIN_PASSPHRASE:
        raise errors.InvalidInput(f"The passphrase must have at least {MIN_PASSPHRASE} characters")
    return passphrase


def is_encrypted(path: Path) -> bool:
    return Path(path).exists() and looks_encrypted(Path(path))


def _uri(path: Path, key: str) -> str:
    return f"file:{quote(str(path.resolve()))}?key={quote(key, safe='')}"


def _convert(path: Path, *, source_key: str | None, target_key: str, verb: str) -> int:
    path = Path(path)
    if not path.exists():
        raise errors.NotFound(f"No journal at {path}")
    # Nobody else may have the journal open: their later saves would go to the old file.
    exchange.claim_for_replacement(path, passphrase=source_key)
    source = Database(path, passphrase=source_key, readonly=True)
    tmp = path.with_name(f".{path.name}.{verb}-tmp")
    _remove_all(tmp)
    try:
        try:
            with source.read() as conn:
                count = entry_store.count(conn) + entry_store.count(conn, trashed=True)
            with translated(path):
                maintenance.vacuum_into(source.conn, _uri(tmp, target_key))
        finally:
            source.close()
        copy = Database(tmp, passphrase=target_key or None, migrate=False)
        try:
            with copy.read() as conn:
                problems = maintenance.integrity_problems(conn)
                copied = entry_store.count(conn) + entry_store.count(conn, trashed=True)
            if problems or copied != count:
                raise errors.JournalError(f"The {verb}ed copy did not check out; {path} was not changed")
            with translated(tmp):
                use_wal(copy.conn)
        finally:
            copy.close()
    except BaseException:
        _remove_all(tmp)  # never leave a (possibly plain) copy behind
        raise
    for suffix in ("-wal", "-shm"):
        _remove(Path(str(path) + suffix))
    os.replace(tmp, path)
    _remove(Path(str(tmp) + "-wal"))
    _remove(Path(str(tmp) + "-shm"))
    return count


def _remove_all(p: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        _remove(Path(str(p) + suffix))


def encrypt(path: Path, passphrase: str) -> int:
    """Encrypt the plain journal at ``path`` in place; returns the number of entries."""
    check_passphrase(passphrase)
    if is_encrypted(path):
        raise errors.InvalidInput(f"{path} is already encrypted")
    return _convert(Path(path), source_key=None, target_key=passphrase, verb="encrypt")


def decrypt(path: Path, passphrase: str) -> int:
    """Turn the encrypted journal at ``path`` back into a plain one."""
    if not is_encrypted(path):
        raise errors.InvalidInput(f"{path} is not encrypted")
    return _convert(Path(path), source_key=passphrase, target_key="", verb="decrypt")


def _remove(p: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        p.unlink()
