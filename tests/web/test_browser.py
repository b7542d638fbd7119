"""The web UI in a real browser: a real `openucs serve` process on a fresh SQLite file seeded
with tests/web/data.py, driven with Playwright through Debian's Chromium (/usr/bin/chromium;
CI installs it, and without it these tests fail rather than skip). A failing test leaves a
screenshot in test-artifacts/ (tests/web/conftest.py)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect, sync_playwright

from openucs.store import open_store
from tests.web.data import PASSWORD, seed

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking"]
LAPTOP: ViewportSize = {"width": 1280, "height": 800}
PHONE: ViewportSize = {"width": 390, "height": 844}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_up(url: str, process: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited with {process.returncode}")
        try:
            httpx.get(url, timeout=1.0)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError(f"the server did not answer within {timeout} s")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of a real server over a freshly seeded database."""
    folder = tmp_path_factory.mktemp("web")
    url = f"sqlite:///{folder / 'web.db'}"
    store = open_store(url)
    try:
        store.upgrade()
        seed(store)
    finally:
        store.close()
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENUCS_")}
    env["OPENUCS_TIMEZONE"] = "Europe/Helsinki"
    command = [sys.executable, "-m", "openucs", "serve", "--database", url, "--port", str(port)]
    with (folder / "server.log").open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_until_up(base + "/login", process)
            yield base
        finally:
            process.terminate()
            process.wait(timeout=15)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (see .ci/run)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(chromium: Browser, server: str) -> Iterator[Page]:
    context = chromium.new_context(viewport=LAPTOP, base_url=server)
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def sign_in(page: Page, user_name: str, target: str = "/") -> None:
    page.goto(target)
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.get_by_label("User name").fill(user_name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_login_and_logout(page: Page) -> None:
    sign_in(page, "agent1", "/dashboard")
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()  # an agent
    page.get_by_role("link", name="Search").first.click()
    expect(page.get_by_role("heading", name="Search history")).to_be_visible()
    expect(page.locator("header")).to_contain_text("Ann Lee")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("status")).to_have_text("You are signed out.")
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login\?next=%2F$"))


def test_wrong_password_stays_on_the_form(page: Page) -> None:
    page.goto("/login")
    page.get_by_label("User name").fill("agent1")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("Wrong user name or password.")


def test_search_with_paging_and_the_back_button(page: Page) -> None:
    sign_in(page, "agent1")
    page.get_by_label("Search", exact=True).fill("call note")
    page.get_by_label("Per page").select_option("25")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page).to_have_url(re.compile(r"q=call\+note"))
    rows = page.locator("table.results tbody tr")
    expect(rows).to_have_count(25)
    expect(rows.first).to_contain_text("Call note 00")
    page.get_by_role("link", name="Next page").click()
    expect(page).to_have_url(re.compile(r"[?&]page=[A-Za-z0-9_-]+"))
    expect(page.get_by_role("status")).to_contain_text("26\u201350 of 55")
    expect(rows.first).to_contain_text("Call note 25")
    page.get_by_role("link", name="Next page").click()
    expect(rows).to_have_count(5)
    expect(page.get_by_role("link", name="Next page")).to_have_count(0)
    page.get_by_role("link", name="Previous page").click()
    expect(rows.first).to_contain_text("Call note 25")
    page.go_back()
    expect(rows).to_have_count(5)
    page.go_back()
    expect(rows.first).to_contain_text("Call note 25")
    page.get_by_role("link", name="Started").click()  # the other order
    expect(rows.first).to_contain_text("Call note 54")


def test_search_by_contact_email_from_the_more_filters(page: Page) -> None:
    sign_in(page, "super")
    page.get_by_label("Contact").fill("carol@example.com")
    page.get_by_text("More filters").click()
    page.get_by_label("Call").check()
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.locator("table.results tbody tr")).to_have_count(1)
    expect(page.locator("table.results")).to_contain_text("Private matter of Carol")
    expect(page.get_by_role("checkbox", name="Call")).to_be_checked()  # the form keeps it


def search_for(page: Page, text: str) -> None:
    page.get_by_label("Search", exact=True).fill(text)
    page.get_by_role("button", name="Search", exact=True).click()


def test_a_transcript_word_with_its_snippet(page: Page) -> None:
    sign_in(page, "agent1")
    search_for(page, "bold")
    rows = page.locator("table.results tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Order help chat")
    snippet = rows.first.locator(".snippet.found")
    expect(snippet.locator("mark")).to_have_text("bold")
    expect(snippet).to_contain_text("<b>not bold")  # the customer's text, shown as typed
    expect(page.get_by_role("status")).to_contain_text("1\u20131 of 1")


def test_an_attribute_range(page: Page) -> None:
    sign_in(page, "agent1")
    search_for(page, "attr.Score:[10 TO 14]")
    rows = page.locator("table.results tbody tr")
    expect(rows).to_have_count(5)
    expect(rows.first).to_contain_text("Call note 10")
    expect(rows.last).to_contain_text("Call note 14")
    expect(page.get_by_role("status")).to_contain_text("1\u20135 of 5")


def test_removing_filter_chips(page: Page) -> None:
    sign_in(page, "super", "/?q=note&media=call&media=email&state=Stopped")
    chips = page.get_by_role("list", name="Active filters")
    expect(chips.locator("li")).to_have_count(4)
    page.get_by_role("link", name="Remove Media type: Call").click()
    expect(chips.locator("li")).to_have_count(3)
    expect(page.locator("table.results tbody tr")).to_have_count(0)
    expect(page.get_by_role("checkbox", name="Call")).not_to_be_checked()
    expect(page.get_by_role("checkbox", name="Email")).to_be_checked()
    page.get_by_role("link", name="Remove Media type: Email").click()
    expect(page.locator("table.results tbody tr")).to_have_count(25)
    page.get_by_role("link", name="Remove Search: note").click()
    expect(page.get_by_label("Search", exact=True)).to_have_value("")
    page.get_by_role("link", name="Remove State: Stopped").click()
    expect(page.get_by_role("list", name="Active filters")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"/$"))


def test_exporting_the_search(page: Page) -> None:
    sign_in(page, "super", "/?media=chat")
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    saved = download.value
    assert saved.suggested_filename.endswith(".csv")
    lines = Path(saved.path()).read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("id,startDate,endDate,mediaType")
    assert sorted(line.split(",")[0] for line in lines[1:]) == ["CHAT0001", "OPEN0002"]
    with page.expect_download() as download:
        page.get_by_role("link", name="NDJSON").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert all(line.startswith('{"uri":') for line in text.splitlines())


def test_a_syntax_error_is_shown_where_it_is(page: Page) -> None:
    sign_in(page, "super")
    search_for(page, "a AND (b OR c))")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Search: unexpected ')' at column 15")
    expect(alert.locator(".error-at mark")).to_have_text(")")
    expect(page.get_by_label("Search", exact=True)).to_have_value("a AND (b OR c))")


def test_saving_a_search_and_running_it_again(page: Page) -> None:
    sign_in(page, "super", "/?media=email&sort=asc")
    page.get_by_text("Saved searches").click()
    page.get_by_label("Save this search as").fill("Emails, oldest first")
    page.get_by_role("button", name="Save search").click()
    page.goto("/")
    page.get_by_text("Saved searches").click()
    page.get_by_role("link", name="Emails, oldest first").click()
    expect(page).to_have_url(re.compile(r"/\?media=email&sort=asc$"))
    expect(page.get_by_label("Order")).to_have_value("asc")


def test_contact_timeline(page: Page) -> None:
    sign_in(page, "agent1", "/contacts/CTALICE")
    expect(page.get_by_role("heading", name="Alice Martin", level=1)).to_be_visible()
    thread = page.locator("li.thread.is-thread").first
    expect(thread).to_contain_text("Thread of 2")
    expect(thread.locator("li.entry.depth-0")).to_contain_text("Where is my parcel")
    expect(thread.locator("li.entry.depth-1")).to_contain_text("Re: Where is my parcel")
    older = page.get_by_role("link", name="Older")
    expect(older).to_be_visible()
    older.click()
    archived = page.locator("li.entry", has_text="Archived complaint")
    expect(archived).to_be_visible()
    expect(archived.locator(".tag.archive")).to_have_text("archive")


def test_transcript_as_a_conversation(page: Page) -> None:
    sign_in(page, "agent1", "/interactions/CHAT0001")
    chat = page.locator("ol.chat")
    expect(chat.locator("li.msg.customer").first).to_contain_text(
        "Hello, I need help with my order"
    )
    expect(chat.locator("li.msg.agent")).to_contain_text("Sure, what is the order number?")
    expect(chat.locator("li.msg.agent .who")).to_contain_text("Ann")
    expect(chat.locator("li.event").first).to_contain_text("Alice joined")
    expect(chat).to_contain_text("It is 42 <b>not bold</b>")  # shown as typed


def test_email_body_is_sanitized_in_the_browser(page: Page) -> None:
    sign_in(page, "agent1", "/interactions/MAIL0001")
    body = page.locator(".email-html")
    expect(body.locator("b")).to_have_text("parcel")
    expect(body.locator("script, img, iframe, style")).to_have_count(0)
    assert page.title() != "owned"


def test_editing_a_comment(page: Page) -> None:
    sign_in(page, "agent1", "/interactions/CALL0001")
    box = page.get_by_role("textbox", name=re.compile("^Comment"))
    box.fill("Promised a refund by Friday")
    page.get_by_role("button", name="Save comment").click()
    expect(page.get_by_role("status")).to_have_text("Comment saved.")
    page.reload()
    expect(box).to_have_value("Promised a refund by Friday")


def test_an_agent_is_refused_another_agents_interaction(page: Page) -> None:
    sign_in(page, "agent1")
    answer = page.goto("/interactions/CAROL001")
    assert answer is not None
    assert answer.status == 403
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Private matter")


def test_the_dashboard(page: Page) -> None:
    sign_in(page, "super")
    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    chart = page.get_by_role("img", name=re.compile("Interactions per day by media type"))
    expect(chart.first).to_be_visible()
    expect(page.locator("svg.chart-wide rect").first).to_be_visible()
    expect(page.locator("table.ranked")).to_contain_text("Ann Lee")
    expect(page.locator(".open-list")).to_contain_text("Refund waiting for approval")
    page.get_by_role("link", name="All open interactions of the window").click()
    expect(page.locator("table.results tbody tr")).to_have_count(2)


def test_keyboard_and_labels(page: Page) -> None:
    sign_in(page, "super")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
            .filter(el => el.labels.length === 0 && !el.getAttribute('aria-label'))
            .map(el => el.name)"""
    )
    assert unlabelled == []


@pytest.mark.parametrize(
    "path", ["/", "/contacts/CTALICE", "/interactions/CHAT0001", "/interactions/MAIL0001"]
)
def test_pages_fit_a_phone(chromium: Browser, server: str, path: str) -> None:
    context = chromium.new_context(viewport=PHONE, base_url=server)
    try:
        phone = context.new_page()
        sign_in(phone, "super", path)
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{path} is {width}px wide on a phone"
    finally:
        context.close()


def test_the_dashboard_fits_a_phone(chromium: Browser, server: str) -> None:
    context = chromium.new_context(viewport=PHONE, base_url=server)
    try:
        phone = context.new_page()
        sign_in(phone, "super", "/dashboard")
        expect(phone.locator("svg.chart-narrow")).to_be_visible()
        expect(phone.locator("svg.chart-wide")).to_be_hidden()
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        context.close()
