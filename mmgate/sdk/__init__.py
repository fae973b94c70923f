"""mmgate's Python SDK: the Messaging and Partner APIs, typed, sync or async.

    from mmgate.sdk import Client, TemplateMessage

    with Client.from_workspace() as client:        # or Client(api_key, base_url=...)
        sent = client.send_marketing_message(
            TemplateMessage.build("441234567890", "marketing_offer_with_link",
                                  body=["Ana"], url_suffix="ANA10")
        )
        print(sent.wamid, client.get_message(sent.wamid).status)

Everything public is listed in `__all__` (pinned by tests/unit/sdk/test_public_surface.py);
the modules whose names start with `_` are private.
"""

from mmgate.sdk._client import AsyncClient, Client
from mmgate.sdk._errors import (
    ApiError,
    AuthenticationError,
    InvalidRequest,
    MmgateError,
    NotFound,
    NotMarketingTemplate,
    RateLimited,
    TemplateNotFound,
    TemplateParametersMismatch,
    TemplateSyncing,
    TransportError,
    WebhookSignatureError,
)
from mmgate.sdk._models import (
    BidSpec,
    Component,
    Language,
    SandboxClock,
    SandboxRecipient,
    Template,
    TemplateMessage,
    Text,
    TextMessage,
)
from mmgate.sdk._retry import Retry
from mmgate.sdk.webhooks import (
    AccountUpdateEvent,
    ClickComponent,
    ClickEvent,
    Conversation,
    MessageStatus,
    OtherEvent,
    Pricing,
    PricingCategory,
    StatusEvent,
    WebhookError,
    WebhookEvent,
    parse_webhook,
    verify_signature,
)
from mmgate.sdk.wire import (
    Contact,
    MessageEvent,
    MessageInfo,
    MessagePrice,
    SendResponse,
    SentMessage,
    WebhookConfig,
)
from mmgate.sdk.wire_partner import MarketingTemplatesRouting, Partner, Spend

__all__ = [
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
