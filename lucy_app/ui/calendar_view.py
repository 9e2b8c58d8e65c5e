"""Navigate: a year of writing as a heatmap, the entries of the chosen day, and "on this day".

Each square is a day, darker the more was written (colours mixed from the palette). A dot
marks a day whose digest is written; a ring marks one that is out of date. Arrow keys move
by a day or a week, Page Up/Down change the year, Enter opens the day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from lucy_app.core import clock, entries
from lucy_app.core.digests import read
from lucy_app.core.entries import Entry
from lucy_app.ui import style
from lucy_app.ui.markdown import MarkdownView
from lucy_app.ui.qt import (
    QEvent,
    QFont,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPainter,
    QPen,
    QPushButton,
    QRectF,
    QScrollArea,
    QSize,
    QSizePolicy,
    Qt,
    QToolButton,
    QVBoxLayout,
    QWidget,
    Signal,
)

CELL, GAP, LEFT, TOP = 13, 3, 34, 20
WORD_STEPS = (1, 150, 300, 500)   # words for heat levels 1..4


@dataclass
class YearData:
    year: int
    words: dict[date, int] = field(default_factory=dict)
    counts: dict[date, int] = field(default_factory=dict)
    digests: dict[date, str] = field(default_factory=dict)   # day → "fresh" | "stale"
    span: tuple[date, date] | None = None


def load_year(db, year: int, today: date, settings) -> YearData:
    start, end = date(year, 1, 1), date(year, 12, 31)
    data = YearData(year, span=entries.span(db))
    for e in entries.list_entries(db, start=start, end=end):
        data.words[e.day] = data.words.get(e.day, 0) + e.words
        data.counts[e.day] = data.counts.get(e.day, 0) + 1
    stale = {d for level, d in read.stale_keys(db, today, settings) if level == "day"}
    for dg in read.in_range(db, "day", start, end):
        data.digests[dg.period.start] = "stale" if dg.period.start in stale else "fresh"
    return data


def heat_level(words: int) -> int:
    return sum(1 for step in WORD_STEPS if words >= step)


def describe_day(d: date, data: YearData | None) -> str:
    if data is None:
        return f"{d:%A} {d.day} {d:%B %Y}"
    n, w = data.counts.get(d, 0), data.words.get(d, 0)
    what = "no entries" if not n else f"{n} entr{'y' if n == 1 else 'ies'}, {w} words"
    dg = {"fresh": ", digest written", "stale": ", digest out of date"}.get(data.digests.get(d, ""), "")
    return f"{d:%A} {d.day} {d:%B %Y}: {what}{dg}"


class YearHeatmap(QWidget):
    selected = Signal(object)    # date
    activated = Signal(object)   # date (Enter / double click)
    year_step = Signal(int)      # -1 / +1 (Page Up / Page Down)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.year = clock.today().year
        self.week_start = 0
        self.data: YearData | None = None
        self.current = clock.today()
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.setAccessibleName("Writing activity")

    def set_data(self, data: YearData, week_start: int) -> None:
        self.data, self.year, self.week_start = data, data.year, week_start
        if self.current.year != data.year:
            self.current = date(data.year, min(self.current.month, 12), 1)
        self.setAccessibleName(f"Writing activity in {data.year}")
        self.setAccessibleDescription(describe_day(self.current, data))
        self.updateGeometry()
        self.update()

    # geometry
    def _first_cell_day(self) -> date:
        jan1 = date(self.year, 1, 1)
        return jan1 - timedelta(days=(jan1.weekday() - self.week_start) % 7)

    def _cell(self, d: date) -> QRectF:
        offset = (d - self._first_cell_day()).days
        col, row = divmod(offset, 7)
        return QRectF(LEFT + col * (CELL + GAP), TOP + row * (CELL + GAP), CELL, CELL)

    def _day_at(self, x: float, y: float) -> date | None:
        col = int((x - LEFT) // (CELL + GAP))
        row = int((y - TOP) // (CELL + GAP))
        if col < 0 or not 0 <= row < 7:
            return None
        d = self._first_cell_day() + timedelta(days=col * 7 + row)
        return d if d.year == self.year else None

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(LEFT + 54 * (CELL + GAP) + 8, TOP + 7 * (CELL + GAP) + 6)

    minimumSizeHint = sizeHint

    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt API
        pal = self.palette()
        heat = style.heat_colours(5, pal)
        text = pal.color(pal.ColorRole.Text)
        muted = style.muted(pal)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        small = QFont(self.font())
        small.setPointSizeF(max(7.0, small.pointSizeF() * 0.8))
        p.setFont(small)
        p.setPen(muted)
        names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        for row in (0, 2, 4):
            label = names[(self.week_start + row) % 7]
            p.drawText(QRectF(0, TOP + row * (CELL + GAP) - 2, LEFT - 6, CELL + 4),
                       Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, label)
        for month in range(1, 13):
            first = date(self.year, month, 1)
            r = self._cell(first)
            p.drawText(QRectF(r.left(), 0, 40, TOP - 4), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom,
                       f"{first:%b}")
        d = date(self.year, 1, 1)
        data = self.data
        while d.year == self.year:
            r = self._cell(d)
            level = heat_level(data.words.get(d, 0)) if data else 0
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(heat[level])
            p.drawRoundedRect(r, 2.5, 2.5)
            state = data.digests.get(d) if data else None
            if state == "fresh":
                dot = pal.color(pal.ColorRole.Base) if level >= 2 else text
                p.setBrush(dot)
                p.drawEllipse(r.center(), 1.6, 1.6)
            elif state == "stale":
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.setPen(QPen(text, 1.2))
                p.drawEllipse(r.center(), 3.2, 3.2)
            if d == self.current:
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.setPen(QPen(text, 2.0 if self.hasFocus() else 1.2))
                p.drawRoundedRect(r.adjusted(-1.5, -1.5, 1.5, 1.5), 3, 3)
            d += timedelta(days=1)
        p.end()

    # interaction
    def select(self, d: date) -> None:
        if d.year != self.year:
            self.year_step.emit(1 if d.year > self.year else -1)
        self.current = d
        self.setAccessibleDescription(describe_day(d, self.data))
        self.setToolTip(describe_day(d, self.data))
        self.update()
        self.selected.emit(d)

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt API
        key = event.key()
        steps = {Qt.Key.Key_Left: -7, Qt.Key.Key_Right: 7, Qt.Key.Key_Up: -1, Qt.Key.Key_Down: 1}
        if key in steps:
            self.select(self.current + timedelta(days=steps[key]))
        elif key == Qt.Key.Key_Home:
            self.select(date(self.year, 1, 1))
        elif key == Qt.Key.Key_End:
            self.select(date(self.year, 12, 31))
        elif key == Qt.Key.Key_PageUp:
            self.year_step.emit(-1)
        elif key == Qt.Key.Key_PageDown:
            self.year_step.emit(1)
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.activated.emit(self.current)
        else:
            super().keyPressEvent(event)

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt API
        d = self._day_at(event.position().x(), event.position().y())
        if d is not None:
            self.setFocus()
            self.select(d)

    def mouseDoubleClickEvent(self, event) -> None:  # noqa: N802 - Qt API
        d = self._day_at(event.position().x(), event.position().y())
        if d is not None:
            self.activated.emit(d)

    def event(self, e) -> bool:
        if e.type() == QEvent.Type.ToolTip:
            d = self._day_at(e.pos().x(), e.pos().y())
            self.setToolTip(describe_day(d, self.data) if d else "")
        return super().event(e)

    def focusInEvent(self, e) -> None:  # noqa: N802 - Qt API
        self.update()
        super().focusInEvent(e)

    def focusOutEvent(self, e) -> None:  # noqa: N802 - Qt API
        self.update()
        super().focusOutEvent(e)


class Legend(QWidget):
    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(360, 18)

    def paintEvent(self, _e) -> None:  # noqa: N802 - Qt API
        pal = self.palette()
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(style.muted(pal))
        x = 0.0
        p.drawText(QRectF(x, 0, 40, 16), Qt.AlignmentFlag.AlignVCenter, "Less")
        x += 34
        for c in style.heat_colours(5, pal):
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(c)
            p.drawRoundedRect(QRectF(x, 2, 12, 12), 2.5, 2.5)
            x += 15
        p.setPen(style.muted(pal))
        p.drawText(QRectF(x + 3, 0, 40, 16), Qt.AlignmentFlag.AlignVCenter, "More")
        x += 50
        text = pal.color(pal.ColorRole.Text)
        p.setBrush(text)
        p.setPen(Qt.PenStyle.NoPen)
        p.drawEllipse(QRectF(x, 6, 4, 4))
        p.setPen(style.muted(pal))
        p.drawText(QRectF(x + 8, 0, 90, 16), Qt.AlignmentFlag.AlignVCenter, "digest written")
        x += 105
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.setPen(QPen(text, 1.2))
        p.drawEllipse(QRectF(x, 4, 7, 7))
        p.setPen(style.muted(pal))
        p.drawText(QRectF(x + 11, 0, 90, 16), Qt.AlignmentFlag.AlignVCenter, "out of date")
        p.end()


class CalendarPage(QWidget):
    open_entry = Signal(int)
    open_day = Signal(object)
    problem = Signal(object, str)
    loaded = Signal()

    def __init__(self, tasks, settings, parent=None):
        super().__init__(parent)
        self.tasks = tasks
        self._settings = settings
        self.year = clock.today().year
        self.day = clock.today()
        self.data: YearData | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 16, 24, 12)

        nav = QHBoxLayout()
        self.prev_year = QToolButton()
        self.prev_year.setText("‹")
        self.prev_year.setAccessibleName("Previous year")
        self.year_label = QLabel()
        self.year_label.setFont(style.heading_font(1.4))
        self.next_year = QToolButton()
        self.next_year.setText("›")
        self.next_year.setAccessibleName("Next year")
        self.today_button = QPushButton("Today")
        self.today_button.setAccessibleName("Go to today in the calendar")
        self.summary = QLabel()
        self.summary.setAccessibleName("Year summary")
        nav.addWidget(self.prev_year)
        nav.addWidget(self.year_label)
        nav.addWidget(self.next_year)
        nav.addSpacing(12)
        nav.addWidget(self.summary, 1)
        nav.addWidget(self.today_button)
        outer.addLayout(nav)

        self.heatmap = YearHeatmap()
        self.heatmap.setFixedSize(self.heatmap.sizeHint())
        scroller = QScrollArea()
        scroller.setWidget(self.heatmap)
        scroller.setFrameShape(QFrame.Shape.NoFrame)
        scroller.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroller.setFixedHeight(self.heatmap.height() + scroller.horizontalScrollBar().sizeHint().height() + 2)
        scroller.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        scroller.setObjectName("heat")
        scroller.viewport().setAutoFillBackground(False)
        self.heatmap.selected.connect(lambda d: scroller.ensureVisible(
            int(self.heatmap._cell(d).center().x()), int(self.heatmap._cell(d).center().y()), 40, 0))
        outer.addWidget(scroller)
        outer.addWidget(Legend())

        lists = QHBoxLayout()
        left = QVBoxLayout()
        self.day_label = QLabel()
        self.day_label.setFont(style.heading_font(1.1))
        self.day_list = QListWidget()
        self.day_list.setAccessibleName("Entries of the chosen day")
        left.addWidget(self.day_label)
        left.addWidget(self.day_list)
        right = QVBoxLayout()
        self.otd_label = QLabel("On this day")
        self.otd_label.setFont(style.heading_font(1.1))
        self.otd_list = QListWidget()
        self.otd_list.setAccessibleName("On this day in earlier years")
        right.addWidget(self.otd_label)
        right.addWidget(self.otd_list)
        lists.addLayout(left, 1)
        lists.addSpacing(16)
        lists.addLayout(right, 1)
        outer.addSpacing(6)
        outer.addLayout(lists)
        self.preview = MarkdownView(fetch=self._fetch_images)
        self.preview.setAccessibleName("The chosen entry")
        outer.addWidget(self.preview, 1)
        buttons = QHBoxLayout()
        self.open_button = QPushButton("Open in the editor")
        self.open_button.setAccessibleName("Open the chosen entry in the editor")
        self.open_button.setEnabled(False)
        self.write_day = QPushButton("Write on this day")
        self.write_day.setAccessibleName("Write a new entry on the chosen day")
        buttons.addStretch(1)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.write_day)
        outer.addLayout(buttons)
        self._previewed: Entry | None = None

        self.prev_year.clicked.connect(lambda: self.show_year(self.year - 1))
        self.next_year.clicked.connect(lambda: self.show_year(self.year + 1))
        self.today_button.clicked.connect(lambda: self.go_to(clock.today()))
        self.heatmap.year_step.connect(lambda step: self.show_year(self.year + step))
        self.heatmap.selected.connect(self.show_day)
        self.heatmap.activated.connect(self.open_day.emit)
        self.write_day.clicked.connect(lambda: self.open_day.emit(self.day))
        for lst in (self.day_list, self.otd_list):
            lst.itemActivated.connect(self._item_activated)
            lst.currentItemChanged.connect(lambda cur, _prev: self._preview(cur))
        self.open_button.clicked.connect(
            lambda: self._previewed is not None and self.open_entry.emit(self._previewed.id))
        self._mute()

    def _mute(self) -> None:
        pal = self.summary.palette()
        pal.setColor(pal.ColorRole.WindowText, style.muted())
        self.summary.setPalette(pal)

    def restyle(self) -> None:
        """The palette changed: re-derive the colours."""
        self._mute()
        self.heatmap.update()

    def go_to(self, d: date) -> None:
        self.day = d
        self.heatmap.current = d
        self.show_year(d.year)
        self.show_day(d)

    def refresh(self) -> None:
        self.show_year(self.year)
        self.show_day(self.day)

    def show_year(self, year: int) -> None:
        self.year = year
        self.year_label.setText(str(year))
        settings = self._settings()
        today = clock.today()

        def done(data: YearData) -> None:
            if data.year != self.year:
                return
            self.data = data
            self.heatmap.set_data(data, settings.week_start)
            n, w = sum(data.counts.values()), sum(data.words.values())
            self.summary.setText(f"{n} entr{'y' if n == 1 else 'ies'} on {len(data.counts)} days · {w:,} words"
                                 if n else "Nothing written this year")
            if data.span:
                self.prev_year.setEnabled(year > data.span[0].year)
            self.next_year.setEnabled(year < max(today.year, data.span[1].year if data.span else today.year))
            self.loaded.emit()

        self.tasks.read(lambda db: load_year(db, year, today, settings), done,
                        lambda exc: self.problem.emit(exc, "loading the calendar"))

    def show_day(self, d: date) -> None:
        self.day = d
        self.day_label.setText(f"{d:%A} {d.day} {d:%B %Y}")

        def fetch(db):
            return entries.list_entries(db, start=d, end=d), entries.on_this_day(db, d, years=29)

        def done(result) -> None:
            if d != self.day:
                return
            same_day, earlier = result
            self._previewed = None
            self.open_button.setEnabled(False)
            self.preview.show_markdown("")
            _fill(self.otd_list, earlier, "Nothing on this date in earlier years.", with_year=True)
            _fill(self.day_list, same_day, "Nothing written on this day.", with_year=False)
            self.otd_label.setText(f"On {d.day} {d:%B} in earlier years")

        self.tasks.read(fetch, done, lambda exc: self.problem.emit(exc, "loading the day"))

    def _item_activated(self, item: QListWidgetItem) -> None:
        entry = item.data(Qt.ItemDataRole.UserRole)
        if entry is not None:
            self.open_entry.emit(entry.id)

    def _preview(self, item: QListWidgetItem | None) -> None:
        entry = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        if entry is None:
            return
        self._previewed = entry
        self.open_button.setEnabled(True)
        heading = f"# {entry.title}\n\n" if entry.title else ""
        self.preview.show_markdown(heading + entry.body)

    def _fetch_images(self, shas: list[str], done) -> None:
        from lucy_app.ui import attachments

        self.tasks.read(lambda db: attachments.load(db, shas), done, lambda exc: None)


def _fill(lst: QListWidget, found: list[Entry], empty: str, *, with_year: bool) -> None:
    lst.clear()
    if not found:
        item = QListWidgetItem(empty)
        item.setFlags(Qt.ItemFlag.NoItemFlags)
        lst.addItem(item)
        _fit(lst)
        return
    for e in sorted(found, key=lambda x: (x.day, x.created_at), reverse=with_year):
        when = f"{e.day.year} · " if with_year else f"{e.created_at:%H:%M} · "
        item = QListWidgetItem(f"{when}{e.display_title}  —  {e.words} words")
        item.setData(Qt.ItemDataRole.UserRole, e)
        item.setToolTip(" ".join(e.body.split())[:200])
        lst.addItem(item)
    _fit(lst)
    lst.setCurrentRow(0)


def _fit(lst: QListWidget, most: int = 4) -> None:
    """As tall as its rows (up to ``most``), so the entry below gets the room."""
    rows = max(1, min(lst.count(), most))
    lst.setFixedHeight(rows * max(18, lst.sizeHintForRow(0)) + 2 * lst.frameWidth() + 4)

