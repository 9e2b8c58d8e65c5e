"""Themes: System, Light and Dark, chosen in Settings and applied at once; text fields keep
their outlines on a dark page."""

from __future__ import annotations

import pytest

from lucy_app.ui.qt import QApplication, QColor, QDialogButtonBox, QPalette

FIELDS = ("title_edit", "tags_edit", "date_edit")


def _luminance(c: QColor) -> float:
    def channel(v: float) -> float:
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF())


def _contrast(a: QColor, b: QColor) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def _frame_contrast(widget) -> float:
    """How far the field's left edge stands out from the inside of the field, as drawn."""
    image = widget.grab().toImage()
    y = image.height() // 2
    inside = image.pixelColor(4, y)
    return max(_contrast(image.pixelColor(x, y), inside) for x in (0, 1))


def _base_lightness() -> int:
    return QApplication.palette().color(QPalette.ColorRole.Base).lightness()


@pytest.fixture(autouse=True)
def _back_to_the_system_theme():
    light = QPalette(QApplication.palette())
    yield
    from lucy_app.ui import app as app_mod

    if hasattr(app_mod, "apply_theme"):
        app_mod.apply_theme("system")
    QApplication.setPalette(light)


def test_fields_keep_their_outlines_when_the_system_palette_is_dark(qtbot, open_window):
    window = open_window(days=2)
    window.show_page("write")
    dark = QPalette(QApplication.palette())
    for role, colour in (("Window", "#202124"), ("Base", "#17181a"), ("Text", "#e8e6e3"),
                         ("WindowText", "#e8e6e3"), ("Button", "#2a2b2e"), ("ButtonText", "#e8e6e3"),
                         ("Highlight", "#3d6fb4")):
        dark.setColor(getattr(QPalette.ColorRole, role), QColor(colour))
    QApplication.setPalette(dark)
    qtbot.waitUntil(lambda: window.write_page.title_edit.palette().color(QPalette.ColorRole.Base).lightness() < 60)
    qtbot.wait(50)
    for name in FIELDS:
        assert _frame_contrast(getattr(window.write_page, name)) >= 1.8, name


@pytest.mark.parametrize("theme", ["dark", "light"])
def test_lucys_themes_draw_visible_field_outlines(qtbot, open_window, theme):
    from lucy_app.ui import app as app_mod

    window = open_window(days=2)
    window.show_page("write")
    app_mod.apply_theme(theme)
    qtbot.waitUntil(lambda: (_base_lightness() < 60) == (theme == "dark"))
    qtbot.wait(50)
    for name in FIELDS:
        assert _frame_contrast(getattr(window.write_page, name)) >= 1.8, (theme, name)


def test_choosing_a_theme_in_settings_applies_it_at_once_and_next_time(qtbot, open_window):
    from lucy_app.ui import app as app_mod

    window = open_window(days=2)
    light_base = _base_lightness()
    window.open_settings()
    dlg = window.settings_dialog
    assert dlg.theme.currentData() == "system"
    assert [dlg.theme.itemData(i) for i in range(dlg.theme.count())] == ["system", "light", "dark"]
    dlg.theme.setCurrentIndex(dlg.theme.findData("dark"))
    dlg.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert not dlg.isVisible()
    qtbot.waitUntil(lambda: _base_lightness() < 60)
    assert app_mod.saved_theme() == "dark"                 # the next start uses it too
    page = window.write_page
    qtbot.waitUntil(lambda: page.title_edit.palette().color(QPalette.ColorRole.Base).lightness() < 60)
    # the open window followed: the briefing is rendered in the dark theme's text colour
    from lucy_app.ui import style

    qtbot.waitUntil(lambda: style.PALETTES["dark"]["Text"] in window.today_page.view.toHtml())

    window.open_settings()
    dlg = window.settings_dialog
    assert dlg.theme.currentData() == "dark"
    dlg.theme.setCurrentIndex(dlg.theme.findData("system"))
    dlg.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: _base_lightness() == light_base)
    assert app_mod.saved_theme() == "system"

