"""Wire shapes declared once: the server decodes and answers with them, the SDK sends and reads
them, and the OpenAPI document is generated from them (mmgate/gateway/openapi_wire.py).

They live in the SDK because the SDK installs without the server; the server imports them.
Moving a shape here means deleting its hand-written twins (handler dict, OpenAPI schema, SDK
model): docs/architecture.md lists which shapes have moved so far.
"""

from __future__ import annotations

from typing import Annotated

import msgspec

MAX_URL = 2048


class ChaosConfig(msgspec.Struct, forbid_unknown_fields=True):
    """Opt-in receiver testing aid (an mmgate extension): duplicate and reorder deliveries."""

    duplicates: Annotated[float, msgspec.Meta(ge=0.0, le=1.0)] = 0.0  # a probability
    out_of_order: bool = False


class WebhookConfigRequest(msgspec.Struct, omit_defaults=True):
    """`POST /v1/configs/webhook`: a channel's webhook URL (None removes it), extra headers."""

    url: Annotated[str, msgspec.Meta(max_length=MAX_URL)] | None
    headers: dict[str, str] = {}
    chaos: ChaosConfig | None = None


class WebhookConfig(msgspec.Struct):
    """What `/v1/configs/webhook` answers: the channel's webhook as stored."""

    url: str | None
    headers: dict[str, str] = {}
    chaos: ChaosConfig | msgspec.UnsetType = msgspec.UNSET  # present when switched on
