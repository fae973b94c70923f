"""A message as the WhatsApp user sees it: the template's header, body, footer and
buttons with the send's parameters put in (pure; the phone page and clicks use it)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from mmgate.domain.digits import ascii_digits
from mmgate.domain.payloads import Component, Template
from mmgate.emulator.messages import SimMessage

_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")
_LINK = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)]")
CLICK_ID_PARAMETER = "click_id"  # the query parameter the visited URL carries


@dataclass(frozen=True, slots=True)
class Button:
    text: str
    kind: str  # URL, QUICK_REPLY, PHONE_NUMBER, COPY_CODE, …
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Rendered:
    body: str
    header: str | None = None
    footer: str | None = None
    buttons: list[Button] = field(default_factory=list)

    def link(self, component: str) -> str | None:
        """The URL a tap on `component` opens: `cta` (first URL button) or `body`."""
        if component == "cta":
            return next((b.url for b in self.buttons if b.url), None)
        found = _LINK.search(self.body)
        return found.group(0) if found else None


def render(message: SimMessage) -> Rendered:
    if message.template is None:
        return Rendered(body=message.text if message.text is not None else "(media message)")
    given = _given(message.content)
    rendered: dict[str, Any] = {"buttons": []}
    for component in message.template.components:
        kind = str(component.get("type", "")).upper()
        text = str(component.get("text", ""))
        if kind == "HEADER":
            media = str(component.get("format", "TEXT")).upper()
            rendered["header"] = (
                _fill(text, given.get("header")) if media == "TEXT" else f"[{media.lower()}]"
            )
        elif kind == "BODY":
            rendered["body"] = _fill(text, given.get("body"))
        elif kind == "FOOTER":
            rendered["footer"] = text
        elif kind == "BUTTONS":
            rendered["buttons"] = [
                _button(i, b, given) for i, b in enumerate(component.get("buttons") or [])
            ]
    return Rendered(
        body=rendered.get("body", ""),
        header=rendered.get("header"),
        footer=rendered.get("footer"),
        buttons=rendered["buttons"],
    )


def with_click_id(url: str, click_id: str) -> str:
    """The URL the user visits: Meta appends the click id (reference §6.3); as a query
    parameter named `click_id` here (Meta does not document the name)."""
    parts = urlsplit(url)
    query = [*parse_qsl(parts.query, keep_blank_values=True), (CLICK_ID_PARAMETER, click_id)]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _given(content: Template | None) -> dict[str, Component]:
    """The send's components by where they go: header, body, or button:<index>."""
    found: dict[str, Component] = {}
    for component in (content.components or []) if content is not None else []:
        kind = component.type.lower()
        key = f"button:{component.index}" if kind == "button" else kind
        found[key] = component
    return found


def _fill(text: str, component: Component | None) -> str:
    parameters = component.parameters if component is not None else []
    named = {p.get("parameter_name"): p for p in parameters if p.get("parameter_name")}

    def value(match: re.Match[str]) -> str:
        key = match.group(1)
        if ascii_digits(key):
            index = int(key) - 1
            parameter = parameters[index] if 0 <= index < len(parameters) else None
        else:
            parameter = named.get(key)
        return _shown(parameter) if parameter is not None else match.group(0)

    return _PLACEHOLDER.sub(value, text)


def _shown(parameter: dict[str, Any]) -> str:
    kind = str(parameter.get("type", "text"))
    if kind == "text":
        return str(parameter.get("text", ""))
    for key in ("currency", "date_time"):
        inner = parameter.get(key)
        if isinstance(inner, dict) and "fallback_value" in inner:
            return str(inner["fallback_value"])
    if kind == "payload":
        return str(parameter.get("payload", ""))
    return f"[{kind}]"


def _button(index: int, button: dict[str, Any], given: dict[str, Component]) -> Button:
    kind = str(button.get("type", "")).upper()
    text = str(button.get("text", ""))
    url = button.get("url")
    if kind == "URL" and isinstance(url, str):
        return Button(text, kind, _fill(url, given.get(f"button:{index}")))
    return Button(text, kind)
