"""Templates: one Jinja environment (autoescape always on, undefined names are errors), the
display filters, and the HTML response every page returns with its security headers.

Dates are shown in the configured zone. Nothing in a page comes from another origin: the
Content-Security-Policy allows only this server's styles, scripts and images, and no framing of
the pages; the email body frame (srcdoc, sandboxed) inherits that policy, so a remote image in
an email is never fetched.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from litestar import Response
from litestar.datastructures import Cookie
from litestar.enums import MediaType as HttpMediaType

from openucs import __version__
from openucs.domain.enums import InteractionType, MediaType
from openucs.domain.models import Interaction, OwnerInfo

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; "
        "object-src 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}

MEDIA_LABELS = {
    MediaType.CALL: "Call",
    MediaType.CHAT: "Chat",
    MediaType.EMAIL: "Email",
    MediaType.FACEBOOK: "Facebook post",
    MediaType.FACEBOOKSESSION: "Facebook chat",
    MediaType.SMSSESSION: "SMS",
    MediaType.OPENMEDIA: "Web form",
    MediaType.TWITTER: "Twitter",
    MediaType.WORKITEM: "Work item",
}
# Okabe-Ito and neighbours: told apart with colour-blindness too; the legend names each.
MEDIA_COLORS = {
    MediaType.CALL: "#0072b2",
    MediaType.EMAIL: "#e69f00",
    MediaType.CHAT: "#009e73",
    MediaType.WORKITEM: "#cc79a7",
    MediaType.SMSSESSION: "#56b4e9",
    MediaType.FACEBOOKSESSION: "#d55e00",
    MediaType.FACEBOOK: "#6a3d9a",
    MediaType.TWITTER: "#7f7f7f",
    MediaType.OPENMEDIA: "#b8a400",
}


class Templates:
    def __init__(self, zone: tzinfo) -> None:
        self.zone = zone
        self.env = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,
        )
        self.env.filters.update(
            when=self.when,
            day=self.day,
            clock=self.clock,
            seconds=seconds,
            media=media_label,
            person=person,
            number=number,
            subject=interaction_title,
        )
        self.env.globals.update(
            version=__version__,
            media_labels=MEDIA_LABELS,
            media_colors=MEDIA_COLORS,
            zone_name=str(zone),
        )

    def render(self, name: str, context: Mapping[str, Any]) -> str:
        return self.env.get_template(name).render(context)

    def page(
        self,
        name: str,
        context: Mapping[str, Any],
        *,
        status: int = 200,
        headers: Mapping[str, str] | None = None,
        cookies: list[Cookie] | None = None,
    ) -> Response[str]:
        return Response(
            self.render(name, context),
            status_code=status,
            media_type=HttpMediaType.HTML,
            headers={**SECURITY_HEADERS, **(headers or {})},
            cookies=cookies,
        )

    # --- filters ---------------------------------------------------------------------------
    def when(self, moment: datetime | None) -> str:
        """`2024-03-01 11:00:00` in the configured zone."""
        return "" if moment is None else moment.astimezone(self.zone).strftime("%Y-%m-%d %H:%M:%S")

    def day(self, moment: datetime | None) -> str:
        return "" if moment is None else moment.astimezone(self.zone).strftime("%Y-%m-%d")

    def clock(self, moment: datetime | None) -> str:
        return "" if moment is None else moment.astimezone(self.zone).strftime("%H:%M:%S")


def seconds(value: float | None) -> str:
    """A duration: `45 s`, `4 min 05 s`, `1 h 02 min`."""
    if value is None:
        return ""
    total = int(value)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {secs:02d} s"
    return f"{secs} s"


def media_label(media: MediaType) -> str:
    return MEDIA_LABELS.get(media, media.value)


def person(owner: OwnerInfo | None) -> str:
    if owner is None:
        return ""
    name = " ".join(p for p in (owner.first_name, owner.last_name) if p)
    if name and owner.user_name:
        return f"{name} ({owner.user_name})"
    return name or owner.user_name or owner.id


def interaction_title(item: Interaction) -> str:
    """The subject, else what the interaction is: `Call from +15551234567`, `Work item`."""
    if item.subject:
        return item.subject
    label = media_label(item.media_type)
    if item.phone_number:
        way = "to" if item.type_id is InteractionType.OUTBOUND else "from"
        return f"{label} {way} {item.phone_number}"
    return f"{label}, {item.type_id.value.lower()}"


def number(value: int) -> str:
    return f"{value:,}"
