"""Settings: where the journal is, how Lucy looks, which model files to use, how digests are written.

A model file is checked (``gguf_check.check_model``: reads only the file's header) before the
dialog accepts it; a bad file shows its error under the field and the dialog stays open.
The recommended larger models are listed with the memory each needs.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from lucy_app.core import errors
from lucy_app.core.llm import defaults, gguf_check
from lucy_app.core.settings import WEEKDAYS, Settings
from lucy_app.ui import file_dialogs, style
from lucy_app.ui.found_models import FoundModels
from lucy_app.ui.qt import (
    QComboBox,
    QDesktopServices,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QUrl,
    QVBoxLayout,
    QWidget,
)

WRITERS = (("llm", "Quick summaries at once, then rewritten by the model in the background"),
           ("extractive", "Quick summaries only (no model; fastest)"))


def recommended_text(kind: str) -> str:
    lines = [f"• {m.name} — needs about {m.ram_gb:g} GB of memory — {m.note}"
             for m in defaults.recommended_models(kind)]
    return "Larger models you can download yourself (GGUF files) and choose here:\n" + "\n".join(lines)


def recommended_files(kind: str) -> str:
    return "Usual file names: " + ", ".join(m.file_hint for m in defaults.recommended_models(kind))


class ModelField(QWidget):
    """A model file path with Browse…, Default, and the file's check result under it."""

    def __init__(self, kind: str, current: str | None, default: Path, parent=None):
        super().__init__(parent)
        self.kind = kind
        self.default = default
        v = QVBoxLayout(self)
        v.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        self.path = QLineEdit(current or "")
        self.path.setPlaceholderText(f"Default: {default.name} (bundled)")
        self.path.setAccessibleName(f"{kind.capitalize()} model file")
        self.browse = QPushButton("Browse…")
        self.browse.setAccessibleName(f"Choose the {kind} model file")
        self.reset = QPushButton("Default")
        self.reset.setAccessibleName(f"Use the bundled {kind} model")
        row.addWidget(self.path, 1)
        row.addWidget(self.browse)
        row.addWidget(self.reset)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setAccessibleName(f"{kind.capitalize()} model check")
        self.message.hide()
        v.addLayout(row)
        v.addWidget(self.message)
        self.browse.clicked.connect(self._browse)
        self.reset.clicked.connect(lambda: (self.path.clear(), self.check()))
        self.path.editingFinished.connect(self.check)

    def value(self) -> str | None:
        text = self.path.text().strip()
        return text or None

    def check(self) -> bool:
        """Check the chosen file; show what is wrong (or what it is). True when usable."""
        target = self.value()
        if target is None:
            self._say("")
            return True
        try:
            info = gguf_check.check_model(Path(target).expanduser(), self.kind)
        except errors.ModelError as exc:
            self._say(exc.user_text(), bad=True)
            return False
        size = info.size / 1e9
        self._say(f"{info.label} · {info.architecture} · {size:.1f} GB file")
        return True

    def _say(self, text: str, bad: bool = False) -> None:
        self.message.setText(("⚠ " if bad else "") + text)
        self.message.setVisible(bool(text))
        self.message.setProperty("bad", bad)
        f = self.message.font()
        f.setBold(bad)
        self.message.setFont(f)
        self.error = text if bad else ""

    error = ""

    def _use(self, path: str) -> None:
        self.path.setText(path)
        self.check()

    def _browse(self) -> None:
        start = str(Path(self.value()).expanduser().parent) if self.value() else str(Path.home())
        path = file_dialogs.open_file(self, f"Choose a {self.kind} model", start, "GGUF models (*.gguf);;All files (*)")
        if path:
            self._use(path)


class SettingsDialog(QDialog):
    def __init__(self, settings: Settings, journal_path: Path, parent=None, *, tasks=None):
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.setAccessibleName("Settings")
        self.original = settings
        self.result_settings: Settings | None = None
        form = QFormLayout()
        form.setVerticalSpacing(12)

        where = QHBoxLayout()
        self.journal = QLineEdit(str(journal_path))
        self.journal.setReadOnly(True)
        self.journal.setAccessibleName("Journal file")
        show = QPushButton("Show folder")
        show.setAccessibleName("Show the journal's folder")
        show.clicked.connect(lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(journal_path.parent))))
        where.addWidget(self.journal, 1)
        where.addWidget(show)
        form.addRow("Journal file", _stack(where, _note(
            "Everything — entries, images, digests, the search index — is in this one file. "
            "To use another file, start Lucy with  lucy app --db PATH.")))

        from lucy_app.ui import app as app_mod

        self.theme = QComboBox()
        for key in style.THEMES:
            self.theme.addItem(style.THEME_NAMES[key], key)
        self.theme.setCurrentIndex(max(0, self.theme.findData(app_mod.current_theme())))
        self.theme.setAccessibleName("Theme")
        form.addRow("Theme", _stack(self.theme, _note(
            "Light or Dark whatever the system uses, or the same as the system. "
            "It applies to this computer, whichever journal is open.")))

        self.chat = ModelField("chat", settings.chat_model, defaults.default_chat_model_path())
        form.addRow("Chat model", _stack(self.chat, _note(recommended_text("chat"), recommended_files("chat"))))
        self.embed = ModelField("embedding", settings.embedding_model, defaults.default_embedding_model_path())
        form.addRow("Search model", _stack(self.embed, _note(recommended_text("embedding"),
                                                              recommended_files("embedding"))))
        self.found = None
        if tasks is not None:  # models Ollama, LM Studio, GPT4All, Jan or Hugging Face put here
            self.found = FoundModels(tasks)
            self.found.chosen.connect(self._use_found)
            form.addRow("On this computer", self.found)
            self.found.scan()

        self.threads = QSpinBox()
        self.threads.setRange(0, 256)
        self.threads.setSpecialValueText("Automatic")
        self.threads.setValue(settings.threads or 0)
        self.threads.setAccessibleName("Model threads")
        form.addRow("Model threads", self.threads)

        self.hemisphere = QComboBox()
        self.hemisphere.addItem("Northern (spring is March–May)", "north")
        self.hemisphere.addItem("Southern (spring is September–November)", "south")
        self.hemisphere.setCurrentIndex(self.hemisphere.findData(settings.hemisphere))
        self.hemisphere.setAccessibleName("Hemisphere")
        form.addRow("Hemisphere", self.hemisphere)

        self.week_start = QComboBox()
        for i, name in enumerate(WEEKDAYS):
            self.week_start.addItem(name.capitalize(), i)
        self.week_start.setCurrentIndex(settings.week_start)
        self.week_start.setAccessibleName("Week starts on")
        form.addRow("Week starts on", self.week_start)

        self.briefing = QSpinBox()
        self.briefing.setRange(50, 2000)
        self.briefing.setSingleStep(25)
        self.briefing.setSuffix(" words")
        self.briefing.setValue(settings.briefing_words)
        self.briefing.setAccessibleName("Briefing length")
        form.addRow("Briefing length", self.briefing)

        self.writer = QComboBox()
        for key, text in WRITERS:
            self.writer.addItem(text, key)
        self.writer.setCurrentIndex(max(0, self.writer.findData(settings.digest_writer)))
        self.writer.setAccessibleName("Digest schedule")
        form.addRow("Digests", _stack(self.writer, _note(
            "Digests are caught up when Lucy starts, after midnight and after you write; Lucy pauses while "
            "you type or ask. To write them while Lucy is closed, see “Digests while the app is closed” in "
            "the README (cron / systemd).")))

        self.backups = QSpinBox()
        self.backups.setRange(0, 100)
        self.backups.setValue(settings.backups_keep)
        self.backups.setAccessibleName("Automatic backups kept")
        form.addRow("Backups kept", self.backups)

        self.error = QLabel("")
        self.error.setWordWrap(True)
        self.error.setAccessibleName("Settings problem")
        self.error.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons
        body = QWidget()
        body.setLayout(form)
        scroller = QScrollArea()
        scroller.setWidget(body)
        scroller.setWidgetResizable(True)
        scroller.setFrameShape(QFrame.Shape.NoFrame)
        outer = QVBoxLayout(self)
        outer.addWidget(scroller, 1)
        outer.addWidget(self.error)
        outer.addWidget(buttons)
        self.resize(820, 720)

    def chosen(self) -> Settings:
        return replace(
            self.original,
            chat_model=self.chat.value(),
            embedding_model=self.embed.value(),
            threads=self.threads.value() or None,
            hemisphere=self.hemisphere.currentData(),
            week_start=self.week_start.currentData(),
            briefing_words=self.briefing.value(),
            digest_writer=self.writer.currentData(),
            backups_keep=self.backups.value(),
        )


    def _use_found(self, kind: str, path: str) -> None:
        """A model found on this computer, chosen with its "Use" button (read in place)."""
        (self.chat if kind == "chat" else self.embed)._use(path)
    def accept(self) -> None:
        ok = all([self.chat.check(), self.embed.check()])
        if not ok:
            bad = self.chat if self.chat.error else self.embed
            self._problem(f"That model file cannot be used: {bad.error}")
            bad.path.setFocus()
            return
        try:
            self.result_settings = self.chosen().validated()
        except errors.LucyError as exc:
            self._problem(exc.user_text())
            return
        from lucy_app.ui import app as app_mod

        theme = self.theme.currentData()
        if theme != app_mod.current_theme() or theme != app_mod.saved_theme():
            app_mod.choose_theme(theme)  # at once (the window restyles itself) and for the next start
        super().accept()

    def _problem(self, text: str) -> None:
        self.error.setText("⚠ " + text)
        f = self.error.font()
        f.setBold(True)
        self.error.setFont(f)
        self.error.show()


def _stack(*parts) -> QWidget:
    """A field and the note under it, as one form row."""
    box = QWidget()
    v = QVBoxLayout(box)
    v.setContentsMargins(0, 0, 0, 0)
    v.setSpacing(4)
    for part in parts:
        if isinstance(part, QWidget):
            v.addWidget(part)
        else:
            v.addLayout(part)
    return box


def _note(text: str, tip: str = "") -> QLabel:
    label = QLabel(text)
    if tip:
        label.setToolTip(tip)
    label.setWordWrap(True)
    pal = label.palette()
    pal.setColor(pal.ColorRole.WindowText, style.muted())
    label.setPalette(pal)
    return label
