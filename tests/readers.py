"""Readers for service tests: a user under a policy, whose reads are kept in a list."""

from __future__ import annotations

from dataclasses import dataclass, field

from openucs.domain.access import AgentAccess
from openucs.domain.models import ReadRecord, User
from openucs.services.access import Reader


@dataclass
class RecordedReads:
    """An audit sink that keeps what it is given."""

    records: list[ReadRecord] = field(default_factory=list)

    def append(self, record: ReadRecord) -> None:
        self.records.append(record)


def reader_of(
    user: User, access: AgentAccess = AgentAccess.HANDLED, audit: RecordedReads | None = None
) -> Reader:
    return Reader(user, access, audit if audit is not None else RecordedReads(), via="test")
