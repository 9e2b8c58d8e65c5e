"""Settings: a bad model file is refused with its error, and the app keeps working."""

from __future__ import annotations

from lucy_app.core import clock, entries
from lucy_app.ui.qt import QDialogButtonBox


def test_a_bad_model_file_shows_its_error_and_the_app_keeps_working(qtbot, open_window, tmp_path, reopen):
    window = open_window()
    bad = tmp_path / "not-a-model.gguf"
    bad.write_bytes(b"this is not a model at all" * 10)
    window.open_settings()
    dlg = window.settings_dialog
    assert "GB of memory" in " ".join(lbl.text() for lbl in dlg.findChildren(type(dlg.error)))
    dlg.chat.path.setText(str(bad))
    dlg.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert dlg.isVisible()                      # not accepted
    assert "not a GGUF model file" in dlg.chat.message.text()
    assert "not a GGUF model file" in dlg.error.text()
    dlg.buttons.button(QDialogButtonBox.StandardButton.Cancel).click()
    assert window.settings.chat_model is None

    # the diary still works
    window.new_entry()
    with qtbot.waitSignal(window.entry_saved, timeout=5000):
        qtbot.keyClicks(window.write_page.editor, "Still writing.")
    assert entries.list_entries(reopen().db, start=clock.today(), end=clock.today())[0].body == "Still writing."


def test_settings_are_saved_in_the_journal(qtbot, open_window, reopen, embedding_model_path):
    window = open_window()
    window.open_settings()
    dlg = window.settings_dialog
    dlg.hemisphere.setCurrentIndex(dlg.hemisphere.findData("south"))
    dlg.briefing.setValue(300)
    dlg.chat.path.setText(str(embedding_model_path))     # an embedding model is not a chat model
    dlg.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert dlg.isVisible() and "is an embedding model" in dlg.chat.message.text()
    dlg.chat.path.clear()
    dlg.embed.path.setText(str(embedding_model_path))
    dlg.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: window.settings.hemisphere == "south")
    saved = reopen().settings
    assert (saved.hemisphere, saved.briefing_words, saved.embedding_model) == ("south", 300, str(embedding_model_path))


def test_a_broken_configured_model_turns_ai_off_but_digests_still_come(qtbot, open_window, tmp_path):
    bad = tmp_path / "broken.gguf"
    bad.write_bytes(b"GGUF" + b"\x03\x00\x00\x00" + b"\xff" * 8)
    window = open_window(days=8, background=True, models="auto", settings={"chat_model": str(bad)})
    qtbot.waitUntil(lambda: window.models_problem is not None, timeout=20_000)
    assert window.ai_label.text() == "AI features off"
    assert "broken.gguf" in window.notice.text
    qtbot.waitUntil(lambda: window.background.cycles >= 1, timeout=30_000)
    window.today_page.refresh()
    qtbot.waitUntil(lambda: bool(window.today_page.data and window.today_page.data.brief.parts), timeout=10_000)
