"""Who may read what. Agents read the interactions they own and the whole history of the
contacts they handled; supervisors and admins read everything; only admins write."""

from __future__ import annotations

from openucs.domain.access import EVERYTHING, AgentAccess, ReadScope
from openucs.domain.models import Interaction, User
from openucs.errors import PermissionDenied
from openucs.store.base import Store


def scope_for(user: User) -> ReadScope:
    """What this user may read, for the reads that compile a `ReadScope` to SQL."""
    if user.reads_everything:
        return EVERYTHING
    return ReadScope(user.id, AgentAccess.HANDLED)


def require_admin(user: User) -> None:
    if not user.is_admin:
        raise PermissionDenied("this operation requires the admin role")


def require_reader_of_everything(user: User, what: str) -> None:
    if not user.reads_everything:
        raise PermissionDenied(f"{what} requires the supervisor or admin role")


def owner_filter_for(user: User, requested_owner: str | None) -> str | None:
    """The owner filter a history query must carry for this user."""
    if user.reads_everything:
        return requested_owner
    if requested_owner and requested_owner != user.id:
        raise PermissionDenied("an agent may read only their own history")
    return user.id


def require_contact_access(store: Store, user: User, contact_id: str) -> None:
    if user.reads_everything or store.owner_handled_contact(user.id, contact_id):
        return
    raise PermissionDenied(f"agent has not handled contact {contact_id!r}")


def require_interaction_access(store: Store, user: User, item: Interaction) -> None:
    if user.reads_everything or item.owner_id == user.id:
        return
    if item.contact_id and store.owner_handled_contact(user.id, item.contact_id):
        return
    raise PermissionDenied(f"agent may not read interaction {item.id!r}")
