"""What every route needs, built once per app and handed in as the `ctx` dependency."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import tzinfo
from typing import Any, ParamSpec, TypeVar

from litestar import Request
from litestar.concurrency import sync_to_thread
from litestar.di import NamedDependency
from litestar.params import SkipValidation

from openucs.api.auth import SessionAuth
from openucs.config import Settings
from openucs.domain.models import User
from openucs.services.access import Reader
from openucs.services.audit import AuditTrail
from openucs.store.base import Store
from openucs.store.sqlite import SqliteStore

P = ParamSpec("P")
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ApiContext:
    settings: Settings
    store: Store
    sessions: SessionAuth
    base_url: str
    zone: tzinfo
    audit: AuditTrail
    reads_in_place: bool = False

    @classmethod
    def build(
        cls, settings: Settings, store: Store, sessions: SessionAuth, audit: AuditTrail
    ) -> ApiContext:
        in_place = all(isinstance(s, SqliteStore) for s in (store, store.archive_store() or store))
        return cls(settings, store, sessions, settings.api_base_url, settings.zone, audit, in_place)

    async def read(self, work: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run the work of a short read route: in place when every database is SQLite, whose
        reads compute on local files and wait for no lock (WAL), in less time than the hop to
        a worker thread and back costs; in a worker thread otherwise (PostgreSQL: reads wait
        on the network, and the event loop must not)."""
        if self.reads_in_place:
            return work(*args, **kwargs)
        return await sync_to_thread(work, *args, **kwargs)

    def reader(self, user: User, request: Request[Any, Any, Any], via: str = "api") -> Reader:
        """The signed-in user reading through this request, under the deployment's policy."""
        client = request.client.host if request.client else None
        return Reader(user, self.settings.agent_reads, self.audit, via=via, client=client)


# Handler parameter types for the app-level dependencies (`ctx`, `user`). SkipValidation: the
# signature model must pass these objects through, not convert them field by field.
Ctx = NamedDependency[SkipValidation[ApiContext]]
CurrentUser = NamedDependency[SkipValidation[User]]
CurrentReader = NamedDependency[SkipValidation[Reader]]
