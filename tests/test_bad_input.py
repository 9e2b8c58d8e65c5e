"""Bad input never crashes Lucy and never half-changes a journal.

Every parser of a file a user hands Lucy (JSON Lines, Day One JSON and zip, jrnl text and
JSON, Markdown folders with front matter, Lucy's JSON export, the $EDITOR entry format,
settings values, GGUF model files) gets random bytes and mutations of a valid file. Each
case must end in success or in a known error (a ``LucyError``), and a failed import must
leave the journal exactly as it was. ``bench/fuzz_long.py`` runs the same targets for longer.
"""

from __future__ import annotations

import functools
import io
import json
import random
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lucy_app.core import entries, entry_text, errors, model_files
from lucy_app.core import settings as settings_mod
from lucy_app.core.io import dayone, importer, jrnl, json_export, jsonl, markdown
from lucy_app.core.llm import gguf_check
from lucy_app.core.storage import exchange
from lucy_app.core.storage import settings as settings_store

# --- what each target does with the bytes -------------------------------------------------


def _import(journal, batch) -> None:
    importer.apply(journal.db, importer.plan(journal.db, batch))


def _file(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def t_jsonl(data, folder, journal):
    _import(journal, jsonl.read(_file(folder, "in.jsonl", data)))


def t_dayone_json(data, folder, journal):
    _import(journal, dayone.read(_file(folder, "Journal.json", data)))


def t_dayone_zip(data, folder, journal):
    """The bytes as Journal.json inside an export zip with a photo (the zip itself is sound)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("Journal.json", data)
        z.writestr("photos/0123456789abcdef0123456789abcdef.jpeg", b"\xff\xd8\xff\xe0 not really a jpeg")
    _import(journal, dayone.read(_file(folder, "export.zip", buf.getvalue())))


def t_zip_bytes(data, folder, journal):
    """The bytes as the zip archive itself (damaged archives, hostile names)."""
    _import(journal, dayone.read(_file(folder, "export.zip", data)))


def t_jrnl(data, folder, journal):
    _import(journal, jrnl.read(_file(folder, "journal.txt", data)))


def t_markdown(data, folder, journal):
    root = folder / "notes"
    _file(root, "2024-03-05.md", data)
    _file(root, "sub/2024-03-06 walk.md", b"A walk by the river. #walks\n")
    _file(root, "sub/photo.png", b"\x89PNG\r\n\x1a\n fake")
    _import(journal, markdown.read(root))


def t_lucy_json(data, folder, journal):
    _import(journal, json_export.read(_file(folder, "export.json", data)))


def t_entry_text(data, folder, journal):
    edited = entry_text.parse(data.decode("utf-8", "surrogateescape"))
    entry = entries.add(journal.db, edited.body, day=edited.day, title=edited.title, tags=edited.tags,
                        mood=edited.mood)
    assert entries.get(journal.db, entry.id).body == edited.body


SETTING_NAMES = sorted(f.name for f in settings_mod.fields(settings_mod.Settings))


def t_setting_typed(data, folder, journal):
    """A value typed on the command line (`lucy settings NAME VALUE`, the settings dialog)."""
    name = SETTING_NAMES[data[0] % len(SETTING_NAMES)] if data else "hemisphere"
    text = data[1:].decode("utf-8", "replace")
    if name in model_files.SETTING.values():
        model_files.select(journal, name, text)
    else:
        journal.update_settings(**{name: settings_mod.coerce(name, text)})


def t_setting_stored(data, folder, journal):
    """Stored values of any JSON type (an old or tampered journal) load as valid settings."""
    try:
        values = json.loads(data.decode("utf-8", "replace"))
    except ValueError:
        values = data.decode("utf-8", "replace")
    if not isinstance(values, dict):
        values = {SETTING_NAMES[len(data) % len(SETTING_NAMES)]: values}
    with journal.db.write() as conn:
        for key, value in values.items():
            settings_store.put(conn, str(key), value)
    try:
        loaded = settings_mod.load(journal.db)
        assert loaded.validated() == loaded
    finally:
        with journal.db.write() as conn:
            for key in values:
                settings_store.delete(conn, str(key))
        journal._settings = None


def t_gguf(data, folder, journal):
    path = _file(folder, "model.gguf", data)
    kind = "chat" if len(data) % 2 else "embedding"
    try:
        gguf_check.check_model(path, kind)
    except errors.ModelError:
        raise
    model_files.select(journal, kind, path)


TARGETS: dict[str, Callable] = {
    "jsonl": t_jsonl, "dayone_json": t_dayone_json, "dayone_zip": t_dayone_zip, "zip_bytes": t_zip_bytes,
    "jrnl": t_jrnl, "markdown": t_markdown, "lucy_json": t_lucy_json, "entry_text": t_entry_text,
    "setting_typed": t_setting_typed, "setting_stored": t_setting_stored, "gguf": t_gguf,
}

# --- valid files to mutate -----------------------------------------------------------------


@functools.cache
def seeds() -> dict[str, list[bytes]]:
    """A small valid file of each format, written by Lucy's own exporters where there is one."""
    from lucy_app.core.journal import Journal

    tmp = Path(tempfile.mkdtemp(prefix="lucy-seeds-"))
    try:
        with Journal.open(tmp / "j.db") as j:
            a = entries.add(j.db, "# Harbour\n\nWalked with **Maya** to the harbour. #walks\n\n- bread\n- tea",
                            day="2024-03-05", tags=["walks"], mood=4)
            entries.add(j.db, "Rain.\n\n> quoted line\n\n![photo](attachment:" + "a" * 64 + ")",
                        day="2024-03-06", title="Rain")
            entries.trash(j.db, a.id)
            buf = io.StringIO()
            jsonl.write(entries.list_entries(j.db, trashed=False), buf)
            json_export.write(j.db, tmp / "x.json")
            markdown.export(j.db, tmp / "md")
            md = sorted((tmp / "md").rglob("*.md"))[0].read_bytes()
            lucy_json = (tmp / "x.json").read_bytes()
        dayone_doc = {"metadata": {"version": "1.0"}, "entries": [
            {"uuid": "0123456789ABCDEF0123456789ABCDEF", "creationDate": "2024-03-05T08:30:00Z",
             "modifiedDate": "2024-03-05T09:00:00Z", "timeZone": "Europe/Lisbon", "starred": True,
             "text": "Breakfast by the sea\\.\n\n![](dayone-moment://0123456789ABCDEF0123456789ABCDEF)",
             "tags": ["sea"], "photos": [{"identifier": "0123456789ABCDEF0123456789ABCDEF",
                                           "md5": "0123456789abcdef0123456789abcdef", "type": "jpeg"}],
             "location": {"placeName": "Cascais"}}]}
        jrnl_text = b"[2024-03-05 09:00] Morning walk *\nWe saw @maya by the river.\n\n[2024-03-06 07:15 PM] Tea\n"
        jrnl_json = json.dumps({"tags": {"@maya": 1}, "entries": [
            {"title": "Walk", "body": "With @maya.", "date": "2024-03-05", "time": "09:00",
             "tags": ["@maya"], "starred": False}]}).encode()
        entry = entry_text.render(day=date(2024, 3, 5), title="A walk", tags=("walks",), mood=4,
                                  body="We walked.\n---\nA rule inside the body.").encode()
        header = _gguf_header()
        return {
            "jsonl": [buf.getvalue().encode()],
            "dayone_json": [json.dumps(dayone_doc).encode()],
            "dayone_zip": [json.dumps(dayone_doc).encode()],
            "zip_bytes": [_zip_of(json.dumps(dayone_doc).encode())],
            "jrnl": [jrnl_text, jrnl_json],
            "markdown": [md, b"---\ntitle: x\ntags: [a, b]\ndate: 2024-03-05\nmood: 3\n---\nbody #tag\n"],
            "lucy_json": [lucy_json],
            "entry_text": [entry],
            "setting_typed": [b"\x06south", b"\x02250", b"\x00true", b"\x08sunday", b"\x04extractive"],
            "setting_stored": [b'{"hemisphere": "south", "week_start": 6, "threads": 4}'],
            "gguf": [header, header + b"\x00" * 64],
        }
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _zip_of(journal_json: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("Journal.json", journal_json)
    return buf.getvalue()


@functools.cache
def _gguf_header() -> bytes:
    """The real embedding model's header (key/values and tensor infos), without the weights."""
    from lucy_app.core.llm.defaults import default_embedding_model_path

    path = default_embedding_model_path()
    if not path.is_file():
        return b"GGUF\x03\x00\x00\x00" + b"\x00" * 16
    import gguf

    size = int(gguf.GGUFReader(path).data_offset)
    with open(path, "rb") as f:
        return f.read(size)


_TOKENS = [b"\x00", b"\xff", b"\xc3", b"\xed\xa0\x80", b'"', b"{", b"}", b"[", b"]", b",", b":", b"\n",
           b"---\n", b"-", b"#", b">", b"!", b"(", b")", b"\\", b"9" * 25, b"-1", b"1e999", b"null",
           b"true", b'"\\ud800"', b"\r", b"\t", b"\xef\xbb\xbf", b"../" * 3, b"@", b"*", b"`" * 3,
           b"\x02\x00\x00\x00", b"\xff\xff\xff\xff\xff\xff\xff\x7f"]


def mutate(seed: bytes, rng: random.Random, n_edits: int) -> bytes:
    """``seed`` with a few random edits: flips, insertions, deletions, truncation, duplication."""
    data = bytearray(seed)
    for _ in range(n_edits):
        op = rng.randrange(6)
        pos = rng.randrange(len(data) + 1)
        if op == 0 and data:
            data[min(pos, len(data) - 1)] ^= 1 << rng.randrange(8)
        elif op == 1:
            data[pos:pos] = rng.choice(_TOKENS)
        elif op == 2:
            del data[pos:pos + rng.randrange(1, 40)]
        elif op == 3:
            del data[pos:]
        elif op == 4:
            end = min(len(data), pos + rng.randrange(1, 200))
            data[pos:pos] = data[pos:end] * rng.randrange(1, 4)
        else:
            data[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 16)))
    return bytes(data)


def case(target: str, rng: random.Random) -> bytes:
    """One input for ``target``: mostly mutations of a valid file, sometimes random bytes."""
    if rng.random() < 0.2:
        return bytes(rng.randrange(256) for _ in range(rng.randrange(0, 400)))
    seed = rng.choice(seeds()[target])
    return mutate(seed, rng, rng.randrange(1, 6))


# --- running one case ----------------------------------------------------------------------


def fingerprint(journal) -> tuple:
    with journal.db.read() as conn:
        return exchange.fingerprint(conn), entries.count(journal.db), entries.count(journal.db, trashed=True)


def run_case(target: str, data: bytes, journal) -> str:
    """"ok" or the known error's class name; anything else propagates (a bug)."""
    folder = Path(tempfile.mkdtemp(prefix="lucy-fuzz-"))
    before = fingerprint(journal)
    try:
        TARGETS[target](data, folder, journal)
    except errors.LucyError as exc:
        assert exc.message.strip(), f"{type(exc).__name__} without a message"
        assert fingerprint(journal) == before, f"{target}: a failed {type(exc).__name__} changed the journal"
        journal._settings = None
        return type(exc).__name__
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return "ok"


FUZZ = settings(max_examples=50, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.mark.parametrize("target", sorted(TARGETS))
@FUZZ
@given(seed=st.integers(0, 2**32 - 1), raw=st.binary(max_size=300), use_raw=st.booleans())
def test_any_input_gives_a_result_or_a_known_error_and_a_failed_one_changes_nothing(journal, target, seed,
                                                                                   raw, use_raw):
    data = raw if use_raw else case(target, random.Random(seed))
    run_case(target, data, journal)


def test_the_valid_seeds_import(journal):
    """The mutations start from files that work (or the fuzz would only test error paths)."""
    assert SETTING_NAMES[:3] == ["ask_drill_down", "backups_keep", "briefing_words"]
    for target, datas in seeds().items():
        if target == "gguf":
            continue
        for data in datas:
            assert run_case(target, data, journal) in ("ok",), target


@pytest.mark.parametrize("cut", [0.0, 0.1, 0.5, 0.9, 0.99])
def test_a_truncated_or_garbage_tailed_model_is_refused_before_llama_cpp(journal, tmp_path, cut,
                                                                         embedding_model_path):
    size = embedding_model_path.stat().st_size
    head = _gguf_header()
    truncated = tmp_path / "truncated.gguf"
    with open(truncated, "wb") as f:  # the real header, then (sparse) zeros, cut short
        f.write(head[: int(size * cut)])
        f.truncate(int(size * cut))
    garbage = tmp_path / "garbage.gguf"
    garbage.write_bytes(head[: int(len(head) * max(cut, 0.05))] + random.Random(1).randbytes(5000))
    for path in (truncated, garbage):
        with pytest.raises(errors.ModelError) as exc:
            model_files.select(journal, "embedding", path)
        assert exc.value.hint
    assert model_files.recorded(journal, "embedding") is None
