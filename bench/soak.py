"""Leave the real window open for a long time while someone uses it (a soak, not a test).

The window is Lucy's own (``MainWindow`` with the default models, background work on), on a
real display when one is set (Xvfb: ``xvfb-run -a``) or offscreen. For the first half the
background work is paused (the Pause button), then it runs. Every two seconds a user action
arrives as real key events: typing a few words on the Write page, switching pages,
searching. Every minute a line of the log says how it stands; meanwhile another ``lucy``
process lists the journal, as the nightly cron job would, and the window's SQLite locks and
the journal's WAL are checked.

    xvfb-run -a .venv/bin/python bench/soak.py [--minutes 30] [--days 730] [--db PATH]

Exits 0 when the window closed cleanly and every word typed is in the journal; prints the
interpreter, PySide6 and Qt versions first and one JSON line last.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

WORDS = ("walked", "along", "the", "canal", "rain", "later", "bread", "from", "Maya", "slept", "well")


def make_diary(path: Path, days: int) -> None:
    from lucy_app.core import clock, entries
    from lucy_app.core.bench import sample_diary
    from lucy_app.core.journal import Journal

    with Journal.open(path) as j, j.db.write():
        for s in sample_diary.generate(days, end=clock.today() - timedelta(days=1)):
            entries.add(j.db, s.body, day=s.day, title=s.title, tags=s.tags, mood=s.mood)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=30.0)
    ap.add_argument("--days", type=int, default=730, help="generated diary to start from (no digests, no index)")
    ap.add_argument("--db", type=Path, help="use this journal instead of a generated one")
    args = ap.parse_args()
    if not os.environ.get("DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    import PySide6
    from locks import connected
    from PySide6 import QtCore

    from lucy_app.core import entries
    from lucy_app.core.journal import Journal
    from lucy_app.ui.app import _application, _install_hooks, settle
    from lucy_app.ui.errors import log_file, setup_logging
    from lucy_app.ui.main_window import MainWindow
    from lucy_app.ui.qt import Qt, QTimer

    print(f"Python {platform.python_version()} · PySide6 {PySide6.__version__} · Qt {QtCore.qVersion()} · "
          f"platform {os.environ.get('QT_QPA_PLATFORM') or 'xcb (DISPLAY=' + os.environ['DISPLAY'] + ')'}", flush=True)
    tmp = tempfile.TemporaryDirectory(prefix="lucy-soak-")
    for var in ("XDG_STATE_HOME", "XDG_CONFIG_HOME"):  # the log and the window's geometry: kept apart
        os.environ[var] = str(Path(tmp.name) / var.lower())
    path = args.db or Path(tmp.name) / "journal.db"
    if args.db is None:
        make_diary(path, args.days)
    app = _application()
    setup_logging()
    journal = Journal.open(path)
    window = MainWindow(journal)
    _install_hooks(window)
    settle()
    window.show()

    from PySide6.QtTest import QTest

    total_s = args.minutes * 60
    started = time.monotonic()
    typed: list[str] = []
    state = {"actions": 0, "checks": 0, "problems": [], "phase": "paused", "minute": 0}
    window.pause_button.setChecked(True)

    def key(k, mod=Qt.KeyboardModifier.ControlModifier):
        QTest.keyClick(window, k, mod)

    def act() -> None:
        if state.get("closing"):
            return  # the window is closing: nobody types into it any more
        n = state["actions"]
        state["actions"] += 1
        step = n % 6
        if step in (0, 1, 2):
            if window.current_page != "write":
                key(Qt.Key.Key_2)
            editor = window.write_page.editor
            editor.setFocus()
            editor.moveCursor(editor.textCursor().MoveOperation.End)
            word = f" {WORDS[n % len(WORDS)]}{n}"
            QTest.keyClicks(editor, word)
            typed.append(word.strip())
        elif step == 3:
            key((Qt.Key.Key_1, Qt.Key.Key_3, Qt.Key.Key_4)[n // 6 % 3])
        elif step == 4:
            key(Qt.Key.Key_K)
            QTest.keyClicks(window.search_page.box, WORDS[n % len(WORDS)])
        else:
            key(Qt.Key.Key_T)

    def check() -> None:
        elapsed = time.monotonic() - started
        state["minute"] += 1
        if state["phase"] == "paused" and elapsed >= total_s / 2:
            state["phase"] = "running"
            window.pause_button.setChecked(False)
        other = subprocess.run([sys.executable, "-m", "lucy_app", "--db", str(path), "list", "--limit", "1"],
                               capture_output=True, text=True, timeout=120)
        locks_ok = connected(path)
        wal = Path(f"{path}-wal").exists()
        if other.returncode != 0 or not locks_ok or not wal:
            state["problems"].append(f"minute {state['minute']}: lucy list {other.returncode}, locks {locks_ok}, wal {wal}")
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{elapsed / 60:5.1f} min  {state['phase']:<7}  actions {state['actions']:>5}  words typed "
              f"{len(typed):>5}  max RSS {rss:6.0f} MB  locks {'ok' if locks_ok else 'LOST'}  wal "
              f"{'ok' if wal else 'GONE'}  status: {window.bg_label.text() or '-'}", flush=True)
        if elapsed >= total_s:
            state["closing"] = True
            window.close()

    actions = QTimer()
    actions.timeout.connect(act)
    actions.start(2000)
    checks = QTimer()
    checks.timeout.connect(check)
    checks.start(60_000)
    code = app.exec()
    actions.stop()
    checks.stop()
    journal.close()

    with Journal.open(path) as j:
        words = {w for e in entries.list_entries(j.db) for w in e.body.split()}
    missing = [w for w in typed if w not in words]
    result = {"exit_code": code, "minutes": round((time.monotonic() - started) / 60, 1),
              "actions": state["actions"], "words_typed": len(typed), "words_missing": len(missing),
              "missing": missing[:10],
              "problems": state["problems"], "python": platform.python_version(),
              "pyside6": PySide6.__version__, "log": str(log_file())}
    logged = log_file().read_text(encoding="utf-8") if log_file().exists() else ""
    print(f"--- {log_file()} ---\n{logged}--- end of log ---", flush=True)
    result["log_warnings"] = sum(1 for line in logged.splitlines() if " WARNING " in line or " ERROR " in line)
    print(json.dumps(result), flush=True)
    return 0 if code == 0 and not missing and not state["problems"] else 1


if __name__ == "__main__":
    sys.exit(main())
