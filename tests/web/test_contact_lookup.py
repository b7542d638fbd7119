"""The search page's contact filter finds contacts in the viewer's read scope in one SELECT
(an agent: the contacts they handled, however many others match first), and matches names
without case or diacritics on every engine."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

from openucs.domain.enums import InteractionType, MediaType, State
from openucs.domain.models import Contact, Interaction
from openucs.services import records
from openucs.store import Store
from tests.statements import reading, recorded
from tests.web.conftest import Browser
from tests.web.data import Seeded


def interaction_ids(html: str) -> list[str]:
    return re.findall(r'<a href="/interactions/([^"]+)">', html)


def _contact(cid: str, first: str, last: str) -> Contact:
    return Contact(id=cid, first_name=first, last_name=last)


def _call(iid: str, contact: Contact, seeded: Seeded) -> Interaction:
    return Interaction(
        id=iid,
        media_type=MediaType.CALL,
        type_id=InteractionType.INBOUND,
        state=State.STOPPED,
        start_date=seeded.anchor - timedelta(hours=1),
        contact_id=contact.id,
        owner_id=seeded.agent.id,
        owner=seeded.agent.owner_info(),
    )


def test_an_agent_finds_the_25th_smith_they_handled(
    store: Store, seeded: Seeded, as_user: Callable[[str], Browser]
) -> None:
    smiths = [_contact(f"SMITH{n:03d}", "Sam", "Smith") for n in range(1, 31)]
    store.save_contacts(smiths)
    records.ingest(store=store, interactions=[_call("SMITHCALL", smiths[24], seeded)])
    browser = as_user("agent1")

    with recorded() as statements:
        page = browser.get("/?contact=smith")

    assert page.status_code == 200, page.text
    assert "No contact matches" not in page.text
    assert interaction_ids(page.text) == ["SMITHCALL"]
    assert len([s for s in statements if "last_name_key >=" in s]) == 1  # one search
    # the history page (and the facet counts beside it): no check per Smith
    history = [s for s in reading("interactions", statements) if "GROUP BY" not in s]
    assert len(history) == 1


def test_names_match_without_case_or_diacritics(
    store: Store, seeded: Seeded, as_user: Callable[[str], Browser]
) -> None:
    uber, zolw = _contact("CTUBER", "Jürgen", "Über"), _contact("CTZOLW", "Łucja", "Żółw")
    store.save_contacts([uber, zolw])
    records.ingest(
        store=store, interactions=[_call("UBERCALL", uber, seeded), _call("ZOLWCALL", zolw, seeded)]
    )
    browser = as_user("super")

    for text, expected in (("über", "UBERCALL"), ("ÜBER", "UBERCALL"), ("zolw", "ZOLWCALL")):
        page = browser.get("/", params={"contact": text})
        assert interaction_ids(page.text) == [expected], text
