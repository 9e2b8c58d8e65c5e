"""Write: a day's entries, edited in Markdown, saved as you type.

Saving needs no button. Every change restarts a one-second timer; when it fires the entry
is queued on the writer thread (the first save of a new entry adds it, later ones update
it: jobs run in order, so a second save never adds it twice). Switching entries or days,
and closing the window, flush the pending save at once. Undo is the editor's own (Ctrl+Z).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from lucy_app.core import clock, entries, errors
from lucy_app.core.entries import MOODS, Entry
from lucy_app.ui import attachments, file_dialogs, style
from lucy_app.ui.markdown import IMAGES, MarkdownHighlighter, MarkdownView, attachment_ref, decode_image
from lucy_app.ui.qt import (
    QColor,
    QComboBox,
    QCompleter,
    QDate,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPalette,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    Qt,
    QTextCursor,
    QTextEdit,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
)

AUTOSAVE_MS = 1000


@dataclass
class EntryHandle:
    """The entry being edited; ``id`` is set by the writer thread when a new entry is first saved."""

    id: int | None
    day: date


def to_qt_offset(text: str, offset: int) -> int:
    """A Python string offset as a Qt (UTF-16) text position."""
    return len(text[:offset].encode("utf-16-le")) // 2


class EntryEdit(QPlainTextEdit):
    """The Markdown editor: plain text, with pasted or dropped images turned into attachments."""

    images_given = Signal(list)  # [(bytes, name, mime)]

    def canInsertFromMimeData(self, source) -> bool:  # noqa: N802 - Qt API
        return source.hasImage() or source.hasUrls() or super().canInsertFromMimeData(source)

    def insertFromMimeData(self, source) -> None:  # noqa: N802 - Qt API
        try:
            images = attachments.image_from_mime(source)
        except errors.LucyError as exc:
            self.images_given.emit([exc])
            return
        if images:
            self.images_given.emit(images)
        elif source.hasText():
            super().insertFromMimeData(source)


class TagsEdit(QLineEdit):
    """Comma-separated tags; completes the tag being typed from the journal's tags."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._completer = QCompleter([], self)
        self._completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self._completer.setWidget(self)
        self._completer.activated.connect(self._complete)
        self.textEdited.connect(self._suggest)

    def set_known(self, tags: list[str]) -> None:
        self._completer.model().setStringList(tags)

    def _suggest(self, text: str) -> None:
        last = text.split(",")[-1].strip()
        if len(last) >= 1:
            self._completer.setCompletionPrefix(last)
            if self._completer.completionCount():
                self._completer.complete()
                return
        self._completer.popup().hide()

    def _complete(self, tag: str) -> None:
        parts = [p.strip() for p in self.text().split(",")[:-1] if p.strip()]
        self.setText(", ".join(parts + [tag]) + ", ")


class WritePage(QWidget):
    saved = Signal(object)          # the Entry as stored
    trashed = Signal(object)        # the Entry moved to the trash
    typing = Signal()               # the user changed something
    problem = Signal(object, str)   # an exception and what was being done
    loaded = Signal()               # a day's entries are shown

    def __init__(self, tasks, parent=None):
        super().__init__(parent)
        self.tasks = tasks
        self.handle: EntryHandle | None = None
        self.day = clock.today()
        self._day_entries: list[Entry] = []
        self._dirty = False
        self._loading = False
        self._read_only = False
        self._pending_highlight: tuple[int, int] | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(AUTOSAVE_MS)
        self._timer.timeout.connect(self.save_now)
        self._preview_timer = QTimer(self)
        self._preview_timer.setSingleShot(True)
        self._preview_timer.setInterval(300)
        self._preview_timer.timeout.connect(self._update_preview)
        self._words_timer = QTimer(self)   # counting the whole body on every keystroke is wasted work
        self._words_timer.setSingleShot(True)
        self._words_timer.setInterval(300)
        self._words_timer.timeout.connect(self._count_words)
        self._build()
        self._set_date_edit(self.day)

    # -- layout --------------------------------------------------------------------------

    def _build(self) -> None:
        self.column = QWidget()  # as wide as a comfortable line of text (set once the editor exists)
        centre = QHBoxLayout(self)
        centre.setContentsMargins(0, 0, 0, 0)
        centre.addStretch(1)
        centre.addWidget(self.column, 100)
        centre.addStretch(1)
        outer = QVBoxLayout(self.column)
        outer.setContentsMargins(24, 16, 24, 10)

        top = QHBoxLayout()
        self.prev_day = QPushButton("‹")
        self.prev_day.setAccessibleName("Previous day")
        self.prev_day.setToolTip("Previous day (Alt+Left)")
        self.prev_day.setShortcut("Alt+Left")
        self.prev_day.setFixedWidth(34)
        self.date_edit = QDateEdit()
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("dddd d MMMM yyyy")
        self.date_edit.setAccessibleName("Day")
        self.next_day = QPushButton("›")
        self.next_day.setAccessibleName("Next day")
        self.next_day.setToolTip("Next day (Alt+Right)")
        self.next_day.setShortcut("Alt+Right")
        self.next_day.setFixedWidth(34)
        self.today_button = QPushButton("Today")
        self.today_button.setAccessibleName("Go to today")
        self.new_button = QPushButton("New entry")
        self.new_button.setAccessibleName("New entry")
        self.new_button.setToolTip("A new entry on this day (Ctrl+N)")
        for w in (self.prev_day, self.date_edit, self.next_day, self.today_button):
            top.addWidget(w)
        top.addStretch(1)
        top.addWidget(self.new_button)
        outer.addLayout(top)

        self.entry_list = QListWidget()
        self.entry_list.setFlow(QListWidget.Flow.LeftToRight)
        self.entry_list.setWrapping(False)
        self.entry_list.setFixedHeight(36)
        self.entry_list.setAccessibleName("Entries of this day")
        self.entry_list.setSpacing(2)
        keep = self.entry_list.sizePolicy()
        keep.setRetainSizeWhenHidden(True)  # the text below never jumps when a second entry appears
        self.entry_list.setSizePolicy(keep)
        outer.addWidget(self.entry_list)

        meta = QHBoxLayout()
        self.title_edit = QLineEdit()
        self.title_edit.setPlaceholderText("Title (optional)")
        self.title_edit.setAccessibleName("Title")
        self.title_edit.setFont(style.heading_font(1.25))
        self.tags_edit = TagsEdit()
        self.tags_edit.setPlaceholderText("tags, comma separated")
        self.tags_edit.setAccessibleName("Tags")
        self.mood_box = QComboBox()
        self.mood_box.setAccessibleName("Mood")
        self.mood_box.addItem("Mood —", None)
        for n, name in MOODS.items():
            self.mood_box.addItem(f"{n} · {name}", n)
        meta.addWidget(self.title_edit, 3)
        meta.addWidget(self.tags_edit, 2)
        meta.addWidget(self.mood_box)
        outer.addLayout(meta)

        self.split = QSplitter(Qt.Orientation.Horizontal)
        self.editor = EntryEdit()
        self.editor.setObjectName("editor")
        self.editor.setAccessibleName("Entry text")
        self.editor.setPlaceholderText("Write about your day… (Markdown: # heading, **bold**, *italic*, - lists)")
        self.editor.setFont(style.reading_font())
        self.editor.setTabChangesFocus(True)
        self.editor.document().setDocumentMargin(10)
        self.highlighter = MarkdownHighlighter(self.editor.document())
        self.preview = MarkdownView(fetch=self._fetch_images)
        self.preview.setAccessibleName("Preview")
        self.preview.hide()
        self.split.addWidget(self.editor)
        self.split.addWidget(self.preview)
        outer.addWidget(self.split, 1)

        bottom = QHBoxLayout()
        self.words_label = QLabel("0 words")
        self.words_label.setAccessibleName("Word count")
        self.state_label = QLabel("")
        self.state_label.setAccessibleName("Save state")
        self.state_label.setWordWrap(True)  # a long message wraps; it never pushes the buttons out
        self.preview_button = QPushButton("Preview")
        self.preview_button.setCheckable(True)
        self.preview_button.setAccessibleName("Show the rendered entry")
        self.preview_button.setToolTip("Show the rendered entry beside the text (Ctrl+P)")
        self.preview_button.setShortcut("Ctrl+P")
        self.image_button = QPushButton("Add image…")
        self.image_button.setAccessibleName("Add an image")
        self.trash_button = QPushButton("Move to trash")
        self.trash_button.setAccessibleName("Move this entry to the trash")
        bottom.addWidget(self.words_label)
        bottom.addWidget(QLabel("·"))
        bottom.addWidget(self.state_label, 1)
        bottom.addWidget(self.image_button)
        bottom.addWidget(self.preview_button)
        bottom.addWidget(self.trash_button)
        outer.addLayout(bottom)
        self.column.setMaximumWidth(self.column_width())
        self._mute_labels()

        self.prev_day.clicked.connect(lambda: self.show_day(self.day - timedelta(days=1)))
        self.next_day.clicked.connect(lambda: self.show_day(self.day + timedelta(days=1)))
        self.today_button.clicked.connect(lambda: self.show_day(clock.today()))
        self.date_edit.dateChanged.connect(self._date_picked)
        self.new_button.clicked.connect(lambda: self.new_entry())
        self.entry_list.currentRowChanged.connect(self._entry_picked)
        self.editor.textChanged.connect(self._changed)
        self.title_edit.textEdited.connect(self._changed)
        self.tags_edit.textEdited.connect(self._changed)
        self.mood_box.activated.connect(self._changed)
        self.preview_button.toggled.connect(self._toggle_preview)
        self.image_button.clicked.connect(self._pick_image)
        self.trash_button.clicked.connect(self.trash_current)
        self.editor.images_given.connect(self._images_given)

    def column_width(self) -> int:
        """The page's column: a comfortable line of the reading font (``style.reading_width``)
        plus the editor's margins, frame and scroll bar, and the column's own margins."""
        margins = self.column.layout().contentsMargins()
        chrome = (2 * int(self.editor.document().documentMargin()) + 2 * self.editor.frameWidth()
                  + self.editor.verticalScrollBar().sizeHint().width())
        return style.reading_width(self.editor.font()) + chrome + margins.left() + margins.right()

    def _mute_labels(self) -> None:
        pal = self.words_label.palette()
        pal.setColor(QPalette.ColorRole.WindowText, style.muted())
        for label in (self.words_label, self.state_label):
            label.setPalette(pal)

    def restyle(self) -> None:
        """The palette changed: re-derive the colours."""
        self.highlighter.refresh()
        self._mute_labels()
        if self.highlighted is not None and self.handle is not None:
            self.highlight(*self.highlighted)

    # -- showing -------------------------------------------------------------------------

    def show_day(self, day: date, *, select_id: int | None = None,
                 highlight: tuple[int, int] | None = None, new: bool = False) -> None:
        """Show ``day``'s entries (its last one, or a new blank entry ready for typing)."""
        self.flush()
        self.day = day
        self._set_date_edit(day)
        if new:
            self._start_new(day)  # at once: what is typed next must not be lost
        seq = self._next_nav()

        def fetch(db):
            return entries.list_entries(db, start=day, end=day), [t for t, _ in entries.all_tags(db)]

        def done(result) -> None:
            found, known_tags = result
            self.tags_edit.set_known(known_tags)  # the journal's tags, most used first, for completion
            if seq != self._nav_seq:
                return  # the user went elsewhere meanwhile
            if new or not found:
                self._fill_list(found)
                if not new and (self.handle is None or self.handle.day != day or self.handle.id is not None):
                    self._start_new(day)
                self._select_current()
            else:
                self._fill_list(found)
                target = next((e for e in found if e.id == select_id), found[-1])
                self._show_entry(target, highlight)
            self.loaded.emit()

        self.tasks.read(fetch, done, lambda exc: self.problem.emit(exc, "opening the day"))

    def open_entry(self, entry_id: int, *, highlight: tuple[int, int] | None = None,
                   quote: str | None = None) -> None:
        """Open entry ``entry_id`` and scroll to ``highlight`` (offsets) or the sentence ``quote``."""
        self.flush()
        seq = self._next_nav()

        def fetch(db):
            entry = entries.get(db, entry_id)
            return entry, entries.list_entries(db, start=entry.day, end=entry.day)

        def done(result) -> None:
            if seq != self._nav_seq:
                return  # the user went elsewhere meanwhile
            entry, same_day = result
            self.day = entry.day
            self._set_date_edit(entry.day)
            self._fill_list(same_day if not entry.in_trash else [entry])
            span = highlight
            if span is None and quote:
                from lucy_app.ui.drilldown import find_passage

                span = find_passage(entry.body, quote)
            self._show_entry(entry, span)
            self.loaded.emit()

        self.tasks.read(fetch, done, lambda exc: self.problem.emit(exc, "opening the entry"))

    _nav_seq = 0

    def _next_nav(self) -> int:
        self._nav_seq += 1
        return self._nav_seq

    def new_entry(self, day: date | None = None) -> None:
        self.show_day(day or clock.today(), new=True)

    def _set_date_edit(self, day: date) -> None:
        self.date_edit.blockSignals(True)
        self.date_edit.setDate(QDate(day.year, day.month, day.day))
        self.date_edit.blockSignals(False)

    def _date_picked(self, qdate: QDate) -> None:
        picked = date(qdate.year(), qdate.month(), qdate.day())
        if picked != self.day:
            self.show_day(picked)

    def _fill_list(self, found: list[Entry]) -> None:
        self._day_entries = list(found)
        self.entry_list.blockSignals(True)
        self.entry_list.clear()
        for e in found:
            item = QListWidgetItem(_entry_label(e))
            item.setData(Qt.ItemDataRole.UserRole, e.id)
            item.setToolTip(f"{e.words} words")
            self.entry_list.addItem(item)
        self.entry_list.blockSignals(False)
        self.entry_list.setVisible(len(found) > 1)

    def _entry_picked(self, row: int) -> None:
        if 0 <= row < len(self._day_entries):
            entry = self._day_entries[row]
            if self.handle is None or entry.id != self.handle.id:
                self.open_entry(entry.id)

    def _select_current(self) -> None:
        self.entry_list.blockSignals(True)
        self.entry_list.clearSelection()
        for row, e in enumerate(self._day_entries):
            if self.handle is not None and e.id == self.handle.id:
                self.entry_list.setCurrentRow(row)
        self.entry_list.blockSignals(False)

    def _start_new(self, day: date) -> None:
        self.flush()
        self.handle = EntryHandle(None, day)
        self._load_fields("", "", (), None, read_only=False)
        self.entry_list.clearSelection()
        self.state_label.setText("New entry — saved as you type")
        self.title_edit.setFocus()  # a new entry starts at its title (Tab goes on to the text)

    def _show_entry(self, entry: Entry, highlight: tuple[int, int] | None = None) -> None:
        self.flush()
        self.handle = EntryHandle(entry.id, entry.day)
        self._load_fields(entry.title or "", entry.body, entry.tags, entry.mood, read_only=entry.in_trash)
        for row, e in enumerate(self._day_entries):
            if e.id == entry.id:
                self.entry_list.blockSignals(True)
                self.entry_list.setCurrentRow(row)
                self.entry_list.blockSignals(False)
        self.state_label.setText("In the trash (read-only)" if entry.in_trash
                                 else f"Saved · {entry.updated_at:%H:%M}")
        if highlight:
            self.highlight(*highlight)
        else:
            self.editor.setExtraSelections([])
            self.editor.moveCursor(QTextCursor.MoveOperation.End)

    def _load_fields(self, title: str, body: str, tags, mood, *, read_only: bool) -> None:
        self._loading = True
        self._timer.stop()
        self._dirty = False
        self.highlighted = None
        self._read_only = read_only
        self.title_edit.setText(title)
        self.tags_edit.setText(", ".join(tags))
        self.mood_box.setCurrentIndex(max(0, self.mood_box.findData(mood)) if mood else 0)
        self.editor.setPlainText(body)
        for w in (self.title_edit, self.tags_edit):
            w.setReadOnly(read_only)
        self.editor.setReadOnly(read_only)
        self.mood_box.setEnabled(not read_only)
        self.trash_button.setEnabled(not read_only)
        self.image_button.setEnabled(not read_only)
        self._loading = False
        self._words_timer.stop()
        self._count_words()
        if self.preview.isVisible():
            self._update_preview()

    def highlight(self, start: int, end: int) -> None:
        """Mark the passage [start, end) (Python offsets into the body) and scroll to it."""
        body = self.editor.toPlainText()
        qs, qe = to_qt_offset(body, start), to_qt_offset(body, end)
        sel = QTextEdit.ExtraSelection()
        cursor = self.editor.textCursor()
        cursor.setPosition(qs)
        cursor.setPosition(qe, QTextCursor.MoveMode.KeepAnchor)
        sel.cursor = cursor
        colour = QColor(style.accent())
        colour.setAlpha(70)
        sel.format.setBackground(colour)
        self.editor.setExtraSelections([sel])
        plain = self.editor.textCursor()
        plain.setPosition(qs)
        self.editor.setTextCursor(plain)
        self.editor.centerCursor()
        self.highlighted = (start, end)

    highlighted: tuple[int, int] | None = None

    # -- editing and saving --------------------------------------------------------------------

    def ensure_shown(self) -> None:
        """The page is being shown: if nothing is open yet, open today (its last entry, or a
        new one) — so what is typed always belongs to an entry."""
        if self.handle is None and self._nav_seq == 0:
            self.show_day(clock.today())

    def _changed(self, *_args) -> None:
        if self._loading or self._read_only:
            return
        if self.handle is None:  # typed before a day was loaded: a new entry on the day shown
            self.handle = EntryHandle(None, self.day)
        self._dirty = True
        self._timer.start()
        self._words_timer.start()
        self.state_label.setText("Editing…")
        self.typing.emit()
        if self.preview.isVisible():
            self._preview_timer.start()

    def _count_words(self) -> None:
        n = entries.word_count(self.editor.toPlainText())
        self.words_label.setText(f"{n} word" + ("" if n == 1 else "s"))

    def has_unsaved_changes(self) -> bool:
        return self._dirty

    def flush(self) -> None:
        """Queue the pending save now (switching entries, closing)."""
        if self._dirty:
            self._timer.stop()
            self.save_now()

    def save_now(self) -> None:
        handle = self.handle
        if handle is None or not self._dirty:
            return
        body = self.editor.toPlainText()
        if not body.strip():
            self._dirty = False
            self.state_label.setText("Not saved: the entry is empty" if handle.id
                                     else "New entry — saved as you type")
            return
        try:
            tags = entries.normalize_tags(self.tags_edit.text())
        except errors.LucyError as exc:
            self.state_label.setText(exc.user_text())
            return
        title = self.title_edit.text()
        mood = self.mood_box.currentData()
        self._dirty = False

        def job(db) -> Entry:
            if handle.id is None:
                entry = entries.add(db, body, day=handle.day, title=title, tags=tags, mood=mood)
                handle.id = entry.id
                return entry
            return entries.update(db, handle.id, body=body, title=title, tags=tags, mood=mood)

        def done(entry: Entry) -> None:
            if self.handle is handle and not self._dirty:
                self.state_label.setText(f"Saved · {entry.updated_at:%H:%M}")
                self._update_list_item(entry)
            self.saved.emit(entry)

        def failed(exc: BaseException) -> None:
            if self.handle is handle:
                self._dirty = True  # keep it: the next change or flush tries again
                self.state_label.setText("Not saved yet")
            self.problem.emit(exc, "saving the entry")

        self.state_label.setText("Saving…")
        self.tasks.write(job, done, failed, what="saving the entry")

    def _update_list_item(self, entry: Entry) -> None:
        for row, e in enumerate(self._day_entries):
            if e.id == entry.id:
                self._day_entries[row] = entry
                self.entry_list.item(row).setText(_entry_label(entry))
                return
        if entry.day == self.day:
            self._day_entries.append(entry)
            self._fill_list(self._day_entries)
            self.entry_list.blockSignals(True)
            self.entry_list.setCurrentRow(len(self._day_entries) - 1)
            self.entry_list.blockSignals(False)

    def trash_current(self) -> None:
        handle = self.handle
        if handle is None:
            return
        self.flush()
        if handle.id is None and not self.editor.toPlainText().strip():
            return

        def job(db):
            return entries.trash(db, handle.id) if handle.id is not None else None

        def done(entry) -> None:
            if entry is not None:
                self.trashed.emit(entry)
            self.show_day(handle.day)

        self._dirty = False
        self.tasks.write(job, done, lambda exc: self.problem.emit(exc, "moving the entry to the trash"))

    # -- images ------------------------------------------------------------------------------

    def _pick_image(self) -> None:
        path = file_dialogs.open_file(self, "Add an image", "", "Images (*.png *.jpg *.jpeg *.gif *.webp *.bmp)")
        if path:
            from pathlib import Path

            try:
                self._images_given([attachments.read_image_file(Path(path))])
            except errors.LucyError as exc:
                self.problem.emit(exc, "adding the image")

    def _images_given(self, images: list) -> None:
        if images and isinstance(images[0], BaseException):
            self.problem.emit(images[0], "adding the image")
            return
        handle = self.handle
        if handle is None or self._read_only:
            return
        refs = []
        for data, name, _mime in images:
            sha = attachments.sha256_of(data)
            IMAGES.put(sha, decode_image(data))
            refs.append(attachment_ref(sha, name))
        cursor = self.editor.textCursor()
        cursor.insertText("\n" + "\n".join(refs) + "\n")
        self.flush()  # the entry exists (has an id) before its images are stored
        for data, name, mime in images:
            self.tasks.write(lambda db, d=data, n=name, m=mime: attachments.store(db, d, name=n, mime=m,
                                                                                  entry_id=handle.id),
                             None, lambda exc: self.problem.emit(exc, "storing the image"), what="storing the image")
        if not self.preview.isVisible():
            self.preview_button.setChecked(True)

    def _fetch_images(self, shas: list[str], done) -> None:
        self.tasks.read(lambda db: attachments.load(db, shas), done, lambda exc: None)

    def _toggle_preview(self, on: bool) -> None:
        self.preview.setVisible(on)
        self.column.setMaximumWidth(16_777_215 if on else self.column_width())
        if on:
            self._update_preview()

    def _update_preview(self) -> None:
        self.preview.show_markdown(self.editor.toPlainText())


def _entry_label(e: Entry) -> str:
    """"09:40 · Title"; an entry written on another day than its own (an import, a day
    filled in later) has no time of day to show."""
    if e.created_at.date() == e.day:
        return f"{e.created_at:%H:%M} · {e.display_title[:40]}"
    return e.display_title[:48]
