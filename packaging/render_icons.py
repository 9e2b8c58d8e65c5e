#!/usr/bin/env python3
"""Render Lucy's icon (resources/icons/lucy.svg) to PNGs, a Windows .ico and a macOS .icns.

    python packaging/render_icons.py            (`make icons`)

Writes resources/icons/hicolor/<n>x<n>/apps/lucy.png for n in 16 … 512 (the freedesktop icon
theme layout, copied as is by the .deb), resources/icons/lucy.ico (16 … 256) and
resources/icons/lucy.icns (16 … 1024) for the Windows and macOS builds. The .ico and .icns
hold PNG images, which both formats accept, so no image library beyond Qt is needed.
Rendering uses Qt's QSvgRenderer (QtSvg ships with PySide6-Essentials) offscreen.
The outputs are kept in the repository; run this again after editing the SVG.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"
SVG = ICONS / "lucy.svg"
PNG_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# ICNS element types holding PNG data, by pixel size (1024 is the 512@2x slot).
ICNS_TYPES = {16: b"icp4", 32: b"icp5", 64: b"icp6", 128: b"ic07", 256: b"ic08", 512: b"ic09", 1024: b"ic10"}


def render_png(size: int) -> bytes:
    """The SVG rendered at ``size`` × ``size`` pixels, as PNG bytes."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        raise SystemExit(f"render_icons: {SVG} is not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    image.convertToFormat(QImage.Format.Format_ARGB32).save(buf, "PNG")
    buf.close()
    return bytes(data.data())


def ico(pngs: dict[int, bytes]) -> bytes:
    """A Windows .ico whose images are PNGs (accepted since Windows Vista)."""
    sizes = sorted(pngs)
    out = struct.pack("<HHH", 0, 1, len(sizes))
    offset = 6 + 16 * len(sizes)
    body = b""
    for n in sizes:
        data = pngs[n]
        dim = 0 if n >= 256 else n  # 0 means 256
        out += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(data), offset + len(body))
        body += data
    return out + body


def icns(pngs: dict[int, bytes]) -> bytes:
    """A macOS .icns whose elements are PNGs."""
    body = b"".join(ICNS_TYPES[n] + struct.pack(">I", 8 + len(d)) + d for n, d in sorted(pngs.items()))
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 - QImage needs it
    pngs = {n: render_png(n) for n in sorted(set(PNG_SIZES) | set(ICO_SIZES) | set(ICNS_TYPES))}
    for n in PNG_SIZES:
        target = ICONS / "hicolor" / f"{n}x{n}" / "apps" / "lucy.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(pngs[n])
    (ICONS / "lucy.ico").write_bytes(ico({n: pngs[n] for n in ICO_SIZES}))
    (ICONS / "lucy.icns").write_bytes(icns({n: pngs[n] for n in ICNS_TYPES}))
    print(f"render_icons: {len(PNG_SIZES)} PNGs, lucy.ico and lucy.icns in {ICONS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
