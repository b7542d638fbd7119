"""`openucs contacts merge|unmerge` and `openucs users disable|enable|delete|role`."""

from __future__ import annotations

import pytest

from openucs.errors import Unauthenticated
from openucs.services.users import Authenticator
from openucs.store import open_store
from tests.cli.conftest import Run
from tests.factories import make_contact, make_interaction


def test_contacts_merge_and_unmerge(run: Run, database_url: str) -> None:
    store = open_store(database_url)
    try:
        store.save_contacts([make_contact(id="A"), make_contact(id="B")])
        store.save_interactions([make_interaction(id="IB", contact_id="B")])
        result = run("contacts", "merge", "B", "--into", "A", "--database", database_url)
        assert "Merged B into A (1 interaction(s) moved)" in result.stdout
        assert store.merged_into("B") == "A"
        again = run("contacts", "merge", "B", "--into", "A", "--database", database_url, expect=2)
        assert "merged already" in again.output
        result = run("contacts", "unmerge", "B", "--database", database_url)
        assert "Unmerged B from A (1 interaction(s) back)" in result.stdout
        item = store.get_interaction("IB", with_content=False)
        assert item is not None and item.contact_id == "B"
    finally:
        store.close()


def test_users_disable_enable_role_delete(run: Run, database_url: str) -> None:
    for name, role in (("root", "admin"), ("ann", "agent")):
        run("users", "add", name, "--role", role, "--password-stdin",
            "--database", database_url, input="a-long-password\n")  # fmt: skip
    store = open_store(database_url)
    try:
        auth = Authenticator(store)
        auth.basic("ann", "a-long-password")
        run("users", "disable", "ann", "--database", database_url)
        assert "ann" in run("users", "list", "--all", "--database", database_url).stdout
        assert auth.cached_basic("ann", "a-long-password") is not None  # remembered, but:
        with pytest.raises(Unauthenticated):
            auth.basic("ann", "a-long-password")
        run("users", "enable", "ann", "--database", database_url)
        result = run("users", "role", "ann", "--role", "supervisor", "--database", database_url)
        assert "Roles of ann: supervisor" in result.stdout
        assert auth.basic("ann", "a-long-password").reads_everything
        run("users", "delete", "ann", "--database", database_url)
        user = store.get_user_by_name("ann")
        assert user is not None and not user.can_login and user.password_hash is None
        last = run("users", "delete", "root", "--database", database_url, expect=2)
        assert "last admin" in last.output
    finally:
        store.close()
