"""Reading the JSON documents of other platforms: records split out of a file, and typed
field access whose errors name the vendor's field."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import msgspec

from openucs.domain.formats import check_instant, parse_instant
from openucs.errors import InvalidInput

MAX_ATTRIBUTE_NAME = 128
MAX_ATTRIBUTE_VALUE = 1024
_decode = msgspec.json.decode


@dataclass(frozen=True, slots=True)
class Located:
    """A JSON object of a file and where it was: on a `line`, or at a JSON `path`."""

    value: Any
    line: int | None = None
    path: str | None = None

    def fail(self, exc: InvalidInput) -> InvalidInput:
        if self.line is not None:
            return exc.at_line(self.line)
        field = f"{self.path}.{exc.field}" if exc.field else str(self.path)
        return InvalidInput(field, exc.problem)


def json_records(data: bytes, *, wrapper: str | None = None) -> Iterator[Located]:
    """The objects of a JSON array (`[i]`), of a document holding them under `wrapper`
    (`wrapper[i]`), or one or more a line (NDJSON, and the concatenated objects that
    Firehose writes to S3), numbered by line."""
    head = data.lstrip()[:1]
    if head in (b"[", b"{"):
        try:
            document = _decode(data)
        except msgspec.DecodeError as exc:
            if head == b"[":
                raise InvalidInput("body", f"malformed JSON: {exc}") from None
            document = None  # more than one object: lines
        except RecursionError:
            raise InvalidInput("body", "is nested too deeply") from None
        if isinstance(document, list):
            yield from _items(document, "")
            return
        if isinstance(document, dict) and wrapper and wrapper in document:
            yield from _items(document[wrapper], wrapper)
            return
    for number, raw in enumerate(data.split(b"\n"), start=1):
        if raw.strip():
            for value in _line_objects(raw, number):
                yield Located(value, line=number)


def _items(value: Any, prefix: str) -> Iterator[Located]:
    if value is None:
        return
    if not isinstance(value, list):
        raise InvalidInput(prefix or "body", "must be an array of objects")
    for index, item in enumerate(value):
        yield Located(item, path=f"{prefix}[{index}]")


def _line_objects(raw: bytes, number: int) -> list[Any]:
    try:
        return [_decode(raw)]
    except msgspec.DecodeError as exc:
        problem = str(exc)
    except RecursionError:
        raise InvalidInput("", "is nested too deeply", line=number) from None
    # Firehose delivers records back to back without a separator: `}{` on one line.
    try:
        text = raw.decode()
        decoder, found, at = json.JSONDecoder(), [], 0
        while at < len(text.rstrip()):
            value, at = decoder.raw_decode(text, at)
            found.append(value)
            while at < len(text) and text[at].isspace():
                at += 1
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise InvalidInput("", f"malformed JSON: {problem}", line=number) from None
    return found


class Fields:
    """Typed reads of one JSON object; errors name the field by its path in the object."""

    def __init__(self, value: Any, prefix: str = "") -> None:
        if not isinstance(value, dict):
            raise InvalidInput(prefix, "must be an object")
        self.value: Mapping[str, Any] = value
        self.prefix = prefix

    def name(self, key: str) -> str:
        return f"{self.prefix}.{key}" if self.prefix else key

    def text(self, key: str, *, required: bool = False, max_length: int = 256) -> str | None:
        raw = self.value.get(key)
        if raw is None or raw == "":
            if required:
                raise InvalidInput(self.name(key), "is required")
            return None
        return checked_text(self.name(key), raw, max_length)

    def required_text(self, key: str, *, max_length: int = 256) -> str:
        found = self.text(key, required=True, max_length=max_length)
        assert found is not None  # noqa: S101 - text(required=True) raised otherwise
        return found

    def instant(self, key: str, *, required: bool = False) -> datetime | None:
        raw = self.text(key, required=required, max_length=64)
        return None if raw is None else instant(self.name(key), raw)

    def child(self, key: str) -> Fields | None:
        raw = self.value.get(key)
        return None if raw is None else Fields(raw, self.name(key))

    def children(self, key: str) -> list[Fields]:
        raw = self.value.get(key)
        if raw is None:
            return []
        if not isinstance(raw, list):
            raise InvalidInput(self.name(key), "must be an array")
        return [Fields(item, f"{self.name(key)}[{i}]") for i, item in enumerate(raw)]

    def attributes(self, key: str) -> dict[str, str]:
        """A string-to-string map, in the limits of custom attributes."""
        raw = self.value.get(key)
        if raw is None:
            return {}
        if not isinstance(raw, dict):
            raise InvalidInput(self.name(key), "must be an object of strings")
        found: dict[str, str] = {}
        for name, value in raw.items():
            field = f"{self.name(key)}.{name}"
            if not name or len(name) > MAX_ATTRIBUTE_NAME:
                raise InvalidInput(self.name(key), f"name {name[:40]!r} must be 1-128 characters")
            checked_text(field, name, MAX_ATTRIBUTE_NAME)
            if isinstance(value, bool):
                value = "true" if value else "false"
            elif not isinstance(value, str | int | float):
                raise InvalidInput(field, "must be a string")
            found[name] = checked_text(field, str(value), MAX_ATTRIBUTE_VALUE)
        return found


def instant(field: str, raw: str) -> datetime:
    """An ISO-8601 instant as the vendors write them (`...Z`), read by the C parser when it
    can (a third of a record's parsing otherwise), else by `parse_instant`'s rules."""
    if raw.endswith("Z") and len(raw) >= 20 and raw[4] == "-" and raw[10] == "T":
        try:
            return check_instant(field, datetime.fromisoformat(raw))
        except ValueError:
            pass  # the long way names the problem
    return parse_instant(field, raw, UTC)


def checked_text(field: str, raw: object, max_length: int) -> str:
    """A string the store can keep (no NUL, valid Unicode), at most `max_length` long."""
    if not isinstance(raw, str):
        raise InvalidInput(field, "must be a string")
    if len(raw) > max_length:
        raise InvalidInput(field, f"is longer than {max_length} characters")
    if "\x00" in raw:
        raise InvalidInput(field, "contains a NUL character")
    if not raw.isascii():
        try:
            raw.encode()
        except UnicodeEncodeError:
            raise InvalidInput(field, "is not valid Unicode") from None
    return raw


def split_name(full: str | None) -> tuple[str | None, str | None]:
    """(first, last) of a display name: the last word is the last name."""
    words = (full or "").split()
    if not words:
        return None, None
    if len(words) == 1:
        return None, words[0]
    return " ".join(words[:-1]), words[-1]
