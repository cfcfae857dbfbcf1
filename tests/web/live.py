"""A real `gapbridge serve` process and Debian's Chromium (through Playwright), for the browser tests.

A server is prepared with the commands a user runs (`migrate`, `load-reference`, and whatever a test adds)
on its own SQLite file, and stopped when the module's tests are done.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
GAPBRIDGE = [sys.executable, "-m", "gapbridge.cli.__main__"]
MANAGE = Path(__file__).resolve().parents[2] / "manage.py"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare(var: Path, commands: Sequence[Sequence[str]], **extra_env: str) -> dict[str, str]:
    """The environment of a server on `var`, after running each `gapbridge` command (or `manage.py ...`)."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{var / 'browser.sqlite3'}",
        "GAPBRIDGE_ENV": "dev",
        "GAPBRIDGE_DEBUG": "0",
        "GAPBRIDGE_VAR_DIR": str(var),
        **extra_env,
    }
    for command in commands:
        manage = command[0] == "manage.py"
        argv = [sys.executable, str(MANAGE), *command[1:]] if manage else [*GAPBRIDGE, *command]
        done = subprocess.run(argv, env=env, capture_output=True, timeout=300)
        assert done.returncode == 0, (command, done.stdout[-2000:], done.stderr[-2000:])
    return env


def serve(env: dict[str, str], var: Path) -> Iterator[str]:
    """Run `gapbridge serve` until the generator is closed; yields its base URL once /healthz answers."""
    port = free_port()
    log = (var / "server.log").open("w")
    process = subprocess.Popen(
        [*GAPBRIDGE, "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url + "/healthz", timeout=2):  # noqa: S310 (loopback URL)
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("server did not start: " + (var / "server.log").read_text()) from None
                time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


def chromium() -> Iterator[Any]:
    """Debian's Chromium, headless, with nothing that reaches the network."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        yield instance
        instance.close()
