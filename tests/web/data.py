"""A small deterministic history for the web tests: four logins, three contacts, about sixty
interactions within the default search window (the last month), a chat with a transcript, an
email thread whose HTML body carries things a sanitizer must remove, an archived interaction,
and another agent's private interaction.

Times are relative to midnight UTC of today, so the default window (today minus one month)
always covers them; everything else is fixed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TypedDict

from argon2 import PasswordHasher

from openucs.domain.enums import InteractionType, MediaType, Role, Source, State
from openucs.domain.models import (
    ChatMessage,
    Contact,
    ContactPoint,
    EmailContent,
    Interaction,
    OwnerInfo,
    User,
)
from openucs.services import records
from openucs.store import Store

PASSWORD = "correct horse battery"
CALLS = 55  # agent1's calls with Alice: three pages of 25 with the rest
_cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)

EVIL_HTML = (
    '<p onclick="steal()">Where is my <b>parcel</b>?</p>'
    "<script>document.title='owned'</script>"
    '<img src="http://tracker.example/pixel.gif" alt="pixel">'
    '<a href="javascript:alert(1)">click</a> <a href="https://shop.example/order/42">order</a>'
    '<style>body{display:none}</style><iframe src="https://evil.example"></iframe>'
)


@dataclass(frozen=True)
class Seeded:
    admin: User
    supervisor: User
    agent: User
    other_agent: User
    alice: Contact
    marsh: Contact
    carol: Contact
    anchor: datetime


def _user(store: Store, name: str, role: Role, first: str, last: str, uid: str) -> User:
    return store.save_user(
        User(
            id=uid,
            user_name=name,
            first_name=first,
            last_name=last,
            roles=frozenset({role}),
            password_hash=_cheap.hash(PASSWORD),
        )
    )


def _contact(cid: str, first: str, last: str, email: str, phone: str) -> Contact:
    return Contact(
        id=cid,
        first_name=first,
        last_name=last,
        title="Ms",
        emails=[ContactPoint(email, primary=True, description="home")],
        phones=[ContactPoint(phone, primary=True, description="mobile")],
        custom_attributes={"CustomerSegment": "Gold", "Language": "en"},
    )


def seed(store: Store) -> Seeded:
    anchor = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    users = Seeded(
        admin=_user(store, "admin", Role.ADMIN, "Ada", "Admin", "a" * 32),
        supervisor=_user(store, "super", Role.SUPERVISOR, "Sam", "Super", "b" * 32),
        agent=_user(store, "agent1", Role.AGENT, "Ann", "Lee", "c" * 32),
        other_agent=_user(store, "agent2", Role.AGENT, "Bob", "Ray", "d" * 32),
        alice=_contact("CTALICE", "Alice", "Martin", "alice@example.com", "+1 555 0100"),
        marsh=_contact("CTMARSH", "Maria", "Marsh", "maria@example.com", "+1 555 0200"),
        carol=_contact("CTCAROL", "Carol", "King", "carol@example.com", "+1 555 0300"),
        anchor=anchor,
    )
    store.save_contacts([users.alice, users.marsh, users.carol])
    records.ingest(store=store, interactions=_interactions(users))
    return users


def _owner(user: User) -> OwnerInfo:
    return user.owner_info()


# The seed's times, as hours before its anchor.
Hours = Callable[[float], datetime]


class _Handled(TypedDict):
    """Who an interaction is with and who handled it: Alice, by agent1."""

    contact_id: str
    owner_id: str
    owner: OwnerInfo


def _interactions(s: Seeded) -> list[Interaction]:
    def at(hours: float) -> datetime:
        return s.anchor - timedelta(hours=hours)

    calls = [
        Interaction(
            id=f"CALL{n:04d}",
            media_type=MediaType.CALL,
            type_id=InteractionType.INBOUND,
            state=State.STOPPED,
            start_date=at(10 + 3 * n),
            end_date=at(10 + 3 * n) + timedelta(minutes=4),
            subject=f"Call note {n:02d}",
            contact_id=s.alice.id,
            owner_id=s.agent.id,
            owner=_owner(s.agent),
            phone_number="+15550100",
            call_duration=240,
            custom_attributes={"Queue": "gold" if n % 5 == 0 else "silver", "Score": str(n)},
        )
        for n in range(CALLS)
    ]
    return [*calls, *_content(s, at), *_others(s, at)]


def _content(s: Seeded, at: Hours) -> list[Interaction]:
    chat_start = at(2)
    lines = [
        ("ParticipantJoined", "Alice", "Customer", None),
        ("Text", "Alice", "Customer", "Hello, I need help with my order"),
        ("ParticipantJoined", "Ann", "Agent", None),
        ("Text", "Ann", "Agent", "Sure, what is the order number?"),
        ("Text", "Alice", "Customer", "It is 42 <b>not bold</b>"),
        ("ParticipantLeft", "Alice", "Customer", None),
    ]
    messages = [
        ChatMessage(n, kind, chat_start + timedelta(seconds=20 * n), "All", who, role, who, text)
        for n, (kind, who, role, text) in enumerate(lines, start=1)
    ]
    common: _Handled = {"contact_id": s.alice.id, "owner_id": s.agent.id, "owner": _owner(s.agent)}
    return [
        Interaction(
            id="CHAT0001",
            media_type=MediaType.CHAT,
            type_id=InteractionType.INBOUND,
            state=State.STOPPED,
            start_date=chat_start,
            end_date=chat_start + timedelta(minutes=3),
            subject="Order help chat",
            messages=messages,
            user_data={"Origin": "web", "Basket": {"items": 2}},
            **common,
        ),
        Interaction(
            id="MAIL0001",
            media_type=MediaType.EMAIL,
            type_id=InteractionType.INBOUND,
            state=State.STOPPED,
            start_date=at(5),
            subject="Where is my parcel",
            email=EmailContent(
                from_address="alice@example.com",
                to=["support@example.com"],
                cc=["boss@example.com"],
                subject="Where is my parcel",
                body=EVIL_HTML,
                body_as_plain_text="Where is my parcel?",
                mime="text/html",
            ),
            **common,
        ),
        Interaction(
            id="MAIL0002",
            media_type=MediaType.EMAIL,
            type_id=InteractionType.OUTBOUND,
            state=State.STOPPED,
            start_date=at(4),
            subject="Re: Where is my parcel",
            parent_id="MAIL0001",
            email=EmailContent(
                from_address="support@example.com",
                to=["alice@example.com"],
                subject="Re: Where is my parcel",
                body_as_plain_text="Dear Alice,\nit ships today.\nAnn",
            ),
            **common,
        ),
        Interaction(
            id="ARCH0001",
            media_type=MediaType.EMAIL,
            type_id=InteractionType.INBOUND,
            state=State.STOPPED,
            start_date=s.anchor - timedelta(days=400),
            subject="Archived complaint",
            source=Source.ARCHIVE,
            **common,
        ),
    ]


def _others(s: Seeded, at: Hours) -> list[Interaction]:
    return [
        Interaction(
            id="OPEN0001",
            media_type=MediaType.WORKITEM,
            type_id=InteractionType.INTERNAL,
            state=State.PENDING,
            start_date=at(1),
            subject="Refund waiting for approval",
            contact_id=s.marsh.id,
            custom_attributes={"CaseNumber": "CS-7"},
        ),
        Interaction(
            id="OPEN0002",
            media_type=MediaType.CHAT,
            type_id=InteractionType.INBOUND,
            state=State.IN_PROCESS,
            start_date=at(1.5),
            subject="Live chat in progress",
            contact_id=s.marsh.id,
            owner_id=s.other_agent.id,
            owner=_owner(s.other_agent),
        ),
        Interaction(
            id="CAROL001",
            media_type=MediaType.CALL,
            type_id=InteractionType.INBOUND,
            state=State.STOPPED,
            start_date=at(3),
            subject="Private matter of Carol",
            comment="Carol asked for a callback",
            contact_id=s.carol.id,
            owner_id=s.other_agent.id,
            owner=_owner(s.other_agent),
            custom_attributes={"CaseNumber": "CS-1"},
        ),
    ]
