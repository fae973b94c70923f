"""What a send must agree with in its template: status, category, parameters."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from mmgate.domain.digits import ascii_digits
from mmgate.domain.payloads import Template, body_parameter_count, button_parameters
from mmgate.errors import GraphError

SYNC_SECONDS = 600.0  # a new or dormant MARKETING template syncs with its ad this long
DORMANT_SECONDS = 7 * 24 * 3600.0
_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")


class Category(StrEnum):
    MARKETING = "MARKETING"
    UTILITY = "UTILITY"
    AUTHENTICATION = "AUTHENTICATION"


@dataclass(frozen=True, slots=True)
class TemplateInfo:
    """The gateway's cached knowledge of one template in one language."""

    name: str
    language: str
    category: str
    status: str
    body_params: int
    url_button_params: tuple[int, ...]  # indexes of URL buttons with a dynamic suffix
    ttl_seconds: int | None = None
    sync_until: float = 0.0  # MM sends before this get 134101 (reference §8.1)
    bid_amount: int | None = None  # max price per 1,000 deliveries (domain/bids.py)


def count_placeholders(text: str) -> int:
    return len(set(_PLACEHOLDER.findall(text)))


def check_against_template(template: Template, info: TemplateInfo) -> None:
    """Raise the error Meta gives when a send does not fit its template."""
    if info.status == "PAUSED":
        raise GraphError(132015, f"Template {info.name} is paused.")
    if info.status == "DISABLED":
        raise GraphError(132016, f"Template {info.name} is disabled.")
    if info.status != "APPROVED":
        raise GraphError(132001, f"template name ({info.name}) is not approved in {info.language}.")
    given = body_parameter_count(template)
    if given != info.body_params:
        raise GraphError(
            132000,
            f"body: number of localizable_params ({given}) does not match the expected "
            f"number of params ({info.body_params})",
        )
    buttons = button_parameters(template)
    for index in info.url_button_params:
        if buttons.get(index, 0) != 1:
            raise GraphError(
                132000, f"button at index {index} needs exactly one URL suffix parameter."
            )


def info_from_graph(template: dict[str, object]) -> TemplateInfo | None:
    """Read one template of a Graph `message_templates` answer (tolerant of extras)."""
    name, language = template.get("name"), template.get("language")
    if not isinstance(name, str) or not isinstance(language, str):
        return None
    body_params = 0
    url_buttons: list[int] = []
    components = template.get("components")
    for component in components if isinstance(components, list) else []:
        if not isinstance(component, dict):
            continue
        kind = str(component.get("type", "")).upper()
        if kind == "BODY":
            body_params = count_placeholders(str(component.get("text", "")))
        elif kind == "BUTTONS":
            buttons = component.get("buttons")
            for index, button in enumerate(buttons if isinstance(buttons, list) else []):
                if (
                    isinstance(button, dict)
                    and str(button.get("type", "")).upper() == "URL"
                    and ("{{" in str(button.get("url", "")))
                ):
                    url_buttons.append(index)
    ttl = template.get("message_send_ttl_seconds")
    spec = template.get("optimization_spec", template.get("bid_spec"))
    bid = spec.get("bid_amount") if isinstance(spec, dict) else None
    return TemplateInfo(
        name=name,
        language=language,
        category=str(template.get("category", "")).upper(),
        status=str(template.get("status", "")).upper(),
        body_params=body_params,
        url_button_params=tuple(url_buttons),
        ttl_seconds=int(ttl)
        if isinstance(ttl, int | str) and ascii_digits(str(ttl).removeprefix("-"))
        else None,
        bid_amount=int(bid) if isinstance(bid, int | str) and str(bid).isdigit() else None,
    )
