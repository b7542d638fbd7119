"""The GWS read routes: exact wire shapes, windows, defaults, sort, filters and paging."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from openucs.domain.enums import InteractionType, MediaType, State
from openucs.domain.models import User
from openucs.store import Store
from tests.api.conftest import BASE_URL, ZONE, Api, People, ok, seed, seed_contact
from tests.factories import make_email, make_interaction, make_messages

HISTORY = "/api/v2/ucs/interactions"
LOCAL = ZoneInfo(ZONE)
MARCH_1 = {"fromDate": "2024-03-01", "toDate": "2024-03-01"}


def local(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=LOCAL)


# Within MARCH_1 whatever other tests made the factories' counter (and so their times) reach.
NOON = local(2024, 3, 1, 12)


def owned(user: User) -> dict[str, Any]:
    return {"owner": user.owner_info(), "owner_id": user.id}


def ids(body: dict[str, Any]) -> list[str]:
    return [item["id"] for item in body["interactions"]]


def test_history_item_has_exactly_the_gws_shape(api: Api, store: Store, people: People) -> None:
    contact = seed_contact(store)
    seed(
        store,
        make_interaction(
            id="0001AbC2DeF3G4H5",
            media_type=MediaType.CALL,
            type_id=InteractionType.INBOUND,
            state=State.STOPPED,
            start_date=datetime(2024, 3, 1, 9, 0, 0, 123_000, tzinfo=UTC),
            end_date=datetime(2024, 3, 1, 9, 1, 27, tzinfo=UTC),
            subject="Billing question",
            contact_id=contact.id,
            comment="called back",
            custom_attributes={"SearchId": "123456", "Hidden": "x"},
            phone_number="+15550100",
            call_duration=87,
            user_data={"lang": "en", "n": 2},
            external_id="T-SERVER-CALL-1",
            **owned(people.agent),
        ),
    )
    body = ok(api.get(HISTORY, params={**MARCH_1, "customAttributes": "SearchId,CustomerId"}))
    assert set(body) == {"statusCode", "interactions"}
    assert body["interactions"] == [
        {
            "uri": f"{BASE_URL}/interactions/0001AbC2DeF3G4H5",
            "id": "0001AbC2DeF3G4H5",
            "path": "/interactions/0001AbC2DeF3G4H5",
            "mediaType": "call",
            "typeId": "Inbound",
            "state": "Stopped",
            "startDate": "2024-03-01 11:00:00.123+0200",
            "endDate": "2024-03-01 11:01:27.000+0200",
            "subject": "Billing question",
            "contactId": contact.id,
            "ownerInformation": {
                "id": people.agent.id,
                "userName": "agent1",
                "firstName": "Ann",
                "lastName": "Lee",
            },
            "threadId": "0001AbC2DeF3G4H5",
            "comment": "called back",
            "customAttributes": {"SearchId": "123456"},
            "phoneNumber": "+15550100",
            "callDuration": 87,
            "userData": {"lang": "en", "n": 2},
        }
    ]


def test_absent_fields_are_left_out(api: Api, store: Store) -> None:
    seed(store, make_interaction(id="open1", state=State.NEW, subject=None, start_date=NOON))
    (item,) = ok(api.get(HISTORY, params=MARCH_1))["interactions"]
    assert set(item) == {
        "uri",
        "id",
        "path",
        "mediaType",
        "typeId",
        "state",
        "startDate",
        "threadId",
    }


def test_only_requested_custom_attributes_that_exist(api: Api, store: Store) -> None:
    seed(
        store,
        make_interaction(id="a", custom_attributes={"A": "1", "B": "2"}, start_date=NOON),
        make_interaction(
            id="b", custom_attributes={"B": "3"}, start_date=NOON + timedelta(minutes=1)
        ),
    )
    plain = ok(api.get(HISTORY, params=MARCH_1))
    assert all("customAttributes" not in item for item in plain["interactions"])
    body = ok(api.get(HISTORY, params={**MARCH_1, "customAttributes": "A", "sort": "asc"}))
    assert [item.get("customAttributes") for item in body["interactions"]] == [{"A": "1"}, None]
    repeated = api.get(f"{HISTORY}?fromDate=2024-03-01&customAttributes=A&customAttributes=B")
    assert {"A": "1", "B": "2"} in [
        item.get("customAttributes") for item in ok(repeated)["interactions"]
    ]


def test_date_only_bounds_cover_whole_days_in_the_server_zone(api: Api, store: Store) -> None:
    seed(
        store,
        make_interaction(
            id="before", start_date=local(2024, 3, 4, 23, 59, 59) + timedelta(microseconds=999_000)
        ),
        make_interaction(id="first", start_date=local(2024, 3, 5)),
        make_interaction(
            id="last", start_date=local(2024, 3, 6, 23, 59, 59) + timedelta(microseconds=999_000)
        ),
        make_interaction(id="after", start_date=local(2024, 3, 7)),
    )
    body = ok(
        api.get(HISTORY, params={"fromDate": "2024-03-05", "toDate": "2024-03-06", "sort": "asc"})
    )
    assert ids(body) == ["first", "last"]
    instant = {
        "fromDate": "2024-03-05T00:00:00.000+02:00",
        "toDate": "2024-03-06 23:59:59.999+0200",
    }
    assert ids(ok(api.get(HISTORY, params={**instant, "sort": "asc"}))) == ["first", "last"]


def test_either_bound_alone(api: Api, store: Store) -> None:
    seed(
        store, make_interaction(id="old", start_date=local(2020, 1, 1)), make_interaction(id="new")
    )
    assert ids(ok(api.get(HISTORY, params={"toDate": "2021-01-01"}))) == ["old"]
    assert ids(ok(api.get(HISTORY, params={"fromDate": "2024-01-01"}))) == ["new"]


def test_default_window_is_the_last_month_through_today(api: Api, store: Store) -> None:
    now = datetime.now(UTC)
    seed(
        store,
        make_interaction(id="recent", start_date=now - timedelta(days=1)),
        make_interaction(id="later-today", start_date=now + timedelta(seconds=5)),
        make_interaction(id="too-old", start_date=now - timedelta(days=45)),
        make_interaction(id="tomorrow", start_date=now + timedelta(days=2)),
    )
    assert sorted(ids(ok(api.get(HISTORY)))) == ["later-today", "recent"]


def test_default_page_is_100_then_a_next_page_token(api: Api, store: Store) -> None:
    seed(store, *(make_interaction(id=f"n{i:03d}") for i in range(101)))
    body = ok(api.get(HISTORY, params={"fromDate": "2024-01-01"}))
    assert len(body["interactions"]) == 100
    assert isinstance(body["nextPageToken"], str)
    rest = ok(
        api.get(HISTORY, params={"fromDate": "2024-01-01", "pageToken": body["nextPageToken"]})
    )
    assert len(rest["interactions"]) == 1
    assert "nextPageToken" not in rest
    exact = ok(api.get(HISTORY, params={"fromDate": "2024-01-01", "maxSize": "101"}))
    assert len(exact["interactions"]) == 101
    assert "nextPageToken" not in exact


def test_sort_by_start_date_then_id_both_ways(api: Api, store: Store) -> None:
    same = datetime(2024, 3, 1, 10, tzinfo=UTC)
    seed(
        store,
        make_interaction(id="b", start_date=same),
        make_interaction(id="c", start_date=same - timedelta(minutes=1)),
        make_interaction(id="a", start_date=same),
        make_interaction(id="d", start_date=same + timedelta(minutes=1)),
    )
    assert ids(ok(api.get(HISTORY, params={**MARCH_1, "sort": "asc"}))) == ["c", "a", "b", "d"]
    assert ids(ok(api.get(HISTORY, params={**MARCH_1, "sort": "DESC"}))) == ["d", "b", "a", "c"]
    assert ids(ok(api.get(HISTORY, params=MARCH_1))) == ["d", "b", "a", "c"]  # desc by default


def test_paging_across_inserts_never_repeats_or_skips(api: Api, store: Store) -> None:
    start = datetime(2024, 3, 1, 8, tzinfo=UTC)
    seed(
        store,
        *(make_interaction(id=f"o{i}", start_date=start + timedelta(minutes=i)) for i in range(7)),
    )
    params = {**MARCH_1, "sort": "asc", "maxSize": "2"}
    seen: list[str] = []
    token = None
    while True:
        body = ok(api.get(HISTORY, params={**params, **({"pageToken": token} if token else {})}))
        seen += ids(body)
        if len(seen) == 2:  # rows behind the cursor and ahead of it arrive meanwhile
            seed(
                store,
                make_interaction(id="behind", start_date=start - timedelta(minutes=1)),
                make_interaction(id="o0tie", start_date=start + timedelta(minutes=1)),  # before o1
                make_interaction(id="ahead", start_date=start + timedelta(minutes=4, seconds=30)),
            )
        token = body.get("nextPageToken")
        if not token:
            break
    assert len(seen) == len(set(seen))
    assert seen == ["o0", "o1", "o2", "o3", "o4", "ahead", "o5", "o6"]


def test_page_token_is_bound_to_its_query(api: Api, store: Store) -> None:
    seed(store, *(make_interaction() for _ in range(3)))
    token = ok(api.get(HISTORY, params={**MARCH_1, "maxSize": "1"}))["nextPageToken"]
    moved = api.get(
        HISTORY, params={**MARCH_1, "maxSize": "1", "mediaType": "chat", "pageToken": token}
    )
    assert moved.status_code == 400
    assert "pageToken" in moved.json()["statusMessage"]
    resized = api.get(HISTORY, params={**MARCH_1, "maxSize": "2", "pageToken": token})
    assert len(ok(resized)["interactions"]) == 2  # the page size may change between pages


def test_filters_media_state_type_owner_contact_and_custom(
    api: Api, store: Store, people: People
) -> None:
    contact = seed_contact(store)
    seed(
        store,
        make_interaction(id="chat", media_type=MediaType.CHAT, **owned(people.agent)),
        make_interaction(
            id="mail", media_type=MediaType.EMAIL, state=State.NEW, contact_id=contact.id
        ),
        make_interaction(
            id="call",
            type_id=InteractionType.OUTBOUND,
            custom_attributes={"SearchId": "1", "Team": "x"},
            **owned(people.other_agent),
        ),
    )

    def found(**params: str) -> list[str]:
        return sorted(ids(ok(api.get(HISTORY, params={**MARCH_1, **params}))))

    assert found(mediaType="Chat,email") == ["chat", "mail"]
    assert sorted(
        ids(ok(api.get(f"{HISTORY}?fromDate=2024-03-01&mediaType=chat&mediaType=call")))
    ) == [
        "call",
        "chat",
    ]
    assert found(state="new") == ["mail"]
    assert found(typeId="Outbound,Consult") == ["call"]
    assert found(userId=people.agent.id) == ["chat"]
    assert found(contactId=contact.id) == ["mail"]
    assert found(**{"searchCustomAttributes.SearchId": "1"}) == ["call"]
    assert (
        found(**{"searchCustomAttributes.SearchId": "1", "searchCustomAttributes.Team": "y"}) == []
    )
    assert found(source="main") == ["call", "chat", "mail"]
    assert found(source="archive") == []


def test_contact_history_is_that_contacts_history(api: Api, store: Store) -> None:
    mine, other = seed_contact(store), seed_contact(store)
    seed(
        store,
        make_interaction(id="m1", contact_id=mine.id),
        make_interaction(id="m2", contact_id=mine.id, media_type=MediaType.CHAT),
        make_interaction(id="o1", contact_id=other.id),
    )
    path = f"/api/v2/ucs/contacts/{mine.id}/interactions"
    assert ids(ok(api.get(path, params={**MARCH_1, "sort": "asc"}))) == ["m1", "m2"]
    assert ids(ok(api.get(path, params={**MARCH_1, "mediaType": "chat"}))) == ["m2"]
    page = ok(api.get(path, params={**MARCH_1, "maxSize": "1", "sort": "asc"}))
    rest = ok(
        api.get(
            path,
            params={**MARCH_1, "maxSize": "1", "sort": "asc", "pageToken": page["nextPageToken"]},
        )
    )
    assert ids(page) + ids(rest) == ["m1", "m2"]
    assert ok(
        api.get(f"/api/v2/ucs/contacts/{mine.id}/interactions", params={"fromDate": "2030-01-01"})
    ) == {
        "statusCode": 0,
        "interactions": [],
    }


def test_chat_content_puts_messages_beside_the_interaction(api: Api, store: Store) -> None:
    messages = make_messages(3)
    seed(
        store,
        make_interaction(
            id="chat1",
            media_type=MediaType.CHAT,
            messages=messages,
            external_id="chat-session-9",
            custom_attributes={"A": "1", "B": "2"},
        ),
    )
    body = ok(api.get(f"{HISTORY}/chat1"))
    assert set(body) == {"statusCode", "interaction", "messages"}
    interaction = body["interaction"]
    assert "messages" not in interaction
    assert "externalId" not in interaction
    assert interaction["path"] == "/interactions/chat1"
    assert interaction["uri"] == f"{BASE_URL}/interactions/chat1"
    assert interaction["customAttributes"] == {"A": "1", "B": "2"}
    first = body["messages"][0]
    assert first == {
        "index": 0,
        "type": "Text",
        "timestamp": "2024-03-01 11:00:00.130+0200",
        "from": {"nickname": "Ann", "type": "Customer", "participantId": "p0"},
        "visibility": "All",
        "timestampSeconds": int(messages[0].timestamp.timestamp() * 1000),
        "text": "message 0 ünïcode",
    }
    assert [m["index"] for m in body["messages"]] == [0, 1, 2]


def test_chat_without_a_transcript_has_empty_messages(api: Api, store: Store) -> None:
    seed(store, make_interaction(id="sms1", media_type=MediaType.SMSSESSION))
    assert ok(api.get(f"{HISTORY}/sms1"))["messages"] == []


def test_email_content_is_inside_the_interaction(api: Api, store: Store) -> None:
    seed(store, make_interaction(id="mail1", media_type=MediaType.EMAIL, email=make_email()))
    body = ok(api.get(f"{HISTORY}/mail1"))
    assert set(body) == {"statusCode", "interaction"}
    assert body["interaction"]["email"] == {
        "from": "ann@example.com",
        "to": ["support@example.com"],
        "cc": ["boss@example.com"],
        "subject": "Order 42",
        "bodyAsPlainText": "Hello,\nwhere is my order?",
        "body": "<p>Hello,<br>where is my order?</p>",
        "mime": "text/html",
        "attachments": [
            {"id": "att1", "name": "invoice.pdf", "size": 1234, "mime": "application/pdf"}
        ],
    }


def test_call_content_has_no_messages(api: Api, store: Store) -> None:
    seed(store, make_interaction(id="call1"))
    body = ok(api.get(f"{HISTORY}/call1"))
    assert set(body) == {"statusCode", "interaction"}
    assert (
        ok(api.get(f"{HISTORY}/call1", params={"source": "main"}))["interaction"]["id"] == "call1"
    )
    assert api.get(f"{HISTORY}/call1", params={"source": "archive"}).status_code == 404


def test_me_is_the_gws_user_resource(api: Api, people: People) -> None:
    body = ok(api.get("/api/v2/me", user=people.agent))
    assert body == {
        "statusCode": 0,
        "user": {
            "id": people.agent.id,
            "userName": "agent1",
            "firstName": "Ann",
            "lastName": "Lee",
            "roles": ["ROLE_AGENT"],
            "enabled": True,
            "changePasswordOnFirstLogin": False,
            "uri": f"{BASE_URL}/users/{people.agent.id}",
            "path": f"/users/{people.agent.id}",
        },
    }
    assert ok(api.get("/api/v2/me", params={"subresources": "*"}))["user"]["roles"] == [
        "ROLE_ADMIN"
    ]


def test_version(api: Api, people: People) -> None:
    from openucs import __version__

    assert ok(api.get("/api/v2/diagnostics/version", user=people.agent)) == {
        "statusCode": 0,
        "version": __version__,
    }


def test_openapi_document_is_public_and_lists_the_routes(api: Api) -> None:
    response = api.get("/schema/openapi.json", user=None)
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/v2/ucs/interactions",
        "/api/v2/ucs/contacts/{contact_id}/interactions",
        "/api/v2/ucs/interactions/{interaction_id}",
        "/api/v2/me",
        "/openucs/v1/interactions",
        "/openucs/v1/interactions/bulk",
        "/openucs/v1/contacts",
        "/openucs/v1/users",
        "/openucs/v1/logout",
    ):
        assert path in paths
    names = {p["name"] for p in paths["/api/v2/ucs/interactions"]["get"]["parameters"]}
    assert {"fromDate", "toDate", "mediaType", "maxSize", "pageToken", "customAttributes"} <= names
