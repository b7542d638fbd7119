"""Session tokens (the `JSESSIONID` value) that prove themselves.

A token is `<session id>.<user id>.<issued>.<mac>`: a random session id, the user id (base64url),
the issue time (epoch seconds) and an HMAC-SHA256 of the three under a key that every server
process on the database shares (`Store.server_secret`). Minting one needs no I/O, so a Basic
answer can carry a new session each time without writing anything; checking one needs no I/O
either, so a forged or altered token is refused before the store is asked. The CSRF token of a
session is derived from its id under the same key: stable for the session, the same in every
process.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from openucs.store.base import Store

KEY_NAME = "session-token-key"
MAX_TOKEN_LENGTH = 512


@dataclass(frozen=True, slots=True)
class SessionToken:
    """A token whose signature checked out."""

    token: str
    session_id: str
    user_id: str
    issued: int  # epoch seconds

    @property
    def token_hash(self) -> str:
        return hash_token(self.token)


class TokenSigner:
    """Mints and checks session tokens under one key."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    @classmethod
    def shared(cls, store: Store) -> TokenSigner:
        """The signer of the key stored in the database (created by the first process)."""
        return cls(bytes.fromhex(store.server_secret(KEY_NAME, secrets.token_hex(32))))

    def mint(self, user_id: str, issued: int) -> SessionToken:
        session_id = secrets.token_urlsafe(16)
        body = f"{session_id}.{_b64encode(user_id.encode())}.{issued}"
        return SessionToken(f"{body}.{self._mac(body)}", session_id, user_id, issued)

    def parse(self, token: str) -> SessionToken | None:
        """The token's parts when its signature is right; None for anything else."""
        if len(token) > MAX_TOKEN_LENGTH:
            return None
        body, _, mac = token.rpartition(".")
        parts = body.split(".")
        if len(parts) != 3 or not hmac.compare_digest(mac.encode(), self._mac(body).encode()):
            return None
        session_id, user, issued = parts
        try:
            user_id = base64.urlsafe_b64decode(user + "=" * (-len(user) % 4)).decode()
        except (binascii.Error, UnicodeDecodeError):  # pragma: no cover - signed by us
            return None
        if not issued.isdigit():  # pragma: no cover - signed by us
            return None
        return SessionToken(token, session_id, user_id, int(issued))

    def csrf_token(self, session_id: str) -> str:
        return hmac.new(self._key, b"csrf\0" + session_id.encode(), hashlib.sha256).hexdigest()

    def _mac(self, body: str) -> str:
        # `hmac.digest` is the one-shot C function: no HMAC object per Basic request.
        return _b64encode(hmac.digest(self._key, body.encode(), "sha256"))


def hash_token(token: str) -> str:
    """The key of a session row: only this hash of the cookie is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
