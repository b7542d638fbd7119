"""The webhook routes through the app, on every engine: admins manage endpoints, the secret is
in the create answer only, bad input is a 400 naming its field, non-public targets are refused
unless allowed, and deliveries are listed (with their attempts), read one by one and
redelivered."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from openucs.config import Settings
from openucs.domain.changes import ChangeType
from openucs.domain.formats import format_gws, to_millis
from openucs.domain.webhooks import Delivery, DeliveryStatus
from openucs.store import Store
from openucs.store.schema import webhook_attempts
from tests.api.conftest import BASE_URL, ZONE, Api

PUBLIC = "https://93.184.215.14/hook"
ZONE_INFO = ZoneInfo(ZONE)
HOOKS = "/openucs/v1/webhooks"


@pytest.fixture
def settings() -> Settings:
    return Settings(public_base_url=BASE_URL, timezone=ZONE, webhook_workers=1)


def _create(api: Api, **body: object) -> dict[str, object]:
    answer = api.post(HOOKS, json={"url": PUBLIC, "enabled": False, **body})
    assert answer.status_code == 201, answer.text
    return answer.json()["webhook"]  # type: ignore[no-any-return]


def test_the_secret_is_shown_once(api: Api) -> None:
    made = _create(api, types=["interaction.created"], q="mediaType:email")
    secret = made["secret"]
    assert isinstance(secret, str) and secret.startswith("whsec_") and len(secret) > 40
    assert made["types"] == ["interaction.created"] and made["q"] == "mediaType:email"
    assert made["cursor"] == 0 and made["enabled"] is False
    listed = api.get(HOOKS).json()["webhooks"]
    one = api.get(f"{HOOKS}/{made['id']}").json()["webhook"]
    patched = api.patch(f"{HOOKS}/{made['id']}", json={"secret": "s" * 20}).json()["webhook"]
    for shown in (*listed, one, patched):
        assert "secret" not in shown
    assert secret not in api.get(HOOKS).text

    given = _create(api, secret="my-own-secret-0123")
    assert given["secret"] == "my-own-secret-0123"


def test_an_endpoint_is_changed_and_deleted(api: Api) -> None:
    made = _create(api, q="refund")
    path = f"{HOOKS}/{made['id']}"
    answer = api.patch(path, json={"q": "", "types": ["contact.created"], "enabled": True})
    assert answer.status_code == 200, answer.text
    changed = answer.json()["webhook"]
    assert "q" not in changed and changed["types"] == ["contact.created"] and changed["enabled"]
    api.patch(path, json={"enabled": False})
    assert api.delete(path).json() == {"statusCode": 0}
    for method in ("get", "delete"):
        gone = getattr(api, method)(path)
        assert gone.status_code == 404 and gone.json()["statusCode"] != 0
    assert api.patch(path, json={"enabled": True}).status_code == 404


def test_a_new_endpoint_starts_at_the_last_seq_or_after(api: Api) -> None:
    for n in range(3):
        new = {"id": f"N{n}", "mediaType": "chat", "startDate": "2024-03-01T10:00:00Z"}
        assert api.post("/openucs/v1/interactions", json=new).status_code == 201
    assert _create(api)["cursor"] == 3
    assert _create(api, after=1)["cursor"] == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "ftp://93.184.215.14/"}, "url"),
        ({"url": "https://user:pw@93.184.215.14/"}, "url"),
        ({"url": "http://127.0.0.1:9/"}, "url"),
        ({"url": "http://10.1.2.3/"}, "url"),
        ({"url": "http://169.254.169.254/latest"}, "url"),
        ({"url": "http://[::1]/"}, "url"),
        ({"url": "http://[fe80::1]/"}, "url"),
        ({"url": "http://[::ffff:192.168.0.1]/"}, "url"),
        ({"url": "http://0.0.0.0/"}, "url"),
        ({"url": "not a url"}, "url"),
        ({"url": PUBLIC, "secret": "short"}, "secret"),
        ({"url": PUBLIC, "secret": "has spaces in it, no"}, "secret"),
        ({"url": PUBLIC, "types": ["interaction.exploded"]}, "types"),
        ({"url": PUBLIC, "q": "(unclosed"}, "q"),
        ({"url": PUBLIC, "after": 5}, "after"),
        ({"url": PUBLIC, "after": -1}, "after"),
        ({"url": PUBLIC, "enabled": "yes"}, "enabled"),
        ({"url": PUBLIC, "colour": "red"}, "colour"),
        ({}, "url"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api: Api, body: dict[str, object], field: str) -> None:
    answer = api.post(HOOKS, json=body)
    assert answer.status_code == 400, answer.text
    assert field in answer.json()["statusMessage"]


def test_a_patch_is_checked_as_a_create(api: Api) -> None:
    path = f"{HOOKS}/{_create(api)['id']}"
    for body, field in (({"url": "http://192.168.1.1/"}, "url"), ({"q": "AND"}, "q")):
        answer = api.patch(path, json=body)
        assert answer.status_code == 400 and field in answer.json()["statusMessage"]


def test_only_admins_manage_webhooks(api: Api) -> None:
    made = _create(api)
    for user in (api.people.agent, api.people.supervisor):
        assert api.get(HOOKS, user=user).status_code == 403
        assert api.post(HOOKS, json={"url": PUBLIC}, user=user).status_code == 403
        assert api.delete(f"{HOOKS}/{made['id']}", user=user).status_code == 403
    assert api.get(HOOKS, user=None).status_code == 401


class TestAllowed:
    @pytest.fixture
    def settings(self) -> Settings:
        return Settings(webhook_allow_private_targets=True, webhook_workers=1)

    def test_a_loopback_target_is_taken(self, api: Api) -> None:
        made = _create(api, url="http://127.0.0.1:9/")
        assert made["url"] == "http://127.0.0.1:9/"


def test_deliveries_are_listed_and_redelivered(api: Api, store: Store) -> None:
    made = _create(api)
    path = f"{HOOKS}/{made['id']}/deliveries"
    done = Delivery(
        id="D1",
        webhook_id=str(made["id"]),
        seq=1,
        type=ChangeType.INTERACTION_CREATED,
        status=DeliveryStatus.FAILED,
        attempts=16,
        created_at=store.webhooks()[0].created_at,
        next_attempt_at=None,
        last_attempt_at=store.webhooks()[0].created_at,
        last_status_code=500,
        last_error=None,
    )
    assert store.add_delivery(done)
    [listed] = api.get(path).json()["deliveries"]
    assert (listed["id"], listed["status"], listed["attempts"]) == ("D1", "failed", 16)
    assert listed["lastStatusCode"] == 500 and "nextAttemptAt" not in listed
    store.delete_webhook(str(made["id"]))

    made = _create(api)
    path = f"{HOOKS}/{made['id']}/deliveries"
    assert store.add_delivery(replace(done, webhook_id=str(made["id"]), id="D2"))
    answer = api.post(f"{path}/D2/redeliver")
    assert answer.status_code == 202, answer.text
    again = answer.json()["delivery"]
    assert again["id"] != "D2" and again["seq"] == 1 and again["status"] == "pending"
    assert again["attempts"] == 0 and again["type"] == "interaction.created"
    assert api.get(path).json()["deliveries"][0]["id"] == again["id"]
    assert api.post(f"{path}/NOPE/redeliver").status_code == 404
    assert api.get(f"{path}?limit=0").status_code == 400
    assert api.get(f"{HOOKS}/NOPE/deliveries").status_code == 404


def test_a_delivery_is_read_with_its_attempts(api: Api, store: Store) -> None:
    made = _create(api)
    path = f"{HOOKS}/{made['id']}/deliveries"
    created = store.webhooks()[0].created_at
    done = Delivery("D1", str(made["id"]), 1, ChangeType.INTERACTION_CREATED,
                    DeliveryStatus.DELIVERED, 2, created, None, created, 204, None)  # fmt: skip
    assert store.add_delivery(done)
    tried: list[dict[str, Any]] = [
        {"number": 2, "at_ms": to_millis(created) + 10_000, "status_code": 204, "error": None,
         "duration_ms": 12},
        {"number": 1, "at_ms": to_millis(created), "status_code": None, "error": "refused",
         "duration_ms": 3},
    ]  # fmt: skip
    with store._write() as conn:  # type: ignore[attr-defined]
        for row in tried:
            conn.execute(
                webhook_attempts.insert().values(delivery_id="D1", webhook_id=made["id"], **row)
            )

    answer = api.get(f"{path}/D1")
    assert answer.status_code == 200, answer.text
    one = answer.json()["delivery"]
    assert (one["id"], one["status"], one["attempts"], one["lastStatusCode"]) == (
        "D1",
        "delivered",
        2,
        204,
    )
    assert one["attemptHistory"] == [
        {"number": 1, "at": format_gws(created, ZONE_INFO), "durationMs": 3, "error": "refused"},
        {
            "number": 2,
            "at": format_gws(created + timedelta(seconds=10), ZONE_INFO),
            "durationMs": 12,
            "statusCode": 204,
        },
    ]
    [listed] = api.get(path).json()["deliveries"]
    assert listed == one

    missing = api.get(f"{path}/NOPE")
    assert missing.status_code == 404
    assert missing.json()["statusCode"] != 0 and "NOPE" in missing.text
    assert api.get(f"{HOOKS}/NOPE/deliveries/D1").status_code == 404
