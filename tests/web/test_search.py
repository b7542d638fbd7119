"""The search page: filters from the URL, the API's cursor for paging, what each role sees."""

from __future__ import annotations

import re

import pytest

from openucs.web.search import contact_kind
from openucs.web.search_form import SearchForm
from tests.web.conftest import SignIn
from tests.web.data import CALLS


def interaction_ids(html: str) -> list[str]:
    return re.findall(r'<a href="/interactions/([^"]+)">', html)


def next_link(html: str) -> str | None:
    found = re.search(r'<a class="button primary" href="([^"]+)" rel="next">', html)
    return found.group(1).replace("&amp;", "&") if found else None


def test_paging_follows_the_api_cursor_without_repeats_or_gaps(as_user: SignIn) -> None:
    browser = as_user("agent1")
    url: str | None = "/?size=25&sort=asc&media=call"
    seen: list[str] = []
    pages = 0
    while url:
        page = browser.get(url)
        assert page.status_code == 200
        seen += interaction_ids(page.text)
        url = next_link(page.text)
        pages += 1
        assert pages < 10
    assert pages == 3
    # CALL0000 is the newest call: oldest first is the ids in reverse
    assert seen == sorted(seen, reverse=True)
    assert len(seen) == len(set(seen)) == CALLS


def test_newest_first_and_oldest_first(as_user: SignIn) -> None:
    browser = as_user("agent1")
    newest = interaction_ids(browser.get("/?size=100").text)
    oldest = interaction_ids(browser.get("/?size=100&sort=asc").text)
    assert newest == list(reversed(oldest))
    assert newest[0] == "CHAT0001"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=PARCEL", {"MAIL0001", "MAIL0002"}),
        ("media=chat&media=workitem", {"CHAT0001", "OPEN0001", "OPEN0002"}),
        ("state=Pending&state=InProcess", {"OPEN0001", "OPEN0002"}),
        ("type=Internal", {"OPEN0001"}),
        ("q=attr.CaseNumber:CS-1", {"CAROL001"}),
        ("contact=carol@example.com", {"CAROL001"}),
        ("contact=%2B1 555 0300", {"CAROL001"}),
        ("contact=King", {"CAROL001"}),
        ("agent=agent2", {"OPEN0002", "CAROL001"}),
        ("q=callback", {"CAROL001"}),  # the comment
        ("source=archive", {"ARCH0001"}),
        ("thread=MAIL0001", {"MAIL0001", "MAIL0002"}),
    ],
)
def test_each_filter(as_user: SignIn, query: str, expected: set[str]) -> None:
    page = as_user("super").get(f"/?size=100&{query}")
    assert page.status_code == 200, page.text
    assert set(interaction_ids(page.text)) == expected


def test_an_agent_sees_only_their_own_interactions(as_user: SignIn) -> None:
    page = as_user("agent1").get("/?size=100")
    found = set(interaction_ids(page.text))
    assert "CAROL001" not in found
    assert "OPEN0002" not in found
    assert len(found) == CALLS + 3  # the calls, the chat and the two emails
    assert 'name="agent"' not in page.text  # no agent filter for agents


def test_an_agent_may_not_ask_for_another_agents_history(as_user: SignIn) -> None:
    page = as_user("agent1").get("/?agent=agent2")
    assert page.status_code == 403


def test_a_name_matching_several_contacts_offers_a_choice(as_user: SignIn) -> None:
    browser = as_user("super")
    page = browser.get("/?contact=mar")
    assert "2 contacts match" in page.text
    assert interaction_ids(page.text) == []
    choice = re.search(r'<a href="(/\?[^"]*contact_id=CTMARSH[^"]*)">Maria Marsh</a>', page.text)
    assert choice, page.text
    chosen = browser.get(choice.group(1).replace("&amp;", "&"))
    assert set(interaction_ids(chosen.text)) == {"OPEN0001", "OPEN0002"}


def test_a_changed_contact_text_drops_the_earlier_choice(as_user: SignIn) -> None:
    page = as_user("super").get("/?contact=carol&contact_id=CTMARSH&chosen_for=mar")
    assert set(interaction_ids(page.text)) == {"CAROL001"}


def test_an_agent_is_offered_only_contacts_they_handled(as_user: SignIn) -> None:
    page = as_user("agent1").get("/?contact=king")
    assert "No contact matches" in page.text
    assert "Carol" not in page.text


def test_bad_input_is_shown_on_the_form(as_user: SignIn) -> None:
    browser = as_user("super")
    page = browser.get("/?start=2024-02-30")
    assert page.status_code == 400
    assert "From: invalid date" in page.text
    unknown = browser.get("/?agent=nobody")
    assert unknown.status_code == 400
    assert "no user named" in unknown.text
    forged = browser.get("/?page=bm90LWEtdG9rZW4")
    assert forged.status_code == 400
    assert "Page: is not a valid page token" in forged.text


def test_the_form_round_trips_through_its_url() -> None:
    form = SearchForm(q="a b", media=["chat", "email"], size="50", n=2, page="tok")
    assert form.url() == "/?q=a+b&media=chat&media=email&size=50&page=tok&n=2"
    assert form.fresh(q="c") == "/?q=c&media=chat&media=email&size=50"
    assert form.saved_query == "q=a+b&media=chat&media=email&size=50"
    assert SearchForm().url() == "/"
    assert form.advanced
    assert not SearchForm(q="x").advanced


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("ann@example.com", "email"),
        ("+1 (555) 010-0", "phone"),
        ("555", "phone"),
        ("12", "name"),
        ("Smith", "name"),
        ("O'Neil 3", "name"),
    ],
)
def test_contact_text_kinds(text: str, kind: str) -> None:
    assert contact_kind(text) == kind
