"""A longer fuzz run over every parser of user files and model files.

Runs the targets of ``tests/test_bad_input.py`` (the same inputs: mutations of valid files
and random bytes) for a while each, against one journal, and reports cases tried, known
errors, successes and crashes (any exception that is not a ``LucyError``, or a failed case
that changed the journal). Crashing inputs are saved for the test suite.

    .venv/bin/python bench/fuzz_long.py --seconds 30          # 30 s per target
    .venv/bin/python bench/fuzz_long.py --target jsonl --seconds 300
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def load_targets():
    spec = importlib.util.spec_from_file_location("lucy_bad_input", ROOT / "tests" / "test_bad_input.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["lucy_bad_input"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="per target")
    parser.add_argument("--target", action="append", help="only these targets (repeatable)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--save", type=Path, default=Path(tempfile.gettempdir()) / "lucy-fuzz-crashes")
    args = parser.parse_args()

    from lucy_app.core.journal import Journal

    fuzz = load_targets()
    targets = args.target or sorted(fuzz.TARGETS)
    rng = random.Random(args.seed)
    report: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        journal = Journal.open(Path(tmp) / "fuzz.db")
        for target in targets:
            outcomes: Counter[str] = Counter()
            crashes = []
            deadline = time.monotonic() + args.seconds
            while time.monotonic() < deadline:
                data = fuzz.case(target, rng)
                try:
                    outcomes[fuzz.run_case(target, data, journal)] += 1
                except Exception as exc:  # noqa: BLE001 - that is what we are counting
                    outcomes["CRASH"] += 1
                    args.save.mkdir(parents=True, exist_ok=True)
                    saved = args.save / f"{target}-{len(crashes)}.bin"
                    saved.write_bytes(data)
                    crashes.append({"input": str(saved), "error": f"{type(exc).__name__}: {exc}"[:300],
                                    "where": traceback.format_exc().splitlines()[-3].strip()})
            report[target] = {"cases": sum(outcomes.values()), "crashes": outcomes.pop("CRASH", 0),
                              "outcomes": dict(outcomes), "examples": crashes[:3]}
            print(f"{target:14} {report[target]['cases']:7} cases  {report[target]['crashes']} crashes  "
                  f"{dict(outcomes)}", flush=True)
        journal.close()
    total = sum(r["cases"] for r in report.values())
    crashed = sum(r["crashes"] for r in report.values())
    print(json.dumps({"cases": total, "crashes": crashed, "targets": report}, default=str))
    return 1 if crashed else 0


if __name__ == "__main__":
    sys.exit(main())
