"""A folder of Markdown files in, a folder of Markdown files out.

Import (``lucy import markdown DIR``): every ``.md``/``.markdown`` file under DIR is one
entry (a note per entry or per day, e.g. an Obsidian vault's daily notes); other files
are ignored, and so are hidden files and folders (``.obsidian``, ``.trash``).

- The day comes from front matter ``date:`` (``2024-03-05``, or a date-time whose local
  date is taken), else ``created:``, else the file name: ``2024-03-05.md``,
  ``2024-03-05 Tuesday.md``, ``2024-03-05-kite.md``, ``20240305.md``. A day-month-year
  name (``05-03-2024.md``: 5 March or 3 May?) is refused unless the front matter has a date;
  so is a file with no date at all. The error names the file; nothing is imported.
- Title: front matter ``title:``, else a first-line ``# Heading`` (taken out of the body).
- Tags: front matter ``tags:`` (``[a, b]``, a YAML list, or ``a, b``) and inline ``#tags``
  outside code (not ``#1``, not headings).
- ``mood``, ``starred``, ``id`` (the entry's uid; Lucy's own export writes it),
  ``updated`` are read too; other front-matter keys are kept in the entry's metadata.
- Without an ``id`` the uid is a hash of day, title and body: importing the same folder
  again adds nothing (an edited file comes in as a new entry).
- Images: ``![alt](relative/path.png)`` and Obsidian's ``![[photo.png]]`` pointing at a
  file inside DIR are stored as attachments (``attachment:<sha256>``).

Front matter is read by a small parser (``key: value``, quoted strings, flow lists
``[a, b]``, block lists ``- a``, one level of nested keys): enough for diaries, no
YAML dependency.

Export (``lucy export markdown DIR``): one file per live entry, ``YYYY-MM-DD-<slug>.md``,
with front matter (date, title, tags, mood, starred, id, created); attachments in
``attachments/`` with the Markdown pointing at them; digests in
``digests/<level>/<period_start>.md``. DIR must be empty, new, or a previous Lucy export
(marked by ``.lucy-export.json``, whose listed files are replaced; others are left alone).
"""

from __future__ import annotations

import json
import mimetypes
import os
import re
import unicodedata
import urllib.parse
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from lucy_app import __version__
from lucy_app.core import entries, errors
from lucy_app.core.entries import MAX_TAG_LENGTH, Draft, Entry
from lucy_app.core.io import sources
from lucy_app.core.io.importer import Attachment, Batch, Item
from lucy_app.core.storage import attachments as attachment_store
from lucy_app.core.storage import entries as entry_store
from lucy_app.core.storage import exchange
from lucy_app.core.storage.db import Database
from lucy_app.core.storage.open_journals import is_open_journal

SOURCE = "markdown"
SUFFIXES = (".md", ".markdown")
MARKER = ".lucy-export.json"
_KNOWN = {"date", "created", "title", "tags", "tag", "mood", "starred", "id", "updated"}


# --- a tiny front-matter parser ----------------------------------------------------------


@dataclass
class FrontMatter:
    values: dict = field(default_factory=dict)
    lines: dict = field(default_factory=dict)  # key → line number in the file


def split_front_matter(text: str, where: str) -> tuple[FrontMatter, str, int]:
    """(front matter, body, the body's first line number)."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        return FrontMatter(), text, 1
    for end in range(1, len(lines)):
        if lines[end].rstrip() in ("---", "..."):
            fm = parse_front_matter(lines[1:end], where, first_line=2)
            return fm, "\n".join(lines[end + 1:]), end + 2
    raise errors.ImportFailed(f"{where}:1: the front matter (---) is never closed",
                              hint="end it with a line of three dashes")


_KEY = re.compile(r"^([A-Za-z0-9_][\w .-]*?)\s*:(?:\s+(.*?))?\s*$")
_ITEM = re.compile(r"^(\s*)-(?:\s+(.*?))?\s*$")


def parse_front_matter(lines: list[str], where: str, *, first_line: int = 1) -> FrontMatter:
    fm = FrontMatter()
    key: str | None = None
    for offset, line in enumerate(lines):
        number = first_line + offset
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        indented = line[:1] in (" ", "\t")
        item = _ITEM.match(line)
        if item and key is not None:  # a block list item (indented or not) under the last key
            current = fm.values.get(key)
            if current is None:
                current = fm.values[key] = []
            if not isinstance(current, list):
                raise errors.ImportFailed(f"{where}:{number}: a list item under {key!r}, which has a value")
            current.append(_scalar(item.group(2) or "", where, number))
            continue
        match = _KEY.match(line.strip())
        if match and indented and key is not None:  # one level of nested keys
            current = fm.values.get(key)
            if current is None:
                current = fm.values[key] = {}
            if isinstance(current, dict):
                current[match.group(1)] = _scalar(match.group(2) or "", where, number)
                continue
        elif match and not indented:
            key = match.group(1)
            fm.values[key] = _scalar(match.group(2), where, number) if match.group(2) else None
            fm.lines[key] = number
            continue
        raise errors.ImportFailed(f"{where}:{number}: cannot read this front-matter line: {line.strip()[:60]!r}",
                                  hint="front matter lines look like `key: value`")
    return fm


def _scalar(raw: str, where: str, number: int):
    text = raw.strip()
    if text.startswith("[") and text.endswith("]"):
        return [_scalar(p, where, number) for p in _split_flow(text[1:-1], where, number)]
    if text.startswith('"'):
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            raise errors.ImportFailed(f"{where}:{number}: a quoted value is not closed: {text[:60]!r}") from None
    if text.startswith("'"):
        if len(text) < 2 or not text.endswith("'"):
            raise errors.ImportFailed(f"{where}:{number}: a quoted value is not closed: {text[:60]!r}")
        return text[1:-1].replace("''", "'")
    text = re.sub(r"\s+#.*$", "", text)  # a trailing comment
    lowered = text.lower()
    if lowered in ("true", "yes"):
        return True
    if lowered in ("false", "no"):
        return False
    if lowered in ("null", "~", ""):
        return None
    if re.fullmatch(r"-?\d{1,15}", text):
        return int(text)
    return text


def _split_flow(inner: str, where: str, number: int) -> list[str]:
    parts, buf, quote = [], [], None
    for ch in inner:
        if quote:
            buf.append(ch)
            if ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
            buf.append(ch)
        elif ch == ",":
            parts.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
    if quote:
        raise errors.ImportFailed(f"{where}:{number}: a quoted value is not closed")
    parts.append("".join(buf))
    return [p for p in (x.strip() for x in parts) if p]


# --- import --------------------------------------------------------------------------------


def read(path: Path) -> Batch:
    """Every Markdown file under the folder ``path`` (or the one file ``path``)."""
    root = Path(path)
    if not root.exists():
        raise errors.ImportFailed(f"{root}: no such folder")
    if root.is_file():
        files, others, root = [root], {}, root.parent
    else:
        files, others = _walk(root)
    if not files:
        raise errors.ImportFailed(f"{root}: no Markdown files (*.md) in this folder")
    budget = [sources.MAX_TOTAL_BYTES]
    batch = Batch()
    for file in files:
        item = _read_file(root, file, others, budget)
        if item is None:
            batch.notes.append(f"{file.relative_to(root)}: empty, not imported")
        else:
            batch.items.append(item)
    return batch


def _walk(root: Path) -> tuple[list[Path], dict[str, list[Path]]]:
    lucy_export = (root / MARKER).is_file()
    files: list[Path] = []
    others: dict[str, list[Path]] = {}
    for folder, dirs, names in os.walk(root, followlinks=False):
        here = Path(folder)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".")
                         and not (lucy_export and here == root and d == "digests"))
        for name in sorted(names):
            if name.startswith("."):
                continue
            p = here / name
            if p.suffix.lower() in SUFFIXES:
                files.append(p)
            else:
                others.setdefault(name.lower(), []).append(p)
    return files, others


def _read_file(root: Path, file: Path, others: dict, budget: list[int]) -> Item | None:
    rel = file.relative_to(root).as_posix()
    text = sources.decode(sources.read_bytes(file), rel)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    fm, body, body_line = split_front_matter(text, rel)
    body = re.sub(r"\A(?:[ \t]*\n)+", "", body)
    values = fm.values

    def fail(key: str | None, message: str, hint: str | None = None):
        line = fm.lines.get(key) if key else None
        raise errors.ImportFailed(f"{rel}{':' + str(line) if line else ''}: {message}", hint=hint)

    day, created = _day(values, fm, file, fail)
    updated = None
    if values.get("updated") is not None:
        updated = _datetime_value(values["updated"], "updated", fail)
        updated = updated if isinstance(updated, datetime) else None
    title = values.get("title")
    if title is not None and not isinstance(title, (str, int)):
        fail("title", "\"title\" must be text")
    title = str(title) if title is not None else None
    if title is None:
        title, body = heading_title(body)
    tags = _front_tags(values.get("tags", values.get("tag")), fail) + inline_tags(body)
    uid = values.get("id")
    if uid is not None and (not isinstance(uid, (str, int)) or isinstance(uid, bool) or not str(uid).strip()):
        fail("id", "\"id\" must be text")
    body, files, missing = _attachments(body, file.parent, root, others, budget)
    if not body.strip():
        return None
    extra = {k: v for k, v in values.items() if k not in _KNOWN}
    metadata: dict = {"file": rel}
    if extra:
        metadata["front_matter"] = sources.scrub(extra)
    if missing:
        metadata["missing_attachments"] = missing
    try:
        draft = Draft.make(
            body, day=day, title=title, tags=tags, mood=values.get("mood"),
            starred=_truthy(values.get("starred")), created_at=created, updated_at=updated,
            uid=str(uid).strip() if uid is not None else None, source=SOURCE, metadata=metadata,
        )
    except errors.LucyError as exc:
        raise errors.ImportFailed(f"{rel}: {exc.user_text()}") from None
    return Item(draft, attachments=tuple(files))


def _day(values: dict, fm: FrontMatter, file: Path, fail) -> tuple[date, datetime | None]:
    for key in ("date", "created"):
        if values.get(key) is not None:
            value = _datetime_value(values[key], key, fail)
            if isinstance(value, datetime):
                return value.date(), value
            created = None
            if key == "date" and values.get("created") is not None:
                c = _datetime_value(values["created"], "created", fail)
                created = c if isinstance(c, datetime) else None
            return value, created
    return day_from_name(file.stem, file.name, fail), None


def _datetime_value(value, key: str, fail) -> date | datetime:
    text = str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else ""
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return date.fromisoformat(text)
        if re.match(r"\d{4}-\d{2}-\d{2}[T ]\d", text):
            stamp = datetime.fromisoformat(text.replace("Z", "+00:00"))
            return stamp if stamp.tzinfo else stamp.astimezone()
    except (ValueError, OverflowError, OSError):
        pass
    fail(key, f"invalid {key} {value!r}", "use YYYY-MM-DD, e.g. 2024-03-05, or 2024-03-05T09:30")


_NAME_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:$|[^0-9])")
_NAME_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_NAME_DMY = re.compile(r"^(\d{1,2})[-._ ](\d{1,2})[-._ ](\d{4})(?:$|[^0-9])")


def day_from_name(stem: str, name: str, fail) -> date:
    match = _NAME_ISO.match(stem) or _NAME_COMPACT.match(stem)
    if match:
        try:
            return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            fail(None, f"the name has an invalid date ({match.group(0)[:10]})")
    match = _NAME_DMY.match(stem)
    if match:
        a, b, year = match.groups()
        fail(None, f"the date in the name is ambiguous ({a}-{b}-{year}: day-month or month-day?)",
             f"add front matter `date: {year}-MM-DD`, or rename it {year}-MM-DD.md")
    fail(None, "no date: neither front matter `date:` nor a file name like 2024-03-05.md",
         "add `date: YYYY-MM-DD` front matter, or move the file out of the folder")


_IMAGES_ONLY = re.compile(r"^\s*(?:!\[[^\]\n]*\]\([^)\n]*\)\s*)+$")
_HEADING = re.compile(r"^#\s+(.+?)\s*#*\s*$")


def heading_title(body: str) -> tuple[str | None, str]:
    """A first ``# Heading`` (after any image-only lines) as the title, out of the body.

    Returns (None, body) unchanged when the body does not start with one, or when the
    heading is all there is.
    """
    lines = body.split("\n")
    for i, line in enumerate(lines):
        if not line.strip() or _IMAGES_ONLY.match(line):
            continue
        match = _HEADING.match(line)
        if match:
            before = "\n".join(lines[:i]).strip("\n")
            after = "\n".join(lines[i + 1:]).strip("\n")
            if after.strip():
                return match.group(1), (before + "\n\n" + after if before.strip() else after)
        return None, body
    return None, body


def first_words(body: str) -> str:
    """The first line with text, without images, links' targets or Markdown marks (for names)."""
    for line in body.split("\n"):
        text = re.sub(r"!\[[^\]\n]*\]\([^)\n]*\)", "", line)
        text = re.sub(r"\[([^\]\n]*)\]\([^)\n]*\)", r"\1", text)
        text = text.strip(" #>*_-`")
        if text:
            return text
    return ""


def _front_tags(value, fail) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = re.split(r"[,\s]+", value)
    if not isinstance(value, list):
        value = [value]
    out = []
    for v in value:
        if isinstance(v, (dict, list)):
            fail("tags", "\"tags\" must be a list of words")
        if v is not None and not isinstance(v, bool):
            out.append(str(v))
    return out


_CODE_FENCE = re.compile(r"^\s*(```|~~~)")
_INLINE_TAG = re.compile(r"(?<![\w#&/\\\]\)\[(])#(\w[\w/-]*)")


def inline_tags(body: str) -> list[str]:
    """``#tags`` in the text, outside code, not headings, not purely numeric (``#1``)."""
    found, in_fence = [], False
    for line in body.split("\n"):
        if _CODE_FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence or line.startswith("    "):
            continue
        for part in re.split(r"`+[^`]*`+", line):
            for m in _INLINE_TAG.finditer(part):
                tag = m.group(1).rstrip("/-")
                if tag and not tag.isdigit() and not tag.replace("_", "").isdigit() and len(tag) <= MAX_TAG_LENGTH:
                    found.append(tag)
    return found


def _truthy(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "yes", "1", "y")
    return bool(value)


_IMAGE = re.compile(r"!\[([^\]\n]*)\]\(\s*(<[^>\n]+>|[^)\s]+)(\s+\"[^\"\n]*\")?\s*\)")
_EMBED = re.compile(r"!\[\[([^\]|\n#]+)(?:[#|][^\]\n]*)?\]\]")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def _attachments(body: str, here: Path, root: Path, others: dict, budget: list[int]):
    files: dict[str, Attachment] = {}
    missing: list[str] = []
    root_resolved = root.resolve()

    def load(target: Path) -> Attachment | None:
        try:
            resolved = target.resolve()
            if root_resolved not in resolved.parents or not resolved.is_file():
                return None
            data = sources.read_bytes(resolved)
        except (OSError, ValueError, errors.ImportFailed):  # ValueError: a NUL byte in the name
            return None
        budget[0] -= len(data)
        if budget[0] < 0:
            raise errors.ImportFailed(f"{root}: the images add up to more than {sources.MAX_TOTAL_BYTES} bytes")
        mime = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        file = Attachment(data=data, mime=mime, name=target.name)
        files[file.sha256] = file
        return file

    def image(match: re.Match) -> str:
        alt, target = match.group(1), match.group(2).strip("<>")
        if _SCHEME.match(target) or target.startswith("#"):
            return match.group(0)
        file = load(here / urllib.parse.unquote(target))
        if file is None:
            missing.append(target)
            return match.group(0)
        return f"![{alt}](attachment:{file.sha256})"

    def embed(match: re.Match) -> str:
        name = match.group(1).strip()
        candidates = [here / name] if "/" in name else []
        candidates += others.get(Path(name).name.lower(), [])
        for candidate in candidates:
            file = load(candidate)
            if file is not None:
                return f"![{Path(name).name}](attachment:{file.sha256})"
        if Path(name).suffix:  # a missing file; an embedded note has no suffix
            missing.append(name)
        return match.group(0)

    body = _EMBED.sub(embed, _IMAGE.sub(image, body))
    return body, list(files.values()), missing


# --- export --------------------------------------------------------------------------------


def slug(text: str, limit: int = 50) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    s = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:limit].rstrip("-")
    return s or "entry"


def _quoted(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def front_matter(entry: Entry) -> str:
    lines = ["---", f"date: {entry.day.isoformat()}"]
    if entry.title:
        lines.append(f"title: {_quoted(entry.title)}")
    if entry.tags:
        lines.append("tags: [" + ", ".join(_quoted(t) for t in entry.tags) + "]")
    if entry.mood:
        lines.append(f"mood: {entry.mood}")
    if entry.starred:
        lines.append("starred: true")
    lines.append(f"id: {_quoted(entry.uid)}")
    lines.append(f"created: {entry.created_at.isoformat()}")
    lines.append("---")
    return "\n".join(lines) + "\n"


_ATTACHMENT_REF = re.compile(r"attachment:([0-9a-f]{64})")


def export(db: Database, folder: Path) -> dict[str, int]:
    with errors.writing(folder):
        return _export(db, Path(folder))


def _export(db: Database, folder: Path) -> dict[str, int]:
    """Write every live entry, its attachments and the digests to ``folder``."""
    folder = Path(folder)
    previous = _check_target(folder)
    with db.read() as conn:
        found = [Entry.from_row(r) for r in entry_store.list_range(conn)]
        files_of = attachment_store.by_live_entry(conn, with_data=True)  # entry id → its files
        digests = exchange.digest_rows(conn)
        all_shas = {r["sha256"] for rows_ in files_of.values() for r in rows_}
        wanted = {s for e in found for s in _ATTACHMENT_REF.findall(e.body)} - all_shas
        stray = {s: attachment_store.data(conn, s) for s in sorted(wanted)}
    _remove_previous(folder, previous)
    folder.mkdir(parents=True, exist_ok=True)
    written: list[str] = []
    written_set: set[str] = set()  # ``written`` for lookups
    names: dict[int, str] = {}
    used: set[str] = set()
    att_names: dict[str, str] = {}

    def attachment_name(sha: str, name: str | None, mime: str) -> str:
        if sha not in att_names:
            ext = Path(name).suffix.lower() if name and Path(name).suffix else (mimetypes.guess_extension(mime) or "")
            ext = ext if re.fullmatch(r"\.[a-z0-9]{1,8}", ext) else ""
            att_names[sha] = f"attachments/{sha[:16]}{ext}"
        return att_names[sha]

    def write(rel: str, data: bytes) -> None:
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        written.append(rel)
        written_set.add(rel)

    for entry in found:
        base = f"{entry.day.isoformat()}-{slug(entry.title or first_words(entry.body))}"
        name, n = f"{base}.md", 2
        while name in used:
            name, n = f"{base}-{n}.md", n + 1
        used.add(name)
        names[entry.id] = name
        for row in files_of.get(entry.id, ()):
            rel = attachment_name(row["sha256"], row["name"], row["mime"])
            if rel not in written_set:
                write(rel, bytes(row["data"]))
        for sha in set(_ATTACHMENT_REF.findall(entry.body)):
            if sha not in att_names and stray.get(sha) is not None:
                write(attachment_name(sha, None, "application/octet-stream"), bytes(stray[sha]))
        body = _ATTACHMENT_REF.sub(lambda m: att_names.get(m.group(1), m.group(0)), entry.body)
        write(name, (front_matter(entry) + "\n" + body + "\n").encode("utf-8"))

    by_id = {e.id: e for e in found}
    for d in digests:
        rel = f"digests/{d['level']}/{d['period_start']}.md"
        write(rel, _digest_text(d, by_id, names).encode("utf-8"))

    marker = {"format": "lucy-markdown-export", "version": 1, "lucy": __version__,
              "exported_at": entries.now().isoformat(), "files": sorted(written)}
    (folder / MARKER).write_text(json.dumps(marker, indent=1) + "\n", encoding="utf-8")
    return {"entries": len(found), "attachments": len(att_names), "digests": len(digests)}


def _digest_text(d: dict, by_id: dict[int, Entry], names: dict[int, str]) -> str:
    head = ["---", f"level: {d['level']}", f"period_start: {d['period_start']}",
            f"period_end: {d['period_end']}", f"writer: {d['writer']}"]
    if d["model"]:
        head.append(f"model: {_quoted(d['model'])}")
    if d["partial"]:
        head.append("partial: true")
    head += [f"created: {d['created_at']}", "---", ""]
    lines = [d["text"].rstrip(), ""]
    try:
        cited = [i for i in json.loads(d["entry_ids"]) if isinstance(i, int)]
    except ValueError:
        cited = []
    if cited:
        lines += ["## Sources", ""]
        for i in cited:
            e = by_id.get(i)
            if e is None:
                lines.append(f"- entry {i} (not exported: in the trash or deleted)")
            else:
                lines.append(f"- [{e.day.isoformat()} {e.display_title}](../../{names[i]})")
        lines.append("")
    return "\n".join(head + lines)


def _check_target(folder: Path) -> list[str]:
    """The files of a previous export in ``folder`` (to replace); refuses any other folder."""
    if folder.exists() and not folder.is_dir():
        raise errors.InvalidInput(f"{folder} is a file, not a folder")
    if not folder.exists() or not any(folder.iterdir()):
        return []
    marker = folder / MARKER
    if not marker.is_file():
        raise errors.InvalidInput(
            f"{folder} is not empty and is not a previous Lucy export",
            hint="choose a new or empty folder; nothing was written",
        )
    try:
        listed = json.loads(marker.read_text(encoding="utf-8")).get("files", [])
    except (ValueError, OSError, AttributeError):
        raise errors.InvalidInput(f"{marker} is damaged", hint="choose a new or empty folder") from None
    return [f for f in listed if isinstance(f, str)]


def _remove_previous(folder: Path, listed: list[str]) -> None:
    root = folder.resolve()
    for rel in listed:
        target = folder / rel
        try:
            if target.is_symlink() or not target.is_file() or root not in target.resolve().parents \
                    or is_open_journal(target):
                continue
            target.unlink()
        except OSError:
            continue
    for sub in sorted({(folder / rel).parent for rel in listed}, key=lambda p: len(p.parts), reverse=True):
        while sub != folder and root in sub.resolve().parents:
            try:
                sub.rmdir()
            except OSError:
                break
            sub = sub.parent
