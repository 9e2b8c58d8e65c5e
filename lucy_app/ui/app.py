"""Start the desktop app: one window per journal, first-run welcome, offscreen screenshots.

``run(db_path, screenshot)`` opens the journal (creating it on first run), makes sure no
other Lucy has the same file open (a second launch brings the first window forward and
exits), shows the main window and runs the event loop. With ``screenshot`` it renders the
window offscreen to a PNG once the start page is ready, and exits 0.
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


def run(db_path: Path | None = None, screenshot: Path | None = None) -> int:
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
    path = Path(db_path).expanduser() if db_path else paths.default_journal_path()
    first_run = not path.exists()
    single = SingleInstance(path)
    if screenshot is None:
        if single.notify_running() or not single.listen():
            print(f"Lucy already has {path} open; its window was brought forward.", file=sys.stderr)
            return 0
    try:
        journal = _open_journal(path, interactive=screenshot is None)
    except errors.LucyError as exc:
        single.close()
        qInstallMessageHandler(previous_handler)
        return 1 if isinstance(exc, errors.Cancelled) else _cannot_open(exc, screenshot is not None)

    from lucy_app.ui.main_window import MainWindow

    window = MainWindow(journal, background=screenshot is None, first_run=first_run and screenshot is None)
    single.activate.connect(window.activate)
    window.ready.connect(lambda: log.info("interactive %.2f s after start", time.monotonic() - started))
    settle()
    try:
        if screenshot is not None:
            return _screenshot(app, window, Path(screenshot))
        _install_hooks(window)
        kept = _close_on_signals(window)
        window.show()
        try:
            return app.exec()
        finally:
            _restore_signals(kept)
    finally:
        window.shutdown()
        window.hide()
        single.close()
        journal.close()
        qInstallMessageHandler(previous_handler)


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


def _cannot_open(exc, quiet: bool) -> int:
    print(f"Error: {exc.user_text()}", file=sys.stderr)
    if not quiet:
        from lucy_app.ui.qt import QMessageBox

        QMessageBox.critical(None, "Lucy cannot open the journal", exc.user_text())
    return 1


def _screenshot(app, window, target: Path) -> int:
    from lucy_app.ui.qt import QEventLoop, QTimer

    result = {"rc": 1}
    loop = QEventLoop()

    def grab() -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        ok = window.grab().save(str(target), "PNG")
        result["rc"] = 0 if ok else 1
        loop.quit()

    window.resize(*SCREENSHOT_SIZE)
    window.ready.connect(lambda: QTimer.singleShot(300, grab))
    give_up = QTimer()
    give_up.setSingleShot(True)
    give_up.timeout.connect(loop.quit)  # never hang: give up after a minute
    give_up.start(60_000)
    window.show()
    loop.exec()
    give_up.stop()
    if result["rc"]:
        print(f"Error: could not render the window to {target}", file=sys.stderr)
    return result["rc"]
