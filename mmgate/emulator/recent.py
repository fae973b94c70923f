"""A set that remembers only the most recent values: memory bounded by design.

Two generations: values go into the young one; when it is full it becomes the old
one and the previous old one is dropped, so between `size / 2` and `size` of the
latest values are remembered, each add and look-up O(1). It keeps each value's
hash (a 64-bit int, stable within the process), not the value: a false match needs
a 64-bit collision.
"""

from __future__ import annotations

DEFAULT_SIZE = 20_000  # duplicates of a crash replay come within seconds


class RecentSet:
    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        self._half = max(1, size // 2)
        self._young: set[int] = set()
        self._old: set[int] = set()

    def __contains__(self, value: object) -> bool:
        key = hash(value)
        return key in self._young or key in self._old

    def __len__(self) -> int:
        return len(self._young) + len(self._old)

    def add(self, value: object) -> None:
        if len(self._young) >= self._half:
            self._old, self._young = self._young, set()
        self._young.add(hash(value))

    def clear(self) -> None:
        self._young.clear()
        self._old.clear()
