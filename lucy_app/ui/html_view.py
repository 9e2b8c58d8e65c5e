"""A read-only HTML view whose links are Lucy's own: ``entry:12?q=…``, ``digest:34``.

Links never open a browser or load anything; a click (or Tab to the link and Enter) emits
:attr:`HtmlView.link` with the kind, the id and the query. The window calls :meth:`rerender`
when the palette changes, so the colours follow light and dark mode.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qsl, quote, urlencode

from lucy_app.ui import style
from lucy_app.ui.qt import Qt, QTextBrowser, QUrl, Signal


def href(kind: str, ident: int, **query: object) -> str:
    """An HTML-safe link to an entry or digest (with optional passage/quote hints)."""
    q = urlencode({k: str(v) for k, v in query.items() if v is not None}, quote_via=quote)
    return style.esc(f"{kind}:{ident}" + (f"?{q}" if q else ""))


def parse(url: QUrl | str) -> tuple[str, int | None, dict[str, str]]:
    """(kind, id, query) of a link made by :func:`href`."""
    text = url.toString(QUrl.ComponentFormattingOption.FullyEncoded) if isinstance(url, QUrl) else url
    kind, _, rest = text.partition(":")
    path, _, query = rest.partition("?")
    try:
        ident = int(path)
    except ValueError:
        ident = None
    return kind, ident, dict(parse_qsl(query))


class HtmlView(QTextBrowser):
    link = Signal(str, object, dict)   # kind, id, query

    def __init__(self, render: Callable[[], str] | None = None, parent=None, *, max_width: int = 780):
        super().__init__(parent)
        self.max_width = max_width
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.setFont(style.reading_font())
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self._render = render
        self.anchorClicked.connect(self._clicked)

    def set_body(self, body_html: str) -> None:
        bar = self.verticalScrollBar().value()
        self.setHtml(style.html_page(body_html))
        self._centre()
        self.verticalScrollBar().setValue(bar)

    def _centre(self) -> None:
        """Keep lines a comfortable length: the text is a centred column at most ``max_width`` wide."""
        side = max(18, (self.viewport().width() - self.max_width) // 2)
        root = self.document().rootFrame()
        fmt = root.frameFormat()
        if int(fmt.leftMargin()) != side:
            fmt.setLeftMargin(side)
            fmt.setRightMargin(side)
            fmt.setTopMargin(18)
            fmt.setBottomMargin(18)
            root.setFrameFormat(fmt)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self._centre()

    def rerender(self) -> None:
        if self._render is not None:
            self.set_body(self._render())

    def loadResource(self, kind, url):  # noqa: N802 - Qt API: nothing is loaded from anywhere
        return None

    def _clicked(self, url: QUrl) -> None:
        kind, ident, query = parse(url)
        self.link.emit(kind, ident, query)

