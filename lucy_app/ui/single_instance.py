"""One window per journal file: a second launch asks the first to come forward, then exits.

The first instance listens on a local socket named after a hash of the journal's path
(``QLocalServer``); a later launch for the same file connects, says "raise", and the first
window is shown and activated.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from lucy_app.ui.qt import QLocalServer, QLocalSocket, QObject, Signal


def server_name(journal: Path) -> str:
    key = str(Path(journal).expanduser().resolve())
    return "lucy-" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:20]


class SingleInstance(QObject):
    activate = Signal()

    def __init__(self, journal: Path, parent=None):
        super().__init__(parent)
        self.name = server_name(journal)
        self.server: QLocalServer | None = None

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

    def listen(self) -> bool:
        """Become the instance for this journal (clearing a socket left by a crash)."""
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not self.server.listen(self.name):
            QLocalServer.removeServer(self.name)
            if not self.server.listen(self.name):
                return False
        self.server.newConnection.connect(self._incoming)
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
