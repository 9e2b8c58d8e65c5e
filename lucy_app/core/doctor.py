"""`lucy doctor`: what Lucy is running with and whether the journal is sound."""

from __future__ import annotations

import platform
import sys
from dataclasses import dataclass, field

from lucy_app import __version__
from lucy_app.core import errors
from lucy_app.core.journal import Journal
from lucy_app.core.storage import db as db_mod
from lucy_app.core.storage import entries as entry_store
from lucy_app.core.storage import maintenance, migrations
from lucy_app.core.storage import passages as passage_store


@dataclass
class Report:
    facts: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def examine(journal: Journal) -> Report:
    report = Report()
    facts = report.facts
    facts["lucy"] = __version__
    facts["python"] = f"{platform.python_version()} ({sys.executable})"
    facts["journal"] = str(journal.path)
    facts["journal size"] = f"{db_mod.file_size(journal.path) / 1e6:.1f} MB"
    with journal.db.read() as conn:
        v = maintenance.versions(conn)
        facts["sqlite"] = v["sqlite"]
        facts["sqlite-vec"] = v["sqlite_vec"]
        facts["apsw"] = v["apsw"]
        facts["schema"] = f"{migrations.schema_version(conn)} (this Lucy: {migrations.SCHEMA_VERSION})"
        facts["journal mode"] = maintenance.journal_mode(conn)
        facts["entries"] = f"{entry_store.count(conn)} (+{entry_store.count(conn, trashed=True)} in trash)"
        facts["last change"] = str(entry_store.last_seq(conn))
        report.problems += [f"integrity_check: {p}" for p in maintenance.integrity_problems(conn)]
    try:
        with journal.db.write() as conn:
            entry_store.fts_integrity(conn)
            passage_store.passages_fts_integrity(conn)
    except errors.JournalReadOnly:
        facts["full-text check"] = "skipped (the journal is read-only)"
    except errors.JournalCorrupt as exc:
        report.problems.append(f"full-text index: {exc.message}")
    return report
