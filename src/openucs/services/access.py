"""Who may read and write what.

Reads follow the deployment's `agent_access` policy (`domain.access`): a `Reader` is the
signed-in user under that policy, seen from one place (the API, a CometD operation, the web UI,
the command line); its `scope` goes into every history query and the stores compile it to SQL.
Every read a `Reader` makes is recorded in the read audit (`services.audit`).

Writes do not follow the policy: supervisors and admins change anything, an agent only what
they own (or what has no owner yet), and only admins manage users.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from openucs.domain.access import AgentAccess, ReadScope
from openucs.domain.models import Interaction, ReadRecord, User
from openucs.errors import PermissionDenied
from openucs.store.base import Store


class AuditSink(Protocol):
    def append(self, record: ReadRecord) -> None: ...


@dataclass(frozen=True, slots=True)
class Reader:
    """A person reading history: who, under which policy, through what (`via`: api, cometd,
    web, cli) and from which address; `audit` receives a record of each read."""

    user: User
    access: AgentAccess
    audit: AuditSink
    via: str = "api"
    client: str | None = None

    @property
    def scope(self) -> ReadScope:
        return ReadScope.of(self.user, self.access)

    def record(
        self,
        action: str,
        *,
        interaction_ids: tuple[str, ...] = (),
        contact_id: str | None = None,
    ) -> None:
        self.audit.append(
            ReadRecord.now(
                user_id=self.user.id,
                user_name=self.user.user_name,
                action=action,
                via=self.via,
                client=self.client,
                contact_id=contact_id,
                interaction_ids=interaction_ids,
            )
        )


def require_admin(user: User) -> None:
    if not user.is_admin:
        raise PermissionDenied("this operation requires the admin role")


def require_reader_of_everything(user: User, what: str) -> None:
    if not user.reads_everything:
        raise PermissionDenied(f"{what} requires the supervisor or admin role")


def owner_filter_for(scope: ReadScope, requested_owner: str | None) -> str | None:
    """The owner filter a window query (everything started in a window) must carry: a limited
    reader lists only their own interactions, whatever the policy says of contacts."""
    if scope.unlimited:
        return requested_owner
    if requested_owner and requested_owner != scope.user_id:
        raise PermissionDenied("an agent may read only their own history")
    return scope.user_id


def may_read_contact(store: Store, scope: ReadScope, contact_id: str) -> bool:
    """Whether any of the contact's history is readable: `own` and `handled` both need an
    interaction of the contact owned by the reader."""
    if scope.unlimited or scope.user_id is None:
        return True
    return store.owner_handled_contact(scope.user_id, contact_id)


def require_contact_access(store: Store, scope: ReadScope, contact_id: str) -> None:
    if not may_read_contact(store, scope, contact_id):
        raise PermissionDenied(f"agent has not handled contact {contact_id!r}")


def require_interaction_access(store: Store, scope: ReadScope, item: Interaction) -> None:
    if scope.unlimited or item.owner_id == scope.user_id:
        return
    if (
        scope.access is AgentAccess.HANDLED
        and item.contact_id
        and may_read_contact(store, scope, item.contact_id)
    ):
        return
    raise PermissionDenied(f"agent may not read interaction {item.id!r}")


def require_interaction_writer(user: User, item: Interaction) -> None:
    """An agent changes only the interactions they own or that have no owner yet."""
    if not user.reads_everything and item.owner_id not in (None, user.id):
        raise PermissionDenied(f"interaction {item.id!r} belongs to another agent")
