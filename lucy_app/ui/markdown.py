"""Markdown in the app: inline styling while writing, a rendered view with attachment images,
and citations turned into links.

- :class:`MarkdownHighlighter` styles headings, emphasis, code, quotes, lists and links in the
  editor as you type (colours from the palette).
- :class:`MarkdownView` renders an entry (``QTextDocument.setMarkdown``) and serves
  ``attachment:<sha256>`` image URLs from the journal through :meth:`loadResource`: images
  already fetched come from a small cache; others are fetched on a reader thread and the view
  re-renders when they arrive.
- :func:`link_citations` turns ``[5 Mar 2026 · #12]`` / ``[#12, #13]`` into ``entry:`` links.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable

from lucy_app.ui import style
from lucy_app.ui.qt import (
    QColor,
    QFont,
    QImage,
    QPalette,
    QRegularExpression,
    QSyntaxHighlighter,
    Qt,
    QTextBrowser,
    QTextCharFormat,
    QTextDocument,
    QUrl,
)

ATTACHMENT_RE = re.compile(r"!\[([^\]]*)\]\(attachment:([0-9a-f]{64})\)")
CITATION_GROUP = re.compile(r"\[([^\[\]\n]*#\d+[^\[\]\n]*)\]")
CITATION_PIECE = re.compile(r"[^;,\[\]]*?#(\d+)")


def attachment_shas(markdown: str) -> list[str]:
    return list(dict.fromkeys(m.group(2) for m in ATTACHMENT_RE.finditer(markdown)))


def attachment_ref(sha256: str, caption: str = "") -> str:
    caption = re.sub(r"[\[\]\n]", " ", caption).strip()
    return f"![{caption}](attachment:{sha256})"


# --- citations ------------------------------------------------------------------------


def link_citations(escaped_text: str, href: Callable[[int], str] = lambda i: f"entry:{i}") -> str:
    """HTML-escaped text with each citation group's ``#id`` pieces made into links."""

    def group(m: re.Match) -> str:
        inner = m.group(1)
        linked = CITATION_PIECE.sub(lambda p: f'<a href="{href(int(p.group(1)))}">{p.group(0).strip()}</a>'
                                    if p.group(0).strip() else p.group(0), inner)
        return f'<span class="cite">[{unbroken(linked)}]</span>'

    return CITATION_GROUP.sub(group, escaped_text)


_DAY_MONTH_YEAR = re.compile(r"(\d{1,2}) ([A-Z][a-z]{2}) (\d{4})")


def unbroken(html_text: str) -> str:
    """Dates ("2 Dec 2026") and "· #12" never broken across lines (non-breaking spaces)."""
    return _DAY_MONTH_YEAR.sub("\\1&nbsp;\\2&nbsp;\\3", html_text).replace(" · ", "&nbsp;·&nbsp;")


def cited_ids(text: str) -> list[int]:
    return list(dict.fromkeys(int(i) for g in CITATION_GROUP.finditer(text)
                              for i in re.findall(r"#(\d+)", g.group(1))))


# --- images -----------------------------------------------------------------------------


class ImageCache:
    """Decoded attachment images by sha256 (a small LRU; the journal is the real store)."""

    def __init__(self, size: int = 64):
        self._images: OrderedDict[str, QImage] = OrderedDict()
        self._size = size

    def get(self, sha: str) -> QImage | None:
        img = self._images.get(sha)
        if img is not None:
            self._images.move_to_end(sha)
        return img

    def put(self, sha: str, image: QImage) -> None:
        self._images[sha] = image
        self._images.move_to_end(sha)
        while len(self._images) > self._size:
            self._images.popitem(last=False)


IMAGES = ImageCache()
MAX_IMAGE_WIDTH = 640


def decode_image(data: bytes | None) -> QImage:
    image = QImage()
    if data:
        image.loadFromData(data)
    if not image.isNull() and image.width() > MAX_IMAGE_WIDTH:
        image = image.scaledToWidth(MAX_IMAGE_WIDTH)
    return image


class MarkdownView(QTextBrowser):
    """A read-only rendered entry; attachment images are fetched through ``fetch``.

    ``fetch(shas, done)`` must fetch the bytes of each sha (off the GUI thread) and call
    ``done({sha: bytes})`` in the GUI thread.
    """

    def __init__(self, fetch: Callable[[list[str], Callable[[dict], None]], None] | None = None, parent=None):
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self._fetch = fetch
        self._markdown = ""
        self._asked: set[str] = set()
        self.setFont(style.reading_font())

    def show_markdown(self, markdown: str) -> None:
        self._markdown = markdown
        missing = [s for s in attachment_shas(markdown) if IMAGES.get(s) is None and s not in self._asked]
        if missing and self._fetch is not None:
            self._asked.update(missing)
            self._fetch(missing, self._arrived)
        self.document().setMarkdown(markdown, QTextDocument.MarkdownFeature.MarkdownDialectGitHub)

    def _arrived(self, found: dict) -> None:
        for sha, data in found.items():
            IMAGES.put(sha, decode_image(data))
        self.show_markdown(self._markdown)

    def loadResource(self, kind: int, url: QUrl):  # noqa: N802 - Qt API
        """Only the journal's own images: every other URL (web, ``file://host``, ``//host``,
        local paths) loads nothing, so an entry can never make Lucy open a remote file."""
        if url.scheme() == "attachment":
            image = IMAGES.get(url.path())
            if image is not None and not image.isNull():
                return image
            return _placeholder()
        return None


_PLACEHOLDER: QImage | None = None


def _placeholder() -> QImage:
    global _PLACEHOLDER
    if _PLACEHOLDER is None:
        _PLACEHOLDER = QImage(1, 1, QImage.Format.Format_ARGB32)
        _PLACEHOLDER.fill(Qt.GlobalColor.transparent)
    return _PLACEHOLDER


# --- the highlighter ---------------------------------------------------------------------


class MarkdownHighlighter(QSyntaxHighlighter):
    """Inline Markdown styling for the editor; colours and weights follow the palette."""

    IN_CODE = 1

    def __init__(self, document: QTextDocument):
        super().__init__(document)
        self._build()

    def refresh(self) -> None:
        """Recompute colours (the palette changed) and re-style the text."""
        self._build()
        self.rehighlight()

    def _build(self) -> None:
        pal = style.palette()
        muted = style.muted(pal)
        link = pal.color(QPalette.ColorRole.Link)
        accent = style.accent(pal)

        def fmt(*, bold=False, italic=False, colour: QColor | None = None, mono=False, scale=None):
            f = QTextCharFormat()
            if bold:
                f.setFontWeight(QFont.Weight.Bold)
            if italic:
                f.setFontItalic(True)
            if colour is not None:
                f.setForeground(colour)
            if mono:
                f.setFontFamilies(["monospace"])
                f.setFontFixedPitch(True)
            if scale:
                f.setProperty(QTextCharFormat.Property.FontSizeAdjustment, scale)
            return f

        self._heading = [fmt(bold=True, scale=2), fmt(bold=True, scale=1), fmt(bold=True)]
        self._marker = fmt(colour=muted)
        self._code = fmt(mono=True, colour=muted)
        self._rules = [
            (QRegularExpression(r"^\s{0,3}([-*+]|\d+[.)])\s"), fmt(colour=accent, bold=True)),
            (QRegularExpression(r"^\s{0,3}>.*$"), fmt(italic=True, colour=muted)),
            (QRegularExpression(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), fmt(bold=True)),
            (QRegularExpression(r"(?<![*\w])([*_])(?=[^\s*_])([^*_]+?)(?<=\S)\1(?![*\w])"), fmt(italic=True)),
            (QRegularExpression(r"~~(?=\S)(.+?)(?<=\S)~~"), fmt(colour=muted)),
            (QRegularExpression(r"!?\[[^\]]*\]\([^)]*\)"), fmt(colour=link)),
            (QRegularExpression(r"`[^`]+`"), self._code),
            (QRegularExpression(r"(?<!\w)#[\w-]+"), fmt(colour=accent)),
        ]
        self._heading_re = QRegularExpression(r"^(#{1,6})\s.*$")
        self._fence = QRegularExpression(r"^\s*(```|~~~)")

    def highlightBlock(self, text: str) -> None:  # noqa: N802 - Qt API
        in_code = self.previousBlockState() == self.IN_CODE
        if self._fence.match(text).hasMatch():
            self.setFormat(0, len(text), self._code)
            self.setCurrentBlockState(-1 if in_code else self.IN_CODE)
            return
        if in_code:
            self.setFormat(0, len(text), self._code)
            self.setCurrentBlockState(self.IN_CODE)
            return
        self.setCurrentBlockState(-1)
        heading = self._heading_re.match(text)
        if heading.hasMatch():
            level = len(heading.captured(1))
            self.setFormat(0, len(text), self._heading[min(level, 3) - 1])
            self.setFormat(0, level, self._marker)
            return
        for regex, f in self._rules:
            it = regex.globalMatch(text)
            while it.hasNext():
                m = it.next()
                self.setFormat(m.capturedStart(), m.capturedLength(), f)
