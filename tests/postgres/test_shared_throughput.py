"""Two gateways on one PostgreSQL database, as two hosts would be: the per-number throughput
limit is one bucket in the database, so together they accept the limit and no more, and
either may spend the whole of it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.postgres.schema import server_database_url
from tests.support import seed
from tests.support.inprocess import InProcessApp, in_process_app

pytestmark = pytest.mark.anyio
LIMIT = 20  # messages/s per number


@pytest.fixture
def database_url() -> Iterator[str]:
    with server_database_url("mmgate_limit") as url:  # its own event loop: a sync fixture
        yield url


async def _codes(app: InProcessApp, sends: int) -> list[int]:
    codes = []
    for i in range(sends):
        response = await app.send({**seed.SEED_EXAMPLE, "to": f"4478{i:04d}5678"})
        if response.status_code != 200:
            assert response.status_code == 429, response.text
            assert response.json()["detail"]["error"]["code"] == 130429
        codes.append(response.status_code)
    return codes


async def test_two_gateways_on_one_database_together_refuse_past_the_limit(
    tmp_path: Path, database_url: str
) -> None:
    env = {"MMGATE_DATABASE_URL": database_url, "MMGATE_THROUGHPUT_PER_NUMBER": str(LIMIT)}
    for host in ("a", "b"):
        (tmp_path / host).mkdir()
    async with (
        in_process_app(tmp_path / "a", env=env) as a,
        in_process_app(tmp_path / "b", env=env) as b,
    ):
        # Two hosts, one time (each sandbox clock froze on its own whole second).
        gap = a.app.clock.now() - b.app.clock.now()
        await (b if gap > 0 else a).advance(abs(gap))

        first = await _codes(a, 15)
        assert first == [200] * 15  # more than any share of the limit: the whole bucket
        second = await _codes(b, 15)
        assert 200 in second and 429 in second  # what the first left, then refused
        third = await _codes(a, 15)  # what it took and had not spent yet, if anything
        assert (first + second + third).count(200) == LIMIT

        # A second later the bucket is full again, for both together.
        for app in (a, b):
            await app.advance(1)
        again = [code for _ in range(15) for app in (a, b) for code in await _codes(app, 2)]
        assert again.count(200) == LIMIT
