"""File and folder pickers that never open the files they list.

Qt's file dialog finds each listed file's icon and type by its MIME type, and for a name
it does not know (``journal.db-wal``, ``journal.db-shm``) it reads the file's first bytes.
Opening and closing the running journal's files through another descriptor releases
SQLite's POSIX locks on them (see :mod:`lucy_app.core.storage.open_journals`), and the next
``lucy`` process would then delete the app's WAL. So every picker in Lucy is Qt's own
dialog (the same on every system, no native helper that sniffs or thumbnails) with an icon
provider that looks only at names.
"""

from __future__ import annotations

from lucy_app.ui.qt import QAbstractFileIconProvider, QFileDialog, QFileIconProvider, QFileInfo


class NameOnlyIcons(QAbstractFileIconProvider):
    """Icons and type names from the file name alone: no file is ever opened."""

    def __init__(self):
        super().__init__()
        self._base = QFileIconProvider()

    def icon(self, what):  # noqa: D401 - Qt API (two overloads: IconType or QFileInfo)
        if isinstance(what, QFileInfo):
            kind = QAbstractFileIconProvider.IconType.Folder if what.isDir() else QAbstractFileIconProvider.IconType.File
            return self._base.icon(kind)
        return self._base.icon(what)

    def type(self, info: QFileInfo) -> str:  # noqa: A003 - Qt API
        if info.isDir():
            return "Folder"
        suffix = info.suffix()
        return f"{suffix.upper()} file" if suffix else "File"


_ICONS: NameOnlyIcons | None = None


def _icons() -> NameOnlyIcons:
    global _ICONS
    if _ICONS is None:
        _ICONS = NameOnlyIcons()
    return _ICONS


def make_dialog(parent, caption: str, start: str = "", filters: str = "", *,
                mode: QFileDialog.FileMode = QFileDialog.FileMode.ExistingFile,
                save: bool = False) -> QFileDialog:
    """A Lucy file dialog (not yet shown)."""
    dialog = QFileDialog(parent, caption, start, filters)
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    dialog.setOption(QFileDialog.Option.DontUseCustomDirectoryIcons, True)
    dialog.setIconProvider(_icons())
    dialog.setFileMode(mode)
    if mode == QFileDialog.FileMode.Directory:
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
    if save:
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    return dialog


def _run(dialog: QFileDialog) -> str:
    try:
        if dialog.exec() == QFileDialog.DialogCode.Accepted and dialog.selectedFiles():
            return dialog.selectedFiles()[0]
        return ""
    finally:
        dialog.deleteLater()


def open_file(parent, caption: str, start: str = "", filters: str = "") -> str:
    """The chosen existing file, or "" when the user cancelled."""
    return _run(make_dialog(parent, caption, start, filters))


def open_folder(parent, caption: str, start: str = "") -> str:
    """The chosen folder, or ""."""
    return _run(make_dialog(parent, caption, start, mode=QFileDialog.FileMode.Directory))


def save_file(parent, caption: str, start: str = "", filters: str = "") -> str:
    """A file name to write (the dialog asks before replacing one), or ""."""
    return _run(make_dialog(parent, caption, start, filters, mode=QFileDialog.FileMode.AnyFile, save=True))
