"""Session tokens for tests: people added by the office's own rules (tests/seed.py) and
signed in as the counter's and the console's sign-ins do (server/access/auth.py)."""

from __future__ import annotations

from server.access import auth
from server.store.db import Store
from shared.timeutil import utcnow
from tests import seed

PASSWORD = "manager-password-2026"
PIN = "246810"
LIMITS = auth.Limits(max_failures=5, lock_minutes=5, session_hours=8)


def admin_token(store: Store, username: str = "manager") -> str:
    return person_token(store, username, "admin")


def person_token(store: Store, username: str, role: str, counters: str = "") -> str:
    """A signed-in person: an officer with their PIN at their first counter, a supervisor
    or an admin with a password on the console (whose counters say their agencies)."""
    listed = [c for c in counters.split(",") if c]
    console = role != "officer"
    with store.write() as s:
        seed.add_officer(
            s, username, username.title(), PIN, listed, role,
            password=PASSWORD if console else None,
        )  # fmt: skip
    secret, kind, counter = (PASSWORD, "console", "") if console else (PIN, "counter", listed[0])
    token, _session, _person = auth.authenticate(
        store, username, secret, utcnow(), kind=kind, counter=counter, demo=False, limits=LIMITS
    )
    return token
