"""How long an autosave waits while the background writes digests and indexes the journal.

Builds the generated 10-year diary (3,650 entries) in a temporary journal, then saves an
entry every ~100 ms (as the editor's autosave does: mostly edits of the entry being
written, sometimes a new one) while the extractive digest backfill and the indexer
(passages and vectors) run over the whole diary:

- ``--mode process`` (default): the backfill runs as ``lucy digest run --extractive`` then
  ``lucy index`` in another process, as cron or a second ``lucy`` would;
- ``--mode thread``: it runs in a thread of the saving process, as the app's background
  worker does (so the GIL is shared too).

Reports saves, failures, and p50/p99/max save latency; JSON on the last line.

    .venv/bin/python bench/save_latency.py --mode process
    .venv/bin/python bench/save_latency.py --mode thread --max-seconds 120
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

TODAY = date(2026, 11, 25)


def build(path: Path, n_days: int) -> None:
    from lucy_app.core import entries
    from lucy_app.core.bench import sample_diary
    from lucy_app.core.journal import Journal

    with Journal.open(path) as j, j.db.write():
        for s in sample_diary.generate(n_days, end=TODAY):
            entries.add(j.db, s.body, day=s.day, title=s.title, tags=s.tags, mood=s.mood)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def backfill_in_process(path: Path, stop: threading.Event, done: dict) -> None:
    """What the app's background worker does: digests, then the index, in this process."""
    from lucy_app.core import index, model_files
    from lucy_app.core.digests import scheduler
    from lucy_app.core.journal import Journal

    t0 = time.perf_counter()
    with Journal.open(path) as j:
        stats = scheduler.run(j.db, settings=j.settings, today=TODAY, cancel=stop)
        done["digests"] = stats.total
        done["digest_seconds"] = round(time.perf_counter() - t0, 1)
        models = model_files.model_service(j, roles=("embedding",))
        istats = index.run(j.db, models=models, cancel=stop)
        done["passages"] = istats.passages_written
        done["embedded"] = istats.passages_embedded
    done["seconds"] = round(time.perf_counter() - t0, 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=("process", "thread"), default="process")
    parser.add_argument("--days", type=int, default=3650)
    parser.add_argument("--interval", type=float, default=0.1, help="seconds between saves")
    parser.add_argument("--max-seconds", type=float, default=300, help="stop the backfill after this long")
    args = parser.parse_args()

    from lucy_app.core import entries
    from lucy_app.core.storage.db import Database

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "journal.db"
        t = time.perf_counter()
        build(path, args.days)
        print(f"built {args.days} days in {time.perf_counter() - t:.1f} s", flush=True)
        stop = threading.Event()
        done: dict = {}
        if args.mode == "process":
            lucy = str(Path(sys.executable).with_name("lucy"))
            script = (f"{lucy} --db {path} digest run --extractive --today {TODAY.isoformat()} && "
                      f"{lucy} --db {path} index")
            background = subprocess.Popen(["bash", "-c", script], stdout=subprocess.DEVNULL)
            running = lambda: background.poll() is None  # noqa: E731
        else:
            worker = threading.Thread(target=backfill_in_process, args=(path, stop, done))
            worker.start()
            running = worker.is_alive
        db = Database(path)  # the editor's own connection
        draft = entries.add(db, "Today I started writing", day=TODAY)
        latencies: list[float] = []
        failures: list[str] = []
        started = time.perf_counter()
        n = 0
        while running() and time.perf_counter() - started < args.max_seconds:
            n += 1
            t = time.perf_counter()
            try:
                if n % 50 == 0:  # now and then a new entry
                    draft = entries.add(db, f"A new entry, number {n}.", day=TODAY)
                else:
                    entries.update(db, draft.id, body=f"Today I started writing. Autosave {n}. " * (1 + n % 7))
            except Exception as exc:  # noqa: BLE001 - a failed save is what we count
                failures.append(f"{type(exc).__name__}: {exc}")
            latencies.append((time.perf_counter() - t) * 1000)
            time.sleep(max(0.0, args.interval - (time.perf_counter() - t)))
        elapsed = time.perf_counter() - started
        finished = not running()
        stop.set()
        if args.mode == "process":
            if not finished:
                background.kill()
            background.wait()
        else:
            worker.join()
        db.close()
    report = {
        "mode": args.mode, "days": args.days, "saves": len(latencies), "failures": len(failures),
        "failure_examples": failures[:3], "save_ms_p50": round(statistics.median(latencies), 2),
        "save_ms_p99": round(percentile(latencies, 99), 2), "save_ms_max": round(max(latencies), 2),
        "backfill_seconds": round(elapsed, 1), "backfill_finished": finished, **done,
    }
    print(f"{report['saves']} saves during {elapsed:.0f} s of backfill ({'finished' if finished else 'stopped'}): "
          f"p50 {report['save_ms_p50']} ms, p99 {report['save_ms_p99']} ms, max {report['save_ms_max']} ms, "
          f"{len(failures)} failures")
    print(json.dumps(report))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
