"""File → Import: choose a format and a file, see what would change, then import.

Reading and planning run on a worker thread (a 10-year export takes a second or two), the
import itself on the serialized writer (one transaction: all or nothing); afterwards the
background scheduler indexes and digests what came in.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from lucy_app.core.io import formats, importer
from lucy_app.ui import file_dialogs
from lucy_app.ui.qt import QMenu, QMessageBox, QObject, QWidget, Signal


def summary_text(summary: dict[str, int], notes: list[str]) -> str:
    lines = [f"{summary['added']} new entries, {summary['updated']} updated, "
             f"{summary['skipped']} already in your diary."]
    extra = [f"{summary[k]} {k}" for k in ("attachments", "digests") if summary.get(k)]
    if extra:
        lines.append("With " + " and ".join(extra) + ".")
    if notes:
        lines.append("")
        lines.extend(f"• {n}" for n in notes[:8])
        if len(notes) > 8:
            lines.append(f"• … and {len(notes) - 8} more")
    return "\n".join(lines)


class ImportFlow(QObject):
    """Drives one import at a time for the main window."""

    imported = Signal(dict)      # the summary of a finished import
    problem = Signal(object, str)

    def __init__(self, tasks, parent: QWidget):
        super().__init__(parent)
        self.tasks = tasks
        self.window = parent
        self.confirm: Callable[[str, str], bool] = self._ask_user

    def menu(self) -> QMenu:
        menu = QMenu("Import", self.window)
        menu.setAccessibleName("Import from")
        for fmt in formats.FORMATS:
            act = menu.addAction(fmt.label)
            act.triggered.connect(lambda _=False, f=fmt: self.choose(f))
        return menu

    def choose(self, fmt: formats.Format) -> None:
        if fmt.folder:
            path = file_dialogs.open_folder(self.window, f"Import {fmt.label.rstrip('…')}")
        else:
            path = file_dialogs.open_file(self.window, f"Import {fmt.label.rstrip('…')}", "", fmt.patterns)
        if path:
            self.start(fmt.name, Path(path))

    def start(self, name: str, path: Path) -> None:
        """Read and plan on a worker; then ask; then import on the writer."""
        fmt = formats.BY_NAME[name]

        def plan(db):
            return importer.plan(db, fmt.read(path))

        def planned(todo) -> None:
            text = summary_text(todo.summary(), getattr(todo, "notes", []))
            if todo.summary()["added"] + todo.summary()["updated"] == 0:
                self.confirm(f"Nothing new in {path.name}", text)
                self.imported.emit(todo.summary())
                return
            if self.confirm(f"Import {path.name}?", text):
                self.tasks.write(lambda db: importer.apply(db, todo), self.imported.emit,
                                 self._failed, what=f"importing {path.name}")

        self.tasks.work(plan, planned, self._failed, what=f"reading {path.name}")

    def _failed(self, exc: BaseException, what: str = "") -> None:
        self.problem.emit(exc, what)

    def _ask_user(self, title: str, text: str) -> bool:
        box = QMessageBox(self.window)
        box.setWindowTitle(title)
        box.setText(title)
        box.setInformativeText(text)
        if title.startswith("Nothing new"):
            box.setStandardButtons(QMessageBox.StandardButton.Ok)
            box.exec()
            return False
        box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel)
        box.button(QMessageBox.StandardButton.Yes).setText("Import")
        return box.exec() == QMessageBox.StandardButton.Yes
