"""An admin's session token for tests: a console admin added by the office's own rules
(tests/seed.py) and signed in as the console's sign-in does (server/access/auth.py)."""

from __future__ import annotations

from server.access import auth
from server.store.db import Store
from shared.timeutil import utcnow
from tests import seed

PASSWORD = "manager-password-2026"


def admin_token(store: Store, username: str = "manager") -> str:
    with store.write() as s:
        seed.add_officer(s, username, "Manager MPP", None, [], "admin", password=PASSWORD)
    limits = auth.Limits(max_failures=5, lock_minutes=5, session_hours=8)
    token, _session, _person = auth.authenticate(
        store, username, PASSWORD, utcnow(), kind="console", demo=False, limits=limits
    )
    return token
