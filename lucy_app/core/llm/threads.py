"""How many CPU threads llama.cpp may use.

llama.cpp's worker threads spin while they wait for each other, so a thread that has no
core of its own stalls all the others: on a 2-core machine with the other core busy, 2
threads ran about 20 times slower than 1. Using fewer threads than cores costs little;
using more than the idle cores costs a lot. The rule, therefore:

1. An explicit override wins: the ``threads`` argument, else ``$LUCY_THREADS``.
2. ``cpus`` = the CPUs this process may run on (``os.sched_getaffinity``, else
   ``os.cpu_count()``).
3. ``busy`` = the 1-minute load average (``os.getloadavg``; 0 where there is none),
   rounded to the nearest whole number: how many cores other work is already using.
4. ``idle`` = ``cpus - busy``; on 4 or more CPUs one more is left for the window and the
   journal writer.
5. threads = ``max(1, min(idle, MAX_THREADS))``: never 0, never more than 8 (past that
   memory bandwidth, not cores, limits token speed).

The choice is made when a model loads. :func:`share` then splits it when Lucy's two
models run at the same time, so together they still fit the cores chosen.
"""

from __future__ import annotations

import os

MAX_THREADS = 8
THREADS_ENV = "LUCY_THREADS"


def available_cpus() -> int:
    """CPUs this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def current_load() -> float:
    """The 1-minute load average, or 0.0 where the system has none (Windows)."""
    try:
        return max(0.0, os.getloadavg()[0])
    except (AttributeError, OSError):
        return 0.0


def _env_override() -> int | None:
    raw = os.environ.get(THREADS_ENV, "").strip()
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        return None
    return value if value > 0 else None


def choose_threads(
    override: int | None = None,
    *,
    cpus: int | None = None,
    load: float | None = None,
    cap: int = MAX_THREADS,
) -> int:
    """Threads for llama.cpp by the rule in this module's docstring.

    ``cpus`` and ``load`` are measured when not given (tests pass them in).
    """
    if override is None:
        override = _env_override()
    if override is not None:
        return max(1, int(override))
    n_cpus = available_cpus() if cpus is None else max(1, int(cpus))
    busy = int((current_load() if load is None else max(0.0, float(load))) + 0.5)
    idle = n_cpus - busy
    if n_cpus >= 4:
        idle = min(idle, n_cpus - 1)
    return max(1, min(idle, cap))


def share(threads: int, running_models: int) -> int:
    """Threads for one model while ``running_models`` of Lucy's models compute at once."""
    return max(1, threads // max(1, running_models))
