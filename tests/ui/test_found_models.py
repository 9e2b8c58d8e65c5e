"""Settings lists the models other apps already put on this computer; one click uses one."""

from __future__ import annotations

from pathlib import Path

from lucy_app.ui.qt import QDialogButtonBox, QPushButton
from tests.core.llm.test_discover import tiny_gguf


def test_a_model_lm_studio_downloaded_is_listed_and_used_in_place(qtbot, open_window, monkeypatch):
    home = Path.home()
    model = tiny_gguf(home / ".lmstudio/models/lmstudio-community/Tiny-Instruct/Tiny-1B-Instruct-Q4_K_M.gguf",
                      name="Tiny 1B Instruct")
    window = open_window()
    window.open_settings()
    dlg = window.settings_dialog
    qtbot.waitUntil(lambda: dlg.found.found is not None, timeout=10_000)
    assert [f.path for f in dlg.found.found] == [model]
    text = dlg.found.status.text()
    assert "nothing is copied or downloaded" in text
    use = next(b for b in dlg.found.findChildren(QPushButton) if b.text() == "Use")
    use.click()
    assert dlg.chat.path.text() == str(model)
    with qtbot.waitSignal(window.statusBar().messageChanged, timeout=10_000):
        dlg.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: window.settings.chat_model == str(model), timeout=10_000)
    assert model.exists() and list(model.parent.iterdir()) == [model]  # read where it is, not copied
