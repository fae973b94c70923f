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


def _forbidden(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    return (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_multicast
        or ip.is_unspecified
    )


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
