"""`openucs serve` (the default command): migrate, optionally load the demo, run uvicorn."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from openucs import __version__
from openucs.cli._common import database_option, opened, safe_url, settings_for
from openucs.cli.data import seed_store
from openucs.config import ENV_PREFIX, Settings
from openucs.demo import DemoPlan
from openucs.domain.enums import Role
from openucs.errors import Unauthenticated
from openucs.services.users import Authenticator, add_user
from openucs.store.base import Store

DEMO_INTERACTIONS = 20_000
DEMO_SEED = 1
# The demo logins, created with the demo data on the first start of `serve --demo`. They are
# documented in the README; never use --demo on a database that holds real history.
DEMO_USERS: tuple[tuple[str, Role, str, str | None, str | None], ...] = (
    ("admin", Role.ADMIN, "admin-demo", "Ada", "Admin"),
    ("supervisor", Role.SUPERVISOR, "supervisor-demo", "Sam", "Supervisor"),
    ("agent", Role.AGENT, "agent-demo", None, None),  # owns part of the demo history
)


def serve_options(func: Any) -> Any:
    for option in reversed(
        (
            database_option,
            click.option("--host", default=None, help="Listen address (default 127.0.0.1)."),
            click.option(
                "--port", type=click.IntRange(1, 65535), default=None, help="Default 8080."
            ),
            click.option(
                "--workers",
                type=click.IntRange(0, 256),
                default=None,
                help="Worker processes on the one port (default: the number of CPU cores; "
                "1 serves in this process).",
            ),
            click.option(
                "--demo",
                is_flag=True,
                help="Load demo history and demo logins on the first start (empty database).",
            ),
        )
    ):
        func = option(func)
    return func


@click.command()
@serve_options
def serve(
    database: str | None, host: str | None, port: int | None, workers: int | None, demo: bool
) -> None:
    """Run the HTTP server (the default command). Migrates the database first."""
    from openucs.api.app import create_app

    settings = settings_for(database, host=host, port=port, workers=workers)
    count = settings.worker_count
    with opened(settings, upgrade=True) as store:
        loaded = prepare_demo(store) if demo else False
        click.echo(f"OpenUCS {__version__}, database {safe_url(settings.database_url)}")
        _announce(settings, count)
        if demo:
            _announce_demo_logins(store, loaded=loaded)
        if not any(user.can_login for user in store.list_users()):
            _explain_first_login(settings)
        if count == 1:
            _run_uvicorn(settings, create_app(settings, store))
            return
    _serve_workers(settings, count)


def _run_uvicorn(settings: Settings, app: Any, **more: Any) -> None:
    import uvicorn

    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        # Held CometD long polls would otherwise delay a shutdown by their whole timeout.
        timeout_graceful_shutdown=5,
        **more,
    )


def _serve_workers(settings: Settings, count: int) -> None:
    """`count` uvicorn workers on one socket, each building its app from the environment
    (api/asgi.py) after this process migrated; the worker bus lives in a private temporary
    directory, removed at exit."""
    from openucs.api.asgi import WORKER_BUS_ENV

    with tempfile.TemporaryDirectory(prefix="openucs-workers-") as bus_dir:
        Path(bus_dir).chmod(0o700)
        for_workers = {
            WORKER_BUS_ENV: bus_dir,
            f"{ENV_PREFIX}DATABASE_URL": settings.database_url,
            f"{ENV_PREFIX}HOST": settings.host,
            f"{ENV_PREFIX}PORT": str(settings.port),
        }
        with _environment(for_workers):  # the workers start with a copy of it
            _run_uvicorn(settings, "openucs.api.asgi:app_factory", factory=True, workers=count)


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    """`os.environ` with `values`, as it was again afterwards."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def prepare_demo(store: Store) -> bool:
    """On an empty database: the demo history and the demo logins, and True. Otherwise nothing
    (a database with history is never mixed with demo data), and False."""
    if store.count_interactions():
        return False
    click.echo(f"Empty database: loading the demo history ({DEMO_INTERACTIONS:,} interactions)")
    plan = DemoPlan(interactions=DEMO_INTERACTIONS, seed=DEMO_SEED, login_agent="agent")
    click.echo(seed_store(store, plan))
    for name, role, password, first, last in DEMO_USERS:
        existing = store.get_user_by_name(name)
        if existing is None or existing.password_hash is None:
            add_user(
                store=store,
                user_name=name,
                roles=frozenset({role}),
                password=password,
                first_name=first,
                last_name=last,
            )
    return True


def working_demo_logins(store: Store) -> list[tuple[str, Role, str]]:
    """The demo logins that exist and still accept their demo password: the only ones worth
    printing (a database that had history before --demo has none; a changed password is not
    the demo's any more)."""
    check = Authenticator(store, cache_seconds=0, max_failures=0)
    working = []
    for name, role, password, _, _ in DEMO_USERS:
        try:
            check.basic(name, password)
        except Unauthenticated:
            continue
        working.append((name, role, password))
    return working


def _announce(settings: Settings, workers: int) -> None:
    if workers > 1:
        click.echo(f"{workers} worker processes")
    click.echo(f"Web UI: http://{settings.host}:{settings.port}/")
    click.echo(f"API: {settings.api_base_url} (e.g. {settings.api_base_url}/me)")


def _announce_demo_logins(store: Store, *, loaded: bool) -> None:
    working = working_demo_logins(store)
    if not loaded and not working:
        click.echo(
            "Demo data not loaded: the database already holds history and no demo login "
            "(--demo loads only into an empty database)."
        )
    if working:
        click.echo("Demo logins:")
    for name, role, password in working:
        click.echo(f"  {name:<11} password {password:<16} role {role.value}")


def _explain_first_login(settings: Settings) -> None:
    click.echo(
        "No login exists yet, so nobody can sign in. Create one (the password is read from "
        "stdin):\n  openucs users add NAME --role admin --password-stdin "
        f"--database {safe_url(settings.database_url)}"
    )
