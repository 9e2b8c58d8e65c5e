"""Keeping the search index in step with the journal: passages, then their vectors.

What needs work is computed from the journal itself, never queued, so a run can stop at
any point (a cancel event, a crash, the app closing) and the next run carries on:

- live entries whose ``entries.seq`` differs from ``entry_index.seq`` (new or edited since
  they were cut) are cut again (:mod:`lucy_app.core.passages`); a passage whose text did
  not change keeps its row and its vector;
- trashed entries that still have passages lose them (and their vectors, by trigger);
  purged entries lose them by cascade;
- digests without passages are cut (rewriting a digest drops its passages);
- passages whose ``vector_model`` is not the current embedding model are embedded.

Each step is a small ``BEGIN IMMEDIATE`` transaction, so the app's own writes wait at
most a few milliseconds; embedding runs outside any transaction. Without an embedding
model (:class:`~lucy_app.core.errors.ModelError`), passages are still cut, so passage
keyword search works, and the error is reported once in the result.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from lucy_app.core import passages as passages_mod
from lucy_app.core.errors import ModelError
from lucy_app.core.llm import embedding_prompts
from lucy_app.core.pausing import stopper
from lucy_app.core.storage import models as model_store
from lucy_app.core.storage import passages as store
from lucy_app.core.storage.db import Database

log = logging.getLogger(__name__)

#: Entries (and digests) cut per transaction, and at most this many characters of text.
CUT_BATCH = 32
CUT_BATCH_CHARS = 200_000
#: Passages embedded between two commits.
EMBED_BATCH = 8

#: progress(done, total, what)
Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class EmbeddingModel:
    """The embedding model as the index knows it: ``id`` is what ``passages.vector_model`` holds."""

    id: str
    dim: int
    path: Path
    sha256: str
    size: int
    name: str | None
    #: What is written before passages and queries for this model (none for MiniLM).
    prompts: embedding_prompts.EmbeddingPrompts = embedding_prompts.NONE


@dataclass
class IndexStats:
    entries_cut: int = 0
    entries_removed: int = 0
    digests_cut: int = 0
    passages_written: int = 0
    passages_kept: int = 0
    passages_embedded: int = 0
    embed_seconds: float = 0.0
    seconds: float = 0.0
    cancelled: bool = False
    model: str | None = None
    model_error: str | None = None

    @property
    def embedded_per_second(self) -> float:
        return self.passages_embedded / self.embed_seconds if self.embed_seconds else 0.0


def model_id(sha256: str, prompts: embedding_prompts.EmbeddingPrompts | None = None) -> str:
    """``passages.vector_model`` for a model file: the start of its sha256, plus the tag of
    the document prefix its passages are embedded with, if any (a new prefix re-embeds)."""
    tag = prompts.tag if prompts is not None else ""
    return f"{sha256[:16]}+{tag}" if tag else sha256[:16]


def embedding_model(models, db: Database | None = None) -> EmbeddingModel:
    """Identify the service's embedding model (raises ModelError / ModelUnavailable).

    With ``db``, a model file recorded in ``model_files`` at the same path and size is
    trusted without hashing it again (search calls this per query).
    """
    dim = models.embedding_dim  # raises ModelUnavailable / ModelError with their own hints
    info = models.info()["embed"]
    path = Path(info["path"])
    size = info.get("size") or path.stat().st_size
    sha = info.get("sha256")
    if sha is None and db is not None:
        with db.read() as conn:
            known = model_store.get(conn, "embedding")
        if known and known["path"] == str(path) and known["size"] == size and known["dim"] == dim:
            sha = known["sha256"]
    if sha is None:
        sha = models.sha256("embed")
    prompts = embedding_prompts.for_model(info.get("architecture"), info.get("name"))
    return EmbeddingModel(model_id(sha, prompts), int(dim), path, sha, int(size), info.get("name"), prompts)


def prepare_model(db: Database, models) -> EmbeddingModel:
    """Identify the model, record it in ``model_files`` and make the vector table fit it.

    A file already recorded at the same path and size is not hashed again (choosing or
    changing a file goes through :mod:`lucy_app.core.model_files`, which re-hashes it)."""
    model = embedding_model(models, db)
    with db.write() as conn:
        known = model_store.get(conn, "embedding")
        if known is None or (known["path"], known["sha256"]) != (str(model.path), model.sha256):
            model_store.record(conn, {
                "role": "embedding", "path": str(model.path), "sha256": model.sha256, "size": model.size,
                "name": model.name, "dim": model.dim,
                "selected_at": datetime.now().astimezone().isoformat(timespec="microseconds"),
            })
        if store.vector_dim(conn) != model.dim:
            store.create_vector_table(conn, model.dim)
    return model


def pending(db: Database, model: str | None = None) -> dict[str, int]:
    """What a run would do: entries and digests to cut, passages to embed (with ``model``)."""
    with db.read() as conn:
        out = {"entries": store.count_entries_to_index(conn), "digests": store.count_digests_to_index(conn)}
        out["embed"] = store.count_to_embed(conn, model) if model else 0
    return out


def run(db: Database, *, models=None, cancel: threading.Event | None = None,
        pause: Callable[[], bool] | None = None, progress: Progress | None = None,
        rebuild: bool = False) -> IndexStats:
    """Bring the index up to date; returns what was done. Safe to stop and run again.

    Between batches it waits while ``pause()`` is true and stops once ``cancel`` is set."""
    t0 = time.perf_counter()
    stats = IndexStats()
    report = progress or (lambda done, total, what: None)
    model: EmbeddingModel | None = None
    if models is not None:
        try:
            model = prepare_model(db, models)
            stats.model = model.id
        except ModelError as exc:
            stats.model_error = exc.user_text()
            log.warning("indexing without vectors: %s", stats.model_error)
    if rebuild:
        with db.write() as conn:
            store.forget_cuts(conn)
    todo = pending(db, model.id if model else None)
    total = todo["entries"] + todo["digests"]
    done = 0
    cancelled = stopper(cancel, pause)

    # 1. cut passages
    while not cancelled():
        with db.write() as conn:
            rows = _take(store.entries_to_index(conn, CUT_BATCH))
            for r in rows:
                if r["deleted_at"] is not None:
                    store.drop_entry(conn, r["id"])
                    stats.entries_removed += 1
                else:
                    n, kept = store.replace_passages(conn, entry_id=r["id"], day=r["day"], day_end=r["day"],
                                                     passages=passages_mod.cut(r["body"]))
                    store.set_entry_indexed(conn, r["id"], r["seq"])
                    stats.entries_cut += 1
                    stats.passages_written += n - kept
                    stats.passages_kept += kept
        if not rows:
            break
        done += len(rows)
        report(done, max(total, done), "passages")
    after = 0  # a digest whose text has no words gets no passages: go past it
    while not cancelled():
        with db.write() as conn:
            rows = _take(store.digests_to_index(conn, CUT_BATCH, after=after), key="text")
            for r in rows:
                n, _ = store.replace_passages(conn, digest_id=r["id"], day=r["period_start"],
                                              day_end=r["period_end"], passages=passages_mod.cut(r["text"]))
                stats.digests_cut += 1
                stats.passages_written += n
        if not rows:
            break
        after = rows[-1]["id"]
        done += len(rows)
        report(done, max(total, done), "digest passages")

    # 2. embed them
    if model is not None and not cancelled():
        todo_embed = pending(db, model.id)["embed"]
        total = done + todo_embed
        while not cancelled():
            with db.read() as conn:
                batch = store.passages_to_embed(conn, model.id, EMBED_BATCH)
            if not batch:
                break
            t = time.perf_counter()
            try:
                vectors = models.embed([model.prompts.document + r["text"] for r in batch])
            except ModelError as exc:
                stats.model_error = exc.user_text()
                log.warning("embedding stopped: %s", stats.model_error)
                break
            stats.embed_seconds += time.perf_counter() - t
            with db.write() as conn:
                stored = store.store_vectors(conn, model.id, [(r["id"], r["hash"], v)
                                                              for r, v in zip(batch, vectors)])
            stats.passages_embedded += stored
            done += len(batch)
            report(done, max(total, done), "vectors")
    stats.cancelled = cancel is not None and cancel.is_set()
    stats.seconds = time.perf_counter() - t0
    return stats


def _take(rows: list[dict], key: str = "body") -> list[dict]:
    """The first rows of a batch, up to :data:`CUT_BATCH_CHARS` characters of text (at least one)."""
    out, size = [], 0
    for r in rows:
        if out and size + len(r[key] or "") > CUT_BATCH_CHARS:
            break
        out.append(r)
        size += len(r[key] or "")
    return out
