import pytest

from openucs.events.channels import is_channel, is_pattern, matches, patterns_for

CHANNELS = ["/v2/ucs/interactions", "/v2/me/calls", "/v2/me/calls/x", "/v2", "/other/me/calls"]
PATTERNS = ["/v2/me/*", "/v2/**", "/v2/me/**", "/*", "/**", "/v2/ucs/interactions", "/v2/*"]


@pytest.mark.parametrize(
    ("pattern", "channel", "expected"),
    [
        ("/v2/me/*", "/v2/me/calls", True),
        ("/v2/me/*", "/v2/me/calls/x", False),
        ("/v2/me/*", "/v2/me", False),
        ("/v2/**", "/v2/ucs/interactions", True),
        ("/v2/**", "/v2", False),
        ("/v2/**", "/v20/x", False),
        ("/v2/ucs/interactions", "/v2/ucs/interactions", True),
        ("/v2/ucs/interactions", "/v2/ucs/interactions2", False),
        ("/**", "/anything/at/all", True),
    ],
)
def test_wildcards(pattern: str, channel: str, expected: bool) -> None:
    assert matches(pattern, channel) is expected


@pytest.mark.parametrize("channel", CHANNELS)
def test_patterns_for_agrees_with_matches(channel: str) -> None:
    by_index = set(patterns_for(channel))
    for pattern in PATTERNS:
        assert (pattern in by_index) is matches(pattern, channel), pattern


@pytest.mark.parametrize("name", ["/v2/me/calls", "/a", "/meta/connect"])
def test_valid_channels(name: str) -> None:
    assert is_channel(name)
    assert is_pattern(name)


@pytest.mark.parametrize("name", ["", "v2/me", "/v2//me", "/v2/*/x", "/v2/***", "/v2/me/", 7, None])
def test_invalid_names(name: object) -> None:
    assert not is_channel(name)
    assert not is_pattern(name)


def test_wildcards_are_patterns_not_channels() -> None:
    assert is_pattern("/v2/me/*") and not is_channel("/v2/me/*")
    assert is_pattern("/v2/**") and not is_channel("/v2/**")
