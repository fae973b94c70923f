"""Creating Hub users: from the CLI (`mmgate hub add-user`) and from a workspace's
`hub_users`. Passwords are hashed here; the store only ever sees the hash."""

from __future__ import annotations

import asyncio
import re

from mmgate.storage.port import HubStore
from mmgate.ui import passwords

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class AccountError(ValueError):
    """A user that cannot be saved, said in one line."""


async def save_user(
    store: HubStore, partner_id: str, email: str, password: str, now: float
) -> None:
    """Creates the user, or sets a new password for it (which ends its sessions)."""
    email = email.strip()
    if not EMAIL.match(email):
        raise AccountError(f"not an email address: {email!r}")
    problem = passwords.weakness(password)
    if problem is not None:
        raise AccountError(problem)
    hashed = await asyncio.to_thread(passwords.hash_password, password)
    if not await store.hub_save_user(partner_id, email, hashed, now):
        raise AccountError(
            f"no partner {partner_id!r}, or {email} already belongs to another partner"
        )
