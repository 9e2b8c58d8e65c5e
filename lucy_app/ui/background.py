"""The background scheduler: models, digests and the index kept up to date while the app runs.

One thread (never the GUI thread) loops:

1. load the models (once per model service), so the first answer does not wait for it;
2. extractive digest catch-up (instant digests for every missing or stale period);
3. the passage/vector index (``lucy_app.core.index``);
4. model rewrites of digests, a few at a time, newest first (setting ``digest_writer``).

It catches up at start, when kicked (an entry was saved, settings changed) and after
midnight. It pauses while the user types (until :data:`TYPING_PAUSE_S` after the last
keystroke), while a question is being answered, and when the user presses Pause. Writes go
through the writer thread (:class:`~lucy_app.ui.tasks.RoutedDatabase`). Progress reaches the
GUI through signals, at most a few times a second.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from lucy_app.core import clock, errors, index
from lucy_app.core.digests import scheduler
from lucy_app.core.settings import Settings
from lucy_app.ui.qt import QObject, Signal

log = logging.getLogger("lucy.ui.background")

TYPING_PAUSE_S = 3.0
LLM_BATCH = 3
PROGRESS_EVERY_S = 0.15
WRITTEN_EVERY_S = 2.0


@dataclass(frozen=True)
class Progress:
    phase: str        # "models" | "digests" | "index" | "rewrite"
    done: int
    total: int        # 0 when unknown (a busy indicator)
    label: str
    paused: bool = False


class _Either:
    """Set when either event is set (the model writer checks ``is_set`` between tokens)."""

    def __init__(self, *events: threading.Event):
        self._events = events

    def is_set(self) -> bool:
        return any(e.is_set() for e in self._events)


class Background(QObject):
    progress = Signal(object)      # Progress, or None when idle
    written = Signal(str)          # "digests" | "index": something new to show
    models_state = Signal(object)  # None when the models are fine, else a LucyError
    failed = Signal(object, str)   # an unexpected error (a bug), with what was being done

    def __init__(self, tasks, settings: Callable[[], Settings], models: Callable[[], object | None],
                 *, today: Callable[[], date] = clock.today, parent=None):
        super().__init__(parent)
        self._tasks = tasks
        self._settings = settings
        self._models = models
        self._today = today
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._cancel = threading.Event()   # stops the current cycle (settings change, close)
        self._model_wanted = threading.Event()  # a question needs the chat model: stop rewriting
        self._thread: threading.Thread | None = None
        self._last_typing = 0.0
        self._asking = 0
        self._user_paused = False
        self._warmed: object | None = None
        self._chat_ok = False
        self._last_progress = 0.0
        self._last_written = 0.0
        self.busy = False
        self.cycles = 0

    # -- control (GUI thread) ----------------------------------------------------------

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="lucy-background", daemon=True)
            self._wake.set()
            self._thread.start()

    def kick(self) -> None:
        """Catch up soon (something changed)."""
        self._wake.set()

    def restart(self) -> None:
        """Drop the current cycle and start again (the settings or models changed)."""
        self._cancel.set()
        self._wake.set()

    def note_typing(self) -> None:
        self._last_typing = time.monotonic()

    def set_asking(self, asking: bool) -> None:
        """A question is being answered: pause, and give the chat model up at once."""
        self._asking = max(0, self._asking + (1 if asking else -1))
        if asking:
            self._model_wanted.set()
        elif self._asking == 0:
            self._model_wanted.clear()
            self._wake.set()  # carry on where the question interrupted

    def set_paused(self, paused: bool) -> None:
        self._user_paused = paused
        self._wake.set()

    @property
    def paused_by_user(self) -> bool:
        return self._user_paused

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self._cancel.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    # -- the thread --------------------------------------------------------------------

    def pause_reason(self) -> str | None:
        """Why background work waits now: "paused" (by the user), "asking", "typing", or None."""
        if self._user_paused:
            return "paused"
        if self._asking > 0:
            return "asking"
        if time.monotonic() - self._last_typing < TYPING_PAUSE_S:
            return "typing"
        return None

    def _should_pause(self) -> bool:
        paused = self.pause_reason() is not None
        if paused and not self._stop.is_set():
            self._emit_progress(None, force=False, paused=True)
            return True
        # the window's own reads (a page being opened, a search) go first: one busy Python
        # thread at a time beside the GUI thread keeps the GUI's waits for the GIL short
        return self._tasks.jobs_pending > 0

    def _loop(self) -> None:
        db = None
        try:
            db = self._tasks.routed_db()
        except errors.LucyError as exc:
            self.failed.emit(exc, "starting background work")
            return
        try:
            while not self._stop.is_set():
                self._wake.wait(timeout=self._seconds_to_wake())
                self._wake.clear()
                if self._stop.is_set():
                    break
                self._cancel.clear()
                self.busy = True
                try:
                    self._cycle(db)
                except errors.Cancelled:
                    pass
                except errors.ModelError as exc:
                    self.models_state.emit(exc)
                except errors.LucyError as exc:
                    self.failed.emit(exc, "writing digests in the background")
                except Exception as exc:  # noqa: BLE001 - a bug: log it, keep the app going
                    log.error("Bug in the background scheduler", exc_info=True)
                    self.failed.emit(exc, "working in the background")
                finally:
                    self.busy = False
                    self.cycles += 1
                    self._current = None
                    if not self._stop.is_set():
                        self.progress.emit(None)
        finally:
            if db is not None:
                db.close()

    def _seconds_to_wake(self) -> float:
        now = clock.now()
        midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), tzinfo=now.tzinfo)
        return max(1.0, min(600.0, (midnight - now).total_seconds() + 1))

    def _stopped(self) -> bool:
        return self._stop.is_set() or self._cancel.is_set()

    def _cycle(self, db) -> None:
        settings = self._settings()
        models = self._models()
        chat_ok = self._warm_up(models, db) if models is not None else False
        if self._stopped():
            return
        # 1. extractive catch-up: every period gets an instant digest
        stats = scheduler.run(db, settings=settings, today=self._today(), progress=self._on_progress("digests"),
                              cancel=self._cancel, pause=self._should_pause)
        if stats.total:
            self.written.emit("digests")
        if self._stopped():
            return
        # 2. the passage / vector index (passages even without a model: keyword passage search)
        self._run_index(db, models)
        if self._stopped():
            return
        # 3. model rewrites, a few at a time so the briefing improves as they land
        if settings.digest_writer != "llm" or not chat_ok:
            return
        from lucy_app.core.digests.writers import LlmWriter

        done_before = 0  # the count goes on across batches ("4 of 871", not "1 of 868" again)
        while not self._stopped() and not self._model_wanted.is_set():
            writer = LlmWriter(models, cancel=_Either(self._cancel, self._model_wanted))
            stats = scheduler.run(db, settings=settings, today=self._today(), llm=writer,
                                  progress=self._on_progress("rewrite", offset=done_before), cancel=self._cancel,
                                  pause=self._should_pause, max_llm=LLM_BATCH)
            done_before += stats.by_llm + len(stats.fallbacks)
            if stats.total:
                self.written.emit("digests")
            if stats.cancelled or stats.total == 0:
                break
        if not self._stopped():
            self._run_index(db, models)  # the rewritten digests, for search and answers

    def _warm_up(self, models, db) -> bool:
        """Check the model files (the ones chosen, unchanged since) and load the models once,
        in this thread; False when the chat model cannot be used."""
        from lucy_app.core import model_files

        if self._warmed is models:
            return self._chat_ok
        chat_ok = True
        problem: errors.LucyError | None = None
        for which, label in (("chat", "Loading the language model…"), ("embed", "Loading the search model…")):
            if self._stopped():
                return False
            self.progress.emit(Progress("models", 0, 0, label))
            try:
                model_files.verify(db, "chat" if which == "chat" else "embedding")
                models.load(which)
            except Exception as exc:  # noqa: BLE001 - AI off, the rest goes on
                if not isinstance(exc, errors.LucyError):
                    log.error("Loading the %s model failed", which, exc_info=True)
                    exc = errors.ModelError(f"The {which} model could not be loaded ({type(exc).__name__}: {exc})",
                                            hint="choose another model in Settings")
                problem = problem or exc
                if which == "chat":
                    chat_ok = False
        self.models_state.emit(problem)
        self._warmed, self._chat_ok = models, chat_ok  # checked and loaded: not again this session
        return chat_ok

    def _run_index(self, db, models) -> None:
        """Cut passages and embed them (``index.run`` commits in small batches and is resumable)."""
        stats = index.run(db, models=models, cancel=self._cancel, pause=self._should_pause,
                          progress=self._on_progress("index"))
        if stats.passages_written or stats.passages_embedded:
            self.written.emit("index")

    # -- progress ------------------------------------------------------------------------

    def _on_progress(self, phase: str, offset: int = 0):
        def progress(done: int, total: int, label: str = "") -> None:
            self._current = Progress(phase, offset + done, offset + total, str(label))
            self._emit_progress(self._current)
            now = time.monotonic()
            if phase != "index" and now - self._last_written > WRITTEN_EVERY_S and done > 1:
                self._last_written = now
                self.written.emit("digests")
        return progress

    _current: Progress | None = None

    def _emit_progress(self, p: Progress | None, *, force: bool = False, paused: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last_progress < PROGRESS_EVERY_S:
            return
        self._last_progress = now
        current = p or self._current
        if current is None:
            return
        if paused:
            current = Progress(current.phase, current.done, current.total, current.label, paused=True)
        self.progress.emit(current)
