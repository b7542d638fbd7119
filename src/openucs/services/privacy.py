"""Legal holds, retention and erasure (docs/privacy.md).

Admins place and remove holds and erase contacts; supervisors and admins read the holds. The
CLI acts as the operator of the machine (no user; a hold placed there names the user given
with `--by`). The retention deletes, in batches, the interactions of each media type started
before its cutoff, in both tiers, except those a hold covers; the scheduler runs it in the
server every `prune_every_minutes` when `retention_days` is set.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from openucs.domain.enums import Source
from openucs.domain.ids import new_ucs_id
from openucs.domain.models import User
from openucs.domain.privacy import MAX_REASON, ErasureReport, Hold, PruneReport, RetentionPolicy
from openucs.errors import Conflict, InvalidInput, NotFound

# `user` None below: the operator at the command line, who may do everything.
from openucs.services.access import require_admin, require_reader_of_everything
from openucs.services.periodic import PeriodicJob
from openucs.store.base import Store

log = logging.getLogger("openucs.privacy")

PRUNE_BATCH = 1000


def place_hold(
    *,
    store: Store,
    user: User | None,
    placed_by: User,
    reason: str,
    contact_id: str | None = None,
    interaction_id: str | None = None,
) -> Hold:
    """A hold on a stored contact or interaction (exactly one of them), placed by `user` (an
    admin), or at the command line (`user` None) in the name of `placed_by`."""
    if user is not None:
        require_admin(user)
    if (contact_id is None) == (interaction_id is None):
        raise InvalidInput("contactId", "give either contactId or interactionId")
    reason = reason.strip()
    if not reason or len(reason) > MAX_REASON:
        raise InvalidInput("reason", f"must be 1 to {MAX_REASON} characters")
    if contact_id is not None and store.get_contact(contact_id) is None:
        raise NotFound("contact", contact_id)
    if interaction_id is not None and not store.get_interactions([interaction_id]):
        raise NotFound("interaction", interaction_id)
    hold = Hold(new_ucs_id(), contact_id, interaction_id, reason, placed_by.id, datetime.now(UTC))
    return store.add_hold(hold)


def list_holds(*, store: Store, user: User | None) -> list[Hold]:
    if user is not None:
        require_reader_of_everything(user, "reading legal holds")
    return store.holds()


def remove_hold(*, store: Store, user: User | None, hold_id: str) -> None:
    if user is not None:
        require_admin(user)
    if not store.remove_hold(hold_id):
        raise NotFound("hold", hold_id)


def erase_contact(*, store: Store, user: User | None, contact_id: str) -> ErasureReport:
    """Erase the contact and everything of it (`Store.erase_contact`); `user` None is the
    operator at the command line. Conflict while a hold covers it."""
    if user is not None:
        require_admin(user)
    archive = store.archive_store()
    if archive is None or archive.get_contact(contact_id) is None:
        report = store.erase_contact(contact_id)
    else:
        # A second archive database (docs/archive.md) holds a copy of the contact and its
        # archived threads; the holds are in the main one. Checked first, erased there first:
        # a failure in between leaves the main database as it was, and erasing again ends it.
        _refuse_archive_holds(store, archive, contact_id)
        archived = archive.erase_contact(contact_id)
        report = store.erase_contact(contact_id).plus_archive(archived)
    log.info("erased contact %s: %s", contact_id, report)
    return report


def _mirror_holds(store: Store, archive: Store) -> None:
    """Make the archive database's holds those of the main one (where they are placed), so
    that its prune leaves alone what they cover."""
    wanted = {h.id: h for h in store.holds()}
    present = {h.id for h in archive.holds()}
    for hold_id in present - wanted.keys():
        archive.remove_hold(hold_id)
    for hold_id in wanted.keys() - present:
        archive.add_hold(wanted[hold_id])


def _refuse_archive_holds(store: Store, archive: Store, contact_id: str) -> None:
    """Conflict when a hold of the main database covers the contact or one of its
    interactions in the archive database."""
    holds = store.holds_covering_contact(contact_id)
    named = [h.interaction_id for h in store.holds() if h.interaction_id]
    archived = archive.get_interactions(named) if named else {}
    held = holds or [
        h
        for h in store.holds()
        if h.interaction_id in archived and archived[h.interaction_id].contact_id == contact_id
    ]
    if held:
        raise Conflict(
            f"contact {contact_id!r} is under legal hold ({len(held)} hold(s), e.g. "
            f"{held[0].id}); remove the holds first"
        )


def prune(
    *,
    store: Store,
    policy: RetentionPolicy,
    now: datetime | None = None,
    dry_run: bool = False,
    batch: int = PRUNE_BATCH,
) -> PruneReport:
    """Delete (or, dry, count) what is past retention in both tiers, `batch` interactions a
    transaction, and count what holds keep."""
    cutoffs = {m.value: c for m, c in policy.cutoffs(now or datetime.now(UTC)).items()}
    removed: dict[str, dict[str, int]] = {}
    held = 0
    targets = [(source, store) for source in Source]
    archive = store.archive_store()
    if archive is not None:  # a second archive database (docs/archive.md)
        _mirror_holds(store, archive)
        targets.append((Source.ARCHIVE, archive))
    for source, target in targets:
        after: tuple[int, str] | None = None
        while cutoffs:
            step = target.prune_interactions(
                cutoffs, source.value, after=after, limit=batch, dry_run=dry_run
            )
            for media, count in step.removed.items():
                tiers = removed.setdefault(media, {})
                tiers[source.value] = tiers.get(source.value, 0) + count
            held += step.held
            if step.next is None:
                break
            after = step.next
    return PruneReport({m: removed[m] for m in sorted(removed)}, held, dry_run)


class Pruner(PeriodicJob):
    """Runs the retention from a background thread every `every_minutes`, when there is a
    policy; every process may run one (each batch holds the holds' lock)."""

    thread_name = "openucs-prune"
    failure = "the retention prune failed; retrying"

    def __init__(self, store: Store, *, policy: RetentionPolicy, every_minutes: int) -> None:
        super().__init__(timedelta(minutes=every_minutes))
        self._store = store
        self._policy = policy

    @property
    def enabled(self) -> bool:
        return bool(self._policy.days)

    def run_once(self) -> PruneReport:
        report = prune(store=self._store, policy=self._policy)
        if report.total:
            log.info("retention: removed %d interactions (%d held)", report.total, report.held)
        return report
