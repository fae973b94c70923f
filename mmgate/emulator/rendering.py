"""A message as the WhatsApp user sees it: the template's header, body, footer and
buttons with the send's parameters put in (pure; the phone page and clicks use it)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import msgspec

from mmgate.domain.digits import ascii_digits
from mmgate.domain.payloads import Component, Template
from mmgate.emulator.interactive import choices, text_of
from mmgate.emulator.messages import SimMessage

_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")
_LINK = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)]")
CLICK_ID_PARAMETER = "click_id"  # the query parameter the visited URL carries


@dataclass(frozen=True, slots=True)
class Button:
    text: str
    kind: str  # URL, QUICK_REPLY, PHONE_NUMBER, COPY_CODE, …; BUTTON_REPLY, LIST_REPLY
    url: str | None = None
    reply_id: str | None = None  # an interactive message's button or row id


@dataclass(frozen=True, slots=True)
class Rendered:
    body: str
    header: str | None = None
    footer: str | None = None
    buttons: list[Button] = field(default_factory=list)
    cards: list[Rendered] = field(default_factory=list)  # a carousel's, in order

    def link(self, component: str) -> str | None:
        """The URL a tap on `component` opens: `cta` (first URL button) or `body`."""
        if component == "cta":
            return next((b.url for b in self.buttons if b.url), None)
        found = _LINK.search(self.body)
        return found.group(0) if found else None


def render(message: SimMessage) -> Rendered:
    if message.interactive is not None:
        header, body, footer = text_of(message.interactive)
        buttons = [
            Button(c.title, c.kind.upper(), reply_id=c.id) for c in choices(message.interactive)
        ]
        return Rendered(body=body, header=header, footer=footer, buttons=buttons)
    if message.template is None:
        return Rendered(body=message.text if message.text is not None else "(media message)")
    given = _given(message.content)
    cards = _sent_cards(message.raw_components)
    return _render_components(message.template.components, given, cards)


def _render_components(
    components: list[dict[str, Any]],
    given: dict[str, Component],
    sent_cards: dict[str, dict[str, Component]],
) -> Rendered:
    rendered: dict[str, Any] = {"buttons": [], "cards": []}
    for component in components:
        kind = str(component.get("type", "")).upper()
        text = str(component.get("text", ""))
        if kind == "HEADER":
            media = str(component.get("format", "TEXT")).upper()
            header = given.get("header")
            rendered["header"] = _fill(text, header) if media == "TEXT" else _media(media, header)
        elif kind == "BODY":
            rendered["body"] = _fill(text, given.get("body"))
        elif kind == "FOOTER":
            rendered["footer"] = text
        elif kind == "BUTTONS":
            rendered["buttons"] = [
                _button(i, b, given) for i, b in enumerate(component.get("buttons") or [])
            ]
        elif kind == "CAROUSEL":
            rendered["cards"] = [
                _render_components(card.get("components") or [], sent_cards.get(str(i), {}), {})
                for i, card in enumerate(component.get("cards") or [])
                if isinstance(card, dict)
            ]
    return Rendered(
        body=rendered.get("body", ""),
        header=rendered.get("header"),
        footer=rendered.get("footer"),
        buttons=rendered["buttons"],
        cards=rendered["cards"],
    )


def _media(media: str, header: Component | None) -> str:
    """`[image] <link>`: what the phone shows in place of the picture."""
    kind = media.lower()
    parameter = header.parameters[0] if header is not None and header.parameters else {}
    value = parameter.get(kind)
    link = value.get("link") if isinstance(value, dict) else None
    return f"[{kind}] {link}" if isinstance(link, str) else f"[{kind}]"


def _sent_cards(raw: list[dict[str, Any]] | None) -> dict[str, dict[str, Component]]:
    """A carousel send's cards by card_index, each as its components by place."""
    found: dict[str, dict[str, Component]] = {}
    for component in raw or []:
        if str(component.get("type", "")).lower() != "carousel":
            continue
        for card in component.get("cards") or []:
            if not isinstance(card, dict):
                continue
            try:
                parts = [
                    msgspec.convert(c, Component)
                    for c in card.get("components") or []
                    if isinstance(c, dict)
                ]
            except msgspec.ValidationError:
                continue  # shown without its parameters
            found[str(card.get("card_index"))] = _given_parts(parts)
    return found


def with_click_id(url: str, click_id: str) -> str:
    """The URL the user visits: Meta appends the click id (reference §6.3); as a query
    parameter named `click_id` here (Meta does not document the name)."""
    parts = urlsplit(url)
    query = [*parse_qsl(parts.query, keep_blank_values=True), (CLICK_ID_PARAMETER, click_id)]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _given(content: Template | None) -> dict[str, Component]:
    """The send's components by where they go: header, body, or button:<index>."""
    return _given_parts((content.components or []) if content is not None else [])


def _given_parts(components: list[Component]) -> dict[str, Component]:
    found: dict[str, Component] = {}
    for component in components:
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
