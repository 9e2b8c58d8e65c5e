"""The main window: a quiet sidebar, six pages, a status bar for background work.

The window owns the threads (:class:`~lucy_app.ui.tasks.Tasks`), the background scheduler
and the model service, wires the pages together (a citation anywhere opens the entry; a
saved entry refreshes the calendar and wakes the scheduler) and shows problems calmly.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

from lucy_app.core import clock, errors
from lucy_app.core import settings as settings_mod
from lucy_app.core.journal import Journal
from lucy_app.core.llm import setup as llm_setup
from lucy_app.core.settings import Settings
from lucy_app.ui import file_dialogs, style
from lucy_app.ui.ask_panel import AskPanel
from lucy_app.ui.background import Background, Progress
from lucy_app.ui.briefing_view import TodayPage
from lucy_app.ui.calendar_view import CalendarPage
from lucy_app.ui.digest_tree import DigestsPage
from lucy_app.ui.editor import WritePage
from lucy_app.ui.errors import describe
from lucy_app.ui.html_view import HtmlView
from lucy_app.ui.import_flow import ImportFlow
from lucy_app.ui.notice import Notice
from lucy_app.ui.qt import (
    QAction,
    QApplication,
    QFrame,
    QGuiApplication,
    QHBoxLayout,
    QKeySequence,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSettings,
    QStackedWidget,
    Qt,
    QTimer,
    QToolButton,
    QVBoxLayout,
    QWidget,
    Signal,
)
from lucy_app.ui.search_panel import SearchPage
from lucy_app.ui.settings_dialog import SettingsDialog
from lucy_app.ui.tasks import Tasks

PAGES = (("today", "Today", "Ctrl+T"), ("write", "Write", "Ctrl+2"), ("calendar", "Calendar", "Ctrl+3"),
         ("digests", "Digests", "Ctrl+4"), ("search", "Search", "Ctrl+K"), ("ask", "Ask", "Ctrl+J"))

#: The smallest window: every page still shows its controls whole (measured; tests/ui/test_sizes.py).
MIN_SIZE = (720, 520)

#: Every shortcut, for Help ▸ Keyboard Shortcuts (the menus show them too).
SHORTCUTS = (
    ("Ctrl+N", "a new entry (the cursor in its title)"), ("Ctrl+T", "Today"), ("Ctrl+1 … Ctrl+6", "the pages"),
    ("Ctrl+K or Ctrl+F", "search"), ("Ctrl+J", "ask your diary"), ("Ctrl+P", "preview the entry"),
    ("Alt+← / Alt+→", "the previous / next day"), ("Ctrl+Z / Ctrl+Shift+Z", "undo / redo"),
    ("Ctrl+Shift+I", "import"), ("Ctrl+O", "open another journal"), ("Ctrl+,", "settings"),
    ("Ctrl+Q", "quit"), ("F1", "this list"),
)

def settings_key() -> QSettings:
    return QSettings("Lucy", "Lucy")


class MainWindow(QMainWindow):
    ready = Signal()                 # the start page is shown (first time)
    entry_saved = Signal(object)

    def __init__(self, journal: Journal, *, background: bool = True, models="auto", parent=None):
        super().__init__(parent)
        self.journal = journal
        self.settings: Settings = journal.settings
        self._own_models = models == "auto"
        self.models = llm_setup.model_service(self.settings) if models == "auto" else models
        self.models_problem: errors.LucyError | None = None
        self.tasks = Tasks(journal.db)
        self.background = Background(self.tasks, lambda: self.settings, lambda: self.models)
        self._run_background = background
        self._is_ready = False
        self._closed = False
        self._stale_pages: set[str] = set()
        self._visited: set[str] = set()
        self.settings_dialog: SettingsDialog | None = None

        self.setWindowTitle(f"Lucy — {journal.path.name}")
        self.setAccessibleName("Lucy")
        self._build()
        self._wire()
        self.setMinimumSize(*MIN_SIZE)
        self._restore_geometry()
        self.tasks.failed.connect(self.show_problem)
        self.show_page("today")
        self.today_page.refresh()
        if background:
            self.background.start()
        self._midnight = QTimer(self)
        self._midnight.setSingleShot(True)
        self._midnight.timeout.connect(self._new_day)
        self._arm_midnight()

    # -- layout -------------------------------------------------------------------------

    def _build(self) -> None:
        get_settings, get_models = (lambda: self.settings), (lambda: self.models)
        self.today_page = TodayPage(self.tasks, get_settings, journal_path=str(self.journal.path))
        self.write_page = WritePage(self.tasks)
        self.calendar_page = CalendarPage(self.tasks, get_settings)
        self.digests_page = DigestsPage(self.tasks, get_settings, get_models)
        self.search_page = SearchPage(self.tasks, get_models, get_settings)
        self.ask_page = AskPanel(self.tasks, get_settings, get_models)
        self.pages = {"today": self.today_page, "write": self.write_page, "calendar": self.calendar_page,
                      "digests": self.digests_page, "search": self.search_page, "ask": self.ask_page}

        side = QWidget()
        side.setObjectName("sidebar")
        side.setFixedWidth(190)
        sv = QVBoxLayout(side)
        sv.setContentsMargins(0, 0, 0, 10)
        brand = QLabel("Lucy")
        brand.setObjectName("brand")
        brand.setFont(style.heading_font(1.9))
        tagline = QLabel("a diary that remembers")
        tagline.setObjectName("tagline")
        self._tagline = tagline
        self._mute(tagline)
        self.nav = QListWidget()
        self.nav.setObjectName("nav")
        self.nav.setAccessibleName("Pages")
        for key, title, keys in PAGES:
            item = QListWidgetItem(title)
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setToolTip(f"{title} ({keys})")
            self.nav.addItem(item)
        self.settings_button = QPushButton("Settings")
        self.settings_button.setAccessibleName("Settings")
        self.settings_button.setToolTip("Settings (Ctrl+,)")
        self.settings_button.setObjectName("settings")
        self.settings_button.setFlat(True)
        sv.addWidget(brand)
        sv.addWidget(tagline)
        self.import_flow = ImportFlow(self.tasks, self)
        self.import_button = QPushButton("Import…")
        self.import_button.setAccessibleName("Import entries")
        self.import_button.setToolTip("Import from Day One, jrnl, Markdown or a Lucy export (Ctrl+Shift+I)")
        self.import_button.setObjectName("settings")
        self.import_button.setFlat(True)
        self.import_button.setMenu(self.import_flow.menu())
        sv.addWidget(self.nav, 1)
        sv.addWidget(self.import_button)
        sv.addWidget(self.settings_button)

        self.stack = QStackedWidget()
        self.stack.setObjectName("pages")
        for key, _, _ in PAGES:
            self.stack.addWidget(self.pages[key])
        self.notice = Notice()
        right = QWidget()
        rv = QVBoxLayout(right)
        rv.setContentsMargins(0, 0, 0, 0)
        rv.setSpacing(0)
        rv.addWidget(self.notice)
        rv.addWidget(self.stack, 1)
        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        divider = QFrame()
        divider.setObjectName("divider")
        divider.setFrameShape(QFrame.Shape.VLine)
        divider.setFrameShadow(QFrame.Shadow.Plain)
        row.addWidget(side)
        row.addWidget(divider)
        row.addWidget(right, 1)
        self.setCentralWidget(central)

        bar = self.statusBar()
        self.bg_label = QLabel("")
        self.bg_label.setAccessibleName("Background work")
        self.bg_progress = QProgressBar()
        self.bg_progress.setMaximumWidth(160)
        self.bg_progress.setMaximumHeight(12)
        self.bg_progress.setTextVisible(False)
        self.bg_progress.setAccessibleName("Background progress")
        self.bg_progress.hide()
        self.pause_button = QToolButton()
        self.pause_button.setText("Pause")
        self.pause_button.setCheckable(True)
        self.pause_button.setAccessibleName("Pause background work")
        self.pause_button.setToolTip("Pause digests and indexing")
        self.pause_button.hide()
        self.ai_label = QLabel("")
        self.ai_label.setAccessibleName("AI features")
        self.journal_label = QLabel("")
        self.journal_label.setAccessibleName("Journal")
        bar.addWidget(self.bg_label, 1)
        bar.addPermanentWidget(self.journal_label)
        bar.addPermanentWidget(self.ai_label)
        bar.addPermanentWidget(self.bg_progress)
        bar.addPermanentWidget(self.pause_button)
        self.setStyleSheet(style.app_style_sheet())

        self._build_menus()

    def _build_menus(self) -> None:
        """The menu bar: File, Edit, View, Help (on macOS, About, Settings and Quit go to the
        application menu by their roles). Every action is also a window shortcut."""
        bar = self.menuBar()

        def action(menu, text: str, keys: list, slot, *, role=None, name: str | None = None) -> QAction:
            act = QAction(text, self)
            act.setShortcuts([k if isinstance(k, QKeySequence) else QKeySequence(k) for k in keys])
            act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            act.triggered.connect(slot)
            if role is not None:
                act.setMenuRole(role)
            menu.addAction(act)
            self.addAction(act)
            if name:
                self.actions_[name] = act
            return act

        self.actions_: dict[str, QAction] = {}
        file_ = bar.addMenu("&File")
        action(file_, "New Entry", ["Ctrl+N"], lambda: self.new_entry(), name="new")
        action(file_, "New Journal…", ["Ctrl+Shift+N"], self.new_journal, name="new_journal")
        action(file_, "Open Journal…", [QKeySequence.StandardKey.Open], self.open_journal, name="open_journal")
        file_.addSeparator()
        imports = self.import_flow.menu()
        imports.setTitle("Import")
        file_.addMenu(imports)
        exports = file_.addMenu("Export")
        action(exports, "Everything, for Lucy (JSON)…", [], lambda: self.export("json"), name="export_json")
        action(exports, "Markdown Files…", [], lambda: self.export("markdown"), name="export_markdown")
        action(exports, "JSON Lines…", [], lambda: self.export("jsonl"), name="export_jsonl")
        action(file_, "Back Up…", [], self.back_up, name="backup")
        action(file_, "Restore from a Backup…", [], self.restore_backup, name="restore")
        file_.addSeparator()
        action(file_, "Settings…", ["Ctrl+,"], self.open_settings, role=QAction.MenuRole.PreferencesRole,
               name="settings")
        action(file_, "Show the Journal's Folder", [], self.show_folder, name="show_folder")
        file_.addSeparator()
        action(file_, "Quit", [QKeySequence(QKeySequence.StandardKey.Quit).toString() or "Ctrl+Q"], self.close,
               role=QAction.MenuRole.QuitRole, name="close")

        edit = bar.addMenu("&Edit")
        for text, key, slot in (("Undo", QKeySequence.StandardKey.Undo, "undo"),
                                ("Redo", QKeySequence.StandardKey.Redo, "redo")):
            act = edit.addAction(text)
            act.setShortcut(QKeySequence(key))
            act.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)  # the focused field handles the key
            act.triggered.connect(lambda _=False, s=slot: self._edit(s))
        edit.addSeparator()
        for text, key, slot in (("Cut", QKeySequence.StandardKey.Cut, "cut"),
                                ("Copy", QKeySequence.StandardKey.Copy, "copy"),
                                ("Paste", QKeySequence.StandardKey.Paste, "paste"),
                                ("Select All", QKeySequence.StandardKey.SelectAll, "selectAll")):
            act = edit.addAction(text)
            act.setShortcut(QKeySequence(key))
            act.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            act.triggered.connect(lambda _=False, s=slot: self._edit(s))
        edit.addSeparator()
        action(edit, "Find…", ["Ctrl+K", "Ctrl+F"], self.show_search, name="search")
        action(edit, "Move Entry to the Trash", [], lambda: (self.show_page("write"), self.write_page.trash_current()),
               name="trash")

        view = bar.addMenu("&View")
        for n, (key, title, _keys) in enumerate(PAGES, start=1):
            keys = [f"Ctrl+{n}"] + (["Ctrl+T"] if key == "today" else []) + (["Ctrl+J"] if key == "ask" else [])
            slot = (self.show_ask if key == "ask" else self.show_search if key == "search"
                    else (lambda _=False, k=key: self.show_page(k)))
            action(view, title, keys, slot, name=key if key != "search" else "search_page")
        view.addSeparator()
        action(view, "Previous Day", [], lambda: (self.show_page("write"), self.write_page.prev_day.click()),
               name="previous_day")
        action(view, "Next Day", [], lambda: (self.show_page("write"), self.write_page.next_day.click()),
               name="next_day")
        pause = action(view, "Pause Background Work", [], lambda on: self.pause_button.setChecked(on),
                       name="pause")
        pause.setCheckable(True)
        self.pause_button.toggled.connect(pause.setChecked)

        importing = QAction("Import…", self)
        importing.setShortcut(QKeySequence("Ctrl+Shift+I"))
        importing.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        importing.triggered.connect(self.import_button.showMenu)
        self.addAction(importing)
        self.actions_["import"] = importing

        help_ = bar.addMenu("&Help")
        action(help_, "Keyboard Shortcuts", ["F1"], self.show_shortcuts, name="shortcuts")
        action(help_, "About Lucy", [], self.show_about, role=QAction.MenuRole.AboutRole, name="about")

    def _edit(self, what: str) -> None:
        """Edit ▸ Undo/Cut/… act on the focused text field."""
        target = QApplication.focusWidget()
        if target is not None and hasattr(target, what):
            getattr(target, what)()

    def _wire(self) -> None:
        self.nav.currentRowChanged.connect(lambda row: self.show_page(PAGES[row][0]) if row >= 0 else None)
        self.settings_button.clicked.connect(self.open_settings)
        self.pause_button.toggled.connect(self._pause_toggled)
        for page in self.pages.values():
            page.problem.connect(self.show_problem)
        self.today_page.ready.connect(self._today_ready)
        self.today_page.view.link.connect(self.follow_link)
        self.today_page.write_button.clicked.connect(self.continue_today)
        self.digests_page.view.link.connect(self.follow_link)
        self.digests_page.rewritten.connect(lambda: self._mark_stale("today", "calendar"))
        self.ask_page.open_link.connect(self.follow_link)
        self.ask_page.asking.connect(self.background.set_asking)
        self.search_page.open_hit.connect(self.open_hit)
        self.calendar_page.open_entry.connect(lambda i: self.open_entry(i))
        self.calendar_page.open_day.connect(self._open_day)
        self.write_page.typing.connect(self.background.note_typing)
        self.write_page.saved.connect(self._saved)
        self.write_page.trashed.connect(self._saved)
        self.import_flow.imported.connect(self._imported)
        self.import_flow.problem.connect(self.show_problem)
        self.background.progress.connect(self._progress)
        self.background.written.connect(self._background_wrote)
        self.background.models_state.connect(self._models_state)
        self.background.failed.connect(self.show_problem)
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(1500)
        self._refresh_timer.timeout.connect(self._refresh_visible)
        # the system went light or dark: restyle once the new palette has settled
        QApplication.instance().paletteChanged.connect(self._schedule_restyle)
        hints = QGuiApplication.styleHints()
        if hasattr(hints, "colorSchemeChanged"):
            hints.colorSchemeChanged.connect(self._schedule_restyle)

    def _mute(self, label: QLabel) -> None:
        pal = label.palette()
        pal.setColor(pal.ColorRole.WindowText, style.muted())
        label.setPalette(pal)

    def _schedule_restyle(self, *_args) -> None:
        if not self._restyle_pending:
            self._restyle_pending = True
            QTimer.singleShot(0, self._restyle)

    _restyle_pending = False

    def _restyle(self) -> None:
        self._restyle_pending = False
        self.setStyleSheet(style.app_style_sheet())  # re-polish: style sheets fix palettes at polish time
        self._mute(self._tagline)
        self.write_page.restyle()
        self.calendar_page.restyle()
        self.today_page.restyle()
        for view in self.findChildren(HtmlView):
            view.rerender()

    # -- navigation -------------------------------------------------------------------------

    @property
    def current_page(self) -> str:
        return next(k for k, w in self.pages.items() if w is self.stack.currentWidget())

    def show_page(self, key: str) -> None:
        row = [p[0] for p in PAGES].index(key)
        self.stack.setCurrentWidget(self.pages[key])
        if self.nav.currentRow() != row:
            self.nav.blockSignals(True)
            self.nav.setCurrentRow(row)
            self.nav.blockSignals(False)
        if key != "write":
            self.write_page.flush()
        else:
            self.write_page.ensure_shown()
        if key == "today":
            self.today_page.show_waiting()  # a briefing rewritten meanwhile is shown now
        first_visit = key not in self._visited
        self._visited.add(key)
        if key in self._stale_pages or (first_visit and key in ("calendar", "digests")):
            self._stale_pages.discard(key)
            self._refresh(key)

    def _refresh(self, key: str, *, quiet: bool = False) -> None:
        if key == "today":
            self.today_page.refresh(quiet=quiet)
        elif key == "calendar":
            self.calendar_page.refresh()
        elif key == "digests":
            self.digests_page.refresh()

    def _mark_stale(self, *keys: str) -> None:
        for key in keys:
            if self.current_page == key:
                self._refresh(key)
            else:
                self._stale_pages.add(key)

    def new_entry(self, day: date | None = None) -> None:
        self.show_page("write")
        self.write_page.new_entry(day)

    def continue_today(self) -> None:
        self.show_page("write")
        data = self.today_page.data
        if data is not None and data.written_today:
            self.write_page.open_entry(data.written_today[-1].id)
        else:
            self.write_page.new_entry(clock.today())

    def _open_day(self, d: date) -> None:
        self.show_page("write")
        self.write_page.show_day(d)

    def open_entry(self, entry_id: int, *, highlight: tuple[int, int] | None = None, quote: str | None = None) -> None:
        self.show_page("write")
        self.write_page.open_entry(entry_id, highlight=highlight, quote=quote)

    def open_digest(self, *, digest_id: int | None = None, level: str | None = None, day: date | None = None) -> None:
        self.show_page("digests")
        self.digests_page.open_digest(level, day, digest_id)

    def open_hit(self, hit) -> None:
        """A search result: the entry scrolled to the passage that matched (or the digest)."""
        if getattr(hit, "digest_id", None) is not None:
            self.open_digest(digest_id=hit.digest_id)
        else:
            self.open_entry(hit.entry_id, highlight=hit.passage, quote=hit.snippet)

    def show_search(self) -> None:
        self.show_page("search")
        self.search_page.focus_box()

    def show_ask(self) -> None:
        self.show_page("ask")
        self.ask_page.focus_box()

    def follow_link(self, kind: str, ident, query: dict) -> None:
        """A link in the briefing, a digest or an answer."""
        if kind == "entry" and ident is not None:
            span = None
            if query.get("s", "").isdigit() and query.get("e", "").isdigit():
                span = (int(query["s"]), int(query["e"]))
            self.open_entry(ident, highlight=span, quote=query.get("q"))
        elif kind == "digest" and ident is not None:
            self.open_digest(digest_id=ident)
        elif kind == "new":
            self.continue_today()
        elif kind == "import":
            self.import_button.showMenu()

    # -- events from the pages and the background ------------------------------------------------

    def _today_ready(self) -> None:
        data = self.today_page.waiting or self.today_page.data
        if data is not None:
            self._show_count(data.total_entries)
        if not self._is_ready:
            self._is_ready = True
            self.ready.emit()
            self._daily_backup()

    def _show_count(self, n: int) -> None:
        self.journal_label.setText(f"{n:,} entr{'y' if n == 1 else 'ies'} · {self.journal.path.name}")
        self.journal_label.setToolTip(str(self.journal.path))

    def _recount(self) -> None:
        from lucy_app.core import entries

        self.tasks.read(entries.count, self._show_count, lambda exc: None, what="counting the entries")

    def _saved(self, entry) -> None:
        self._mark_stale("today", "calendar", "digests")
        self._recount()
        self.background.kick()
        self.entry_saved.emit(entry)

    def _imported(self, summary: dict) -> None:
        changed = summary.get("added", 0) + summary.get("updated", 0)
        self.statusBar().showMessage(
            f"Imported: {summary.get('added', 0)} new, {summary.get('updated', 0)} updated, "
            f"{summary.get('skipped', 0)} already there" if changed else "Nothing new to import", 10000)
        if changed:
            self._mark_stale("today", "calendar", "digests")
            self._recount()
            self.background.kick()  # index and digest what came in

    def _background_wrote(self, what: str) -> None:
        self._stale_pages.update(("today", "calendar", "digests"))
        if not self._refresh_timer.isActive():
            self._refresh_timer.start()

    def _refresh_visible(self) -> None:
        """After background writes: the page on screen is brought up to date without moving
        under the reader (the tree keeps what is open; Today offers "Updated — show")."""
        key = self.current_page
        if key in self._stale_pages:
            self._stale_pages.discard(key)
            self._refresh(key, quiet=True)

    def _progress(self, p: Progress | None) -> None:
        if p is None:
            paused = self.background.paused_by_user
            self.bg_label.setText("Paused" if paused else "Up to date" if self.background.cycles else "")
            self.bg_progress.hide()
            self.pause_button.setVisible(paused)
            return
        names = {"models": "", "digests": "Writing digests", "index": "Indexing for search",
                 "rewrite": "Rewriting digests with the model"}
        text = p.label if p.phase == "models" else names.get(p.phase, p.phase)
        if p.total and p.phase != "models":
            text += f" · {p.done} of {p.total}"
        if p.paused:
            text += " · paused" + ("" if self.background.paused_by_user else " while you write")
        self.bg_label.setText(text)
        self.bg_progress.setVisible(True)
        self.bg_progress.setRange(0, p.total if p.total else 0)
        if p.total:
            self.bg_progress.setValue(min(p.done, p.total))
        self.pause_button.setVisible(True)

    def _pause_toggled(self, on: bool) -> None:
        self.background.set_paused(on)
        self.pause_button.setText("Resume" if on else "Pause")
        self.pause_button.setAccessibleName("Resume background work" if on else "Pause background work")
        if on:
            self.bg_label.setText("Paused")

    def _models_state(self, problem) -> None:
        self.models_problem = problem
        if problem is None:
            self.ai_label.setText("")
            self.ai_label.setToolTip("")
            return
        self.ai_label.setText("AI features off")
        self.ai_label.setToolTip(problem.user_text())
        self.notice.say(f"The model could not be used, so summaries stay short and answers are quoted: "
                        f"{problem.user_text()}. Your diary works as usual; choose another model in Settings.")

    def show_problem(self, exc: BaseException, what: str = "") -> None:
        """A known error: its message and hint. A bug: logged, and where the log is."""
        if isinstance(exc, errors.Cancelled):
            return
        problem = describe(exc, what)
        self.notice.say(problem.text)
        self.statusBar().showMessage(problem.text, 15000)

    # -- settings ---------------------------------------------------------------------------------

    def open_settings(self) -> None:
        dlg = SettingsDialog(self.settings, self.journal.path, self, tasks=self.tasks)
        dlg.accepted.connect(lambda: self.apply_settings(dlg.result_settings))
        self.settings_dialog = dlg
        dlg.open()

    def apply_settings(self, new: Settings | None) -> None:
        if new is None or new == self.settings:
            return
        old = self.settings

        def done(saved: Settings) -> None:
            self.settings = saved
            if (old.chat_model, old.embedding_model, old.threads) != (saved.chat_model, saved.embedding_model,
                                                                       saved.threads):
                previous, self.models = self.models, llm_setup.model_service(saved)
                self._models_state(None)
                if self._own_models and previous is not None:
                    self.tasks.work(lambda _db: previous.free(), what="unloading the old model")
                self._own_models = True
            self.background.restart()
            self._mark_stale("today", "calendar", "digests")
            self.statusBar().showMessage("Settings saved", 5000)

        from lucy_app.core import model_files

        changed = [role for role in model_files.ROLES
                   if getattr(new, model_files.SETTING[role]) != getattr(old, model_files.SETTING[role])]

        def check(_db) -> list:  # hashing a big model file takes a while: on a worker, not the writer
            return [model_files.check_choice(role, getattr(new, model_files.SETTING[role])) for role in changed]

        def save(choices) -> None:
            def write(db) -> Settings:
                for choice in choices:
                    model_files.record_choice(db, choice)
                return settings_mod.save(db, new)

            self.tasks.write(write, done, what="saving the settings")

        self.tasks.work(check, save, what="checking the model files")

    # -- time -------------------------------------------------------------------------------------

    def _arm_midnight(self) -> None:
        now = clock.now()
        midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), tzinfo=now.tzinfo)
        self._midnight.start(int(min((midnight - now).total_seconds() + 2, 3600) * 1000))

    def _daily_backup(self) -> None:
        """One rolling backup a day (setting: how many to keep), off the GUI thread."""
        from lucy_app.core import backup

        keep = self.settings.backups_keep
        if keep > 0:
            self.tasks.work(lambda db: backup.rolling_backup(db, keep=keep), None, self.show_problem,
                            what="making the daily backup")

    def _new_day(self) -> None:
        self._arm_midnight()
        if clock.now().hour == 0:
            self._daily_backup()
            self.background.kick()
            self._mark_stale("today", "calendar", "digests")

    # -- window life --------------------------------------------------------------------------------

    def _restore_geometry(self) -> None:
        geometry = settings_key().value("window/geometry")
        if geometry is not None and self.restoreGeometry(geometry):
            return
        self.resize(1180, 780)

    # -- other journals, copies, help ---------------------------------------------------------

    def open_journal(self) -> None:
        """Open another journal in a window of its own (Lucy keeps one window per journal)."""
        path = file_dialogs.open_file(self, "Open a journal", str(Path.home()), "Lucy journals (*.db);;All files (*)")
        if path:
            self._launch(Path(path))

    def new_journal(self) -> None:
        path = file_dialogs.save_file(self, "Start a new journal", str(Path.home() / "journal.db"),
                                      "Lucy journals (*.db)")
        if not path:
            return
        target = Path(path) if Path(path).suffix else Path(path).with_suffix(".db")
        if target.exists():
            self.show_problem(errors.InvalidInput(f"{target} already exists",
                                                  hint="use Open Journal… for a journal you have"))
            return
        self._launch(target)

    def _launch(self, path: Path) -> None:
        """Start Lucy for ``path`` (a second launch for an open journal brings its window forward)."""
        import subprocess
        import sys

        if path.resolve() == self.journal.path.resolve():
            self.activate()
            return
        command = ([sys.executable] if getattr(sys, "frozen", False) else [sys.executable, "-m", "lucy_app"])
        subprocess.Popen([*command, "--db", str(path), "app"], start_new_session=True)
        self.statusBar().showMessage(f"Opening {path.name} in a new window…", 8000)

    def export(self, kind: str) -> None:
        from lucy_app.core.io import json_export, jsonl, markdown

        home = str(Path.home())
        if kind == "markdown":
            target = file_dialogs.open_folder(self, "Export as Markdown files into a new or empty folder", home)
        else:
            suffix = {"json": "json", "jsonl": "jsonl"}[kind]
            target = file_dialogs.save_file(self, "Export", str(Path(home) / f"lucy-export.{suffix}"),
                                            f"{suffix.upper()} (*.{suffix})")
        if not target:
            return
        where = Path(target)

        def job(db):
            from lucy_app.core import entries

            if kind == "markdown":
                return markdown.export(db, where)["entries"]
            if kind == "json":
                return json_export.write(db, where)["entries"]
            return jsonl.write_file(entries.list_entries(db), where)

        self.tasks.work(job, lambda n: self.statusBar().showMessage(f"Exported {n} entries to {where}", 10000),
                        self.show_problem, what="exporting")

    def back_up(self) -> None:
        from lucy_app.core import backup

        target = file_dialogs.save_file(self, "Back up the journal to", str(Path.home() / f"{self.journal.path.stem}-"
                                        f"{clock.today().isoformat()}.db"), "Lucy journals (*.db)")
        if target:
            self.tasks.work(lambda db: backup.backup(db, Path(target)),
                            lambda made: self.statusBar().showMessage(f"Backed up to {made}", 10000),
                            self.show_problem, what="backing up")

    def restore_backup(self) -> None:
        """Check a backup, say what it holds, then close, restore and open it again."""
        from lucy_app.core import backup

        folder = str(backup.paths.backups_dir(self.journal.path))
        source = file_dialogs.open_file(self, "Restore from a backup", folder, "Lucy journals (*.db);;All files (*)")
        if not source:
            return

        def checked(facts: dict) -> None:
            last = facts.get("last_day") or "—"
            box = QMessageBox(self)
            box.setWindowTitle("Restore from a backup")
            box.setText(f"Replace this journal with the backup {Path(source).name}?")
            box.setInformativeText(f"The backup holds {facts['entries']:,} entries, the last of {last}. "
                                   "Lucy closes, keeps the current journal beside it (renamed "
                                   "“….replaced-DATE.db”), restores the backup and opens it again.")
            box.setStandardButtons(QMessageBox.StandardButton.Cancel)
            go = box.addButton("Restore", QMessageBox.ButtonRole.AcceptRole)
            box.exec()
            if box.clickedButton() is go:
                self.after_close = ("restore", Path(source))
                self.close()

        self.tasks.work(lambda _db: backup.check_backup(Path(source), self.journal.db.passphrase), checked,
                        self.show_problem, what="checking the backup")

    #: What the app does once this window has closed: ("restore", backup path) or None.
    after_close: tuple | None = None
    #: Whether closing remembers the window's size and place (not for a screenshot).
    remember_geometry = True

    def show_folder(self) -> None:
        from lucy_app.ui.qt import QDesktopServices, QUrl

        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.journal.path.parent)))

    def show_shortcuts(self) -> None:
        rows = "".join(f"<tr><td><b>{style.esc(k)}</b>&nbsp;&nbsp;</td><td>{style.esc(v)}</td></tr>"
                       for k, v in SHORTCUTS)
        box = QMessageBox(self)
        box.setWindowTitle("Keyboard shortcuts")
        box.setTextFormat(Qt.TextFormat.RichText)
        box.setText(f"<table>{rows}</table>")
        box.open()

    def show_about(self) -> None:
        from lucy_app import __version__

        QMessageBox.about(self, "About Lucy",
                          f"<h3>Lucy {style.esc(__version__)}</h3><p>A private, offline diary that remembers "
                          "for you.</p><p>Your journal is one file on this computer: "
                          f"{style.esc(str(self.journal.path))}. Nothing is sent anywhere: the language "
                          "model runs inside Lucy.</p>")

    def activate(self) -> None:
        """Come forward (a second launch asked for this window)."""
        self.showNormal()
        self.raise_()
        self.activateWindow()

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt API
        self.shutdown()
        event.accept()

    def shutdown(self) -> None:
        """Save what is being written, stop background work, close the journal's threads."""
        if self._closed:
            return
        self._closed = True
        self.write_page.flush()
        self.ask_page.stop()
        self.digests_page.cancel()
        if self.remember_geometry:
            settings_key().setValue("window/geometry", self.saveGeometry())
        self._midnight.stop()
        self._refresh_timer.stop()
        QApplication.instance().paletteChanged.disconnect(self._schedule_restyle)
        self.background.stop()
        self.tasks.shutdown()
        if self._own_models and self.models is not None:
            self.models.free()
