"""NDJSON lines of the wire shapes, for bulk import and export: one interaction (the full
`InteractionWire`) or one contact (`ContactWire`) per line. In a history export the contacts
come first, each wrapped as `{"contact": {...}}` so that it cannot be taken for an interaction.
The decoders are picklable, so an import's child process can decode a file (see
`services.pipeline`)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import tzinfo

import msgspec

from openucs.domain import rules
from openucs.domain.enums import Source
from openucs.domain.models import Contact, Interaction
from openucs.errors import InvalidInput
from openucs.gws import limits, wire

_contact_decoder = msgspec.json.Decoder(wire.ContactWire)
_CONTACT_ENTRY = re.compile(rb'\s*\{\s*"contact"\s*:')


class ContactEntryWire(msgspec.Struct, forbid_unknown_fields=True):
    """A contact line of a history export."""

    contact: wire.ContactWire


_contact_entry_decoder = msgspec.json.Decoder(ContactEntryWire)


@dataclass(frozen=True, slots=True)
class InteractionLines:
    """Decodes one NDJSON line into an interaction of `source`, naive dates read in `zone`.
    The line's own rules (`domain.rules`) are checked here too, so that a breach names its
    line; the references are checked with the batch."""

    zone: tzinfo
    source: Source = Source.MAIN

    def __call__(self, raw: bytes) -> Interaction:
        try:
            decoded = wire.decode_interaction(raw)
        except InvalidInput:
            if is_contact_entry(raw):
                raise InvalidInput(
                    "contact", "contact lines come before the interactions"
                ) from None
            raise
        item = wire.interaction_from_wire(decoded, zone=self.zone, source=self.source)
        rules.check_interaction(item)
        return item


@dataclass(frozen=True, slots=True)
class InteractionLineEncoder:
    """Encodes an interaction as one line of the full wire form (all attributes, content)."""

    base_url: str
    zone: tzinfo

    def __call__(self, item: Interaction) -> bytes:
        shape = wire.interaction_to_wire(item, base_url=self.base_url, zone=self.zone, full=True)
        return wire.encode_line(shape)


def decode_contact_line(raw: bytes) -> Contact:
    return _decoded_contact(lambda: _contact_decoder.decode(raw), raw)


def is_contact_entry(raw: bytes) -> bool:
    """Whether a line of a history export is a contact (`{"contact": ...}`)."""
    return _CONTACT_ENTRY.match(raw) is not None


def decode_contact_entry(raw: bytes) -> Contact:
    return _decoded_contact(lambda: _contact_entry_decoder.decode(raw).contact, raw)


def _decoded_contact(decode: Callable[[], wire.ContactWire], raw: bytes) -> Contact:
    try:
        decoded = decode()
    except msgspec.ValidationError as exc:
        problem = str(exc).replace("`$.", "`").replace("- at `$`", "").strip()
        raise InvalidInput("contact", problem) from None
    except msgspec.DecodeError as exc:
        raise InvalidInput("contact", f"malformed JSON ({exc})") from None
    except RecursionError:
        raise limits.too_deep("contact") from None
    wire.check_decoded(decoded, raw)
    return wire.contact_from_wire(decoded)


@dataclass(frozen=True, slots=True)
class ContactLineEncoder:
    base_url: str

    def __call__(self, contact: Contact) -> bytes:
        return wire.encode_line(wire.contact_to_wire(contact, base_url=self.base_url))


@dataclass(frozen=True, slots=True)
class ContactEntryEncoder:
    """A contact as a line of a history export: `{"contact": {...}}`."""

    base_url: str

    def __call__(self, contact: Contact) -> bytes:
        entry = ContactEntryWire(wire.contact_to_wire(contact, base_url=self.base_url))
        return wire.encode_line(entry)
