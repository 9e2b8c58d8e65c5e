"""Start the desktop app (a first window; the GUI issue builds it out)."""

from __future__ import annotations

import sys
from pathlib import Path


def run(db_path: Path | None = None, screenshot: Path | None = None) -> int:
    from PySide6.QtWidgets import QApplication, QLabel

    app = QApplication.instance() or QApplication(sys.argv)
    label = QLabel("Lucy")
    label.show()
    if screenshot:
        label.grab().save(str(screenshot))
        return 0
    return app.exec()
