"""Looks: fonts found on this machine (no network fonts) and colours derived from the palette.

Every colour is mixed from the current ``QPalette``, so a dark system palette gives a dark
Lucy; the only colours written down are the palettes of the Light and Dark themes
(:data:`PALETTES`, Fusion-style; the System theme uses the platform's own). Views that
render HTML call :func:`css` again when the palette changes, and the window calls
:func:`app_style_sheet` again (text fields draw their own outline from the palette, so they
keep it on a dark page). :func:`contrast` is WCAG 2's contrast ratio: the heatmap's levels
and the field outlines are placed by it.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from lucy_app.ui.qt import (
    QApplication,
    QColor,
    QFont,
    QFontDatabase,
    QFontMetrics,
    QImage,
    QPainter,
    QPalette,
    QPen,
    QPointF,
    QStandardPaths,
    Qt,
)

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


def luminance(c: QColor) -> float:
    """WCAG 2 relative luminance (0 black … 1 white)."""

    def channel(v: float) -> float:
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF())


def contrast(a: QColor, b: QColor) -> float:
    """WCAG 2 contrast ratio of two colours: 1 (the same) … 21 (black on white)."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


#: How far each heat level stands from the page background (contrast ratio): no writing,
#: then the calendar's four levels. Each is about 1.5× the one before, so neighbours stay
#: apart in a light and a dark palette alike (more writing = further from the background).
HEAT_CONTRAST = (1.3, 1.9, 2.8, 4.2, 6.5)


def _along(path: list[QColor], target: float) -> QColor:
    """The first colour on the polyline ``path`` whose contrast with ``path[0]`` reaches ``target``
    (its end when none does)."""
    start = path[0]
    for a, b in zip(path, path[1:], strict=False):
        if contrast(start, b) < target:
            continue
        lo, hi = 0.0, 1.0
        for _ in range(24):
            mid = (lo + hi) / 2
            if contrast(start, mix(a, b, mid)) < target:
                lo = mid
            else:
                hi = mid
        return mix(a, b, hi)
    return path[-1]


def heat_colours(levels: int = 5, pal: QPalette | None = None) -> list[QColor]:
    """Empty day, then the heat levels: colours stepping away from the page background.

    Empty days are a quiet grey (background towards text); written days go from the
    background through the highlight colour towards the text colour, each level at the
    contrast :data:`HEAT_CONTRAST` gives it, so they read in light and dark palettes alike.
    """
    pal = pal or palette()
    bg = pal.color(QPalette.ColorRole.Base)
    text = pal.color(QPalette.ColorRole.Text)
    hi = pal.color(QPalette.ColorRole.Highlight)
    targets = list(HEAT_CONTRAST[:levels])
    while len(targets) < levels:  # more levels than the table: keep stepping by 1.5×
        targets.append(targets[-1] * 1.5)
    return [_along([bg, text], targets[0])] + [_along([bg, hi, text], t) for t in targets[1:]]


def on_colour(fill: QColor, pal: QPalette | None = None) -> QColor:
    """Text or base colour, whichever stands out more on ``fill`` (a mark drawn on a cell)."""
    pal = pal or palette()
    text, base = pal.color(QPalette.ColorRole.Text), pal.color(QPalette.ColorRole.Base)
    return text if contrast(text, fill) >= contrast(base, fill) else base


def field_border(pal: QPalette | None = None) -> QColor:
    """The outline of text fields, date fields and drop-downs: visible on the page in light
    and dark palettes (Fusion's own outline is the window colour darkened, which vanishes
    on a dark page)."""
    pal = pal or palette()
    return _along([pal.color(QPalette.ColorRole.Base), pal.color(QPalette.ColorRole.Text)], 2.2)


#: A comfortable line for reading and writing, in characters of the reading font.
READING_CHARS = 76
_SAMPLE = ("The evening was warm, so we walked down to the lake and talked about the summer "
           "until the light went.")


def reading_width(font: QFont | None = None, chars: int = READING_CHARS) -> int:
    """Pixels that ``chars`` characters of ordinary prose take in ``font`` (the reading font)."""
    metrics = QFontMetrics(font or reading_font())
    return round(metrics.horizontalAdvance(_SAMPLE) / len(_SAMPLE) * chars)


#: Themes: "system" follows the platform's palette and style; "light" and "dark" are Fusion
#: with these palettes (the only colours written down anywhere in the UI: everything else
#: is derived from the palette in use). Roles not listed are derived by QPalette.
THEMES = ("system", "light", "dark")
THEME_NAMES = {"system": "Same as the system", "light": "Light", "dark": "Dark"}
_DISABLED = QPalette.ColorGroup.Disabled
PALETTES = {
    "light": {
        "Window": "#f2f1ee", "WindowText": "#1d1d1f", "Base": "#ffffff", "AlternateBase": "#f6f5f2",
        "Text": "#1d1d1f", "Button": "#f4f3f0", "ButtonText": "#1d1d1f", "BrightText": "#ffffff",
        "Light": "#ffffff", "Midlight": "#e4e3df", "Mid": "#b8b7b2", "Dark": "#9d9c97", "Shadow": "#6b6a66",
        "Highlight": "#2f74c0", "HighlightedText": "#ffffff", "Link": "#1f5fae", "LinkVisited": "#6a3fae",
        "ToolTipBase": "#fbfaf6", "ToolTipText": "#1d1d1f", "PlaceholderText": "#85847f",
        "Accent": "#2f74c0",
        "disabled": {"WindowText": "#9a9995", "Text": "#9a9995", "ButtonText": "#9a9995",
                     "Highlight": "#b9c9dc", "Base": "#f6f5f2"},
    },
    "dark": {
        "Window": "#232427", "WindowText": "#e7e5e1", "Base": "#1a1b1d", "AlternateBase": "#242529",
        "Text": "#e7e5e1", "Button": "#2e3034", "ButtonText": "#e7e5e1", "BrightText": "#ffffff",
        "Light": "#44464c", "Midlight": "#383a3f", "Mid": "#55585e", "Dark": "#131416", "Shadow": "#08080a",
        "Highlight": "#3f78c0", "HighlightedText": "#ffffff", "Link": "#8ab4f8", "LinkVisited": "#c59af9",
        "ToolTipBase": "#2e3034", "ToolTipText": "#e7e5e1", "PlaceholderText": "#8d8f94",
        "Accent": "#3f78c0",
        "disabled": {"WindowText": "#76787d", "Text": "#76787d", "ButtonText": "#76787d",
                     "Highlight": "#34404f", "Base": "#202124"},
    },
}


def theme_palette(name: str) -> QPalette:
    """The palette of the Light or Dark theme."""
    table = PALETTES[name]
    pal = QPalette()
    for role, value in table.items():
        if role == "disabled":
            continue
        colour = QColor(value)
        for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive, _DISABLED):
            pal.setColor(group, getattr(QPalette.ColorRole, role), colour)
    for role, value in table["disabled"].items():
        pal.setColor(_DISABLED, getattr(QPalette.ColorRole, role), QColor(value))
    return pal


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


def _arrow_file(colour: QColor, up: bool = False) -> str:
    """A small arrow in ``colour`` as a PNG file (style sheets take images by path only),
    drawn once per colour into the cache folder; "" when it cannot be written."""
    folder = Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.CacheLocation))
    path = folder / f"arrow-{'up' if up else 'down'}-{colour.name()[1:]}.png"
    if path.is_file():
        return path.as_posix()
    image = QImage(20, 12, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    pen = QPen(colour, 2.6)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    p.setPen(pen)
    top, bottom = (9.5, 2.5) if up else (2.5, 9.5)
    p.drawPolyline([QPointF(3, top), QPointF(10, bottom), QPointF(17, top)])
    p.end()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if image.save(str(path), "PNG"):
            return path.as_posix()
    except OSError:
        pass
    return ""


def app_style_sheet(pal: QPalette | None = None) -> str:
    """Widget styling from the palette (so dark mode follows; call again when it changes).

    Text fields, date fields and drop-downs get an outline of their own (:func:`field_border`)
    so they keep it on a dark page."""
    border = field_border(pal).name()
    arrow, arrow_up = _arrow_file(muted(pal)), _arrow_file(muted(pal), up=True)
    return f"""
    QLineEdit, QAbstractSpinBox, QComboBox {{ border: 1px solid {border}; border-radius: 4px;
        padding: 3px 5px; background: palette(base); color: palette(text); }}
    QLineEdit:focus, QAbstractSpinBox:focus, QComboBox:focus {{ border: 1px solid palette(highlight); }}
    QComboBox::drop-down, QDateEdit::drop-down {{ subcontrol-origin: padding; subcontrol-position: center right;
        width: 16px; border: none; background: transparent; }}
    QComboBox::down-arrow, QDateEdit::down-arrow, QSpinBox::down-arrow {{ image: url("{arrow}"); width: 10px;
        height: 6px; }}
    QSpinBox::up-arrow {{ image: url("{arrow_up}"); width: 10px; height: 6px; }}
    QSpinBox::up-button, QSpinBox::down-button {{ subcontrol-origin: border; width: 18px; border: none;
        background: transparent; }}
    QSpinBox::up-button {{ subcontrol-position: top right; }}
    QSpinBox::down-button {{ subcontrol-position: bottom right; }}
    QWidget#sidebar {{ background: palette(window); }}
    QFrame#divider {{ color: palette(mid); }}
    QStackedWidget#pages {{ background: palette(base); }}
    QListWidget#nav {{ border: none; background: palette(window); font-size: 11pt; padding-top: 8px; outline: 0; }}
    QListWidget#nav::item {{ padding: 7px 14px; border-radius: 6px; margin: 1px 8px; }}
    QListWidget#nav::item:selected {{ background: palette(highlight); color: palette(highlighted-text); }}
    QLabel#brand {{ padding: 16px 18px 0px 22px; }}
    QLabel#tagline {{ padding: 0 18px 12px 22px; }}
    QPushButton#settings {{ text-align: left; padding: 6px 22px; border: none; }}
    QPushButton#settings:hover, QPushButton#settings:focus {{ text-decoration: underline; }}
    QFrame#notice {{ border: 1px solid palette(mid); border-radius: 6px; background: palette(alternate-base); margin: 8px 16px 0 16px; }}
    QTextBrowser, QPlainTextEdit, QListWidget, QTreeWidget {{ border: none; background: palette(base); }}
    QListWidget#nav {{ background: palette(window); }}
    QTreeWidget::item {{ padding: 2px 0; }}
    QLineEdit#searchbox {{ padding: 6px 10px; border-radius: 6px; }}
    """
