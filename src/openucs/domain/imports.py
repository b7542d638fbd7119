"""Records read by the importers of other platforms' history (`openucs.importers`): each is an
interaction, where it was found in its file, and the identity of its customer, from which the
import finds or creates the contact (as IdentifyUCSContact does, a batch at a time)."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

from openucs.domain.models import Contact, ContactPoint, Interaction
from openucs.errors import InvalidInput


def stable_id(namespace: str, key: str) -> str:
    """A UCS id derived from a key of the source (a vendor's contact id, say): importing the
    same record twice writes the same row, and two sources never share an id. 22 characters
    of URL-safe base64 (letters, digits, `-`, `_`: all allowed in UCS ids) of 128 bits of
    SHA-256, as unlikely to collide as a UUID."""
    digest = hashlib.sha256(f"{namespace}\x00{key}".encode(errors="surrogatepass")).digest()
    return base64.urlsafe_b64encode(digest[:16]).decode()[:22]


@dataclass(frozen=True, slots=True)
class Identity:
    """The customer of a record, as the source names them. `email` then `phone` find a
    contact; a new one takes the names too."""

    email: str | None = None
    phone: str | None = None
    first_name: str | None = None
    last_name: str | None = None

    @property
    def key(self) -> str | None:
        """What the id of a contact created from this identity derives from."""
        if self.email:
            return f"email:{self.email.strip().lower()}"
        digits = "".join(ch for ch in self.phone or "" if ch.isdigit())
        return f"phone:{digits}" if digits else None

    def new_contact(self) -> Contact:
        key = self.key
        if key is None:  # pragma: no cover - callers skip identities without a key
            raise ValueError("an identity without email or phone creates no contact")
        return Contact(
            id=stable_id("contact", key),
            first_name=self.first_name,
            last_name=self.last_name,
            emails=[ContactPoint(self.email.strip(), primary=True)] if self.email else [],
            phones=[ContactPoint(self.phone.strip(), primary=True)] if self.phone else [],
        )


@dataclass(slots=True)
class ImportRecord:
    """One interaction read from a file, with its place there: `line` (line-oriented files)
    or `path` (a JSON path, e.g. `conversations[3]`, in a JSON document)."""

    interaction: Interaction
    identity: Identity | None = None
    line: int | None = None
    path: str | None = None

    def locate(self, exc: InvalidInput) -> InvalidInput:
        """The same error, placed on this record."""
        if exc.line is not None:
            return exc
        if self.line is not None:
            return exc.at_line(self.line)
        if self.path is not None:
            field = f"{self.path}.{exc.field}" if exc.field else self.path
            return type(exc)(field, exc.problem)
        return exc
