"""Editing the comment of an interaction (the web UI's comment editor).

Who may edit: an admin any comment (as the API's PATCH allows); any other user only the comment
of an interaction they own (an agent annotating their own work, as SetCallNote lets an agent
note their own calls). Reading the interaction is checked first, with the API's rule.
"""

from __future__ import annotations

from openucs.domain.models import Interaction, InteractionPatch, User
from openucs.errors import InvalidInput, PermissionDenied
from openucs.services.access import Reader
from openucs.services.history import get_interaction
from openucs.services.records import update_interaction
from openucs.store.base import Store

MAX_COMMENT = 65_536


def may_edit_comment(user: User, item: Interaction) -> bool:
    return user.is_admin or (item.owner_id is not None and item.owner_id == user.id)


def edit_comment(*, store: Store, reader: Reader, interaction_id: str, comment: str) -> Interaction:
    """Set (or, with blank text, clear) the comment; returns the updated interaction."""
    if len(comment) > MAX_COMMENT:
        raise InvalidInput("comment", f"is longer than {MAX_COMMENT} characters")
    item = get_interaction(
        store=store, reader=reader, interaction_id=interaction_id, with_content=False
    )
    if not may_edit_comment(reader.user, item):
        raise PermissionDenied("only an admin or the interaction's owner may edit its comment")
    text = comment.replace("\r\n", "\n").strip() or None
    patch = InteractionPatch(comment=text, present=frozenset({"comment"}))
    return update_interaction(store=store, interaction_id=interaction_id, patch=patch)
