"""Settings ▸ "Models already on this computer": what Ollama, LM Studio, GPT4All, Jan and the
Hugging Face cache hold, found on a worker thread (:mod:`lucy_app.core.llm.discover`), each
with one button to use it. Files are read where they are: never copied, never downloaded.
"""

from __future__ import annotations

from collections.abc import Callable

from lucy_app.core.llm import discover
from lucy_app.ui import style
from lucy_app.ui.qt import QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget, Signal


def _gb(n: int) -> str:
    return f"{n / 1e9:.1f} GB" if n >= 1e8 else f"{n / 1e6:.0f} MB"


class FoundModels(QWidget):
    """Lists the models found; :attr:`chosen` says which one the user wants, and for what."""

    chosen = Signal(str, str)   # kind ("chat" | "embedding"), path

    def __init__(self, tasks, parent=None, *, finder: Callable[[], list[discover.Found]] = discover.find):
        super().__init__(parent)
        self.tasks = tasks
        self._finder = finder
        self.found: list[discover.Found] | None = None
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.status = QLabel("Looking for models other apps have put on this computer…")
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Models found on this computer")
        self._layout.addWidget(self.status)
        self.grid = QGridLayout()
        self._layout.addLayout(self.grid)

    def scan(self) -> None:
        self.tasks.work(lambda _db: self._finder(), self._show, lambda exc: self.status.setText(
            f"Could not look for models: {exc}"), what="looking for models")

    def _show(self, found: list[discover.Found]) -> None:
        self.found = found
        if not found:
            self.status.setText("No models from Ollama, LM Studio, GPT4All, Jan or the Hugging Face cache "
                                "were found on this computer.")
            return
        self.status.setText("Already on this computer (read where they are; nothing is copied or downloaded):")
        for row, f in enumerate(found):
            what = "chat" if f.kind == "chat" else "search"
            name = QLabel(f"<b>{style.esc(f.name)}</b> — {what} model from {style.esc(f.source)}, "
                          f"{_gb(f.size)}, needs about {f.memory_gb:g} GB of memory<br>"
                          f'<span style="font-size: small">{"✓ " if f.recommended else ""}{style.esc(f.why)}'
                          f" · {style.esc(str(f.path))}</span>")
            name.setWordWrap(True)
            name.setToolTip(str(f.path))
            use = QPushButton("Use")
            use.setAccessibleName(f"Use {f.name} as the {what} model")
            use.clicked.connect(lambda _=False, f=f: self.chosen.emit(f.kind, str(f.path)))
            self.grid.addWidget(name, row, 0)
            self.grid.addWidget(use, row, 1)
