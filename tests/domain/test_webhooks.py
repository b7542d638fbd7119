"""The pure rules of webhooks: target URLs, public addresses, the signature, the schedule."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from openucs.domain.webhooks import (
    check_secret,
    is_public_address,
    new_secret,
    parse_target,
    retry_delay,
    signature,
)
from openucs.errors import InvalidInput


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1", "10.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.169.254", "100.64.0.1",
        "0.0.0.0", "255.255.255.255", "224.0.0.1", "192.0.2.1", "198.18.0.1", "::1", "::",  # noqa: S104
        "fe80::1", "fe80::1%eth0", "fc00::1", "ff02::1", "2001:db8::1", "::ffff:127.0.0.1",
        "::ffff:10.0.0.1", "2002:0a00:0001::1", "not an address",
    ],
)  # fmt: skip
def test_non_public_addresses_are_refused(address: str) -> None:
    assert not is_public_address(address)


@pytest.mark.parametrize("address", ["93.184.215.14", "8.8.8.8", "2606:4700:4700::1111"])
def test_public_addresses_pass(address: str) -> None:
    assert is_public_address(address)


def test_a_target_is_split_and_checked() -> None:
    target = parse_target("HTTPS://Hooks.Example.com./in?x=1")
    assert (target.scheme, target.host, target.port, target.path) == (
        "https",
        "hooks.example.com",
        443,
        "/in?x=1",
    )
    assert parse_target("http://[::1]:8080").port == 8080
    assert str(parse_target("http://[::1]:8080").literal) == "::1"
    for bad in (
        "ftp://a.example/",
        "http://u:p@a.example/",
        "http://a.example/#frag",
        "http:///nohost",
        "http://a.example:99999/",
        "http://a.example/ with space",
        "",
        "http://a.example/" + "x" * 2048,
    ):
        with pytest.raises(InvalidInput) as caught:
            parse_target(bad)
        assert caught.value.field == "url"


def test_the_signature_is_hmac_sha256_of_time_dot_body() -> None:
    body = b'{"seq":1}'
    expected = hmac.new(b"s3cret-s3cret-s3cret", b"1700000000." + body, hashlib.sha256)
    assert signature("s3cret-s3cret-s3cret", 1700000000, body) == (
        f"t=1700000000,v1={expected.hexdigest()}"
    )


def test_secrets_and_the_schedule() -> None:
    made = new_secret()
    assert check_secret(made) == made and made != new_secret()
    for bad in ("short", "x" * 129, "with a space in it!"):
        with pytest.raises(InvalidInput):
            check_secret(bad)
    assert [retry_delay(n, 10) for n in (1, 2, 3, 4)] == [10, 20, 40, 80]
