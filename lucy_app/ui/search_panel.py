"""Search: one box, results with dates and highlighted snippets, ↑/↓ and Enter.

Uses the hybrid search (keywords + meaning).
Searches run on a reader thread as you type (debounced); an answer to an older query is
dropped when a newer one was asked meanwhile.
"""

from __future__ import annotations

from lucy_app.core import clock, search
from lucy_app.ui import style
from lucy_app.ui.qt import (
    QAbstractTextDocumentLayout,
    QEvent,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSize,
    QStyle,
    QStyledItemDelegate,
    Qt,
    QTextDocument,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
)

ROLE = Qt.ItemDataRole.UserRole
DEBOUNCE_MS = 250


def run_search(db, query: str, models=None, limit: int = 30, settings=None) -> list[search.Hit]:
    """Hybrid search (keywords, meaning and dates; seasons and weeks as ``settings`` say)."""
    return search.hybrid_search(db, query, models=models, limit=limit, today=clock.today(), settings=settings)


def marked(text: str, spans) -> str:
    """HTML of ``text`` with ``spans`` in bold."""
    out, pos = [], 0
    for s, e in sorted(spans):
        if s < pos:
            continue
        out.append(style.esc(text[pos:s]))
        out.append(f"<b>{style.esc(text[s:e])}</b>")
        pos = e
    out.append(style.esc(text[pos:]))
    return "".join(out)


def hit_html(hit: search.Hit, selected: bool = False) -> str:
    muted = "inherit" if selected else style.muted().name()
    head = f"{hit.day:%a} {hit.day.day} {hit.day:%b %Y}"
    title = style.esc(hit.title) if hit.title else ""
    tags = " ".join(f"#{style.esc(t)}" for t in hit.tags)
    return (f'<div><span style="color:{muted}">{head}</span>'
            f'{" &nbsp;<b>" + title + "</b>" if title else ""}'
            f'{" &nbsp;<span style=color:" + muted + ">" + tags + "</span>" if tags else ""}<br>'
            f"{marked(hit.snippet, hit.highlights)}</div>")


class HitDelegate(QStyledItemDelegate):
    """Draws a result as rich text (date, title, snippet with the matched words in bold)."""

    def _doc(self, index, width: int, selected: bool = False) -> QTextDocument:
        doc = QTextDocument()
        doc.setDocumentMargin(6)
        hit = index.data(ROLE)
        doc.setHtml(hit_html(hit, selected) if hit is not None else "")
        doc.setTextWidth(max(100, width))
        return doc

    def paint(self, painter, option, index) -> None:
        self.initStyleOption(option, index)
        text_backup = option.text
        option.text = ""
        widget = option.widget
        style_ = widget.style() if widget else None
        if style_ is not None:
            style_.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, widget)
        option.text = text_backup
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        doc = self._doc(index, option.rect.width(), selected)
        painter.save()
        painter.translate(option.rect.topLeft())
        ctx_colour = option.palette.color(
            option.palette.ColorRole.HighlightedText if option.state & QStyle.StateFlag.State_Selected
            else option.palette.ColorRole.Text)
        ctx = QAbstractTextDocumentLayout.PaintContext()
        ctx.palette.setColor(ctx.palette.ColorRole.Text, ctx_colour)
        doc.documentLayout().draw(painter, ctx)
        painter.restore()

    def sizeHint(self, option, index) -> QSize:  # noqa: N802 - Qt API
        width = option.rect.width() if option.rect.width() > 0 else 600
        doc = self._doc(index, width)
        return QSize(width, int(doc.size().height()) + 4)


class SearchPage(QWidget):
    open_hit = Signal(object)      # a search.Hit
    problem = Signal(object, str)

    def __init__(self, tasks, models, settings=lambda: None, parent=None):
        super().__init__(parent)
        self.tasks = tasks
        self._models = models
        self._settings = settings
        self._seq = 0
        self.hits: list[search.Hit] = []
        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 16, 24, 12)
        self.box = QLineEdit()
        self.box.setObjectName("searchbox")
        self.box.setPlaceholderText("Search your diary — words, names, or what it was about")
        self.box.setAccessibleName("Search")
        self.box.setClearButtonEnabled(True)
        self.box.setFont(style.reading_font(1.1))
        self.info = QLabel("")
        self.info.setAccessibleName("Search status")
        self.results = QListWidget()
        self.results.setAccessibleName("Search results")
        self.results.setItemDelegate(HitDelegate(self.results))
        self.results.setWordWrap(True)
        self.results.setVerticalScrollMode(QListWidget.ScrollMode.ScrollPerPixel)
        self.results.setUniformItemSizes(False)
        outer.addWidget(self.box)
        outer.addWidget(self.info)
        outer.addWidget(self.results, 1)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.search_now)
        self.box.textEdited.connect(lambda _t: self._timer.start())
        self.box.returnPressed.connect(self._enter)
        self.box.installEventFilter(self)
        self.results.itemActivated.connect(self._activated)

    def focus_box(self) -> None:
        self.box.setFocus()
        self.box.selectAll()

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt API
        if obj is self.box and event.type() == QEvent.Type.KeyPress:
            key = event.key()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up) and self.results.count():
                row = self.results.currentRow()
                row = 0 if row < 0 else row + (1 if key == Qt.Key.Key_Down else -1)
                self.results.setCurrentRow(max(0, min(self.results.count() - 1, row)))
                return True
            if key in (Qt.Key.Key_PageDown, Qt.Key.Key_PageUp):
                self.results.setFocus()
                return False
        return super().eventFilter(obj, event)

    def _enter(self) -> None:
        if self._timer.isActive() or not self.hits:
            self.search_now()
            return
        item = self.results.currentItem()
        if item is not None:
            self._activated(item)

    def search_now(self) -> None:
        self._timer.stop()
        query = self.box.text().strip()
        self._seq += 1
        seq = self._seq
        if not query:
            self.hits = []
            self.results.clear()
            self.info.setText("")
            return
        models = self._models()
        self.info.setText("Searching…")

        def done(hits: list[search.Hit]) -> None:
            if seq != self._seq:
                return
            self._show(query, hits)

        def failed(exc) -> None:
            if seq == self._seq:
                from lucy_app.core import errors

                self.info.setText(exc.user_text() if isinstance(exc, errors.LucyError) else "")
                if not isinstance(exc, errors.LucyError):
                    self.problem.emit(exc, "searching")

        settings = self._settings()
        self.tasks.read(lambda db: run_search(db, query, models, settings=settings), done, failed, what="searching")

    def _show(self, query: str, hits: list[search.Hit]) -> None:
        self.hits = hits
        self.results.clear()
        for hit in hits:
            item = QListWidgetItem()
            item.setData(ROLE, hit)
            item.setText(f"{hit.day:%d %b %Y} {hit.title or ''}: {hit.snippet}")  # for screen readers
            self.results.addItem(item)
        n = len(hits)
        self.info.setText(f"{n} result{'s' if n != 1 else ''} — ↑/↓ to choose, Enter to open" if n
                          else f"Nothing found for “{query}”.")
        if hits:
            self.results.setCurrentRow(0)

    def _activated(self, item: QListWidgetItem) -> None:
        hit = item.data(ROLE)
        if hit is not None:
            self.open_hit.emit(hit)
