"""People who log in to Meta: password checks for the emulated Meta login.

Passwords are stored as scrypt hashes, so a world file never holds one in clear.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from mmgate.emulator.world import MetaUser, WorldStore

_N, _R, _P = 2**14, 8, 1  # scrypt cost: ~50 ms, enough for a sandbox login


def hash_password(password: str) -> str:
    salt = secrets.token_hex(16)
    digest = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), n=_N, r=_R, p=_P)
    return f"scrypt${salt}${digest.hex()}"


def password_matches(password: str, stored: str) -> bool:
    try:
        scheme, salt, expected = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    digest = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), n=_N, r=_R, p=_P)
    return hmac.compare_digest(digest.hex(), expected)


def authenticate(worlds: WorldStore, email: str, password: str) -> MetaUser | None:
    user = worlds.user_by_email(email)
    if user is None:
        hash_password(password)  # same cost either way: no user enumeration by timing
        return None
    return user if password_matches(password, user.password_hash) else None
