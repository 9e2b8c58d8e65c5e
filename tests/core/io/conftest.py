"""Import fixtures built in Python: real image bytes, Day One exports, a journal's fingerprint."""

from __future__ import annotations

import base64
import hashlib
import json
import struct
import zipfile
import zlib
from types import SimpleNamespace

import pytest

#: A real 2×2 JPEG (written by Qt), and a real 1×1 PNG built below.
JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQEAZABkAAD/2wBDABALDA4MChAODQ4SERATGCgaGBYWGDEjJR0oOjM9PDkzODdASFxOQERXRTc4UG1RV19i"
    "Z2hnPk1xeXBkeFxlZ2P/2wBDARESEhgVGC8aGi9jQjhCY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2Nj"
    "Y2NjY2NjY2P/wAARCAACAAIDASIAAhEBAxEB/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUF"
    "BAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVW"
    "V1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi"
    "4+Tl5ufo6erx8vP09fb3+Pn6/8QAHwEAAwEBAQEBAQEBAQAAAAAAAAECAwQFBgcICQoL/8QAtREAAgECBAQDBAcFBAQAAQJ3AAEC"
    "AxEEBSExBhJBUQdhcRMiMoEIFEKRobHBCSMzUvAVYnLRChYkNOEl8RcYGRomJygpKjU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVm"
    "Z2hpanN0dXZ3eHl6goOEhYaHiImKkpOUlZaXmJmaoqOkpaanqKmqsrO0tba3uLm6wsPExcbHyMnK0tPU1dbX2Nna4uPk5ebn6Onq"
    "8vP09fb3+Pn6/9oADAMBAAIRAxEAPwCtRRRXmHvH/9k="
)


def _png(rgb=(30, 120, 200)) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"\x00" + bytes(rgb)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


PNG = _png()


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def dayone_entry(uuid: str, created: str, zone: str, text: str, **extra) -> dict:
    return {"uuid": uuid, "creationDate": created, "modifiedDate": created, "timeZone": zone,
            "text": text, "richText": json.dumps({"contents": [{"text": text}]}), "starred": False,
            "duration": 0, **extra}


def write_dayone_zip(path, entries: list, files: dict[str, bytes] | None = None, *,
                     journal_name: str = "Journal.json", raw_json: bytes | None = None):
    doc = {"metadata": {"version": "1.0"}, "entries": entries}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(journal_name, raw_json if raw_json is not None else json.dumps(doc, indent=2))
        for name, data in (files or {}).items():
            z.writestr(name, data)
    return path


def journal_fingerprint(db) -> str:
    """Every entry and attachment, to compare a journal before and after a failed import."""
    from lucy_app.core.storage import attachments, entries

    with db.read() as conn:
        rows = sorted(entries.uids(conn).values(), key=lambda r: r["uid"])
        files = [(r["entry_id"], r["sha256"]) for r in attachments.all_rows(conn, with_data=False)]
    return sha256(json.dumps([rows, files], sort_keys=True, default=str).encode())


@pytest.fixture
def kit():
    """The builders above, for the tests of this folder."""
    return SimpleNamespace(JPEG=JPEG, PNG=PNG, md5=md5, sha256=sha256, dayone_entry=dayone_entry,
                           write_dayone_zip=write_dayone_zip, fingerprint=journal_fingerprint)
