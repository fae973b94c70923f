"""The marketing template formats Meta takes, checked twice as Meta checks them: when the
template is created (its components) and when it is sent (the parameters each component
needs). Pure: components in, a GraphError out.

Formats: TEXT / IMAGE / VIDEO / DOCUMENT / LOCATION headers; buttons QUICK_REPLY, URL,
PHONE_NUMBER, COPY_CODE, FLOW, CATALOG, MPM (multi-product), SPM (single product);
CAROUSEL (2-10 cards, each a media header, a body and buttons, all cards alike).
Where Meta's pages are silent the emulator is lenient (docs/emulator.md): a media header
needs no `example` at creation; a send's media parameter needs a `link` or an `id`.
"""

from __future__ import annotations

from typing import Any

import msgspec

from mmgate.domain.templates import count_placeholders
from mmgate.errors import GraphError

MEDIA = ("IMAGE", "VIDEO", "DOCUMENT")
HEADER_FORMATS = frozenset({"TEXT", *MEDIA, "LOCATION", "PRODUCT"})
BUTTON_TYPES = frozenset(
    {"QUICK_REPLY", "URL", "PHONE_NUMBER", "COPY_CODE", "FLOW", "CATALOG", "MPM", "SPM", "OTP"}
)
# The send's button `sub_type` for each template button type, and whether it needs a parameter.
SUB_TYPES = {
    "QUICK_REPLY": ("quick_reply", False),
    "COPY_CODE": ("copy_code", True),
    "FLOW": ("flow", False),
    "CATALOG": ("catalog", False),
    "MPM": ("mpm", True),
    "SPM": ("spm", False),
}
MAX_BUTTONS = 10
MAX_QUICK_REPLY_TEXT = 25
CARDS = (2, 10)


def _upper(component: dict[str, Any], key: str = "type") -> str:
    return str(component.get(key, "")).upper()


def _list(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


# -- at creation ----------------------------------------------------------------------


def check_created(components: list[Any]) -> None:
    for component in _list(components):
        kind = _upper(component)
        if kind == "HEADER":
            _check_header(component)
        elif kind == "BUTTONS":
            _check_buttons(_list(component.get("buttons")))
        elif kind == "CAROUSEL":
            _check_carousel(_list(component.get("cards")))


def _check_header(header: dict[str, Any]) -> None:
    fmt = _upper(header, "format") or "TEXT"
    if fmt not in HEADER_FORMATS:
        raise GraphError(100, f"Header format must be one of {', '.join(sorted(HEADER_FORMATS))}.")
    if fmt == "TEXT" and not str(header.get("text", "")).strip():
        raise GraphError(100, "A TEXT header needs its text.")


def _check_buttons(buttons: list[dict[str, Any]]) -> None:
    if not 1 <= len(buttons) <= MAX_BUTTONS:
        raise GraphError(100, f"A BUTTONS component holds 1 to {MAX_BUTTONS} buttons.")
    for button in buttons:
        kind = _upper(button)
        if kind not in BUTTON_TYPES:
            raise GraphError(100, f"Unknown button type '{button.get('type')}'.")
        text = str(button.get("text", ""))
        if kind == "QUICK_REPLY" and not 1 <= len(text) <= MAX_QUICK_REPLY_TEXT:
            raise GraphError(100, f"A quick reply's text is 1 to {MAX_QUICK_REPLY_TEXT} chars.")
        if kind == "URL" and not str(button.get("url", "")).startswith(("http://", "https://")):
            raise GraphError(100, "A URL button needs an http(s) url.")
        if kind == "PHONE_NUMBER" and not button.get("phone_number"):
            raise GraphError(100, "A PHONE_NUMBER button needs phone_number.")
        if kind == "FLOW" and not any(k in button for k in ("flow_id", "flow_name", "flow_json")):
            raise GraphError(100, "A FLOW button needs flow_id, flow_name or flow_json.")


def _check_carousel(cards: list[dict[str, Any]]) -> None:
    low, high = CARDS
    if not low <= len(cards) <= high:
        raise GraphError(100, f"A carousel holds {low} to {high} cards.")
    shapes = set()
    for card in cards:
        parts = {_upper(c): c for c in _list(card.get("components"))}
        header = parts.get("HEADER")
        if header is None or _upper(header, "format") not in ("IMAGE", "VIDEO"):
            raise GraphError(100, "Every carousel card needs an IMAGE or VIDEO header.")
        buttons = _list(parts.get("BUTTONS", {}).get("buttons"))
        if not 1 <= len(buttons) <= 2:
            raise GraphError(100, "Every carousel card needs 1 or 2 buttons.")
        _check_buttons(buttons)
        shapes.add((_upper(header, "format"), tuple(_upper(b) for b in buttons)))
    if len(shapes) > 1:
        raise GraphError(100, "Every carousel card must have the same header format and buttons.")


# -- at send --------------------------------------------------------------------------


def is_rich(template_components: list[Any]) -> bool:
    """Whether sends of this template need the checks below (and keep their components)."""
    for component in _list(template_components):
        kind = _upper(component)
        if kind == "CAROUSEL":
            return True
        if kind == "HEADER" and (_upper(component, "format") or "TEXT") != "TEXT":
            return True
        if kind == "HEADER" and count_placeholders(str(component.get("text", ""))):
            return True
        if kind == "BUTTONS" and any(
            _upper(b) in SUB_TYPES and _upper(b) != "QUICK_REPLY"
            for b in _list(component.get("buttons"))
        ):
            return True
    return False


def sent_components(template_components: list[Any], body: bytes) -> list[dict[str, Any]] | None:
    """Check a send of a rich template against it; its components as sent, or None for
    a plain template (nothing to keep, nothing decoded twice)."""
    if not is_rich(template_components):
        return None
    decoded = msgspec.json.decode(body)
    template = decoded.get("template") if isinstance(decoded, dict) else None
    components = _list(template.get("components")) if isinstance(template, dict) else []
    check_send(template_components, components)
    return components


def check_send(template_components: list[Any], sent: list[Any]) -> None:
    """The send's components (raw JSON) against the template's: 132000 for a missing or
    extra parameter, 132012 for one of the wrong format."""
    given = _by_place(_list(sent))
    for component in _list(template_components):
        kind = _upper(component)
        if kind == "HEADER":
            _check_sent_header(component, given.get("header"), "header")
        elif kind == "BUTTONS":
            _check_sent_buttons(_list(component.get("buttons")), given, "")
        elif kind == "CAROUSEL":
            _check_sent_carousel(_list(component.get("cards")), given.get("carousel"))


def _by_place(components: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    found = {}
    for c in components:
        kind = str(c.get("type", "")).lower()
        found[f"button:{c.get('index')}" if kind == "button" else kind] = c
    return found


def _parameters(component: dict[str, Any] | None) -> list[dict[str, Any]]:
    return _list(component.get("parameters")) if component is not None else []


def _check_sent_header(header: dict[str, Any], sent: dict[str, Any] | None, where: str) -> None:
    fmt = _upper(header, "format") or "TEXT"
    parameters = _parameters(sent)
    if fmt in MEDIA:
        media = fmt.lower()
        if len(parameters) != 1:
            raise GraphError(132000, f"{where}: a {fmt} header needs one {media} parameter.")
        parameter = parameters[0]
        value = parameter.get(media)
        if parameter.get("type") != media or not isinstance(value, dict):
            raise GraphError(
                132012,
                f"{where}: parameter format does not match format in the created template "
                f"(expected {media}).",
            )
        if not value.get("link") and not value.get("id"):
            raise GraphError(132012, f"{where}: the {media} needs a link or an id.")
    elif fmt == "TEXT":
        expected = count_placeholders(str(header.get("text", "")))
        if len(parameters) != expected:
            raise GraphError(
                132000,
                f"{where}: number of localizable_params ({len(parameters)}) does not match "
                f"the expected number of params ({expected})",
            )


def _check_sent_buttons(
    buttons: list[dict[str, Any]], given: dict[str, dict[str, Any]], where: str
) -> None:
    for index, button in enumerate(buttons):
        kind = _upper(button)
        sent = given.get(f"button:{index}")
        expected = SUB_TYPES.get(kind)
        if expected is None or sent is None:
            if expected is not None and expected[1]:
                raise GraphError(132000, f"{where}button {index} ({kind}) needs a parameter.")
            continue
        sub_type, required = expected
        if str(sent.get("sub_type", "")).lower() != sub_type:
            raise GraphError(132012, f"{where}button {index} is {kind}: sub_type {sub_type}.")
        if required and not _parameters(sent):
            raise GraphError(132000, f"{where}button {index} ({kind}) needs a parameter.")
        if kind == "MPM" and not _has_sections(_parameters(sent)):
            raise GraphError(132000, f"{where}button {index} (MPM) needs action.sections.")


def _has_sections(parameters: list[dict[str, Any]]) -> bool:
    action = parameters[0].get("action") if parameters else None
    return isinstance(action, dict) and bool(_list(action.get("sections")))


def _check_sent_carousel(cards: list[dict[str, Any]], sent: dict[str, Any] | None) -> None:
    sent_cards = _list(sent.get("cards")) if sent is not None else []
    if len(sent_cards) != len(cards):
        raise GraphError(
            132000, f"carousel: {len(sent_cards)} cards sent, the template has {len(cards)}."
        )
    by_index = {str(c.get("card_index")): c for c in sent_cards}
    for index, card in enumerate(cards):
        given_card = by_index.get(str(index))
        if given_card is None:
            raise GraphError(132000, f"carousel: card_index {index} is missing.")
        given = _by_place(_list(given_card.get("components")))
        for component in _list(card.get("components")):
            kind = _upper(component)
            where = f"carousel card {index} "
            if kind == "HEADER":
                _check_sent_header(component, given.get("header"), where + "header")
            elif kind == "BODY":
                expected = count_placeholders(str(component.get("text", "")))
                if len(_parameters(given.get("body"))) != expected:
                    raise GraphError(132000, f"{where}body needs {expected} parameters.")
            elif kind == "BUTTONS":
                _check_sent_buttons(_list(component.get("buttons")), given, where)
