"""Sends one marketing campaign: N messages to N distinct recipients, closed loop.
Run as `python -m bench.campaign_client --base-url URL --count N`; prints JSON with
the number accepted and a few wamids spread over the campaign (to watch them finish).
"""

from __future__ import annotations

import argparse
import json
import time
from urllib.parse import urlsplit

from bench.e2e_client import Sender


async def send(base_url: str, count: int, connections: int) -> dict[str, object]:
    url = urlsplit(base_url)
    sender = Sender(url.hostname or "127.0.0.1", url.port or 80)
    started = time.perf_counter()
    await sender.count(count, connections)
    wamids = list(sender.sent)
    return {
        "accepted": len(wamids),
        "errors": sender.errors,
        "seconds": time.perf_counter() - started,
        "sample_wamids": wamids[:: max(1, len(wamids) // 20)] + wamids[-3:],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    import uvloop

    print(json.dumps(uvloop.run(send(args.base_url, args.count, args.connections))))


if __name__ == "__main__":
    main()
