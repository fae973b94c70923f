"""Hub sessions: a signed cookie naming the user, its session generation and an expiry,
and CSRF tokens derived from the session (or, before login, from a login cookie).

Stateless to check (one HMAC), yet revocable: logout bumps the user's session
generation, which voids every cookie issued before. Expiry reads the one clock.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass

from mmgate.domain.digits import ascii_digits

SESSION_COOKIE = "mmgate_hub_session"
LOGIN_COOKIE = "mmgate_hub_login"  # carries the login form's CSRF nonce before a session exists
LIFETIME_SECONDS = 12 * 3600.0


@dataclass(frozen=True, slots=True)
class Session:
    user_id: int
    generation: int
    expires_at: int
    nonce: str  # per session: the CSRF token is derived from it


def new_session(user_id: int, generation: int, now: float) -> Session:
    return Session(user_id, generation, int(now + LIFETIME_SECONDS), secrets.token_urlsafe(16))


def encode(secret: bytes, session: Session) -> str:
    value = f"{session.user_id}.{session.generation}.{session.expires_at}.{session.nonce}"
    return f"{value}.{_sign(secret, 'session', value)}"


def decode(secret: bytes, cookie: str, now: float) -> Session | None:
    """The session a cookie carries, if its signature holds and it has not expired."""
    value, _, signature = cookie.rpartition(".")
    if not value or not hmac.compare_digest(signature, _sign(secret, "session", value)):
        return None
    parts = value.split(".")
    if len(parts) != 4 or not all(ascii_digits(p) for p in parts[:3]):
        return None
    session = Session(int(parts[0]), int(parts[1]), int(parts[2]), parts[3])
    return session if session.expires_at > now else None


def csrf_token(secret: bytes, purpose: str, nonce: str) -> str:
    """The token every form of a session (purpose "session") or the login form carries."""
    return _sign(secret, "csrf:" + purpose, nonce)[:40]


def csrf_ok(secret: bytes, purpose: str, nonce: str, submitted: str | None) -> bool:
    if not nonce or not submitted:
        return False
    return hmac.compare_digest(submitted, csrf_token(secret, purpose, nonce))


def seal(secret: bytes, purpose: str, data: dict[str, str]) -> str:
    """`data` in a signed cookie value (readable by its holder, not forgeable)."""
    value = base64.urlsafe_b64encode(json.dumps(data).encode()).decode()
    return f"{value}.{_sign(secret, purpose, value)}"


def unseal(secret: bytes, purpose: str, sealed: str) -> dict[str, str] | None:
    value, _, signature = sealed.rpartition(".")
    if not value or not hmac.compare_digest(signature, _sign(secret, purpose, value)):
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(value))
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


def _sign(secret: bytes, purpose: str, value: str) -> str:
    return hmac.new(secret, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()
