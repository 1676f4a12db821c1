"""The server's background loops: each a small function of one round, and its loop.

Started by the app's lifespan (server/runtime/app.py) and cancelled when it stops. A
round that fails is logged and tried again at the next; the queue keeps serving.
A test calls a round once (e.g. `close_past_days_once`) instead of waiting for a loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta

from starlette.concurrency import run_in_threadpool

from server.access.context import ServerContext
from server.booking import retention
from server.complaints import register as complaints
from server.notify.sender import BATCH, Doorbell, Sender, erase_past
from server.office import live as office_live
from server.office.devices import RevocationWatch
from server.reports.alerts import alerts_due, evaluate_alerts
from server.reports.months import seal_due
from server.store.storage import StorageProblem
from shared.timeutil import seconds_to_next_day, utcnow

log = logging.getLogger(__name__)


def failed(what: str, exc: Exception) -> None:
    """A failed round: a storage failure is logged once by the store's guard; anything
    else with its traceback."""
    if isinstance(exc, StorageProblem):
        log.debug("%s failed: %s", what, exc.code)
    else:
        log.error("%s failed", what, exc_info=exc)


# The longest nap between two looks at the wall clock (seconds). The wait for midnight
# runs on the event loop's monotonic clock, so a wall clock set later (NTP after the boot
# of a box with no RTC) or a failed round is caught within this.
MAX_NAP = 60.0
# Wake this long after midnight (seconds): a timer may fire a little early.
MIDNIGHT_SLACK = 0.05
# Seals are checked again this often (seconds): a cheap count per month when all hold.
RESEAL_SECONDS = 600.0


async def close_past_days(ctx: ServerContext) -> None:
    """Close the tickets of earlier days at start, then at each local midnight of the site,
    and seal the months that are over (server/reports/months.py): then, after a change of
    the site (a target), and every RESEAL_SECONDS (a ticket a wrong clock put in the past)."""
    closed_for = None  # the business day whose earlier days are closed
    sealed: tuple[object, float] | None = None  # (the site sealed for, when: monotonic)
    while True:
        today = ctx.queue.today()
        if today != closed_for:
            try:
                closed = await run_in_threadpool(ctx.queue.close_past_days)
                if closed:
                    log.info("closed %d tickets left open from earlier days", closed)
                closed_for = today
                sealed = None  # earlier days closed: the months before today's can be sealed
            except Exception as exc:  # keep serving; the next look tries again
                failed("closing the earlier days", exc)
        site = ctx.site
        due = sealed is None or sealed[0] is not site or time.monotonic() > sealed[1]
        if closed_for == today and due:
            try:
                await run_in_threadpool(seal_due, ctx.store, site, today)
                sealed = (site, time.monotonic() + RESEAL_SECONDS)
            except Exception as exc:  # reports stay right, only slower; the next look tries again
                failed("sealing the report months", exc)
        wait = seconds_to_next_day(ctx.site.tz, ctx.queue.clock()) + MIDNIGHT_SLACK
        await asyncio.sleep(min(wait, MAX_NAP))


# The floor's alerts are evaluated this often (seconds), and soon after any event.
ALERTS_INTERVAL = 5.0
ALERTS_DEBOUNCE = 0.3


def check_alerts(ctx: ServerContext) -> None:
    site, now = ctx.site, utcnow()
    guessing = ctx.check_in_limits.guessing()  # kiosks that keep trying unknown codes
    with ctx.store.read() as s:
        more = complaints.overdue_alerts(s, site, now)
        due = alerts_due(s, site, now, more, guessing)
    if due:
        with ctx.store.write() as s:
            evaluate_alerts(s, site, now, more, guessing)


async def alerts(ctx: ServerContext) -> None:
    async with ctx.hub.subscribe() as events:
        while True:
            try:
                await run_in_threadpool(check_alerts, ctx)
            except Exception as exc:  # keep serving; the next round tries again
                failed("alerts evaluation", exc)
            try:
                await asyncio.wait_for(events.queue.get(), ALERTS_INTERVAL)
                await asyncio.sleep(ALERTS_DEBOUNCE)  # one evaluation for a burst of events
                while not events.queue.empty():
                    events.queue.get_nowait()
                events.overflowed = False
            except TimeoutError:
                pass


# The site is looked at this often (seconds): a change made by another process (the
# command line, a second server on PostgreSQL) reaches this one within it.
WATCH_SECONDS = 1.0
# How often bookings are expired and old personal data erased (seconds).
BOOKINGS_SECONDS = 60.0
# How often complaint contacts past their retention are erased (seconds).
COMPLAINTS_SECONDS = 3600.0


async def every(seconds: float, what: str, round_: Callable[[], object]) -> None:
    """Run `round_` in a worker thread every `seconds`; a failed round is logged only."""
    while True:
        try:
            await run_in_threadpool(round_)
        except Exception as exc:  # keep serving; the next round tries again
            failed(what, exc)
        await asyncio.sleep(seconds)


def complaints_once(ctx: ServerContext) -> None:
    """Erase the contacts of complaints past the site's retention."""
    complaints.erase(ctx.store, ctx.site, utcnow())


def bookings_once(ctx: ServerContext) -> None:
    """Expire bookings not checked in, erase personal data past its retention, give back
    the places of bookings cancelled long enough ago."""
    release_after = timedelta(minutes=ctx.settings.booking_release_minutes)
    retention.housekeeping(ctx.store, lambda: ctx.site, release_after)


# The notify worker looks for due messages at least this often (seconds); a commit that
# decided one rings its doorbell at once. Phones of earlier days are erased this often.
NOTIFY_POLL = 1.0
NOTIFY_ERASE_SECONDS = 60.0


async def notify_sender(ctx: ServerContext, doorbell: Doorbell) -> None:
    """Send the due messages (server/notify/sender.py): a round when rung, or every
    NOTIFY_POLL (a retry's time, a message due after a restart)."""
    sender = Sender(ctx.store, lambda: ctx.site, held=ctx.held_texts)
    bell = doorbell.bind(asyncio.get_running_loop())
    try:
        while True:
            bell.clear()
            claimed = 0
            try:
                claimed = await run_in_threadpool(sender.round)
            except Exception:  # keep serving; the next round tries again
                log.exception("sending messages failed")
            if claimed >= BATCH:
                continue  # more are due now
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(bell.wait(), NOTIFY_POLL)
    finally:
        sender.close()


def notify_erase_once(ctx: ServerContext) -> None:
    """UU 27/2022: the phones of earlier days' tickets go (server/notify/sender.py)."""
    erase_past(ctx.store, ctx.site, utcnow())


def start(ctx: ServerContext, doorbell: Doorbell | None = None) -> list[asyncio.Task[None]]:
    """Every background loop of a running server, as tasks to cancel at its stop."""
    loops: list[Awaitable[None]] = [
        notify_sender(ctx, doorbell or Doorbell()),
        every(NOTIFY_ERASE_SECONDS, "erasing phones", lambda: notify_erase_once(ctx)),
        close_past_days(ctx),
        alerts(ctx),
        every(WATCH_SECONDS, "checking the site's version", lambda: office_live.reload_if_due(ctx)),
        every(WATCH_SECONDS, "checking for revoked devices", RevocationWatch(ctx)),
        every(BOOKINGS_SECONDS, "booking housekeeping", lambda: bookings_once(ctx)),
        every(COMPLAINTS_SECONDS, "complaint housekeeping", lambda: complaints_once(ctx)),
    ]
    return [asyncio.ensure_future(loop) for loop in loops]
