"""The webhook receiver of the end-to-end and open-loop clients: answers 200 at once
(bench/rawhttp.py), checks each delivery's signature (`X-Mmgate-Signature-256` over
`timestamp.body` with the partner's secret, as a client would) and records every
status it carries, with its arrival time, into a `Hooks`."""

from __future__ import annotations

import time

import msgspec

from bench.lifecycle_check import Hooks
from bench.rawhttp import header
from mmgate.signing import verify_delivery
from tests.support.seed import PARTNER_SECRET


class _Status(msgspec.Struct):
    id: str
    status: str


class _Value(msgspec.Struct):
    statuses: list[_Status] = []


class _Change(msgspec.Struct):
    value: _Value


class _Entry(msgspec.Struct):
    changes: list[_Change] = []


class _Webhook(msgspec.Struct):
    entry: list[_Entry] = []


webhook_decoder = msgspec.json.Decoder(_Webhook)


class Receiver:
    def __init__(self, secret: str = PARTNER_SECRET) -> None:
        self.hooks = Hooks()
        self._secret = secret

    def on_request(self, head: bytes, body: bytes) -> None:
        now = time.perf_counter()
        self.hooks.webhooks += 1
        if not self._signed(head, body):
            self.hooks.bad_signatures += 1
        try:
            hook = webhook_decoder.decode(body)
        except msgspec.DecodeError:
            self.hooks.unreadable += 1
            return
        for entry in hook.entry:
            for change in entry.changes:
                for status in change.value.statuses:
                    self.hooks.add(status.id, status.status, now)

    def _signed(self, head: bytes, body: bytes) -> bool:
        signature = header(head, b"x-mmgate-signature-256")
        timestamp = header(head, b"x-mmgate-timestamp")
        if signature is None or timestamp is None or not timestamp.isdigit():
            return False
        return verify_delivery(
            self._secret, int(timestamp), body, signature.decode(), now=time.time()
        )
