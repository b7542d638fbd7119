import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

from openucs.events.bayeux import ENDED, Bayeux, BayeuxConfig
from openucs.events.clients import ClientRegistry, Message

TOPIC = "/v2/ucs/interactions"
T = TypeVar("T")


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(asyncio.wait_for(coro, 10))


def server(**config: Any) -> Bayeux:
    return Bayeux(ClientRegistry(), BayeuxConfig(**config))


async def handshake(bayeux: Bayeux, user: str = "u1", **extra: Any) -> Message:
    [reply] = await bayeux.handle(
        {
            "channel": "/meta/handshake",
            "version": "1.0",
            "id": "1",
            "supportedConnectionTypes": ["long-polling"],
            **extra,
        },
        user_id=user,
    )
    assert reply["successful"], reply
    return reply


async def connected_client(bayeux: Bayeux, user: str = "u1", subscribe: str = TOPIC) -> str:
    client_id: str = (await handshake(bayeux, user))["clientId"]
    replies = await bayeux.handle(
        [
            {"channel": "/meta/subscribe", "clientId": client_id, "subscription": subscribe},
            {"channel": "/meta/connect", "clientId": client_id, "connectionType": "long-polling"},
        ],
        user_id=user,
    )
    assert all(r["successful"] for r in replies), replies
    return client_id


def connect(client_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "channel": "/meta/connect",
        "clientId": client_id,
        "connectionType": "long-polling",
        **extra,
    }


def test_handshake_reply_carries_client_id_and_advice() -> None:
    reply = run(handshake(server(timeout_ms=1234, interval_ms=5, max_interval_ms=999)))
    assert reply["channel"] == "/meta/handshake"
    assert reply["id"] == "1"
    assert reply["version"] == "1.0"
    assert reply["supportedConnectionTypes"] == ["long-polling"]
    assert reply["clientId"]
    assert reply["advice"] == {
        "reconnect": "retry",
        "interval": 5,
        "timeout": 1234,
        "maxInterval": 999,
    }


def test_handshake_without_an_authenticated_user_is_refused() -> None:
    [reply] = run(server().handle({"channel": "/meta/handshake", "version": "1.0"}, user_id=None))
    assert reply["successful"] is False
    assert reply["error"].startswith("403:")
    assert reply["advice"]["reconnect"] == "none"
    assert "clientId" not in reply


def test_handshake_needs_long_polling() -> None:
    [reply] = run(
        server().handle(
            {"channel": "/meta/handshake", "supportedConnectionTypes": ["websocket"]}, user_id="u"
        )
    )
    assert reply["successful"] is False
    assert reply["supportedConnectionTypes"] == ["long-polling"]


def test_too_many_clients_for_one_user() -> None:
    async def scenario() -> None:
        bayeux = server(max_clients_per_user=2)
        await handshake(bayeux)
        await handshake(bayeux)
        [reply] = await bayeux.handle({"channel": "/meta/handshake"}, user_id="u1")
        assert reply["successful"] is False
        await handshake(bayeux, user="u2")

    run(scenario())


def test_first_connect_answers_at_once_later_ones_wait_for_a_message() -> None:
    async def scenario() -> None:
        bayeux = server(timeout_ms=30_000)
        client_id = await connected_client(bayeux)
        held = asyncio.create_task(bayeux.handle(connect(client_id, id="7"), user_id="u1"))
        await asyncio.sleep(0.01)
        assert not held.done()
        bayeux.registry.deliver("u1", TOPIC, {"referenceId": 3})
        event, reply = await held
        assert event == {"channel": TOPIC, "data": {"referenceId": 3}}
        assert reply["channel"] == "/meta/connect" and reply["successful"] and reply["id"] == "7"
        assert reply["advice"]["reconnect"] == "retry"

    run(scenario())


def test_several_messages_batched_in_one_poll_answer() -> None:
    async def scenario() -> None:
        bayeux = server()
        client_id = await connected_client(bayeux, subscribe="/v2/**")
        for n in range(5):
            bayeux.registry.deliver("u1", TOPIC, {"referenceId": n})
        replies = await bayeux.handle([connect(client_id)], user_id="u1")
        assert [r["data"]["referenceId"] for r in replies[:-1]] == list(range(5))
        assert replies[-1]["channel"] == "/meta/connect"

    run(scenario())


def test_poll_times_out_with_a_successful_empty_answer() -> None:
    async def scenario() -> None:
        bayeux = server(timeout_ms=20)
        client_id = await connected_client(bayeux)
        [reply] = await bayeux.handle(connect(client_id), user_id="u1")
        assert reply["successful"] is True

    run(scenario())


def test_client_may_ask_for_an_immediate_answer() -> None:
    async def scenario() -> None:
        bayeux = server(timeout_ms=30_000)
        client_id = await connected_client(bayeux)
        [reply] = await bayeux.handle(connect(client_id, advice={"timeout": 0}), user_id="u1")
        assert reply["successful"] is True

    run(scenario())


def test_unknown_client_is_told_to_handshake() -> None:
    [reply] = run(server().handle(connect("nope", id="2"), user_id="u1"))
    assert reply == {
        "channel": "/meta/connect",
        "id": "2",
        "successful": False,
        "error": "402::Unknown client",
        "advice": {"reconnect": "handshake", "interval": 0},
    }


def test_a_client_id_is_unknown_to_another_user_and_to_nobody() -> None:
    async def scenario() -> None:
        bayeux = server()
        client_id = await connected_client(bayeux, user="u1")
        for user in ("u2", None):
            [reply] = await bayeux.handle(connect(client_id), user_id=user)
            assert reply["error"] == "402::Unknown client"
            [reply] = await bayeux.handle(
                {"channel": "/meta/subscribe", "clientId": client_id, "subscription": "/v2/**"},
                user_id=user,
            )
            assert reply["successful"] is False

    run(scenario())


def test_subscribe_validation_and_unsubscribe() -> None:
    async def scenario() -> None:
        bayeux = server()
        client_id = (await handshake(bayeux))["clientId"]
        client = bayeux.registry.get(client_id)
        assert client is not None

        async def sub(channel: str, subscription: object) -> Message:
            [reply] = await bayeux.handle(
                {"channel": channel, "clientId": client_id, "subscription": subscription},
                user_id="u1",
            )
            return reply

        assert (await sub("/meta/subscribe", ["/v2/me/*", TOPIC]))["successful"]
        assert client.subscriptions == {"/v2/me/*", TOPIC}
        for bad in ("/meta/connect", "/v2/*/x", "no-slash", None, 5):
            reply = await sub("/meta/subscribe", bad)
            assert reply["successful"] is False and reply["error"].startswith("400:"), bad
        reply = await sub("/meta/unsubscribe", "/v2/me/*")
        assert reply == {
            "channel": "/meta/unsubscribe",
            "clientId": client_id,
            "subscription": "/v2/me/*",
            "successful": True,
        }
        assert client.subscriptions == {TOPIC}

    run(scenario())


def test_disconnect_removes_the_client_and_ends_its_poll() -> None:
    async def scenario() -> None:
        bayeux = server()
        client_id = await connected_client(bayeux)
        held = asyncio.create_task(bayeux.handle(connect(client_id), user_id="u1"))
        await asyncio.sleep(0.01)
        [reply] = await bayeux.handle(
            {"channel": "/meta/disconnect", "clientId": client_id}, user_id="u1"
        )
        assert reply["successful"]
        [ended] = await held
        assert ended["advice"] == {"reconnect": "none"}
        assert bayeux.registry.get(client_id) is None

    run(scenario())


def test_ending_a_user_answers_their_held_polls_at_once_and_delivers_nothing_more() -> None:
    async def scenario() -> None:
        bayeux = server(timeout_ms=30_000)
        mine = [await connected_client(bayeux), await connected_client(bayeux)]
        other = await connected_client(bayeux, user="u2")
        held = asyncio.create_task(bayeux.handle(connect(mine[0]), user_id="u1"))
        await asyncio.sleep(0.01)

        assert bayeux.registry.end_user("u1") == 2

        [ended] = await asyncio.wait_for(held, 1)
        assert ended["successful"] is False and ended["error"] == ENDED
        assert ended["advice"]["reconnect"] == "none" and ended["clientId"] == mine[0]
        assert bayeux.registry.deliver("u1", TOPIC, {"n": 1}) == 0
        assert bayeux.registry.user_ids() == ["u2"]
        [later] = await bayeux.handle(connect(mine[1]), user_id="u1")
        assert later["error"] == "402::Unknown client"
        assert bayeux.registry.deliver("u2", TOPIC, {"n": 2}) == 1
        assert bayeux.registry.get(other) is not None

    run(scenario())


def test_clients_cannot_publish_and_bad_messages_are_refused() -> None:
    async def scenario() -> None:
        bayeux = server()
        client_id = await connected_client(bayeux)
        replies = await bayeux.handle(
            [
                {"channel": TOPIC, "clientId": client_id, "data": {}},
                {"channel": "/meta/nothing", "clientId": client_id},
                {"no": "channel"},
                42,
            ],
            user_id="u1",
        )
        assert [r["successful"] for r in replies] == [False] * 4
        assert replies[0]["error"].startswith("403:")
        assert [r["successful"] for r in await bayeux.handle([], user_id="u1")] == [False]

    run(scenario())


def test_ack_extension_is_negotiated_and_acknowledged() -> None:
    async def scenario() -> None:
        bayeux = server()
        reply = await handshake(bayeux, ext={"ack": True})
        assert reply["ext"] == {"ack": True}
        client_id = reply["clientId"]
        await bayeux.handle(
            {"channel": "/meta/subscribe", "clientId": client_id, "subscription": TOPIC},
            user_id="u1",
        )
        bayeux.registry.deliver("u1", TOPIC, 1)
        first = await bayeux.handle(connect(client_id, ext={"ack": -1}), user_id="u1")
        batch = first[-1]["ext"]["ack"]
        # the answer is lost: the next connect acknowledges the previous batch only
        again = await bayeux.handle(
            connect(client_id, ext={"ack": batch - 1}, advice={"timeout": 0}), user_id="u1"
        )
        assert [m["data"] for m in again[:-1]] == [1]
        done = await bayeux.handle(
            connect(client_id, ext={"ack": again[-1]["ext"]["ack"]}, advice={"timeout": 0}),
            user_id="u1",
        )
        assert len(done) == 1

    run(scenario())
