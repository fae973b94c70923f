"""Creating Hub users: from the CLI (`mmgate hub add-user`) and from a workspace's
`hub_users`. Passwords are hashed here; the store only ever sees the hash."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable
from typing import cast

from mmgate.storage.port import HubStore
from mmgate.ui import passwords

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
HUB_METHODS = [name for name in vars(HubStore) if name.startswith("hub_")]


def as_hub_store(store: object) -> HubStore | None:
    """`store` as the Hub needs it, or None for a backend without the Hub's queries yet."""
    if all(hasattr(store, name) for name in HUB_METHODS):
        return cast(HubStore, store)
    return None


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


async def provision_users(
    store: object, partner_id: str, users: Iterable[tuple[str, str]], now: float
) -> None:
    """A workspace's `hub_users` (email, password): created, or given the password the
    workspace names. A user whose password already matches is left alone, so restarting
    with the same workspace signs nobody out."""
    hub = as_hub_store(store)
    if hub is None:
        return
    for email, password in users:
        known = await hub.hub_user_by_email(email.strip())
        if known is not None and known.partner_id == partner_id:
            same = await asyncio.to_thread(passwords.verify_password, password, known.password_hash)
            if same:
                continue
        await save_user(hub, partner_id, email, password, now)
