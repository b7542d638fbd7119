"""The deterministic demo data set: contacts, agents (owners without a login) and interactions of
every media type over the 13 months before an anchor day.

Everything derives from the seed: ids, names, texts, dates relative to the anchor (midnight UTC
of `now`). Contacts come from a hash of (seed, index), so they stream in any number without
being kept in memory; interactions come from one `random.Random(seed)` in a fixed order. The
same plan therefore yields the same data, byte for byte.
"""

from __future__ import annotations

import hashlib
import heapq
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from openucs.demo import pools
from openucs.demo.media import Builder, base62
from openucs.demo.text import Writer
from openucs.domain.formats import from_millis
from openucs.domain.models import Contact, ContactPoint, Interaction, OwnerInfo

DAY_MS = 86_400_000
SPAN_DAYS = 395  # about 13 months
_MASK = (1 << 64) - 1


def _mix(seed: int, index: int) -> int:
    """splitmix64 of (seed, index): a cheap, well-spread 64-bit hash."""
    z = (seed * 0x9E3779B97F4A7C15 + index * 0xBF58476D1CE4E5B9 + 0x94D049BB133111EB) & _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


@dataclass(frozen=True, slots=True)
class Person:
    """What the interactions need of a contact, computed from its index."""

    id: str
    first_name: str
    last_name: str
    title: str | None
    email: str
    phone: str
    segment: str
    language: str


@dataclass(frozen=True, slots=True)
class DemoPlan:
    """How much data, from which seed, relative to which day. `contacts` and `agents` of 0 are
    derived from `interactions` (a tenth of it, at least 10; 50-200 agents)."""

    interactions: int
    seed: int = 1
    now: datetime | None = None
    contacts: int = 0
    agents: int = 0
    login_agent: str | None = None  # user name given to the first agent (the demo login)

    @property
    def contact_count(self) -> int:
        return self.contacts or max(10, self.interactions // 10)

    @property
    def agent_count(self) -> int:
        return self.agents or min(200, max(50, self.interactions // 5000))

    @property
    def anchor_ms(self) -> int:
        """Midnight UTC of `now` (today by default): every start lies before it."""
        now = self.now or datetime.now(UTC)
        millis = int(now.timestamp() * 1000)
        return millis - millis % DAY_MS


class DemoData:
    """The data of one plan: `contacts()` first (interactions reference them), then
    `interactions()`; both are generators, both deterministic."""

    def __init__(self, plan: DemoPlan) -> None:
        if plan.interactions < 0:
            raise ValueError("interactions must not be negative")
        self.plan = plan
        self.agents = _agents(plan)

    def person(self, index: int) -> Person:
        h = _mix(self.plan.seed, index)
        first = pools.FIRST_NAMES[h % len(pools.FIRST_NAMES)]
        last = pools.LAST_NAMES[(h >> 8) % len(pools.LAST_NAMES)]
        domain = pools.EMAIL_DOMAINS[(h >> 16) % len(pools.EMAIL_DOMAINS)]
        number = (h >> 20) % 1000
        return Person(
            id="00" + base62(index, 6) + base62(h >> 24, 8),
            first_name=first,
            last_name=last,
            title=pools.TITLES[(h >> 32) % len(pools.TITLES)],
            email=f"{first.lower()}.{last.lower()}{number}@{domain}",
            phone=f"+1555{(h >> 36) % 10_000_000:07d}",
            segment=pools.SEGMENTS[(h >> 60) % len(pools.SEGMENTS)],
            language=pools.LANGUAGES[(h >> 56) % len(pools.LANGUAGES)],
        )

    def contacts(self) -> Iterator[Contact]:
        for index in range(self.plan.contact_count):
            p = self.person(index)
            yield Contact(
                id=p.id,
                first_name=p.first_name,
                last_name=p.last_name,
                title=p.title,
                emails=[ContactPoint(p.email, True, "home")],
                phones=[ContactPoint(p.phone, True, "mobile")],
                custom_attributes={"CustomerSegment": p.segment, "Language": p.language},
            )

    def interactions(self) -> Iterator[Interaction]:
        """Exactly `plan.interactions` interactions, in start order (oldest first, as a real
        history grows and as an export lists it), so an email reply always follows its parent.
        Days get their share by weight (weekends are quiet); a day's interactions wait in a
        heap until every earlier start has been made."""
        builder = Builder(
            rng=random.Random(self.plan.seed),  # noqa: S311 - reproducible, not secret
            anchor_ms=self.plan.anchor_ms,
            span_days=SPAN_DAYS,
            person=self.person,
            contact_count=self.plan.contact_count,
            agents=self.agents,
            writer=Writer(random.Random(self.plan.seed ^ 0x7E47)),  # noqa: S311 - as above
        )
        total, made, serial = self.plan.interactions, 0, 0
        weights = _day_weights(self.plan.anchor_ms)
        waiting: list[tuple[datetime, int, Interaction]] = []
        for days_ago in range(SPAN_DAYS - 1, -1, -1):
            builder.day = days_ago
            quota = round(total * weights[days_ago])
            while made < quota:
                for item in builder.next_group()[: total - made]:
                    heapq.heappush(waiting, (item.start_date, serial, item))
                    serial += 1
                    made += 1
            day_end = from_millis(self.plan.anchor_ms - days_ago * DAY_MS)
            while waiting and waiting[0][0] < day_end:
                yield heapq.heappop(waiting)[2]
        while waiting:
            yield heapq.heappop(waiting)[2]


@dataclass(frozen=True, slots=True)
class DemoBatches:
    """The interactions of a plan in batches, without line numbers: a picklable batch source
    for an import pipeline, which generates them in its own process."""

    plan: DemoPlan
    batch_size: int

    def __call__(self) -> Iterator[tuple[list[Interaction], None]]:
        batch: list[Interaction] = []
        for item in DemoData(self.plan).interactions():
            batch.append(item)
            if len(batch) >= self.batch_size:
                yield batch, None
                batch = []
        if batch:
            yield batch, None


def _day_weights(anchor_ms: int) -> list[float]:
    """Cumulative share of the interactions made by the end of each day (index: days before
    the anchor), oldest day first in the sum; Saturdays and Sundays count 0.4 of a weekday."""
    days = range(SPAN_DAYS - 1, -1, -1)
    weight = {
        d: 0.4 if from_millis(anchor_ms - (d + 1) * DAY_MS).weekday() >= 5 else 1.0 for d in days
    }
    total = sum(weight.values())
    cumulative, running = [0.0] * SPAN_DAYS, 0.0
    for d in days:
        running += weight[d]
        cumulative[d] = running / total
    cumulative[0] = 1.0
    return cumulative


def _agents(plan: DemoPlan) -> list[OwnerInfo]:
    """agent001, agent002 ...: the same users whatever the seed (the id is a digest of the user
    name), so data of several seeds, or `seed` after `serve --demo`, can share a database."""
    agents = []
    for n in range(1, plan.agent_count + 1):
        user_name = plan.login_agent if n == 1 and plan.login_agent else f"agent{n:03d}"
        h = _mix(0xA6E7, n)
        agents.append(
            OwnerInfo(
                id=hashlib.blake2b(
                    user_name.encode(), digest_size=16, person=b"openucs-demo"
                ).hexdigest(),
                user_name=user_name,
                first_name=pools.FIRST_NAMES[h % len(pools.FIRST_NAMES)],
                last_name=pools.LAST_NAMES[(h >> 8) % len(pools.LAST_NAMES)],
            )
        )
    return agents
