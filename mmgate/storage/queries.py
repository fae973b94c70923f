"""Every SQL statement of the store, by name, read once from `sql/*.sql`.

A file holds blocks that each start with `-- name: <query_name>`, then optional
`-- dialect: sqlite|postgres` (a variant for one database, where the two really
differ), then comment lines that describe it, then the statement. Parameters are
written once, as `:name`; SQLite binds them by name as written, PostgreSQL gets
them numbered (`$1`, `$2`, … in order of first use), so one text serves both.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

SQLITE = "sqlite"
POSTGRES = "postgres"
DIALECTS = (SQLITE, POSTGRES)

_HEADER = re.compile(r"^-- name: *(\w+) *$", re.MULTILINE)
_DIALECT = re.compile(r"^-- dialect: *(\w+) *$")
# What may hold a colon that is not a parameter comes first, so it is skipped whole:
# string literals, quoted identifiers, comments, and PostgreSQL's `::` casts.
_TOKENS = re.compile(r"'(?:[^']|'')*'|\"[^\"]*\"|--[^\n]*|::|:([A-Za-z_]\w*)")


@dataclass(frozen=True, slots=True)
class Query:
    name: str
    dialect: str | None  # None: the same text on both databases
    sql: str  # as written: `:name` parameters (SQLite's named style)
    numbered: str  # `$n` parameters (PostgreSQL's)
    params: tuple[str, ...]  # in `$n` order

    def args(self, values: Mapping[str, object]) -> tuple[object, ...]:
        """The values in `$n` order; every parameter given, and nothing else."""
        if len(values) == len(self.params):
            with contextlib.suppress(KeyError):
                return tuple(values[p] for p in self.params)
        unknown = sorted(set(values) - set(self.params))
        missing = sorted(set(self.params) - set(values))
        raise TypeError(f"query {self.name}: missing {missing}, unknown {unknown}")


def parse(text: str, source: str = "<sql>") -> list[Query]:
    """The queries of one file, in file order."""
    found: list[Query] = []
    headers = list(_HEADER.finditer(text))
    preamble = text[: headers[0].start()] if headers else text
    if any(line.strip() and not line.startswith("--") for line in preamble.splitlines()):
        raise ValueError(f"{source}: SQL before the first `-- name:` header")
    for header, following in zip(headers, [*headers[1:], None], strict=True):
        end = following.start() if following else len(text)
        found.append(_query(header.group(1), text[header.end() : end], source))
    return found


def _query(name: str, body: str, source: str) -> Query:
    lines = body.strip("\n").splitlines()
    dialect = None
    if lines and (match := _DIALECT.match(lines[0])):
        dialect = match.group(1)
        if dialect not in DIALECTS:
            raise ValueError(f"{source}: query {name}: unknown dialect {dialect!r}")
        lines = lines[1:]
    while lines and lines[0].startswith("--"):
        lines = lines[1:]  # the description
    while lines and (lines[-1].startswith("--") or not lines[-1].strip()):
        lines = lines[:-1]  # words about what follows, before the next header
    sql = "\n".join(lines).strip().removesuffix(";").strip()
    if not sql:
        raise ValueError(f"{source}: query {name} has no statement")
    if ";" in _without_literals(sql):
        raise ValueError(f"{source}: query {name} holds more than one statement")
    numbered, params = _numbered(sql)
    return Query(name, dialect, sql, numbered, params)


def _numbered(sql: str) -> tuple[str, tuple[str, ...]]:
    order: dict[str, int] = {}

    def number(match: re.Match[str]) -> str:
        param = match.group(1)
        if param is None:
            return match.group(0)
        return f"${order.setdefault(param, len(order) + 1)}"

    return _TOKENS.sub(number, sql), tuple(order)


def _without_literals(sql: str) -> str:
    return _TOKENS.sub(lambda m: "" if m.group(0)[0] in "'\"-" else m.group(0), sql)


class QuerySet:
    """The queries of every file, by name; `get` picks a database's variant."""

    def __init__(self, queries: list[Query]) -> None:
        self._by_name: dict[str, dict[str | None, Query]] = {}
        for q in queries:
            variants = self._by_name.setdefault(q.name, {})
            if q.dialect in variants:
                raise ValueError(f"query {q.name} is defined twice for {q.dialect or 'both'}")
            variants[q.dialect] = q
        for name, variants in self._by_name.items():
            # Either one text for both, or one labelled variant for each database.
            if set(variants) != {None} and set(variants) != set(DIALECTS):
                raise ValueError(f"query {name}: one text, or a variant for each database")

    def get(self, name: str, dialect: str) -> Query:
        variants = self._by_name[name]
        return variants.get(None) or variants[dialect]

    def names(self) -> list[str]:
        return sorted(self._by_name)

    def all(self) -> list[Query]:
        return [q for variants in self._by_name.values() for q in variants.values()]


@cache
def load() -> QuerySet:
    """`mmgate/storage/sql/*.sql`, parsed once per process."""
    folder = resources.files("mmgate.storage").joinpath("sql")
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".sql")), key=lambda f: f.name)
    return QuerySet([q for f in files for q in parse(f.read_text(), f.name)])
