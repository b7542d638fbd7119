"""Signing in and out of the web UI: the API's users and sessions, CSRF, safe redirects."""

from __future__ import annotations

import pytest

from openucs.web.login import safe_next
from tests.web.conftest import Browser, SignIn, hidden
from tests.web.data import PASSWORD


def test_a_page_without_a_session_redirects_to_the_login_form_and_back(browser: Browser) -> None:
    answer = browser.get("/?text=parcel&media=email")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=%2F%3Ftext%3Dparcel%26media%3Demail"
    signed_in = browser.login("agent1", next="/?text=parcel&media=email")
    assert signed_in.status_code == 303
    assert signed_in.headers["location"] == "/?text=parcel&media=email"
    assert "Where is my parcel" in browser.get(signed_in.headers["location"]).text


def test_login_sets_the_api_session_cookie_and_the_api_accepts_it(browser: Browser) -> None:
    answer = browser.login("super")
    cookie = next(c for c in answer.headers.get_list("set-cookie") if c.startswith("JSESSIONID="))
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "SameSite=Lax" in cookie
    assert "Path=/" in cookie
    me = browser.get("/api/v2/me")
    assert me.status_code == 200
    assert me.json()["user"]["userName"] == "super"


def test_an_api_session_works_in_the_web_ui(browser: Browser) -> None:
    api = browser.client.get("/api/v2/me", auth=("agent1", PASSWORD))
    assert api.status_code == 200
    assert "JSESSIONID" in browser.client.cookies
    page = browser.get("/")
    assert page.status_code == 200
    assert "Ann Lee" in page.text


def test_wrong_password_and_unknown_user_are_refused_alike(browser: Browser) -> None:
    wrong = browser.login("agent1", password="not the password")
    unknown = browser.login("nobody", password="not the password")
    for answer in (wrong, unknown):
        assert answer.status_code == 401
        assert "Wrong user name or password." in answer.text
        assert "JSESSIONID" not in browser.client.cookies
    assert browser.get("/").status_code == 303


def test_the_form_says_when_a_user_name_is_locked_out(browser: Browser) -> None:
    for _ in range(5):  # login_max_failures, by default
        assert browser.login("agent1", password="not the password").status_code == 401
    locked = browser.login("agent1")
    assert locked.status_code == 401
    assert "Too many failed sign-ins. Try again in 60 s." in locked.text
    assert "JSESSIONID" not in browser.client.cookies


def test_the_lockout_holds_after_a_recent_successful_sign_in(browser: Browser) -> None:
    assert browser.login("agent1").status_code == 303  # the right password, now remembered
    browser.client.cookies.clear()
    for _ in range(5):
        assert browser.login("agent1", password="not the password").status_code == 401
    locked = browser.login("agent1")
    assert locked.status_code == 401
    assert "Too many failed sign-ins." in locked.text
    assert "JSESSIONID" not in browser.client.cookies


def test_the_login_form_needs_its_own_csrf_token(browser: Browser) -> None:
    browser.get("/login")
    forged = browser.post(
        "/login",
        {"user_name": "agent1", "password": PASSWORD, "csrf": "forged", "next": "/"},
    )
    assert forged.status_code == 403
    assert "JSESSIONID" not in browser.client.cookies


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("/contacts/C1?n=2", "/contacts/C1?n=2"),
        ("/", "/"),
        (None, "/"),
        ("", "/"),
        ("https://evil.example/", "/"),
        ("//evil.example/x", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("/login", "/"),
        ("/logout", "/"),
        ("/a\nb", "/"),
    ],
)
def test_next_is_only_a_path_on_this_site(raw: str, expected: str) -> None:
    assert safe_next(raw) == expected


def test_login_never_redirects_off_site(browser: Browser) -> None:
    answer = browser.login("agent1", next="https://evil.example/")
    assert answer.headers["location"] == "/"


def test_logout_needs_the_session_csrf_token_and_deletes_the_session(as_user: SignIn) -> None:
    browser = as_user("agent1")
    token = browser.csrf()
    refused = browser.post("/logout", {"csrf": "wrong"})
    assert refused.status_code == 403
    assert browser.get("/").status_code == 200
    cookie = browser.client.cookies["JSESSIONID"]
    done = browser.post("/logout", {"csrf": token})
    assert done.status_code == 303
    assert done.headers["location"] == "/login?signed_out=1"
    browser.client.cookies.set("JSESSIONID", cookie)  # replaying the old cookie
    assert browser.get("/").status_code == 303
    assert browser.get("/api/v2/me").status_code == 401


def test_a_signed_in_visitor_skips_the_login_form(as_user: SignIn) -> None:
    browser = as_user("super")
    answer = browser.get("/login?next=/dashboard")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/dashboard"


def test_pages_carry_security_headers(as_user: SignIn) -> None:
    page = as_user("agent1").get("/")
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["server-timing"].startswith("app;dur=")
    assert hidden(page.text, "csrf")
