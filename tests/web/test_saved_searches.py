"""Saved searches: a user keeps the current search under a name, reruns it from the list (a
URL, so it can be shared), replaces it by saving the name again, deletes it. POSTs need the
session's CSRF token. Every engine of the `store` fixture."""

from __future__ import annotations

import re
from html import unescape

from tests.web.conftest import Browser, SignIn, hidden


def saved_links(html: str) -> dict[str, str]:
    found = re.findall(r'<li>\s*<a href="(/[^"]*)">([^<]+)</a>\s*<form method="post"', html)
    return {name: url.replace("&amp;", "&") for url, name in found}


def save(browser: Browser, name: str, page: str) -> tuple[int, str]:
    html = browser.get(page).text
    form = {"name": name, "query": unescape(hidden(html, "query")), "csrf": browser.csrf(page)}
    answer = browser.post("/searches", data=form)
    return answer.status_code, answer.headers.get("location", "")


def test_save_rerun_replace_and_delete(as_user: SignIn) -> None:
    browser = as_user("super")
    status, location = save(browser, "Parcel emails", "/?media=email&sort=asc&page=x&n=3")
    assert (status, location) == (303, "/?media=email&sort=asc")
    page = browser.get("/")
    assert saved_links(page.text) == {"Parcel emails": "/?media=email&sort=asc"}
    rerun = browser.get(saved_links(page.text)["Parcel emails"])
    assert rerun.status_code == 200
    assert '<option value="asc" selected>' in rerun.text

    assert save(browser, "Parcel emails", "/?media=chat")[0] == 303
    assert saved_links(browser.get("/").text) == {"Parcel emails": "/?media=chat"}

    html = browser.get("/").text
    delete = re.search(r'<form method="post" action="(/searches/[^"]+/delete)"', html)
    assert delete
    answer = browser.post(delete.group(1), data={"csrf": browser.csrf()})
    assert answer.status_code == 303
    assert saved_links(browser.get("/").text) == {}
    assert browser.post(delete.group(1), data={"csrf": browser.csrf()}).status_code == 404


def test_each_user_sees_only_their_own(as_user: SignIn) -> None:
    browser = as_user("super")
    save(browser, "Mine", "/?media=call")
    browser.client.cookies.clear()
    other = as_user("agent1")
    assert saved_links(other.get("/").text) == {}


def test_saving_needs_the_csrf_token_and_a_name(as_user: SignIn) -> None:
    browser = as_user("super")
    forged = browser.post("/searches", data={"name": "x", "query": "q=a", "csrf": "forged"})
    assert forged.status_code == 403
    blank = browser.post("/searches", data={"name": "  ", "query": "q=a", "csrf": browser.csrf()})
    assert blank.status_code == 400
    assert "Name: give the search a name" in blank.text
    bad = browser.post(
        "/searches", data={"name": "x", "query": "q=a\r\nSet-Cookie: x", "csrf": browser.csrf()}
    )
    assert bad.status_code == 400
    assert saved_links(browser.get("/").text) == {}


def test_deleting_needs_the_csrf_token(as_user: SignIn) -> None:
    browser = as_user("super")
    save(browser, "Mine", "/?media=call")
    html = browser.get("/").text
    delete = re.search(r'action="(/searches/[^"]+/delete)"', html)
    assert delete
    assert browser.post(delete.group(1), data={"csrf": "forged"}).status_code == 403
    assert saved_links(browser.get("/").text) == {"Mine": "/?media=call"}


def test_odd_names_and_ids_do_not_break_it(as_user: SignIn) -> None:
    browser = as_user("super")
    for name in ("a\x00b", "x" * 101, "\t\n"):
        answer = browser.post("/searches", data={"name": name, "query": "", "csrf": browser.csrf()})
        assert answer.status_code == 400, name
    for search_id in ("%00", "x" * 300, "..%2F..%2Flogin"):
        answer = browser.post(f"/searches/{search_id}/delete", data={"csrf": browser.csrf()})
        assert answer.status_code in (400, 404), search_id
    assert save(browser, "  Spaces   inside  ", "/")[0] == 303
    assert saved_links(browser.get("/").text) == {"Spaces inside": "/"}
