"""`/`: where a newcomer who opens the server's address lands (it was a bare "Not Found"),
and `/favicon.ico`, which every browser asks for on every page (it was a 404 each time)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

# Each link: (path, what it is, shown only when the embedded emulator runs).
_LINKS = [
    ("/hub/", "Partner Hub: clients, channels and keys, message and webhook logs", False),
    ("/manager/", "WhatsApp Manager (emulated Meta): accept the MM terms", True),
    ("/openapi.json", "OpenAPI document of the Messaging and Partner APIs", False),
    ("/healthz", "Liveness", False),
]
_ICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">'
    '<circle cx="16" cy="16" r="15" fill="#25d366"/>'
    '<path d="M9 22V10l7 7 7-7v12" fill="none" stroke="#fff" stroke-width="3"/></svg>'
)


async def landing(request: Request) -> Response:
    with_emulator = request.app.state.emulator is not None
    items = "".join(
        f'<li><a href="{path}">{path}</a> {text}</li>'
        for path, text, emulated in _LINKS
        if with_emulator or not emulated
    )
    page = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<link rel="icon" href="/favicon.ico"><title>mmgate</title>'
        "<style>body{font:16px/1.5 system-ui,sans-serif;max-width:42rem;margin:2rem auto;"
        "padding:0 1rem}code{background:#f3f3f3;padding:0 .2em}</style></head><body>"
        "<h1>mmgate</h1><p>A WhatsApp Marketing Messages gateway (360dialog-compatible) "
        "with an offline Meta emulator.</p>"
        f"<ul>{items}</ul>"
        "<p>Send with <code>POST /marketing_messages</code> and the "
        "<code>D360-API-KEY</code> header; <code>mmgate workspace</code> prints the keys.</p>"
        "</body></html>"
    )
    return HTMLResponse(page)


async def favicon(_: Request) -> Response:
    return Response(_ICON, media_type="image/svg+xml", headers={"Cache-Control": "max-age=86400"})


routes = [Route("/", landing, methods=["GET"]), Route("/favicon.ico", favicon, methods=["GET"])]
