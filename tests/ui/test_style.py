"""Looks: colours come from the palette, so a dark system palette gives a dark Lucy."""

from __future__ import annotations

import re
from pathlib import Path

from lucy_app.ui import style
from lucy_app.ui.qt import QApplication, QColor, QPalette

UI = Path(__file__).resolve().parents[2] / "lucy_app" / "ui"


def _dark(base: QPalette) -> QPalette:
    pal = QPalette(base)
    for role, colour in ((QPalette.ColorRole.Window, "#202124"), (QPalette.ColorRole.Base, "#17181a"),
                         (QPalette.ColorRole.Text, "#e8e6e3"), (QPalette.ColorRole.WindowText, "#e8e6e3"),
                         (QPalette.ColorRole.Link, "#8ab4f8"), (QPalette.ColorRole.Highlight, "#3d6fb4")):
        pal.setColor(role, QColor(colour))
    return pal


def _without_the_theme_palettes(path: Path) -> str:
    """A UI module's text; in style.py without the Light and Dark themes' palette table, the
    one place colours are written down."""
    text = path.read_text(encoding="utf-8")
    if path.name == "style.py":
        start = text.index("PALETTES = {")
        end = text.index("\n}\n", start) + 3
        text = text[:start] + text[end:]
    return text


def test_no_colour_is_hard_coded_in_the_ui():
    found = [f"{p.name}: {m.group()}" for p in UI.glob("*.py")
             for m in re.finditer(r"#[0-9a-fA-F]{6}\b|QColor\(\s*\d", _without_the_theme_palettes(p))]
    assert found == []


def test_views_follow_a_dark_palette(qtbot, open_window):
    window = open_window(days=5, digests=True)
    app = QApplication.instance()
    light = app.palette()
    app.setPalette(_dark(light))
    try:
        assert "#e8e6e3" in style.css()
        assert style.heat_colours()[0].lightness() < 80           # empty days stay dark
        qtbot.waitUntil(lambda: "#e8e6e3" in window.today_page.view.toHtml())
        assert window.write_page.words_label.palette().color(QPalette.ColorRole.WindowText).lightness() < 200
    finally:
        app.setPalette(light)
    qtbot.waitUntil(lambda: "#e8e6e3" not in window.today_page.view.toHtml())
