"""Webhook URLs may only point where they should (an SSRF guard).

Only http(s). In production mode a URL whose host is, or resolves to, a private,
loopback, link-local or otherwise reserved address is refused, unless allowed in
configuration; in sandbox mode loopback and private addresses are fine, so local
receivers work. Checked when a URL is set and again before each delivery (the
answer of DNS can change after the check).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

from mmgate.errors import GraphError

MAX_URL = 2048


# IPv6 prefixes whose last 32 bits are an IPv4 address the traffic reaches: NAT64
# (well-known and local-use, RFC 6052/8215) and IPv4-compatible addresses.
_EMBEDDED_IPV4_LOW32 = (
    ipaddress.ip_network("64:ff9b::/96"),
    ipaddress.ip_network("64:ff9b:1::/48"),
    ipaddress.ip_network("::/96"),
)


def _forbidden(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and any(_forbidden(str(v4)) for v4 in _embedded(ip)):
        return True
    # is_global leaves out private, loopback, link-local, reserved, unspecified and the
    # RFC 6598 shared space 100.64/10 (where cloud metadata such as 100.100.100.200 sits).
    return not ip.is_global or ip.is_multicast


def _embedded(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries: mapped, 6to4, Teredo, NAT64, compatible."""
    found: list[ipaddress.IPv4Address] = []
    if ip.ipv4_mapped is not None:
        found.append(ip.ipv4_mapped)
    if ip.sixtofour is not None:
        found.append(ip.sixtofour)
    if ip.teredo is not None:
        found.extend(ip.teredo)
    if any(ip in net for net in _EMBEDDED_IPV4_LOW32):
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return found


async def check_webhook_url(url: str, *, allow_private: bool) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > MAX_URL:
        raise GraphError(100, "The URL must be an absolute http(s) URL of at most 2048 characters.")
    if allow_private:
        return
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(
            parts.hostname,
            parts.port or (443 if parts.scheme == "https" else 80),
            type=socket.SOCK_STREAM,
        )
    except OSError:
        raise GraphError(100, f"The host {parts.hostname} cannot be resolved.") from None
    if any(_forbidden(str(info[4][0])) for info in infos):
        raise GraphError(
            100,
            f"The host {parts.hostname} resolves to a private or reserved address; "
            "set MMGATE_ALLOW_PRIVATE_WEBHOOKS=true to allow it.",
        )
