"""CORS for browser clients on other origins (spec 1.3), from the `cors_*` settings."""

from __future__ import annotations

from typing import Any

from litestar.config.cors import CORSConfig

from openucs.config import Settings

# GWS requires these to be readable by scripts: the CSRF token travels in them.
EXPOSED = ["X-CSRF-HEADER", "X-CSRF-TOKEN"]


def cors_config(settings: Settings) -> CORSConfig | None:
    """None (no CORS headers at all) unless some origin is allowed."""
    origins = settings.split(settings.cors_allowed_origins)
    if not origins:
        return None
    methods: Any = [m.upper() for m in settings.split(settings.cors_allowed_methods)]
    return CORSConfig(
        allow_origins=origins,
        allow_methods=methods,
        allow_headers=settings.split(settings.cors_allowed_headers),
        allow_credentials=settings.cors_allow_credentials and "*" not in origins,
        expose_headers=EXPOSED,
    )
