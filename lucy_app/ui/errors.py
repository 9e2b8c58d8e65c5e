"""How the app tells known errors from bugs, and where bugs are logged.

A known error (:class:`~lucy_app.core.errors.LucyError`) is shown as its message and hint.
Anything else is a bug: it is logged with its traceback and context to ``lucy.log`` in
:func:`lucy_app.core.paths.log_dir`, and the user sees "Something went wrong" and where
the log is.
"""

from __future__ import annotations

import logging
import logging.handlers
from dataclasses import dataclass
from pathlib import Path

from lucy_app.core import errors, paths

log = logging.getLogger("lucy.ui")
_handler: logging.Handler | None = None


def log_file() -> Path:
    return paths.log_dir() / "lucy.log"


def setup_logging() -> Path:
    """Send the app's log (warnings and up, bugs with tracebacks) to ``lucy.log``."""
    global _handler
    target = log_file()
    if _handler is None:
        target.parent.mkdir(parents=True, exist_ok=True)
        _handler = logging.handlers.RotatingFileHandler(target, maxBytes=1_000_000, backupCount=3,
                                                        encoding="utf-8")
        _handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"))
        _handler.setLevel(logging.INFO)
        root = logging.getLogger("lucy")
        root.addHandler(_handler)
        root.setLevel(logging.INFO)
        logging.getLogger("lucy_app").addHandler(_handler)
    return target


@dataclass(frozen=True)
class Problem:
    """What to show the user about an exception."""

    text: str
    known: bool


def log_bug(exc: BaseException, context: str = "") -> None:
    """Log a bug with its traceback, once per exception (a background job's bug is logged
    where it happened and not again when the window describes it)."""
    if getattr(exc, "_lucy_logged", False):
        return
    log.error("Bug%s: %s", f" while {context}" if context else "", exc,
              exc_info=(type(exc), exc, exc.__traceback__))
    try:
        exc._lucy_logged = True  # type: ignore[attr-defined]
    except AttributeError:  # exceptions with __slots__
        pass


def describe(exc: BaseException, context: str = "") -> Problem:
    """A known error's message and hint; for anything else, log it and say where the log is."""
    if isinstance(exc, errors.LucyError):
        return Problem(exc.user_text(), True)
    log_bug(exc, context)
    return Problem(f"Something went wrong{f' while {context}' if context else ''}. "
                   f"The details are in {log_file()}.", False)
