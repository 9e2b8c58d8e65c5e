"""Files inside entries (images mostly), stored in the journal itself.

An entry's Markdown refers to one as ``![caption](attachment:<sha256>)``. The app's editor
(``lucy_app.ui.attachments``) and the importers store them through here or
:mod:`lucy_app.core.storage.attachments`.
"""

from __future__ import annotations

import hashlib

from lucy_app.core import entries
from lucy_app.core.storage import attachments as store
from lucy_app.core.storage.db import Database


def sha256_hex(data: bytes) -> str:
    """The name an attachment goes by: the sha256 of its bytes, in hex."""
    return hashlib.sha256(data).hexdigest()


def add(db: Database, data: bytes, *, name: str | None = None, mime: str = "application/octet-stream",
        entry_id: int | None = None) -> str:
    """Store ``data`` (for ``entry_id``, or for no entry yet); returns its sha256.

    Storing the same bytes again for the same entry changes nothing.
    """
    sha = sha256_hex(data)
    with db.write() as conn:
        store.insert(conn, entry_id, sha, name, mime, data, entries.now().isoformat())
    return sha


def data(db: Database, sha256: str) -> bytes | None:
    """The bytes of the attachment ``sha256``, or None when the journal has none."""
    with db.read() as conn:
        found = store.data(conn, sha256)
    return bytes(found) if found is not None else None


def for_entry(db: Database, entry_id: int) -> list[dict]:
    """The entry's attachments: sha256, name, mime, size, created_at (without the bytes)."""
    with db.read() as conn:
        return store.for_entry(conn, entry_id)
