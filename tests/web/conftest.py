"""Web UI fixtures.

In-process tests (every engine of the `store` fixture): the whole app through Litestar's test
client, signed in through the login form like a browser. Browser tests (test_browser.py) start
a real `openucs serve` and drive Debian's Chromium; a failing browser test leaves a screenshot
in test-artifacts/ (see `pytest_runtest_makereport`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.testing import TestClient
from playwright.sync_api import Error as PlaywrightError

from openucs.api.app import create_app
from openucs.config import Settings
from openucs.store import Store
from tests.web.data import PASSWORD, Seeded, seed

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
ZONE = "Europe/Helsinki"


@pytest.fixture
def seeded(store: Store) -> Seeded:
    return seed(store)


@pytest.fixture
def app(store: Store, seeded: Seeded) -> Litestar:
    return create_app(Settings(timezone=ZONE), store)


class Browser:
    """A test client that signs in through the form and keeps its cookies, like a browser."""

    def __init__(self, client: TestClient[Litestar]) -> None:
        self.client = client

    def login(self, user_name: str, password: str = PASSWORD, next: str = "/") -> httpx.Response:
        form = self.client.get("/login", params={"next": next})
        return self.client.post(
            "/login",
            data={
                "user_name": user_name,
                "password": password,
                "csrf": hidden(form.text, "csrf"),
                "next": next,
            },
            follow_redirects=False,
        )

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.client.get(path, follow_redirects=False, **kwargs)

    def post(self, path: str, data: dict[str, str]) -> httpx.Response:
        return self.client.post(path, data=data, follow_redirects=False)

    def csrf(self, page: str = "/") -> str:
        """The session's CSRF token, as a page's forms carry it."""
        return hidden(self.get(page).text, "csrf")


def hidden(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, f"no hidden field {name!r}"
    return found.group(1)


@pytest.fixture
def browser(app: Litestar) -> Iterator[Browser]:
    with TestClient(app, base_url="http://testserver.local") as client:
        yield Browser(client)


SignIn = Callable[[str], Browser]


@pytest.fixture
def as_user(browser: Browser, seeded: Seeded) -> SignIn:
    """`as_user("agent1")`: the browser signed in as that user."""

    def sign_in(user_name: str) -> Browser:
        answer = browser.login(user_name)
        assert answer.status_code == 303, answer.text
        return browser

    return sign_in


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """After a failing browser test, a full-page screenshot of its page in test-artifacts/."""
    report = yield
    page = getattr(item, "funcargs", {}).get("page")
    if report.when == "call" and report.failed and page is not None:
        ARTIFACTS.mkdir(exist_ok=True)
        target = ARTIFACTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', item.nodeid)}.png"
        try:
            page.screenshot(path=str(target), full_page=True)
            report.sections.append(("screenshot", str(target)))
        except PlaywrightError as exc:  # the page may be gone; the report says so
            report.sections.append(("screenshot", f"none: {exc}"))
    return report
