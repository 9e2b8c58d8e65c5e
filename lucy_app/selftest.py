"""``lucy self-test`` (the bundle's ``--self-test``): this installation works, end to end, offline.

On a temporary journal (never the user's), in order, each step timed:

1. the bundled models are where :func:`~lucy_app.core.llm.defaults.models_dir` says;
2. a journal is created (apsw, SQLite3 Multiple Ciphers, the sqlite-vec extension) and an
   entry is written;
3. it is indexed (:mod:`lucy_app.core.index`): passages cut and embedded with the bundled
   embedding model into the sqlite-vec table;
4. its day digest is written by the bundled chat model (:func:`~lucy_app.core.digests.scheduler.run`
   with an :class:`~lucy_app.core.digests.writers.LlmWriter`): llama.cpp must generate text;
5. one question is answered (:func:`lucy_app.core.ask.answer`) and the answer cites the entry.

``main()`` prints one line per step on standard error, then "ok" on standard output and
returns 0; on a failure it prints ``self-test failed: <step>: <reason>`` (one line) and
returns 1. Nothing here imports Qt and nothing touches the network.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

#: The pretend calendar: an entry on DAY, looked at from TODAY (so its day digest is final).
DAY = date(2024, 3, 5)
TODAY = date(2024, 3, 10)
ENTRY = ("Walked to the old stone bridge with Maya after work. We talked about moving to Lisbon "
         "next spring, and about her new job at the harbour museum. Lemon cake at the corner café.")
QUESTION = "What did I talk about with Maya in March 2024?"


class SelfTestFailed(Exception):
    """A step failed: ``step`` and a one-line ``reason``."""

    def __init__(self, step: str, reason: str):
        super().__init__(f"{step}: {reason}")
        self.step = step
        self.reason = " ".join(str(reason).split())


@dataclass(frozen=True)
class Step:
    name: str
    seconds: float
    detail: str


class _CountingModels:
    """The model service, counting the pieces of text the chat model streams."""

    def __init__(self, models):
        self._models = models
        self.pieces = 0

    def chat_stream(self, *args, **kwargs) -> Iterator[str]:
        for piece in self._models.chat_stream(*args, **kwargs):
            self.pieces += 1
            yield piece

    def __getattr__(self, name):
        return getattr(self._models, name)


def run(report: Callable[[Step], None] | None = None, workdir: Path | None = None) -> list[Step]:
    """Run every step on a temporary journal (under ``workdir`` if given); raises SelfTestFailed."""
    done: list[Step] = []

    def step(name: str, started: float, detail: str) -> None:
        s = Step(name, time.perf_counter() - started, detail)
        done.append(s)
        if report:
            report(s)

    with tempfile.TemporaryDirectory(prefix="lucy-self-test-", dir=workdir) as tmp:
        models = _check_models(step)
        try:
            _journal_steps(Path(tmp) / "journal.db", models, step)
        finally:
            models.free()
    return done


def _check_models(step) -> object:
    from lucy_app.core.llm import defaults
    from lucy_app.core.llm.gguf_check import check_model
    from lucy_app.core.llm.setup import model_service
    from lucy_app.core.settings import Settings

    t = time.perf_counter()
    where = defaults.models_dir()
    for kind, path in (("chat", defaults.default_chat_model_path()),
                       ("embedding", defaults.default_embedding_model_path())):
        if not path.is_file():
            raise SelfTestFailed("models", f"the bundled {kind} model is missing: {path}")
        try:
            check_model(path, kind)
        except Exception as exc:  # noqa: BLE001 - any failure here is the answer
            raise SelfTestFailed("models", f"{path.name}: {_why(exc)}") from exc
    step("models", t, str(where))
    return model_service(Settings())


def _journal_steps(path: Path, models, step) -> None:
    from lucy_app.core import entries
    from lucy_app.core.journal import Journal

    t = time.perf_counter()
    try:
        journal = Journal.open(path)
    except Exception as exc:  # noqa: BLE001
        raise SelfTestFailed("journal", _why(exc)) from exc
    try:
        entry = entries.add(journal.db, ENTRY, day=DAY, title="The old bridge", tags=["walks"])
        found = entries.list_entries(journal.db, start=DAY, end=DAY)
        if [e.id for e in found] != [entry.id]:
            raise SelfTestFailed("journal", f"the entry written was not read back ({len(found)} found)")
        step("journal", t, f"entry {entry.id} in a new journal (sqlite-vec loaded)")
        _index(journal, models, step)
        _digest(journal, models, step)
        _ask(journal, models, entry.id, step)
    finally:
        journal.close()


def _index(journal, models, step) -> None:
    from lucy_app.core import index

    t = time.perf_counter()
    try:
        stats = index.run(journal.db, models=models)
    except Exception as exc:  # noqa: BLE001
        raise SelfTestFailed("index", _why(exc)) from exc
    if stats.model_error:
        raise SelfTestFailed("index", f"the embedding model failed: {stats.model_error}")
    if stats.passages_embedded < 1:
        raise SelfTestFailed("index", f"no passage was embedded ({stats.passages_written} cut)")
    step("index", t, f"{stats.passages_written} passages, {stats.passages_embedded} embedded "
                     f"(dimension {models.embedding_dim})")


def _digest(journal, models, step) -> None:
    from lucy_app.core.digests import read, scheduler
    from lucy_app.core.digests.writers import LlmWriter

    t = time.perf_counter()
    counting = _CountingModels(models)
    try:
        stats = scheduler.run(journal.db, settings=journal.settings, today=TODAY,
                              llm=LlmWriter(counting, timeout_s=120), levels={"day"}, max_llm=1)
        digest = read.get(journal.db, "day", DAY, journal.settings, today=TODAY).digest
    except Exception as exc:  # noqa: BLE001
        raise SelfTestFailed("digest", _why(exc)) from exc
    if not counting.pieces:
        why = f" ({stats.fallbacks[0]})" if stats.fallbacks else ""
        raise SelfTestFailed("digest", f"the chat model generated nothing{why}")
    if not digest.bullets or entry_id_cited(digest) is None:
        raise SelfTestFailed("digest", "the day digest cites no entry")
    how = ("written by the chat model" if stats.by_llm else
           "the chat model ran; its text was not supported by the entry, so the extractive digest stays")
    step("digest", t, f"{how} ({counting.pieces} pieces generated)")


def entry_id_cited(digest) -> int | None:
    return next((i for b in digest.bullets for i in b.entry_ids), None)


def _ask(journal, models, entry_id: int, step) -> None:
    from lucy_app.core import ask

    t = time.perf_counter()
    try:
        answer = ask.answer(journal.db, QUESTION, today=TODAY, settings=journal.settings, models=models)
    except Exception as exc:  # noqa: BLE001
        raise SelfTestFailed("ask", _why(exc)) from exc
    if answer.abstained:
        raise SelfTestFailed("ask", f"no answer: {answer.text}")
    if entry_id not in [c[0] for c in answer.citations]:
        raise SelfTestFailed("ask", f"the answer does not cite the entry: {answer.text[:120]}")
    step("ask", t, f"{answer.mode} answer citing entry {entry_id}")


def _why(exc: BaseException) -> str:
    from lucy_app.core import errors

    if isinstance(exc, errors.LucyError):
        return exc.user_text()
    return f"{type(exc).__name__}: {exc}"


def main(verbose: bool = True) -> int:
    """Run the self-test, print the steps and "ok" (0), or one line saying what failed (1)."""
    started = time.perf_counter()

    def report(s: Step) -> None:
        if verbose:
            print(f"self-test: {s.name:<8} {s.seconds:6.2f} s  {s.detail}", file=sys.stderr, flush=True)

    try:
        run(report)
    except SelfTestFailed as exc:
        print(f"self-test failed: {exc.step}: {exc.reason}", file=sys.stderr, flush=True)
        return 1
    except Exception as exc:  # noqa: BLE001 - a bug still gets one line (LUCY_DEBUG=1 shows it whole)
        if os.environ.get("LUCY_DEBUG"):
            raise
        print(f"self-test failed: {_why(exc)}", file=sys.stderr, flush=True)
        return 1
    if verbose:
        print(f"self-test: total    {time.perf_counter() - started:6.2f} s", file=sys.stderr, flush=True)
    print("ok", flush=True)
    return 0
