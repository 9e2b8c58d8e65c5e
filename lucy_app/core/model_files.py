"""The model files a journal uses: checked when chosen, verified before llama.cpp loads them.

llama.cpp is C++ parsing a multi-gigabyte file; a truncated download, a file of the wrong
kind or a file swapped behind Lucy's back must be caught before it gets there.

- :func:`select` is what choosing a model does (``lucy settings chat_model PATH``, the
  app's settings dialog): the GGUF header is checked (:func:`~lucy_app.core.llm.gguf_check.check_model`:
  magic, version, tensors inside the file, chat vs embedding kind), the file is hashed, and
  path, sha256, size, name and dimension are recorded in the journal's ``model_files``
  table together with the setting, in one transaction. A file of the wrong kind is refused
  with a :class:`~lucy_app.core.errors.ModelError` and nothing changes.
- :func:`verify` runs before a model is loaded: the header is checked again, and if the
  file's size differs from the recorded one, or it was modified after it was chosen, it is
  hashed again; a different hash raises :class:`ModelFileChanged` ("the model file changed
  since you chose it"). An unchanged file costs one ``stat``.
- :func:`model_service` is the :class:`~lucy_app.core.llm.service.ModelService` for a
  journal, after :func:`verify` of both models.

A model used without having been chosen through :func:`select` (the bundled defaults, or a
path set before this check existed) is recorded on first use.

Every function takes the open :class:`~lucy_app.core.journal.Journal` or a
:class:`~lucy_app.core.storage.db.Database` (e.g. the app's writer thread's own connection).
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from pathlib import Path

from lucy_app.core import errors
from lucy_app.core import settings as settings_mod
from lucy_app.core.llm import defaults, gguf_check
from lucy_app.core.llm.gguf_check import ModelInfo
from lucy_app.core.storage import models as store

ROLES = ("chat", "embedding")
#: The setting that holds each role's file.
SETTING = {"chat": "chat_model", "embedding": "embedding_model"}
_DEFAULT_WORDS = ("", "none", "default")


class ModelFileChanged(errors.ModelError):
    """A chosen model file is no longer the file that was checked when it was chosen."""


def role_of(role: str) -> str:
    """"chat" or "embedding" (also from a setting name, "embed" or "embeddings")."""
    r = str(role).lower().removesuffix("_model")
    r = {"embed": "embedding", "embeddings": "embedding"}.get(r, r)
    if r not in ROLES:
        raise errors.InvalidInput(f"Unknown model role {role!r}", hint="chat or embedding")
    return r


def default_path(role: str) -> Path:
    role = role_of(role)
    return defaults.default_chat_model_path() if role == "chat" else defaults.default_embedding_model_path()


def _path(text: str) -> Path:
    try:
        return Path(text).expanduser()
    except RuntimeError:  # "~someone/…" for a user this system does not know
        raise errors.ModelError(f"Model file not found: {text}", hint="check the path in Settings") from None


def _db(journal):
    return journal.db if hasattr(journal, "db") else journal


def _settings(journal) -> settings_mod.Settings:
    return journal.settings if hasattr(journal, "settings") else settings_mod.load(journal)


def configured_path(journal, role: str) -> Path:
    """The file the journal's settings choose for ``role`` (the bundled default if none)."""
    role = role_of(role)
    chosen = getattr(_settings(journal), SETTING[role])
    return _path(chosen) if chosen else default_path(role)


def _now() -> str:
    return datetime.now().astimezone().isoformat(timespec="microseconds")


def _row(role: str, info: ModelInfo) -> dict:
    return {"role": role, "path": str(info.path), "sha256": info.sha256, "size": info.size,
            "name": info.name, "dim": info.embedding_length, "selected_at": _now()}


@dataclasses.dataclass(frozen=True)
class Choice:
    """A model file checked and hashed, ready to be recorded (see :func:`select`)."""

    role: str
    info: ModelInfo
    setting: str | None  # the value of the setting: the path, or None for the bundled model


def check_choice(role: str, path: str | Path | None) -> Choice:
    """Check and hash a model file the user picked (slow for big files: not on a UI thread).

    ``path`` None, "" or "default" is the bundled model. A ModelError if it cannot be used.
    """
    role = role_of(role)
    use_default = path is None or str(path).strip().lower() in _DEFAULT_WORDS
    target = default_path(role) if use_default else _path(str(path).strip()).absolute()
    info = gguf_check.check_model(target, role).with_sha256()
    return Choice(role, info, None if use_default else str(target))


def record_choice(journal, choice: Choice) -> None:
    """Record a checked choice and set the setting, in one short transaction."""
    change = {SETTING[choice.role]: choice.setting}
    db = _db(journal)
    with db.write() as conn:
        store.record(conn, _row(choice.role, choice.info))
        if hasattr(journal, "update_settings"):
            journal.update_settings(**change)
        else:
            settings_mod.save(db, settings_mod.load(db).replace(**change))


def select(journal, role: str, path: str | Path | None) -> ModelInfo:
    """Choose ``path`` (None, "" or "default": the bundled model) as the journal's ``role`` model.

    Checks the file (a ModelError, and nothing changed, if it cannot be used or is of the
    wrong kind), hashes it, and records it with the setting in one transaction. Returns
    what the header says, with the sha256.
    """
    choice = check_choice(role, path)
    record_choice(journal, choice)
    return choice.info


def recorded(journal, role: str) -> dict | None:
    """What was recorded when ``role``'s model was chosen (path, sha256, size, name, dim…)."""
    with _db(journal).read() as conn:
        return store.get(conn, role_of(role))


def verify(journal, role: str) -> ModelInfo:
    """Check ``role``'s configured model before it is loaded; returns its info with the sha256.

    Raises :class:`~lucy_app.core.errors.ModelError` for a file that is missing, damaged or
    of the wrong kind, and :class:`ModelFileChanged` when it is not the file that was chosen.
    """
    role = role_of(role)
    db = _db(journal)
    path = configured_path(journal, role)
    info = gguf_check.check_model(path, role)
    known = recorded(journal, role)
    if known is None or Path(known["path"]) != info.path:
        info = info.with_sha256()  # first use of this file: trust it and remember it
        if not db.readonly:
            with db.write() as conn:
                store.record(conn, _row(role, info))
        return info
    where = f"The {role} model file {info.path}"
    hint = (f"if you trust the new file, choose it again (`lucy settings {SETTING[role]} PATH` or "
            "Settings); otherwise put the original file back")
    if info.size != known["size"]:
        raise ModelFileChanged(
            f"{where} changed since you chose it: it has {info.size:,} bytes, not {known['size']:,}",
            hint=hint)
    if _modified_after(info.path, known["selected_at"]):
        sha = gguf_check.sha256_of(info.path)
        if sha != known["sha256"]:
            raise ModelFileChanged(
                f"{where} changed since you chose it (sha256 {sha[:12]}…, was {known['sha256'][:12]}…)",
                hint=hint)
        if not db.readonly:  # the same file: not hashed again until it changes
            seen = max(datetime.now().astimezone(),
                       datetime.fromtimestamp(info.path.stat().st_mtime).astimezone())
            with db.write() as conn:
                store.mark_verified(conn, role, seen.isoformat(timespec="microseconds"))
    return dataclasses.replace(info, sha256=known["sha256"])


def _modified_after(path: Path, stamp: str) -> bool:
    try:
        chosen = datetime.fromisoformat(stamp).timestamp()
    except (TypeError, ValueError):
        return True
    return path.stat().st_mtime > chosen + 0.001  # the stamp keeps microseconds, mtime nanoseconds


def model_service(journal, roles: tuple[str, ...] = ROLES):
    """The journal's :class:`~lucy_app.core.llm.service.ModelService`, its files (those of
    ``roles``) verified first."""
    from lucy_app.core.llm.setup import model_service as make

    for role in roles:
        verify(journal, role)
    return make(_settings(journal))
