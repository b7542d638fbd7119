"""The importers' parsers alone: each fixture maps as docs/importers.md says, a bad record is
refused naming its line or JSON path and the field, and no input at all makes them raise
anything but InvalidInput."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openucs.domain.enums import InteractionType, MediaType, State
from openucs.domain.imports import ImportRecord, stable_id
from openucs.errors import InvalidInput
from openucs.importers import FORMATS, ImportOptions, parser_of

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "importers"
FILES = {
    "connect-ctr": ("connect-ctr.ndjson", "connect-ctr.json"),
    "genesys-cloud": ("genesys-cloud.json", "genesys-cloud.ndjson"),
    "csv": ("interactions.csv",),
}


def parse(format_: str, data: bytes | str) -> list[ImportRecord]:
    raw = data.encode() if isinstance(data, str) else data
    return list(FORMATS[format_](raw, ImportOptions()))


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def by_external(records: list[ImportRecord]) -> dict[str | None, ImportRecord]:
    return {r.interaction.external_id: r for r in records}


def refusal(format_: str, data: bytes | str) -> str:
    with pytest.raises(InvalidInput) as caught:
        parse(format_, data)
    return caught.value.message


# --- Amazon Connect -------------------------------------------------------------------------

CTR_ID = "6a0f3c1e-2b4d-4e5f-8a9b-0c1d2e3f4a"


def test_connect_maps_a_record_field_by_field() -> None:
    found = by_external(parse("connect-ctr", fixture("connect-ctr.ndjson")))
    first = found[CTR_ID + "01"]
    item = first.interaction
    assert item.id == stable_id("connect-ctr", CTR_ID + "01")
    assert (item.media_type, item.type_id, item.state) == (
        MediaType.CALL,
        InteractionType.INBOUND,
        State.STOPPED,
    )
    assert item.start_date == datetime(2026, 3, 2, 9, 0, 5, tzinfo=UTC)
    assert item.end_date == datetime(2026, 3, 2, 9, 6, 41, tzinfo=UTC)
    assert item.call_duration == 396
    assert item.owner is not None and item.owner.user_name == "jdoe"
    assert item.custom_attributes == {"Account": "AC-1001", "Reason": "billing"}
    assert item.phone_number == "+44 20 7946 0001"
    assert first.identity is not None and first.identity.phone == "+44 20 7946 0001"
    assert first.line == 1


def test_connect_channels_methods_and_missing_fields() -> None:
    found = by_external(parse("connect-ctr", fixture("connect-ctr.json")))
    kinds = {
        key[-2:]: (r.interaction.media_type, r.interaction.type_id)
        for key, r in found.items()
        if key
    }
    assert kinds["03"] == (MediaType.CALL, InteractionType.OUTBOUND)
    assert kinds["06"] == (MediaType.CHAT, InteractionType.INBOUND)  # API starts a customer chat
    assert kinds["07"] == (MediaType.WORKITEM, InteractionType.INBOUND)
    assert kinds["08"] == (MediaType.EMAIL, InteractionType.INBOUND)
    assert kinds["10"] == (MediaType.CALL, InteractionType.OUTBOUND)  # CALLBACK
    assert kinds["11"] == (MediaType.CALL, InteractionType.UNKNOWN)  # a method unknown here
    going = found[CTR_ID + "11"]
    assert going.interaction.state is State.IN_PROCESS and going.interaction.end_date is None
    assert going.identity is None  # "anonymous" is no phone number
    abandoned = found[CTR_ID + "09"]
    assert abandoned.interaction.owner is None and abandoned.interaction.custom_attributes == {}
    email = found[CTR_ID + "08"]
    assert email.identity is not None and email.identity.email == "Renée.Dupont@example.fr"
    assert found[CTR_ID + "07"].interaction.subject == "Call back about invoice 4711"
    assert found[CTR_ID + "06"].interaction.owner.user_name == "李娜"  # type: ignore[union-attr]


def test_connect_transfer_shares_the_thread_of_the_initial_contact() -> None:
    found = by_external(parse("connect-ctr", fixture("connect-ctr.json")))
    initial, transferred = found[CTR_ID + "04"], found[CTR_ID + "05"]
    assert initial.interaction.thread_id is None  # its own id, given on ingest
    assert transferred.interaction.thread_id == initial.interaction.id


def test_connect_keeps_the_latest_record_of_a_contact() -> None:
    records = parse("connect-ctr", fixture("connect-ctr.ndjson"))
    assert len(records) == 11  # 13 objects, one contact written twice
    again = by_external(records)[CTR_ID + "02"]
    assert again.interaction.custom_attributes == {"Disposition": "resolved"}
    assert again.line == 11
    assert [r.interaction.external_id for r in records][1] == CTR_ID + "02"  # first place kept
    # the older one last: the newer still wins
    lines = fixture("connect-ctr.ndjson").splitlines()
    swapped = b"\n".join([lines[-1], *lines[:-1]])
    assert by_external(parse("connect-ctr", swapped))[CTR_ID + "02"].line == 1


def test_connect_reads_records_written_back_to_back() -> None:
    records = parse("connect-ctr", fixture("connect-ctr.ndjson"))
    on_line_5 = [r.interaction.external_id for r in records if r.line == 5]
    assert on_line_5 == [CTR_ID + "05", CTR_ID + "06"]


def ctr(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "ContactId": "c-1",
        "Channel": "VOICE",
        "InitiationMethod": "INBOUND",
        "InitiationTimestamp": "2026-01-01T10:00:00Z",
        "DisconnectTimestamp": "2026-01-01T10:05:00Z",
    }
    base.update(fields)
    return {k: v for k, v in base.items() if v is not ...}


def lines(*records: dict[str, Any]) -> str:
    return "\n".join(json.dumps(r) for r in records)


@pytest.mark.parametrize(
    ("record", "names"),
    [
        (ctr(ContactId=...), ("line 2", "ContactId", "required")),
        (ctr(Channel="FAX"), ("line 2", "Channel", "FAX")),
        (ctr(InitiationTimestamp="yesterday"), ("line 2", "InitiationTimestamp")),
        (ctr(DisconnectTimestamp="2025-01-01T00:00:00Z"), ("line 2", "DisconnectTimestamp")),
        (ctr(Attributes={"a": 5.5, "b": ["x"]}), ("line 2", "Attributes.b")),
        (ctr(Agent={"Username": 7}), ("line 2", "Agent.Username", "string")),
        (ctr(Attributes={"n": "x" * 1025}), ("line 2", "Attributes.n", "1024")),
        (ctr(ContactId="a\x00b"), ("line 2", "ContactId", "NUL")),
    ],
)
def test_connect_errors_name_the_line_and_field(
    record: dict[str, Any], names: tuple[str, ...]
) -> None:
    message = refusal("connect-ctr", lines(ctr(ContactId="ok"), record))
    for name in names:
        assert name in message, (name, message)


def test_connect_errors_in_an_array_name_the_record() -> None:
    message = refusal("connect-ctr", json.dumps([ctr(), ctr(Channel=None)]))
    assert message == "[1].Channel: is required"
    assert "line 1" in refusal("connect-ctr", "{not json")
    assert refusal("connect-ctr", "[1]").startswith("[0]")


# --- Genesys Cloud --------------------------------------------------------------------------

CONV = "c0a80101-0001-4000-8000-00000000000"
AGENT_1 = "7f3c9d2e-1a2b-4c3d-8e9f-000000000001"


def test_genesys_maps_a_conversation_field_by_field() -> None:
    records = parse("genesys-cloud", fixture("genesys-cloud.json"))
    assert len(records) == 11  # 12 conversations, one repeated
    found = by_external(records)
    first = found[CONV + "1"]
    item = first.interaction
    assert item.id == stable_id("genesys-cloud", CONV + "1")
    assert (item.media_type, item.type_id, item.state) == (
        MediaType.CALL,
        InteractionType.INBOUND,
        State.STOPPED,
    )
    assert item.end_date == datetime(2026, 4, 1, 8, 7, 12, 345000, tzinfo=UTC)
    assert item.owner is not None
    assert (item.owner.user_name, item.owner.first_name, item.owner.last_name) == (
        AGENT_1,
        "Bob",
        "Stone",
    )
    assert item.custom_attributes == {"AccountNumber": "A-0001", "IVR_Choice": "3"}  # last copy
    assert first.path == "conversations[11]"
    assert first.identity is not None
    assert (first.identity.phone, first.identity.first_name, first.identity.last_name) == (
        "+15551230001",
        "Alice",
        "Martin",
    )
    assert records[0].interaction.external_id == CONV + "1"  # where first seen


def test_genesys_media_directions_and_people() -> None:
    found = by_external(parse("genesys-cloud", fixture("genesys-cloud.ndjson")))
    outbound = found[CONV + "2"]
    assert outbound.interaction.type_id is InteractionType.OUTBOUND
    assert outbound.identity is not None and outbound.identity.phone == "+33140000002"
    assert outbound.identity.last_name == "Lefèvre"  # an external participant
    assert found[CONV + "3"].interaction.media_type is MediaType.CHAT
    email = found[CONV + "4"]
    assert email.identity is not None and email.identity.email == "renee.dupont@example.fr"
    assert email.interaction.owner is not None and email.interaction.owner.last_name == "李娜"
    assert found[CONV + "5"].interaction.media_type is MediaType.SMSSESSION
    transfer = found[CONV + "6"].interaction
    assert transfer.owner is not None and transfer.owner.user_name == AGENT_1  # the first agent
    assert transfer.custom_attributes == {"transferReason": "escalation"}
    assert found[CONV + "7"].interaction.owner is None
    going = found[CONV + "8"].interaction
    assert going.state is State.IN_PROCESS and going.type_id is InteractionType.INBOUND
    assert found["c0a80101-0001-4000-8000-000000000010"].interaction.media_type is (
        MediaType.FACEBOOKSESSION
    )
    assert found["c0a80101-0001-4000-8000-000000000011"].interaction.media_type is (
        MediaType.OPENMEDIA
    )


@pytest.mark.parametrize(
    ("conversation", "names"),
    [
        ({"conversationStart": "2026-01-01T00:00:00Z"}, ("conversations[1].conversationId",)),
        ({"conversationId": "x"}, ("conversations[1].conversationStart", "required")),
        (
            {"conversationId": "x", "conversationStart": "2026-01-01T00:00:00Z"},
            ("conversations[1].participants", "mediaType"),
        ),
        (
            {
                "conversationId": "x",
                "conversationStart": "2026-01-01T00:00:00Z",
                "participants": [{"purpose": "agent", "sessions": "voice"}],
            },
            ("conversations[1].participants[0].sessions", "array"),
        ),
    ],
)
def test_genesys_errors_name_the_conversation_and_field(
    conversation: dict[str, Any], names: tuple[str, ...]
) -> None:
    good = json.loads(fixture("genesys-cloud.ndjson").splitlines()[0])
    message = refusal("genesys-cloud", json.dumps({"conversations": [good, conversation]}))
    for name in names:
        assert name in message, (name, message)


# --- CSV ------------------------------------------------------------------------------------


def test_csv_maps_rows_with_the_wire_names() -> None:
    records = parse("csv", fixture("interactions.csv"))
    assert len(records) == 12  # a blank line skipped
    found = by_external(records)
    first = found["UCS-000101"]
    assert first.line == 2
    assert first.interaction.custom_attributes == {"Region": "EMEA", "Priorität": "hoch"}
    assert first.interaction.call_duration == 210
    assert first.identity is not None and first.identity.last_name == "Lee"
    email = found["UCS-000102"]
    assert email.interaction.subject == "Invoice 4711, again"
    assert email.interaction.comment == 'Customer wrote:\n"please resend"'
    assert found["UCS-000103"].line == 5  # after a row of two lines
    assert found["UCS-000104"].interaction.thread_id == "UCS-THREAD-1"
    assert by_external(records)[None].interaction.id == "RAW-ROW-ID-7" or any(
        r.interaction.id == "RAW-ROW-ID-7" for r in records
    )
    assert found["UCS-000106"].identity is None
    again = parse("csv", fixture("interactions.csv"))
    assert [r.interaction.id for r in again] == [r.interaction.id for r in records]


@pytest.mark.parametrize(
    ("row", "names"),
    [
        ("call,Inbound,Stopped,2025-11-03T09:00:00Z,x,", ("line 3", "endDate")),
        (
            "call,Inbound,Stopped,2025-11-03T09:00:00Z,2025-11-03T09:01:00Z,seven",
            ("line 3", "callDuration"),
        ),
        ("fax,Inbound,New,2025-11-03T09:00:00Z,,", ("line 3", "mediaType", "fax")),
        ("call,Inbound,New,not a date,,", ("line 3", "startDate")),
        ("call,Inbound,New,2025-11-03T09:00:00Z,,,extra", ("line 3", "cells")),
    ],
)
def test_csv_errors_name_the_line_and_field(row: str, names: tuple[str, ...]) -> None:
    header = "mediaType,typeId,state,startDate,endDate,callDuration"
    good = "chat,Inbound,New,2025-11-03T09:00:00Z,,"
    message = refusal("csv", f"{header}\n{good}\n{row}\n")
    for name in names:
        assert name in message, (name, message)


def test_csv_header_errors() -> None:
    assert "line 1" in refusal("csv", "mediaType,startDate,colour\n")
    assert "startDate" in refusal("csv", "mediaType\ncall\n")
    assert "twice" in refusal("csv", "mediaType,startDate,mediaType\n")
    assert "UTF-8" in refusal("csv", b"mediaType,startDate\n\xff\n")


def test_unknown_format() -> None:
    with pytest.raises(InvalidInput, match="allowed: ndjson, connect-ctr, genesys-cloud, csv"):
        parser_of("xml")


# --- any input ------------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=6)
    ),
    max_leaves=20,
)
CTR_KEYS = [
    "ContactId",
    "Channel",
    "InitiationMethod",
    "InitiationTimestamp",
    "DisconnectTimestamp",
    "LastUpdateTimestamp",
    "Agent",
    "CustomerEndpoint",
    "Attributes",
    "InitialContactId",
    "PreviousContactId",
    "Name",
]
GC_KEYS = [
    "conversationId",
    "conversationStart",
    "conversationEnd",
    "originatingDirection",
    "participants",
]
near_values = st.one_of(
    json_values,
    st.sampled_from(["VOICE", "CHAT", "2026-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "tel:+1555"]),
)


def vendorish(keys: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    return st.dictionaries(st.sampled_from(keys), near_values, max_size=len(keys))


def check_any(format_: str, data: bytes) -> None:
    """Records, or an InvalidInput that says where; nothing else."""
    try:
        parse(format_, data)
    except InvalidInput as exc:
        assert exc.message


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300), st.sampled_from(list(FORMATS)))
def test_no_bytes_make_a_parser_fail_otherwise(data: bytes, format_: str) -> None:
    check_any(format_, data)


@settings(max_examples=200, deadline=None)
@given(st.lists(vendorish(CTR_KEYS) | json_values, max_size=4), st.booleans())
def test_any_ctr_document_is_read_or_refused(records: list[Any], as_array: bool) -> None:
    data = json.dumps(records) if as_array else "\n".join(json.dumps(r) for r in records)
    check_any("connect-ctr", data.encode())


@settings(max_examples=200, deadline=None)
@given(
    st.lists(vendorish(GC_KEYS), max_size=3),
    st.lists(
        vendorish(["purpose", "userId", "participantName", "attributes", "sessions"]), max_size=3
    ),
)
def test_any_genesys_document_is_read_or_refused(
    conversations: list[dict[str, Any]], participants: list[dict[str, Any]]
) -> None:
    for conversation in conversations:
        conversation.setdefault("participants", participants)
    check_any("genesys-cloud", json.dumps({"conversations": conversations}).encode())


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.text(max_size=12), min_size=1, max_size=7), max_size=5))
def test_any_csv_is_read_or_refused(rows: list[list[str]]) -> None:
    header = "mediaType,startDate,endDate,state,attr.x,callDuration,contact.emailAddress"
    body = "\n".join(",".join(json.dumps(cell) for cell in row) for row in rows)
    check_any("csv", f"{header}\n{body}\n".encode(errors="surrogatepass"))
