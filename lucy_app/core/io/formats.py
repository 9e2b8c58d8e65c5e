"""The formats Lucy imports, in one table the CLI and the app both read."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path

from lucy_app.core.entries import Draft


@dataclass(frozen=True)
class Format:
    name: str          # the CLI word: `lucy import NAME PATH`
    label: str         # what the app's menu says
    module: str        # lucy_app.core.io.<module>.read(path) -> drafts
    folder: bool       # the source is a folder (else a file)
    patterns: str      # for the app's file chooser
    help: str

    def read(self, path: Path) -> list[Draft]:
        return importlib.import_module(f"lucy_app.core.io.{self.module}").read(Path(path))


FORMATS: tuple[Format, ...] = (
    Format("dayone", "Day One export…", "dayone", False, "Day One export (*.zip *.json)",
           "Day One's JSON export: the .zip (with photos) or the bare Journal.json."),
    Format("jrnl", "jrnl journal…", "jrnl", False, "jrnl journal (*.txt *.json *)",
           "A jrnl journal file, or its `jrnl --export json` output."),
    Format("markdown", "Folder of Markdown files…", "markdown", True, "",
           "A folder of Markdown files (one per entry or day; e.g. Obsidian daily notes)."),
    Format("json", "Lucy JSON export…", "json_export", False, "Lucy export (*.json)",
           "Lucy's own JSON export (entries, attachments, digests)."),
    Format("jsonl", "JSON Lines…", "jsonl", False, "JSON Lines (*.jsonl *.json)",
           "One entry per line: date, body, optional title/tags/id (see README)."),
)

BY_NAME = {f.name: f for f in FORMATS}
