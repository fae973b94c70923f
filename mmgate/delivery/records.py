"""What an upstream-send job carries, encoded compactly (msgpack) in the outbox row."""

from __future__ import annotations

import msgspec


class UpstreamRequest(msgspec.Struct, array_like=True):
    phone_number_id: str
    display_phone_number: str
    waba_id: str
    endpoint: str
    recipient: str
    body: bytes
    expires_at: float
    client_callback_data: str | None = None


encode_request = msgspec.msgpack.Encoder().encode
decode_request = msgspec.msgpack.Decoder(UpstreamRequest).decode
