"""Starting the app: the screenshot mode, one window per journal."""

from __future__ import annotations

from pathlib import Path

import pytest

from lucy_app.ui.qt import QImage


def test_screenshot_renders_the_window_to_a_png(qtbot, journal_path, fill, yesterday, tmp_path):
    from lucy_app.core.digests import scheduler
    from lucy_app.core.journal import Journal
    from lucy_app.ui.app import SCREENSHOT_SIZE, run

    with Journal.open(journal_path) as j:
        fill(j.db, 20, end=yesterday)
        scheduler.run(j.db, settings=j.settings)
    target = tmp_path / "shot.png"
    assert run(db_path=journal_path, screenshot=target) == 0
    image = QImage(str(target))
    assert (image.width(), image.height()) == SCREENSHOT_SIZE


def test_a_second_launch_brings_the_first_window_forward(qtbot, journal_path):
    from lucy_app.ui.single_instance import SingleInstance, server_name

    first = SingleInstance(journal_path)
    assert first.listen()
    try:
        second = SingleInstance(journal_path)
        with qtbot.waitSignal(first.activate, timeout=5000):
            assert second.notify_running()
        assert server_name(journal_path) != server_name(journal_path.with_name("other.db"))
        assert not SingleInstance(journal_path.with_name("other.db")).notify_running(timeout_ms=200)
    finally:
        first.close()


def test_two_launches_at_once_leave_one_instance_and_a_crashed_ones_socket_is_taken_over(qtbot, journal_path):
    import socket

    from lucy_app.ui.qt import QDir
    from lucy_app.ui.single_instance import SingleInstance, server_name

    # a crash left the socket file behind: nobody answers on it, so it is taken over
    stale = Path(QDir.tempPath()) / server_name(journal_path)
    leftover = socket.socket(socket.AF_UNIX)
    leftover.bind(str(stale))
    leftover.close()
    assert stale.exists()
    first = SingleInstance(journal_path)
    assert first.listen()
    try:
        # a second launch that checked before the first listened: it must not take the name
        with qtbot.waitSignal(first.activate, timeout=5000):
            assert not SingleInstance(journal_path).listen()
        with qtbot.waitSignal(first.activate, timeout=5000):
            assert SingleInstance(journal_path).notify_running()  # the first still answers
    finally:
        first.close()
    third = SingleInstance(journal_path)  # closed properly: the next launch owns it at once
    assert third.listen(wait_ms=0)
    third.close()


def test_an_encrypted_journal_asks_for_its_passphrase(qtbot, journal_path, monkeypatch):
    from lucy_app.core import encryption, entries, errors
    from lucy_app.core.journal import Journal
    from lucy_app.ui import app as app_mod
    from lucy_app.ui.qt import QInputDialog

    with Journal.open(journal_path) as j:
        entries.add(j.db, "A secret walk.")
    encryption.encrypt(journal_path, "correct horse")
    monkeypatch.delenv("LUCY_PASSPHRASE", raising=False)
    answers = iter([("wrong", True), ("correct horse", True)])
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: next(answers))
    journal = app_mod._open_journal(journal_path, interactive=True)
    try:
        assert entries.count(journal.db) == 1
    finally:
        journal.close()
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("", False))
    with pytest.raises(errors.Cancelled):
        app_mod._open_journal(journal_path, interactive=True)


@pytest.mark.parametrize("signum", ["SIGTERM", "SIGINT"])
def test_the_app_closes_cleanly_when_the_system_asks_it_to(journal_path, tmp_path, signum):
    import os
    import signal
    import subprocess
    import sys
    import time

    from lucy_app.core import entries
    from lucy_app.core.journal import Journal
    from lucy_app.ui.errors import log_file

    with Journal.open(journal_path) as j:
        entries.add(j.db, "Already written.", day="2024-03-05")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    app = subprocess.Popen([sys.executable, "-m", "lucy_app", "--db", str(journal_path), "app"], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while "interactive" not in (log_file().read_text() if log_file().exists() else ""):
            assert app.poll() is None and time.monotonic() < deadline, app.communicate()
            time.sleep(0.1)
        app.send_signal(getattr(signal, signum))
        assert app.wait(timeout=60) == 0
    finally:
        if app.poll() is None:
            app.kill()
    assert "the system asked Lucy to quit" in log_file().read_text()
    assert not Path(f"{journal_path}-wal").exists()  # closed properly: checkpointed and removed


def _answer_dialog(qtbot, button: str, seen: list):
    """When the warning comes up, note its text and buttons and press ``button``."""
    from lucy_app.ui.qt import QApplication, QMessageBox, QTimer

    def press() -> None:
        box = next((w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()), None)
        if box is None:
            QTimer.singleShot(50, press)
            return
        seen.append((box.text(), box.informativeText(), [b.text() for b in box.buttons()]))
        next(b for b in box.buttons() if b.text() == button).click()

    QTimer.singleShot(50, press)


def test_a_file_that_is_not_a_journal_offers_what_to_do_not_a_command(qtbot, tmp_path):
    from lucy_app.ui.app import run

    notes = tmp_path / "notes.txt"
    notes.write_text("shopping: eggs, bread\n" * 50)
    seen: list = []
    _answer_dialog(qtbot, "Quit", seen)
    assert run(db_path=notes) == 1
    text, todo, buttons = seen[0]
    assert text == "notes.txt is not a Lucy journal."
    assert {"Open Another…", "New Journal…", "Quit"} <= set(buttons)
    assert "lucy " not in todo and "bytes" not in text  # no commands, no byte counts
    assert notes.read_text().startswith("shopping")  # nothing was changed


def test_a_damaged_journal_offers_its_backup_and_opens_once_restored(qtbot, journal_path, monkeypatch):
    from lucy_app.core import backup, entries
    from lucy_app.core.journal import Journal
    from lucy_app.ui import file_dialogs
    from lucy_app.ui.app import run
    from lucy_app.ui.main_window import MainWindow
    from lucy_app.ui.qt import QApplication, QTimer

    with Journal.open(journal_path) as j:
        entries.add(j.db, "Kept safe in the backup.", day="2024-03-05")
        saved = backup.rolling_backup(j, keep=2)
    journal_path.write_bytes(journal_path.read_bytes()[:3000])  # cut short, as by a failing disk
    monkeypatch.setattr(file_dialogs, "open_file", lambda *a, **k: str(saved))
    seen: list = []
    _answer_dialog(qtbot, "Restore Backup…", seen)

    def close_when_open() -> None:
        window = next((w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()), None)
        if window is None:
            QTimer.singleShot(100, close_when_open)
            return
        opened.append(entries.count(window.journal.db))
        window.close()

    opened: list = []
    QTimer.singleShot(200, close_when_open)
    assert run(db_path=journal_path) == 0
    text, todo, buttons = seen[0]
    assert "is damaged" in text and "Restore Backup…" in buttons and "bytes" not in text
    assert opened == [1]


def test_a_screenshot_takes_the_size_theme_and_page_asked_for(qtbot, journal_path, fill, yesterday, tmp_path):
    from lucy_app.core.digests import scheduler
    from lucy_app.core.journal import Journal
    from lucy_app.ui import app as app_mod
    from lucy_app.ui import style
    from lucy_app.ui.calendar_view import LEVELS

    with Journal.open(journal_path) as j:
        fill(j.db, 30, end=yesterday)
        scheduler.run(j.db, settings=j.settings)
    target = tmp_path / "dark-calendar.png"
    try:
        assert app_mod.run(db_path=journal_path, screenshot=target, size=(900, 600), theme="dark",
                           page="calendar") == 0
        assert app_mod.saved_theme() == "system"         # --theme is for this run only
    finally:
        app_mod.apply_theme("system")
    image = QImage(str(target))
    assert (image.width(), image.height()) == (900, 600)
    dark = style.theme_palette("dark")
    assert image.pixelColor(image.width() - 30, image.height() // 2).lightness() < 60   # a dark page
    # the calendar is shown: its squares are there, in the dark theme's colours
    page_colour = style.heat_colours(len(LEVELS), dark)[3].rgb()   # "a page": the generated entries
    squares = sum(1 for x in range(0, image.width(), 2) for y in range(0, image.height(), 2)
                  if image.pixel(x, y) == page_colour)
    assert squares > 200


def test_every_page_can_be_shot_filled_in(qtbot, open_window, tmp_path):
    from lucy_app.ui.app import SCREENSHOT_PAGES, _screenshot
    from lucy_app.ui.qt import QApplication

    window = open_window(days=40, digests=True)
    filled = {
        "today": lambda: window.today_page.data is not None,
        "write": lambda: window.write_page.handle is not None and window.write_page.handle.id is not None,
        "calendar": lambda: window.calendar_page._previewed is not None,
        "digests": lambda: window.digests_page.resolved is not None
        and window.digests_page.resolved.digest.level == "month",
        "search": lambda: bool(window.search_page.hits),
        "ask": lambda: (window.ask_page.quoted or window.ask_page.answer) is not None
        and "Sources" in window.ask_page.view.toPlainText(),
    }
    assert set(filled) == set(SCREENSHOT_PAGES)
    for page in SCREENSHOT_PAGES:
        target = tmp_path / f"{page}.png"
        assert _screenshot(QApplication.instance(), window, target, size=(1000, 700), page=page) == 0, page
        assert window.current_page == page
        assert filled[page](), page
        image = QImage(str(target))
        assert (image.width(), image.height()) == (1000, 700)


def test_lucy_app_takes_the_screenshot_options(run_cli, monkeypatch, tmp_path):
    from lucy_app.ui import app as app_mod

    calls = []
    monkeypatch.setattr(app_mod, "run", lambda **kw: calls.append(kw) or 0)
    target = tmp_path / "ask.png"
    result = run_cli("app", "--screenshot", str(target), "--size", "900x600", "--theme", "dark", "--page", "ask")
    assert result.exit_code == 0, result.output
    assert (calls[0]["screenshot"], calls[0]["size"], calls[0]["theme"], calls[0]["page"]) == \
        (target, (900, 600), "dark", "ask")
    result = run_cli("app", "--screenshot", str(target), "--size", "900")
    assert result.exit_code == 2 and "WIDTHxHEIGHT" in result.output
    result = run_cli("app", "--page", "ask")
    assert result.exit_code == 2 and "--screenshot" in result.output
    assert len(calls) == 1
