"""The two kinds of failure Lucy knows.

Known errors (:class:`LucyError` and its subclasses) are things a user can act on:
a busy or read-only journal, a full disk, a bad date, a file that is not a model.
They carry a one-line message and, where there is one, a hint of what to do. The
CLI prints them as one line and exits non-zero; the app shows them in a dialog or
the status bar. They never show a traceback.

Anything else is a bug (:class:`BugError` or any unexpected exception): it is logged
with its context so it can be reported and fixed.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator


class LucyError(Exception):
    """A known error, shown to the user with what to do about it."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message

    def user_text(self) -> str:
        """The message and hint as the user sees them."""
        return f"{self.message} ({self.hint})" if self.hint else self.message


class BugError(Exception):
    """Something that should not happen: a programming error, logged with context."""


# --- the journal file -----------------------------------------------------------------


class JournalError(LucyError):
    """The journal file cannot be used as asked."""


class JournalBusy(JournalError):
    pass


class JournalReadOnly(JournalError):
    pass


class DiskFull(JournalError):
    pass


class JournalCorrupt(JournalError):
    pass


class NotAJournal(JournalError):
    pass


class NewerSchema(JournalError):
    pass


class WrongPassphrase(JournalError):
    pass


class JournalEncrypted(JournalError):
    """The journal is encrypted and no passphrase was given."""


# --- what the user typed or gave us ----------------------------------------------------


class InvalidInput(LucyError):
    """A date, id, option or file content that cannot be used."""

    exit_code = 2


class NotFound(LucyError):
    """An entry, digest or file that does not exist."""


class ImportFailed(InvalidInput):
    """An import file that cannot be read; the message names the file and line or entry."""


# --- models ---------------------------------------------------------------------------


class ModelError(LucyError):
    """A model file that cannot be used (missing, not GGUF, truncated, wrong kind)."""


class ModelUnavailable(ModelError):
    """No model is configured or it failed to load; AI features are off, the rest works."""


class Cancelled(LucyError):
    """The user stopped a long operation."""


class CannotWrite(LucyError):
    """A file or folder Lucy was asked to write cannot be written."""


@contextlib.contextmanager
def writing(target) -> Iterator[None]:
    """Turn the operating system's refusal to write ``target`` into a known error."""
    try:
        yield
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise CannotWrite(f"Cannot write {target}: {reason}",
                          hint="check that the folder exists, is writable and has space") from exc
