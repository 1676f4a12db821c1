"""Signing in and out: an officer with a PIN at a counter, a console user with a password.

The API (POST /sessions, DELETE /sessions/current) and the console's sign-in page call
these same functions, so the limits, the lock-out and the end of a session are decided
once.
"""

from __future__ import annotations

import math

from sqlalchemy import update

from server.access import auth
from server.access.context import ServerContext
from server.access.ratelimit import RateLimited
from server.problems import Problem
from server.store.tables import SessionRow
from shared.timeutil import utcnow


def sign_in_allowed(ctx: ServerContext, address: str | None) -> None:
    """Slow guessing down, per client address and overall, before any hashing (429)."""
    try:
        ctx.sign_in_overall.take("all")
        ctx.sign_in_per_address.take(address or "?")
    except RateLimited as exc:
        wait = max(1, math.ceil(exc.retry_after))
        raise Problem(
            429,
            "too_many_attempts",
            f"Too many sign-in attempts; try again in {wait} seconds.",
            retry_after=wait,
        ) from exc


def console_sign_in(
    ctx: ServerContext, username: str, password: str
) -> tuple[str, SessionRow, auth.Person]:
    """The console's sign-in, for the API and the sign-in page alike."""
    cfg = ctx.settings
    return auth.authenticate(
        ctx.store,
        username,
        password,
        utcnow(),
        kind="console",
        demo=ctx.demo,
        limits=auth.Limits(cfg.pin_max_failures, cfg.pin_lock_minutes, cfg.console_session_hours),
    )


def counter_sign_in(
    ctx: ServerContext, username: str, pin: str, counter: str
) -> tuple[str, SessionRow, auth.Person]:
    """An officer's sign-in at a counter with a PIN; the counter opens under their name."""
    cfg = ctx.settings
    signed = auth.authenticate(
        ctx.store,
        username,
        pin,
        utcnow(),
        kind="counter",
        counter=counter,
        demo=ctx.demo,
        limits=auth.Limits(cfg.pin_max_failures, cfg.pin_lock_minutes, cfg.session_hours),
    )
    ctx.queue.open_counter(counter, username)
    return signed


def end_session(ctx: ServerContext, token: str, counter: str | None = None) -> None:
    """Sign out: the session ends at once (the cache of principals forgets it), and the
    officer's counter closes. The API's DELETE /sessions/current and the console's sign-out
    both end here."""
    with ctx.store.write() as s:
        s.execute(
            update(SessionRow)
            .where(SessionRow.token_hash == auth.token_hash(token))
            .values(ended=True)
        )
    ctx.forget_principals()
    if counter:
        ctx.queue.close_counter(counter)
