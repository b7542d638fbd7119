"""Extension routes for UCS contacts, under `/openucs/v1`: create, read, replace, find, merge
and unmerge. Writes need the admin role; reads follow services/access.py (an agent finds and
reads the contacts they handled)."""

from __future__ import annotations

import re
from typing import Annotated

from litestar import Response, get, post, put
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.response import Stream

from openucs.api.answers import ContactAnswer, ContactMergeAnswer, ContactsAnswer
from openucs.api.auth import admin_only
from openucs.api.context import Ctx, CurrentReader, CurrentUser
from openucs.api.openapi import errors
from openucs.domain.models import Contact
from openucs.errors import InvalidInput
from openucs.gws.subject import subject_document
from openucs.gws.wire import (
    ContactMergeWire,
    ContactWire,
    contact_from_wire,
    contact_merge_to_wire,
    contact_to_wire,
)
from openucs.services import contacts
from openucs.services.subject_export import export_subject

One = str | None


def _answer(ctx: Ctx, contact: Contact) -> ContactAnswer:
    return ContactAnswer(statusCode=0, contact=contact_to_wire(contact, base_url=ctx.base_url))


@post(
    "/contacts",
    guards=[admin_only],
    status_code=201,
    responses=errors(400, 401, 403, 409, 413),
    sync_to_thread=True,
)
def create_contact(ctx: Ctx, data: JSONBody[ContactWire]) -> ContactAnswer:
    """Create a contact (its id is generated when absent); 409 when the id exists."""
    contact = contacts.create_contact(store=ctx.store, contact=contact_from_wire(data))
    return _answer(ctx, contact)


@get("/contacts/{contact_id:str}", responses=errors(400, 401, 403, 404), sync_to_thread=True)
def get_contact(ctx: Ctx, reader: CurrentReader, contact_id: FromPath[str]) -> ContactAnswer:
    """One contact; a merged one says which contact it answers as (`mergedInto`)."""
    contact, merged = contacts.read_contact_merged(
        store=ctx.store, reader=reader, contact_id=contact_id
    )
    wire = contact_to_wire(contact, base_url=ctx.base_url, merged_into=merged)
    return ContactAnswer(statusCode=0, contact=wire)


@get(
    "/contacts/{contact_id:str}/export",
    guards=[admin_only],
    responses={
        200: ResponseSpec(
            dict[str, object],
            description="The subject access export document (docs/privacy-redaction.md)",
            generate_examples=False,
        ),
        **errors(400, 401, 403, 404),
    },
    sync_to_thread=True,
)
def export_contact(ctx: Ctx, reader: CurrentReader, contact_id: FromPath[str]) -> Stream:
    """Everything held about one contact (subject access): the contact and its interactions
    in both tiers with content and attributes, as one JSON document, streamed. Audited."""
    export = export_subject(store=ctx.store, reader=reader, contact_id=contact_id)
    chunks = subject_document(export.contact, export.tiers(), base_url=ctx.base_url, zone=ctx.zone)
    name = re.sub(r"[^A-Za-z0-9_-]", "_", export.contact.id)
    disposition = f'attachment; filename="contact-{name}.json"'
    return Stream(
        chunks,
        media_type="application/json",
        headers={"Content-Disposition": disposition, "Cache-Control": "no-store"},
    )


@put(
    "/contacts/{contact_id:str}",
    guards=[admin_only],
    responses={
        201: ResponseSpec(ContactAnswer, description="Created", generate_examples=False),
        **errors(400, 401, 403, 409, 413),
    },
    sync_to_thread=True,
)
def put_contact(
    ctx: Ctx, contact_id: FromPath[str], data: JSONBody[ContactWire]
) -> Response[ContactAnswer]:
    """Create (201) or replace (200) a contact; 409 for a merged one (unmerge it first)."""
    if data.id and data.id != contact_id:
        raise InvalidInput("id", f"{data.id!r} does not match the id in the URL")
    contact, created = contacts.put_contact(
        store=ctx.store, contact=contact_from_wire(data, contact_id=contact_id)
    )
    return Response(_answer(ctx, contact), status_code=201 if created else 200)


@get("/contacts", responses=errors(400, 401, 403), sync_to_thread=True)
def find_contacts(
    ctx: Ctx,
    reader: CurrentReader,
    email: Annotated[str | None, QueryParameter(description="exact, case-insensitive")] = None,
    phone: Annotated[str | None, QueryParameter(description="digits compared")] = None,
    name: Annotated[
        str | None, QueryParameter(description="prefix of the last or first name")
    ] = None,
    q: Annotated[
        str | None, QueryParameter(description="words, each beginning the first or last name")
    ] = None,
    max_size: Annotated[int, QueryParameter(name="maxSize", description="1-1000")] = 100,
    after: Annotated[str | None, QueryParameter(description="`after` of the previous page")] = None,
) -> ContactsAnswer:
    """Contacts by email, phone or name, or all of them, in id order; an agent finds only the
    contacts they may read."""
    found, next_after = contacts.find_contacts_page(
        store=ctx.store,
        scope=reader.scope,
        email=email,
        phone=phone,
        name=name,
        limit=max_size,
        after_id=after,
        q=q,
    )
    wires = [contact_to_wire(c, base_url=ctx.base_url) for c in found]
    return ContactsAnswer(statusCode=0, contacts=wires, after=next_after)


@post(
    "/contacts/{contact_id:str}/merge",
    guards=[admin_only],
    status_code=200,
    responses=errors(400, 401, 403, 404, 409, 413),
    sync_to_thread=True,
)
def merge_contact(
    ctx: Ctx, user: CurrentUser, contact_id: FromPath[str], data: JSONBody[ContactMergeWire]
) -> ContactMergeAnswer:
    """UCS MergeContacts: contact `from` joins this one (its interactions, emails, phones and
    attributes) and answers as merged into it; 409 when either is merged already."""
    merge = contacts.merge_contacts(
        store=ctx.store, by=user, from_id=data.from_, into_id=contact_id
    )
    return ContactMergeAnswer(statusCode=0, merge=contact_merge_to_wire(merge))


@post(
    "/contacts/{contact_id:str}/unmerge",
    guards=[admin_only],
    status_code=200,
    responses=errors(400, 401, 403, 404, 409),
    sync_to_thread=True,
)
def unmerge_contact(ctx: Ctx, user: CurrentUser, contact_id: FromPath[str]) -> ContactMergeAnswer:
    """UCS UnMergeContacts: this merged contact gets back exactly what was its own; the
    answer lists the interactions that went back. 409 when it is not merged."""
    merge = contacts.unmerge_contact(store=ctx.store, by=user, contact_id=contact_id)
    return ContactMergeAnswer(statusCode=0, merge=contact_merge_to_wire(merge))
