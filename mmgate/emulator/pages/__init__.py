"""Meta's web pages, emulated: the Meta login, WhatsApp Manager (`/manager/`) and the
embedded signup flow for MM API (`/embedded-signup/`), and a simulated user's phone
(`/sandbox/phone/{number}`). Server-rendered, no JavaScript."""

from __future__ import annotations

from starlette.routing import BaseRoute

from mmgate.emulator.pages import login, manager, phone, signup


def routes() -> list[BaseRoute]:
    return [*login.routes, *manager.routes, *signup.routes, *phone.routes]
