"""What every route needs, built once per app and handed in as the `ctx` dependency."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo
from typing import Any

from litestar import Request
from litestar.di import NamedDependency
from litestar.params import SkipValidation

from openucs.api.auth import SessionAuth
from openucs.config import Settings
from openucs.domain.models import User
from openucs.services.access import Reader
from openucs.services.audit import AuditTrail
from openucs.store.base import Store


@dataclass(frozen=True, slots=True)
class ApiContext:
    settings: Settings
    store: Store
    sessions: SessionAuth
    base_url: str
    zone: tzinfo
    audit: AuditTrail

    @classmethod
    def build(
        cls, settings: Settings, store: Store, sessions: SessionAuth, audit: AuditTrail
    ) -> ApiContext:
        return cls(settings, store, sessions, settings.api_base_url, settings.zone, audit)

    def reader(self, user: User, request: Request[Any, Any, Any], via: str = "api") -> Reader:
        """The signed-in user reading through this request, under the deployment's policy."""
        client = request.client.host if request.client else None
        return Reader(user, self.settings.agent_reads, self.audit, via=via, client=client)


# Handler parameter types for the app-level dependencies (`ctx`, `user`). SkipValidation: the
# signature model must pass these objects through, not convert them field by field.
Ctx = NamedDependency[SkipValidation[ApiContext]]
CurrentUser = NamedDependency[SkipValidation[User]]
CurrentReader = NamedDependency[SkipValidation[Reader]]
