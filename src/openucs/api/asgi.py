"""ASGI entry point for `uvicorn --factory openucs.api.asgi:app_factory`: settings from the
`OPENUCS_*` environment, the store from `database_url` migrated to the newest schema (as
`openucs serve` does; workers starting together upgrade one after the other), closed at
shutdown."""

from __future__ import annotations

from litestar import Litestar

from openucs.api.app import create_app
from openucs.config import load_settings
from openucs.store.factory import open_store


def app_factory() -> Litestar:
    settings = load_settings()
    store = open_store(
        settings.database_url, settings.archive_database_url, redaction=settings.redaction
    )
    store.upgrade()
    app = create_app(settings, store)
    app.on_shutdown.append(store.close)
    return app
