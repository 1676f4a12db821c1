"""The worker that sends due messages, and the erasure of phones after their day.

Exactly once, across kill -9: a round claims due messages (state `sending`, committed),
sends each, and marks each (`sent`, or due again with a backoff, committed) in its own
transaction. A crash leaves at most the messages in flight as `sending`; the first round
of the next process settles them by the channel's nature (channels.py):
- HTTP gateway: sent again with the same Idempotency-Key (the gateway keeps one);
- GSM modem: marked `unknown` and never sent again: a visitor may miss one message,
  never gets one twice; the console and the ticket page show it.
A failing channel only leaves messages due; the queue never waits for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select, update

from server.notify.channels import Channel, MaybeSent, NotSent, Outgoing, channel_for
from server.notify.tables import OutboxRow, PhoneRow
from server.queue.site import Site
from server.store.db import Store
from shared.config import NotifyConfig
from shared.timeutil import business_day, utcnow

log = logging.getLogger(__name__)

# attempts before a message is given up (failed), and the waits between them (seconds)
MAX_ATTEMPTS = 5
BACKOFF = (5.0, 30.0, 120.0, 600.0)
# messages claimed in one round (a round marks each as it goes)
BATCH = 50


@dataclass(frozen=True)
class Claimed:
    id: int
    phone: str
    text: str
    attempts: int
    kind: str = ""


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=BACKOFF[min(attempts, len(BACKOFF)) - 1])


def recover(store: Store, retry_unknown: bool, now: datetime) -> int:
    """Messages a stopped process left `sending`: due again, or `unknown` (see above)."""
    with store.write() as s:
        values: dict[str, object] = (
            {"state": "due", "next_try_at": now}
            if retry_unknown
            else {"state": "unknown", "error": "server stopped while sending"}
        )
        result = s.execute(update(OutboxRow).where(OutboxRow.state == "sending").values(**values))
        done = int(getattr(result, "rowcount", 0) or 0)
    if done:
        log.warning("%d messages in flight when the server stopped: %s", done, values["state"])
    return done


def claim(store: Store, site: Site, now: datetime, limit: int = BATCH) -> list[Claimed]:
    """Due messages of today, within the site's caps, marked `sending` (committed)."""
    cfg = site.config.notify
    today = business_day(site.tz, now)
    with store.write() as s:
        minute = s.scalar(
            select(func.count()).where(OutboxRow.claimed_at >= now - timedelta(seconds=60))
        )
        day = s.scalar(select(func.count()).where(OutboxRow.claimed_at >= _midnight(site, today)))
        room = min(limit, cfg.per_minute - int(minute or 0), cfg.per_day - int(day or 0))
        if room <= 0:
            return []
        rows = s.scalars(
            select(OutboxRow)
            .where(
                OutboxRow.state == "due",
                OutboxRow.next_try_at <= now,
                OutboxRow.business_day == today,
                OutboxRow.phone.is_not(None),
            )
            .order_by(OutboxRow.next_try_at, OutboxRow.id)
            .limit(room)
        ).all()
        out = []
        for row in rows:
            row.state = "sending"
            row.attempts += 1
            row.claimed_at = now
            out.append(Claimed(row.id, row.phone or "", row.text, row.attempts, row.kind))
        return out


def mark(store: Store, claimed: Claimed, outcome: str, error: str | None, now: datetime) -> None:
    """The end of one send: sent, unknown, or due again later (failed after the last try)."""
    with store.write() as s:
        row = s.get(OutboxRow, claimed.id)
        if row is None or row.state != "sending":
            return  # settled meanwhile (a day's end): nothing to undo
        row.error = error[:200] if error else None
        if outcome == "sent":
            row.state, row.sent_at = "sent", now
        elif outcome == "lost":  # a code whose text this process never held: never sent
            row.state = "expired"
        elif outcome == "unknown":
            row.state = "unknown"
        elif claimed.attempts >= MAX_ATTEMPTS:
            row.state = "failed"
        else:
            row.state, row.next_try_at = "due", now + backoff(claimed.attempts)


def _midnight(site: Site, day: date) -> datetime:
    """The start of a business day, as an instant."""
    return datetime.combine(day, time.min, site.tz).astimezone(UTC)


class Sender:
    """One process's worker: `round()` sends what is due (a loop in runtime/loops.py)."""

    def __init__(
        self,
        store: Store,
        site: Callable[[], Site],
        clock: Callable[[], datetime] = utcnow,
        held: dict[int, str] | None = None,
    ) -> None:
        self.store = store
        self._site = site
        self.clock = clock
        # the texts of booking codes, by message id: in memory only (rules.send_code)
        self.held: dict[int, str] = {} if held is None else held
        self._channel: Channel | None = None
        self._for: NotifyConfig | None = None
        self._recovered = False

    def channel(self, cfg: NotifyConfig) -> Channel | None:
        """The site's channel, made again when the console changed it."""
        if self._for != cfg:
            if self._channel is not None:
                self._channel.close()
            self._channel, self._for = channel_for(cfg), cfg
        return self._channel

    def round(self) -> int:
        """Send what is due now; returns how many were claimed (BATCH: more may be due)."""
        site = self._site()
        channel = self.channel(site.config.notify)
        if channel is None:
            return 0
        if not self._recovered:
            recover(self.store, channel.retry_unknown, self.clock())
            self._recovered = True
        claimed = claim(self.store, site, self.clock())
        for message in claimed:
            outcome, error = "sent", None
            text = message.text
            if message.kind == "code":
                # its last try takes the text out of memory; a restart lost it
                held = self.held.get(message.id)
                if held is None:
                    mark(self.store, message, "lost", "the code was lost", self.clock())
                    continue
                text = held
            try:
                channel.send(Outgoing(message.id, message.phone, text))
            except NotSent as exc:
                outcome, error = "retry", str(exc)
            except MaybeSent as exc:
                outcome = "retry" if channel.retry_unknown else "unknown"
                error = str(exc)
            except Exception as exc:  # a channel's bug: the message waits, the queue goes on
                log.exception("channel %s failed on message %d", channel.name, message.id)
                outcome, error = "retry", f"{type(exc).__name__}: {exc}"
            if error:
                log.warning("message %d not sent (%s): %s", message.id, outcome, error)
            if message.kind == "code" and (outcome != "retry" or message.attempts >= MAX_ATTEMPTS):
                self.held.pop(message.id, None)
            mark(self.store, message, outcome, error, self.clock())
        return len(claimed)

    def close(self) -> None:
        if self._channel is not None:
            self._channel.close()
            self._channel = None


def erase_past(store: Store, site: Site, now: datetime) -> int:
    """UU 27/2022: phones are kept for their ticket's day only. Erases those of earlier
    days, and gives up their messages still unsent (expired); returns phones erased."""
    today = business_day(site.tz, now)
    with store.write() as s:
        result = s.execute(
            update(PhoneRow)
            .where(PhoneRow.business_day < today, PhoneRow.phone.is_not(None))
            .values(phone=None, erased_at=now)
        )
        erased = int(getattr(result, "rowcount", 0) or 0)
        s.execute(
            update(OutboxRow)
            .where(OutboxRow.business_day < today, OutboxRow.state.in_(("due", "sending")))
            .values(state="expired")
        )
        s.execute(
            update(OutboxRow)
            .where(OutboxRow.business_day < today, OutboxRow.phone.is_not(None))
            .values(phone=None)
        )
    if erased:
        log.info("phones of %d tickets of earlier days erased", erased)
    return erased


class Doorbell:
    """Wakes the worker's loop from a writer thread (after a commit that decided messages)."""

    def __init__(self) -> None:
        self.event: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def bind(self, loop: asyncio.AbstractEventLoop) -> asyncio.Event:
        self._loop = loop
        self.event = asyncio.Event()
        return self.event

    def ring(self) -> None:
        loop, event = self._loop, self.event
        if loop is None or event is None or loop.is_closed():
            return
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile (shutdown)
            loop.call_soon_threadsafe(event.set)
