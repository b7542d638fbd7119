"""`create_app(settings, store)`: the Litestar application. Nothing is read at import; the
caller owns the store (and closes it)."""

from __future__ import annotations

from typing import Any

from litestar import Litestar, Request, Router
from litestar.di import Provide
from litestar.types import ASGIApp

from openucs import __version__
from openucs.api.auth import AuthMiddleware, SessionAuth, current_user
from openucs.api.context import ApiContext, Ctx
from openucs.api.cors import cors_config
from openucs.api.csrf import CsrfMiddleware
from openucs.api.errors import exception_handlers
from openucs.api.inputs import check_request
from openucs.api.notifications import AsyncApi
from openucs.api.openapi import SECURITY, docs_assets, openapi_config
from openucs.api.routes import (
    audit,
    changes,
    contacts,
    gws,
    interactions,
    operations,
    privacy,
    search,
    users,
    webhooks,
)
from openucs.api.workers import LockoutMirror
from openucs.config import Settings
from openucs.events.bus import WorkerBus
from openucs.services.access import Reader
from openucs.services.archive import ArchiveSchedule
from openucs.services.audit import AuditTrail
from openucs.services.changes import ChangePruner
from openucs.services.privacy import Pruner
from openucs.services.users import Authenticator
from openucs.services.webhook_delivery import dispatcher_of
from openucs.store.base import Store
from openucs.web import web_router

GWS_ROOT = "/api/v2"
EXTENSION_ROOT = "/openucs/v1"

GWS_ROUTES = [
    gws.interaction_history,
    gws.contact_history,
    gws.interaction_content,
    gws.interaction_resource,
    gws.contact_resource,
    gws.me,
    gws.user_resource,
    gws.features,
    gws.feature,
    gws.version,
    *operations.ROUTES,
]
EXTENSION_ROUTES = [
    interactions.create_interaction,
    interactions.put_interaction,
    interactions.update_interaction,
    interactions.delete_interaction,
    contacts.create_contact,
    contacts.get_contact,
    contacts.export_contact,
    contacts.put_contact,
    contacts.find_contacts,
    contacts.merge_contact,
    contacts.unmerge_contact,
    users.create_user,
    users.list_users,
    users.logout,
    audit.read_audit,
    search.search,
    changes.read_changes,
    changes.stream_changes,
    *webhooks.ROUTES,
    privacy.place_hold,
    privacy.list_holds,
    privacy.remove_hold,
    privacy.erase_contact,
]


def create_app(settings: Settings, store: Store, bus: WorkerBus | None = None) -> Litestar:
    """The application of one server process; `bus` when it is one of several workers
    (docs/operations.md): then login lockouts, referenceIds and CometD are shared with them."""
    authenticator = Authenticator(
        store,
        cache_seconds=settings.basic_auth_cache_seconds,
        session_idle_seconds=settings.session_idle_seconds,
        max_failures=settings.login_max_failures,
        lockout_seconds=settings.login_lockout_seconds,
        shared_lockout=bus is not None,
    )
    sessions = SessionAuth(authenticator, cookie_secure=settings.session_cookie_secure)
    trail = AuditTrail(
        store, retention_days=settings.audit_retention_days, enabled=settings.audit_reads
    )
    pruner = ChangePruner(store, retention_days=settings.changes_retention_days)
    archiver = ArchiveSchedule(
        store,
        after_days=settings.archive_after_days,
        every_minutes=settings.archive_every_minutes,
    )
    retention = Pruner(store, policy=settings.retention, every_minutes=settings.prune_every_minutes)
    ctx = ApiContext.build(settings, store, sessions, trail)
    dispatcher = dispatcher_of(settings, store, encode=webhooks.encoder(settings))

    # Closures, not DefineMiddleware(kwargs): Litestar deep-copies routers, never the store.
    def authenticated(app: ASGIApp) -> ASGIApp:
        return AuthMiddleware(app, sessions)

    def provide_ctx() -> ApiContext:
        return ctx

    # The reader's provider takes `ctx` as a dependency (not from this closure) so that the two
    # resolve one after the other: Litestar resolves independent dependencies of a handler
    # concurrently, in an anyio task group of one task each, on every request.
    def provide_reader(ctx: Ctx, request: Request[Any, Any, Any]) -> Reader:
        return ctx.reader(current_user(request), request)

    auth = [authenticated]
    if settings.csrf_protection:

        def csrf(app: ASGIApp) -> ASGIApp:
            return CsrfMiddleware(app, sessions)

        auth.append(csrf)
    ops = AsyncApi.build(settings, store, sessions, trail, bus)
    lifecycle = (
        [ops.start, trail.start, pruner.start, archiver.start, dispatcher.start, retention.start],
        [ops.stop, trail.close, pruner.close, archiver.close, dispatcher.close, retention.close],
    )
    if bus is not None:
        lockouts = LockoutMirror(authenticator)
        lifecycle[0].append(lockouts.start)
        lifecycle[1].append(lockouts.stop)

    def provide_ops() -> AsyncApi:
        return ops

    routers: list[Any] = [
        Router(
            GWS_ROOT,
            route_handlers=GWS_ROUTES,
            middleware=auth,
            security=SECURITY,
            guards=gws.feature_guards(settings.features),
        ),
        Router(EXTENSION_ROOT, route_handlers=EXTENSION_ROUTES, middleware=auth, security=SECURITY),
        # Bulk uploads get their own body limit.
        Router(
            EXTENSION_ROOT,
            route_handlers=[interactions.bulk_interactions],
            middleware=auth,
            security=SECURITY,
            request_max_body_size=settings.max_bulk_bytes,
        ),
        ops.endpoint(),  # CometD, /api/v2/notifications: authenticates by itself
        web_router(settings, store, authenticator, trail),  # the web UI: same users, sessions
        docs_assets(),  # Swagger UI for /schema, from the package
    ]
    return Litestar(
        route_handlers=routers,
        dependencies={
            "ctx": Provide(provide_ctx, use_cache=True, sync_to_thread=False),
            "user": Provide(current_user, sync_to_thread=False),
            "reader": Provide(provide_reader, sync_to_thread=False),
            "ops": Provide(provide_ops, use_cache=True, sync_to_thread=False),
        },
        on_startup=lifecycle[0],
        on_shutdown=lifecycle[1],
        cors_config=cors_config(settings),
        exception_handlers=exception_handlers(),
        before_request=check_request,
        request_max_body_size=settings.max_body_bytes,
        openapi_config=openapi_config(__version__),
        logging_config=None,
        debug=False,
    )
