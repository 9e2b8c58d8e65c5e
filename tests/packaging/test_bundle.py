"""The built desktop bundle (dist/Lucy, `make package`) works on its own, offline.

Runs the bundle's executable — never the venv — with a fresh HOME, in a network namespace
without interfaces (``unshare -rn``) where available: ``--self-test`` must print "ok",
``--screenshot`` must render the window offscreen and create the journal in the platform's
user data folder, and CLI subcommands must work.

The bundle is built with ``make package`` when it is missing or older than the sources
(about two minutes here; see packaging/README.md for the figures). ``LUCY_TEST_BUNDLE=0``
skips these tests instead; ``LUCY_TEST_BUNDLE=1`` insists on them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lucy_app.core.llm.defaults import CHAT_MODEL_FILE, EMBEDDING_MODEL_FILE

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ROOT / "dist" / "Lucy"
EXE = BUNDLE / ("lucy-cli.exe" if sys.platform == "win32" else "lucy")
#: What a change to makes the bundle stale.
SOURCES = [ROOT / "lucy_app", ROOT / "packaging", ROOT / "resources" / "icons", ROOT / "pyproject.toml"]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _newest_source() -> float:
    newest = 0.0
    for src in SOURCES:
        files = [src] if src.is_file() else [p for p in src.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
        newest = max([newest, *(p.stat().st_mtime for p in files)])
    return newest


def _stale() -> bool:
    return not EXE.is_file() or EXE.stat().st_mtime < _newest_source()


@pytest.fixture(scope="session")
def bundle() -> Path:
    choice = os.environ.get("LUCY_TEST_BUNDLE", "")
    if choice == "0":
        pytest.skip("LUCY_TEST_BUNDLE=0: the bundle tests are switched off")
    if not sys.platform.startswith("linux"):
        pytest.skip("the bundle is built and tested on Linux here (packaging/README.md for the others)")
    if _stale():
        if shutil.which("make") is None:
            pytest.skip("dist/Lucy is missing or stale and `make` is not available to build it")
        done = subprocess.run(["make", "package"], cwd=ROOT, capture_output=True, text=True, timeout=1800)
        assert done.returncode == 0, f"`make package` failed:\n{(done.stdout + done.stderr)[-4000:]}"
    assert EXE.is_file(), f"{EXE} was not built"
    return BUNDLE


@pytest.fixture
def clean_env(tmp_path) -> dict[str, str]:
    """A new user: empty HOME and XDG folders, offscreen Qt, nothing from the venv."""
    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items()
           if k not in ("LUCY_DB", "LUCY_MODELS_DIR", "VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "LUCY_PASSPHRASE")}
    env.update(HOME=str(home), XDG_DATA_HOME=str(home / ".local/share"), XDG_STATE_HOME=str(home / ".local/state"),
               XDG_CONFIG_HOME=str(home / ".config"), XDG_CACHE_HOME=str(home / ".cache"),
               XDG_RUNTIME_DIR=str(tmp_path / "run"), QT_QPA_PLATFORM="offscreen")
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if ".venv" not in p)
    (tmp_path / "run").mkdir(mode=0o700)
    home.mkdir()
    return env


def _offline() -> list[str]:
    """`unshare -rn`: no network interfaces at all, if the machine allows user namespaces."""
    if shutil.which("unshare") and subprocess.run(["unshare", "-rn", "true"], capture_output=True).returncode == 0:
        return ["unshare", "-rn"]
    return []


def run_bundle(env, *args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([*_offline(), str(EXE), *args], env=env, capture_output=True, text=True,
                          timeout=timeout, cwd=env["HOME"])


def test_self_test_passes_offline_with_the_bundled_models(bundle, clean_env):
    done = run_bundle(clean_env, "--self-test")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "ok"
    models_line = next(line for line in done.stderr.splitlines() if "self-test: models" in line)
    assert str(bundle / "_internal" / "resources" / "models") in models_line  # not the repository's
    assert "written by the chat model" in done.stderr or "the chat model ran" in done.stderr
    assert not (Path(clean_env["XDG_DATA_HOME"]) / "Lucy" / "journal.db").exists()


def test_screenshot_renders_the_window_and_creates_the_journal_in_the_user_data_folder(bundle, clean_env, tmp_path):
    shot = tmp_path / "shot.png"
    done = run_bundle(clean_env, "--screenshot", str(shot), timeout=120)
    assert done.returncode == 0, done.stderr
    assert shot.read_bytes()[:8] == PNG_MAGIC and shot.stat().st_size > 5_000
    assert (Path(clean_env["XDG_DATA_HOME"]) / "Lucy" / "journal.db").is_file()


def test_cli_subcommands_work_from_the_bundle(bundle, clean_env, tmp_path):
    db = str(tmp_path / "j.db")
    added = run_bundle(clean_env, "--db", db, "add", "Walked to the old bridge with Maya.", "--date", "2024-03-05")
    assert added.returncode == 0, added.stderr
    found = run_bundle(clean_env, "--db", db, "search", "bridge")
    assert found.returncode == 0 and "2024" in found.stdout, found.stderr
    version = run_bundle(clean_env, "--version")
    assert version.returncode == 0 and version.stdout.startswith("lucy, version")
    doctor = run_bundle(clean_env, "--db", db, "doctor")
    assert doctor.returncode == 0 and doctor.stdout.strip().endswith("ok"), doctor.stdout + doctor.stderr


def test_the_bundle_holds_its_models_libraries_and_icons(bundle):
    inside = bundle / "_internal"
    for rel in (f"resources/models/{CHAT_MODEL_FILE}", f"resources/models/{EMBEDDING_MODEL_FILE}",
                "resources/models/NOTICE.md", "resources/icons/lucy.svg", "resources/lucy.desktop",
                "llama_cpp/lib/libllama.so", "sqlite_vec/vec0.so"):
        assert (inside / rel).is_file(), rel
    assert (bundle / "install-desktop-entry.sh").stat().st_mode & 0o111
    for size in (16, 32, 48, 64, 128, 256, 512):
        assert (inside / f"resources/icons/hicolor/{size}x{size}/apps/lucy.png").is_file()
