"""SQL for attachments: every live entry's files in one query."""

from __future__ import annotations

from lucy_app.core import attachments, entries
from lucy_app.core.io.importer import Attachment
from lucy_app.core.storage import attachments as store


def test_by_live_entry_matches_for_entry_and_leaves_out_the_trash_and_loose_files(db):
    live = entries.add(db, "two photos", day="2024-03-05")
    bare = entries.add(db, "no photos", day="2024-03-06")
    gone = entries.add(db, "trashed", day="2024-03-07")
    for blob in (b"first", b"second"):
        attachments.add(db, blob, mime="image/png", entry_id=live.id)
    attachments.add(db, b"in the trash", mime="image/png", entry_id=gone.id)
    attachments.add(db, b"loose", mime="image/png")
    entries.trash(db, gone.id)
    with db.read() as conn:
        found = store.by_live_entry(conn, with_data=True)
        assert found == {live.id: store.for_entry(conn, live.id, with_data=True)}
        assert bare.id not in found and len(found[live.id]) == 2
        assert "data" not in store.by_live_entry(conn)[live.id][0]


def test_an_imported_attachment_hashes_once():
    file = Attachment(data=b"bytes", mime="image/png")
    assert file.sha256 == attachments.sha256_hex(b"bytes")
    assert file.__dict__["sha256"] is file.sha256
