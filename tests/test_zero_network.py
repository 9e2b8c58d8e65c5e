"""Nothing leaves the machine: no internet connection from the CLI or the app, no fetching code.

The end-to-end test runs Lucy's commands (and the app, offscreen) in a network namespace
with no interfaces (``unshare -rn``, no root needed) under ``strace -f -e trace=connect``,
and asserts they all work and not one AF_INET/AF_INET6 connection was attempted.
"""

from __future__ import annotations

import ast
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from lucy_app.cli import cli

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "lucy_app"
LUCY = Path(sys.executable).with_name("lucy")
INTERNET = ("AF_INET", "AF_INET6")
CONTROL = ("import socket\ns = socket.socket()\ns.settimeout(0.2)\n"
           "try:\n    s.connect(('10.255.255.1', 9))\nexcept OSError:\n    pass\n")


def test_python_sockets_are_blocked_in_tests():
    for family in (socket.AF_INET, socket.AF_INET6):
        with pytest.raises(OSError, match="block"):
            socket.socket(family, socket.SOCK_STREAM)
    with pytest.raises(OSError, match="block"):
        socket.create_connection(("example.com", 443))
    with pytest.raises(OSError, match="block"):
        socket.getaddrinfo("example.com", 443)
    a, b = socket.socketpair(socket.AF_UNIX)  # local sockets stay usable
    a.close(), b.close()


# --- end to end: the CLI and the app under strace in a namespace without a network ------


def _tool(name: str, probe: list[str], install: str) -> None:
    if shutil.which(name) is None:
        pytest.fail(f"the zero-network test needs `{name}` ({install})", pytrace=False)
    done = subprocess.run(probe, capture_output=True, text=True)
    if done.returncode != 0:
        pytest.fail(f"`{' '.join(probe)}` does not work here: {done.stderr.strip()}", pytrace=False)


def _commands(tmp: Path) -> list[list[str]]:
    (tmp / "in.jsonl").write_text('{"date": "2024-03-02", "body": "Imported: lunch with Maya by the harbour."}\n')
    have = set(cli.commands)
    cmds = [
        ["add", "Walked to the old bridge with Maya. We talked about moving to Lisbon.", "--date", "2024-03-05"],
        ["add", "Rain all day. Finished the budget spreadsheet and made lemon cake.", "--date", "2024-03-06",
         "--tag", "home"],
        ["import", "jsonl", str(tmp / "in.jsonl")],
        ["search", "Maya"],
        ["digest", "run", "--extractive", "--today", "2024-03-10"],
        ["digest", "run", "--llm", "--max-llm", "1", "--today", "2024-03-10"],  # llama.cpp runs
        ["brief", "--date", "2024-03-07", "--no-update"],
        ["backup", str(tmp / "copy.db")],
        ["export", "json", str(tmp / "export.json")],
        ["doctor"],
    ]
    if "index" in have:
        cmds.append(["index"])
    if "ask" in have:
        cmds.append(["ask", "What did I do with Maya in March 2024?"])
    if "app" in have:
        cmds.append(["app", "--screenshot", str(tmp / "app.png")])
    return cmds


def test_the_cli_and_the_app_make_no_internet_connection(tmp_path):
    _tool("unshare", ["unshare", "-rn", "true"], "util-linux; user namespaces must be enabled")
    _tool("strace", ["strace", "-f", "-e", "trace=connect", "-o", os.devnull, "true"],
          "apt-get install strace")
    seccomp = subprocess.run(["strace", "--seccomp-bpf", "-f", "-e", "trace=connect", "-o", os.devnull, "true"],
                             capture_output=True).returncode == 0
    db = tmp_path / "journal.db"
    cmds = _commands(tmp_path)
    lines = ["set -e",
             # the control: an internet connection attempt the trace must see (10.255.255.1:9)
             f"{shlex.quote(sys.executable)} -c {shlex.quote(CONTROL)}"]
    for args in cmds:
        lines.append(f"echo '>>> lucy {' '.join(args[:2])}' >&2")
        lines.append(" ".join(shlex.quote(a) for a in [str(LUCY), "--db", str(db), *args]))
    script = tmp_path / "run.sh"
    script.write_text("\n".join(lines) + "\n")
    trace = tmp_path / "trace.txt"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path / "home"),
           "XDG_RUNTIME_DIR": str(tmp_path / "run")}
    (tmp_path / "run").mkdir(mode=0o700)
    env.pop("LUCY_DB", None)
    strace = ["strace", "-f", "-qq", *(["--seccomp-bpf"] if seccomp else []),
              "-e", "trace=connect,sendto,sendmsg", "-e", "signal=none", "-o", str(trace)]
    done = subprocess.run(["unshare", "-rn", *strace, "bash", str(script)], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"a command failed without a network:\n{done.stderr[-3000:]}"
    calls = trace.read_text(errors="replace").splitlines()
    connects = [c for c in calls if " connect(" in c or c.split(" ", 1)[-1].startswith("connect(")]
    families = [m.group(1) for c in connects for m in [re.search(r"sa_family=(AF_\w+)", c)] if m]
    internet = [c for c in calls if any(f"sa_family={f}," in c or f"sa_family={f}}}" in c for f in INTERNET)]
    control = [c for c in internet if "10.255.255.1" in c and "htons(9)" in c]
    assert control, "the tracer did not see the control connection: the test cannot see connections"
    internet = [c for c in internet if c not in control]
    summary = {f: families.count(f) for f in sorted(set(families))}
    print(f"\n{len(cmds)} commands ({', '.join(c[0] for c in cmds)}); connect() calls by family, the "
          f"control's one AF_INET included: {summary}; internet connections by Lucy: {len(internet)}")
    assert internet == [], "internet connections attempted:\n" + "\n".join(internet[:20])
    assert (tmp_path / "copy.db").exists() and (tmp_path / "export.json").exists()
    if "app" in cli.commands:
        assert (tmp_path / "app.png").stat().st_size > 0


# --- no code that could fetch --------------------------------------------------------------

#: Modules that talk to the network. ``urllib.parse`` (quoting) is fine.
NETWORK_MODULES = ("socket", "ssl", "http", "urllib.request", "urllib3", "requests", "httpx", "aiohttp",
                   "ftplib", "smtplib", "imaplib", "poplib", "xmlrpc", "webbrowser", "asyncio.streams",
                   "PySide6.QtNetwork.QNetworkAccessManager")
ALLOWED_QT_NETWORK = {"QLocalServer", "QLocalSocket"}  # the single-instance lock: a local socket


def _python_files():
    return sorted(PACKAGE.rglob("*.py"))


def test_no_module_of_lucy_imports_a_network_library():
    offenders = []
    for path in _python_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                if node.module == "PySide6.QtNetwork":
                    extra = {a.name for a in node.names} - ALLOWED_QT_NETWORK
                    if extra:
                        offenders.append(f"{path.relative_to(ROOT)}: QtNetwork {sorted(extra)}")
                    continue
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            else:
                continue
            for name in names:
                if any(name == m or name.startswith(m + ".") for m in NETWORK_MODULES):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}: {name}")
    assert offenders == []


def test_no_internet_address_appears_in_code_only_in_comments_and_docstrings():
    """A URL in a string the program uses (not a docstring or comment) could be fetched."""
    url = re.compile(r"\b(?:https?|ftp|wss?)://", re.I)
    offenders = []
    for path in _python_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                      if isinstance(n, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                      and n.body and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                if url.search(node.value):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value[:80]!r}")
    assert offenders == []


# --- rendering entries and model output loads nothing remote -------------------------------

REMOTE = [
    "http://tracker.example/pixel.png",
    "https://tracker.example/pixel.png",
    "ftp://tracker.example/pixel.png",
    "//tracker.example/pixel.png",            # scheme-relative
    "file://tracker.example/share/pixel.png",  # a UNC path on Windows (SMB)
]


@pytest.fixture
def loads(monkeypatch):
    """Every URL that reaches Qt's own resource loader (which opens local and UNC paths)."""
    pytest.importorskip("PySide6")
    from lucy_app.ui.qt import QTextBrowser

    seen: list[str] = []
    real = QTextBrowser.loadResource

    def spy(self, kind, url):
        seen.append(url.toString())
        return real(self, kind, url)

    monkeypatch.setattr(QTextBrowser, "loadResource", spy)
    return seen


@pytest.mark.parametrize("url", REMOTE)
def test_markdown_with_remote_images_loads_nothing_remote(qtbot, loads, url):
    from lucy_app.ui.markdown import MarkdownView

    view = MarkdownView()
    qtbot.addWidget(view)
    view.resize(400, 300)
    view.show_markdown(f"An entry.\n\n![x]({url})\n\n<img src=\"{url}\">\n\nEnd.")
    view.show()
    qtbot.wait(20)
    reached = [u for u in loads if "tracker.example" in u]
    assert reached == [], f"passed to Qt's loader, which may open it: {reached}"


def test_model_output_views_load_nothing(qtbot, loads):
    from lucy_app.ui.html_view import HtmlView

    view = HtmlView()
    qtbot.addWidget(view)
    view.set_body("".join(f'<p><img src="{u}"> <a href="{u}">x</a></p>' for u in REMOTE))
    view.show()
    qtbot.wait(20)
    assert [u for u in loads if "tracker.example" in u] == []
