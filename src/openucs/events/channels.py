"""Bayeux channel names and subscription patterns.

A channel is `/seg/seg/...` (segments non-empty, no wildcard). A pattern is a channel whose last
segment may be `*` (exactly one more segment: `/v2/me/*` matches `/v2/me/calls`, not
`/v2/me/calls/x`) or `**` (one or more segments: `/v2/**` matches `/v2/ucs/interactions`).
"""

from __future__ import annotations

import re

META_PREFIX = "/meta/"
SERVICE_PREFIX = "/service/"

# The topics OpenUCS publishes on (spec 1.7).
UCS_INTERACTIONS = "/v2/ucs/interactions"

_SEGMENT = re.compile(r"^[A-Za-z0-9_.~!$&'()+,;=@:-]+$")
MAX_CHANNEL_LENGTH = 256


def is_channel(name: object) -> bool:
    """A concrete channel name (no wildcard)."""
    if not isinstance(name, str) or not name.startswith("/") or len(name) > MAX_CHANNEL_LENGTH:
        return False
    return all(_SEGMENT.match(seg) for seg in name[1:].split("/"))


def is_pattern(name: object) -> bool:
    """A channel or a channel with a `*` / `**` last segment."""
    if not isinstance(name, str) or not name.startswith("/") or len(name) > MAX_CHANNEL_LENGTH:
        return False
    *head, last = name[1:].split("/")
    if not all(_SEGMENT.match(seg) for seg in head):
        return False
    return last in {"*", "**"} or bool(_SEGMENT.match(last))


def is_meta(name: str) -> bool:
    return name.startswith(META_PREFIX)


def matches(pattern: str, channel: str) -> bool:
    """Whether `channel` (concrete) is covered by the subscription `pattern`."""
    if pattern.endswith("/**"):
        prefix = pattern[:-2]
        return channel.startswith(prefix) and len(channel) > len(prefix)
    if pattern.endswith("/*"):
        prefix = pattern[:-1]
        return (
            channel.startswith(prefix)
            and "/" not in channel[len(prefix) :]
            and (len(channel) > len(prefix))
        )
    return pattern == channel


def patterns_for(channel: str) -> list[str]:
    """Every pattern that matches `channel`, for an index keyed by pattern: the channel itself,
    its parent with `*`, and each ancestor with `**`. `/a/b/c` gives `/a/b/c`, `/a/b/*`,
    `/a/b/**`, `/a/**`."""
    segments = channel[1:].split("/")
    found = [channel]
    parent = "/" + "/".join(segments[:-1]) if len(segments) > 1 else ""
    found.append(f"{parent}/*")
    for depth in range(len(segments) - 1, -1, -1):
        ancestor = "/" + "/".join(segments[:depth]) if depth else ""
        found.append(f"{ancestor}/**")
    return found
