"""What every decoder refuses, whichever route or file a value comes from: JSON nested deeper
than `MAX_JSON_DEPTH`, the NUL character in any string or name (PostgreSQL cannot store it, so
SQLite must not either), and a `callDuration` beyond `MAX_CALL_DURATION`. Errors name the
field by its path in the document (`userData.a.b`, `messages[2].text`)."""

from __future__ import annotations

from typing import Any

from openucs.errors import InvalidInput, OutOfRange

MAX_JSON_DEPTH = 64  # objects and arrays in a request body or an NDJSON line, the root counted
MAX_CALL_DURATION = 2**31 - 1  # seconds (68 years): the largest INTEGER on every engine
NUL = "\x00"


def too_deep(field: str) -> InvalidInput:
    return InvalidInput(field, f"is nested deeper than {MAX_JSON_DEPTH} levels")


def check_json(field: str, value: Any, *, depth: int = 0) -> None:
    """Refuses `value` (decoded JSON: dicts, lists, scalars) when it nests more than the limit
    (counting the `depth` levels around it) or holds a NUL in a string or a key."""
    stack: list[tuple[str, Any, int]] = [(field, value, depth)]
    while stack:
        path, item, level = stack.pop()
        if isinstance(item, str):
            check_text(path, item)
        elif isinstance(item, dict | list):
            if level >= MAX_JSON_DEPTH:
                raise too_deep(field or "body")
            stack.extend(_children(path, item, level + 1))


def _children(path: str, item: dict[Any, Any] | list[Any], level: int) -> list[Any]:
    if isinstance(item, list):
        return [(f"{path}[{n}]", v, level) for n, v in enumerate(item)]
    children = []
    for key, v in item.items():
        name = f"{path}.{key}" if path else str(key)
        if isinstance(key, str) and NUL in key:
            raise InvalidInput(path or "body", f"name {key!r} contains a NUL character")
        children.append((name, v, level))
    return children


def check_text(field: str, value: str) -> str:
    if NUL in value:
        raise InvalidInput(field, "contains a NUL character (\\u0000)")
    return value


def call_duration(field: str, value: int | None) -> int | None:
    """Seconds, 0 to `MAX_CALL_DURATION`."""
    if value is None:
        return None
    if value < 0:
        raise InvalidInput(field, "must not be negative")
    if value > MAX_CALL_DURATION:
        raise OutOfRange(field, f"{value} is larger than {MAX_CALL_DURATION} seconds")
    return value
