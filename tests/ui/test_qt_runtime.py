"""The interpreter and PySide6 Lucy runs on do not leak references to None.

PySide6 6.12 on CPython 3.11 drops a reference to ``None`` on every void Qt call
(``QTimer.setInterval``, ``processEvents`` …); after enough calls the interpreter dies with
"Fatal Python error: none_dealloc" and unsaved work is lost. A window left open does that in
about 14 minutes; 20,000 calls do it at once. On CPython 3.12+ ``None`` is immortal.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

PROBE = textwrap.dedent("""
    import sys
    from PySide6.QtCore import QCoreApplication, QTimer

    app = QCoreApplication([])
    timer = QTimer()
    before = sys.getrefcount(None)
    for _ in range(20_000):
        timer.setInterval(5)
        app.processEvents()
    print(before - sys.getrefcount(None))
""")


def test_twenty_thousand_void_qt_calls_leave_none_alone():
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120,
                          env={"QT_QPA_PLATFORM": "offscreen", "PATH": ""})
    assert done.returncode == 0, f"the interpreter died (exit {done.returncode}): {done.stderr[-300:]}"
    assert int(done.stdout.strip()) <= 0, "references to None leak on every Qt call"


def test_lucy_requires_the_interpreter_it_was_tested_on():
    import importlib.metadata as md

    requires = md.metadata("lucy-diary")["Requires-Python"]
    assert requires == ">=3.12" and sys.version_info >= (3, 12)
