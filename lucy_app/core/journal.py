"""The journal a UI or the CLI holds: one open file, its settings, and (later) its models.

Everything else is done by the core modules (``entries``, ``search``, ``digests``…),
which take the journal's :class:`~lucy_app.core.storage.db.Database`.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from lucy_app import __version__
from lucy_app.core import entries, errors, paths
from lucy_app.core import settings as settings_mod
from lucy_app.core.storage import settings as settings_store
from lucy_app.core.storage.db import Database


class Journal:
    def __init__(self, db: Database):
        self.db = db
        self._settings: settings_mod.Settings | None = None

    @classmethod
    def open(cls, path: Path | str | None = None, *, readonly: bool = False,
             passphrase: str | None = None) -> Journal:
        """Open (creating if needed) the journal at ``path`` or the default location."""
        target = Path(path).expanduser() if path else paths.default_journal_path()
        journal = None
        try:
            journal = cls(Database(target, readonly=readonly, passphrase=passphrase))
            if not readonly:
                journal._stamp()
        except (errors.JournalCorrupt, errors.NotAJournal) as exc:
            # a damaged journal is never written to; the message offers the newest backup
            from lucy_app.core import backup

            if journal is not None:
                journal.close()
            if isinstance(exc, errors.NotAJournal) and backup.latest_backup(target) is None:
                raise
            raise type(exc)(exc.message, hint=backup.restore_hint(target)) from exc
        except BaseException:
            if journal is not None:
                journal.close()
            raise
        return journal

    def _stamp(self) -> None:
        with self.db.write() as conn:
            meta = settings_store.get_meta(conn)
            if "journal_id" not in meta:
                settings_store.put_meta(conn, "journal_id", uuid.uuid4().hex)
                settings_store.put_meta(conn, "created_at", entries.now().isoformat())
                settings_store.put_meta(conn, "created_by", f"Lucy {__version__}")

    @property
    def path(self) -> Path:
        return self.db.path

    @property
    def settings(self) -> settings_mod.Settings:
        if self._settings is None:
            self._settings = settings_mod.load(self.db)
        return self._settings

    def update_settings(self, **changes) -> settings_mod.Settings:
        self._settings = settings_mod.save(self.db, self.settings.replace(**changes))
        return self._settings

    def meta(self) -> dict[str, str]:
        with self.db.read() as conn:
            return settings_store.get_meta(conn)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
