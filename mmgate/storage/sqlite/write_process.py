"""The SQLite writer in a process of its own.

The gateway's event loop and the writer share no GIL this way: SQLite's work and the
Python that builds each row run on another core. The parent's writer thread sends each
group of write items down the child's stdin and waits for their results on its stdout,
one group at a time (the next one queues up meanwhile: group commit as before).

Frames are a 4-byte big-endian length and a pickle. A group is a list of pickled items,
each `(fn, args)` with `fn` a module-level function (engine.py refuses closures), so one
item that cannot be pickled fails alone. The reply is `(results, total_changes)`.

The child ends when its stdin closes: when the parent closes the engine, and when the
parent dies, even by kill -9. It ignores SIGINT and SIGTERM, so a Ctrl-C or a signal to
the whole process group never cuts a commit short: the parent finishes its last group
and closes the pipe. Its stdout is the protocol only; anything printed goes to stderr.
"""

from __future__ import annotations

import contextlib
import copyreg
import dataclasses
import io
import os
import pickle
import signal
import struct
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mmgate.storage.sqlite.engine import ItemResult, commit_batch, connect

_HEADER = struct.Struct(">I")


class _Reducers(dict[type, Callable[[Any], Any]]):
    """pickle's dispatch table, plus a fast reducer for each slotted dataclass met.

    Python 3.11 pickles a `slots=True` dataclass through its generated `__getstate__`,
    which calls `dataclasses.fields()` for every instance: ~5% of the event loop's process
    under load went there. Rebuilding one from its field values, in order, gives the same
    object for the cost of a tuple."""

    def __missing__(self, cls: type) -> Callable[[Any], tuple[Any, ...]]:
        fields = dataclasses.fields(cls) if dataclasses.is_dataclass(cls) else ()
        if not hasattr(cls, "__slots__") or not fields or not all(f.init for f in fields):
            raise KeyError(cls)  # pickle's own way
        names = tuple(f.name for f in fields)

        def reduce(obj: Any) -> tuple[Any, ...]:
            return cls, tuple([getattr(obj, name) for name in names])

        self[cls] = reduce
        return reduce


_REDUCERS = _Reducers(copyreg.dispatch_table)


def _dumps(obj: Any) -> bytes:
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _REDUCERS
    pickler.dump(obj)
    return buffer.getvalue()


class WriterGone(RuntimeError):
    """The writer process ended: this group's outcome is unknown to the caller."""


class ProcessWriter:
    """The parent's end: runs in the engine's writer thread."""

    def __init__(self, path: Path, synchronous: str) -> None:
        self._args = [sys.executable, "-m", __name__, str(path), synchronous]
        self._child: subprocess.Popen[bytes] | None = None
        # Rows changed, across every child this writer ran: each child's connection counts
        # from zero, and /metrics reports a counter, which must never go back.
        self._earlier_children = 0
        self._this_child = 0

    def _running(self) -> subprocess.Popen[bytes]:
        if self._child is not None and self._child.poll() is not None:
            self.close()  # it died between groups (killed): reap it, start another
        if self._child is None:
            self._child = subprocess.Popen(
                self._args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0
            )
        return self._child

    def commit(
        self, items: list[tuple[Callable[..., Any], tuple[Any, ...]]]
    ) -> tuple[list[ItemResult], int]:
        frames: list[bytes] = []
        refused: dict[int, ItemResult] = {}
        for index, item in enumerate(items):
            try:
                frames.append(_dumps(item))
            except Exception as exc:  # this item alone cannot go; the others can
                refused[index] = (False, TypeError(f"write item cannot be pickled: {exc}"))
        sent: list[ItemResult] = []
        if frames:
            child = self._running()
            assert child.stdin is not None and child.stdout is not None
            try:
                _send(child.stdin.fileno(), _dumps(frames))
                sent, self._this_child = pickle.loads(_receive(child.stdout.fileno()))
            except (OSError, EOFError) as exc:
                self.close()
                gone = WriterGone(f"the SQLite writer process ended: {exc}")
                sent = [(False, gone)] * len(frames)
        results = iter(sent)
        total = self._earlier_children + self._this_child
        return [refused.get(i) or next(results) for i in range(len(items))], total

    def close(self) -> None:
        child, self._child = self._child, None
        self._earlier_children += self._this_child
        self._this_child = 0
        if child is None:
            return
        assert child.stdin is not None
        child.stdin.close()  # the child's signal to finish
        try:
            child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        finally:
            assert child.stdout is not None
            child.stdout.close()


def _send(fd: int, payload: bytes) -> None:
    data = memoryview(_HEADER.pack(len(payload)) + payload)
    while data:
        data = data[os.write(fd, data) :]


def _receive(fd: int) -> bytes:
    (size,) = _HEADER.unpack(_read_exactly(fd, _HEADER.size))
    return _read_exactly(fd, size)


def _read_exactly(fd: int, size: int) -> bytes:
    chunks: list[bytes] = []
    while size:
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            raise EOFError("pipe closed")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _portable(result: ItemResult) -> ItemResult:
    """A result or an exception that cannot be pickled crosses as a RuntimeError."""
    ok, value = result
    try:
        pickle.loads(pickle.dumps(value))
    except Exception as exc:
        if ok:
            return False, RuntimeError(f"write item's result cannot be pickled: {exc}")
        return False, RuntimeError(f"{type(value).__name__}: {value}")
    return result


def _serve(path: Path, synchronous: str, requests: int, replies: int) -> None:
    conn = connect(path, synchronous=synchronous)
    try:
        while True:
            try:
                frames: list[bytes] = pickle.loads(_receive(requests))
            except EOFError:
                return
            items: list[tuple[Callable[..., Any], tuple[Any, ...]]] = []
            failed: dict[int, ItemResult] = {}
            for index, frame in enumerate(frames):
                try:
                    items.append(pickle.loads(frame))
                except Exception as exc:
                    failed[index] = (False, RuntimeError(f"write item unreadable: {exc}"))
            done = iter(commit_batch(conn, items))
            results = [failed.get(i) or next(done) for i in range(len(frames))]
            try:
                reply = _dumps((results, conn.total_changes))
            except Exception:
                results = [_portable(r) for r in results]
                reply = _dumps((results, conn.total_changes))
            _send(replies, reply)
    finally:
        conn.close()


def main(argv: list[str]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    replies = os.dup(1)
    os.dup2(2, 1)  # a stray print must not corrupt the protocol
    with contextlib.suppress(BrokenPipeError):  # the parent is gone: nobody waits for it
        _serve(Path(argv[0]), argv[1], 0, replies)


if __name__ == "__main__":
    main(sys.argv[1:])
