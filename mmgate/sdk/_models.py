"""Typed requests of the Messaging API and the sandbox API's answers; the answers of the
Messaging and Partner APIs are wire structs (`wire.py`, `wire_partner.py`: the shapes the
server answers with and the OpenAPI document is generated from).

Requests are strict (what we send matches the documented shapes); answers are
tolerant: unknown fields are ignored and most fields are optional, so a newer
server or a 360dialog-compatible host does not break an older client.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec

# -- requests ---------------------------------------------------------------------------


class Language(msgspec.Struct, frozen=True):
    code: str
    # 360dialog marks the policy required; "deterministic" is the only value.
    policy: str = "deterministic"


class Component(msgspec.Struct, omit_defaults=True):
    """One template component (Cloud API format), e.g. a body with its parameters."""

    type: str
    parameters: list[dict[str, Any]] = []
    sub_type: str | None = None
    index: int | None = None

    @classmethod
    def body(cls, *texts: str) -> Component:
        return cls("body", [{"type": "text", "text": text} for text in texts])

    @classmethod
    def url_button(cls, suffix: str, index: int = 0) -> Component:
        """The dynamic suffix of the URL button at `index` (fills its `{{1}}`)."""
        return cls("button", [{"type": "text", "text": suffix}], sub_type="url", index=index)


class Template(msgspec.Struct, omit_defaults=True):
    name: str
    language: Language
    components: list[Component] = []


class BidSpec(msgspec.Struct, omit_defaults=True):
    """Max price for one send: the template's `bid_amount` times this (default 1)."""

    per_message_bid_multiplier: float


class TemplateMessage(
    msgspec.Struct, tag="template", tag_field="type", omit_defaults=True, kw_only=True
):
    """A template send; the gateway adds nothing, so this is the wire body."""

    to: str
    template: Template
    biz_opaque_callback_data: str | None = None
    message_activity_sharing: bool | None = None
    product_policy: str | None = None  # CLOUD_API_FALLBACK (default) or STRICT
    message_send_ttl_seconds: int | None = None
    bid_spec: BidSpec | None = None  # max price multiplier (MM API only)

    @classmethod
    def build(
        cls,
        to: str,
        name: str,
        language: str = "en",
        *,
        body: Sequence[str] = (),
        url_suffix: str | None = None,
        biz_opaque_callback_data: str | None = None,
        product_policy: str | None = None,
        message_send_ttl_seconds: int | None = None,
        bid_multiplier: float | None = None,
    ) -> TemplateMessage:
        """The common case in one call: body parameters and one URL button suffix."""
        components = [Component.body(*body)] if body else []
        if url_suffix is not None:
            components.append(Component.url_button(url_suffix))
        return cls(
            to=to,
            template=Template(name, Language(language), components),
            biz_opaque_callback_data=biz_opaque_callback_data,
            product_policy=product_policy,
            message_send_ttl_seconds=message_send_ttl_seconds,
            bid_spec=None if bid_multiplier is None else BidSpec(bid_multiplier),
        )


class Text(msgspec.Struct, omit_defaults=True):
    body: str
    preview_url: bool = False


class TextMessage(msgspec.Struct, tag="text", tag_field="type", omit_defaults=True, kw_only=True):
    to: str
    text: Text
    biz_opaque_callback_data: str | None = None


# -- answers ----------------------------------------------------------------------------


class SandboxClock(msgspec.Struct):
    now: float
    pending_events: int | None = None


class SandboxRecipient(msgspec.Struct):
    number: str
    behaviour: dict[str, Any]
