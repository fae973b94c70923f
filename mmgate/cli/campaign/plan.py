"""What a campaign sends: the template settings every row shares, and the rows of the CSV.

Columns: `to` (required), `param1`, `param2`, … (body parameters, in number order)
and optionally `url_suffix` (the URL button's dynamic suffix). Other columns are
ignored, so a CRM export can be used as it is.
"""

from __future__ import annotations

import csv
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from mmgate.sdk import TemplateMessage

_PARAM = re.compile(r"^param(\d+)$")


class PlanError(Exception):
    """The CSV or the options cannot make a campaign; the message says why."""


@dataclass(frozen=True)
class CampaignSpec:
    """Shared by every row; stored in the state file so a resumed run sends the same bodies."""

    template: str
    language: str = "en"
    via: str = "marketing_messages"
    ttl: int | None = None
    product_policy: str | None = None
    bid_multiplier: float | None = None  # max price: bid_spec.per_message_bid_multiplier

    @classmethod
    def from_options(
        cls,
        template: str | None,
        language: str | None,
        via: str | None,
        ttl: int | None,
        product_policy: str | None,
        bid_multiplier: float | None = None,
    ) -> CampaignSpec:
        if not template:
            raise PlanError("--template is required to start a campaign")
        return cls(
            template,
            language or "en",
            via or "marketing_messages",
            ttl,
            product_policy,
            bid_multiplier,
        )

    def conflict_with(self, given: dict[str, object]) -> str | None:
        """The first option given on a resumed run that differs from the campaign's."""
        stored = self.to_json()
        for name, value in given.items():
            if value is not None and value != stored[name]:
                return f"{name}={stored[name]!r}, not {value!r}"
        return None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CampaignSpec:
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


@dataclass(frozen=True)
class Row:
    number: int  # 1 = the first row after the header
    to: str
    body: tuple[str, ...]
    url_suffix: str | None


def read_rows(path: Path) -> list[Row]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        columns = {name.strip().lower(): name for name in reader.fieldnames or ()}
        if "to" not in columns:
            raise PlanError(f"{path.name} needs a header row with a 'to' column")
        params = sorted(
            (
                (int(m.group(1)), original)
                for key, original in columns.items()
                if (m := _PARAM.match(key))
            ),
        )
        rows = []
        for number, record in enumerate(reader, start=1):
            to = (record.get(columns["to"]) or "").strip()
            if not to:
                raise PlanError(f"{path.name} row {number}: the 'to' column is empty")
            suffix = record.get(columns["url_suffix"]) if "url_suffix" in columns else None
            body = tuple((record.get(name) or "").strip() for _, name in params)
            rows.append(Row(number, to, body, suffix.strip() if suffix else None))
    if not rows:
        raise PlanError(f"{path.name} has no recipients")
    return rows


def message_for(spec: CampaignSpec, row: Row) -> TemplateMessage:
    return TemplateMessage.build(
        row.to,
        spec.template,
        spec.language,
        body=row.body,
        url_suffix=row.url_suffix,
        product_policy=spec.product_policy,
        message_send_ttl_seconds=spec.ttl,
        bid_multiplier=spec.bid_multiplier,
    )
