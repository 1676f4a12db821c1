"""Served tickets for the SKM tests, made through the real queue rules."""

from __future__ import annotations

from datetime import timedelta

from server.access import auth
from server.queue.rules import QueueService
from server.store.db import Store
from tests import seed
from tests.server.conftest import FakeClock


def sign_in(store: Store, clock: FakeClock, username: str, counter: str) -> None:
    """An officer's session at `counter` (how the survey learns who served)."""
    with store.write() as s:
        seed.add_officer(s, username, username.title(), "246810", [counter], "officer")
    auth.authenticate(
        store,
        username,
        "246810",
        clock(),
        kind="counter",
        counter=counter,
        demo=False,
        limits=auth.Limits(max_failures=5, lock_minutes=5, session_hours=8),
    )


def serve(
    queue: QueueService,
    clock: FakeClock,
    service: str = "KTP",
    counter: str = "L03",
    wait_minutes: float = 10,
    finish: bool = True,
) -> int:
    """Issue a ticket, let it wait, call it at `counter`, serve it, finish it: its id."""
    issued = queue.issue(service, False, f"req-{clock().timestamp()}-{service}", None)
    clock.advance(minutes=wait_minutes)
    called = queue.call_next(counter)
    assert called.ticket is not None and called.ticket.id == issued.ticket.id
    if finish:
        queue.start(counter)
        clock.advance(minutes=5)
        queue.finish(counter)
    clock.now += timedelta(seconds=1)
    return issued.ticket.id
