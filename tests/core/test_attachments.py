"""Attachments stored in the journal: add once, read back by sha256."""

from __future__ import annotations

import hashlib

from lucy_app.core import attachments, entries


def test_add_and_read_back(db):
    entry = entries.add(db, "A photo follows", day="2024-03-05")
    blob = b"\x89PNG\r\n\x1a\n not really an image"
    sha = attachments.add(db, blob, name="p.png", mime="image/png", entry_id=entry.id)
    assert sha == hashlib.sha256(blob).hexdigest()
    assert attachments.add(db, blob, name="p.png", mime="image/png", entry_id=entry.id) == sha
    assert attachments.data(db, sha) == blob and attachments.data(db, "0" * 64) is None
    assert [(a["sha256"], a["size"], a["mime"]) for a in attachments.for_entry(db, entry.id)] == [(sha, len(blob), "image/png")]
    loose = attachments.add(db, b"pasted before saving", mime="image/png")
    assert attachments.add(db, b"pasted before saving", mime="image/png") == loose
    assert attachments.data(db, loose) == b"pasted before saving"
