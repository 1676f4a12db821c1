"""An admin's session token for tests, until the console's sign-in (the lead's) is on main:
an officer row with role admin and a session row, as server/access/auth.py resolves them."""

from __future__ import annotations

from datetime import timedelta

from server.access import auth
from server.store.db import Store
from server.store.tables import OfficerRow, SessionRow
from shared.timeutil import utcnow


def admin_token(store: Store, username: str = "manager") -> str:
    now = utcnow()
    token = auth.new_token("ses")
    with store.write() as s:
        officer = OfficerRow(
            username=username,
            name="Manager MPP",
            role="admin",
            pin_hash=auth.hash_pin("000000"),
            counters="",
            failures=0,
            active=True,
        )
        s.add(officer)
        s.flush()
        s.add(
            SessionRow(
                token_hash=auth.token_hash(token),
                officer_id=officer.id,
                username=username,
                role="admin",
                counter="",
                created_at=now,
                expires_at=now + timedelta(hours=8),
                ended=False,
            )
        )
    return token
