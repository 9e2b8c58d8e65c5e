"""Day One's JSON export: the ``.zip`` (``Journal.json`` + ``photos/``) or the bare JSON.

The export is ``{"metadata": {"version": "1.0"}, "entries": [...]}``; each entry has
``uuid``, ``creationDate`` (UTC, ``2024-03-05T14:30:00Z``), ``timeZone`` (an IANA name),
``text`` (Markdown), and optionally ``modifiedDate``, ``tags``, ``starred``, ``location``,
``weather``, ``photos``/``videos``/``audios``/``pdfAttachments`` and more. A zip may hold
several journals (one ``<name>.json`` each at its root); media live in ``photos/<md5>.<type>``
(``videos/``, ``audios/``, ``pdfs/`` likewise).

Mapping:

- uid ``dayone:<uuid>``, so importing the same export again adds nothing.
- The day is the local date of ``creationDate`` in the entry's ``timeZone`` (an entry at
  23:30 in Tokyo lands on that Tokyo day); ``created_at`` keeps that local time and offset.
  An unknown zone name falls back to the UTC date, noted in the entry's metadata
  (``lucy_notes``). When the time zone database itself is missing (Windows without the
  ``tzdata`` package) the import stops with an error saying so.
- Text: Day One's needless backslash escapes (``\\.``, ``\\-``, ``\\!``, ``\\(`` …) are
  removed where they change nothing; escapes that matter in Markdown (``\\*``, ``\\_``,
  ``\\[``, a ``\\#`` or ``\\-`` that starts a line …) and code are kept.
- ``![](dayone-moment://<identifier>)`` becomes ``![](attachment:<sha256>)`` when the file is
  in the archive (matched through the entry's ``photos`` array: identifier → md5 + type);
  when it is absent the reference stays as it was and ``missing_attachments`` in the
  metadata lists it. Media the text never mentions are attached and appended.
- A first-line ``# Heading`` (Day One's title line) becomes the title.
- Tags, starred → Lucy's fields; everything else the entry has (location, weather, device,
  editingTime, …) is kept under ``metadata["dayone"]``. Only ``text``/``richText`` (the
  body) and the mapped fields are left out.
- An entry with no text and no media is not imported (the import reports it).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path, PurePosixPath
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from lucy_app.core import errors
from lucy_app.core.entries import Draft
from lucy_app.core.io import sources
from lucy_app.core.io.importer import Attachment, Batch, Item
from lucy_app.core.io.markdown import heading_title

SOURCE = "dayone"
#: Entry arrays holding media, and the archive folder their files are in.
MEDIA = {"photos": "photos", "videos": "videos", "audios": "audios", "pdfAttachments": "pdfs"}
_MAPPED = {"text", "richText", "tags", "starred"}
MIME = {
    "jpeg": "image/jpeg", "jpg": "image/jpeg", "png": "image/png", "gif": "image/gif",
    "heic": "image/heic", "webp": "image/webp", "tiff": "image/tiff", "mov": "video/quicktime",
    "mp4": "video/mp4", "m4a": "audio/mp4", "aac": "audio/aac", "mp3": "audio/mpeg",
    "wav": "audio/wav", "pdf": "application/pdf",
}
_ALIASES = {"jpeg": "jpg", "jpg": "jpeg", "tiff": "tif"}
_MOMENT = re.compile(r"!\[([^\]\n]*)\]\(dayone-moment:/{1,2}(?:[A-Za-z]+/)?([A-Za-z0-9-]+)\)")


def read(path: Path) -> Batch:
    """Every entry of a Day One export (zip, bare JSON, or an unzipped export folder)."""
    path = Path(path)
    if path.is_dir():
        return _read_folder(path)
    if sources.is_zip(path):
        with sources.SafeZip(path) as archive:
            journals = _journal_members(archive.names())
            if not journals:
                raise errors.ImportFailed(f"{path}: no journal in this archive (expected Journal.json at its root)",
                                          hint="choose the zip Day One's \"Export → JSON\" wrote")
            # media are found beside their journal (a re-zipped export has one folder on top)
            return _read_journals([(n, archive.read(n)) for n in journals], archive.read, str(path))
    data = sources.read_bytes(path)
    folder = path.parent
    return _read_journals([(path.name, data)], lambda name: _file_in(folder, name), str(path))


def _journal_members(names: list[str]) -> list[str]:
    """The journals of an export: ``*.json`` at the root, else one folder down."""
    def journals_at(depth: int) -> list[str]:
        return sorted(n for n in names if n.lower().endswith(".json") and n.count("/") == depth
                      and not PurePosixPath(n).name.startswith(("._", ".")) and not n.startswith("__MACOSX/"))

    return journals_at(0) or journals_at(1)


def _read_folder(folder: Path) -> Batch:
    journals = sorted(p for p in folder.glob("*.json") if p.is_file())
    if not journals:
        raise errors.ImportFailed(f"{folder}: no Day One journal (*.json) in this folder")
    return _read_journals([(p.name, sources.read_bytes(p)) for p in journals],
                          lambda name: _file_in(folder, name), str(folder))


def _file_in(folder: Path, name: str) -> bytes | None:
    """A media file of an unzipped export (only inside its folder, never through a link)."""
    target = folder / name
    try:
        if target.is_symlink() or not target.is_file():
            return None
        if folder.resolve() not in target.resolve().parents:
            return None
    except OSError:
        return None
    return sources.read_bytes(target)


def _read_journals(journals, fetch, label: str) -> Batch:
    batch = Batch()
    zones: dict[str, ZoneInfo | None] = {}
    seen: dict[str, str] = {}
    for name, data in journals:
        text = sources.decode(data, name)
        doc = sources.parse_json(text, name)
        if not isinstance(doc, dict) or not isinstance(doc.get("entries"), list):
            raise errors.ImportFailed(f"{name}: not a Day One export (no \"entries\" list)",
                                      hint="choose the JSON or zip from Day One's \"Export → JSON\"")
        journal = PurePosixPath(name).stem
        folder = str(PurePosixPath(name).parent)
        here = fetch if folder == "." else (lambda member, _f=folder: fetch(f"{_f}/{member}"))
        for number, raw in enumerate(doc["entries"], start=1):
            where = f"{name}: entry {number}"
            if isinstance(raw, dict) and isinstance(raw.get("uuid"), str):
                where += f" (uuid {raw['uuid']})"
            try:
                item = _item(raw, journal, here, zones)
            except errors.ImportFailed as exc:
                raise errors.ImportFailed(f"{where}: {exc.message}", hint=exc.hint) from None
            except errors.LucyError as exc:
                raise errors.ImportFailed(f"{where}: {exc.user_text()}") from None
            if item is None:
                batch.notes.append(f"{where}: empty (no text, no media), not imported")
                continue
            if item.draft.uid in seen:
                raise errors.ImportFailed(f"{where}: the uuid is already used by {seen[item.draft.uid]}")
            seen[item.draft.uid] = where
            batch.items.append(item)
    return batch


def _item(raw: object, journal: str, fetch, zones: dict) -> Item | None:
    if not isinstance(raw, dict):
        raise errors.ImportFailed(f"expected an object, got {type(raw).__name__}")
    uuid = raw.get("uuid")
    if not isinstance(uuid, str) or not uuid.strip():
        raise errors.ImportFailed("missing \"uuid\"")
    created_utc = _utc(raw.get("creationDate"), "creationDate", required=True)
    zone_name = raw.get("timeZone")
    notes: list[str] = []
    zone = _zone(zone_name, zones, notes)
    created = created_utc.astimezone(zone)
    modified = _utc(raw.get("modifiedDate"), "modifiedDate")
    updated = modified.astimezone(zone) if modified and modified >= created_utc else None
    text = raw.get("text", "")
    if text is None:
        text = ""
    if not isinstance(text, str):
        raise errors.ImportFailed("\"text\" must be a string")
    tags = raw.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise errors.ImportFailed("\"tags\" must be a list of strings")
    starred = raw.get("starred", False)
    if not isinstance(starred, bool):
        raise errors.ImportFailed("\"starred\" must be true or false")

    body, files, missing = _media(unescape(text), raw, fetch)
    if not body.strip():
        return None
    title, body = heading_title(body)
    metadata: dict = {"dayone": {k: v for k, v in raw.items() if k not in _MAPPED}, "journal": journal}
    if missing:
        metadata["missing_attachments"] = missing
    if notes:
        metadata["lucy_notes"] = notes
    draft = Draft.make(
        body, day=created.date(), title=title, tags=tags, starred=starred, created_at=created, updated_at=updated,
        uid=f"dayone:{uuid.strip()}", source=SOURCE, metadata=metadata,
    )
    return Item(draft, attachments=tuple(files))


def _utc(value: object, key: str, *, required: bool = False) -> datetime | None:
    if value is None or value == "":
        if required:
            raise errors.ImportFailed(f"missing \"{key}\"")
        return None
    if not isinstance(value, str):
        raise errors.ImportFailed(f"\"{key}\" must be a date string, got {value!r}")
    try:
        stamp = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise errors.ImportFailed(f"invalid \"{key}\" {value!r}") from None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)  # Day One writes UTC
    return stamp.astimezone(UTC)


_GMT_OFFSET = re.compile(r"^(?:GMT|UTC)?([+-])(\d{1,2}):?(\d{2})?$")


def _zone(name: object, cache: dict, notes: list[str]):
    """The entry's zone; UTC (with a note) when the name is unknown; an error without tzdata."""
    if name is None or name == "":
        notes.append("no time zone in the export; the day is the UTC date")
        return UTC
    if not isinstance(name, str):
        raise errors.ImportFailed(f"\"timeZone\" must be a string, got {name!r}")
    if name in cache:
        zone = cache[name]
    else:
        zone = cache[name] = _lookup_zone(name)
    if zone is None:
        notes.append(f"unknown time zone {name!r}; the day is the UTC date")
        return UTC
    return zone


def _lookup_zone(name: str):
    match = _GMT_OFFSET.match(name.strip())
    if match:
        sign, hours, minutes = match.groups()
        delta = timedelta(hours=int(hours), minutes=int(minutes or 0))
        return timezone(-delta if sign == "-" else delta) if delta < timedelta(hours=24) else None
    if name.strip().upper() in ("GMT", "UTC", "Z"):
        return UTC
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        pass
    if not tz_database_available():
        raise errors.ImportFailed(
            f"cannot find the time zone {name!r}: this computer has no time zone database",
            hint="install it with `pip install tzdata` (needed on Windows), then import again",
        )
    return None


def tz_database_available() -> bool:
    for probe in ("Europe/London", "America/New_York", "Asia/Tokyo"):
        try:
            ZoneInfo(probe)
            return True
        except (ZoneInfoNotFoundError, ValueError):
            continue
    return False


def _media(text: str, raw: dict, fetch) -> tuple[str, list[Attachment], list[str]]:
    """Attach the entry's media from the archive; rewrite their references in the text."""
    by_id: dict[str, tuple[str, dict]] = {}
    for key, folder in MEDIA.items():
        listed = raw.get(key) or []
        if not isinstance(listed, list):
            raise errors.ImportFailed(f"\"{key}\" must be a list")
        for m in listed:
            if not isinstance(m, dict) or not isinstance(m.get("identifier"), str):
                raise errors.ImportFailed(f"\"{key}\": every item needs an \"identifier\"")
            by_id[m["identifier"].upper()] = (folder, m)
    files: dict[str, Attachment] = {}
    missing: list[str] = []
    used: set[str] = set()

    def file_for(identifier: str) -> Attachment | None:
        folder, m = by_id[identifier]
        md5, kind = m.get("md5"), m.get("type") or ("pdf" if folder == "pdfs" else None)
        if not isinstance(md5, str) or not re.fullmatch(r"[A-Za-z0-9]+", md5) or not isinstance(kind, str) \
                or not re.fullmatch(r"[A-Za-z0-9]+", kind):
            return None
        for ext in dict.fromkeys([kind, kind.lower(), _ALIASES.get(kind.lower(), kind)]):
            data = fetch(f"{folder}/{md5}.{ext}")
            if data is not None:
                return Attachment(data=data, mime=MIME.get(kind.lower(), "application/octet-stream"),
                                  name=f"{md5}.{ext}")
        return None

    def rewrite(match: re.Match) -> str:
        caption, identifier = match.group(1), match.group(2).upper()
        if identifier not in by_id:
            if identifier not in missing:
                missing.append(identifier)
            return match.group(0)
        used.add(identifier)
        file = file_for(identifier)
        if file is None:
            if identifier not in missing:
                missing.append(identifier)
            return match.group(0)
        files[file.sha256] = file
        return f"![{caption}](attachment:{file.sha256})"

    body = _MOMENT.sub(rewrite, text)
    extra = []
    for identifier in by_id:
        if identifier in used:
            continue
        file = file_for(identifier)
        if file is None:
            missing.append(identifier)
            continue
        if file.sha256 not in files:
            extra.append(f"![](attachment:{file.sha256})")
        files[file.sha256] = file
    if extra:
        body = (body.rstrip() + "\n\n" if body.strip() else "") + "\n".join(extra)
    return body, list(files.values()), missing


# --- Day One's backslash escapes ----------------------------------------------------------

#: Escaped characters whose escape never changes how Markdown renders in running text.
_NEEDLESS = set(".-!()+#>{}=|~:'\"/&%$,;?@")
_ESCAPE = re.compile(r"\\(.)")
#: At the start of a line these keep a literal character from becoming Markdown syntax.
_LINE_START = re.compile(r"^(\s*)(\\[#>+\-]|\d+\\[.)])")
_FENCE = re.compile(r"^\s*(```|~~~)")


def unescape(text: str) -> str:
    """Remove Day One's needless escapes, keeping those that matter and code untouched."""
    out, in_fence = [], False
    for line in text.split("\n"):
        if _FENCE.match(line):
            in_fence = not in_fence
            out.append(line)
            continue
        if in_fence or line.startswith("    ") or line.startswith("\t"):
            out.append(line)
            continue
        keep = _LINE_START.match(line)
        head, rest = (line[:keep.end()], line[keep.end():]) if keep else ("", line)
        parts = re.split(r"(`+[^`]*`+)", rest)  # leave inline code alone
        out.append(head + "".join(p if p.startswith("`") else _ESCAPE.sub(_drop_needless, p) for p in parts))
    return "\n".join(out)


def _drop_needless(match: re.Match) -> str:
    return match.group(1) if match.group(1) in _NEEDLESS else match.group(0)
