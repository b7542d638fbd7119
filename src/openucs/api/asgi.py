"""ASGI entry point for `uvicorn --factory openucs.api.asgi:app_factory`: settings from the
`OPENUCS_*` environment, the store from `database_url` migrated to the newest schema (as
`openucs serve` does; workers starting together upgrade one after the other), closed at
shutdown.

`openucs serve --workers N` (N > 1) runs this factory in each of its worker processes, after
migrating once itself, and names the directory of the worker bus in `WORKER_BUS_ENV`: the
worker then shares login lockouts, referenceIds and CometD with the others
(docs/operations.md), and says which worker answered in an `X-OpenUCS-Worker` header (its
random bus tag, nothing about the host).
"""

from __future__ import annotations

import os
from pathlib import Path

from litestar import Litestar
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from openucs.api.app import create_app
from openucs.config import load_settings
from openucs.events.bus import WorkerBus
from openucs.store.factory import open_store

# Set by `openucs serve` for its workers only: not a setting a user gives.
WORKER_BUS_ENV = "OPENUCS_INTERNAL_WORKER_BUS"
WORKER_HEADER = b"x-openucs-worker"


def app_factory() -> ASGIApp:
    settings = load_settings()
    store = open_store(
        settings.database_url, settings.archive_database_url, redaction=settings.redaction
    )
    bus_dir = os.environ.get(WORKER_BUS_ENV)
    if bus_dir is None:
        store.upgrade()
    bus = WorkerBus(Path(bus_dir)) if bus_dir else None
    app = create_app(settings, store, bus)
    app.on_shutdown.append(store.close)
    return app if bus is None else _naming_worker(app, bus.tag)


def _naming_worker(app: Litestar, tag: str) -> ASGIApp:
    header = (WORKER_HEADER, tag.encode())

    async def named(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return

        async def send_named(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), header]
            await send(message)

        await app(scope, receive, send_named)

    return named
