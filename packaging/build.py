#!/usr/bin/env python3
"""Build Lucy's desktop bundle: `make package` runs this with the project's venv.

    python packaging/build.py [--no-self-test] [--no-deb]

1. PyInstaller (``packaging/lucy.spec``, one-folder mode) → ``dist/Lucy/`` with the executable
   ``lucy``, Python, Qt, llama.cpp, the sqlite-vec extension, the default models and the icons;
2. checks the folder holds what Lucy needs, then runs ``dist/Lucy/lucy --self-test`` (a temporary
   journal: entry, index, digest by the bundled model, one question; it must print "ok");
3. on Linux, ``dist/Lucy-<version>-linux-<arch>.tar.gz`` (byte-reproducible from the folder:
   sorted members, fixed owner and times from SOURCE_DATE_EPOCH) and, where ``dpkg-deb``
   exists, ``dist/lucy_<version>_<arch>.deb`` (``/opt/lucy``, ``/usr/bin/lucy``, menu entry,
   icons; its Depends are computed from the libraries the bundle leaves to the system).

Prints each step's time and the sizes. Exits non-zero with one line on failure.
"""

from __future__ import annotations

import argparse
import gzip
import os
import platform
import re
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DIST = REPO / "dist"
WORK = REPO / "build" / "pyinstaller"
BUNDLE = DIST / "Lucy"
SPEC = REPO / "packaging" / "lucy.spec"

sys.path.insert(0, str(REPO))
from lucy_app import __version__  # noqa: E402
from lucy_app.core.llm.defaults import CHAT_MODEL_FILE, EMBEDDING_MODEL_FILE  # noqa: E402
from lucy_app.core.llm.gguf_check import sha256_of  # noqa: E402

#: What the bundle must hold (relative to its _internal/ folder on Linux and Windows).
REQUIRED = (
    f"resources/models/{CHAT_MODEL_FILE}",
    f"resources/models/{EMBEDDING_MODEL_FILE}",
    "resources/models/NOTICE.md",
    "resources/icons/lucy.svg",
    "resources/lucy.desktop",
)
#: Debian packages for sonames the build machine lacks (so `dpkg -S` cannot name them).
KNOWN_PACKAGES = {
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libGL.so.1": "libgl1",
    "libEGL.so.1": "libegl1",
    "libOpenGL.so.0": "libopengl0",
    "libwayland-client.so.0": "libwayland-client0",
    "libwayland-cursor.so.0": "libwayland-cursor0",
    "libwayland-egl.so.1": "libwayland-egl1",
    "libvulkan.so.1": "libvulkan1",
    "libdrm.so.2": "libdrm2",
}


class BuildError(Exception):
    pass


def say(msg: str) -> None:
    print(f"package: {msg}", flush=True)


def step(name: str):
    class _Timer:
        def __enter__(self):
            self.t = time.perf_counter()
            say(f"{name} …")
            return self

        def __exit__(self, kind, *_):
            if kind is None:
                say(f"{name}: {time.perf_counter() - self.t:.1f} s")

    return _Timer()


def arch() -> str:
    return {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "arm64", "arm64": "arm64"}.get(
        platform.machine().lower(), platform.machine().lower())


def source_date_epoch() -> int:
    env = os.environ.get("SOURCE_DATE_EPOCH")
    if env:
        return int(env)
    done = subprocess.run(["git", "-C", str(REPO), "log", "-1", "--format=%ct"], capture_output=True, text=True)
    return int(done.stdout.strip()) if done.returncode == 0 and done.stdout.strip() else 1_700_000_000


def human(n: int) -> str:
    return f"{n / 1e6:,.1f} MB"


def folder_size(path: Path) -> int:
    return sum(p.lstat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


# --- 1. PyInstaller ------------------------------------------------------------------------


def pyinstaller() -> None:
    for name in (CHAT_MODEL_FILE, EMBEDDING_MODEL_FILE):
        if not (REPO / "resources" / "models" / name).is_file():
            raise BuildError(f"resources/models/{name} is missing: run `make models` first")
    env = {**os.environ, "PYTHONHASHSEED": "0", "SOURCE_DATE_EPOCH": str(source_date_epoch())}
    cmd = [sys.executable, "-m", "PyInstaller", str(SPEC), "--noconfirm", "--clean", "--log-level", "WARN",
           "--distpath", str(DIST), "--workpath", str(WORK)]
    done = subprocess.run(cmd, cwd=REPO, env=env)
    if done.returncode != 0:
        raise BuildError(f"PyInstaller failed (exit {done.returncode}); its output is above")


def internal_dir() -> Path:
    if sys.platform == "darwin":
        return DIST / "Lucy.app" / "Contents" / "Resources"
    return BUNDLE / "_internal"


def executable() -> Path:
    if sys.platform == "win32":
        return BUNDLE / "lucy-cli.exe"
    if sys.platform == "darwin":
        return DIST / "Lucy.app" / "Contents" / "MacOS" / "lucy"
    return BUNDLE / "lucy"


def check_layout() -> None:
    inside = internal_dir()
    missing = [rel for rel in REQUIRED if not (inside / rel).is_file()]
    if sys.platform.startswith("linux"):
        if not list((inside / "llama_cpp" / "lib").glob("libllama.so")):
            missing.append("llama_cpp/lib/libllama.so")
        if not list((inside / "sqlite_vec").glob("vec0.*")):
            missing.append("sqlite_vec/vec0.so")
    if not executable().is_file():
        missing.append(str(executable().relative_to(DIST)))
    if missing:
        raise BuildError("the bundle lacks " + ", ".join(missing))
    if sys.platform.startswith("linux"):
        shutil.copy2(REPO / "packaging" / "install-desktop-entry.sh", BUNDLE / "install-desktop-entry.sh")
        (BUNDLE / "install-desktop-entry.sh").chmod(0o755)


def self_test() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("LUCY_DB", "LUCY_MODELS_DIR")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    done = subprocess.run([str(executable()), "--self-test"], env=env, capture_output=True, text=True,
                          timeout=600)
    for line in done.stderr.splitlines():
        say(f"  {line}")
    if done.returncode != 0 or done.stdout.strip().splitlines()[-1:] != ["ok"]:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise BuildError(f"the bundle's --self-test failed (exit {done.returncode}): {last}")


# --- 2. archives ---------------------------------------------------------------------------


def _tar_filter(epoch: int):
    def fix(info: tarfile.TarInfo) -> tarfile.TarInfo:
        info.uid = info.gid = 0
        info.uname = info.gname = "root"
        info.mtime = epoch
        if not info.issym():
            info.mode = 0o755 if (info.isdir() or info.mode & 0o111) else 0o644
        return info

    return fix


def _add_tree(tar: tarfile.TarFile, root: Path, arcroot: str, fix) -> None:
    tar.add(root, arcroot, recursive=False, filter=fix)
    for path in sorted(root.rglob("*"), key=lambda p: p.relative_to(root).as_posix()):
        tar.add(path, f"{arcroot}/{path.relative_to(root).as_posix()}", recursive=False, filter=fix)


def targz(target: Path, epoch: int) -> None:
    """dist/Lucy as Lucy/… in a .tar.gz whose bytes depend only on the folder's contents."""
    tmp = target.with_name(target.name + ".part")
    with open(tmp, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=epoch,
                                                 compresslevel=6) as gz, \
            tarfile.open(fileobj=gz, mode="w", format=tarfile.GNU_FORMAT) as tar:
        _add_tree(tar, BUNDLE, "Lucy", _tar_filter(epoch))
    tmp.replace(target)


def _elf_files(root: Path) -> list[Path]:
    out = []
    for p in root.rglob("*"):
        if p.is_file() and not p.is_symlink():
            with open(p, "rb") as f:
                if f.read(4) == b"\x7fELF":
                    out.append(p)
    return out


def system_libraries() -> tuple[set[str], set[str], str]:
    """Libraries the bundle leaves to the system: (resolved paths, unresolved sonames, min glibc)."""
    inside = internal_dir()
    env = {**os.environ, "LD_LIBRARY_PATH": str(inside)}
    found: set[str] = set()
    missing: set[str] = set()
    glibc = (2, 17)
    for elf in _elf_files(BUNDLE):
        done = subprocess.run(["ldd", str(elf)], capture_output=True, text=True, env=env)
        for line in done.stdout.splitlines():
            m = re.match(r"\s*(\S+) => (not found|(\S+) \(0x)", line)
            if not m:
                continue
            if m.group(2) == "not found":
                missing.add(m.group(1))
            elif not Path(m.group(3)).resolve().is_relative_to(BUNDLE.resolve()):
                found.add(str(Path(m.group(3))))
        dump = subprocess.run(["objdump", "-T", str(elf)], capture_output=True, text=True)
        for major, minor in re.findall(r"GLIBC_(\d+)\.(\d+)", dump.stdout):
            glibc = max(glibc, (int(major), int(minor)))
    return found, missing, f"{glibc[0]}.{glibc[1]}"


def deb_depends() -> list[str]:
    found, missing, glibc = system_libraries()
    packages = {"libc6"}
    if found:
        # with merged /usr, ldd may say /lib/… where dpkg knows /usr/lib/… (or the reverse)
        variants = {path: _path_variants(path) for path in found}
        queries = sorted({v for vs in variants.values() for v in vs})
        done = subprocess.run(["dpkg", "-S", *queries], capture_output=True, text=True)
        owned = {}
        for line in done.stdout.splitlines():
            pkg, _, path = line.partition(": ")
            owned[path.strip()] = pkg.split(":")[0].split(",")[0].strip()
        for path in sorted(found):
            pkg = next((owned[v] for v in variants[path] if v in owned), None)
            if pkg:
                packages.add(pkg)
            else:
                missing.add(Path(path).name)
    for soname in sorted(missing):
        pkg = KNOWN_PACKAGES.get(soname)
        if pkg is None:  # Debian's naming: libfoo.so.N → libfooN, libfoo-bar.so.N → libfoo-barN
            m = re.match(r"lib(.+)\.so\.(\d+)", soname)
            pkg = f"lib{m.group(1).lower()}{'-' if m.group(1)[-1].isdigit() else ''}{m.group(2)}" if m else None
            say(f"  note: {soname} is not on this machine; assuming Debian package {pkg}")
        if pkg:
            packages.add(pkg)
    return [f"libc6 (>= {glibc})" if p == "libc6" else p for p in sorted(packages)]


def _path_variants(path: str) -> list[str]:
    out = [path, str(Path(path).resolve())]
    for p in list(out):
        out.append(p.removeprefix("/usr") if p.startswith("/usr/") else "/usr" + p)
    return list(dict.fromkeys(out))


def deb(target: Path, epoch: int) -> None:
    """A .deb: /opt/lucy (the bundle), /usr/bin/lucy, the menu entry and icons."""
    staging = WORK / "deb"
    shutil.rmtree(staging, ignore_errors=True)
    root = staging / "lucy"
    shutil.copytree(BUNDLE, root / "opt" / "lucy", symlinks=True)
    (root / "usr" / "bin").mkdir(parents=True)
    (root / "usr" / "bin" / "lucy").symlink_to("../../opt/lucy/lucy")
    apps = root / "usr" / "share" / "applications"
    apps.mkdir(parents=True)
    shutil.copy2(REPO / "resources" / "lucy.desktop", apps / "lucy.desktop")
    icons = root / "usr" / "share" / "icons" / "hicolor"
    shutil.copytree(REPO / "resources" / "icons" / "hicolor", icons)
    (icons / "scalable" / "apps").mkdir(parents=True)
    shutil.copy2(REPO / "resources" / "icons" / "lucy.svg", icons / "scalable" / "apps" / "lucy.svg")
    doc = root / "usr" / "share" / "doc" / "lucy"
    doc.mkdir(parents=True)
    (doc / "copyright").write_text(
        "Lucy: MIT licence.\nBundled models (/opt/lucy/_internal/resources/models): see NOTICE.md there "
        "(Apache License 2.0).\nBundled Python, Qt (LGPLv3), llama.cpp (MIT), SQLite3 Multiple Ciphers and "
        "sqlite-vec keep their own licences; see the packages' metadata in /opt/lucy/_internal.\n",
        encoding="utf-8")
    size_kib = (folder_size(root) + 1023) // 1024
    control = root / "DEBIAN" / "control"
    control.parent.mkdir()
    control.write_text(
        f"Package: lucy\nVersion: {__version__}\nArchitecture: {deb_arch()}\n"
        "Maintainer: Lucy developers <lucy@localhost>\nSection: utils\nPriority: optional\n"
        f"Installed-Size: {size_kib}\nDepends: {', '.join(deb_depends())}\n"
        "Description: private, offline diary that remembers for you\n"
        " Lucy keeps your diary in one local SQLite file and summarises it day, week, month,\n"
        " season and year with a small language model that runs inside the app. Nothing is\n"
        " sent anywhere.\n", encoding="utf-8")
    for p in [root, *root.rglob("*")]:  # the same times in, the same package out
        if not p.is_symlink():
            p.chmod(0o755 if p.is_dir() or os.access(p, os.X_OK) else 0o644)
        os.utime(p, (epoch, epoch), follow_symlinks=False)
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(epoch)}
    done = subprocess.run(["dpkg-deb", "--root-owner-group", "-Zgzip", "-z6", "--build", str(root), str(target)],
                          capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise BuildError(f"dpkg-deb failed: {(done.stderr or done.stdout).strip().splitlines()[-1:]}")
    shutil.rmtree(staging, ignore_errors=True)


def deb_arch() -> str:
    return {"x86_64": "amd64", "arm64": "arm64"}.get(arch(), arch())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-self-test", action="store_true", help="do not run the bundle's --self-test")
    parser.add_argument("--no-deb", action="store_true", help="do not build the .deb")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        with step("PyInstaller"):
            pyinstaller()
        check_layout()
        if not args.no_self_test:
            with step("self-test of the bundle"):
                self_test()
        outputs = [BUNDLE if sys.platform != "darwin" else DIST / "Lucy.app"]
        if sys.platform.startswith("linux"):
            epoch = source_date_epoch()
            tgz = DIST / f"Lucy-{__version__}-linux-{arch()}.tar.gz"
            with step(f"archive {tgz.name}"):
                targz(tgz, epoch)
            outputs.append(tgz)
            if not args.no_deb and shutil.which("dpkg-deb"):
                pkg = DIST / f"lucy_{__version__}_{deb_arch()}.deb"
                with step(f"package {pkg.name}"):
                    deb(pkg, epoch)
                outputs.append(pkg)
    except BuildError as exc:
        print(f"package: error: {exc}", file=sys.stderr)
        return 1
    for out in outputs:
        size = folder_size(out) if out.is_dir() else out.stat().st_size
        extra = "" if out.is_dir() else f"  sha256 {sha256_of(out)[:16]}…"
        say(f"{out.relative_to(REPO)}  {human(size)}{extra}")
    say(f"done in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
