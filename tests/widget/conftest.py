"""Widget fixtures: the demo page on a real uvicorn server (no keys configured, so the demo key is
used exactly as `guideqa serve` would), and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from tests.server.conftest import LiveServer, tiny_index, with_server  # noqa: F401  (tiny_index is a fixture)

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def demo_server(tiny_index) -> Iterator[LiveServer]:  # noqa: F811
    with LiveServer(lambda port: with_server(tiny_index, keys=[], port=port)) as server:
        yield server


@pytest.fixture(scope="module")
def browser() -> Iterator:
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Debian's chromium is not installed (make browser)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
