"""What every Hub page starts from: the logged-in user and partner (or a redirect to the
login page), the Hub's store, and the CSRF check on every POST.

Every page is scoped to `hub.partner`: handlers pass `hub.partner.id` to every query.
"""

from __future__ import annotations

import hmac
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import Response

from mmgate.domain.rate_limits import LoginThrottle
from mmgate.errors import Refusal
from mmgate.gateway.context import Gateway, gateway_of
from mmgate.ids import new_secret
from mmgate.storage.port import UNSET, HubStore, HubUser, Partner, Unset
from mmgate.ui import sessions
from mmgate.ui.accounts import as_hub_store
from mmgate.ui.render import page, read_form, redirect, with_query


@dataclass
class HubState:
    """Per app: the session secret (read once from the store) and the login throttle."""

    secret: bytes
    throttle: LoginThrottle


_states: weakref.WeakKeyDictionary[object, HubState] = weakref.WeakKeyDictionary()


def hub_store(gateway: Gateway) -> HubStore | None:
    """The gateway's store as the Hub needs it, or None for a backend without it yet."""
    return as_hub_store(gateway.store)


async def hub_state(request: Request, store: HubStore) -> HubState:
    state = _states.get(request.app)
    if state is None:
        secret = await store.hub_session_secret(new_secret(32))
        state = HubState(secret.encode(), LoginThrottle(gateway_of(request).clock))
        _states[request.app] = state
    return state


@dataclass
class Hub:
    """A request from a logged-in partner user."""

    request: Request
    gateway: Gateway
    store: HubStore
    state: HubState
    user: HubUser
    partner: Partner
    csrf: str
    form: dict[str, str] = field(default_factory=dict)

    @property
    def now(self) -> float:
        return self.gateway.clock.now()

    async def update_partner(
        self,
        *,
        webhook_url: str | Unset | None = UNSET,
        marketing_routing: bool | Unset = UNSET,
    ) -> None:
        await self.gateway.directory.update_partner(
            self.partner.id, webhook_url=webhook_url, marketing_routing=marketing_routing
        )

    def page(self, template: str, status: int = 200, /, **context: object) -> Response:
        context.setdefault("active", "")
        return page(
            template, status, partner=self.partner, user=self.user, csrf=self.csrf, **context
        )


Handler = Callable[[Hub], Awaitable[Response]]


class HubRefusal(Refusal):
    """A Hub page refused (not yours, not found…): rendered as the notice page, in one place
    (`login_required`), as the APIs' refusals are rendered by mmgate/web/surfaces.py."""

    def __init__(self, status: int, title: str, message: str) -> None:
        super().__init__(status, message)
        self.title = title


def notice(refusal: HubRefusal, partner: Partner | None = None) -> Response:
    return page(
        "notice.html", refusal.status, title=refusal.title, message=refusal.message, partner=partner
    )


def unavailable() -> Response:
    return notice(
        HubRefusal(
            501,
            "The Partner Hub is not available on this storage backend yet",
            "Run mmgate with SQLite to use the Hub; the APIs work on every backend.",
        )
    )


async def current(request: Request) -> Hub | None:
    """The logged-in user of this request, or None."""
    gateway = gateway_of(request)
    store = hub_store(gateway)
    cookie = request.cookies.get(sessions.SESSION_COOKIE)
    if store is None or not cookie:
        return None
    state = await hub_state(request, store)
    session = sessions.decode(state.secret, cookie, gateway.clock.now())
    if session is None:
        return None
    user = await store.hub_user(session.user_id)
    if user is None or user.session_generation != session.generation:
        return None
    partner = await gateway.store.partner(user.partner_id)
    if partner is None:
        return None
    csrf = sessions.csrf_token(state.secret, "session", session.nonce)
    return Hub(request, gateway, store, state, user, partner, csrf)


def login_required(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """Runs `handler` for a logged-in user; a POST must carry the session's CSRF token."""

    async def endpoint(request: Request) -> Response:
        if hub_store(gateway_of(request)) is None:
            return unavailable()
        hub = await current(request)
        if hub is None:
            if request.method != "GET":
                return forbidden("Your session has ended. Sign in again, then retry.")
            here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            if request.cookies.get(sessions.SESSION_COOKIE):
                # A session cookie that no longer signs in: say so on the login page.
                return redirect(with_query("/hub/login", next=here, ended="1"))
            return redirect(with_query("/hub/login", next=here))
        if request.method == "POST":
            hub.form = await read_form(request)
            if not hmac.compare_digest(hub.form.get("csrf_token", ""), hub.csrf):
                return forbidden("This form has expired or did not come from the Hub.")
        try:
            return await handler(hub)
        except HubRefusal as refusal:
            return notice(refusal)

    return endpoint


def forbidden(message: str) -> Response:
    return notice(HubRefusal(403, "Request refused", message))
