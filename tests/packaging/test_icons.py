"""The icons and the .desktop file in resources/ (rendered by packaging/render_icons.py)."""

from __future__ import annotations

import configparser
import importlib.util
import struct
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ICONS = ROOT / "resources" / "icons"


def _render_icons():
    spec = importlib.util.spec_from_file_location("render_icons", ROOT / "packaging" / "render_icons.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("size", [16, 22, 24, 32, 48, 64, 128, 256, 512])
def test_each_png_has_its_size_and_matches_the_svg(qapp, size):
    from PySide6.QtGui import QImage

    stored = QImage(str(ICONS / "hicolor" / f"{size}x{size}" / "apps" / "lucy.png"))
    assert (stored.width(), stored.height()) == (size, size)
    fresh = QImage.fromData(_render_icons().render_png(size))
    # the same picture (a few levels of tolerance for another Qt's anti-aliasing): run `make icons`
    # after editing lucy.svg
    diff = sum(abs(stored.pixelColor(x, y).value() - fresh.pixelColor(x, y).value())
               + abs(stored.pixelColor(x, y).alpha() - fresh.pixelColor(x, y).alpha())
               for x in range(0, size, max(1, size // 32)) for y in range(0, size, max(1, size // 32)))
    samples = len(range(0, size, max(1, size // 32))) ** 2
    assert diff / samples < 6, "the PNGs are out of date: run `make icons`"


def test_ico_and_icns_hold_png_images():
    ico = (ICONS / "lucy.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", ico[:6])
    assert (reserved, kind, count) == (0, 1, 7)
    for i in range(count):
        _, _, _, _, _, _, length, offset = struct.unpack("<BBBBHHII", ico[6 + 16 * i: 22 + 16 * i])
        assert ico[offset:offset + 8] == b"\x89PNG\r\n\x1a\n" and offset + length <= len(ico)
    icns = (ICONS / "lucy.icns").read_bytes()
    assert icns[:4] == b"icns" and struct.unpack(">I", icns[4:8])[0] == len(icns)
    assert b"ic10" in icns and b"icp4" in icns


def test_the_desktop_entry_starts_lucy_with_its_icon():
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(ROOT / "resources" / "lucy.desktop", encoding="utf-8")
    d = entry["Desktop Entry"]
    assert d["Type"] == "Application" and d["Name"] == "Lucy"
    assert d["Exec"].split()[0] == "lucy" and d["Icon"] == "lucy" and d["Terminal"] == "false"
    assert d["Categories"].endswith(";")
