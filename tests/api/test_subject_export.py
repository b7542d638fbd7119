"""Subject access export (`GET /openucs/v1/contacts/{id}/export`, `openucs subject-export`) on
both engines: the document holds the contact and every interaction of it in both tiers, as
direct reads give them (content, attributes, user data), nothing of other contacts; admins
only; an unknown contact is a 404 in the GWS envelope; every export is audited."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
from click.testing import CliRunner

from openucs.cli import cli
from openucs.domain.enums import MediaType, Source
from openucs.domain.models import Contact
from openucs.domain.query import AuditQuery
from openucs.gws.wire import interaction_to_wire
from openucs.store import Store
from tests.api.conftest import BASE_URL, ZONE, Api, People, error, ok, seed, seed_contact
from tests.factories import make_email, make_interaction, make_messages

ROOT = "/openucs/v1"


def _history(store: Store, people: People) -> tuple[Contact, Contact]:
    mine, other = seed_contact(store), seed_contact(store)
    seed(
        store,
        make_interaction(
            id="CHAT",
            media_type=MediaType.CHAT,
            contact_id=mine.id,
            owner_id=people.agent.id,
            messages=make_messages(3),
            custom_attributes={"Reason": "refund"},
            user_data={"lang": "fi"},
        ),
        make_interaction(
            id="MAIL", media_type=MediaType.EMAIL, contact_id=mine.id, email=make_email()
        ),
        make_interaction(id="ELSE", contact_id=other.id),
        make_interaction(id="OLD", contact_id=mine.id, source=Source.ARCHIVE, comment="kept"),
    )
    return mine, other


def _expected(store: Store, ids: list[str]) -> list[dict[str, Any]]:
    """The full wire form of each interaction, read directly from the store."""
    found = store.get_interactions(ids, with_content=True)
    zone = ZoneInfo(ZONE)
    return [
        json.loads(
            msgspec.json.encode(
                interaction_to_wire(found[i], base_url=BASE_URL, zone=zone, full=True)
            )
        )
        for i in ids
    ]


def _check_document(document: dict[str, Any], store: Store, mine: Contact) -> None:
    assert document["statusCode"] == 0
    assert document["contact"]["id"] == mine.id
    assert document["contact"]["LastName"] == mine.last_name
    assert document["contact"]["EmailAddress"][0]["value"] == mine.emails[0].value
    main, archive = document["interactions"]["main"], document["interactions"]["archive"]
    assert [i["id"] for i in main] == ["CHAT", "MAIL"]  # oldest first; ELSE is not theirs
    assert [i["id"] for i in archive] == ["OLD"]
    assert document["counts"] == {"main": 2, "archive": 1}
    assert main == _expected(store, ["CHAT", "MAIL"])
    assert archive == _expected(store, ["OLD"])
    chat, mail = main
    assert len(chat["messages"]) == 3 and chat["customAttributes"] == {"Reason": "refund"}
    assert chat["userData"] == {"lang": "fi"}
    assert mail["email"]["bodyAsPlainText"] == "Hello,\nwhere is my order?"


def test_the_document_holds_everything_of_the_contact(
    api: Api, store: Store, people: People
) -> None:
    mine, _ = _history(store, people)
    response = api.get(f"{ROOT}/contacts/{mine.id}/export")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["content-disposition"] == (
        f'attachment; filename="contact-{mine.id}.json"'
    )
    document = response.json()
    _check_document(document, store, mine)
    assert document["contact"] == ok(api.get(f"{ROOT}/contacts/{mine.id}"))["contact"]


def test_a_contact_without_history_has_empty_tiers(api: Api, store: Store, people: People) -> None:
    lonely = seed_contact(store)
    document = ok(api.get(f"{ROOT}/contacts/{lonely.id}/export"))
    assert document["interactions"] == {"main": [], "archive": []}
    assert document["counts"] == {"main": 0, "archive": 0}


def test_admins_only_and_unknown_contacts(api: Api, store: Store, people: People) -> None:
    mine, _ = _history(store, people)
    for user in (people.agent, people.supervisor):
        error(api.get(f"{ROOT}/contacts/{mine.id}/export", user=user), 403, 5)
    error(api.get(f"{ROOT}/contacts/{mine.id}/export", user=None), 401, 20)
    error(api.get(f"{ROOT}/contacts/NOSUCHCONTACT/export"), 404, 6, "NOSUCHCONTACT")


def test_every_export_is_audited_with_who_and_whom(api: Api, store: Store, people: People) -> None:
    mine, _ = _history(store, people)
    ok(api.get(f"{ROOT}/contacts/{mine.id}/export"))
    error(api.get(f"{ROOT}/contacts/{mine.id}/export", user=people.agent), 403, 5)
    exports = [r for r in store.reads(AuditQuery()).items if r.action == "contact.export"]
    assert [(r.user_id, r.contact_id, r.via) for r in exports] == [
        (people.admin.id, mine.id, "api")
    ]


def test_the_command_writes_the_same_document(
    store: Store, people: People, database_url: str, tmp_path: Path
) -> None:
    mine, _ = _history(store, people)
    target = tmp_path / "subject.json"
    runner = CliRunner(env={"OPENUCS_PUBLIC_BASE_URL": BASE_URL, "OPENUCS_TIMEZONE": ZONE})
    args = ["subject-export", mine.id, "--output", str(target), "--database", database_url]
    result = runner.invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert mine.id in result.output
    _check_document(json.loads(target.read_bytes()), store, mine)
    exports = [r for r in store.reads(AuditQuery()).items if r.action == "contact.export"]
    assert len(exports) == 1 and exports[0].via == "cli" and exports[0].contact_id == mine.id
    failed = runner.invoke(cli, ["subject-export", "NOPE", "--database", database_url])
    assert failed.exit_code == 2 and "NOPE" in failed.output
