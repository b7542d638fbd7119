"""NDJSON lines of the wire shapes, for bulk import and export: one interaction (the full
`InteractionWire`) or one contact (`ContactWire`) per line. The decoders are picklable, so an
import's child process can decode a file (see `services.pipeline`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo

import msgspec

from openucs.domain.enums import Source
from openucs.domain.models import Contact, Interaction
from openucs.errors import InvalidInput
from openucs.gws import limits, wire

_contact_decoder = msgspec.json.Decoder(wire.ContactWire)


@dataclass(frozen=True, slots=True)
class InteractionLines:
    """Decodes one NDJSON line into an interaction of `source`, naive dates read in `zone`."""

    zone: tzinfo
    source: Source = Source.MAIN

    def __call__(self, raw: bytes) -> Interaction:
        decoded = wire.decode_interaction(raw)
        return wire.interaction_from_wire(decoded, zone=self.zone, source=self.source)


@dataclass(frozen=True, slots=True)
class InteractionLineEncoder:
    """Encodes an interaction as one line of the full wire form (all attributes, content)."""

    base_url: str
    zone: tzinfo

    def __call__(self, item: Interaction) -> bytes:
        shape = wire.interaction_to_wire(item, base_url=self.base_url, zone=self.zone, full=True)
        return wire.encode_line(shape)


def decode_contact_line(raw: bytes) -> Contact:
    try:
        decoded = _contact_decoder.decode(raw)
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
