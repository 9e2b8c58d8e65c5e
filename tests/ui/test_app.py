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
