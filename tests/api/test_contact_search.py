"""GET /openucs/v1/contacts: an agent finds the contacts they handled, whatever page of all
matches they are on, in one SELECT; names match without case or diacritics on every engine."""

from __future__ import annotations

from openucs.domain.models import Contact
from openucs.store import Store
from tests.api.conftest import Api, People, ok, seed, seed_contact
from tests.factories import make_interaction
from tests.statements import reading, recorded

ROOT = "/openucs/v1/contacts"


def _smiths(store: Store, count: int = 30) -> list[Contact]:
    return [seed_contact(store, id=f"SMITH{n:03d}", last_name="Smith") for n in range(1, count + 1)]


def _found(api: Api, user: object, **params: object) -> tuple[list[str], str | None]:
    body = ok(api.get(ROOT, user=user, params=params))
    return [c["id"] for c in body["contacts"]], body.get("after")


def test_an_agent_finds_the_25th_smith_they_handled_in_one_select(
    api: Api, store: Store, people: People
) -> None:
    smiths = _smiths(store)
    seed(store, make_interaction(contact_id=smiths[24].id, owner_id=people.agent.id))
    seed(store, make_interaction(contact_id=smiths[0].id, owner_id=people.other_agent.id))

    with recorded() as statements:
        found = _found(api, people.agent, name="smith", maxSize=5)

    assert found == (["SMITH025"], None)
    assert len(reading("contacts", statements)) == 1
    assert reading("interactions", statements) == []  # the scope is inside that SELECT
    assert _found(api, people.agent) == (["SMITH025"], None)  # no criterion: all they handled
    assert _found(api, people.agent, email=smiths[24].emails[0].value) == (["SMITH025"], None)
    assert _found(api, people.agent, email=smiths[0].emails[0].value) == ([], None)
    assert _found(api, people.other_agent, name="SMITH") == (["SMITH001"], None)
    assert _found(api, people.supervisor, name="smith", maxSize=30) == (
        [c.id for c in smiths],
        None,
    )


def test_an_agent_pages_through_the_contacts_they_handled(
    api: Api, store: Store, people: People
) -> None:
    smiths = _smiths(store, 12)
    for n in (2, 5, 11):
        seed(store, make_interaction(contact_id=smiths[n].id, owner_id=people.agent.id))

    first = _found(api, people.agent, name="Smi", maxSize=2)
    rest = _found(api, people.agent, name="Smi", maxSize=2, after=first[1])

    assert first == (["SMITH003", "SMITH006"], "SMITH006")
    assert rest == (["SMITH012"], None)


def test_a_full_last_page_says_there_is_no_next_one(api: Api, store: Store, people: People) -> None:
    _smiths(store, 4)

    with recorded() as statements:
        found = _found(api, people.supervisor, name="smith", maxSize=4)

    assert found == (["SMITH001", "SMITH002", "SMITH003", "SMITH004"], None)
    assert len(reading("contacts", statements)) == 1  # one row more, not a second query
    assert _found(api, people.supervisor, name="smith", maxSize=3)[1] == "SMITH003"


def test_names_match_without_case_or_diacritics(api: Api, store: Store, people: People) -> None:
    uber = seed_contact(store, id="UBER", first_name="Jürgen", last_name="Über")
    zolw = seed_contact(store, id="ZOLW", first_name="Łucja", last_name="Żółw")
    seed_contact(store, id="OTHER", first_name="Uma", last_name="Zoe")
    boss = people.supervisor

    for name in ("über", "UBER", "Üb", "jurg", "JÜRGEN"):
        assert _found(api, boss, name=name) == ([uber.id], None), name
    for name in ("zolw", "ŻÓŁW", "żół", "lucja", "Łu"):
        assert _found(api, boss, name=name) == ([zolw.id], None), name
    assert _found(api, boss, name="zolwx") == ([], None)


def test_q_words_each_begin_the_first_or_the_last_name(
    api: Api, store: Store, people: People
) -> None:
    seed_contact(store, id="C1", first_name="Łucja", last_name="Żółw")
    seed_contact(store, id="C2", first_name="Ann", last_name="Zolwinski")
    seed_contact(store, id="C3", first_name="Zoë", last_name="Ann")
    seed(store, make_interaction(contact_id="C3", owner_id=people.agent.id))

    assert _found(api, people.supervisor, q="zolw") == (["C1", "C2"], None)
    assert _found(api, people.supervisor, q="LUC zol") == (["C1"], None)
    assert _found(api, people.supervisor, q="ann zo") == (["C2", "C3"], None)
    assert _found(api, people.supervisor, q="ann zo", maxSize=1) == (["C2"], "C2")
    assert _found(api, people.agent, q="ann") == (["C3"], None)
    assert _found(api, people.supervisor, q="ann", name="zoe") == (["C3"], None)
    response = api.get(ROOT, user=people.supervisor, params={"q": "--"})
    assert response.status_code == 400
    assert "q: '--' has no letters or digits" in response.json()["statusMessage"]
