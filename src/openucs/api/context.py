"""What every route needs, built once per app and handed in as the `ctx` dependency."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo

from litestar.di import NamedDependency
from litestar.params import SkipValidation

from openucs.api.auth import SessionAuth
from openucs.config import Settings
from openucs.domain.models import User
from openucs.store.base import Store


@dataclass(frozen=True, slots=True)
class ApiContext:
    settings: Settings
    store: Store
    sessions: SessionAuth
    base_url: str
    zone: tzinfo

    @classmethod
    def build(cls, settings: Settings, store: Store, sessions: SessionAuth) -> ApiContext:
        return cls(settings, store, sessions, settings.api_base_url, settings.zone)


# Handler parameter types for the app-level dependencies (`ctx`, `user`). SkipValidation: the
# signature model must pass these objects through, not convert them field by field.
Ctx = NamedDependency[SkipValidation[ApiContext]]
CurrentUser = NamedDependency[SkipValidation[User]]
