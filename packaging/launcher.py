"""The bundle's executable: ``lucy`` (``Lucy.exe`` / ``Lucy.app`` elsewhere).

    lucy                      open the desktop app (what a double-click does)
    lucy --self-test          check this installation end to end on a temporary journal; prints "ok"
    lucy --screenshot PATH    render the app's window offscreen to PATH (a PNG) and exit
    lucy COMMAND …            any `lucy` CLI command: add, list, search, digest run, doctor, …

``--db PATH`` may come first in every form. This file is only the frozen entry point
(PyInstaller's script); every behaviour lives in :mod:`lucy_app.cli`.
"""

from __future__ import annotations

import sys


def cli_args(args: list[str]) -> list[str]:
    """The `lucy` CLI arguments for the bundle's arguments."""
    lead: list[str] = []
    rest = list(args)
    while (rest[:1] == ["--db"] and len(rest) >= 2) or (rest[:1] and rest[0].startswith("--db=")):
        take = 1 if rest[0].startswith("--db=") else 2
        lead, rest = lead + rest[:take], rest[take:]
    if not rest:
        return [*lead, "app"]
    if rest[0] == "--self-test":
        return [*lead, "self-test", *rest[1:]]
    if rest[0] == "--screenshot" or rest[0].startswith("--screenshot="):
        return [*lead, "app", *rest]
    if rest[0].startswith("-psn_"):  # macOS Finder's process serial number: a double-click
        return [*lead, "app", *rest[1:]]
    return [*lead, *rest]


def main() -> None:
    from lucy_app.cli import cli

    cli.main(args=cli_args(sys.argv[1:]), prog_name="lucy")


if __name__ == "__main__":
    main()
