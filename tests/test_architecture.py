"""House rules that keep the layers apart (see ARCHITECTURE.md)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "lucy_app"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_the_core_never_imports_qt():
    offenders = {
        str(p.relative_to(PACKAGE)): sorted(m for m in imported_modules(p)
                                             if m.split(".")[0] in ("PySide6", "shiboken6", "PyQt5", "PyQt6")
                                             or m.startswith("lucy_app.ui"))
        for p in (PACKAGE / "core").rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


SQL = re.compile(r"\b(SELECT\s+[\w*(]|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+(TABLE|INDEX|VIRTUAL|TRIGGER)|PRAGMA\s+\w)")  # SQL is written in upper case here


def string_constants(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.lineno, node.value


def test_every_sql_statement_lives_in_the_storage_package():
    storage = PACKAGE / "core" / "storage"
    offenders = [
        f"{p.relative_to(PACKAGE)}:{line}"
        for p in PACKAGE.rglob("*.py") if storage not in p.parents
        for line, text in string_constants(p) if SQL.search(text)
    ]
    assert offenders == []


def test_only_the_model_service_creates_llama_objects():
    owner = PACKAGE / "core" / "llm" / "service.py"
    offenders = [
        str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py")
        if p != owner and re.search(r"\bLlama\(", p.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_every_file_picker_is_lucys_own():
    """Qt's stock dialogs sniff listed files (dropping SQLite's locks): see ui/file_dialogs.py."""
    allowed = {PACKAGE / "ui" / "file_dialogs.py", PACKAGE / "ui" / "qt.py"}
    offenders = [
        str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py")
        if p not in allowed and re.search(r"\bQFileDialog\b", p.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_today_comes_from_the_clock():
    """`clock` is the one place that asks the system what day it is, so tests can freeze it.
    Only times compared with the file system (a model file's mtime) and backup names are real."""
    allowed = {PACKAGE / "core" / "clock.py", PACKAGE / "core" / "model_files.py", PACKAGE / "core" / "backup.py",
               PACKAGE / "core" / "index.py"}
    offenders = [
        f"{p.relative_to(PACKAGE)}:{line}"
        for p in PACKAGE.rglob("*.py") if p not in allowed
        for line, text in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\b(date\.today|datetime\.(now|today))\(", text)
    ]
    assert offenders == []
