"""Outbound HTTP for the gateway and the emulator: one small interface, two transports.

`InProcessClient` calls an ASGI app directly (the embedded emulator and gateway talk
through it: the same request and response bytes as over a socket, without one);
`NetworkClient` speaks HTTP/1.1 over aiohttp's keep-alive pool; `RoutingClient`
picks one by origin. Kept this thin on purpose: a send costs up to seven exchanges,
and a general-purpose client's per-request machinery was the largest single cost of
the end-to-end path (bench/RESULTS.md).
"""

from mmgate.httpclient.base import HttpClient, HttpResponse, RequestFailed
from mmgate.httpclient.inprocess import InProcessClient
from mmgate.httpclient.network import NetworkClient
from mmgate.httpclient.routing import RoutingClient

__all__ = [
    "HttpClient",
    "HttpResponse",
    "InProcessClient",
    "NetworkClient",
    "RequestFailed",
    "RoutingClient",
]
