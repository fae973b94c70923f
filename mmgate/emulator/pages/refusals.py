"""One clear page for each reason a person cannot go on."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse

from mmgate.emulator.onboarding import OnboardingRefused, Refusal
from mmgate.emulator.pages.render import notice


def refusal_page(
    request: Request, refused: OnboardingRefused, *, action: tuple[str, str] | None = None
) -> HTMLResponse:
    name = refused.business.name if refused.business is not None else "this business"
    refusal = refused.refusal
    if refusal is Refusal.NOT_ADMIN:
        return notice(
            request,
            "You need full control of this business",
            f"Only an admin of {name} can accept the Marketing Messages API terms. "
            "Ask an admin of the business portfolio to do it; a partner cannot accept "
            "them on the business's behalf.",
            status=403,
            tone="error",
            action=action,
        )
    if refusal is Refusal.ALREADY_SIGNED:
        return notice(
            request,
            "Terms already accepted",
            f"{name} has already accepted the Marketing Messages API terms. Its eligible "
            "WhatsApp Business accounts are onboarded (or finishing set-up); there is "
            "nothing more to do.",
            tone="success",
            action=action,
        )
    if refusal is Refusal.NO_ELIGIBLE_WABA:
        return notice(
            request,
            "No eligible WhatsApp Business account",
            f"None of the WhatsApp Business accounts of {name} is eligible for the Marketing "
            "Messages API, so there are no terms to accept yet.",
            status=409,
            tone="error",
            action=action,
        )
    if refusal is Refusal.ALREADY_DECIDED:
        return notice(
            request,
            "Request already answered",
            "This request has already been accepted or rejected.",
            status=409,
            tone="error",
            action=action,
        )
    what = "request" if refusal is Refusal.UNKNOWN_REQUEST else "business"
    return notice(
        request,
        f"No such {what}",
        f"This {what} does not exist or you do not have access to it.",
        status=404,
        tone="error",
        action=action,
    )
