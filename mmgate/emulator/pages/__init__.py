"""Meta's web pages, emulated: the Meta login, WhatsApp Manager (`/manager/`) and the
embedded signup flow for MM API (`/embedded-signup/`). Server-rendered, no JavaScript."""

from __future__ import annotations

from starlette.routing import BaseRoute

from mmgate.emulator.pages import login, manager, signup


def routes() -> list[BaseRoute]:
    return [*login.routes, *manager.routes, *signup.routes]
