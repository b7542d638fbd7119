"""The contact, interaction and dashboard pages, the comment editor, and the error pages."""

from __future__ import annotations

import html
import re
from typing import NoReturn

import pytest

from openucs.store import Store
from tests.web.conftest import Browser, SignIn, hidden
from tests.web.data import CALLS


def comment_of(store: Store, interaction_id: str) -> str | None:
    stored = store.get_interaction(interaction_id, with_content=False)
    assert stored is not None
    return stored.comment


def timeline_ids(page: str) -> list[str]:
    return re.findall(r'<a href="/interactions/([^"]+)">', page)


def test_the_contact_page_merges_main_and_archive_and_groups_threads(as_user: SignIn) -> None:
    browser = as_user("agent1")
    first = browser.get("/contacts/CTALICE")
    assert first.status_code == 200
    assert "alice@example.com" in first.text
    assert "CustomerSegment" in first.text
    ids = timeline_ids(first.text)
    assert ids[:4] == ["CHAT0001", "MAIL0001", "MAIL0002", "CALL0000"]  # thread: parent first
    assert "Thread of 2" in first.text
    seen = list(ids)
    url = re.search(r'href="([^"]+)" rel="next"', first.text)
    while url:
        page = browser.get(html.unescape(url.group(1)))
        assert page.status_code == 200
        seen += timeline_ids(page.text)
        url = re.search(r'href="([^"]+)" rel="next"', page.text)
    assert len(seen) == len(set(seen)) == CALLS + 4
    assert seen[-1] == "ARCH0001"  # the archive, oldest, comes last


def test_an_agent_may_not_open_a_contact_they_never_handled(as_user: SignIn) -> None:
    page = as_user("agent1").get("/contacts/CTCAROL")
    assert page.status_code == 403
    assert "Carol" not in page.text


def test_the_interaction_page_shows_the_transcript_as_a_conversation(as_user: SignIn) -> None:
    page = as_user("agent1").get("/interactions/CHAT0001")
    assert page.status_code == 200
    text = page.text
    assert '<li class="msg customer">' in text
    assert '<li class="msg agent">' in text
    assert "Hello, I need help with my order" in text
    assert "Alice joined" in text
    assert "&lt;b&gt;not bold&lt;/b&gt;" in text  # chat text is text, never markup
    assert "Basket" in text  # structured user data
    assert "&#34;items&#34;: 2" in text or "&quot;items&quot;: 2" in text


def test_email_html_is_sanitized(as_user: SignIn) -> None:
    page = as_user("agent1").get("/interactions/MAIL0001").text
    body = page.split('<div class="email-html">', 1)[1].split("</div>", 1)[0]
    assert "<b>parcel</b>" in body
    for banned in ("<script", "onclick", "<img", "javascript:", "<style", "<iframe", "tracker"):
        assert banned not in body.lower(), banned
    assert 'href="https://shop.example/order/42"' in body
    assert 'rel="noopener noreferrer"' in body
    assert "boss@example.com" in page  # the headers


def test_an_agent_is_refused_another_agents_interaction(as_user: SignIn) -> None:
    page = as_user("agent1").get("/interactions/CAROL001")
    assert page.status_code == 403
    assert "Private matter" not in page.text
    assert "Not allowed" in page.text


def test_unknown_records_are_404_pages(as_user: SignIn) -> None:
    browser = as_user("super")
    assert browser.get("/interactions/NOPE").status_code == 404
    assert browser.get("/contacts/NOPE").status_code == 404


def test_the_owner_edits_the_comment_with_the_csrf_token(as_user: SignIn, store: Store) -> None:
    browser = as_user("agent1")
    page = browser.get("/interactions/CALL0003").text
    assert 'action="/interactions/CALL0003/comment"' in page
    token = hidden(page, "csrf")
    forged = browser.post("/interactions/CALL0003/comment", {"comment": "x", "csrf": "no"})
    assert forged.status_code == 403
    saved = browser.post(
        "/interactions/CALL0003/comment", {"comment": "Customer <called> back", "csrf": token}
    )
    assert saved.status_code == 303
    assert saved.headers["location"] == "/interactions/CALL0003?saved=1#comment"
    shown = browser.get("/interactions/CALL0003?saved=1").text
    assert "Comment saved." in shown
    assert "Customer &lt;called&gt; back" in shown
    assert comment_of(store, "CALL0003") == "Customer <called> back"
    cleared = browser.post("/interactions/CALL0003/comment", {"comment": "  ", "csrf": token})
    assert cleared.status_code == 303
    assert comment_of(store, "CALL0003") is None


def test_a_supervisor_reads_but_does_not_edit_others_comments(
    as_user: SignIn, store: Store
) -> None:
    browser = as_user("super")
    page = browser.get("/interactions/CAROL001").text
    assert "Carol asked for a callback" in page
    assert "/comment" not in page.split('id="comment"', 1)[1].split("</section>", 1)[0]
    refused = browser.post(
        "/interactions/CAROL001/comment", {"comment": "mine", "csrf": hidden(page, "csrf")}
    )
    assert refused.status_code == 403
    assert comment_of(store, "CAROL001") == "Carol asked for a callback"


def test_an_admin_edits_any_comment(as_user: SignIn, store: Store) -> None:
    browser = as_user("admin")
    token = browser.csrf("/interactions/CAROL001")
    answer = browser.post("/interactions/CAROL001/comment", {"comment": "QA ok", "csrf": token})
    assert answer.status_code == 303
    assert comment_of(store, "CAROL001") == "QA ok"


def test_the_dashboard_counts_the_window(as_user: SignIn) -> None:
    browser = as_user("super")
    assert browser.get("/dashboard?start=yesterday").status_code == 400
    page = browser.get("/dashboard")
    assert page.status_code == 200
    text = page.text
    assert '<svg class="chart chart-wide"' in text
    assert '<title id="chart-wide-title">' in text
    assert "Busiest agents" in text
    assert "Ann Lee" in text
    assert re.search(r'<span class="big">2</span> open', text)
    assert "Refund waiting for approval" in text
    assert "Live chat in progress" in text


def test_the_dashboard_is_for_supervisors_and_admins(as_user: SignIn) -> None:
    page = as_user("agent1").get("/dashboard")
    assert page.status_code == 403
    assert 'href="/dashboard"' not in page.text


def test_a_too_long_dashboard_window_is_refused(as_user: SignIn) -> None:
    page = as_user("super").get("/dashboard?start=2024-01-01&end=2024-12-31")
    assert page.status_code == 400
    assert "longer than 92 days" in page.text


def test_static_assets_are_served_without_a_session(browser: Browser) -> None:
    css = browser.get("/static/style.css")
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")
    assert browser.get("/static/favicon.svg").status_code == 200


def test_an_unexpected_error_is_a_500_page_with_a_logged_request_id(
    as_user: SignIn, store: Store, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    browser = as_user("super")

    def broken(*args: object, **kwargs: object) -> NoReturn:
        raise ZeroDivisionError("division by zero in the store")

    monkeypatch.setattr(store, "get_interaction", broken)
    page = browser.get("/interactions/CHAT0001")
    assert page.status_code == 500
    request_id = re.search(r"request id ([0-9a-f]{16})", page.text)
    assert request_id is not None
    record = next(r for r in caplog.records if request_id.group(1) in r.getMessage())
    assert record.exc_info is not None
    assert record.exc_info[0] is ZeroDivisionError
    assert "division by zero" not in page.text  # the detail stays in the log
