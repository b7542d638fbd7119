"""The API docs page in a real browser with no way out: a real `openucs serve` process, Debian's
Chromium through Playwright, and every request to another host refused and recorded. The page
must still render the operations (Swagger UI comes from the package)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Route, expect, sync_playwright

from tests.cli.test_serve_process import free_port, wait_until_up

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENUCS_")}
    database = f"sqlite:///{tmp_path / 'docs.db'}"
    command = [sys.executable, "-m", "openucs", "serve", "--database", database]
    with (tmp_path / "server.log").open("wb") as log:
        process = subprocess.Popen(
            [*command, "--port", str(port)], stdout=log, stderr=subprocess.STDOUT, env=env
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_until_up(base + "/schema/openapi.json", process)
            yield base
        finally:
            process.terminate()
            process.wait(timeout=15)


def test_the_docs_page_renders_the_operations_offline(server: str) -> None:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (see .ci/run)")
    outside: list[str] = []

    def only_this_server(route: Route) -> None:
        if urlsplit(route.request.url).netloc == urlsplit(server).netloc:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            context = browser.new_context()
            context.route("**/*", only_this_server)
            page = context.new_page()
            page.goto(server + "/schema")
            operations = page.locator(".opblock")
            expect(operations.first).to_be_visible(timeout=15_000)
            expect(page.locator(".opblock-summary-path", has_text="/api/v2/me")).to_be_visible()
            expect(page.get_by_role("button", name="Authorize")).to_be_visible()
            assert operations.count() >= 20
        finally:
            browser.close()
    assert outside == []
