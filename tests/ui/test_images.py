"""Images: pasted into an entry, kept in the journal, shown inline in the rendered view."""

from __future__ import annotations

from lucy_app.core import attachments, clock, entries
from lucy_app.ui import markdown
from lucy_app.ui.qt import QColor, QImage, QMimeData


def test_a_pasted_image_is_stored_and_shown_inline(qtbot, open_window, reopen):
    window = open_window()
    page = window.write_page
    window.new_entry()
    qtbot.waitUntil(lambda: page.handle is not None)
    qtbot.keyClicks(page.editor, "The view from the bridge:")
    image = QImage(32, 20, QImage.Format.Format_RGB32)
    image.fill(QColor(40, 120, 200))
    mime = QMimeData()
    mime.setImageData(image)
    page.editor.insertFromMimeData(mime)
    text = page.editor.toPlainText()
    sha = markdown.attachment_shas(text)[0]
    assert f"](attachment:{sha})" in text
    qtbot.waitUntil(lambda: page.handle.id is not None and page.state_label.text().startswith("Saved"))
    window.tasks.flush()
    j = reopen()
    assert attachments.data(j.db, sha)
    assert [a["sha256"] for a in attachments.for_entry(j.db, page.handle.id)] == [sha]
    assert entries.list_entries(j.db, start=clock.today())[0].body.endswith(f"(attachment:{sha})")

    # the rendered view loads it through the resource loader, even when not cached
    markdown.IMAGES._images.clear()
    assert page.preview.isVisible()
    page.preview.show_markdown(text)
    qtbot.waitUntil(lambda: markdown.IMAGES.get(sha) is not None)
    loaded = page.preview.loadResource(2, markdown.QUrl(f"attachment:{sha}"))
    assert isinstance(loaded, QImage) and loaded.width() == 32


def test_a_dropped_image_file_keeps_its_name_as_caption(qtbot, open_window, tmp_path):
    from lucy_app.ui.qt import QUrl

    window = open_window()
    page = window.write_page
    window.new_entry()
    qtbot.waitUntil(lambda: page.handle is not None)
    image = QImage(10, 10, QImage.Format.Format_RGB32)
    image.fill(QColor("darkgreen"))
    path = tmp_path / "garden path.png"
    assert image.save(str(path))
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    assert page.editor.canInsertFromMimeData(mime)
    page.editor.insertFromMimeData(mime)
    assert "![garden path](attachment:" in page.editor.toPlainText()

    not_an_image = tmp_path / "notes.png"
    not_an_image.write_text("not really a picture")
    mime.setUrls([QUrl.fromLocalFile(str(not_an_image))])
    page.editor.insertFromMimeData(mime)
    assert "is not an image Lucy can show" in window.notice.text
