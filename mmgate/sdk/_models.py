"""The SDK's messages and the sandbox API's answers. A message is the send request's wire
struct (`wire.SendRequest`: the shape the OpenAPI document is generated from) with its `type`
fixed; the answers of the Messaging and Partner APIs are wire structs too (`wire.py`,
`wire_partner.py`).

Requests are strict (what we send matches the documented shapes); answers are
tolerant: unknown fields are ignored and most fields are optional, so a newer
server or a 360dialog-compatible host does not break an older client.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal, TypeVar, cast

import msgspec
from msgspec import UNSET, UnsetType

from mmgate.sdk.wire import BidSpec as BidSpec
from mmgate.sdk.wire import Component as Component
from mmgate.sdk.wire import Language as Language
from mmgate.sdk.wire import ProductPolicy, SendRequest
from mmgate.sdk.wire import Template as Template
from mmgate.sdk.wire import Text as Text

_T = TypeVar("_T")

# -- requests ---------------------------------------------------------------------------


def _given(value: _T | None) -> _T | UnsetType:
    return UNSET if value is None else value


class TemplateMessage(SendRequest, kw_only=True):
    """A template send; the gateway adds nothing, so this is the wire body."""

    messaging_product: Literal["whatsapp"] = "whatsapp"
    type: Literal["template"] = "template"
    template: Template

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
            biz_opaque_callback_data=_given(biz_opaque_callback_data),
            # Passed as given: the document names the two values; the server also takes lowercase.
            product_policy=_given(cast(ProductPolicy | None, product_policy)),
            message_send_ttl_seconds=_given(message_send_ttl_seconds),
            bid_spec=UNSET if bid_multiplier is None else BidSpec(bid_multiplier),
        )


class TextMessage(SendRequest, kw_only=True):
    """A text send (`/messages` only)."""

    messaging_product: Literal["whatsapp"] = "whatsapp"
    type: Literal["text"] = "text"
    text: Text


# -- answers ----------------------------------------------------------------------------


class SandboxClock(msgspec.Struct):
    now: float
    pending_events: int | None = None


class SandboxRecipient(msgspec.Struct):
    number: str
    behaviour: dict[str, Any]
