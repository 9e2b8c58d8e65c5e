"""How responsive is the window? (a benchmark, not a test)

1. Launch to interactive: a fresh process opens the 10-year diary (digests written) and
   shows the main window; the clock stops when the start page (the briefing) is on screen.
   Python start-up and imports are included. Target < 2 s.
2. Longest GUI-thread stall while the background catches up on a 10-year diary that has no
   digests and no index yet (extractive digests for every period, cutting passages, and
   embedding them with the default model): a 5 ms QTimer measures how late each tick is.
   Target < 50 ms.

    .venv/bin/python bench/gui_responsiveness.py [--days 3650] [--seconds 120] [--llm]
                                                 [--skip-launch | --launch-only]

Offscreen (QT_QPA_PLATFORM=offscreen) unless a display is set. Prints one JSON line last.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def make_diary(path: Path, days: int, *, digests: bool) -> None:
    from lucy_app.core import entries
    from lucy_app.core.bench import sample_diary
    from lucy_app.core.digests import scheduler
    from lucy_app.core.journal import Journal

    with Journal.open(path) as j:
        with j.db.write():
            for s in sample_diary.generate(days, end=date.today() - timedelta(days=1)):
                entries.add(j.db, s.body, day=s.day, title=s.title, tags=s.tags, mood=s.mood)
        if digests:
            scheduler.run(j.db, settings=j.settings)


# --- 1. launch to interactive ----------------------------------------------------------------

CHILD = r"""
import sys, time
from pathlib import Path
from lucy_app.ui.app import _application, settle
from lucy_app.core.journal import Journal
from lucy_app.ui.main_window import MainWindow
from lucy_app.ui.qt import QEventLoop, QTimer
app = _application()
journal = Journal.open(Path(sys.argv[1]))
window = MainWindow(journal, background=False, models=None)
settle()
loop = QEventLoop()
def ready():
    app.processEvents()
    print("READY", time.monotonic(), flush=True)
    loop.quit()
window.ready.connect(ready)
window.show()
QTimer.singleShot(30000, loop.quit)
loop.exec()
window.shutdown()
journal.close()
"""


def launch_seconds(path: Path, runs: int = 3) -> list[float]:
    out = []
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    for _ in range(runs):
        t0 = time.monotonic()
        proc = subprocess.run([sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True,
                              env=env, cwd=ROOT, timeout=120)
        ready = [ln for ln in proc.stdout.splitlines() if ln.startswith("READY")]
        if not ready:
            raise SystemExit(f"the window never became ready:\n{proc.stderr}")
        out.append(float(ready[0].split()[1]) - t0)
    return out


# --- 2. stalls while the background works ---------------------------------------------------------


def stalls(path: Path, seconds: float, llm: bool) -> dict:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from lucy_app.core.journal import Journal
    from lucy_app.ui.app import _application, settle
    from lucy_app.ui.main_window import MainWindow
    from lucy_app.ui.qt import QElapsedTimer, QEventLoop, Qt, QTimer

    app = _application()  # noqa: F841 - the application must stay alive
    slow: list[tuple[float, str]] = []
    if os.environ.get("LUCY_BENCH_PROFILE"):
        from lucy_app.ui import tasks as tasks_mod

        original = tasks_mod.Tasks._deliver

        def timed(self, ticket, result, exc):
            what = self._callbacks.get(ticket, (None, None, ""))
            t = time.perf_counter()
            original(self, ticket, result, exc)
            ms = (time.perf_counter() - t) * 1000
            if ms > 10:
                slow.append((round(ms, 1), getattr(what[0], "__qualname__", str(what[2]))))

        tasks_mod.Tasks._deliver = timed
    journal = Journal.open(path)
    journal.update_settings(digest_writer="llm" if llm else "extractive")
    window = MainWindow(journal, background=False)
    window.resize(1200, 800)
    window.show()
    settle()
    phases: dict[str, int] = {}
    window.background.progress.connect(lambda p: p and phases.__setitem__(p.phase, phases.get(p.phase, 0) + 1))

    lateness: list[float] = []
    clock = QElapsedTimer()
    clock.start()
    last = [clock.nsecsElapsed()]
    tick = QTimer()
    tick.setTimerType(Qt.TimerType.PreciseTimer)
    tick.setInterval(5)

    worst: list[tuple[float, float, str]] = []

    def on_tick() -> None:
        now = clock.nsecsElapsed()
        late = max(0.0, (now - last[0]) / 1e6 - 5.0)
        lateness.append(late)
        last[0] = now
        if late > 25 and os.environ.get("LUCY_BENCH_PROFILE"):
            import threading
            import traceback

            me = threading.get_ident()
            for ident, frame in sys._current_frames().items():
                if ident != me:
                    stack = traceback.extract_stack(frame)[-4:]
                    print(f"--- stall {late:.0f} ms; thread {ident}:", file=sys.stderr)
                    for fr in stack:
                        print(f"    {fr.filename.split('/lucy_app/')[-1]}:{fr.lineno} {fr.name}: {fr.line}", file=sys.stderr)
        if late > 25:
            current = window.background._current
            worst.append((round(late, 1), round(time.monotonic() - started, 2),
                          f"{window.current_page} / {current.phase if current else '-'}"))

    tick.timeout.connect(on_tick)
    loop = QEventLoop()
    started = time.monotonic()

    def check_done() -> None:
        if (window.background.cycles >= 1 and not window.background.busy) or time.monotonic() - started > seconds:
            loop.quit()

    watcher = QTimer()
    watcher.timeout.connect(check_done)
    watcher.start(200)
    tick.start()
    if not os.environ.get("LUCY_BENCH_NO_BACKGROUND"):
        window.background.start()
    # visit the pages while it works, as a user might
    for i, key in enumerate(("calendar", "digests", "today", "search", "today")):
        QTimer.singleShot(3000 * (i + 1), lambda k=key: window.show_page(k))
    loop.exec()
    tick.stop()
    elapsed = time.monotonic() - started
    finished = window.background.cycles >= 1
    window.shutdown()
    journal.close()
    lateness.sort()
    return {
        "seconds": round(elapsed, 1),
        "caught_up": finished,
        "ticks": len(lateness),
        "max_stall_ms": round(lateness[-1], 1) if lateness else None,
        "p99_stall_ms": round(lateness[int(len(lateness) * 0.99)], 1) if lateness else None,
        "median_lateness_ms": round(statistics.median(lateness), 2) if lateness else None,
        "stalls_over_50ms": sum(1 for x in lateness if x > 50),
        "progress_updates": phases,
        "stalls_over_25ms": sorted(worst, reverse=True)[:8],
        **({"slow_callbacks": sorted(slow, reverse=True)[:10]} if slow else {}),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--days", type=int, default=3650)
    ap.add_argument("--seconds", type=float, default=120.0, help="stop measuring stalls after this long")
    ap.add_argument("--llm", action="store_true", help="also let the model rewrite digests meanwhile")
    ap.add_argument("--skip-launch", action="store_true")
    ap.add_argument("--launch-only", action="store_true")
    args = ap.parse_args()
    result: dict = {"days": args.days}
    with tempfile.TemporaryDirectory() as tmp:
        if not args.skip_launch:
            ready = Path(tmp) / "ready.db"
            t = time.monotonic()
            make_diary(ready, args.days, digests=True)
            print(f"made a {args.days}-day diary with digests in {time.monotonic() - t:.1f} s", file=sys.stderr)
            runs = launch_seconds(ready)
            result["launch_to_interactive_s"] = round(min(runs), 2)
            result["launch_runs_s"] = [round(x, 2) for x in runs]
            print(f"launch to interactive: {', '.join(f'{x:.2f}' for x in runs)} s", file=sys.stderr)
        if not args.launch_only:
            fresh = Path(tmp) / "fresh.db"
            make_diary(fresh, args.days, digests=False)
            result.update(stalls(fresh, args.seconds, args.llm))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
