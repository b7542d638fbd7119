"""Writing history: create, replace, patch, delete and bulk ingest of interactions.

Every write goes through `ingest`, which checks references (contacts, parents, owners) for the
whole batch with one query each and applies the UCS thread rule (spec 4.6), then hands the batch
to the store, which writes it in one transaction: all or nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import NamedTuple

from openucs.domain import rules
from openucs.domain.ids import new_user_id
from openucs.domain.models import Interaction, InteractionPatch, OwnerInfo
from openucs.domain.redaction import redact_interaction, redact_patch
from openucs.errors import Conflict, InvalidInput, NotFound
from openucs.store.base import Store


def create_interaction(*, store: Store, interaction: Interaction) -> Interaction:
    """Create one interaction in one transaction; Conflict when the id is taken, also by a
    concurrent create (the insert refuses it)."""
    with store.atomic():
        if store.get_interactions([interaction.id]):
            raise Conflict(f"interaction {interaction.id!r} already exists")
        check_batch(store, [interaction])
        store.save_interactions([interaction], replace=False)
        return _reload(store, interaction.id)


def put_interaction(*, store: Store, interaction: Interaction) -> tuple[Interaction, bool]:
    """Create or replace one interaction in one transaction; returns it and whether it was
    created."""
    with store.atomic():
        store.lock(f"interaction:{interaction.id}")
        created = not store.get_interactions([interaction.id])
        ingest(store=store, interactions=[interaction])
        return _reload(store, interaction.id), created


def update_interaction(
    *, store: Store, interaction_id: str, patch: InteractionPatch
) -> Interaction:
    """Apply a partial update in one transaction; returns the whole interaction, content
    included. The result keeps the rules of `domain.rules` (leaving Stopped drops endDate)."""
    with store.atomic():
        store.lock(f"interaction:{interaction_id}")
        stored = store.get_interaction(interaction_id, with_content=False)
        if stored is None:
            raise NotFound("interaction", interaction_id)
        patch = redact_patch(rules.checked_patch(stored, patch), store.redaction)
        if "contact_id" in patch.present and patch.contact_id:
            check_contacts(store, {patch.contact_id})
            merged = store.merged_into(patch.contact_id)  # a merged contact's go to its target
            patch = replace(patch, contact_id=merged) if merged else patch
        store.update_interaction(interaction_id, patch)
        return _reload(store, interaction_id)


def delete_interaction(*, store: Store, interaction_id: str) -> None:
    with store.atomic():
        if not store.delete_interaction(interaction_id):
            raise NotFound("interaction", interaction_id)


class ThreadParent(NamedTuple):
    """What the thread rule needs of a parent: a light stand-in for an `Interaction`, for the
    interactions of earlier batches that an import keeps at hand (`check_batch(earlier=)`)."""

    id: str
    thread_id: str | None
    can_be_parent: bool

    @classmethod
    def of(cls, item: Interaction) -> ThreadParent:
        return cls(item.id, item.thread_id, item.can_be_parent)


def ingest(*, store: Store, interactions: Sequence[Interaction]) -> int:
    """Insert or replace a batch, idempotently: the same batch twice leaves the same state.

    Fills in `owner`, `owner_id` and `thread_id` of the given interactions (in place: a
    million-row import must not copy every row twice)."""
    if not interactions:
        return 0
    check_batch(store, interactions)
    store.save_interactions(interactions)
    return len(interactions)


def check_batch(
    store: Store,
    interactions: Sequence[Interaction],
    *,
    earlier: Mapping[str, ThreadParent] | None = None,
    owners: dict[str, OwnerInfo] | None = None,
) -> None:
    """The checks of `ingest`, which also fill in owners and threads; nothing is written.

    An import that checks batches ahead of their writing (see `services.pipeline`) passes
    what the store may not show yet: `earlier`, the interactions of batches checked but not
    yet committed (parents of this batch), and `owners`, the owners it gave ids by name.

    The one gate of every batch write: it also redacts what `store.redaction` asks for, in
    place, so nothing reaches the store (nor its search index) unredacted."""
    seen: set[str] = set()
    policy = store.redaction
    for item in interactions:
        if item.id in seen:
            raise InvalidInput("id", f"{item.id!r} appears more than once in the batch")
        seen.add(item.id)
        rules.check_interaction(item)
        redact_interaction(item, policy)
    _contacts_answering(store, interactions)
    _resolve_owners(store, interactions, {} if owners is None else owners)
    apply_thread_rule(store, interactions, earlier)


def _reload(store: Store, interaction_id: str) -> Interaction:
    item = store.get_interaction(interaction_id, with_content=True)
    if item is None:  # pragma: no cover - just written in a committed transaction
        raise NotFound("interaction", interaction_id)
    return item


def _contacts_answering(store: Store, interactions: Sequence[Interaction]) -> None:
    """Refuse an unknown contact; an interaction naming a merged contact gets the contact
    that answers for it (docs/contacts.md), in place."""
    wanted = {i.contact_id for i in interactions if i.contact_id}
    targets = store.contact_targets(wanted)
    missing = wanted - targets.keys()
    if missing:
        raise InvalidInput("contactId", f"unknown contact {sorted(missing)[0]!r}")
    for item in interactions:
        if item.contact_id:
            item.contact_id = targets[item.contact_id]


def check_contacts(store: Store, contact_ids: set[str]) -> None:
    missing = contact_ids - store.existing_contact_ids(contact_ids)
    if missing:
        raise InvalidInput("contactId", f"unknown contact {sorted(missing)[0]!r}")


def _resolve_owners(
    store: Store, batch: Sequence[Interaction], by_name: dict[str, OwnerInfo]
) -> None:
    """Owners given by userName only get the id of that user, or a new id: the store creates
    owners it does not know (users without a login). One lookup per distinct owner; `by_name`
    remembers them (across the batches of an import, when the caller keeps it)."""
    nameless: set[str] = set()
    for item in batch:
        owner = item.owner
        if owner is not None and not owner.id:
            if owner.user_name not in by_name:
                by_name[owner.user_name] = _owner_by_name(store, owner)
            owner = item.owner = by_name[owner.user_name]
        elif owner is None and item.owner_id:
            owner = item.owner = OwnerInfo(item.owner_id, "")
        item.owner_id = owner.id if owner else None
        if owner is not None and not owner.user_name:
            nameless.add(owner.id)
    named = {o.id for o in by_name.values()}
    for owner_id in sorted(nameless - named):
        if store.get_user(owner_id) is None:
            raise InvalidInput("ownerInformation.userName", f"is required for new owner {owner_id}")


def _owner_by_name(store: Store, owner: OwnerInfo) -> OwnerInfo:
    known = store.get_user_by_name(owner.user_name)
    if known is not None:
        return known.owner_info()
    return OwnerInfo(new_user_id(), owner.user_name, owner.first_name, owner.last_name)


def apply_thread_rule(
    store: Store, batch: Sequence[Interaction], earlier: Mapping[str, ThreadParent] | None = None
) -> None:
    """UCS 9.1 (spec 4.6): a parent gives its thread; else a given threadId; else a new thread,
    whose id is the interaction's own id (deterministic, so re-imports change nothing).
    Parents are looked up in the batch, then in `earlier`, then in the store."""
    in_batch = {i.id: i for i in batch}
    earlier = earlier or {}
    wanted = {
        i.parent_id
        for i in batch
        if i.parent_id and i.parent_id not in in_batch and i.parent_id not in earlier
    }
    stored = store.get_interactions(sorted(wanted)) if wanted else {}
    resolver = _ThreadResolver(in_batch, earlier, stored)
    for item in batch:
        resolver.resolve(item, frozenset())


class _ThreadResolver:
    """Gives each interaction of a batch its thread, a parent of the same batch first. A class,
    not a recursive closure: such a closure is a reference cycle that keeps the whole batch
    alive until the garbage collector runs, and bulk runs pause the collector."""

    def __init__(
        self,
        in_batch: Mapping[str, Interaction],
        earlier: Mapping[str, ThreadParent],
        stored: Mapping[str, Interaction],
    ) -> None:
        self.in_batch, self.earlier, self.stored = in_batch, earlier, stored
        self.done: set[str] = set()

    def resolve(self, item: Interaction, path: frozenset[str]) -> None:
        if item.id in self.done:
            return
        if not item.parent_id:
            item.thread_id = item.thread_id or item.id
        else:
            if item.parent_id in path or item.parent_id == item.id:
                raise InvalidInput("parentId", f"{item.parent_id!r} makes a cycle")
            parent = self._parent(item.parent_id)
            if parent is None:
                raise InvalidInput("parentId", f"interaction {item.parent_id!r} not found")
            if not parent.can_be_parent:
                raise InvalidInput("parentId", f"interaction {parent.id!r} cannot be a parent")
            if parent.id in self.in_batch:
                self.resolve(self.in_batch[parent.id], path | {item.id})
            item.thread_id = parent.thread_id or parent.id
        self.done.add(item.id)

    def _parent(self, key: str) -> Interaction | ThreadParent | None:
        return self.in_batch.get(key) or self.earlier.get(key) or self.stored.get(key)
