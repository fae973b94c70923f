"""Accepting a send: everything knowable without sending is checked, then the
message and its outbox job are committed in one transaction (design §1.1)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import msgspec

from mmgate.cache import TtlCache
from mmgate.clock import Clock
from mmgate.delivery.records import UpstreamRequest, encode_request
from mmgate.domain import correlation
from mmgate.domain.payloads import EntryPoint, ValidSend, decode_send, validate_send
from mmgate.domain.regions import check_recipient_region
from mmgate.domain.routing import (
    UNKNOWN_WABA,
    Route,
    RouteDecision,
    UpstreamEndpoint,
    decide_route,
)
from mmgate.domain.templates import Category, TemplateInfo, check_against_template
from mmgate.domain.ttl import resolve_ttl
from mmgate.errors import GraphError
from mmgate.ids import key_hash, new_wamid
from mmgate.sdk.wire import SendResponse
from mmgate.services.bids import price_send
from mmgate.services.templates import TemplateCatalog
from mmgate.services.throughput import ThroughputLimiter
from mmgate.services.wabas import WabaCatalog
from mmgate.storage.port import Channel, IdempotencyClaim, NewMessage, Partner, Store
from mmgate.upstream.graph import UpstreamUnavailable

_json = msgspec.json.Encoder()
_any = msgspec.json.Decoder()
# Fields only /marketing_messages knows; Cloud API's /messages is sent without them.
_MM_ONLY_FIELDS = ("product_policy", "message_activity_sharing", "bid_spec")


class Unauthorized(Exception):
    pass


class Accepter:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        templates: TemplateCatalog,
        channels_by_key: TtlCache[str, Channel | None],
        partners: TtlCache[str, Partner | None],
        wabas: WabaCatalog,
        wake_dispatch: Callable[[], None],
        throughput: ThroughputLimiter,
    ) -> None:
        self._store = store
        self._clock = clock
        self._templates = templates
        self._channels_by_key = channels_by_key
        self._partners = partners
        self._wabas = wabas
        self._throughput = throughput
        self._wake_dispatch = wake_dispatch

    async def authenticate(self, header_value: str | None) -> Channel:
        if not header_value:
            raise Unauthorized
        key = header_value.removeprefix("Bearer ").strip()
        channel = await self._channels_by_key.get(key_hash(key))
        if channel is None:
            raise Unauthorized
        return channel

    async def accept(
        self, channel: Channel, entry_point: EntryPoint, body: bytes, idempotency_key: str | None
    ) -> bytes:
        valid = validate_send(decode_send(body), entry_point)
        await self._throughput.take(channel.phone_number_id)
        check_recipient_region(valid.wa_id)
        template = await self._template(channel, valid)
        category = template.category if template else None
        partner = await self._partners.get(channel.partner_id)
        waba = UNKNOWN_WABA
        if category == Category.MARKETING:
            waba = await self._wabas.get(channel.waba_id)
        decision = decide_route(
            entry_point,
            valid.request.type,
            category,
            marketing_routing_enabled=partner.marketing_routing if partner else True,
            waba=waba,
            product_policy=valid.product_policy,
        )
        now = self._clock.now()
        if (
            template is not None
            and decision.requested is Route.MM_API
            and now < template.sync_until
        ):
            raise GraphError(134101)
        ttl = resolve_ttl(
            valid.ttl_seconds,
            template.ttl_seconds if template else None,
            category,
            decision.requested,
        )
        wamid = new_wamid(valid.wa_id)
        # Max price: Meta's refusals, and the price of a send with one (services/bids.py).
        await price_send(
            self._store,
            entry_point,
            valid,
            template,
            decision,
            wamid=wamid,
            channel_id=channel.id,
            now=now,
        )
        message = NewMessage(
            wamid=wamid,
            channel_id=channel.id,
            recipient=valid.wa_id,
            entry_point=entry_point.value,
            type=valid.request.type,
            template_name=valid.request.template.name if valid.request.template else None,
            template_language=(
                valid.request.template.language.code if valid.request.template else None
            ),
            category=category,
            route_requested=decision.requested.value,
            upstream_endpoint=decision.endpoint.value,
            ttl_seconds=ttl,
            expires_at=now + ttl,
            payload=body,
            upstream=encode_request(
                self._upstream_request(channel, valid, decision, body, wamid, now + ttl)
            ),
            created_at=now,
        )
        claim = None
        if idempotency_key:
            claim = IdempotencyClaim(idempotency_key, hashlib.sha256(body).hexdigest())
        outcome = await self._store.accept(message, self._response(valid, wamid), claim)
        if outcome.conflict:
            raise GraphError(
                100,
                "This Idempotency-Key was already used with a different request body.",
                http_status=422,
            )
        if not outcome.replayed:
            self._wake_dispatch()
        return outcome.response

    async def _template(self, channel: Channel, valid: ValidSend) -> TemplateInfo | None:
        template = valid.request.template
        if template is None:
            return None
        try:
            info = await self._templates.get(channel.waba_id, template.name, template.language.code)
        except UpstreamUnavailable as exc:
            raise GraphError(1360001, f"Template look-up failed: {exc}") from None
        except GraphError as exc:
            raise GraphError(1360001, f"Template look-up failed: {exc.message}") from None
        if info is None:
            raise GraphError(
                132001,
                f"template name ({template.name}) does not exist in {template.language.code}",
            )
        check_against_template(template, info)
        return info

    @staticmethod
    def _upstream_request(
        channel: Channel,
        valid: ValidSend,
        decision: RouteDecision,
        body: bytes,
        wamid: str,
        expires_at: float,
    ) -> UpstreamRequest:
        raw: dict[str, Any] = _any.decode(body)
        client_callback = valid.request.biz_opaque_callback_data
        raw["biz_opaque_callback_data"] = correlation.compose(wamid, client_callback)
        if decision.endpoint is UpstreamEndpoint.MESSAGES:
            for field in _MM_ONLY_FIELDS:
                raw.pop(field, None)
        return UpstreamRequest(
            phone_number_id=channel.phone_number_id,
            display_phone_number=channel.display_phone_number,
            waba_id=channel.waba_id,
            endpoint=decision.endpoint.value,
            recipient=valid.wa_id,
            body=_json.encode(raw),
            expires_at=expires_at,
            client_callback_data=client_callback,
        )

    @staticmethod
    def _response(valid: ValidSend, wamid: str) -> bytes:
        to, template = valid.request.to or valid.wa_id, valid.request.type == "template"
        return _json.encode(SendResponse.accepted(to, valid.wa_id, wamid, template=template))
