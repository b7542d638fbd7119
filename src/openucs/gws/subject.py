"""The subject access export document (`GET /openucs/v1/contacts/{id}/export`, `openucs
subject-export`), as JSON chunks: one object holding the contact (the `ContactWire` of the
contact routes) and its interactions per tier (the full `InteractionWire` of the NDJSON
export: all custom attributes, user data, externalId, transcript or email), then how many of
each. One interaction is encoded at a time, so the document streams in constant memory.

    {"statusCode": 0, "exportedAt": "...", "contact": {...},
     "interactions": {"main": [{...}, ...], "archive": [...]},
     "counts": {"main": 2, "archive": 0}}
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, tzinfo

import msgspec

from openucs.domain.enums import Source
from openucs.domain.formats import format_gws
from openucs.domain.models import Contact, Interaction
from openucs.gws.wire import contact_to_wire, interaction_to_wire

_encode = msgspec.json.Encoder().encode


def subject_document(
    contact: Contact,
    tiers: Iterable[tuple[Source, Iterable[Interaction]]],
    *,
    base_url: str,
    zone: tzinfo,
    now: datetime | None = None,
) -> Iterator[bytes]:
    """The document's chunks; `tiers` gives each tier's interactions (read lazily)."""
    at = format_gws(now or datetime.now(UTC), zone)
    head = contact_to_wire(contact, base_url=base_url)
    yield b'{"statusCode":0,"exportedAt":' + _encode(at) + b',"contact":' + _encode(head)
    yield b',"interactions":{'
    counts: dict[str, int] = {}
    for number, (source, items) in enumerate(tiers):
        yield (b"," if number else b"") + _encode(source.value) + b":["
        count = 0
        for item in items:
            shape = interaction_to_wire(item, base_url=base_url, zone=zone, full=True)
            yield (b"," if count else b"") + _encode(shape)
            count += 1
        counts[source.value] = count
        yield b"]"
    yield b'},"counts":' + _encode(counts) + b"}\n"
