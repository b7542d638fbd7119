"""Interaction content made ready to show: a chat transcript as a conversation, an email with
its body as plain text or as sanitized HTML, user data as rows.

Email HTML is never shown as received: `nh3` (the Ammonia sanitizer) keeps a list of harmless
formatting tags and attributes only (no script, style, form, frame, image or event handler
survives), links get `rel="noopener noreferrer"` and open in a new tab, and only http, https
and mailto links are kept. The result is inserted as markup under the page's strict CSP.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import nh3
from markupsafe import Markup

from openucs.domain.models import ChatMessage, EmailContent

_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em", "h1",
    "h2", "h3", "h4", "h5", "h6", "hr", "i", "ins", "li", "ol", "p", "pre", "q", "s", "small",
    "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u",
    "ul",
}  # fmt: skip
_ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}}
_SPOKEN = frozenset({"text", "message"})
_CUSTOMER = frozenset({"customer", "client", "external"})
_STAFF = frozenset({"agent", "supervisor", "bot"})


def sanitize_html(html: str) -> Markup:
    """Markup safe to insert into a page (see the module docstring)."""
    cleaned = nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        set_tag_attribute_values={"a": {"target": "_blank"}},
        strip_comments=True,
        url_relative="deny",  # no link to this server's own pages from an email
    )
    return Markup(cleaned)  # noqa: S704 - sanitized just above


@dataclass(frozen=True, slots=True)
class Line:
    """One transcript entry: `kind` is "said" (a bubble) or "event" (a line between them);
    `side` is "customer", "agent" or "other" (placement of a bubble)."""

    kind: str
    side: str
    who: str
    role: str
    when: datetime
    text: str
    url: str | None
    visibility: str


def conversation(messages: list[ChatMessage]) -> list[Line]:
    return [_line(m) for m in sorted(messages, key=lambda m: (m.index, m.timestamp))]


def _line(message: ChatMessage) -> Line:
    role = message.participant_type or ""
    who = message.nickname or role or "Unknown"
    side = (
        "customer" if role.lower() in _CUSTOMER else "agent" if role.lower() in _STAFF else "other"
    )
    kind = "said" if message.type.lower() in _SPOKEN else "event"
    text = message.text or ""
    if kind == "event" and not text:
        text = _event_text(who, message.type)
    url = message.url if message.url and message.url.startswith(("http://", "https://")) else None
    return Line(kind, side, who, role, message.timestamp, text, url, message.visibility)


def _event_text(who: str, event: str) -> str:
    known = {
        "participantjoined": f"{who} joined",
        "participantleft": f"{who} left",
        "typingstarted": f"{who} is typing",
        "typingstopped": f"{who} stopped typing",
        "pushurl": f"{who} sent a link",
    }
    return known.get(event.lower(), f"{who}: {event}")


@dataclass(frozen=True, slots=True)
class EmailView:
    email: EmailContent
    html: Markup | None
    text: str | None


def email_view(email: EmailContent) -> EmailView:
    """The HTML body when there is one (sanitized), else the plain text."""
    is_html = bool(email.body) and (email.mime or "text/html").lower().startswith("text/html")
    html = sanitize_html(email.body or "") if is_html else None
    text = email.body_as_plain_text or (None if is_html else email.body)
    return EmailView(email, html, text)


def data_rows(data: dict[str, Any] | None) -> list[tuple[str, str, bool]]:
    """(key, value, is_structured) for each key; nested values as indented JSON."""
    rows = []
    for key in sorted(data or {}):
        value = (data or {})[key]
        if isinstance(value, dict | list):
            rows.append((key, json.dumps(value, indent=2, ensure_ascii=False, default=str), True))
        else:
            rows.append((key, "" if value is None else str(value), False))
    return rows
