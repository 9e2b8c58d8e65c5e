"""Start the desktop app: one window per journal, first-run welcome, offscreen screenshots.

``run(db_path, screenshot)`` opens the journal (creating it on first run), makes sure no
other Lucy has the same file open (a second launch brings the first window forward and
exits), shows the main window and runs the event loop. With ``screenshot`` it renders the
window (offscreen unless ``QT_QPA_PLATFORM`` says otherwise) to a PNG once the chosen page
is filled in, at the chosen size and theme, and exits 0. The theme (System, Light, Dark) is
applied here, at start and when Settings changes it.
"""

from __future__ import annotations

import gc
import logging
import os
import sys
import time
from pathlib import Path

log = logging.getLogger("lucy.ui.app")

SCREENSHOT_SIZE = (1280, 800)
GIL_SWITCH_S = 0.001
ICON = Path(__file__).resolve().parents[2] / "resources" / "icons" / "lucy.svg"


def _application():
    from lucy_app.ui.qt import QApplication, QIcon

    # Background threads run Python too (digests, indexing); hand the GIL over more often
    # so the GUI thread never waits long for it (the default is 5 ms per request).
    sys.setswitchinterval(GIL_SWITCH_S)

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName("Lucy")
    app.setApplicationName("Lucy")
    app.setDesktopFileName("lucy")
    if ICON.is_file():
        app.setWindowIcon(QIcon(str(ICON)))
    return app


#: Where the theme is kept: an app-wide preference of this computer (QSettings), not of a
#: journal. It applies before any journal is open (the passphrase prompt, "cannot open"),
#: is the same whichever journal is open, and does not travel inside a journal's backups.
THEME_KEY = "appearance/theme"
_system_style: str | None = None   # the platform's own style, kept when Light or Dark replaces it
_applied = "system"                # the theme in use now


def saved_theme() -> str:
    """The theme chosen in Settings: "system" (the default), "light" or "dark"."""
    from lucy_app.ui import style
    from lucy_app.ui.qt import QSettings

    name = str(QSettings("Lucy", "Lucy").value(THEME_KEY, "system") or "system")
    return name if name in style.THEMES else "system"


def apply_theme(name: str) -> None:
    """Look like ``name`` now: "light"/"dark" are Fusion with Lucy's palette; "system" gives
    the platform's style and palette back. Open windows restyle on the palette change."""
    global _system_style, _applied
    from lucy_app.ui import style
    from lucy_app.ui.qt import QApplication, QPalette

    app = QApplication.instance()
    if name not in style.THEMES:
        raise ValueError(f"unknown theme {name!r}")
    _applied = name
    if name == "system":
        if _system_style is not None:
            app.setStyle(_system_style)
            app.setPalette(QPalette())  # an empty palette: the platform's own again
        return
    if _system_style is None:
        _system_style = app.style().name()
    app.setStyle("Fusion")
    app.setPalette(style.theme_palette(name))


def current_theme() -> str:
    """The theme in use (``lucy app --theme`` may differ from the saved one for a run)."""
    return _applied


def choose_theme(name: str) -> None:
    """The theme chosen in Settings: applied at once and remembered for the next start."""
    from lucy_app.ui.qt import QSettings

    apply_theme(name)
    QSettings("Lucy", "Lucy").setValue(THEME_KEY, name)


def settle() -> None:
    """After start-up: move everything built so far out of the garbage collector's way.

    A full collection holds the GIL for as long as it takes to scan every object; freezing
    the long-lived ones (modules, widgets) keeps collections short, so a background thread
    that triggers one does not stall the GUI thread.
    """
    gc.collect()
    gc.freeze()


def _install_hooks(window) -> None:
    """Uncaught exceptions (in slots, too) are bugs: logged, and shown calmly in the window."""

    def hook(kind, exc, tb):
        log.error("Uncaught exception", exc_info=(kind, exc, tb))
        try:
            window.show_problem(exc.with_traceback(tb))
        except Exception:  # noqa: BLE001 - never fail inside the hook
            pass

    sys.excepthook = hook


def _close_on_signals(window):
    """SIGTERM (logging out, shutting down, ``kill``) and SIGINT (Ctrl+C in a terminal) close
    the window as its close button does: what is being written is saved first.

    Python runs signal handlers only between bytecodes, and the Qt event loop may sleep for
    long; ``signal.set_wakeup_fd`` writes a byte that wakes it through a socket notifier.
    Returns what must stay alive (and be passed to :func:`_restore_signals`).
    """
    import signal

    from lucy_app.ui.qt import QSocketNotifier

    if sys.platform == "win32":  # no POSIX signals to speak of; a pipe cannot be the wake-up fd
        return None
    reader, writer = os.pipe()
    os.set_blocking(reader, False)
    os.set_blocking(writer, False)
    previous = {s: signal.signal(s, lambda *_: None) for s in (signal.SIGTERM, signal.SIGINT)}
    old_fd = signal.set_wakeup_fd(writer)
    notifier = QSocketNotifier(reader, QSocketNotifier.Type.Read)

    def woken() -> None:
        try:
            os.read(reader, 64)
        except OSError:
            pass
        log.info("closing: the system asked Lucy to quit")
        window.close()

    notifier.activated.connect(woken)
    return (reader, writer, notifier, previous, old_fd)


def _restore_signals(kept) -> None:
    import signal

    if kept is None:
        return
    reader, writer, notifier, previous, old_fd = kept
    notifier.setEnabled(False)
    signal.set_wakeup_fd(old_fd)
    for s, handler in previous.items():
        signal.signal(s, handler)
    os.close(reader)
    os.close(writer)


def _log_qt_messages():
    """Qt's own warnings go to the log file, not the terminal; returns the previous handler."""
    from lucy_app.ui.qt import QtMsgType, qInstallMessageHandler

    qt_log = logging.getLogger("lucy.qt")

    def qt_messages(mode, _context, message):
        if mode in (QtMsgType.QtWarningMsg, QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg):
            qt_log.warning("%s", message)

    return qInstallMessageHandler(qt_messages)


def run(db_path: Path | None = None, screenshot: Path | None = None, *, size: tuple[int, int] | None = None,
        theme: str | None = None, page: str = "today") -> int:
    """Open the window (or, with ``screenshot``, render ``page`` at ``size`` to that PNG and
    exit). ``theme`` overrides the one chosen in Settings for this run only."""
    started = time.monotonic()
    if screenshot is not None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from lucy_app.core import errors, paths
    from lucy_app.ui.errors import setup_logging
    from lucy_app.ui.qt import qInstallMessageHandler
    from lucy_app.ui.single_instance import SingleInstance

    app = _application()
    setup_logging()
    previous_handler = _log_qt_messages()
    apply_theme(theme or saved_theme())
    path = Path(db_path).expanduser() if db_path else paths.default_journal_path()
    while True:
        single = SingleInstance(path)
        if screenshot is None:
            if single.notify_running() or not single.listen():
                print(f"Lucy already has {path} open; its window was brought forward.", file=sys.stderr)
                return 0
        try:
            journal = _open_journal(path, interactive=screenshot is None)
            break
        except errors.LucyError as exc:
            single.close()
            other = None if isinstance(exc, errors.Cancelled) else _cannot_open(exc, path, screenshot is not None)
            if other is None:
                qInstallMessageHandler(previous_handler)
                return 1
            path = other  # another journal, a new one, or this one restored from a backup

    from lucy_app.ui.main_window import MainWindow

    window = MainWindow(journal, background=screenshot is None)
    window.remember_geometry = screenshot is None  # a screenshot's size is not the user's window
    single.activate.connect(window.activate)
    window.ready.connect(lambda: log.info("interactive %.2f s after start", time.monotonic() - started))
    settle()
    try:
        if screenshot is not None:
            return _screenshot(app, window, Path(screenshot), size=size or SCREENSHOT_SIZE, page=page)
        _install_hooks(window)
        kept = _close_on_signals(window)
        window.show()
        try:
            code = app.exec()
        finally:
            _restore_signals(kept)
    finally:
        window.shutdown()
        window.hide()
        single.close()
        journal.close()
        qInstallMessageHandler(previous_handler)
    if window.after_close and window.after_close[0] == "restore":
        _restore(window.after_close[1], path)
        return run(path)
    return code


def _restore(source: Path, path: Path) -> None:
    """Restore ``source`` over the closed journal at ``path`` (File ▸ Restore from a Backup…);
    if it cannot be, the journal is left as it was (and opened again)."""
    from lucy_app.core import backup, errors
    from lucy_app.ui.qt import QMessageBox

    try:
        backup.restore(source, path)
    except errors.LucyError as exc:
        QMessageBox.warning(None, "Lucy could not restore the backup", exc.user_text())


def _open_journal(path: Path, *, interactive: bool):
    """The journal; an encrypted one with LUCY_PASSPHRASE or a passphrase asked for (3 tries)."""
    from lucy_app.core import errors
    from lucy_app.core.journal import Journal

    try:
        return Journal.open(path)
    except errors.JournalEncrypted:
        if os.environ.get("LUCY_PASSPHRASE"):
            return Journal.open(path, passphrase=os.environ["LUCY_PASSPHRASE"])
        if not interactive:
            raise
    from lucy_app.ui.qt import QInputDialog, QLineEdit

    prompt = f"{path.name} is encrypted. Passphrase:"
    for _ in range(3):
        text, ok = QInputDialog.getText(None, "Lucy", prompt, QLineEdit.EchoMode.Password)
        if not ok:
            raise errors.Cancelled("No passphrase given")
        try:
            return Journal.open(path, passphrase=text)
        except errors.WrongPassphrase:
            prompt = "That passphrase does not open the journal. Try again:"
    raise errors.WrongPassphrase(f"Could not open {path}: wrong passphrase", hint="check the passphrase and retry")


def plain_problem(exc, path: Path) -> tuple[str, str]:
    """What went wrong opening ``path``, for people: (what, what to do). The technical
    message (byte counts, commands) is kept for the dialog's details."""
    from lucy_app.core import backup, errors

    name = path.name
    if isinstance(exc, errors.JournalCorrupt):
        newest = backup.latest_backup(path)
        when = f" Your newest automatic backup is {newest.name}." if newest else ""
        return (f"{name} is damaged, so Lucy did not open it (nothing in it was changed).",
                "Restore a backup (the damaged file is kept beside it), or open another journal." + when)
    if isinstance(exc, errors.NewerSchema):
        return f"{name} was written by a newer version of Lucy.", "Update Lucy to open it, or open another journal."
    if isinstance(exc, errors.WrongPassphrase):
        return f"That passphrase does not open {name}.", "Start Lucy again to retry, or open another journal."
    if isinstance(exc, errors.JournalBusy):
        return f"{name} is busy: another program is writing to it.", "Try again in a moment."
    if isinstance(exc, errors.JournalReadOnly):
        return f"Lucy cannot open {name} for writing.", "Check the file's and its folder's permissions."
    if isinstance(exc, errors.NotAJournal):
        return f"{name} is not a Lucy journal.", "Open your journal, or start a new one."
    return exc.message, exc.hint or ""


def _cannot_open(exc, path: Path, quiet: bool) -> Path | None:
    """Say why the journal cannot be opened and offer what can be done: open another, start
    a new one, restore a backup. Returns the journal to open instead, or None (quit)."""
    print(f"Error: {exc.user_text()}", file=sys.stderr)
    if quiet:
        return None
    from lucy_app.core import backup, errors
    from lucy_app.ui import file_dialogs
    from lucy_app.ui.qt import QMessageBox

    what, todo = plain_problem(exc, path)
    box = QMessageBox(QMessageBox.Icon.Warning, "Lucy cannot open the journal", what)
    box.setInformativeText(todo)
    box.setDetailedText(exc.user_text())
    newest = backup.latest_backup(path)
    restore = box.addButton("Restore Backup…", QMessageBox.ButtonRole.AcceptRole) if newest or \
        isinstance(exc, errors.JournalCorrupt) else None
    other = box.addButton("Open Another…", QMessageBox.ButtonRole.ActionRole)
    new = box.addButton("New Journal…", QMessageBox.ButtonRole.ActionRole)
    box.addButton("Quit", QMessageBox.ButtonRole.RejectRole)
    box.exec()
    clicked = box.clickedButton()
    home = str(Path.home())
    if clicked is other:
        chosen = file_dialogs.open_file(None, "Open a journal", home, "Lucy journals (*.db);;All files (*)")
        return Path(chosen) if chosen else None
    if clicked is new:
        chosen = file_dialogs.save_file(None, "Start a new journal", str(Path(home) / "journal.db"),
                                        "Lucy journals (*.db)")
        return Path(chosen) if chosen else None
    if restore is not None and clicked is restore:
        folder = str(newest.parent) if newest else str(path.parent)
        chosen = file_dialogs.open_file(None, "Restore from a backup", str(newest) if newest else folder,
                                        "Lucy journals (*.db);;All files (*)")
        if chosen:
            _restore(Path(chosen), path)
            return path
        return None
    return None


#: What ``--page`` shows in a screenshot (Search and Ask with these).
SCREENSHOT_PAGES = ("today", "write", "calendar", "digests", "search", "ask")
SCREENSHOT_SEARCH = "swimming in the lake"
SCREENSHOT_QUESTION = "What did I do last spring?"


def _screenshot(app, window, target: Path, *, size: tuple[int, int] = SCREENSHOT_SIZE, page: str = "today") -> int:
    """Show ``page`` as a person would find it (the newest entry, last month's digest, a
    search, a question with its quoted answer), wait until it is filled in, and save the
    window as a PNG."""
    from lucy_app.ui.qt import QEventLoop, QTimer

    if page not in SCREENSHOT_PAGES:
        raise ValueError(f"unknown page {page!r}")
    result = {"rc": 1}
    loop = QEventLoop()
    poll = QTimer()
    poll.setInterval(50)

    def grab() -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        ok = window.grab().save(str(target), "PNG")
        result["rc"] = 0 if ok else 1
        loop.quit()

    def when(ready, settle_ms: int = 400) -> None:
        """Grab once ``ready()`` holds (checked every 50 ms) and the page has painted."""

        def check() -> None:
            if ready():
                poll.stop()
                QTimer.singleShot(settle_ms, grab)

        poll.timeout.connect(check)
        poll.start()

    def start() -> None:
        from datetime import timedelta

        from lucy_app.core import clock, entries

        if page == "today":
            return when(lambda: True)
        if page == "search":
            window.show_search()
            window.search_page.box.setText(SCREENSHOT_SEARCH)
            window.search_page.search_now()
            return when(lambda: window.search_page.info.text() not in ("", "Searching…"))
        if page == "ask":  # the answer quoted from the entries, as it first appears (a model, if
            window.show_ask()  # any, is still reading: its words would come in under it)
            window.ask_page.ask(SCREENSHOT_QUESTION)
            return when(lambda: window.ask_page.quoted is not None or window.ask_page.answer is not None, 100)
        if page == "digests":
            last_month = clock.today().replace(day=1) - timedelta(days=1)
            window.open_digest(level="month", day=last_month)
            return when(lambda: window.digests_page.resolved is not None
                        and window.digests_page.tree.currentItem() is not None)

        def newest(span) -> None:
            day = span[1] if span else clock.today()
            if page == "write":
                window.show_page("write")
                window.write_page.show_day(day)
                when(lambda: window.write_page.day == day and window.write_page.handle is not None)
            else:
                window.show_page("calendar")
                window.calendar_page.go_to(day)
                when(lambda: window.calendar_page.data is not None and window.calendar_page.day_list.count() > 0)

        window.tasks.read(entries.span, newest)

    window.resize(*size)
    if getattr(window, "_is_ready", False):  # already showing its start page
        QTimer.singleShot(300, start)
    else:
        window.ready.connect(lambda: QTimer.singleShot(300, start))
    give_up = QTimer()
    give_up.setSingleShot(True)
    give_up.timeout.connect(loop.quit)  # never hang: give up after a minute
    give_up.start(60_000)
    window.show()
    loop.exec()
    give_up.stop()
    poll.stop()
    if result["rc"]:
        print(f"Error: could not render the window to {target}", file=sys.stderr)
    return result["rc"]
