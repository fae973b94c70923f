"""Which client webhooks of a claim leave together, and the notification they make."""

from __future__ import annotations

import json

import pytest

from mmgate.delivery import batches
from mmgate.storage.port import CLIENT_WEBHOOK, PARTNER_WEBHOOK, Job

pytestmark = pytest.mark.anyio


def _notification(entry_id: str, obj: str = "whatsapp_business_account") -> bytes:
    return json.dumps({"object": obj, "entry": [{"id": entry_id, "changes": []}]}).encode()


def _job(
    job_id: int, ref: str = "ch1", kind: str = CLIENT_WEBHOOK, payload: bytes | None = None
) -> Job:
    body = payload if payload is not None else _notification(f"e{job_id}")
    return Job(job_id, kind, ref, f"m{job_id}", body, 0, 0.0)


def test_merged_keeps_every_entry_in_order() -> None:
    body = batches.merged([_notification("a"), _notification("b"), _notification("c")])
    assert body is not None
    merged = json.loads(body)
    assert merged["object"] == "whatsapp_business_account"
    assert [e["id"] for e in merged["entry"]] == ["a", "b", "c"]


@pytest.mark.parametrize(
    "odd",
    [b"not json", b'{"entry": []}', b'{"object": "x", "entry": {}}', _notification("b", "page")],
)
def test_merged_refuses_what_is_not_one_kind_of_meta_notification(odd: bytes) -> None:
    assert batches.merged([_notification("a"), odd]) is None


async def test_plan_groups_a_channels_webhooks_up_to_the_size() -> None:
    jobs = [_job(i) for i in range(1, 6)] + [_job(6, ref="ch2"), _job(7, kind=PARTNER_WEBHOOK)]
    planned = batches.plan(jobs, size=2)
    # ch1: [1, 2], [3, 4], 5 alone; ch2's single job and the partner webhook go alone.
    assert sorted(planned) == [1, 2, 3, 4]
    assert planned[1] is planned[2] and planned[3] is planned[4] and planned[1] is not planned[3]
    assert planned[1].leader.id == 1
    assert [e["id"] for e in json.loads(planned[3].body)["entry"]] == ["e3", "e4"]


async def test_plan_leaves_a_chunk_alone_when_one_payload_is_not_a_notification() -> None:
    jobs = [_job(1), _job(2, payload=b"[]"), _job(3), _job(4)]
    planned = batches.plan(jobs, size=2)
    assert sorted(planned) == [3, 4]
