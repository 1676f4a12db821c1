"""The append-only event log and the fan-out hub.

An event is written in the same transaction as the change it describes, with
the next seq from meta('seq'); it is published to live subscribers only after
that transaction commits, in seq order (see Store.write).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.store.rawsql import EVENTS, Raw
from server.store.tables import EventRow, Meta
from shared.models import (
    CounterInfo,
    DeviceEvent,
    DeviceInfo,
    Event,
    EventType,
    HelpEvent,
    HelpInfo,
    Ticket,
)

log = logging.getLogger(__name__)

# A TV that falls this far behind is cut loose and resumes with after=seq.
SUBSCRIBER_QUEUE = 1000


def next_seq(db: Raw) -> int:
    # Raw: every write takes a seq, so this is on every hot path (see server/store/rawsql.py).
    return int(db.scalar("UPDATE meta SET value = value + 1 WHERE key = 'seq' RETURNING value"))


def last_seq(session: Session) -> int:
    return int(session.scalar(select(Meta.value).where(Meta.key == "seq")) or 0)


def record(
    session: Session,
    kind: EventType,
    at: datetime,
    *,
    ticket: Ticket | None = None,
    counter: CounterInfo | None = None,
    publish: Callable[[list[tuple[int, str]]], None] | None = None,
    ticket_json: str | None = None,
    device: DeviceInfo | None = None,
    help: HelpInfo | None = None,
) -> Event:
    """Append one event to the log in this transaction; publish it after commit.

    `ticket_json`, the ticket already serialized (for an issue's answer), goes into
    the body as it is: the same bytes as serializing it again, at half the cost.
    """
    db = Raw(session)
    seq = next_seq(db)
    event: Event
    if device is not None:
        event = DeviceEvent(
            seq=seq, type=kind, at=at, ticket=ticket, counter=counter, device=device
        )
    elif help is not None:
        event = HelpEvent(seq=seq, type=kind, at=at, counter=counter, help=help)
    else:
        event = Event(seq=seq, type=kind, at=at, ticket=ticket, counter=counter)
    if ticket is not None and ticket_json is not None:
        bare = event.model_copy(update={"ticket": None}).model_dump_json()
        # "ticket" comes before "counter", and nothing before it can hold this text
        body = bare.replace('"ticket":null', '"ticket":' + ticket_json, 1)
    else:
        body = event.model_dump_json()
    db.insert(
        EVENTS,
        seq=event.seq,
        type=kind.value,
        at=at,
        ticket_id=ticket.id if ticket else None,
        counter=counter.code if counter else (ticket.counter if ticket else None),
        body=body,
    )
    if publish is not None:
        pending: list[tuple[int, str]] = session.info.setdefault("events", [])
        if not pending:
            session.info["after_commit"].append(lambda: publish(list(pending)))
        pending.append((event.seq, body))
    return event


def events_after(session: Session, after: int, limit: int) -> list[tuple[int, str]]:
    rows = session.execute(
        select(EventRow.seq, EventRow.body)
        .where(EventRow.seq > after)
        .order_by(EventRow.seq)
        .limit(limit)
    ).all()
    return [(int(s), b) for s, b in rows]


class Subscriber:
    """One live listener: a bounded queue; None in it means 'you fell behind'."""

    def __init__(self, maxsize: int) -> None:
        self.queue: asyncio.Queue[tuple[int, str] | None] = asyncio.Queue(maxsize)
        self.overflowed = False

    def offer(self, item: tuple[int, str]) -> None:
        if self.overflowed:
            return
        try:
            self.queue.put_nowait(item)
        except asyncio.QueueFull:
            self.overflowed = True
            while not self.queue.empty():
                self.queue.get_nowait()
            self.queue.put_nowait(None)


class Hub:
    """Fan-out of committed events to WebSocket subscribers on the server's loop."""

    def __init__(self, maxsize: int = SUBSCRIBER_QUEUE) -> None:
        self.maxsize = maxsize
        self._subscribers: set[Subscriber] = set()
        self._loop: asyncio.AbstractEventLoop | None = None

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    @property
    def count(self) -> int:
        return len(self._subscribers)

    def publish(self, items: list[tuple[int, str]]) -> None:
        """Thread-safe: hand committed events to the loop, which fans them out."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            loop.call_soon_threadsafe(self._fanout, items)
        except RuntimeError:  # loop closed during shutdown
            log.debug("event loop closed; %d events not published live", len(items))

    def _fanout(self, items: list[tuple[int, str]]) -> None:
        for sub in list(self._subscribers):
            for item in items:
                sub.offer(item)

    @asynccontextmanager
    async def subscribe(self) -> AsyncIterator[Subscriber]:
        sub = Subscriber(self.maxsize)
        self._subscribers.add(sub)
        try:
            yield sub
        finally:
            self._subscribers.discard(sub)
