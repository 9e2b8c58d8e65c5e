"""The calendar: heat levels by words written, legible in light and dark, a year that reflows
with the width, and labels that count right."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from lucy_app.ui import calendar_view
from lucy_app.ui.calendar_view import Legend, YearData, YearHeatmap, heat_level
from lucy_app.ui.qt import QApplication, QColor, QPalette


def _luminance(c: QColor) -> float:
    def channel(v: float) -> float:
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF())


def _contrast(a: QColor, b: QColor) -> float:
    """WCAG 2 contrast ratio (computed here, not by the code under test)."""
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def _palette(**roles: str) -> QPalette:
    pal = QPalette(QApplication.palette())
    for role, colour in roles.items():
        pal.setColor(getattr(QPalette.ColorRole, role), QColor(colour))
    return pal


# a light and a dark system palette such as a desktop hands to Qt (not Lucy's own themes)
LIGHT = {"Window": "#efefef", "Base": "#ffffff", "Text": "#000000", "Highlight": "#308cc6"}
DARK = {"Window": "#202124", "Base": "#17181a", "Text": "#e8e6e3", "Highlight": "#3d6fb4"}
GNOME_DARK = {"Window": "#353535", "Base": "#2d2d2d", "Text": "#ffffff", "Highlight": "#3584e4"}


def test_a_day_is_coloured_by_the_words_written():
    # nothing / a few lines / a paragraph / a page / a long day
    levels = {0: 0, 1: 1, 49: 1, 50: 2, 199: 2, 200: 3, 499: 3, 500: 4, 5000: 4}
    assert {words: heat_level(words) for words in levels} == levels


@pytest.mark.parametrize("roles", [LIGHT, DARK, GNOME_DARK], ids=["light", "dark", "gnome-dark"])
def test_heat_levels_stand_apart_from_the_page_and_from_each_other(qtbot, roles):
    from lucy_app.ui import style

    pal = _palette(**roles)
    colours = style.heat_colours(len(calendar_view.LEVELS), pal)
    assert len(colours) == 5
    page = pal.color(QPalette.ColorRole.Base)
    assert _contrast(colours[0], page) >= 1.25, "an empty day must show on the page"
    for less, more in zip(colours, colours[1:], strict=False):
        assert _contrast(less, more) >= 1.35, f"{less.name()} and {more.name()} look alike"


def test_the_legend_names_each_level(qtbot):
    legend = Legend()
    qtbot.addWidget(legend)
    names = [label for label, _kind in legend._items()]
    assert names[:5] == ["Nothing", "A few lines", "A paragraph", "A page", "A long day"]
    assert "50–199 words" in legend.toolTip() and "500 words or more" in legend.toolTip()
    # narrow: it wraps onto another line instead of running off the page
    assert legend.heightForWidth(260) > legend.heightForWidth(2000)


@pytest.mark.parametrize("year, week_start", [(2026, 0), (2028, 6), (2027, 2)])
@pytest.mark.parametrize("width", [420, 560, 700, 1000, 1400])
def test_the_whole_year_fits_any_width_and_a_click_finds_its_day(qtbot, year, week_start, width):
    heatmap = YearHeatmap()
    qtbot.addWidget(heatmap)
    heatmap.set_data(YearData(year), week_start)
    heatmap.resize(width, heatmap.heightForWidth(width))
    inside = heatmap.rect()
    d = date(year, 1, 1)
    while d.year == year:
        cell = heatmap._cell(d)
        assert inside.contains(cell.toRect()), (d, cell, inside)
        assert heatmap._day_at(cell.center().x(), cell.center().y()) == d
        d += timedelta(days=1)
    assert heatmap.layout_for(width)[0] == (1 if width >= 1000 else 2)


def test_the_year_summary_counts_days_and_entries_right(qtbot, open_window):
    window = open_window(days=1)
    window.show_page("calendar")
    page = window.calendar_page
    qtbot.waitUntil(lambda: page.data is not None)
    assert page.summary.text().startswith("1 entry on 1 day · ")
    assert "days" not in page.summary.text()
