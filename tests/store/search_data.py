"""Generated history for the search reference test: a few hundred interactions whose text is in
many languages and scripts, and whose custom attributes are numbers, dates and strings.

Deterministic (a seeded `random.Random`): the same seed gives the same rows. The pools the rows
are drawn from are public, so the query generators draw from the same words and values and most
queries find something.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

from openucs.domain.enums import InteractionType, MediaType, Source, State
from openucs.domain.models import (
    ChatMessage,
    Contact,
    EmailContent,
    Interaction,
    InteractionPatch,
    OwnerInfo,
)
from openucs.domain.search import searchable_texts, words_of
from openucs.store import Store
from tests.factories import make_contact

# Words as people write them: capitals, diacritics, letters that do not decompose, scripts
# without case, compatibility forms (ligatures, full width) and characters that fold away.
WORDS = (
    # German
    "Über", "über", "Straße", "STRASSE", "Größe", "Müller", "Rückerstattung", "schön", "Äpfel",
    # Polish
    "Żółw", "żółw", "łódź", "Łódź", "zażółć", "gęślą", "jaźń", "Wrocław",
    # French, Spanish, Portuguese
    "élève", "garçon", "déjà", "crème", "brûlée", "Noël", "cœur", "œuvre", "niño", "señor",
    "mañana", "corazón", "reembolso", "pingüino", "não", "ação",
    # Greek (final sigma), Cyrillic (ё, й)
    "Αθήνα", "καλημέρα", "ΟΔΟΣ", "οδός", "ευχαριστώ", "Привет", "спасибо", "Москва", "ёлка",
    "Йошкар",
    # Turkish dotless and dotted i
    "ığdır", "Iğdır", "İstanbul", "istanbul", "şeker", "çay", "Ağrı",  # noqa: RUF001
    # Nordic and Icelandic letters spelled out
    "smørbrød", "Æble", "þorn", "Ðóra",
    # CJK, kana with voicing marks (they fold away), Hangul (decomposes), Arabic, Hebrew
    "東京", "注文", "返金", "北京市", "がっこう", "カタカナ", "한국어", "مرحبا", "שלום",
    # Vietnamese (stacked marks), compatibility forms
    "Tiếng", "Việt", "ﬁle", "Ｔｅｓｔ", "x²",  # noqa: RUF001
    # ASCII, numbers and ids
    "refund", "Refund", "REFUNDED", "invoice", "order", "chargeback", "delivery", "late",
    "A-17", "e-mail", "O'Brien", "order_7", "12:30", "42", "007", "2026", "3.14",
)  # fmt: skip

PUNCTUATION = ("", "", "", ",", ".", "!", "?", ";", " -", ":", "…", "¿", "«", "»", "(", ")")

NUMBERS = (
    "007", "7", "7.0", "-2.5", "-3", "10", "9", "100", "99.99", "0", "-0", "123456789012345",
    "1234567890123456", "999999999999999",
)  # fmt: skip
DATES = (
    "2026-01-01", "2026-01-01T00:00:00Z", "2026-01-01T10:00:00+02:00", "2026-01-01T08:00Z",
    "2026-01-01 08:00", "2025-12-31T23:59:59.5", "2026-03-15", "2026-02-30", "2024-02-29",
)  # fmt: skip
STRINGS = (
    "abc", "Abc", "ABC", "abd", "Über", "uber", "zebra", "DE", "AT", "de", "", " 5", "+5", "1e3",
    "A17-X", "A17", "東京", "a b", 'quote"d',
)  # fmt: skip
ATTR_VALUES = NUMBERS + DATES + STRINGS
ATTR_NAMES = ("CaseNumber", "Amount", "Due", "Country", "OrderId", "Größe", "a.b", "Note")

BASE = datetime(2026, 1, 1, tzinfo=UTC)
TRANSCRIPT_MEDIA = (MediaType.CHAT, MediaType.SMSSESSION, MediaType.FACEBOOKSESSION)


@dataclass
class SearchData:
    """The rows (with content), their contacts and owners, and the pools they were drawn from."""

    items: list[Interaction] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    owners: list[OwnerInfo] = field(default_factory=list)
    threads: list[str] = field(default_factory=list)
    starts: list[datetime] = field(default_factory=list)

    @property
    def by_id(self) -> dict[str, Interaction]:
        return {item.id: item for item in self.items}

    def phrases(self) -> list[tuple[str, ...]]:
        """Runs of two or three adjacent words within one piece of text, and pairs that
        straddle two pieces (the last word of one, the first of the next: never a match
        unless they also occur together in one piece)."""
        found: set[tuple[str, ...]] = set()
        for item in self.items[:60]:
            pieces = [words_of(text) for text in searchable_texts(item, None)]
            for words in pieces:
                for i in range(len(words) - 1):
                    found.add(tuple(words[i : i + 2 + i % 2]))
            for before, after in pairwise(pieces):
                if before and after:
                    found.add((before[-1], after[0]))
        return sorted(found)


def generate(seed: int = 9, count: int = 320) -> SearchData:
    rng = random.Random(seed)
    data = SearchData(
        contacts=[
            make_contact(id=f"CTSR{n:012d}", first_name=name)
            for n, name in enumerate(("Zoë", "Łukasz", "東"))
        ],
        owners=[
            OwnerInfo(id=f"{n + 1:032x}", user_name=name)
            for n, name in enumerate(("alice", "Alice", "bjørn", "jürgen"))
        ],
        threads=[f"TH{n:03d}" for n in range(6)],
    )
    # Few distinct instants, many shared (ties ordered by id), midnights and their neighbours.
    data.starts = sorted(
        {BASE + timedelta(hours=h) for h in range(-30, 80, 7)}
        | {BASE, BASE - timedelta(milliseconds=1), BASE + timedelta(days=1)}
    )
    for n in range(count):
        data.items.append(_interaction(rng, data, n))
    return data


def _interaction(rng: random.Random, data: SearchData, n: int) -> Interaction:
    media = rng.choice([*TRANSCRIPT_MEDIA, MediaType.EMAIL, MediaType.CALL, MediaType.WORKITEM])
    owner = rng.choice([*data.owners, None])
    return Interaction(
        id=f"SR{rng.choice('ABCDEF')}{n:05d}",  # ids out of step with start dates
        media_type=media,
        type_id=rng.choice(list(InteractionType)),
        state=rng.choice(list(State)),
        start_date=rng.choice(data.starts),
        subject=_maybe(rng, lambda: _sentence(rng, 1, 5)),
        comment=_maybe(rng, lambda: _sentence(rng, 1, 8), 0.4),
        owner_id=owner.id if owner else None,
        owner=owner,
        contact_id=rng.choice([c.id for c in data.contacts] + [None]),
        thread_id=rng.choice([*data.threads, None]),
        custom_attributes=_attributes(rng),
        user_data=_maybe(rng, lambda: _user_data(rng, 3), 0.5),
        source=Source.ARCHIVE if n % 17 == 5 else Source.MAIN,
        messages=_messages(rng) if media in TRANSCRIPT_MEDIA or rng.random() < 0.1 else None,
        email=_email(rng) if media is MediaType.EMAIL or rng.random() < 0.05 else None,
    )


def _maybe(rng: random.Random, make: Any, chance: float = 0.7) -> Any:
    return make() if rng.random() < chance else None


def _sentence(rng: random.Random, least: int, most: int) -> str:
    words = [rng.choice(WORDS) + rng.choice(PUNCTUATION) for _ in range(rng.randint(least, most))]
    return " ".join(words)


def _attributes(rng: random.Random) -> dict[str, str]:
    names = rng.sample(ATTR_NAMES, rng.randint(0, 4))
    return {name: rng.choice(ATTR_VALUES) for name in names}


def _user_data(rng: random.Random, depth: int) -> dict[str, Any]:
    """Strings at every depth, and numbers and booleans that a search must not find."""
    out: dict[str, Any] = {}
    keys = ["note", "Größe", "tags", "n", "flag", "inner", "Kundennummer"]
    for key in rng.sample(keys, rng.randint(1, 4)):
        roll = rng.random()
        if key == "inner" and depth > 0:
            out[key] = _user_data(rng, depth - 1)
        elif key == "tags":
            out[key] = [_sentence(rng, 1, 2), rng.randint(0, 99), [_sentence(rng, 1, 2)]]
        elif key == "n":
            out[key] = rng.choice([42, 7, 2026, 3.5])
        elif key == "flag":
            out[key] = roll < 0.5
        else:
            out[key] = _sentence(rng, 1, 4)
    return out


def _messages(rng: random.Random) -> list[ChatMessage]:
    out = []
    for index in range(rng.randint(0, 5)):
        joined = index == 0 and rng.random() < 0.5
        out.append(
            ChatMessage(
                index=index,
                type="ParticipantJoined" if joined else "Text",
                timestamp=BASE + timedelta(seconds=index),
                nickname=rng.choice(["Ann", "Zoë", "Bob"]),
                participant_type="Customer" if index % 2 == 0 else "Agent",
                text=None if joined else _sentence(rng, 1, 12),
            )
        )
    return out


def _email(rng: random.Random) -> EmailContent:
    """Plain only, HTML only (tags and entities to strip), or both (the plain text wins)."""
    kind = rng.choice(["plain", "html", "both"])
    plain = _sentence(rng, 2, 12) if kind != "html" else None
    html = _html(rng) if kind != "plain" else None
    return EmailContent(
        from_address="zoe@example.com",
        to=["support@example.com"],
        subject=_maybe(rng, lambda: _sentence(rng, 1, 4)),
        body_as_plain_text=plain,
        body=html,
        mime="text/html" if html else "text/plain",
    )


def _html(rng: random.Random) -> str:
    pieces = [
        f"<p>{_sentence(rng, 1, 4)}</p>",
        f"<div class='x'>{_sentence(rng, 1, 3)}<br/>{_sentence(rng, 1, 3)}</div>",
        "<p>M&uuml;ller &amp; S&#xF6;hne &#379;&#243;&#322;w</p>",
        f"<b>{rng.choice(WORDS)}</b><i>{rng.choice(WORDS)}</i>",  # adjacent tags: two words
        "<p>Stra<b>ß</b>e</p>",
        "<!-- refund --><script>var chargeback = 1;</script>",
    ]
    return "".join(rng.sample(pieces, rng.randint(1, 4)))


def change(store: Store, data: SearchData, seed: int = 11) -> None:
    """Rewrite part of the stored rows through each write path that must keep the search
    index in step (patch, replace, complete, a thread's contact, delete), and the same in
    `data.items`."""
    rng = random.Random(seed)
    by_id = data.by_id
    chosen = rng.sample(sorted(by_id), 70)
    for interaction_id in chosen[:25]:
        by_id[interaction_id] = _patched(store, rng, data, by_id[interaction_id])
    fresh = [
        replace(_interaction(rng, data, n), id=i, source=by_id[i].source)
        for n, i in enumerate(chosen[25:40])
    ]
    store.save_interactions(fresh)
    by_id.update((item.id, item) for item in fresh)
    for interaction_id in chosen[40:48]:
        extra = {"note": _sentence(rng, 1, 3), "inner": {"deeper": _sentence(rng, 1, 2)}}
        end = BASE + timedelta(days=9)
        store.complete_interaction(interaction_id, end_date=end, call_duration=7, user_data=extra)
        item = by_id[interaction_id]
        merged = {**(item.user_data or {}), **extra}
        by_id[interaction_id] = replace(item, state=State.STOPPED, user_data=merged)
    for interaction_id in chosen[48:52]:
        contact = rng.choice(data.contacts).id
        store.assign_thread_contact(interaction_id, contact)
        thread = by_id[interaction_id].thread_id or interaction_id
        for item in list(by_id.values()):
            if item.thread_id == thread or item.id == interaction_id:
                by_id[item.id] = replace(item, contact_id=contact)
    for interaction_id in chosen[52:64]:
        assert store.delete_interaction(interaction_id)
        del by_id[interaction_id]
    data.items = [by_id[item.id] for item in data.items if item.id in by_id]


def _patched(store: Store, rng: random.Random, data: SearchData, item: Interaction) -> Interaction:
    """A patch of some of the searchable fields (None clears one); the patched row."""
    fields: dict[str, Any] = {
        "subject": _maybe(rng, lambda: _sentence(rng, 1, 4)),
        "comment": _maybe(rng, lambda: _sentence(rng, 1, 6)),
        "custom_attributes": _attributes(rng),
        "user_data": _maybe(rng, lambda: _user_data(rng, 2)),
        "state": rng.choice(list(State)),
        "contact_id": rng.choice([c.id for c in data.contacts] + [None]),
    }
    names = rng.sample(sorted(fields), rng.randint(1, 4))
    changed = {name: fields[name] for name in names}
    store.update_interaction(item.id, InteractionPatch(**changed, present=frozenset(names)))
    return replace(item, **changed)
