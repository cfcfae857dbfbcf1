"""Foundation benchmark: reference load time (target < 30 s), and p50/p95 of the country profile page and the
country API over 200 requests each to a real gunicorn server on loopback (target p95 < 100 ms on SQLite).

Uses a fresh SQLite file (or a fresh PostgreSQL database when --postgres URL is given).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

CLI = [sys.executable, "-m", "gapbridge.cli.__main__"]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _percentiles(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * len(ordered)) - 1)]
    return statistics.median(ordered), p95, ordered[-1]


def _timed_get(url: str) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (loopback URL)
        response.read()
        assert response.status == 200, url
    return (time.perf_counter() - started) * 1000


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    args = parser.parse_args(argv)
    requests = 40 if args.quick else args.requests
    with tempfile.TemporaryDirectory() as tmp:
        db_url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        env = {
            **os.environ,
            "DATABASE_URL": db_url,
            "GAPBRIDGE_ENV": "dev",
            "GAPBRIDGE_DEBUG": "0",
            "GAPBRIDGE_VAR_DIR": tmp,
        }
        subprocess.run([*CLI, "migrate"], env=env, check=True, capture_output=True)
        started = time.perf_counter()
        out = subprocess.run(
            [*CLI, "load-reference", "--json"], env=env, check=True, capture_output=True, text=True
        )
        wall = time.perf_counter() - started
        summary = json.loads(out.stdout)
        print(
            f"reference load: {summary['seconds']:.1f} s in the loader, {wall:.1f} s wall incl. start-up "
            f"({summary['economies']} economies, {summary['observations']} observations, "
            f"{summary['scored']} scored) — target < 30 s"
        )
        again = subprocess.run(
            [*CLI, "load-reference", "--json"], env=env, check=True, capture_output=True, text=True
        )
        print(f"second load: status {json.loads(again.stdout)['status']!r}")

        port = _port()
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "gapbridge.wsgi",
                "-b",
                f"127.0.0.1:{port}",
                "-w",
                "2",
                "--log-level",
                "warning",
            ],
            env=env,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 30
            while True:
                try:
                    _timed_get(base + "/healthz")
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)
            codes = [
                c["iso3"]
                for c in json.loads(
                    urllib.request.urlopen(  # noqa: S310
                        base + "/api/v1/countries?limit=500"
                    ).read()
                )["results"]
            ]
            rng = random.Random(7)
            sample = [rng.choice(codes) for _ in range(requests)]
            for label, template in (
                ("country profile page", "/countries/{}/"),
                ("country API", "/api/v1/countries/{}"),
            ):
                for iso3 in sample[:10]:  # warm the workers
                    _timed_get(base + template.format(iso3))
                timings = [_timed_get(base + template.format(iso3)) for iso3 in sample]
                p50, p95, worst = _percentiles(timings)
                print(
                    f"{label}: {len(timings)} requests, p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {worst:.1f} ms "
                    f"— target p95 < 100 ms"
                )
        finally:
            server.terminate()
            server.wait(timeout=20)


if __name__ == "__main__":
    main(sys.argv[1:])
