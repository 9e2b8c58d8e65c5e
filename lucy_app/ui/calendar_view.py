"""Navigate: a year of writing as a heatmap, the entries of the chosen day, and "on this day".

Each square is a day, coloured by how much was written that day (all its entries together):

    nothing        no entry
    a few lines    1–49 words      (a line is about ten words)
    a paragraph    50–199 words
    a page         200–499 words   (a typed page is about 250–300 words)
    a long day     500 words or more

The colours are mixed from the palette (``style.heat_colours``): each level stands a fixed
contrast further from the page background, so neighbours stay apart in light and dark. A dot
marks a day whose digest is written; a ring marks one that is out of date. The year is one
strip of weeks when the window is wide enough and two (January–June, July–December) or more
when it is narrow; squares grow with the window. Arrow keys move by a day or a week, Page
Up/Down change the year, Enter opens the day.
"""

from __future__ import annotations

import calendar
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
    QFontMetrics,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPainter,
    QPen,
    QPushButton,
    QRectF,
    QSize,
    QSizePolicy,
    Qt,
    QToolButton,
    QVBoxLayout,
    QWidget,
    Signal,
)

#: Words in a day → heat level: the first word count of each level, and what it is.
LEVELS = ((0, "Nothing"), (1, "A few lines"), (50, "A paragraph"), (200, "A page"), (500, "A long day"))
WORD_STEPS = tuple(words for words, _ in LEVELS[1:])

LEFT, TOP, BAND_GAP = 34, 16, 8     # weekday labels, month labels, space between strips
MIN_STEP = 13                       # smallest square + gap (px): below this the year is split
MAX_STEP = 24                       # largest square + gap in one strip
MAX_STEP_SPLIT = 14                 # largest when split (keeps the chosen day in view)
BANDS = (1, 2, 3, 4)                # strips a year may be cut into (months each: 12, 6, 4, 3)


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


def level_words(level: int) -> str:
    """The words a level stands for: "50–199 words"."""
    if level == 0:
        return "no entry"
    low = LEVELS[level][0]
    if level + 1 < len(LEVELS):
        return f"{low}–{LEVELS[level + 1][0] - 1} words"
    return f"{low} words or more"


def plural(n: int, one: str, many: str | None = None) -> str:
    """ "1 day", "2 days", "1 entry", "3 entries"."""
    return f"{n:,} {one if n == 1 else many or one + 's'}"


def describe_day(d: date, data: YearData | None) -> str:
    if data is None:
        return f"{d:%A} {d.day} {d:%B %Y}"
    n, w = data.counts.get(d, 0), data.words.get(d, 0)
    what = "no entries" if not n else f"{plural(n, 'entry', 'entries')}, {plural(w, 'word')} ({LEVELS[heat_level(w)][1].lower()})"
    dg = {"fresh": ", digest written", "stale": ", digest out of date"}.get(data.digests.get(d, ""), "")
    return f"{d:%A} {d.day} {d:%B %Y}: {what}{dg}"


@dataclass(frozen=True)
class Band:
    """A strip of the year: whole months, drawn as week columns × 7 weekday rows."""

    first: date       # the first day shown (the 1st of its first month)
    last: date        # the last day shown
    origin: date      # the first day of the week holding ``first`` (column 0, row 0)

    @property
    def weeks(self) -> int:
        return (self.last - self.origin).days // 7 + 1


def bands_of(year: int, n: int, week_start: int) -> list[Band]:
    per = 12 // n
    out = []
    for b in range(n):
        first = date(year, 1 + b * per, 1)
        last_month = (b + 1) * per
        last = date(year, last_month, calendar.monthrange(year, last_month)[1])
        out.append(Band(first, last, first - timedelta(days=(first.weekday() - week_start) % 7)))
    return out


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
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.setAccessibleName("Writing activity")

    def set_data(self, data: YearData, week_start: int) -> None:
        self.data, self.year, self.week_start = data, data.year, week_start
        if self.current.year != data.year:
            self.current = date(data.year, min(self.current.month, 12), 1)
        self.setAccessibleName(f"Writing activity in {data.year}")
        self.setAccessibleDescription(describe_day(self.current, data))
        self.updateGeometry()
        self.update()

    # geometry: as many strips as the width needs, squares as big as it allows
    def _weeks(self, n: int) -> int:
        return max(b.weeks for b in bands_of(self.year, n, self.week_start))

    def layout_for(self, width: int) -> tuple[int, int]:
        """(strips, square + gap) for ``width`` pixels."""
        for n in BANDS:
            step = (width - LEFT - 4) // self._weeks(n)
            if step >= MIN_STEP:
                return n, min(step, MAX_STEP if n == 1 else MAX_STEP_SPLIT)
        return BANDS[-1], MIN_STEP

    @staticmethod
    def _height(n: int, step: int) -> int:
        return n * (TOP + 7 * step) + (n - 1) * BAND_GAP + 2

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt API
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt API
        return self._height(*self.layout_for(width))

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        width = LEFT + 4 + self._weeks(1) * 16
        return QSize(width, self.heightForWidth(width))

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        # narrowest: two strips of the smallest squares; tallest below one strip: two strips
        # of the largest split squares
        return QSize(LEFT + 4 + self._weeks(2) * MIN_STEP, self._height(2, MAX_STEP_SPLIT))

    def _geometry(self) -> tuple[list[Band], int, int]:
        n, step = self.layout_for(self.width())
        return bands_of(self.year, n, self.week_start), step, max(2, round(step * 0.2))

    def _band_top(self, index: int, step: int) -> int:
        return index * (TOP + 7 * step + BAND_GAP)

    def _cell(self, d: date) -> QRectF:
        bands, step, gap = self._geometry()
        for i, band in enumerate(bands):
            if band.first <= d <= band.last:
                col, row = divmod((d - band.origin).days, 7)
                return QRectF(LEFT + col * step, self._band_top(i, step) + TOP + row * step, step - gap, step - gap)
        return QRectF()

    def _day_at(self, x: float, y: float) -> date | None:
        bands, step, _gap = self._geometry()
        for i, band in enumerate(bands):
            top = self._band_top(i, step) + TOP
            if top <= y < top + 7 * step and x >= LEFT:
                col, row = int((x - LEFT) // step), int((y - top) // step)
                d = band.origin + timedelta(days=col * 7 + row)
                return d if band.first <= d <= band.last else None
        return None

    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt API
        pal = self.palette()
        heat = style.heat_colours(len(LEVELS), pal)
        marks = [style.on_colour(c, pal) for c in heat]  # a digest's dot on each shade
        text = pal.color(pal.ColorRole.Text)
        muted = style.muted(pal)
        bands, step, gap = self._geometry()
        cell = step - gap
        radius = max(2.0, cell * 0.18)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        small = QFont(self.font())
        small.setPointSizeF(max(7.0, small.pointSizeF() * 0.8))
        p.setFont(small)
        names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        data = self.data
        today = clock.today()
        for i, band in enumerate(bands):
            top = self._band_top(i, step)
            p.setPen(muted)
            for row in (0, 2, 4):
                label = names[(self.week_start + row) % 7]
                p.drawText(QRectF(0, top + TOP + row * step - 2, LEFT - 6, cell + 4),
                           Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, label)
            month = band.first
            while month <= band.last:
                col = (month - band.origin).days // 7
                p.drawText(QRectF(LEFT + col * step, top, 6 * step, TOP - 4),
                           Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom, f"{month:%b}")
                month = (month + timedelta(days=32)).replace(day=1)
            d = band.first
            while d <= band.last:
                col, row = divmod((d - band.origin).days, 7)
                r = QRectF(LEFT + col * step, top + TOP + row * step, cell, cell)
                level = heat_level(data.words.get(d, 0)) if data else 0
                if d > today:  # days to come: an outline, not an empty day
                    p.setPen(QPen(heat[0], 1.0))
                    p.setBrush(Qt.BrushStyle.NoBrush)
                    p.drawRoundedRect(r.adjusted(0.5, 0.5, -0.5, -0.5), radius, radius)
                else:
                    p.setPen(Qt.PenStyle.NoPen)
                    p.setBrush(heat[level])
                    p.drawRoundedRect(r, radius, radius)
                state = data.digests.get(d) if data else None
                mark = marks[level]
                if state == "fresh":
                    p.setBrush(mark)
                    p.drawEllipse(r.center(), max(1.5, cell * 0.13), max(1.5, cell * 0.13))
                elif state == "stale":
                    p.setBrush(Qt.BrushStyle.NoBrush)
                    p.setPen(QPen(mark, 1.2))
                    p.drawEllipse(r.center(), cell * 0.26, cell * 0.26)
                if d == self.current:
                    p.setBrush(Qt.BrushStyle.NoBrush)
                    p.setPen(QPen(text, 2.0 if self.hasFocus() else 1.2))
                    p.drawRoundedRect(r.adjusted(-1.5, -1.5, 1.5, 1.5), radius + 1, radius + 1)
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
    """What the colours and marks mean; wraps onto a second line when narrow."""

    SWATCH, SPACE, LINE = 12, 16, 18

    def __init__(self, parent=None):
        super().__init__(parent)
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.setToolTip("Words written in a day: " + "; ".join(
            f"{name.lower()}: {level_words(i)}" for i, (_, name) in enumerate(LEVELS)))
        self.setAccessibleName("Calendar legend")
        self.setAccessibleDescription(self.toolTip())

    def _font(self) -> QFont:
        small = QFont(self.font())
        small.setPointSizeF(max(7.0, small.pointSizeF() * 0.9))
        return small

    def _items(self) -> list[tuple[str, str | int]]:
        return [(name, i) for i, (_, name) in enumerate(LEVELS)] + [("digest written", "dot"),
                                                                   ("out of date", "ring")]

    def _place(self, width: int) -> list[tuple[float, float, str, str | int]]:
        metrics = QFontMetrics(self._font())
        x, y, out = 0.0, 0.0, []
        for label, kind in self._items():
            w = self.SWATCH + 5 + metrics.horizontalAdvance(label)
            if x > 0 and x + w > width:
                x, y = 0.0, y + self.LINE
            out.append((x, y, label, kind))
            x += w + self.SPACE
        return out

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt API
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt API
        return int(max(y for _, y, _, _ in self._place(width)) + self.LINE)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        x, _y, label, _ = self._place(10_000)[-1]
        width = int(x + self.SWATCH + 5 + QFontMetrics(self._font()).horizontalAdvance(label))
        return QSize(width, self.LINE)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(200, self.LINE * 2)

    def paintEvent(self, _e) -> None:  # noqa: N802 - Qt API
        pal = self.palette()
        heat = style.heat_colours(len(LEVELS), pal)
        text, muted = pal.color(pal.ColorRole.Text), style.muted(pal)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setFont(self._font())
        s = self.SWATCH
        for x, y, label, kind in self._place(self.width()):
            box = QRectF(x, y + (self.LINE - s) / 2, s, s)
            if isinstance(kind, int):
                p.setPen(Qt.PenStyle.NoPen)
                p.setBrush(heat[kind])
                p.drawRoundedRect(box, 2.5, 2.5)
            elif kind == "dot":
                p.setPen(Qt.PenStyle.NoPen)
                p.setBrush(text)
                p.drawEllipse(box.center(), 2.2, 2.2)
            else:
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.setPen(QPen(text, 1.2))
                p.drawEllipse(box.center(), 3.6, 3.6)
            p.setPen(muted)
            p.drawText(QRectF(x + s + 5, y, 400, self.LINE), Qt.AlignmentFlag.AlignVCenter, label)
        p.end()


class EntryPreview(MarkdownView):
    """The chosen entry, its lines kept to a comfortable length (a centred column)."""

    def show_markdown(self, markdown: str) -> None:
        super().show_markdown(markdown)
        self._centre()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self._centre()

    def _centre(self) -> None:
        side = max(6, (self.viewport().width() - style.reading_width(self.font())) // 2)
        root = self.document().rootFrame()
        fmt = root.frameFormat()
        if int(fmt.leftMargin()) != side:
            fmt.setLeftMargin(side)
            fmt.setRightMargin(side)
            root.setFrameFormat(fmt)


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
        self.summary.setWordWrap(True)  # a narrow window wraps it rather than growing
        nav.addWidget(self.prev_year)
        nav.addWidget(self.year_label)
        nav.addWidget(self.next_year)
        nav.addSpacing(12)
        nav.addWidget(self.summary, 1)
        nav.addWidget(self.today_button)
        outer.addLayout(nav)

        self.heatmap = YearHeatmap()
        outer.addWidget(self.heatmap)
        self.legend = Legend()
        outer.addWidget(self.legend)

        lists = QHBoxLayout()
        left = QVBoxLayout()
        self.day_label = QLabel()
        self.day_label.setFont(style.heading_font(1.1))
        self.day_list = QListWidget()
        self.day_list.setAccessibleName("Entries of the chosen day")
        self.day_list.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        left.addWidget(self.day_label)
        left.addWidget(self.day_list)
        right = QVBoxLayout()
        self.otd_label = QLabel("On this day")
        self.otd_label.setFont(style.heading_font(1.1))
        self.otd_list = QListWidget()
        self.otd_list.setAccessibleName("On this day in earlier years")
        self.otd_list.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        for lst in (self.day_list, self.otd_list):
            lst.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # long titles are elided
            _fit(lst, 1)  # one row until the day is loaded
        right.addWidget(self.otd_label)
        right.addWidget(self.otd_list)
        lists.addLayout(left, 1)
        lists.addSpacing(16)
        lists.addLayout(right, 1)
        outer.addSpacing(6)
        outer.addLayout(lists)
        self.preview = EntryPreview(fetch=self._fetch_images)
        self.preview.setAccessibleName("The chosen entry")
        self.preview.setMinimumHeight(40)
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
            self.summary.setText(f"{plural(n, 'entry', 'entries')} on {plural(len(data.counts), 'day')} · "
                                 f"{plural(w, 'word')}" if n else "Nothing written this year")
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
        heading = f"## {entry.title}\n\n" if entry.title else ""
        self.preview.show_markdown(heading + entry.body)

    def _fetch_images(self, shas: list[str], done) -> None:
        from lucy_app.ui import attachments

        self.tasks.read(lambda db: attachments.load(db, shas), done, lambda exc: None)


def _fill(lst: QListWidget, found: list[Entry], empty: str, *, with_year: bool) -> None:
    lst.clear()
    # rows as wide as the list, whatever their text: a long title is elided, never scrolled to
    row = QSize(1, lst.fontMetrics().height() + 6)
    if not found:
        item = QListWidgetItem(empty)
        item.setFlags(Qt.ItemFlag.NoItemFlags)
        item.setSizeHint(row)
        lst.addItem(item)
        _fit(lst)
        return
    for e in sorted(found, key=lambda x: (x.day, x.created_at), reverse=with_year):
        when = f"{e.day.year} · " if with_year else f"{e.created_at:%H:%M} · "
        item = QListWidgetItem(f"{when}{e.display_title}  —  {e.words} words")
        item.setData(Qt.ItemDataRole.UserRole, e)
        item.setToolTip(" ".join(e.body.split())[:200])
        item.setSizeHint(row)
        lst.addItem(item)
    _fit(lst)
    lst.setCurrentRow(0)


def _fit(lst: QListWidget, most: int = 4) -> None:
    """As tall as its rows (up to ``most``), so the entry below gets the room; a short
    window may take it down to one row (it scrolls)."""
    rows = max(1, min(lst.count(), most))
    row = max(18, lst.sizeHintForRow(0))
    chrome = 2 * lst.frameWidth() + 4
    lst.setMinimumHeight(row + chrome)
    lst.setMaximumHeight(rows * row + chrome)

