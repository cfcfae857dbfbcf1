"""A small asyncio HTTP/1.1 load generator (keep-alive, Content-Length and chunked bodies).

Light on CPU so that on a 2-core machine most cycles go to the server under test. Only for loopback targets.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Step:
    """One request of a scenario; `body` (bytes) makes it a POST; `check(status, body)` validates the reply."""

    name: str
    method: str
    path: str
    body: bytes | None = None
    headers: tuple[tuple[str, str], ...] = ()
    check: Callable[[int, bytes], bool] = lambda status, _body: status < 400


@dataclass
class Results:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    error_samples: list[str] = field(default_factory=list)
    timeline: list[tuple[float, bool]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return sum(len(v) for v in self.latencies.values())

    def all_latencies(self) -> list[float]:
        return sorted(x for v in self.latencies.values() for x in v)


def percentile(sorted_values: Sequence[float], pct: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(pct / 100 * len(sorted_values)) - 1))
    return sorted_values[index]


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("connection closed")
    status = int(status_line.split()[1])
    length: int | None = None
    chunked = False
    close = False
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value.strip())
        elif name == "transfer-encoding" and "chunked" in value.lower():
            chunked = True
        elif name == "connection" and "close" in value.lower():
            close = True
    if chunked:
        parts = []
        while True:
            size = int((await reader.readline()).strip().split(b";")[0], 16)
            if size == 0:
                await reader.readline()
                break
            parts.append(await reader.readexactly(size))
            await reader.readline()
        body = b"".join(parts)
    elif length is not None:
        body = await reader.readexactly(length)
    else:
        body = await reader.read()
        close = True
    if close:
        raise _Closed(status, body)
    return status, body


class _Closed(Exception):
    def __init__(self, status: int, body: bytes) -> None:
        super().__init__("closed after response")
        self.status, self.body = status, body


async def _user(
    host: str,
    port: int,
    scenario: Callable[[random.Random], Sequence[Step]],
    deadline: float,
    seed: int,
    results: Results,
    think: tuple[float, float],
) -> None:
    rng = random.Random(seed)
    reader: asyncio.StreamReader | None = None
    writer: asyncio.StreamWriter | None = None
    while time.monotonic() < deadline:
        for step in scenario(rng):
            if time.monotonic() >= deadline:
                break
            if writer is None:
                reader, writer = await asyncio.open_connection(host, port)
            assert reader is not None
            head = [f"{step.method} {step.path} HTTP/1.1", f"Host: {host}:{port}", "Connection: keep-alive"]
            head += [f"{k}: {v}" for k, v in step.headers]
            if step.body is not None:
                head.append(f"Content-Length: {len(step.body)}")
            payload = ("\r\n".join(head) + "\r\n\r\n").encode() + (step.body or b"")
            started = time.perf_counter()
            try:
                writer.write(payload)
                await writer.drain()
                status, body = await _read_response(reader)
            except _Closed as closed:
                status, body = closed.status, closed.body
                writer.close()
                reader = writer = None
            except (ConnectionError, asyncio.IncompleteReadError, OSError, ValueError) as exc:
                results.errors[step.name] = results.errors.get(step.name, 0) + 1
                if len(results.error_samples) < 10:
                    results.error_samples.append(f"{step.name}: {exc!r}")
                if writer is not None:
                    writer.close()
                reader = writer = None
                continue
            elapsed = (time.perf_counter() - started) * 1000
            results.latencies.setdefault(step.name, []).append(elapsed)
            results.timeline.append((time.monotonic(), status < 500 and step.check(status, body)))
            if not step.check(status, body):
                results.errors[step.name] = results.errors.get(step.name, 0) + 1
                if len(results.error_samples) < 10:
                    results.error_samples.append(f"{step.name}: HTTP {status} {body[:200]!r}")
            if think[1] > 0:
                await asyncio.sleep(rng.uniform(*think))
    if writer is not None:
        writer.close()


def run(
    base_url: str,
    scenario: Callable[[random.Random], Sequence[Step]],
    *,
    users: int,
    seconds: float,
    think: tuple[float, float] = (0.0, 0.0),
) -> Results:
    """Run `users` concurrent virtual users looping over `scenario` for `seconds`; loopback only."""
    parts = urlsplit(base_url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    if host not in {"127.0.0.1", "localhost", "::1"}:
        raise ValueError("the load generator only targets this machine's loopback addresses")
    results = Results()

    async def main() -> None:
        deadline = time.monotonic() + seconds
        await asyncio.gather(
            *(_user(host, port, scenario, deadline, i, results, think) for i in range(users))
        )

    started = time.perf_counter()
    asyncio.run(main())
    results.seconds = time.perf_counter() - started
    return results


def report(results: Results, label: str) -> str:
    lat = results.all_latencies()
    errors = sum(results.errors.values())
    lines = [
        f"{label}: {results.total} requests in {results.seconds:.1f} s = {results.total / results.seconds:.1f} req/s; "
        f"p50 {percentile(lat, 50):.1f} ms, p95 {percentile(lat, 95):.1f} ms, p99 {percentile(lat, 99):.1f} ms, "
        f"max {max(lat) if lat else float('nan'):.1f} ms; errors {errors}"
    ]
    for name, values in sorted(results.latencies.items()):
        values.sort()
        lines.append(
            f"  {name:<28} n={len(values):>6}  p50 {statistics.median(values):6.1f}  p95 {percentile(values, 95):6.1f}"
            f"  p99 {percentile(values, 99):6.1f} ms  errors {results.errors.get(name, 0)}"
        )
    lines += [f"  error: {e}" for e in results.error_samples]
    return "\n".join(lines)
