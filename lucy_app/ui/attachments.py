"""Images in entries: the app's side of attachments (the journal stores them).

Entries refer to an image as ``![caption](attachment:<sha256>)``. Storing and reading the
bytes is done by :mod:`lucy_app.core.attachments`; this module turns pasted, dropped or
chosen images into bytes and calls it.
"""

from __future__ import annotations

import hashlib
import mimetypes
from pathlib import Path

from lucy_app.core import attachments as core
from lucy_app.core import errors
from lucy_app.core.storage.open_journals import refuse_open_journal
from lucy_app.ui.qt import QBuffer, QByteArray, QImage, QIODevice, QMimeData

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp"}
MAX_BYTES = 25 * 1024 * 1024


def store(db, data: bytes, *, name: str | None, mime: str, entry_id: int | None = None) -> str:
    """Store ``data`` in the journal (on the writer thread); returns its sha256."""
    return core.add(db, data, name=name, mime=mime, entry_id=entry_id)


def load(db, shas: list[str]) -> dict[str, bytes | None]:
    """The bytes of each attachment (on a reader thread); None for unknown ones."""
    return {s: core.data(db, s) for s in shas}


def image_from_mime(mime: QMimeData) -> list[tuple[bytes, str, str]]:
    """(bytes, name, mime type) of each image in pasted or dropped data."""
    found: list[tuple[bytes, str, str]] = []
    for url in mime.urls() if mime.hasUrls() else []:
        if url.isLocalFile():
            path = Path(url.toLocalFile())
            if path.suffix.lower() in IMAGE_SUFFIXES and path.is_file():
                found.append(read_image_file(path))
    if not found and mime.hasImage():
        image = mime.imageData()
        if isinstance(image, QImage) and not image.isNull():
            found.append((png_bytes(image), "pasted image", "image/png"))
    return found


def read_image_file(path: Path) -> tuple[bytes, str, str]:
    refuse_open_journal(path, "an image")
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise errors.InvalidInput(f"{path.name} is too large to keep in the journal ({size // 1_000_000} MB)",
                                  hint="images up to 25 MB can be added")
    data = path.read_bytes()
    if QImage.fromData(data).isNull():
        raise errors.InvalidInput(f"{path.name} is not an image Lucy can show")
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return data, path.stem, mime


def png_bytes(image: QImage) -> bytes:
    raw = QByteArray()
    buf = QBuffer(raw)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buf, "PNG")
    buf.close()
    return bytes(raw.data())


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
