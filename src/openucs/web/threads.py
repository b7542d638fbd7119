"""Grouping a page of interactions into threads for display: the interactions of one thread
together, parents before their replies (indented by depth), threads in the order of their
newest interaction on the page. A reply whose parent is not on the page starts its own branch
and says so."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from openucs.domain.models import Interaction

MAX_DEPTH = 6


@dataclass(slots=True)
class ThreadEntry:
    item: Interaction
    depth: int = 0
    parent_elsewhere: bool = False  # a reply whose parent is not on this page


@dataclass(slots=True)
class ThreadGroup:
    thread_id: str
    entries: list[ThreadEntry] = field(default_factory=list)

    @property
    def is_thread(self) -> bool:
        return len(self.entries) > 1 or any(e.parent_elsewhere for e in self.entries)


def group_threads(items: Sequence[Interaction]) -> list[ThreadGroup]:
    """`items` in display order (newest first); each thread appears once, where its first
    (newest) interaction is."""
    grouped: dict[str, list[Interaction]] = {}
    for item in items:
        grouped.setdefault(item.thread_id or item.id, []).append(item)
    return [ThreadGroup(tid, _tree(members)) for tid, members in grouped.items()]


def _tree(members: list[Interaction]) -> list[ThreadEntry]:
    """Pre-order: each root oldest first, then its replies oldest first, recursively."""
    ordered = sorted(members, key=lambda i: (i.start_date, i.id))
    ids = {i.id for i in ordered}
    children: dict[str, list[Interaction]] = {}
    roots = []
    for item in ordered:
        if item.parent_id and item.parent_id in ids and item.parent_id != item.id:
            children.setdefault(item.parent_id, []).append(item)
        else:
            roots.append(item)
    entries: list[ThreadEntry] = []
    seen: set[str] = set()
    stack = [(root, 0) for root in reversed(roots)]
    while stack:
        item, depth = stack.pop()
        if item.id in seen:
            continue
        seen.add(item.id)
        elsewhere = depth == 0 and item.parent_id is not None and item.parent_id not in ids
        entries.append(ThreadEntry(item, min(depth, MAX_DEPTH), elsewhere))
        stack.extend((child, depth + 1) for child in reversed(children.get(item.id, [])))
    # Members of a parent cycle are reached from no root: show them flat rather than lose them.
    entries.extend(ThreadEntry(i) for i in ordered if i.id not in seen)
    return entries
