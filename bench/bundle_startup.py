#!/usr/bin/env python3
"""How fast the built bundle (dist/Lucy, `make package`) starts: window shown, and `--self-test` "ok".

    python bench/bundle_startup.py [--runs 3] [--bundle dist/Lucy]

For each run, a new user (empty HOME and XDG folders, so the first run creates the journal):

* window: ``lucy`` with no arguments, as a double-click starts it, on a real X server (Xvfb,
  started here on a free display; needs the xvfb and xdotool Debian packages) — seconds from
  exec until a visible top-level window named "Lucy" exists, and the app's own "interactive
  … s after start" log line (from ``run()``, so it leaves out the bootloader and imports);
* screenshot: ``lucy --screenshot PNG`` offscreen — seconds until the process has written the PNG;
* self-test: ``lucy --self-test`` — seconds until it exits having printed "ok".

Runs follow one another, so run 1 is "first run after build" (the bundle's files are
probably still in the page cache from the build; dropping caches needs root) and the later
runs are "warm". Prints a table and one JSON object on the last line.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def user_env(tmp: Path) -> dict[str, str]:
    home = tmp / "home"
    home.mkdir(parents=True)
    (tmp / "run").mkdir(mode=0o700)
    env = {k: v for k, v in os.environ.items() if not k.startswith("LUCY_") and k not in ("VIRTUAL_ENV",)}
    env.update(HOME=str(home), XDG_DATA_HOME=str(home / ".local/share"), XDG_STATE_HOME=str(home / ".local/state"),
               XDG_CONFIG_HOME=str(home / ".config"), XDG_CACHE_HOME=str(home / ".cache"),
               XDG_RUNTIME_DIR=str(tmp / "run"))
    return env


def start_xvfb() -> tuple[subprocess.Popen | None, str | None]:
    if not shutil.which("Xvfb") or not shutil.which("xdotool"):
        return None, None
    for n in range(90, 110):
        if not Path(f"/tmp/.X11-unix/X{n}").exists() and not Path(f"/tmp/.X{n}-lock").exists():
            proc = subprocess.Popen(["Xvfb", f":{n}", "-screen", "0", "1440x900x24", "-nolisten", "tcp"],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for _ in range(100):
                if Path(f"/tmp/.X11-unix/X{n}").exists():
                    return proc, f":{n}"
                time.sleep(0.05)
            proc.kill()
    return None, None


def window_seconds(exe: Path, display: str, tmp: Path) -> tuple[float, float | None]:
    env = user_env(tmp)
    env.update(DISPLAY=display, QT_QPA_PLATFORM="xcb")
    t0 = time.perf_counter()
    proc = subprocess.Popen([str(exe)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        while True:
            found = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", "^Lucy"],
                                   env=env, capture_output=True, text=True)
            if found.stdout.strip():
                seen = time.perf_counter() - t0
                break
            if proc.poll() is not None:
                raise SystemExit(f"the app exited ({proc.returncode}): {proc.stderr.read().decode()[-500:]}")
            if time.perf_counter() - t0 > 120:
                raise SystemExit("no window after 120 s")
            time.sleep(0.02)
        interactive = None
        log = Path(env["XDG_STATE_HOME"]) / "Lucy" / "log" / "lucy.log"
        for _ in range(200):
            m = re.search(r"interactive ([\d.]+) s after start", log.read_text() if log.exists() else "")
            if m:
                interactive = float(m.group(1))
                break
            time.sleep(0.05)
        if not (Path(env["XDG_DATA_HOME"]) / "Lucy" / "journal.db").is_file():
            raise SystemExit("the app did not create its journal in the user data folder")
        return seen, interactive
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def timed(cmd: list[str], env: dict[str, str], check) -> float:
    t0 = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    seconds = time.perf_counter() - t0
    if done.returncode != 0 or not check(done):
        raise SystemExit(f"{' '.join(cmd[-2:])} failed ({done.returncode}): {done.stderr[-500:]}")
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--bundle", type=Path, default=ROOT / "dist" / "Lucy")
    args = parser.parse_args()
    exe = args.bundle / "lucy"
    if not exe.is_file():
        print(f"{exe} is missing: run `make package` first", file=sys.stderr)
        return 1
    xvfb, display = start_xvfb()
    rows = []
    try:
        for i in range(args.runs):
            row = {"run": i + 1}
            with tempfile.TemporaryDirectory() as tmp:
                if display:
                    row["window_s"], row["interactive_s"] = window_seconds(exe, display, Path(tmp) / "w")
                env = user_env(Path(tmp) / "s")
                env["QT_QPA_PLATFORM"] = "offscreen"
                png = Path(tmp) / "shot.png"
                row["screenshot_s"] = timed([str(exe), "--screenshot", str(png)], env,
                                            lambda d, png=png: png.is_file() and png.stat().st_size > 0)
                row["self_test_s"] = timed([str(exe), "--self-test"], user_env(Path(tmp) / "t"),
                                           lambda d: d.stdout.strip().endswith("ok"))
            rows.append(row)
            print("  ".join(f"{k} {v:.2f}" if isinstance(v, float) else f"{k} {v}" for k, v in row.items()),
                  flush=True)
    finally:
        if xvfb:
            xvfb.terminate()
            xvfb.wait()
    summary = {"runs": rows, "display": "Xvfb" if display else None}
    for key in ("window_s", "interactive_s", "screenshot_s", "self_test_s"):
        vals = [r[key] for r in rows if r.get(key) is not None]
        if vals:
            summary[f"first_{key}"] = round(vals[0], 3)
            if len(vals) > 1:
                summary[f"warm_median_{key}"] = round(statistics.median(vals[1:]), 3)
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
