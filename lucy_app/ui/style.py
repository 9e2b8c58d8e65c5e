"""Looks: fonts found on this machine (no network fonts) and colours derived from the palette.

Nothing here hard-codes a colour: everything is mixed from the current ``QPalette``, so a
dark system palette gives a dark Lucy. Views that render HTML call :func:`css` again when
the palette changes.
"""

from __future__ import annotations

from html import escape

from lucy_app.ui.qt import QApplication, QColor, QFont, QFontDatabase, QPalette

SERIF_FAMILIES = ("Literata", "Source Serif 4", "Source Serif Pro", "Charter", "Iowan Old Style",
                  "Georgia", "Noto Serif", "Cambria", "Libertinus Serif", "DejaVu Serif",
                  "Liberation Serif", "Times New Roman")


def _first_available(families: tuple[str, ...]) -> str | None:
    have = set(QFontDatabase.families())
    return next((f for f in families if f in have), None)


def reading_font(scale: float = 1.0) -> QFont:
    """A calm serif for entries and digests (or the system font when none is installed)."""
    base = QApplication.font()
    family = _first_available(SERIF_FAMILIES)
    font = QFont(base)
    if family:
        font.setFamily(family)
    else:
        font.setStyleHint(QFont.StyleHint.Serif)
    size = base.pointSizeF() if base.pointSizeF() > 0 else 10.0
    font.setPointSizeF(max(9.0, size * 1.15 * scale))
    return font


def heading_font(scale: float = 1.6) -> QFont:
    font = reading_font(scale)
    font.setWeight(QFont.Weight.DemiBold)
    return font


def mix(a: QColor, b: QColor, t: float) -> QColor:
    """``a`` moved ``t`` (0–1) of the way to ``b``."""
    return QColor.fromRgbF(a.redF() + (b.redF() - a.redF()) * t, a.greenF() + (b.greenF() - a.greenF()) * t,
                           a.blueF() + (b.blueF() - a.blueF()) * t, 1.0)


def palette() -> QPalette:
    return QApplication.palette()


def muted(pal: QPalette | None = None) -> QColor:
    pal = pal or palette()
    return mix(pal.color(QPalette.ColorRole.Text), pal.color(QPalette.ColorRole.Base), 0.45)


def accent(pal: QPalette | None = None) -> QColor:
    return (pal or palette()).color(QPalette.ColorRole.Highlight)


def card(pal: QPalette | None = None) -> QColor:
    pal = pal or palette()
    return mix(pal.color(QPalette.ColorRole.Base), pal.color(QPalette.ColorRole.Highlight), 0.05)


def heat_colours(levels: int = 5, pal: QPalette | None = None) -> list[QColor]:
    """Empty day … busiest day: the base colour stepping towards the highlight colour."""
    pal = pal or palette()
    base = mix(pal.color(QPalette.ColorRole.Base), pal.color(QPalette.ColorRole.Text), 0.07)
    hi = pal.color(QPalette.ColorRole.Highlight)
    return [base] + [mix(base, hi, 0.25 + 0.75 * i / (levels - 2)) for i in range(levels - 1)]


def css(pal: QPalette | None = None) -> str:
    """A style sheet for the HTML views (briefing, digests, answers), from the palette."""
    pal = pal or palette()
    text_c = pal.color(QPalette.ColorRole.Text)
    text = text_c.name()
    link = mix(pal.color(QPalette.ColorRole.Link), text_c, 0.2).name()
    return f"""
    body {{ color: {text}; }}
    h1 {{ font-size: x-large; font-weight: 600; margin: 0 0 2px 0; }}
    h2 {{ font-size: large; font-weight: 600; margin: 18px 0 4px 0; }}
    h2 a {{ color: {text}; text-decoration: none; }}
    p, li {{ line-height: 125%; }}
    li {{ margin-bottom: 3px; }}
    ul {{ margin-top: 2px; margin-bottom: 2px; -qt-list-indent: 1; }}
    a {{ color: {link}; text-decoration: none; }}
    .muted {{ color: {muted(pal).name()}; }}
    .cite {{ color: {link}; font-size: small; }}
    .badge {{ color: {muted(pal).name()}; font-size: small; font-style: italic; }}
    .note {{ color: {muted(pal).name()}; font-size: small; }}
    """


def html_page(body: str, pal: QPalette | None = None) -> str:
    return f"<html><head><style>{css(pal)}</style></head><body>{body}</body></html>"


def esc(text: str) -> str:
    return escape(text, quote=True)


def app_style_sheet() -> str:
    """Widget styling that only refers to palette roles (so dark mode follows)."""
    return """
    QWidget#sidebar { background: palette(window); }
    QFrame#divider { color: palette(mid); }
    QStackedWidget#pages { background: palette(base); }
    QListWidget#nav { border: none; background: palette(window); font-size: 11pt; padding-top: 8px; outline: 0; }
    QListWidget#nav::item { padding: 7px 14px; border-radius: 6px; margin: 1px 8px; }
    QListWidget#nav::item:selected { background: palette(highlight); color: palette(highlighted-text); }
    QLabel#brand { padding: 16px 18px 0px 22px; }
    QLabel#tagline { padding: 0 18px 12px 22px; }
    QPushButton#settings { text-align: left; padding: 6px 22px; border: none; }
    QPushButton#settings:hover, QPushButton#settings:focus { text-decoration: underline; }
    QFrame#notice { border: 1px solid palette(mid); border-radius: 6px; background: palette(alternate-base); margin: 8px 16px 0 16px; }
    QTextBrowser, QPlainTextEdit, QListWidget, QTreeWidget { border: none; background: palette(base); }
    QListWidget#nav { background: palette(window); }
    QTreeWidget::item { padding: 2px 0; }
    QScrollArea#heat { background: transparent; border: none; }
    QLineEdit#searchbox { padding: 6px 10px; border-radius: 6px; }
    """
