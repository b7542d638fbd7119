"""CSV: one interaction a row, for exports of UCS databases and spreadsheets. The header names
the API's wire fields (`id`, `mediaType`, `startDate`, ...), `attr.NAME` columns give custom
attributes, `ownerInformation.userName` (or `.id`, `.firstName`, `.lastName`) the owner and
`contact.emailAddress`, `contact.phoneNumber`, `contact.firstName`, `contact.lastName` the
customer to identify. Each row becomes the JSON object the NDJSON import reads, decoded by the
same code (`gws.wire`), so that both formats accept the same values. Documented in
docs/importers.md."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import msgspec

from openucs.domain import rules
from openucs.domain.imports import Identity, ImportRecord, stable_id
from openucs.errors import InvalidInput
from openucs.gws import wire
from openucs.importers._fields import MAX_ATTRIBUTE_NAME
from openucs.importers.options import ImportOptions

NAMESPACE = "csv"
TEXT_FIELDS = (
    "id",
    "mediaType",
    "typeId",
    "state",
    "startDate",
    "endDate",
    "subject",
    "contactId",
    "parentId",
    "threadId",
    "comment",
    "phoneNumber",
    "externalId",
)
OWNER_FIELDS = ("id", "userName", "firstName", "lastName")
CONTACT_FIELDS = {
    "contact.emailAddress": "email",
    "contact.phoneNumber": "phone",
    "contact.firstName": "first_name",
    "contact.lastName": "last_name",
}
OTHER_FIELDS = frozenset(
    {"callDuration", "userData", *(f"ownerInformation.{f}" for f in OWNER_FIELDS)}
)
KNOWN = frozenset({*TEXT_FIELDS, *OTHER_FIELDS, *CONTACT_FIELDS})


def parse(data: bytes, options: ImportOptions) -> Iterator[ImportRecord]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput("body", f"is not UTF-8 (byte {exc.start})") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = _header(reader)
    start = reader.line_num + 1
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                yield _record(header, row, start, options)
            start = reader.line_num + 1
    except csv.Error as exc:
        raise InvalidInput("", f"malformed CSV: {exc}", line=reader.line_num) from None


def _header(reader: Any) -> list[str]:
    try:
        header = [name.strip() for name in next(reader, [])]
    except csv.Error as exc:
        raise InvalidInput("header", f"malformed CSV: {exc}", line=1) from None
    for name in header:
        if name in KNOWN:
            continue
        attribute = name.removeprefix("attr.")
        if name.startswith("attr.") and 0 < len(attribute) <= MAX_ATTRIBUTE_NAME:
            continue
        raise InvalidInput("header", f"unknown column {name[:80]!r}", line=1)
    if len(set(header)) < len(header):
        raise InvalidInput("header", "a column is named twice", line=1)
    for needed in ("mediaType", "startDate"):
        if needed not in header:
            raise InvalidInput("header", f"no {needed} column", line=1)
    return header


def _record(header: list[str], row: list[str], line: int, options: ImportOptions) -> ImportRecord:
    if len(row) > len(header):
        raise InvalidInput("", f"{len(row)} cells for {len(header)} columns", line=line)
    cells = {name: value for name, value in zip(header, row, strict=False) if value != ""}
    try:
        obj = _wire_object(cells)
        decoded = wire.decode_interaction(msgspec.json.encode(obj))
        item = wire.interaction_from_wire(
            decoded, zone=options.zone, interaction_id=_row_id(cells, row), source=options.source
        )
        rules.check_interaction(item)
    except InvalidInput as exc:
        raise exc.at_line(line) from None
    return ImportRecord(item, _identity(cells, item.contact_id), line=line)


def _wire_object(cells: dict[str, str]) -> dict[str, Any]:
    obj: dict[str, Any] = {name: cells[name] for name in TEXT_FIELDS if name in cells}
    attributes = {k.removeprefix("attr."): v for k, v in cells.items() if k.startswith("attr.")}
    if attributes:
        obj["customAttributes"] = attributes
    owner = {
        f: cells[f"ownerInformation.{f}"] for f in OWNER_FIELDS if f"ownerInformation.{f}" in cells
    }
    if owner:
        obj["ownerInformation"] = owner
    if "callDuration" in cells:
        obj["callDuration"] = _integer("callDuration", cells["callDuration"])
    if "userData" in cells:
        obj["userData"] = _json_object("userData", cells["userData"])
    return obj


def _row_id(cells: dict[str, str], row: list[str]) -> str:
    """The row's id; else one derived from its externalId; else from the whole row, so that
    importing the same file again writes the same rows."""
    if "id" in cells:
        return cells["id"]
    if "externalId" in cells:
        return stable_id(NAMESPACE, cells["externalId"])
    return stable_id(f"{NAMESPACE}-row", "\x1f".join(row))


def _identity(cells: dict[str, str], contact_id: str | None) -> Identity | None:
    """The customer to find or create, unless the row names its contact."""
    if contact_id:
        return None
    given = {
        attr: cells[column].strip() for column, attr in CONTACT_FIELDS.items() if column in cells
    }
    if "phone" not in given and "phoneNumber" in cells:
        given["phone"] = cells["phoneNumber"].strip()
    if not given.get("email") and not any(ch.isdigit() for ch in given.get("phone", "")):
        return None
    if given.get("email") and "@" not in given["email"]:
        raise InvalidInput("contact.emailAddress", f"{given['email'][:80]!r} is not an address")
    for column, attr in CONTACT_FIELDS.items():
        if len(given.get(attr, "")) > (320 if attr == "email" else 256):
            raise InvalidInput(column, "is too long")
    return Identity(**{k: v or None for k, v in given.items()})


def _integer(field: str, raw: str) -> int:
    try:
        return int(raw.strip())
    except ValueError:
        raise InvalidInput(field, f"{raw[:40]!r} is not an integer") from None


def _json_object(field: str, raw: str) -> Any:
    try:
        return msgspec.json.decode(raw)
    except (msgspec.DecodeError, RecursionError):
        raise InvalidInput(field, "is not a JSON object") from None
