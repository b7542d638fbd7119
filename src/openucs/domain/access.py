"""Who may read what, as data: a `ReadScope` travels in every history query and every store
compiles it to SQL, so access is decided by the database rows (who owns what), never by
filtering results after a LIMIT.

Agents read by the deployment's `agent_access` setting:

- `own`: only the interactions they own (and the contacts of those interactions);
- `handled` (the default): their own interactions, plus the whole history of every contact
  they own an interaction with;
- `all`: every interaction and every contact, as many Genesys desktops show it.

Supervisors and admins read everything. Writes are narrower and not described here: an agent
changes only what they own (see `services.access`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from openucs.domain.models import User
from openucs.errors import InvalidInput


class AgentAccess(StrEnum):
    OWN = "own"
    HANDLED = "handled"
    ALL = "all"

    @classmethod
    def parse(cls, field: str, raw: str) -> AgentAccess:
        try:
            return cls(raw.strip().lower())
        except ValueError:
            allowed = ", ".join(m.value for m in cls)
            raise InvalidInput(field, f"unknown value {raw!r} (allowed: {allowed})") from None


@dataclass(frozen=True, slots=True)
class ReadScope:
    """The rows a caller may read. `user_id` None: everything (supervisors, admins, agents
    under `all`). Otherwise the interactions owned by `user_id`, widened by `access`."""

    user_id: str | None = None
    access: AgentAccess = AgentAccess.HANDLED

    @classmethod
    def of(cls, user: User, access: AgentAccess) -> ReadScope:
        """The scope of `user` under the deployment's policy."""
        if user.reads_everything or access is AgentAccess.ALL:
            return EVERYTHING
        return cls(user.id, access)

    @property
    def unlimited(self) -> bool:
        return self.user_id is None or self.access is AgentAccess.ALL


EVERYTHING = ReadScope()
