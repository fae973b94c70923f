"""The campaign's state file, beside the CSV: what makes a resumed run send nothing twice.

One JSON object per line, appended and flushed as things happen:

    {"mmgate_campaign": 1, "id": "<uuid>", "spec": {...}, "created_at": ...}   (header)
    {"row": 7, "to": "4477…", "key": "<idempotency key>"}                     (sending)
    {"row": 7, "to": "4477…", "key": "…", "wamid": "wamid.…"}                  (accepted)
    {"row": 7, "to": "4477…", "key": "…", "error": {"code": …, …}}             (refused)

A row's key is written *before* its request leaves, so a row in doubt (sent, but
the answer never recorded) is resent with the same key and the gateway answers
with the first result instead of sending again. Keys are also derived from the
campaign id and the row number, so even a lost line would produce the same key.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from mmgate.cli.campaign.plan import CampaignSpec, PlanError, Row

FORMAT = 1


@dataclass(frozen=True)
class RowState:
    to: str
    key: str
    wamid: str | None = None
    error: dict[str, Any] | None = None


class CampaignState:
    def __init__(self, path: Path, campaign_id: str, spec: CampaignSpec) -> None:
        self.path = path
        self.campaign_id = campaign_id
        self.spec = spec
        self.rows: dict[int, RowState] = {}
        self._file: IO[str] | None = None

    # -- opening ----------------------------------------------------------------------

    @classmethod
    def create(cls, path: Path, spec: CampaignSpec) -> CampaignState:
        state = cls(path, str(uuid.uuid4()), spec)
        header = {
            "mmgate_campaign": FORMAT,
            "id": state.campaign_id,
            "spec": spec.to_json(),
            "created_at": time.time(),
        }
        with path.open("x", encoding="utf-8") as handle:
            handle.write(json.dumps(header) + "\n")
            handle.flush()
            os.fsync(handle.fileno())  # the campaign id is what every key derives from
        return state

    @classmethod
    def load(cls, path: Path) -> CampaignState:
        lines = path.read_text(encoding="utf-8").splitlines()
        header = _parse(lines[0]) if lines else None
        if header is None or header.get("mmgate_campaign") != FORMAT:
            raise PlanError(f"{path} is not an mmgate campaign state file")
        state = cls(path, str(header["id"]), CampaignSpec.from_json(header["spec"]))
        for number, line in enumerate(lines[1:], start=2):
            record = _parse(line)
            if record is None:
                if number == len(lines):
                    continue  # a last line cut short by a kill: its row is simply in doubt
                raise PlanError(f"{path} line {number} is damaged")
            state._apply(record)
        return state

    def _apply(self, record: dict[str, Any]) -> None:
        row = int(record["row"])
        known = self.rows.get(row)
        if known is not None and known.wamid is not None:
            return  # accepted is final
        self.rows[row] = RowState(
            str(record["to"]), str(record["key"]), record.get("wamid"), record.get("error")
        )

    # -- reading ----------------------------------------------------------------------

    def check_rows_match(self, rows: list[Row]) -> None:
        """Refuse a CSV that changed under a started campaign: keys follow row numbers."""
        by_number = {row.number: row for row in rows}
        for number, recorded in self.rows.items():
            row = by_number.get(number)
            if row is None or row.to != recorded.to:
                now = f"now {row.to}" if row else "now missing"
                raise PlanError(
                    f"the CSV changed since this campaign started: row {number} was "
                    f"{recorded.to}, {now}. Restore the file, or start a new campaign "
                    f"with --state pointing to a new file."
                )

    def key_for(self, row: Row) -> str:
        known = self.rows.get(row.number)
        if known is not None:
            return known.key
        return str(uuid.uuid5(uuid.UUID(self.campaign_id), f"row-{row.number}"))

    def is_done(self, row: Row, *, retry_rejected: bool) -> bool:
        known = self.rows.get(row.number)
        if known is None:
            return False
        return known.wamid is not None or (known.error is not None and not retry_rejected)

    @property
    def wamids(self) -> list[str]:
        return [s.wamid for _, s in sorted(self.rows.items()) if s.wamid is not None]

    @property
    def rejected(self) -> int:
        return sum(1 for s in self.rows.values() if s.wamid is None and s.error is not None)

    @property
    def in_doubt(self) -> int:
        return sum(1 for s in self.rows.values() if s.wamid is None and s.error is None)

    # -- recording --------------------------------------------------------------------

    def sending(self, row: Row, key: str) -> None:
        self._record(row, RowState(row.to, key))

    def accepted(self, row: Row, key: str, wamid: str) -> None:
        self._record(row, RowState(row.to, key, wamid=wamid))

    def refused(self, row: Row, key: str, error: dict[str, Any]) -> None:
        self._record(row, RowState(row.to, key, error=error))

    def _record(self, row: Row, state: RowState) -> None:
        known = self.rows.get(row.number)
        if known is not None and known.wamid is not None:
            return
        self.rows[row.number] = state
        if self._file is None:
            self._file = self.path.open("a", encoding="utf-8")
        record: dict[str, Any] = {"row": row.number, "to": state.to, "key": state.key}
        if state.wamid is not None:
            record["wamid"] = state.wamid
        if state.error is not None:
            record["error"] = state.error
        # One write and a flush per line: a killed process loses nothing the OS got.
        self._file.write(json.dumps(record) + "\n")
        self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def _parse(line: str) -> dict[str, Any] | None:
    try:
        record = json.loads(line)
    except json.JSONDecodeError:
        return None
    return record if isinstance(record, dict) else None
