"""Interactive messages with reply buttons or a list (Cloud API, free-form: inside the
customer service window only), and the user's answer to one: Meta's `interactive`
message with `button_reply` or `list_reply` (id, title; a row's description too).

Checked as Meta documents them: 1-3 reply buttons (id <= 256, title <= 20 characters),
a list of 1-10 sections and at most 10 rows (title <= 24, description <= 72), a body.
Other interactive types (cta_url, flow, product, ...) are delivered and shown as text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import msgspec

from mmgate.errors import GraphError

MAX_BUTTONS, MAX_ROWS, MAX_SECTIONS = 3, 10, 10
BUTTON_TITLE, ROW_TITLE, ROW_DESCRIPTION, ID_LENGTH = 20, 24, 72, 256


@dataclass(frozen=True, slots=True)
class Choice:
    """One tappable answer: a reply button or a list row."""

    id: str
    title: str
    description: str | None = None
    kind: str = "button_reply"  # or list_reply


def interactive_of(body: bytes) -> dict[str, Any]:
    """The send's `interactive` object, checked."""
    decoded = msgspec.json.decode(body)
    found = decoded.get("interactive") if isinstance(decoded, dict) else None
    if not isinstance(found, dict):
        raise GraphError(100, "The parameter interactive is required for type 'interactive'.")
    kind = found.get("type")
    body_text = found.get("body", {}).get("text") if isinstance(found.get("body"), dict) else None
    if kind in ("button", "list") and not isinstance(body_text, str):
        raise GraphError(100, "interactive.body.text is required.")
    choices(found)  # raises when the buttons or rows are not as Meta takes them
    return found


def choices(interactive: dict[str, Any]) -> list[Choice]:
    action = interactive.get("action")
    action = action if isinstance(action, dict) else {}
    if interactive.get("type") == "button":
        return _buttons(action.get("buttons"))
    if interactive.get("type") == "list":
        return _rows(action)
    return []


def _buttons(raw: Any) -> list[Choice]:
    buttons = [b for b in raw if isinstance(b, dict)] if isinstance(raw, list) else []
    if not 1 <= len(buttons) <= MAX_BUTTONS:
        raise GraphError(131009, f"An interactive button message has 1 to {MAX_BUTTONS} buttons.")
    found = []
    for button in buttons:
        reply = button.get("reply")
        found.append(
            _choice(reply if isinstance(reply, dict) else {}, BUTTON_TITLE, "button_reply")
        )
    return _unique(found)


def _rows(action: dict[str, Any]) -> list[Choice]:
    if not isinstance(action.get("button"), str) or not action["button"]:
        raise GraphError(131009, "An interactive list needs action.button (its menu label).")
    raw = action.get("sections")
    sections = [s for s in raw if isinstance(s, dict)] if isinstance(raw, list) else []
    if not 1 <= len(sections) <= MAX_SECTIONS:
        raise GraphError(131009, f"An interactive list has 1 to {MAX_SECTIONS} sections.")
    found = []
    for section in sections:
        rows = section.get("rows")
        for row in rows if isinstance(rows, list) else []:
            if isinstance(row, dict):
                found.append(_choice(row, ROW_TITLE, "list_reply"))
    if not 1 <= len(found) <= MAX_ROWS:
        raise GraphError(131009, f"An interactive list has 1 to {MAX_ROWS} rows in all.")
    return _unique(found)


def _choice(raw: dict[str, Any], title_limit: int, kind: str) -> Choice:
    choice_id, title = raw.get("id"), raw.get("title")
    if not isinstance(choice_id, str) or not 1 <= len(choice_id) <= ID_LENGTH:
        raise GraphError(131009, f"Every {kind} needs an id of 1 to {ID_LENGTH} characters.")
    if not isinstance(title, str) or not 1 <= len(title) <= title_limit:
        raise GraphError(131009, f"Every {kind} needs a title of 1 to {title_limit} characters.")
    description = raw.get("description")
    if description is not None and (
        not isinstance(description, str) or len(description) > ROW_DESCRIPTION
    ):
        raise GraphError(131009, f"A row description is at most {ROW_DESCRIPTION} characters.")
    return Choice(choice_id, title, description, kind)


def _unique(found: list[Choice]) -> list[Choice]:
    if len({c.id for c in found}) != len(found):
        raise GraphError(131009, "Button and row ids must be unique.")
    return found


def reply_object(choice: Choice) -> dict[str, Any]:
    """The `interactive` object of the user's answer."""
    answer: dict[str, Any] = {"id": choice.id, "title": choice.title}
    if choice.kind == "list_reply" and choice.description is not None:
        answer["description"] = choice.description
    return {"type": choice.kind, choice.kind: answer}


def text_of(interactive: dict[str, Any]) -> tuple[str | None, str, str | None]:
    """(header, body, footer) texts as the phone shows them."""

    def part(name: str) -> str | None:
        found = interactive.get(name)
        text = found.get("text") if isinstance(found, dict) else None
        return text if isinstance(text, str) else None

    return part("header"), part("body") or "(interactive message)", part("footer")
