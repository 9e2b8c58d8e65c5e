"""Lucy's file pickers never open the files they list (that would drop SQLite's locks)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from PySide6.QtWidgets import QAbstractItemView, QApplication, QFileDialog

from lucy_app.ui.qt import Qt, QTimer
from tests.locks import connected, needs_proc_locks


def _close_once_listed(qtbot, names: set[str]):
    """Wait until the open file dialog lists ``names`` (icons and all), then press Esc."""
    def close() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, QFileDialog), dialog
        try:
            dialog.selectNameFilter("All files (*)")

            def listed() -> set[str]:
                views = [v for v in dialog.findChildren(QAbstractItemView) if v.isVisible() and v.model()]
                return {v.model().index(r, 0, v.rootIndex()).data() for v in views
                        for r in range(v.model().rowCount(v.rootIndex()))}
            qtbot.waitUntil(lambda: names <= listed(), timeout=10_000)
            qtbot.wait(500)  # icons and types are looked up as the rows are shown
        finally:
            qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    QTimer.singleShot(0, close)


@needs_proc_locks
def test_browsing_the_journals_folder_keeps_its_locks(qtbot, open_window, journal_path):
    window = open_window(days=3)
    assert connected(journal_path)
    window.open_settings()
    dlg = window.settings_dialog
    dlg.chat.path.setText(str(journal_path.parent / "some-model.gguf"))  # Browse… starts in the journal's folder
    _close_once_listed(qtbot, {"journal.db", "journal.db-wal", "journal.db-shm"})
    dlg.chat.browse.click()
    assert connected(journal_path), "the file dialog released SQLite's locks on the journal"

    # so another `lucy` (cron's `lucy digest run`, `lucy list`) knows the app is there
    other = subprocess.run([sys.executable, "-m", "lucy_app", "--db", str(journal_path), "list"],
                           capture_output=True, text=True, timeout=120)
    assert other.returncode == 0, other.stderr
    assert Path(f"{journal_path}-wal").exists()
    assert connected(journal_path)
