"""A real browser (Debian's Chromium through Playwright) against a real server process.

The server runs `gapbridge serve` on its own SQLite file, prepared with the same two commands a user runs
(`migrate`, `load-reference`). Skipped, with the reason, when Chromium is not installed.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed"),
]
GAPBRIDGE = [sys.executable, "-m", "gapbridge.cli.__main__"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    var = tmp_path_factory.mktemp("var")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{var / 'browser.sqlite3'}",
        "GAPBRIDGE_ENV": "dev",
        "GAPBRIDGE_DEBUG": "0",
        "GAPBRIDGE_VAR_DIR": str(var),
    }
    for command in (["migrate"], ["load-reference"]):
        subprocess.run([*GAPBRIDGE, *command], env=env, check=True, capture_output=True, timeout=300)
    port = _free_port()
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


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
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


def test_country_profile_renders_chart_and_map(server: str, browser: object, tmp_path: Path) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    page.goto(server + "/countries/KEN/")
    assert page.locator("h1").inner_text().startswith("Kenya")
    chart = page.locator("#pillar-chart svg")
    box = chart.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 100
    bars = page.locator("#pillar-chart svg rect")
    assert bars.count() >= 7
    widths = [bars.nth(i).bounding_box() for i in range(bars.count())]
    assert sum(1 for w in widths if w and w["width"] > 1) >= 7, "bars are drawn with real widths"
    countries = page.locator("#map svg path[data-iso3]")
    assert countries.count() > 150
    kenya = page.locator('#map svg path[data-iso3="KEN"]').bounding_box()
    assert kenya is not None and kenya["width"] > 2
    page.screenshot(path=str(tmp_path / "kenya.png"), full_page=True)
    page.close()


def test_countries_filter_with_htmx_and_arabic_direction(server: str, browser: object) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto(server + "/countries/")
    page.select_option("select[name=group]", "ldc")
    page.fill("input[name=on]", "2026-11-25")
    page.locator("input[name=on]").dispatch_event("change")
    # A locator wait, not a JS string: the site's Content-Security-Policy forbids eval, even for tests.
    page.locator("#country-table .table-meta", has_text="41 economies").wait_for(timeout=10_000)
    assert "Bangladesh" not in page.locator("#country-table").inner_text()
    page.select_option("#lang-select", "ar")
    page.locator("form.lang button").click()
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.dir") == "rtl"
    page.close()
