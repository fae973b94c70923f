"""Connectors: the one place that runs the named queries on a database driver.

The store speaks in query names and parameters; a connector looks the query up
for its database, binds the parameters as its driver wants them, and turns rows
into plain tuples. Writes go through the backend's group-commit writer as one
list of operations, so the list commits (or fails) as one item of a batch.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias

Row: TypeAlias = tuple[Any, ...]
Params: TypeAlias = Mapping[str, object]
Returns: TypeAlias = Literal["rowcount", "one", "all", "many"]


@dataclass(frozen=True, slots=True)
class Operation:
    """One statement of a write: its query name, parameters, and what it gives back."""

    query: str
    params: Params
    returns: Returns
    rows: Sequence[Params] = ()  # for "many": one parameter set per row


def execute(query: str, /, **params: object) -> Operation:
    """A statement whose result is the number of rows it changed."""
    return Operation(query, params, "rowcount")


def fetch_one(query: str, /, **params: object) -> Operation:
    """A statement whose result is its first row (or None): RETURNING, or a read."""
    return Operation(query, params, "one")


def fetch_all(query: str, /, **params: object) -> Operation:
    return Operation(query, params, "all")


def execute_many(query: str, rows: Sequence[Params], /) -> Operation:
    """One statement run once per parameter set; its result is None."""
    return Operation(query, {}, "many", rows)


class Connector(ABC):
    dialect: str

    @abstractmethod
    async def fetch_one(self, query: str, /, **params: object) -> Row | None: ...

    @abstractmethod
    async def fetch_all(self, query: str, /, **params: object) -> list[Row]: ...

    @abstractmethod
    async def write(self, operations: Sequence[Operation], /, *, first: bool = False) -> list[Any]:
        """Run the operations in order in one transaction; one result each. `first`: a
        request waits on it, so it goes ahead of queued background writes where the
        backend queues them (SQLite's writer lanes)."""

    async def execute(self, query: str, /, **params: object) -> int:
        """A write of one statement; the number of rows it changed."""
        (changed,) = await self.write([execute(query, **params)])
        return int(changed)

    async def execute_many(self, query: str, rows: Sequence[Params], /) -> None:
        if rows:
            await self.write([execute_many(query, rows)])
