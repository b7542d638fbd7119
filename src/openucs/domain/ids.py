"""Identifier formats: 16-char UCS ids for interactions and contacts, 32-hex user ids."""

from __future__ import annotations

import re
import secrets
import time
import uuid

_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
UCS_ID_RE = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")


def _base62(n: int, width: int) -> str:
    out = []
    for _ in range(width):
        n, r = divmod(n, 62)
        out.append(_ALPHABET[r])
    return "".join(reversed(out))


def new_ucs_id() -> str:
    """A 16-char UCS-style id: 8 chars of time (ms) then 8 random, so new ids sort late."""
    millis = time.time_ns() // 1_000_000
    return _base62(millis, 8) + "".join(secrets.choice(_ALPHABET) for _ in range(8))


def new_user_id() -> str:
    return uuid.uuid4().hex


def is_valid_ucs_id(value: str) -> bool:
    return bool(UCS_ID_RE.match(value))
