"""One window per journal file: a second launch asks the first to come forward, then exits.

The first instance holds a lock file and listens on a local socket, both named after a hash
of the journal's path (``QLockFile``, ``QLocalServer``); a later launch for the same file
connects, says "raise", and the first window is shown and activated.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from lucy_app.ui.qt import (
    QDir,
    QElapsedTimer,
    QLocalServer,
    QLocalSocket,
    QLockFile,
    QObject,
    QThread,
    Signal,
)

log = logging.getLogger(__name__)


def server_name(journal: Path) -> str:
    key = str(Path(journal).expanduser().resolve())
    return "lucy-" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:20]


class SingleInstance(QObject):
    activate = Signal()

    def __init__(self, journal: Path, parent=None):
        super().__init__(parent)
        self.name = server_name(journal)
        self.server: QLocalServer | None = None
        self._lock: QLockFile | None = None

    def notify_running(self, timeout_ms: int = 1000) -> bool:
        """If another Lucy has this journal open, ask it to come forward; True if there is one."""
        sock = QLocalSocket()
        sock.connectToServer(self.name)
        if not sock.waitForConnected(timeout_ms):
            return False
        sock.write(b"raise\n")
        sock.waitForBytesWritten(timeout_ms)
        sock.disconnectFromServer()
        return True

    def listen(self, wait_ms: int = 3000) -> bool:
        """Become the instance for this journal; False (only) when another Lucy already is.

        Ownership is a lock file beside the socket (``QLockFile``: a crashed owner's lock is
        recognised by its dead process), so two launches at the same moment cannot both win:
        the loser asks the winner to come forward (waiting up to ``wait_ms`` for it to start
        listening). The owner clears any socket a crash left behind and listens."""
        lock = QLockFile(str(Path(QDir.tempPath()) / f"{self.name}.lock"))
        lock.setStaleLockTime(0)  # a long-running owner's lock never goes stale; a dead one's does
        if not lock.tryLock(0):
            timer = QElapsedTimer()
            timer.start()
            while not self.notify_running(timeout_ms=200) and timer.elapsed() < wait_ms:
                QThread.msleep(50)
            return False
        self._lock = lock
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        QLocalServer.removeServer(self.name)  # ours now: whatever is there was left by a crash
        if not server.listen(self.name):
            log.warning("cannot listen on %s (%s): a second launch will not find this window",
                        self.name, server.errorString())
            server.deleteLater()
            return True
        server.newConnection.connect(self._incoming)
        self.server = server
        return True

    def _incoming(self) -> None:
        while self.server is not None and self.server.hasPendingConnections():
            sock = self.server.nextPendingConnection()
            sock.disconnected.connect(sock.deleteLater)
            self.activate.emit()

    def close(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = None
        if self._lock is not None:
            self._lock.unlock()
            self._lock = None
