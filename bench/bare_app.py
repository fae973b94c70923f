"""The baseline: a bare ASGI app answering every request with a constant JSON body.

It runs on the same server stack as `mmgate serve` (uvicorn, uvloop, httptools,
one worker, no access log), so the gap between the two is mmgate's own cost.
It reads the request body, as any real handler must.
"""

from __future__ import annotations

import argparse
from typing import Any

import msgspec

# The shape and size (~190 bytes) of a Cloud API send response.
BODY = msgspec.json.encode(
    {
        "messaging_product": "whatsapp",
        "contacts": [{"input": "441234567890", "wa_id": "441234567890"}],
        "messages": [
            {
                "id": "wamid.HBgMNDQxMjM0NTY3ODkwFQIAERgSQUJDREVGMDEyMzQ1Njc4OQA=",
                "message_status": "accepted",
            }
        ],
    }
)
HEADERS = [(b"content-type", b"application/json"), (b"content-length", str(len(BODY)).encode())]


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": BODY})


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=1, help="processes (scale-out baseline)")
    args = parser.parse_args()
    # The same flags `mmgate serve` passes to uvicorn.run (mmgate/cli/main.py).
    uvicorn.run(
        "bench.bare_app:app" if args.workers > 1 else app,
        workers=args.workers,
        host="127.0.0.1",
        port=args.port,
        log_level="warning",
        access_log=False,
        loop="uvloop",
        http="httptools",
    )


if __name__ == "__main__":
    main()
