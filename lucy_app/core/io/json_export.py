"""Lucy's own lossless JSON export: ``lucy export json FILE`` / ``lucy import json FILE``.

One JSON object::

    {"format": "lucy-journal", "version": 1, "lucy": "0.1.0", "exported_at": "…",
     "entries": [{"uid", "day", "created_at", "updated_at", "title", "body", "tags",
                  "mood", "starred", "source", "metadata", "deleted_at",
                  "attachments": [{"sha256", "name", "mime", "size", "created_at",
                                   "data": "<base64>"}]}],
     "attachments": [ … files that belong to no entry … ],
     "digests": [{"level", "period_start", "period_end", "text", "cited": [uid…],
                  "entries": [uid…], "children": ["week:2024-03-04", …], "citations": …,
                  "writer", "model", "prompt_version", "input_hash", "partial",
                  "n_entries", "dropped_citations", "created_at"}]}

Everything is kept, trashed entries included (with their trash time). Row ids are not:
entries are named by uid and digests by ``level:period_start``, so the file imports into
any journal. A digest's citation markers ``[#12, #13]`` are written ``[#@1, #@2]``,
numbers into its ``cited`` uids; inside ``citations`` a member holding entry ids
(``entries``, ``entry_ids``, ``entry_id``) is written ``<name>@uid`` with uids, one holding
digest ids (``children``, ``child_ids``, ``digest_id``…) ``<name>@digest`` with
``level:period_start`` names; everything else is copied as is. A digest's ``source_seq``
(a position in this journal's change log) is not exported; an import sets it to the
newest change of its period when the journal's live entries there are exactly the file's,
else 0. (The digest planner decides freshness from its own ``input_hash``.)

The same file exported from a journal, imported into an empty one and exported again is
identical but for ``exported_at``.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from datetime import datetime
from pathlib import Path

from lucy_app import __version__
from lucy_app.core import entries, errors
from lucy_app.core.entries import Draft, Entry
from lucy_app.core.io import atomic, sources
from lucy_app.core.io.importer import Attachment, Batch, Item
from lucy_app.core.periods import LEVELS
from lucy_app.core.storage import attachments as attachment_store
from lucy_app.core.storage import digests as digest_store
from lucy_app.core.storage import entries as entry_store
from lucy_app.core.storage import exchange
from lucy_app.core.storage.db import Database
from lucy_app.core.storage.open_journals import refuse_open_journal

FORMAT = "lucy-journal"
VERSION = 1
MAX_FILE_BYTES = 4 * 1024**3
_DIGEST_FIELDS = ("level", "period_start", "period_end", "text", "writer", "model", "prompt_version",
                  "input_hash", "partial", "n_entries", "dropped_citations", "created_at")


# --- export --------------------------------------------------------------------------------


def build(db: Database) -> dict:
    """The whole journal as one JSON-ready object."""
    with db.read() as conn:
        rows = [Entry.from_row(r) for r in entry_store.uids(conn).values()]
        files = attachment_store.all_rows(conn)
        digests = exchange.digest_rows(conn)
    rows.sort(key=lambda e: (e.day, e.created_at.isoformat(), e.uid))
    uid_of = {e.id: e.uid for e in rows}
    files_of: dict[int | None, list[dict]] = {}
    for f in files:
        files_of.setdefault(f["entry_id"], []).append(_file_object(f))
    key_of = {d["id"]: f"{d['level']}:{d['period_start']}" for d in digests}
    return {
        "format": FORMAT,
        "version": VERSION,
        "lucy": __version__,
        "exported_at": entries.now().isoformat(),
        "entries": [_entry_object(e, files_of.get(e.id, [])) for e in rows],
        "attachments": files_of.get(None, []),
        "digests": [_digest_object(d, uid_of, key_of) for d in digests],
    }


def write(db: Database, path: Path) -> dict[str, int]:
    with errors.writing(path):
        return _write(db, Path(path))


def _write(db: Database, path: Path) -> dict[str, int]:
    """Write the export to ``path`` atomically; returns what it holds."""
    path = Path(path)
    refuse_open_journal(path, "a file to export to")
    doc = build(db)
    with atomic.replacing(path) as f:
        json.dump(doc, f, ensure_ascii=False, indent=1, sort_keys=True)
        f.write("\n")
    return {"entries": len(doc["entries"]),
            "attachments": sum(len(e["attachments"]) for e in doc["entries"]) + len(doc["attachments"]),
            "digests": len(doc["digests"])}


def _entry_object(e: Entry, files: list[dict]) -> dict:
    return {
        "uid": e.uid, "day": e.day.isoformat(), "created_at": e.created_at.isoformat(),
        "updated_at": e.updated_at.isoformat(), "title": e.title, "body": e.body, "tags": list(e.tags),
        "mood": e.mood, "starred": e.starred, "source": e.source, "metadata": e.metadata,
        "deleted_at": e.deleted_at.isoformat() if e.deleted_at else None, "attachments": files,
    }


def _file_object(f: dict) -> dict:
    return {"sha256": f["sha256"], "name": f["name"], "mime": f["mime"], "size": f["size"],
            "created_at": f["created_at"], "data": base64.b64encode(bytes(f["data"])).decode("ascii")}


def _digest_object(d: dict, uid_of: dict[int, str], key_of: dict[int, str]) -> dict:
    obj = {k: d[k] for k in _DIGEST_FIELDS}
    obj["partial"] = bool(obj["partial"])
    # ids of entries or digests deleted for good since are left out (they cannot be named)
    obj["entries"] = [uid_of[i] for i in _json_list(d["entry_ids"]) if i in uid_of]
    obj["children"] = [key_of[i] for i in _json_list(d["child_ids"]) if i in key_of]
    obj["citations"] = _map_ids(json.loads(d["citations"]), uid_of, key_of)
    obj["text"], obj["cited"] = _markers_out(d["text"], uid_of)
    return obj


def _json_list(text: str) -> list:
    value = json.loads(text)
    return value if isinstance(value, list) else []


#: Keys inside ``citations`` whose values are entry ids / digest ids. Exported as
#: ``<key>@uid`` / ``<key>@digest`` with names instead of ids, so the mapping reverses.
_ENTRY_KEYS = {"entries", "entry_ids", "entry_id"}
_DIGEST_KEYS = {"children", "child_ids", "child_id", "digest_id", "digest_ids", "digests"}


def _is_id(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _map_ids(value, uid_of, key_of):
    if isinstance(value, list):
        return [_map_ids(v, uid_of, key_of) for v in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for k, v in value.items():
        table, suffix = (uid_of, "@uid") if k in _ENTRY_KEYS else (key_of, "@digest") if k in _DIGEST_KEYS else (None, "")
        if table is not None and _is_id(v):
            out[k + suffix] = table.get(v)
        elif table is not None and isinstance(v, list) and all(_is_id(i) for i in v):
            out[k + suffix] = [table[i] for i in v if i in table]
        else:
            out[k] = _map_ids(v, uid_of, key_of)
    return out


def _unmap_ids(value, id_of, digest_of, where):
    if isinstance(value, list):
        return [_unmap_ids(v, id_of, digest_of, where) for v in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for k, v in value.items():
        base, _, kind = k.rpartition("@")
        table = id_of if kind == "uid" else digest_of if kind == "digest" else None
        if table is None or not base:
            out[k] = _unmap_ids(v, id_of, digest_of, where)
        elif v is None:
            out[base] = None
        elif isinstance(v, str):
            out[base] = _resolve(table, v, where)
        elif isinstance(v, list) and all(isinstance(i, str) for i in v):
            out[base] = [_resolve(table, i, where) for i in v]
        else:
            raise errors.ImportFailed(f"{where}: invalid citation {k!r}")
    return out


#: Citation markers in a digest's text, as the digest writer renders them: ``[#12, #13]``.
_MARKER = re.compile(r"\[(#\d+(?:\s*,\s*#?\d+)*)\]")
_EXPORTED_MARKER = re.compile(r"\[(#@\d+(?:\s*,\s*#@\d+)*)\]")


def _markers_out(text: str, uid_of: dict[int, str]) -> tuple[str, list[str | None]]:
    """``[#12, #13]`` → ``[#@1, #@2]``, numbering the cited uids (None: deleted for good)."""
    cited: list[str | None] = []
    index: dict[int, int] = {}

    def one(number: str) -> str:
        i = int(number.strip().lstrip("#"))
        if i not in index:
            cited.append(uid_of.get(i))
            index[i] = len(cited)
        return f"#@{index[i]}"

    def group(m: re.Match) -> str:
        return "[" + ", ".join(one(n) for n in m.group(1).split(",")) + "]"

    return _MARKER.sub(group, text), cited


def _markers_in(text: str, cited: list, id_of: dict[str, int], where: str) -> str:
    def one(token: str) -> str:
        k = int(token.strip()[2:])
        if not 1 <= k <= len(cited):
            raise errors.ImportFailed(f"{where}: citation marker #@{k} has no entry in \"cited\"")
        uid = cited[k - 1]
        return f"#{_resolve(id_of, uid, where) if uid is not None else 0}"

    return _EXPORTED_MARKER.sub(lambda m: "[" + ", ".join(one(t) for t in m.group(1).split(",")) + "]", text)


def _resolve(table: dict, name: str, where: str) -> int:
    if name not in table:
        raise errors.ImportFailed(f"{where}: cites {name!r}, which is neither in the file nor the journal")
    return table[name]


# --- import --------------------------------------------------------------------------------


def read(path: Path) -> Batch:
    path = Path(path)
    text = sources.decode(sources.read_bytes(path, limit=MAX_FILE_BYTES), str(path))
    doc = sources.parse_json(text, str(path))
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise errors.ImportFailed(f"{path}: not a Lucy JSON export",
                                  hint="`lucy export json FILE` writes one; for JSON Lines use `lucy import jsonl`")
    version = doc.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version > VERSION:
        raise errors.ImportFailed(f"{path}: written by a newer Lucy (format version {version!r})",
                                  hint="update Lucy to import it")
    for key in ("entries", "attachments", "digests"):
        if not isinstance(doc.get(key, []), list):
            raise errors.ImportFailed(f"{path}: \"{key}\" must be a list")
    batch = Batch()
    uids: set[str] = set()
    for number, obj in enumerate(doc.get("entries", []), start=1):
        where = f"{path}: entry {number}"
        if isinstance(obj, dict) and isinstance(obj.get("uid"), str):
            where += f" (uid {obj['uid']})"
        try:
            item = _item(obj)
        except errors.ImportFailed as exc:
            raise errors.ImportFailed(f"{where}: {exc.message}", hint=exc.hint) from None
        except errors.LucyError as exc:
            raise errors.ImportFailed(f"{where}: {exc.user_text()}") from None
        if item.draft.uid in uids:
            raise errors.ImportFailed(f"{where}: the uid is used twice")
        uids.add(item.draft.uid)
        batch.items.append(item)
    for number, obj in enumerate(doc.get("attachments", []), start=1):
        batch.loose_attachments.append(_file(obj, f"{path}: attachment {number}"))
    keys = set()
    for number, obj in enumerate(doc.get("digests", []), start=1):
        where = f"{path}: digest {number}"
        digest = _digest(obj, where)
        key = (digest["level"], digest["period_start"])
        if key in keys:
            raise errors.ImportFailed(f"{where}: a second digest for {key[0]} {key[1]}")
        keys.add(key)
        batch.digests.append(digest)
    return batch


def _item(obj: object) -> Item:
    if not isinstance(obj, dict):
        raise errors.ImportFailed(f"expected an object, got {type(obj).__name__}")
    for key in ("uid", "day", "created_at", "updated_at", "body"):
        if not isinstance(obj.get(key), str):
            raise errors.ImportFailed(f"missing or invalid \"{key}\"")
    for key in ("title", "source", "deleted_at"):
        if obj.get(key) is not None and not isinstance(obj[key], str):
            raise errors.ImportFailed(f"\"{key}\" must be a string")
    if not isinstance(obj.get("tags", []), list) or not isinstance(obj.get("metadata", {}), dict):
        raise errors.ImportFailed("\"tags\" must be a list and \"metadata\" an object")
    if not isinstance(obj.get("starred", False), bool) or not isinstance(obj.get("attachments", []), list):
        raise errors.ImportFailed("\"starred\" must be true/false and \"attachments\" a list")
    created, updated = _stamp(obj["created_at"], "created_at"), _stamp(obj["updated_at"], "updated_at")
    deleted = obj.get("deleted_at")
    if deleted is not None:
        _stamp(deleted, "deleted_at")
    draft = Draft.make(
        obj["body"], day=obj["day"], title=obj.get("title"), tags=obj.get("tags") or (),
        mood=obj.get("mood"), starred=obj.get("starred", False), created_at=created, updated_at=updated,
        uid=obj["uid"], source=obj.get("source") or "lucy", metadata=obj.get("metadata") or {},
    )
    files = tuple(_file(f, f"attachment {i}") for i, f in enumerate(obj.get("attachments", []), start=1))
    return Item(draft, attachments=files, trashed_at=deleted)


def _stamp(value: str, key: str) -> datetime:
    try:
        stamp = datetime.fromisoformat(value)
    except ValueError:
        raise errors.ImportFailed(f"invalid \"{key}\" {value!r}") from None
    if stamp.tzinfo is None:
        raise errors.ImportFailed(f"\"{key}\" {value!r} has no UTC offset")
    return stamp


def _file(obj: object, where: str) -> Attachment:
    if not isinstance(obj, dict) or not isinstance(obj.get("data"), str) or not isinstance(obj.get("mime"), str):
        raise errors.ImportFailed(f"{where}: needs \"data\" (base64) and \"mime\"")
    try:
        data = base64.b64decode(obj["data"], validate=True)
    except (binascii.Error, ValueError):
        raise errors.ImportFailed(f"{where}: \"data\" is not valid base64") from None
    file = Attachment(data=data, mime=obj["mime"], name=obj.get("name") if isinstance(obj.get("name"), str) else None,
                      created_at=obj.get("created_at") if isinstance(obj.get("created_at"), str) else None)
    if obj.get("sha256") is not None and obj["sha256"] != file.sha256:
        raise errors.ImportFailed(f"{where}: the data does not match its sha256 (damaged file?)")
    return file


def _digest(obj: object, where: str) -> dict:
    if not isinstance(obj, dict):
        raise errors.ImportFailed(f"{where}: expected an object")
    if obj.get("level") not in LEVELS:
        raise errors.ImportFailed(f"{where}: invalid level {obj.get('level')!r}")
    for key in ("period_start", "period_end", "text", "writer", "prompt_version", "input_hash", "created_at"):
        if not isinstance(obj.get(key), str):
            raise errors.ImportFailed(f"{where}: missing or invalid \"{key}\"")
    if obj["writer"] not in ("extractive", "llm"):
        raise errors.ImportFailed(f"{where}: invalid writer {obj['writer']!r}")
    try:
        entries.parse_day(obj["period_start"]), entries.parse_day(obj["period_end"])
    except errors.InvalidInput as exc:
        raise errors.ImportFailed(f"{where}: {exc.message}") from None
    for key in ("entries", "children"):
        if not isinstance(obj.get(key, []), list) or not all(isinstance(v, str) for v in obj.get(key, [])):
            raise errors.ImportFailed(f"{where}: \"{key}\" must be a list of names")
    for key in ("n_entries", "dropped_citations"):
        if not isinstance(obj.get(key, 0), int):
            raise errors.ImportFailed(f"{where}: \"{key}\" must be a number")
    if obj.get("model") is not None and not isinstance(obj["model"], str):
        raise errors.ImportFailed(f"{where}: \"model\" must be a string")
    cited = obj.get("cited", [])
    if not isinstance(cited, list) or not all(c is None or isinstance(c, str) for c in cited):
        raise errors.ImportFailed(f"{where}: \"cited\" must be a list of uids")
    digest = {k: obj.get(k) for k in _DIGEST_FIELDS}
    digest.update(partial=bool(obj.get("partial")), n_entries=obj.get("n_entries", 0),
                  dropped_citations=obj.get("dropped_citations", 0), entries=list(obj.get("entries", [])),
                  children=list(obj.get("children", [])), citations=obj.get("citations", []),
                  cited=list(cited), where=where)
    return digest


def write_digests(conn, digests: list[dict], file_uids: set[str]) -> None:
    """Insert imported digests (inside the import's transaction), names → this journal's ids.

    ``file_uids``: every entry of the imported file; a digest is as fresh as in the file
    when the journal's live entries in its period all came from the file.
    """
    id_of = exchange.uid_to_id(conn)
    keys = {f"{lv}:{ps}": i for (lv, ps), i in exchange.digest_keys(conn).items()}
    pending = []
    for d in digests:
        where = d["where"]
        entry_ids = [_resolve(id_of, u, where) for u in d["entries"]]
        period_uids = exchange.live_uids_between(conn, d["period_start"], d["period_end"])
        fresh = period_uids <= file_uids and len(period_uids) == d["n_entries"]
        row = {k: d[k] for k in _DIGEST_FIELDS}
        row["text"] = _markers_in(d["text"], d["cited"], id_of, where)
        row.update(
            partial=int(d["partial"]), entry_ids=json.dumps(entry_ids), child_ids="[]", citations="[]",
            source_seq=digest_store.newest_change(conn, d["period_start"], d["period_end"]) if fresh else 0,
        )
        digest_id = exchange.insert_digest(conn, row)
        keys[f"{d['level']}:{d['period_start']}"] = digest_id
        pending.append((digest_id, d))
    for digest_id, d in pending:  # children and citations may name digests inserted above
        where = d["where"]
        exchange.set_digest_children(conn, digest_id, [_resolve(keys, k, where) for k in d["children"]])
        citations = _unmap_ids(d["citations"], id_of, keys, where)
        exchange.set_digest_citations(conn, digest_id, json.dumps(citations, ensure_ascii=False))
