"""`openucs db upgrade|check` and `openucs users add|list|passwd|disable|enable|delete|role`."""

from __future__ import annotations

import click

from openucs.cli._common import (
    CliError,
    database_option,
    opened,
    read_password,
    safe_url,
    settings_for,
)
from openucs.domain.enums import Role
from openucs.errors import NotFound
from openucs.services import users as user_service
from openucs.services.users import add_user

_ROLES = click.Choice([r.value for r in Role], case_sensitive=False)


@click.group()
def db() -> None:
    """Database schema."""


@db.command()
@database_option
def upgrade(database: str | None) -> None:
    """Create the schema, or migrate it to the newest revision."""
    settings = settings_for(database)
    with opened(settings, upgrade=True):
        pass
    click.echo(f"Database {safe_url(settings.database_url)} is at the newest schema")


@db.command()
@database_option
@click.option(
    "--sample",
    type=click.IntRange(min=0),
    default=10_000,
    show_default=True,
    help="Interactions whose search document is recomputed and compared (0: none).",
)
@click.option("--all", "every", is_flag=True, help="Recompute the document of every interaction.")
def check(database: str | None, sample: int, every: bool) -> None:
    """Verify the database: the engine's integrity check, foreign keys, and the search index
    against the tables. Exits 0 when all is well, else names each problem and exits 1."""
    settings = settings_for(database)
    with opened(settings, upgrade=False) as store:
        problems = store.check_integrity(sample=None if every else sample)
    if problems:
        for problem in problems:
            click.echo(problem, err=True)
        raise CliError(f"{len(problems)} problem(s) found in {safe_url(settings.database_url)}")
    click.echo(f"Database {safe_url(settings.database_url)} is consistent")


@click.group()
def users() -> None:
    """Logins of the HTTP API."""


@users.command("add")
@database_option
@click.argument("name")
@click.option("--role", "roles", type=_ROLES, multiple=True, required=True, help="Repeatable.")
@click.option("--first-name")
@click.option("--last-name")
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin.")
def add(
    database: str | None,
    name: str,
    roles: tuple[str, ...],
    first_name: str | None,
    last_name: str | None,
    password_stdin: bool,
) -> None:
    """Create the login NAME. The password comes from stdin (--password-stdin) or a prompt,
    never from the command line. An owner met on import (no login yet) gets one."""
    password = read_password(password_stdin)
    with opened(settings_for(database), upgrade=True) as store:
        user = add_user(
            store=store,
            user_name=name,
            roles=frozenset(Role.parse("role", r) for r in roles),
            password=password,
            first_name=first_name,
            last_name=last_name,
        )
    click.echo(f"Added {user.user_name} (id {user.id}, roles {_roles(user.roles)})")


@users.command("passwd")
@database_option
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin.")
def passwd(database: str | None, name: str, password_stdin: bool) -> None:
    """Set the password of the existing user NAME (keeps the roles)."""
    password = read_password(password_stdin)
    with opened(settings_for(database), upgrade=False) as store:
        user = store.get_user_by_name(name)
        if user is None:
            raise NotFound("user", name)
        add_user(
            store=store,
            user_name=user.user_name,
            roles=user.roles,
            password=password,
            replace_existing=True,
        )
    click.echo(f"Password of {name} changed")


@users.command("list")
@database_option
@click.option("--all", "show_all", is_flag=True, help="Include owners without a login.")
def list_(database: str | None, show_all: bool) -> None:
    """Users, by user name: logins only, or with --all also the agents met in the history."""
    with opened(settings_for(database), upgrade=False) as store:
        found = sorted(store.list_users(), key=lambda u: u.user_name)
    rows = [u for u in found if show_all or u.password_hash is not None]
    click.echo(f"{'USER':<20} {'ID':<32}  {'ROLES':<24} {'LOGIN':<5} NAME")
    for user in rows:
        name = " ".join(part for part in (user.first_name, user.last_name) if part)
        login = "yes" if user.can_login else "no"
        click.echo(
            f"{user.user_name:<20} {user.id:<32}  {_roles(user.roles):<24} {login:<5} {name}"
        )


def _roles(roles: frozenset[Role]) -> str:
    return ",".join(sorted(r.value for r in roles))


@users.command("disable")
@database_option
@click.argument("name")
def disable(database: str | None, name: str) -> None:
    """Disable the login NAME: refused at once everywhere, their sessions end."""
    with opened(settings_for(database), upgrade=False) as store:
        user_service.set_enabled(store=store, user_name=name, enabled=False)
    click.echo(f"Disabled {name}")


@users.command("enable")
@database_option
@click.argument("name")
def enable(database: str | None, name: str) -> None:
    """Enable the login NAME again."""
    with opened(settings_for(database), upgrade=False) as store:
        user_service.set_enabled(store=store, user_name=name, enabled=True)
    click.echo(f"Enabled {name}")


@users.command("delete")
@database_option
@click.argument("name")
def delete(database: str | None, name: str) -> None:
    """Delete the login NAME. Their interactions keep the owner's id and names; `users add`
    gives the name a login again."""
    with opened(settings_for(database), upgrade=False) as store:
        user_service.delete_user(store=store, user_name=name)
    click.echo(f"Deleted the login {name} (the owner of their interactions stays)")


@users.command("role")
@database_option
@click.argument("name")
@click.option("--role", "roles", type=_ROLES, multiple=True, required=True, help="Repeatable.")
def role(database: str | None, name: str, roles: tuple[str, ...]) -> None:
    """Give NAME these roles (replacing theirs), from their next request on."""
    wanted = frozenset(Role.parse("role", r) for r in roles)
    with opened(settings_for(database), upgrade=False) as store:
        user = user_service.set_roles(store=store, user_name=name, roles=wanted)
    click.echo(f"Roles of {name}: {_roles(user.roles)}")
