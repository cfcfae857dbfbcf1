"""`make bench`: runs every benchmark module and prints its figures. `--quick` runs the short variants."""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from pathlib import Path

# Every benchmarks/bench_*.py with a main(argv) is run, in name order.
MODULES = sorted(f"benchmarks.{p.stem}" for p in Path(__file__).parent.glob("bench_*.py"))


def main() -> int:
    parser = argparse.ArgumentParser(prog="make bench")
    parser.add_argument("--quick", action="store_true", help="short variants (CI smoke run)")
    parser.add_argument("--only", help="run only modules whose name contains this text")
    args = parser.parse_args()
    failures = 0
    for name in MODULES:
        if args.only and args.only not in name:
            continue
        print(f"\n=== {name}", flush=True)
        started = time.perf_counter()
        try:
            module = importlib.import_module(name)
            module.main(["--quick"] if args.quick else [])
        except SystemExit as exc:
            if exc.code not in (0, None):
                failures += 1
        except Exception as exc:  # report and go on: one broken bench must not hide the others' figures
            failures += 1
            print(f"FAILED: {exc!r}", flush=True)
        print(f"--- {name} took {time.perf_counter() - started:.1f} s", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
