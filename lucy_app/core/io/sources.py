"""Reading import sources safely: files, text, JSON and zip archives, with clear errors.

Every failure is an :class:`~lucy_app.core.errors.ImportFailed` naming the file (and the
line, member or entry). Zip archives are read member by member into memory, never
extracted to disk; an archive with names that climb out (``../evil``, ``/etc/x``, ``C:\\x``),
symbolic links, encrypted members, or more than :data:`MAX_TOTAL_BYTES` uncompressed
(or one member over :data:`MAX_MEMBER_BYTES`) is refused before anything is read.
"""

from __future__ import annotations

import json
import lzma
import stat
import struct
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from lucy_app.core import errors
from lucy_app.core.entries import valid_text
from lucy_app.core.storage.open_journals import refuse_open_journal

MAX_TOTAL_BYTES = 2 * 1024**3
MAX_MEMBER_BYTES = 512 * 1024**2
MAX_MEMBERS = 200_000

#: What a damaged or hostile archive can make :mod:`zipfile` raise.
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, EOFError,
               zlib.error, lzma.LZMAError, struct.error, OverflowError, ValueError, KeyError, OSError)


def read_bytes(path: Path, *, limit: int = MAX_MEMBER_BYTES) -> bytes:
    path = Path(path)
    refuse_open_journal(path, "a file to import")
    try:
        if path.stat().st_size > limit:
            raise errors.ImportFailed(f"{path} is too large ({path.stat().st_size} bytes; at most {limit})")
        return path.read_bytes()
    except FileNotFoundError:
        raise errors.ImportFailed(f"{path}: no such file") from None
    except IsADirectoryError:
        raise errors.ImportFailed(f"{path} is a folder, not a file") from None
    except PermissionError:
        raise errors.ImportFailed(f"{path}: permission denied") from None
    except OSError as exc:
        raise errors.ImportFailed(f"{path}: cannot be read ({exc.strerror or exc})") from None


def decode(data: bytes, where: str, *, hint: str | None = None) -> str:
    """UTF-8 text (a leading byte-order mark is dropped); names the line of a bad byte."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise errors.ImportFailed(f"{where}: not valid UTF-8 (line {line}, byte {exc.start + 1})",
                                  hint=hint) from None
    return text[1:] if text.startswith("\ufeff") else text


def parse_json(text: str, where: str) -> object:
    """The JSON value; lone surrogates (``"\\ud800"``) become U+FFFD, so any text can be stored."""
    try:
        return scrub(json.loads(text))
    except json.JSONDecodeError as exc:
        raise errors.ImportFailed(
            f"{where}: not valid JSON ({exc.msg}, line {exc.lineno} column {exc.colno})"
        ) from None
    except RecursionError:
        raise errors.ImportFailed(f"{where}: not valid JSON (nested too deeply)") from None


def scrub(value: object) -> object:
    """``value`` with every string (and key) free of lone surrogates."""
    if isinstance(value, str):
        return valid_text(value)
    if isinstance(value, list):
        return [scrub(v) for v in value]
    if isinstance(value, dict):
        return {valid_text(k): scrub(v) for k, v in value.items()}
    return value


class SafeZip:
    """A zip archive checked as a whole before any member is read, read into memory."""

    def __init__(self, path: Path):
        self.path = Path(path)
        try:
            refuse_open_journal(self.path, "a file to import")
            self._zip = zipfile.ZipFile(self.path)
            infos = self._zip.infolist()
        except FileNotFoundError:
            raise errors.ImportFailed(f"{path}: no such file") from None
        except _ZIP_ERRORS as exc:
            raise errors.ImportFailed(f"{path}: not a readable zip archive ({_reason(exc)})") from None
        self._members: dict[str, zipfile.ZipInfo] = {}
        total = 0
        if len(infos) > MAX_MEMBERS:
            self.close()
            raise errors.ImportFailed(f"{path}: too many files in the archive ({len(infos)})")
        for info in infos:
            problem = _unsafe(info)
            if problem is None and info.file_size > MAX_MEMBER_BYTES:
                problem = f"{info.file_size} bytes uncompressed (at most {MAX_MEMBER_BYTES} per file)"
            total += info.file_size
            if problem is None and total > MAX_TOTAL_BYTES:
                problem = f"the archive unpacks to more than {MAX_TOTAL_BYTES} bytes"
            if problem:
                self.close()
                raise errors.ImportFailed(f"{path}: refused: {info.filename!r}: {problem}",
                                          hint="this archive is unsafe; nothing was imported")
            if not info.is_dir():
                self._members[info.filename] = info

    def names(self) -> list[str]:
        return list(self._members)

    def read(self, name: str) -> bytes | None:
        """The member's bytes, or None when the archive has no such file."""
        info = self._members.get(name)
        if info is None:
            return None
        try:
            with self._zip.open(info) as f:
                data = f.read(info.file_size + 1)
        except _ZIP_ERRORS as exc:
            raise errors.ImportFailed(f"{self.path}: {name}: cannot be read ({_reason(exc)})") from None
        if len(data) > info.file_size:  # never happens with zipfile's own checks; belt and braces
            raise errors.ImportFailed(f"{self.path}: {name}: larger than the archive says")
        return data

    def close(self) -> None:
        self._zip.close()

    def __enter__(self) -> SafeZip:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def is_zip(path: Path) -> bool:
    refuse_open_journal(path, "a file to import")
    try:
        with Path(path).open("rb") as f:
            return f.read(4) in (b"PK\x03\x04", b"PK\x05\x06")
    except OSError:
        return False


def _unsafe(info: zipfile.ZipInfo) -> str | None:
    name = info.filename
    if not name:
        return "a member without a name"
    if info.flag_bits & 0x1:
        return "encrypted"
    if stat.S_ISLNK(info.external_attr >> 16):
        return "a symbolic link"
    raw = name.replace("\\", "/")
    if raw.startswith("/") or (len(raw) > 1 and raw[1] == ":") or "\x00" in raw:
        return "an absolute path"
    if ".." in PurePosixPath(raw).parts:
        return "a path that climbs out of the archive"
    return None


def _reason(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text[:200]
