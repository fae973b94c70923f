"""Webhook targets and headers a client may configure: the SSRF list, and the headers
that would break or redirect every delivery, refused when set."""

from __future__ import annotations

import anyio
import pytest

from mmgate.delivery.url_guard import check_webhook_url
from mmgate.domain.webhook_headers import HeaderRefused, check_headers
from mmgate.errors import GraphError


@pytest.mark.parametrize(
    "url",
    [
        "http://100.64.0.1/",  # RFC 6598 shared address space
        "http://100.100.100.200/latest/meta-data",  # a cloud metadata address in it
        "http://[2002:7f00:1::]/",  # 6to4 of 127.0.0.1
        "http://[2002:a00:5::]/",  # 6to4 of 10.0.0.5
        "http://[64:ff9b::7f00:1]/",  # NAT64 of 127.0.0.1
        "http://[64:ff9b::a9fe:a9fe]/",  # NAT64 of 169.254.169.254
        "http://[64:ff9b:1::a00:1]/",  # local-use NAT64 of 10.0.0.1
        "http://[::ffff:127.0.0.1]/",  # IPv4-mapped
        "http://[::127.0.0.1]/",  # IPv4-compatible
        "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/",  # Teredo
        "http://[fd00::1]/",  # unique local
        "http://192.0.0.170/",
        "http://198.18.0.1/",
        "http://0.0.0.0/",
        "http://2130706433/",  # 127.0.0.1 as one number
        "http://[ff02::1]/",
    ],
)
def test_private_and_embedded_private_addresses_are_refused(url: str) -> None:
    with pytest.raises(GraphError):
        anyio.run(lambda: check_webhook_url(url, allow_private=False))


@pytest.mark.parametrize(
    "url",
    [
        "https://8.8.8.8/hook",
        "https://[2606:4700::1111]/hook",
        "https://[2002:808:808::]/hook",  # 6to4 of a public address
        "https://[64:ff9b::808:808]/hook",  # NAT64 of a public address
    ],
)
def test_public_addresses_are_accepted(url: str) -> None:
    anyio.run(lambda: check_webhook_url(url, allow_private=False))


@pytest.mark.parametrize(
    "headers",
    [
        {"Content-Length": "0"},
        {"Transfer-Encoding": "chunked"},
        {"Host": "169.254.169.254"},
        {"host": "internal"},
        {"Connection": "close"},
        {"X-Mmgate-Signature-256": "forged"},
        {"X-Token": "a\x00b"},
        {"X-Token": "a\x0bb"},
        {"X-Token": "a\rb"},
        {"X-Token": "a\nInjected: 1"},
        {"X-Token": "caf\u00e9"},
        {"X Token": "a"},
        {"X-Token:": "a"},
        {"": "a"},
        {"X-Tøken": "a"},
        {"X-Token": "a" * 5000},
        {"X-A": "1", "x-a": "2"},
        {f"X-{n}": "1" for n in range(21)},
    ],
)
def test_headers_that_break_delivery_are_refused(headers: dict[str, str]) -> None:
    with pytest.raises(HeaderRefused):
        check_headers(headers)


def test_ordinary_headers_are_accepted() -> None:
    check_headers({"Authorization": "Bearer abc.def", "X-Tenant": "a b\tc", "X-Empty": ""})
