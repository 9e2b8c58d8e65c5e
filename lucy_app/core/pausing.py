"""Stopping and pausing long background jobs (digests, indexing) between their batches."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

#: How often a paused job looks again.
POLL_SECONDS = 0.2


def stopper(cancel: threading.Event | None, pause: Callable[[], bool] | None = None) -> Callable[[], bool]:
    """The check a job makes between batches (no transaction open): it waits while
    ``pause()`` is true (the app is busy with something the user asked for), then says
    whether ``cancel`` is set."""

    def stopped() -> bool:
        while pause is not None and pause() and not (cancel is not None and cancel.is_set()):
            time.sleep(POLL_SECONDS)
        return cancel is not None and cancel.is_set()

    return stopped
