"""Data of the privacy tests: a contact whose personal data carries a unique token in every
place it can be (name, email, a transcript, an email body, custom attributes, the read audit),
another contact whose data must outlive the erasure, and how to look for the token in every
table and every byte of the database files."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from openucs.domain.enums import MediaType, Source
from openucs.domain.models import (
    ChatMessage,
    Contact,
    ContactPoint,
    Interaction,
    InteractionPatch,
    ReadRecord,
)
from openucs.store import Store
from tests.factories import at, make_contact, make_email, make_interaction, make_owner


def new_token() -> str:
    """Letters and digits, lower case, nothing a stemmer or a tokenizer would change."""
    return "zq" + uuid.uuid4().hex[:12] + "xw"


@dataclass
class Person:
    contact: Contact
    interactions: list[Interaction]


def person(token: str, *, filler: int = 0) -> Person:
    """A contact and its interactions: a chat with the token in its transcript, an email with
    it in the body, a call in the archive tier with it in a custom attribute, and `filler`
    chats without it (so that pages split and the index has segments to merge)."""
    contact = make_contact(
        first_name=f"Ann{token}",
        last_name=f"Lee {token}",
        emails=[ContactPoint(f"{token}@example.com", primary=True)],
        custom_attributes={"note": f"prefers {token}"},
    )
    owner = make_owner(user_name=f"owner-{new_token()}")
    said = f"my account is {token} please"
    chat = make_interaction(
        media_type=MediaType.CHAT,
        contact_id=contact.id,
        owner=owner,
        messages=[
            ChatMessage(index=0, type="Text", timestamp=at(1), nickname="Ann", text=said),
        ],
    )
    email = make_interaction(
        media_type=MediaType.EMAIL,
        contact_id=contact.id,
        owner=owner,
        email=make_email(body_as_plain_text=f"hello {token}", body=f"<p>hello {token}</p>"),
    )
    call = make_interaction(
        media_type=MediaType.CALL,
        contact_id=contact.id,
        source=Source.ARCHIVE,
        custom_attributes={"caseRef": f"ref-{token}", "plain": "x"},
    )
    more = [
        make_interaction(
            media_type=MediaType.CHAT,
            contact_id=contact.id,
            subject=f"chat {n} of the filler",
            messages=[ChatMessage(index=0, type="Text", timestamp=at(2), text=f"filler {n}")],
        )
        for n in range(filler)
    ]
    return Person(contact, [chat, email, call, *more])


def store_person(store: Store, who: Person) -> None:
    """Write the person as life would: the contact, its interactions, a few edits (which
    leave old versions of pages behind) and read audit records naming them."""
    store.save_contact(who.contact)
    store.save_interactions(who.interactions)
    store.save_contact(replace(who.contact, title="Dr"))
    first = who.interactions[0]
    store.update_interaction(first.id, InteractionPatch(comment=f"edited {first.id}"))
    now = datetime.now(UTC)
    ids = tuple(i.id for i in who.interactions)
    store.append_reads(
        [
            ReadRecord(now, None, "sam", "contact.read", "api", contact_id=who.contact.id),
            ReadRecord(now, None, "sam", "interaction.read", "api", interaction_ids=ids[:1]),
        ]
    )


def forms(token: str) -> list[bytes]:
    """The byte forms the token could take in a file: UTF-8, and as JSON would escape it."""
    found = {token.encode(), json.dumps(token).strip('"').encode()}
    return sorted(found)


def database_file_hits(path: Path, token: str) -> list[str]:
    """The files of a SQLite database (the database, its WAL and shared memory) that hold any
    byte form of the token."""
    hits = []
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if name.exists():
            data = name.read_bytes()
            hits += [f"{name.name}: {form!r}" for form in forms(token) if form in data]
    return hits


def table_hits(database_url: str, token: str) -> list[str]:
    """The tables (every one of the schema, full-text and shadow tables included) with a row
    whose text holds the token."""
    url = make_url(database_url)
    postgres = url.get_backend_name() == "postgresql"
    if postgres:
        url = url.set(drivername="postgresql+psycopg")
    engine = create_engine(url, poolclass=NullPool)
    hits = []
    try:
        with engine.connect() as conn:
            # Table names come from the database's own catalogue, not from input.
            for name in inspect(conn).get_table_names():
                if postgres:
                    found = conn.execute(
                        text(f'SELECT count(*) FROM "{name}" t WHERE t::text LIKE :p'),  # noqa: S608
                        {"p": f"%{token}%"},
                    ).scalar_one()
                    if found:
                        hits.append(name)
                    continue
                for row in conn.execute(text(f'SELECT * FROM "{name}"')):  # noqa: S608
                    if any(_holds(value, token) for value in row):
                        hits.append(name)
                        break
    finally:
        engine.dispose()
    return hits


def _holds(value: object, token: str) -> bool:
    if isinstance(value, bytes):
        return any(form in value for form in forms(token))
    return isinstance(value, str) and token in value
