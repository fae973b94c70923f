"""The SDK's public names are a promise: this list changes only on purpose."""

from __future__ import annotations

import inspect
import types

import mmgate.sdk
from mmgate.sdk import AsyncClient, Client

PUBLIC = [
    "AccountUpdateEvent",
    "ApiError",
    "AsyncClient",
    "AuthenticationError",
    "BidSpec",
    "ClickComponent",
    "ClickEvent",
    "Client",
    "Component",
    "Contact",
    "Conversation",
    "InvalidRequest",
    "Language",
    "MarketingTemplatesRouting",
    "MessageEvent",
    "MessageInfo",
    "MessagePrice",
    "MessageStatus",
    "MmgateError",
    "NotFound",
    "NotMarketingTemplate",
    "OtherEvent",
    "Partner",
    "Pricing",
    "PricingCategory",
    "RateLimited",
    "Retry",
    "SandboxClock",
    "SandboxRecipient",
    "SendResponse",
    "SentMessage",
    "Spend",
    "StatusEvent",
    "Template",
    "TemplateMessage",
    "TemplateNotFound",
    "TemplateParametersMismatch",
    "TemplateSyncing",
    "Text",
    "TextMessage",
    "TransportError",
    "WebhookConfig",
    "WebhookError",
    "WebhookEvent",
    "WebhookSignatureError",
    "parse_webhook",
    "verify_signature",
]

OPERATIONS = [
    "get_message",
    "get_partner",
    "get_spend",
    "get_webhook",
    "partner_request",
    "sandbox_clock",
    "sandbox_recipient",
    "send_marketing_message",
    "send_message",
    "set_marketing_templates_routing",
    "set_webhook",
]


def test_all_is_the_pinned_list() -> None:
    assert mmgate.sdk.__all__ == PUBLIC


def test_every_public_name_is_exported_and_nothing_else_leaks() -> None:
    exported = {
        name
        for name, value in vars(mmgate.sdk).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert exported == set(PUBLIC)


def test_clients_offer_the_pinned_operations() -> None:
    def operations(cls: type) -> list[str]:
        return sorted(
            name
            for name, value in vars(cls).items()
            if not name.startswith("_")
            and inspect.isfunction(value)
            and name not in ("close", "aclose")
        )

    assert operations(Client) == OPERATIONS
    assert operations(AsyncClient) == OPERATIONS


def test_sync_and_async_operations_share_signature_and_docs() -> None:
    for name in OPERATIONS:
        sync, async_ = getattr(Client, name), getattr(AsyncClient, name)
        assert inspect.signature(sync) == inspect.signature(async_), name
        assert sync.__doc__ and sync.__doc__ == async_.__doc__, name
        assert inspect.iscoroutinefunction(async_) and not inspect.iscoroutinefunction(sync)
        assert "Flow" not in str(inspect.signature(sync).return_annotation), name
