"""Meta does not forget: the emulator's messages in flight survive a crash of its process.

The emulator's schedule (a heap of closures) lives in memory; what makes it durable
is a journal of the messages it accepted, in its own SQLite file beside its world
(`emulator-messages.db`; never the gateway's tables). A message is written when the
Graph API accepts it, its status is written when the webhook that reports it has
gone out, and it is forgotten when a final status (read, failed) has. On start,
every message still in the journal is resumed from the last status its subscriber
got: statuses already due fire at once, the rest when due, so a kill -9 leaves no
message stuck at sent or delivered. Redelivery is at least once, as Meta's is.

A final message stays in the journal while the chat book holds it (so a phone page
shows the chat after a restart; it goes when the book lets it go) and while a tap or
an answer its user will make after reading it is still to come (status `read+`; those
are scheduled again on start). What users wrote is kept the same way
(emulator/durable_chats.py).

Writes are batched (group commit): every write waits in a buffer, one thread
commits the whole buffer in one transaction while the next fills, and a send's
answer waits for the commit that holds its message (~1 ms in WAL mode), so an
accepted message is never lost and no event costs a commit of its own.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec

from mmgate.domain.payloads import Template
from mmgate.domain.routing import Route
from mmgate.emulator import durable_chats
from mmgate.emulator.conversations import UserMessage
from mmgate.emulator.journal_batch import Batch, write_batch
from mmgate.emulator.messages import SimMessage
from mmgate.emulator.users import Behaviour
from mmgate.emulator.world import WorldStore
from mmgate.storage.sqlite.engine import Engine, WriterKind

log = logging.getLogger(__name__)
FILE_NAME = "emulator-messages.db"
FINAL = frozenset({"read", "failed", "expired"})
HELD = "read+"  # read, with a tap or an answer of its user still to come
FAILURE = "|"  # "failed|(#131050) title": the failure its phone page shows
FORGET_AFTER = 31 * 86_400.0  # past any TTL: a message still journaled then is done
_SCHEMA = [
    "CREATE TABLE IF NOT EXISTS messages ("
    " meta_wamid TEXT PRIMARY KEY, status TEXT NOT NULL, expires_at REAL NOT NULL,"
    " record BLOB NOT NULL)",
    # Recipients' behaviours set through the sandbox API or the phone page (opt-outs).
    "CREATE TABLE IF NOT EXISTS overrides (number TEXT PRIMARY KEY, behaviour BLOB NOT NULL)",
    # What users and businesses have between them (emulator/conversations.py): customer
    # service windows (kind 'window', phone number id, wa_id, last message at) and
    # marketing stops (kind 'stopped', WABA id, wa_id).
    "CREATE TABLE IF NOT EXISTS conversations (kind TEXT NOT NULL, a TEXT NOT NULL,"
    " b TEXT NOT NULL, value REAL NOT NULL, PRIMARY KEY (kind, a, b))",
    durable_chats.SCHEMA,
    # The sandbox's settings (emulator/sandbox_settings.py), one row.
    "CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value BLOB NOT NULL)",
]
WINDOW_SECONDS = 24 * 3600.0


class Journaled(msgspec.Struct, array_like=True):
    """What a message needs to resume: the SimMessage without its shared objects."""

    meta_wamid: str
    waba_id: str
    phone_number_id: str
    wa_id: str
    pricing_category: str
    is_marketing: bool
    route: str
    callback_data: str | None
    graph_version: int
    sent_at: float
    expires_at: float
    conversation_id: str
    template: tuple[str, str] | None  # (name, language) in the world
    content: Template | None
    text: str | None
    activity_sharing: bool | None
    country: str
    bid: int | None
    business_id: str
    # Added later (defaults keep older journals readable): a rich template's components as
    # sent (carousel cards) and an interactive message's object (its buttons and rows).
    raw_components: list[dict[str, Any]] | None = None
    interactive: dict[str, Any] | None = None
    # Rewritten when its user taps a link: Meta keeps one tracking token per message.
    clicks: int = 0
    tracking_token: str | None = None


_encode = msgspec.msgpack.Encoder().encode
_decode = msgspec.msgpack.Decoder(Journaled).decode


def journaled(message: SimMessage) -> Journaled:
    m = message
    template = (m.template.name, m.template.language) if m.template is not None else None
    return Journaled(
        m.meta_wamid,
        m.waba_id,
        m.phone.id,
        m.wa_id,
        m.pricing_category,
        m.is_marketing,
        m.route.value,
        m.callback_data,
        m.graph_version,
        m.sent_at,
        m.expires_at,
        m.conversation_id,
        template,
        m.content,
        m.text,
        m.activity_sharing,
        m.country,
        m.bid,
        m.business_id,
        m.raw_components,
        m.interactive,
        m.clicks,
        m.tracking_token,
    )


def revived(record: Journaled, status: str, worlds: WorldStore) -> SimMessage | None:
    """The message again, bound to the world's phone and template; None when the world
    no longer has its number (a sandbox reset or another workspace)."""
    found = worlds.number(record.phone_number_id)
    if found is None:
        return None
    phone, waba = found
    template = worlds.template(waba, *record.template) if record.template else None
    r = record
    return SimMessage(
        meta_wamid=r.meta_wamid,
        waba_id=r.waba_id,
        phone=phone,
        wa_id=r.wa_id,
        pricing_category=r.pricing_category,
        is_marketing=r.is_marketing,
        route=Route(r.route),
        callback_data=r.callback_data,
        graph_version=r.graph_version,
        sent_at=r.sent_at,
        expires_at=r.expires_at,
        conversation_id=r.conversation_id,
        template=template,
        content=r.content,
        text=r.text,
        activity_sharing=r.activity_sharing,
        country=r.country,
        bid=r.bid,
        business_id=r.business_id,
        raw_components=r.raw_components,
        interactive=r.interactive,
        status=status,
        clicks=r.clicks,
        tracking_token=r.tracking_token,
    )


_encode_behaviour = msgspec.msgpack.Encoder().encode
_decode_behaviour = msgspec.msgpack.Decoder(Behaviour).decode


@dataclass(slots=True)
class _Keep:
    """Why a journaled message is kept once final: a chat shows it, or its user's
    tap or answer is still to come."""

    in_chat: bool = True
    followups: int = 0
    final: str | None = None  # the final status its subscriber got, once it has


class MessageJournal:
    def __init__(self, path: Path | None, *, writer: WriterKind = "thread") -> None:
        self.path = path
        self._writer_kind: WriterKind = writer
        self._engine: Engine | None = None  # the writer: a thread, or a process of its own
        self._conn: sqlite3.Connection | None = None
        self._batch = Batch()
        self._filled = asyncio.Event()
        self._commit: asyncio.Future[None] | None = None  # the commit the batch waits for
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self.overrides: dict[str, Behaviour] = {}  # as saved, read by open()
        self.conversations: list[tuple[str, str, str, float]] = []  # as saved, by open()
        self.written: list[UserMessage] = []  # as saved, read by open()
        self.settings: bytes | None = None  # as saved, read by open()
        self._kept: dict[str, _Keep] = {}  # journaled messages in a chat or awaiting a tap

    # -- the emulator's events -------------------------------------------------------

    def accepted(self, message: SimMessage) -> None:
        if self._conn is None:
            return
        record = journaled(message)
        self._batch.accepted[record.meta_wamid] = (record.expires_at, _encode(record))
        # network.deliver put it in its chat (and may have held it for a tap already)
        self._kept.setdefault(record.meta_wamid, _Keep()).in_chat = True
        self._filled.set()

    def reported(self, meta_wamid: str, status: str, failure: str | None = None) -> None:
        """The webhook reporting `status` (with `failure` if failed) went out."""
        if self._conn is None:
            return
        keep = self._kept.get(meta_wamid) if status in FINAL else None
        if keep is None and status in FINAL:
            self._finish(meta_wamid)
            return
        if keep is not None:
            keep.final = status
            if keep.followups and status == "read":
                status = HELD
        self._batch.status[meta_wamid] = status if failure is None else status + FAILURE + failure
        self._filled.set()

    def let_go(self, message: SimMessage) -> None:
        """The chat book no longer shows `message` (ChatBook.on_forget)."""
        keep = self._kept.get(message.meta_wamid)
        if keep is not None:
            keep.in_chat = False
            self._settle(message.meta_wamid, keep)

    def hold(self, meta_wamid: str) -> None:
        """Its user will tap or answer once they have read it (Network.followups)."""
        if self._conn is None:
            return
        keep = self._kept.get(meta_wamid)
        if keep is None:
            keep = self._kept[meta_wamid] = _Keep(in_chat=False)
        keep.followups += 1

    def release(self, meta_wamid: str) -> None:
        """A tap or an answer held for has been made (or no longer can be)."""
        keep = self._kept.get(meta_wamid)
        if keep is None or keep.followups == 0:
            return
        keep.followups -= 1
        if keep.followups == 0 and keep.final is not None and keep.in_chat:
            self._batch.status[meta_wamid] = keep.final  # shown, nothing more to come
            self._filled.set()
        self._settle(meta_wamid, keep)

    def _settle(self, meta_wamid: str, keep: _Keep) -> None:
        if keep.in_chat or keep.followups:
            return
        del self._kept[meta_wamid]
        if keep.final is not None:
            self._finish(meta_wamid)

    def _finish(self, meta_wamid: str) -> None:
        self._batch.finished.add(meta_wamid)
        self._filled.set()

    def drop(self, meta_wamid: str) -> None:
        """A journaled message that cannot come back (its number is gone)."""
        self._kept.pop(meta_wamid, None)
        self._finish(meta_wamid)

    def tapped(self, message: SimMessage) -> None:
        """Its user tapped a link (Network.on_tap): its clicks and tracking token."""
        if self._conn is None:
            return
        self._batch.tapped[message.meta_wamid] = _encode(journaled(message))
        self._filled.set()

    def save_settings(self, settings: bytes) -> None:
        if self._conn is None:
            return
        self._batch.settings = settings
        self._filled.set()

    def wrote(self, message: UserMessage) -> None:
        """A user wrote to a business (Conversations.on_wrote)."""
        if self._conn is None:
            return
        self._batch.written[message.meta_wamid] = durable_chats.encoded(message)
        self._filled.set()

    def unwrote(self, meta_wamid: str) -> None:
        """The conversations book let a user's message go (Conversations.on_unwrote)."""
        if self._conn is None:
            return
        self._batch.written[meta_wamid] = None
        self._filled.set()

    def forget_all(self) -> None:
        """A sandbox reset: no pending message events any more."""
        if self._conn is None:
            return
        kept = self._batch
        self._batch = Batch()
        self._batch.reset = True
        self._kept.clear()
        self._batch.written, self._batch.written_reset = kept.written, kept.written_reset
        self._batch.settings = kept.settings
        self._batch.overrides, self._batch.overrides_reset = kept.overrides, kept.overrides_reset
        self._batch.conversations = kept.conversations
        self._batch.conversations_reset = kept.conversations_reset
        self._filled.set()

    def override(self, number: str, behaviour: Behaviour | None) -> None:
        if self._conn is None:
            return
        self._batch.overrides[number] = None if behaviour is None else _encode_behaviour(behaviour)
        self._filled.set()

    def conversation(self, kind: str, a: str, b: str, value: float | None) -> None:
        if self._conn is None:
            return
        self._batch.conversations[(kind, a, b)] = value
        self._filled.set()

    def clear_conversations(self) -> None:
        if self._conn is None:
            return
        self._batch.conversations = {}
        self._batch.conversations_reset = True
        self._batch.written = {}
        self._batch.written_reset = True  # what users wrote goes with their windows
        self._filled.set()

    def clear_overrides(self) -> None:
        if self._conn is None:
            return
        self._batch.overrides = {}
        self._batch.overrides_reset = True
        self._filled.set()

    async def committed(self) -> None:
        """Wait until every write made so far is committed."""
        if self._conn is None or not self._batch:
            return
        if self._commit is None:
            self._commit = asyncio.get_running_loop().create_future()
        await asyncio.shield(self._commit)

    # -- life cycle ------------------------------------------------------------------

    def open(self, now: float, worlds: WorldStore) -> list[tuple[Journaled, str]]:
        """Open the file; the messages it holds, oldest first: in flight, or final and
        still shown in a chat or awaiting a tap or an answer (status `read+`)."""
        if self.path is None:
            return []
        conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        # A process crash loses nothing committed in WAL mode without fsync; only a
        # power cut could, and the sandbox does not promise more than that.
        conn.execute("PRAGMA synchronous=NORMAL")
        # `serve --workers N` embeds an emulator in each process, all on this one file.
        conn.execute("PRAGMA busy_timeout=5000")
        for statement in _SCHEMA:
            conn.execute(statement)
        self.overrides = {
            number: _decode_behaviour(blob)
            for number, blob in conn.execute("SELECT number, behaviour FROM overrides")
        }
        conn.execute(
            "DELETE FROM conversations WHERE kind = 'window' AND value < ?",
            (now - WINDOW_SECONDS,),
        )
        self.conversations = conn.execute(
            "SELECT kind, a, b, value FROM conversations ORDER BY kind, value"
        ).fetchall()
        conn.execute("DELETE FROM messages WHERE expires_at < ?", (now - FORGET_AFTER,))
        rows = conn.execute("SELECT record, status FROM messages ORDER BY rowid").fetchall()
        self.written = durable_chats.load(conn, worlds)
        saved = conn.execute("SELECT value FROM settings WHERE name = 'sandbox'").fetchone()
        self.settings = saved[0] if saved is not None else None
        self._conn = conn
        self._engine = Engine(self.path, synchronous="NORMAL", writer=self._writer_kind)
        self._engine.start()
        self._task = asyncio.get_running_loop().create_task(self._run(), name="emulator-journal")
        found = [(_decode(record), status) for record, status in rows]
        for record, saved in found:
            status = saved.partition(FAILURE)[0]
            final = "read" if status == HELD else status if status in FINAL else None
            self._kept[record.meta_wamid] = _Keep(final=final)
        return found

    async def close(self) -> None:
        """Commit what is left, then close (the writer thread is never cut mid-batch)."""
        if self._task is not None:
            self._closing = True
            self._filled.set()
            await self._task
            self._task = None
        if self._engine is not None:
            await self._engine.close()
            self._engine = None
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    async def _run(self) -> None:
        while True:
            await self._filled.wait()
            batch, done = self._take()
            try:
                if batch and self._engine is not None:
                    await self._engine.write(write_batch, batch)
            except Exception:  # from the writer process, an error may cross as another type
                log.exception("the emulator's message journal could not be written")
            finally:
                if done is not None and not done.done():
                    done.set_result(None)
            if self._closing and not self._batch:
                return

    def _take(self) -> tuple[Batch, asyncio.Future[None] | None]:
        batch, self._batch = self._batch, Batch()
        done, self._commit = self._commit, None
        self._filled.clear()
        return batch, done
