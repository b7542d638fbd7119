"""The Bayeux 1.0 protocol of the CometD server, without HTTP: a batch of messages in, the
replies (and the messages delivered by a long poll) out.

Meta channels: /meta/handshake, /meta/connect, /meta/subscribe, /meta/unsubscribe,
/meta/disconnect. Only the `long-polling` connection type exists (GWS 8.5 has no WebSocket).
Every message must come with the authenticated user of the HTTP request; a client id is bound
to the user that handshook it, and is "unknown" to anybody else. Clients cannot publish: the
server alone publishes (operation results), to the users they concern.

Errors use the Bayeux `code:args:message` form: 400 bad message, 402 unknown client (advice
`handshake`), 403 denied. The clients of a user who may no longer log in (disabled, deleted)
are ended by the server: a held /meta/connect answers at once with `403::user may not log in`
and advice `reconnect: none`, the Bayeux way of ending a session (events/clients.py
`end_user`). The ack extension (`ext: {"ack": ...}`) is supported, so a client that
uses it loses nothing even when a poll answer is lost on the way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from openucs.events.channels import is_meta, is_pattern
from openucs.events.clients import ClientRegistry, CometClient, Message

HANDSHAKE = "/meta/handshake"
CONNECT = "/meta/connect"
SUBSCRIBE = "/meta/subscribe"
UNSUBSCRIBE = "/meta/unsubscribe"
DISCONNECT = "/meta/disconnect"
LONG_POLLING = "long-polling"
VERSION = "1.0"
MAX_BATCH = 100
MAX_PATTERNS = 100  # subscriptions of one client
ENDED = "403::user may not log in"


@dataclass(frozen=True, slots=True)
class BayeuxConfig:
    """Advice given to clients (milliseconds, as on the wire)."""

    timeout_ms: int = 30_000
    interval_ms: int = 0
    max_interval_ms: int = 15_000
    max_clients_per_user: int = 100

    def advice(self, reconnect: str = "retry") -> dict[str, Any]:
        return {
            "reconnect": reconnect,
            "interval": self.interval_ms,
            "timeout": self.timeout_ms,
            "maxInterval": self.max_interval_ms,
        }


class SubscriptionHook(Protocol):
    async def subscribing(
        self, client: CometClient, names: list[str], message: dict[str, Any]
    ) -> str | None:
        """Called before `client` subscribes to `names` (valid patterns); an error in the
        `code:args:message` form refuses the subscription."""


class Bayeux:
    def __init__(self, registry: ClientRegistry, config: BayeuxConfig | None = None) -> None:
        self.registry = registry
        self.config = config or BayeuxConfig()
        # Server-side channels that need to see subscriptions (the change feed).
        self.hooks: list[SubscriptionHook] = []

    async def handle(self, body: object, *, user_id: str | None) -> list[Message]:
        """Answer one HTTP request's messages (an object or an array of them). The
        /meta/connect messages are answered last: the last one may wait for messages."""
        batch = body if isinstance(body, list) else [body]
        if not batch or len(batch) > MAX_BATCH:
            return [_error({}, "400::a request carries 1 to 100 messages")]
        replies: list[Message] = []
        connects: list[dict[str, Any]] = []
        for message in batch:
            if not isinstance(message, dict) or not isinstance(message.get("channel"), str):
                replies.append(_error({}, "400::a message is an object with a channel"))
            elif message["channel"] == CONNECT:
                connects.append(message)
            else:
                replies.append(await self._handle_one(message, user_id))
        for position, message in enumerate(connects):
            replies.extend(
                await self._connect(message, user_id, last=position == len(connects) - 1)
            )
        return replies

    async def _handle_one(self, message: dict[str, Any], user_id: str | None) -> Message:
        channel = message["channel"]
        if channel == HANDSHAKE:
            return self._handshake(message, user_id)
        client = self._client_for(message, user_id)
        if client is None:
            return self._unknown_client(message)
        self.registry.touch(client)
        if channel in (SUBSCRIBE, UNSUBSCRIBE):
            return await self._subscription(message, client, add=channel == SUBSCRIBE)
        if channel == DISCONNECT:
            client.closed_by_client = True
            self.registry.remove(client)
            return _reply(message, clientId=client.id, successful=True)
        if is_meta(channel):
            return _error(message, f"400:{channel}:unknown meta channel", clientId=client.id)
        return _error(message, "403::publishing is not allowed", clientId=client.id)

    # --- meta channels ---------------------------------------------------------------------
    def _handshake(self, message: dict[str, Any], user_id: str | None) -> Message:
        if user_id is None:
            return _error(message, "403::Handshake denied", advice={"reconnect": "none"})
        types = message.get("supportedConnectionTypes")
        if isinstance(types, list) and LONG_POLLING not in types:
            return _error(
                message,
                f"403:{','.join(map(str, types))}:unsupported connection types",
                supportedConnectionTypes=[LONG_POLLING],
                advice={"reconnect": "none"},
            )
        if len(self.registry.clients_of(user_id)) >= self.config.max_clients_per_user:
            return _error(
                message,
                "403::too many clients for this user",
                advice={
                    "reconnect": "handshake",
                    "interval": self.config.max_interval_ms,
                },
            )
        client = self.registry.create(user_id)
        reply = _reply(
            message,
            version=VERSION,
            minimumVersion=VERSION,
            supportedConnectionTypes=[LONG_POLLING],
            clientId=client.id,
            successful=True,
            advice=self.config.advice(),
        )
        ext = message.get("ext")
        if isinstance(ext, dict) and ext.get("ack") is True:
            client.ack_enabled = True
            reply["ext"] = {"ack": True}
        return reply

    async def _connect(
        self, message: dict[str, Any], user_id: str | None, *, last: bool
    ) -> list[Message]:
        client = self._client_for(message, user_id)
        if client is None:
            return [self._unknown_client(message)]
        if message.get("connectionType", LONG_POLLING) != LONG_POLLING:
            return [_error(message, "400::unsupported connectionType", clientId=client.id)]
        ext = message.get("ext")
        if client.ack_enabled and isinstance(ext, dict) and isinstance(ext.get("ack"), int):
            self.registry.acknowledge(client, ext["ack"])
        first = not client.connected
        client.connected = True
        timeout = self._poll_timeout(message)
        messages = await self.registry.poll(client, timeout, hold=last and not first)
        if self.registry.get(client.id) is not client:
            if client.closed_by_client:
                return [
                    _reply(
                        message, clientId=client.id, successful=True, advice={"reconnect": "none"}
                    )
                ]
            if client.ended_by_server:
                return [_ended(message, client)]
            return [self._unknown_client(message)]
        reply = _reply(message, clientId=client.id, successful=True, advice=self.config.advice())
        if client.ack_enabled:
            reply["ext"] = {"ack": client.batch}
        return [*messages, reply]

    def _poll_timeout(self, message: dict[str, Any]) -> float:
        """The server's timeout, shortened when the client asks (advice.timeout, e.g. 0)."""
        timeout = self.config.timeout_ms
        advice = message.get("advice")
        if isinstance(advice, dict):
            asked = advice.get("timeout")
            if isinstance(asked, int) and not isinstance(asked, bool) and 0 <= asked < timeout:
                timeout = asked
        return timeout / 1000

    async def _subscription(
        self, message: dict[str, Any], client: CometClient, *, add: bool
    ) -> Message:
        raw = message.get("subscription")
        given: list[object] = raw if isinstance(raw, list) else [raw]
        names = [n for n in given if isinstance(n, str) and is_pattern(n) and not is_meta(n)]
        bad = [n for n in given if n not in names]
        if not names or bad or (add and len(client.subscriptions) + len(names) > MAX_PATTERNS):
            return _error(
                message,
                f"400:{bad[0] if bad else ''}:invalid subscription",
                clientId=client.id,
                subscription=raw,
            )
        if add:
            for hook in self.hooks:
                refused = await hook.subscribing(client, names, message)
                if refused is not None:
                    return _error(message, refused, clientId=client.id, subscription=raw)
            client.subscriptions.update(names)
        else:
            client.subscriptions.difference_update(names)
        return _reply(message, clientId=client.id, subscription=raw, successful=True)

    # --- helpers ---------------------------------------------------------------------------
    def _client_for(self, message: dict[str, Any], user_id: str | None) -> CometClient | None:
        client = self.registry.get(message.get("clientId"))
        if client is None or user_id is None or client.user_id != user_id:
            return None
        return client

    def unknown_client(self, message: dict[str, Any]) -> Message:
        """The answer to a message naming a client this server does not know."""
        return self._unknown_client(message)

    def _unknown_client(self, message: dict[str, Any]) -> Message:
        advice = {"reconnect": "handshake", "interval": self.config.interval_ms}
        return _error(message, "402::Unknown client", advice=advice)


def _ended(message: dict[str, Any], client: CometClient) -> Message:
    """The answer to a poll of a client the server ended (its user may no longer log in):
    reconnect none, so the client stops instead of handshaking again."""
    return _error(message, ENDED, clientId=client.id, advice={"reconnect": "none", "interval": 0})


def _reply(message: dict[str, Any], **fields: Any) -> Message:
    reply: Message = {"channel": message.get("channel", "")}
    if "id" in message:
        reply["id"] = message["id"]
    reply.update(fields)
    return reply


def _error(message: dict[str, Any], error: str, **fields: Any) -> Message:
    return _reply(message, successful=False, error=error, **fields)
