"""The per-media shapes of demo interactions: calls with phone numbers and durations, chats and
sessions with transcripts, email threads with content, social posts, web forms and work items.
One `Builder` draws from one random stream; `next_group()` returns one interaction started on
the day `day`, or an email thread (the inbound email, then a reply and maybe a follow-up that may
start a day or so later, parents first)."""

from __future__ import annotations

import random
from collections.abc import Callable
from html import escape
from itertools import accumulate
from typing import TYPE_CHECKING, Any

from openucs.demo import pools
from openucs.demo.text import Writer
from openucs.domain.enums import InteractionType, MediaType, State
from openucs.domain.formats import from_millis
from openucs.domain.models import ChatMessage, EmailContent, Interaction, OwnerInfo

if TYPE_CHECKING:
    from openucs.demo.generator import Person

_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
DAY_MS = 86_400_000
HOUR_MS = 3_600_000

_MEDIA_WEIGHTS = (
    (MediaType.CALL, 38),
    (MediaType.EMAIL, 13),  # threads add replies: about 20% of rows end up emails
    (MediaType.CHAT, 17),
    (MediaType.WORKITEM, 6),
    (MediaType.SMSSESSION, 5),
    (MediaType.FACEBOOKSESSION, 4),
    (MediaType.FACEBOOK, 4),
    (MediaType.TWITTER, 4),
    (MediaType.OPENMEDIA, 3),
)
_MEDIA = [m for m, _ in _MEDIA_WEIGHTS]
_MEDIA_CUM = list(accumulate(w for _, w in _MEDIA_WEIGHTS))
# Contact centres are busy in office hours: the hour of day of a start.
_HOURS = list(range(24))
_HOUR_CUM = list(accumulate((1,) * 7 + (4,) + (10,) * 10 + (6, 6, 3, 3, 3, 1)))
_CALL_TYPES = [
    InteractionType.INBOUND,
    InteractionType.OUTBOUND,
    InteractionType.INTERNAL,
    InteractionType.CONSULT,
]
_CALL_TYPE_CUM = [65, 90, 96, 100]
_OPEN_DAYS = 3  # interactions of the last days may still be open


class Builder:
    def __init__(
        self,
        *,
        rng: random.Random,
        anchor_ms: int,
        span_days: int,
        person: Callable[[int], Person],
        contact_count: int,
        agents: list[OwnerInfo],
        writer: Writer,
    ) -> None:
        self.rng = rng
        self.writer = writer
        self.anchor_ms = anchor_ms
        self.span_days = span_days
        self.person = person
        self.contact_count = contact_count
        self.agents = agents
        self.seq = 0
        self.day = 0  # days before the anchor of the interactions being made
        self.makers: dict[MediaType, Callable[[], list[Interaction]]] = {
            MediaType.CALL: self.call,
            MediaType.EMAIL: self.email_thread,
            MediaType.CHAT: lambda: self.session(MediaType.CHAT),
            MediaType.SMSSESSION: lambda: self.session(MediaType.SMSSESSION),
            MediaType.FACEBOOKSESSION: lambda: self.session(MediaType.FACEBOOKSESSION),
            MediaType.FACEBOOK: lambda: self.social(MediaType.FACEBOOK),
            MediaType.TWITTER: lambda: self.social(MediaType.TWITTER),
            MediaType.OPENMEDIA: self.web_form,
            MediaType.WORKITEM: self.workitem,
        }

    def next_group(self) -> list[Interaction]:
        media = self.rng.choices(_MEDIA, cum_weights=_MEDIA_CUM)[0]
        return self.makers[media]()

    # --- draws -----------------------------------------------------------------------------

    def start(self) -> tuple[int, int]:
        """A start (epoch ms) on the current day in office-heavy hours, and how many days
        before the anchor that day is."""
        rng = self.rng
        days_ago = self.day
        hour = rng.choices(_HOURS, cum_weights=_HOUR_CUM)[0]
        start = self.anchor_ms - (days_ago + 1) * DAY_MS + hour * HOUR_MS
        return start + rng.randrange(HOUR_MS), days_ago

    def contact(self) -> Person:
        """Skewed: a few contacts have hundreds of interactions, most have a handful."""
        return self.person(int(self.contact_count * self.rng.random() ** 1.5))

    def agent(self) -> OwnerInfo:
        return self.agents[self.rng.randrange(len(self.agents))]

    def new_id(self, start_ms: int) -> str:
        """16 chars like UCS: time first, then a sequence number (unique), then noise."""
        self.seq += 1
        noise = "".join(self.rng.choices(_ALPHABET, k=4))
        return base62(start_ms, 8) + base62(self.seq, 4) + noise

    def hex16(self) -> str:
        return f"{self.rng.getrandbits(64):016X}"

    def is_open(self, days_ago: int) -> bool:
        return days_ago < _OPEN_DAYS and self.rng.random() < 0.3

    def attributes(self, person: Person | None) -> dict[str, str]:
        attrs = {"Language": person.language, "CustomerSegment": person.segment} if person else {}
        if self.rng.random() < 0.5:
            attrs["SearchId"] = str(100_000 + self.rng.randrange(900_000))
        return attrs

    def case_number(self, start_ms: int) -> str:
        return f"CS-{from_millis(start_ms).year}-{self.rng.randrange(1_000_000):06d}"

    # --- media -----------------------------------------------------------------------------

    def call(self) -> list[Interaction]:
        rng = self.rng
        start, days_ago = self.start()
        type_id = rng.choices(_CALL_TYPES, cum_weights=_CALL_TYPE_CUM)[0]
        external = type_id in (InteractionType.INBOUND, InteractionType.OUTBOUND)
        person = self.contact() if external else None
        phone = person.phone if person else f"{5000 + rng.randrange(1000)}"
        is_open = self.is_open(days_ago)
        duration = None if is_open else min(3600, 15 + int(rng.expovariate(1 / 240)))
        conn_id = f"{rng.getrandbits(64):016x}"
        item = self.base(MediaType.CALL, type_id, start, person, is_open=is_open)
        item.end_date = None if duration is None else from_millis(start + duration * 1000)
        item.phone_number = phone
        item.call_duration = duration
        item.external_id = conn_id
        item.user_data = {"ServiceType": rng.choice(pools.SERVICE_TYPES), "ConnID": conn_id}
        if rng.random() < 0.2:
            note = rng.choice(pools.CALL_NOTES)
            item.comment = f"{note} {self.writer.said(language(person))}"
        return [item]

    def session(self, media: MediaType) -> list[Interaction]:
        """chat, smssession, facebooksession: a transcript inside the interaction's window."""
        start, days_ago = self.start()
        person = self.contact()
        is_open = self.is_open(days_ago)
        queued = is_open and self.rng.random() < 0.4  # New: nobody has answered yet
        item = self.base(media, InteractionType.INBOUND, start, person, is_open=is_open)
        if queued:
            item.owner = item.owner_id = None
            item.state = State.NEW
        agent_name = item.owner.first_name if item.owner else None
        messages, last = self.transcript(start, person, agent_name, closed=not is_open)
        item.messages = messages
        item.subject = self.subject(self.rng.choice(pools.TOPICS))
        item.external_id = self.hex16()
        if not is_open:
            item.end_date = from_millis(last + self.rng.randrange(1_000, 5_000))
        return [item]

    def email_thread(self) -> list[Interaction]:
        rng = self.rng
        start, days_ago = self.start()
        person = self.contact()
        topic = rng.choice(pools.TOPICS)
        subject = self.subject(topic)
        inbound = self.email(start, person, subject, InteractionType.INBOUND, days_ago)
        thread = [inbound]
        while len(thread) < 3 and rng.random() < (0.6 if len(thread) == 1 else 0.2):
            parent = thread[-1]
            at = int(parent.start_date.timestamp() * 1000) + rng.randrange(900_000, 36 * HOUR_MS)
            if at >= self.anchor_ms:
                break
            reply_type = InteractionType.OUTBOUND if len(thread) == 1 else InteractionType.INBOUND
            reply = self.email(at, person, "Re: " + subject, reply_type, days_ago=_OPEN_DAYS)
            reply.parent_id = parent.id
            thread.append(reply)
        return thread

    def email(
        self, start: int, person: Person, subject: str, type_id: InteractionType, days_ago: int
    ) -> Interaction:
        rng = self.rng
        is_open = self.is_open(days_ago)
        item = self.base(MediaType.EMAIL, type_id, start, person, is_open=is_open)
        item.subject = subject
        topic = subject.removeprefix("Re: ").lower()
        name = f"{person.first_name} {person.last_name}"
        words = self.writer.said(person.language)
        html = None
        if type_id == InteractionType.INBOUND:
            sender, to = person.email, pools.SUPPORT_ADDRESS
            text = rng.choice(pools.EMAIL_BODIES).format(topic=topic)
            paragraphs = ["Hello,", text, words, f"Kind regards,\n{name}"]
        else:
            sender, to = pools.SUPPORT_ADDRESS, person.email
            text = rng.choice(pools.REPLY_BODIES).format(topic=topic, case=self.case_number(start))
            agent = item.owner.first_name if item.owner else "Customer Service"
            paragraphs = [f"Dear {name},", text, words, f"Best regards,\n{agent}"]
            html = "".join(f"<p>{escape(p)}</p>" for p in paragraphs).replace("\n", "<br>")
        item.email = EmailContent(
            from_address=sender,
            to=[to],
            subject=subject,
            body_as_plain_text="\n\n".join(paragraphs),
            body=html and f"<html><body>{html}</body></html>",
        )
        if not is_open:
            item.end_date = from_millis(start + rng.randrange(60_000, 2 * HOUR_MS))
        return item

    def social(self, media: MediaType) -> list[Interaction]:
        rng = self.rng
        start, days_ago = self.start()
        person = self.contact()
        item = self.base(media, InteractionType.INBOUND, start, person)
        post = rng.choice(pools.SOCIAL_POSTS)
        item.subject = f"{post} {self.writer.said(person.language)}"
        item.external_id = str(10**17 + rng.randrange(9 * 10**17))
        handle = f"{person.first_name.lower()}_{person.last_name.lower()}"
        item.user_data = {"ScreenName": "@" + handle}
        self.finish(item, start, days_ago, max_minutes=240)
        return [item]

    def web_form(self) -> list[Interaction]:
        start, days_ago = self.start()
        person = self.contact()
        item = self.base(MediaType.OPENMEDIA, InteractionType.INBOUND, start, person)
        topic = self.rng.choice(pools.TOPICS)
        item.subject = f"Web form: {topic}"
        item.comment = self.writer.said(person.language)
        item.user_data = {"FormName": "contact-us", "Topic": topic}
        item.custom_attributes["CaseNumber"] = self.case_number(start)
        self.finish(item, start, days_ago, max_minutes=600)
        return [item]

    def workitem(self) -> list[Interaction]:
        rng = self.rng
        start, days_ago = self.start()
        person = self.contact() if rng.random() < 0.6 else None
        item = self.base(MediaType.WORKITEM, InteractionType.INTERNAL, start, person)
        item.subject = self.subject(rng.choice(pools.WORKITEM_SUBJECTS))
        if self.writer.rng.random() < 0.5:
            item.comment = self.writer.said(language(person))
        item.custom_attributes["CaseNumber"] = self.case_number(start)
        if rng.random() < 0.08:  # work items wait in a queue for days
            item.state = State.PENDING
            item.owner = item.owner_id = None
        else:
            self.finish(item, start, days_ago, max_minutes=2880)
        return [item]

    # --- common ----------------------------------------------------------------------------

    def base(
        self,
        media: MediaType,
        type_id: InteractionType,
        start: int,
        person: Person | None,
        *,
        is_open: bool = False,
    ) -> Interaction:
        """Stopped (the caller sets endDate) or, when open, InProcess without endDate."""
        owner = self.agent() if self.rng.random() < 0.97 or is_open else None
        return Interaction(
            id=self.new_id(start),
            media_type=media,
            type_id=type_id,
            state=State.IN_PROCESS if is_open else State.STOPPED,
            start_date=from_millis(start),
            contact_id=person.id if person else None,
            owner_id=owner.id if owner else None,
            owner=owner,
            custom_attributes=self.attributes(person),
        )

    def subject(self, topic: str) -> str:
        """A topic, now and then naming an order, an amount or a product."""
        return f"{topic} {self.writer.tag()}" if self.writer.rng.random() < 0.3 else topic

    def finish(self, item: Interaction, start: int, days_ago: int, *, max_minutes: int) -> None:
        if self.is_open(days_ago):
            item.state = self.rng.choice((State.IN_PROCESS, State.PENDING))
        else:
            item.end_date = from_millis(start + self.rng.randrange(60_000, max_minutes * 60_000))

    def line_in(self, language: str) -> Callable[[str], str]:
        """What makes a chat line: in English the stock line or a sentence, in another language
        a sentence in it (the stock line is drawn all the same, so the stream of ids and dates
        stays as it was)."""
        writer = self.writer
        if language == "en":
            return lambda line: line if writer.rng.random() < 0.5 else writer.said("en")
        return lambda _line: writer.said(language)

    def transcript(
        self, start: int, person: Person, agent: str | None, *, closed: bool
    ) -> tuple[list[ChatMessage], int]:
        """ParticipantJoined, Text from Customer and Agent, ParticipantLeft; returns the
        messages and the time of the last one."""
        rng = self.rng
        cust = (person.first_name, "Customer", self.hex16())
        texts: list[tuple[Any, ...]] = [(*cust, "ParticipantJoined", None)]
        say = self.line_in(person.language)
        texts.append((*cust, "Text", say(rng.choice(pools.CUSTOMER_LINES))))
        staff = (agent, "Agent", self.hex16()) if agent is not None else None
        if staff is not None:
            texts.append((*staff, "ParticipantJoined", None))
            for turn in range(rng.randrange(2, 9)):
                speaker = staff if turn % 2 == 0 else cust
                lines = pools.AGENT_LINES if turn % 2 == 0 else pools.CUSTOMER_LINES
                texts.append((*speaker, "Text", say(rng.choice(lines))))
        if closed:  # an unanswered chat ends with the customer leaving
            texts.append((*cust, "ParticipantLeft", None))
            if staff is not None:
                texts.append((*staff, "ParticipantLeft", None))
        at, messages = start, []
        for index, (nick, kind, pid, event, text) in enumerate(texts, start=1):
            messages.append(
                ChatMessage(index, event, from_millis(at), "All", nick, kind, pid, text)
            )
            at += rng.randrange(3_000, 45_000)
        return messages, at


def language(person: Person | None) -> str:
    return person.language if person else "en"


_PAIRS = [a + b for a in _ALPHABET for b in _ALPHABET]


def base62(n: int, width: int) -> str:
    """`n` in `width` base-62 digits (`width` even), two digits per step."""
    out = []
    for _ in range(width // 2):
        n, r = divmod(n, 3844)
        out.append(_PAIRS[r])
    return "".join(reversed(out))
