"""The search page as a supervisor's tool: the query language with the filters, the total,
keyset Previous and Next, facet counts, marked snippets, durations, removable chips, and
errors in the screen's words. Every engine of the `store` fixture."""

from __future__ import annotations

import re

import pytest

from openucs.domain.enums import MediaType
from openucs.domain.query import TOTAL_CAP
from openucs.store import Store
from tests.factories import make_interaction
from tests.web.conftest import SignIn
from tests.web.data import CALLS
from tests.web.test_search import interaction_ids, next_link


def link(html: str, rel: str) -> str | None:
    found = re.search(rf'<a class="button[^"]*" href="([^"]+)" rel="{rel}">', html)
    return found.group(1).replace("&amp;", "&") if found else None


def summary(html: str) -> str:
    found = re.search(r'<p class="summary" role="status">\s*(.*?)\s*</p>', html, re.S)
    assert found, html
    return re.sub(r"\s+", " ", found.group(1))


def test_the_total_and_previous_and_next_by_keyset(as_user: SignIn) -> None:
    browser = as_user("agent1")
    first = browser.get("/?media=call")
    assert summary(first.text).startswith(f"1\u201325 of {CALLS}, newest first")
    assert link(first.text, "prev") is None
    second = browser.get(next_link(first.text) or "")
    third = browser.get(next_link(second.text) or "")
    assert summary(third.text).startswith(f"51\u201355 of {CALLS}")
    back = browser.get(link(third.text, "prev") or "")
    assert interaction_ids(back.text) == interaction_ids(second.text)
    assert summary(back.text).startswith(f"26\u201350 of {CALLS}")
    start = browser.get(link(back.text, "prev") or "")
    assert interaction_ids(start.text) == interaction_ids(first.text)
    assert summary(start.text).startswith(f"1\u201325 of {CALLS}")
    assert link(start.text, "prev") is None
    assert next_link(start.text) == next_link(first.text)
    assert "offset" not in (link(third.text, "prev") or "")


def test_oldest_first_pages_back_too(as_user: SignIn) -> None:
    browser = as_user("agent1")
    first = browser.get("/?media=call&sort=asc&size=50")
    second = browser.get(next_link(first.text) or "")
    assert len(interaction_ids(second.text)) == CALLS - 50
    back = browser.get(link(second.text, "prev") or "")
    assert interaction_ids(back.text) == interaction_ids(first.text)


def test_facet_counts_filter_when_clicked(as_user: SignIn) -> None:
    browser = as_user("super")
    page = browser.get("/")
    facets = page.text[page.text.index('class="facets"') :]
    assert re.search(rf'>Call</a> <span class="count">{CALLS + 1}</span>', facets)
    assert re.search(r'>Pending</a> <span class="count">1</span>', facets)
    chat = re.search(r'<a href="([^"]+)">Chat</a>', facets)
    assert chat
    chats = browser.get(chat.group(1).replace("&amp;", "&"))
    assert set(interaction_ids(chats.text)) == {"CHAT0001", "OPEN0002"}


def test_a_transcript_word_has_its_snippet_marked_and_the_rest_escaped(as_user: SignIn) -> None:
    page = as_user("agent1").get("/?q=bold")
    assert interaction_ids(page.text) == ["CHAT0001"]
    snippet = re.search(r'<div class="snippet found">(.*?)</div>', page.text, re.S)
    assert snippet, page.text
    assert "<mark>bold</mark>" in snippet.group(1)
    assert "&lt;b&gt;" in snippet.group(1)
    assert "<b>" not in page.text


def test_an_attribute_range(as_user: SignIn) -> None:
    page = as_user("agent1").get("/?q=attr.Score:[10 TO 14]&size=100")
    assert sorted(interaction_ids(page.text)) == [f"CALL{n:04d}" for n in range(10, 15)]


def test_the_duration_column(as_user: SignIn) -> None:
    page = as_user("agent1").get("/?media=call&size=25")
    assert page.text.count('<td data-label="Duration"><div>4 min 00 s</div></td>') == 25


def test_filters_are_removable_chips_the_contact_and_thread_too(as_user: SignIn) -> None:
    browser = as_user("super")
    page = browser.get("/?contact_id=CTALICE&thread=MAIL0001&media=email&q=parcel")
    assert set(interaction_ids(page.text)) == {"MAIL0001", "MAIL0002"}
    chips = dict(re.findall(r'<a href="([^"]+)" aria-label="Remove ([^"]+)"', page.text)[::-1])
    by_label = {label: url.replace("&amp;", "&") for url, label in chips.items()}
    assert set(by_label) == {
        "Search: parcel",
        "Contact: Alice Martin",
        "Thread: MAIL0001",
        "Media type: Email",
    }
    without_contact = by_label["Contact: Alice Martin"]
    assert "contact_id" not in without_contact and "thread=MAIL0001" in without_contact
    without_thread = browser.get(by_label["Thread: MAIL0001"])
    assert set(interaction_ids(without_thread.text)) == {"MAIL0001", "MAIL0002"}
    assert "thread=" not in by_label["Thread: MAIL0001"]


def test_this_contacts_history_is_all_time_without_a_from_date(as_user: SignIn) -> None:
    browser = as_user("super")
    contact = browser.get("/contacts/CTALICE")
    found = re.search(r'<a href="([^"]+)">Search this contact\u2019s history</a>', contact.text)
    assert found and found.group(1) == "/?contact_id=CTALICE"
    page = browser.get(found.group(1) + "&size=100")
    assert len(interaction_ids(page.text)) == CALLS + 3
    assert 'id="start" name="start" type="date" value=""' in page.text


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("start=2024-03-02&end=2024-03-01", "From is after To"),
        ("q=a AND (b OR c))", "Search: unexpected &#39;)&#39; at column 15"),
        ("q=colour:red", "Search: unknown field &#39;colour&#39;"),
        ("media=fax", "Media type: unknown value &#39;fax&#39;"),
        ("sort=sideways", "Order: unknown value"),
        ("end=2024-13-01", "To: "),
        ("agent=nobody", "Agent: there is no user named"),
        ("page=bm90LWEtdG9rZW4", "Page: is not a valid page token"),
        ("before=bm90LWEtdG9rZW4", "Page: is not a valid page token"),
    ],
)
def test_errors_speak_the_screens_labels(as_user: SignIn, query: str, message: str) -> None:
    page = as_user("super").get(f"/?{query}")
    assert page.status_code == 400
    alert = re.search(r'<div class="alert error" role="alert">(.*?)</div>', page.text, re.S)
    assert alert and message in alert.group(1), page.text


def test_a_syntax_error_is_marked_where_it_is(as_user: SignIn) -> None:
    page = as_user("super").get("/?q=refund (late")
    assert "Search: unmatched &#39;(&#39; at column 8" in page.text
    assert "<code>refund <mark>(</mark>late</code>" in page.text


@pytest.mark.parametrize(
    "query",
    [
        "n=abc&size=7",
        "start=0000-01-01",
        "end=9999-12-31",
        "start=2024-01-01T10:00",
        "q=" + "x" * 3000,
        "q=" + "(" * 100 + "a",
        "q=%00",
        "q=attr.:x",
        "q=startDate:[2026-01-01 TO 2025-01-01]",
        "contact=%00",
        "contact_id=%00",
        "thread=%00",
        "agent=%00",
        "thread=" + "t" * 500,
        "source=attic",
        "type=Sideways",
        "page=" + "A" * 600,
        "page=x&before=y",
    ],
)
def test_no_input_breaks_the_page(as_user: SignIn, query: str) -> None:
    page = as_user("super").get(f"/?{query}")
    assert page.status_code in (200, 400), page.text


def test_a_total_past_the_cap_reads_as_more_than(as_user: SignIn, store: Store) -> None:
    store.save_interactions(
        [make_interaction(media_type=MediaType.WORKITEM) for _ in range(TOTAL_CAP + 1)]
    )
    page = as_user("super").get("/?media=workitem&sort=asc")
    assert summary(page.text).startswith("1\u201325 of 10,000+, oldest first")
    assert re.search(r'>Work item</strong> <span class="count">10,000</span>', page.text)
