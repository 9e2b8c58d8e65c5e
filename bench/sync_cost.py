"""What ``synchronous=FULL`` costs: one entry per transaction, FULL against NORMAL (WAL).

    .venv/bin/python bench/sync_cost.py [--entries 500] [--dir FOLDER]

Use ``--dir`` on the disk that holds your journal: the cost is one fsync per commit, which
is what the disk makes it (tens of microseconds on an SSD with a write cache, milliseconds
on a spinning disk or a network drive).
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path


def measure(folder: Path, level: str, n: int) -> list[float]:
    from lucy_app.core import entries
    from lucy_app.core.storage.db import Database

    path = folder / f"sync-{level.lower()}.db"
    db = Database(path)
    db.conn.execute(f"PRAGMA synchronous = {level}")
    out = []
    for i in range(n):
        t = time.perf_counter()
        entries.add(db, f"Entry {i}: walked to the bridge and back. " * 20, day="2024-03-05")
        out.append((time.perf_counter() - t) * 1000)
    db.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=500)
    parser.add_argument("--dir", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        report = {}
        for level in ("NORMAL", "FULL", "NORMAL", "FULL"):  # twice each, interleaved
            ms = measure(Path(tmp), level, args.entries)
            report.setdefault(level, []).extend(ms)
    result = {level: {"commits": len(ms), "ms_p50": round(statistics.median(ms), 3),
                      "ms_p99": round(sorted(ms)[int(len(ms) * 0.99)], 3), "ms_mean": round(statistics.fmean(ms), 3)}
              for level, ms in report.items()}
    for level, r in result.items():
        print(f"synchronous={level:6}  p50 {r['ms_p50']} ms  p99 {r['ms_p99']} ms  mean {r['ms_mean']} ms per saved entry")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
