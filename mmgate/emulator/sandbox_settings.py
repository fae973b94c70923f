"""The sandbox's settings (`POST /sandbox/settings`): Meta's template reviewers, who the
population is, and the 2026 shapes. Kept in the emulator's journal, so a restart keeps
them (emulator/durable.py)."""

from __future__ import annotations

from typing import Literal

import msgspec

from mmgate.emulator.network import Network
from mmgate.emulator.population import Kind, Population
from mmgate.emulator.templates import TemplateDesk
from mmgate.emulator.user_webhooks import IDENTITIES


class SandboxSettings(msgspec.Struct, forbid_unknown_fields=True):
    template_review_seconds: float | None = None
    template_auto_approve: bool | None = None
    population: Kind | None = None  # who the recipients that are not test numbers are
    population_seed: int | None = None
    # 2026 shapes (docs/emulator.md): usernames and hidden phone numbers, landing page
    # views after a click, the pair rate limit (131056).
    user_identity: Literal["phone", "username", "username_only"] | None = None
    landing_page_views: bool | None = None
    pair_rate_limit: bool | None = None


def apply(desk: TemplateDesk, network: Network, settings: SandboxSettings) -> None:
    """What `settings` gives; what it leaves out (None) stays as it is."""
    if settings.template_review_seconds is not None:
        desk.review_seconds = max(0.0, settings.template_review_seconds)
    if settings.template_auto_approve is not None:
        desk.auto_approve = settings.template_auto_approve
    if settings.population is not None or settings.population_seed is not None:
        network.population = Population(
            settings.population or network.population.kind,
            network.population.seed
            if settings.population_seed is None
            else settings.population_seed,
        )
    if settings.user_identity is not None:
        network.replies.identity = IDENTITIES[settings.user_identity]
    if settings.landing_page_views is not None:
        network.clicker.landing_page_views = settings.landing_page_views
    if settings.pair_rate_limit is not None:
        network.pair_limit.enabled = settings.pair_rate_limit


def current(desk: TemplateDesk, network: Network) -> SandboxSettings:
    identity = next(k for k, v in IDENTITIES.items() if v == network.replies.identity)
    return SandboxSettings(
        template_review_seconds=desk.review_seconds,
        template_auto_approve=desk.auto_approve,
        population=network.population.kind,
        population_seed=network.population.seed,
        user_identity=identity,  # type: ignore[arg-type]
        landing_page_views=network.clicker.landing_page_views,
        pair_rate_limit=network.pair_limit.enabled,
    )


encode = msgspec.json.Encoder().encode
decode = msgspec.json.Decoder(SandboxSettings).decode
