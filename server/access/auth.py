"""Device tokens, PINs and passwords, stored hashed; sessions; lock-out after failures.

Who may be added, with which PIN or password, and which devices may be registered are
the office's rules (server/office/people.py, devices.py): it calls the hashing here.

Failures are counted per username in `login_failures` whether or not the person
exists, and an unknown username costs the same hashing as a known one: a wrong
guess answers alike either way, so usernames cannot be probed.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from server.problems import Problem
from server.store.db import Store
from server.store.tables import DeviceRow, LoginFailure, OfficerRow, SessionRow

ROLES_CONSOLE = ("supervisor", "admin")  # who signs in to the console with a password
_PBKDF2_ROUNDS = 120_000
# scrypt (memory-hard): 16 MiB and ~50 ms a password on these boxes.
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}

# Documented demo credentials; accepted only when the server runs with --demo.
DEMO_TOKENS = {"demo-kiosk": "kiosk", "demo-display": "display", "demo-survey": "survey"}
DEMO_OFFICER = ("demo", "123456")
DEMO_ADMIN = ("admin", "demo-admin-2026")
# The demo devices' id: no row has it (ids start at 1), yet a demo kiosk can cancel its own tickets.
DEMO_DEVICE_ID = 0


@dataclass(frozen=True)
class Principal:
    """Who is making a request."""

    role: str  # kiosk | display | survey | officer | supervisor | admin
    device_id: int | None = None
    username: str | None = None
    # an officer's session is bound to one counter; a survey tablet to its counter
    counter: str | None = None
    session_id: int | None = None
    officer_id: int | None = None
    # a person's session: "counter" (a PIN at a counter) or "console" (a password)
    kind: str | None = None

    @property
    def is_supervisor(self) -> bool:
        return self.role in ("supervisor", "admin")


def token_hash(token: str) -> str:
    # Tokens are long and random, so a plain SHA-256 is enough (no guessing to slow down).
    return hashlib.sha256(token.encode()).hexdigest()


def new_token(prefix: str) -> str:
    return f"{prefix}_{secrets.token_urlsafe(24)}"


def hash_pin(pin: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", pin.encode(), salt, _PBKDF2_ROUNDS)
    return f"pbkdf2_sha256${_PBKDF2_ROUNDS}${salt.hex()}${digest.hex()}"


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **_SCRYPT)
    return f"scrypt${_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}${salt.hex()}${digest.hex()}"


def check_secret(secret: str, stored: str) -> bool:
    """A PIN (pbkdf2) or a password (scrypt) against its stored hash."""
    try:
        kind, *params, salt, digest = stored.split("$")
        if kind == "pbkdf2_sha256":
            rounds = int(params[0])
            got = hashlib.pbkdf2_hmac("sha256", secret.encode(), bytes.fromhex(salt), rounds)
        elif kind == "scrypt":
            n, r, p = (int(x) for x in params)
            got = hashlib.scrypt(secret.encode(), salt=bytes.fromhex(salt), n=n, r=r, p=p, dklen=32)
        else:
            return False
    except ValueError:
        return False
    return hmac.compare_digest(got.hex(), digest)


check_pin = check_secret


@functools.cache
def _dummy_hash(kind: str) -> str:
    """What an unknown username is checked against: the same work as a real one.

    Made at the first sign-in of its kind, not at import: every start of the server
    and of each command line paid ~0.1 s of key derivation for it. authenticate()
    asks for it before looking anyone up, so that first sign-in costs the same
    whoever the username is."""
    return hash_pin("000000") if kind == "counter" else hash_password("not-a-real-password")


def end_sessions(s: Session, officer_id: int) -> int:
    """End every session of a person (a change to them, or they were disabled)."""
    result = s.execute(
        update(SessionRow)
        .where(SessionRow.officer_id == officer_id, SessionRow.ended.is_(False))
        .values(ended=True)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def clear_failures(s: Session, username: str) -> None:
    row = s.get(LoginFailure, username)
    if row is not None:
        s.delete(row)


def _check_not_locked(s: Session, username: str, now: datetime) -> None:
    row = s.get(LoginFailure, username)
    if row is not None and row.locked_until is not None and row.locked_until > now:
        left = max(1, int((row.locked_until - now).total_seconds() // 60) + 1)
        raise Problem(423, "locked", f"Account locked; try again in {left} minutes.", minutes=left)


def _failed(
    s: Session, username: str, now: datetime, code: str, max_failures: int, lock_minutes: int
) -> Problem:
    """Count a wrong guess (kept although the request fails) and the answer to give."""
    row = s.get(LoginFailure, username)
    if row is None:
        row = LoginFailure(username=username, failures=0)
        s.add(row)
    row.failures += 1
    if row.failures >= max_failures:
        row.locked_until = now + timedelta(minutes=lock_minutes)
        row.failures = 0
    s.info["commit_on_error"] = True
    what = "PIN" if code == "wrong_pin" else "password"
    return Problem(401, code, f"Wrong username or {what}.")


def _open(
    s: Session,
    officer_id: int | None,
    username: str,
    role: str,
    counter: str,
    kind: str,
    now: datetime,
    hours: int,
) -> tuple[str, SessionRow]:
    token = new_token("ses")
    row = SessionRow(
        token_hash=token_hash(token),
        officer_id=officer_id,
        username=username,
        role=role,
        counter=counter,
        created_at=now,
        expires_at=now + timedelta(hours=hours),
        ended=False,
        kind=kind,
    )
    s.add(row)
    s.flush()
    return token, row


@dataclass(frozen=True)
class Person:
    """Who signed in: what the answer and the session need."""

    officer_id: int | None
    username: str
    name: str
    role: str
    counters: tuple[str, ...]


@dataclass(frozen=True)
class Limits:
    max_failures: int
    lock_minutes: int
    session_hours: int


def _candidate(s: Session, username: str, kind: str) -> tuple[Person | None, str]:
    """The person a sign-in would be, and the hash to check (a dummy for nobody)."""
    row = s.scalar(select(OfficerRow).where(OfficerRow.username == username))
    stored = (row.pin_hash if kind == "counter" else row.password_hash) if row else None
    usable = (
        row is not None
        and row.active
        and bool(stored)
        and (kind == "counter" or row.role in ROLES_CONSOLE)
    )
    if not usable or row is None or not stored:
        return None, _dummy_hash(kind)
    counters = tuple(c for c in row.counters.split(",") if c)
    return Person(row.id, row.username, row.name, row.role, counters), stored


def authenticate(
    store: Store,
    username: str,
    secret: str,
    now: datetime,
    *,
    kind: str,
    counter: str = "",
    demo: bool,
    limits: Limits,
) -> tuple[str, SessionRow, Person]:
    """Check a PIN at a counter (kind "counter") or a console password (kind "console")
    and open a session; returns (token, session, person).

    The hashing runs between a read and a write, holding no lock: a guess costs the
    writers (the kiosks' tickets) nothing but its two short transactions.
    """
    code = "wrong_pin" if kind == "counter" else "wrong_password"
    demo_pair = DEMO_OFFICER if kind == "counter" else DEMO_ADMIN
    if demo and username == demo_pair[0]:
        if not hmac.compare_digest(secret, demo_pair[1]):
            what = "PIN" if kind == "counter" else "password"
            raise Problem(401, code, f"Wrong {what}.")
        role = "supervisor" if kind == "counter" else "admin"
        person = Person(None, username, "Demo", role, ())
    else:
        _dummy_hash(kind)  # made before the look-up, whoever it finds (see _dummy_hash)
        # Counted before it is checked, in one serialized write with the lock's check: of
        # any number of guesses at once, at most max_failures are ever evaluated before
        # the lock (a right one clears the count below).
        with store.write() as s:
            _check_not_locked(s, username, now)
            wrong = _failed(s, username, now, code, limits.max_failures, limits.lock_minutes)
        with store.read() as s:
            found, stored = _candidate(s, username, kind)
        ok = check_secret(secret, stored) and found is not None
        if not ok or found is None:
            raise wrong
        person = found
        if kind == "counter" and person.role == "officer" and counter not in person.counters:
            with store.write() as s:  # the PIN was right: this was no guess (counted above)
                clear_failures(s, username)
            raise Problem(403, "counter_not_allowed", f"{username} may not work at {counter}.")
    role = person.role
    if kind == "counter" and role == "admin":
        role = "supervisor"  # at a counter the manager acts as a supervisor
    with store.write() as s:
        clear_failures(s, username)
        token, row = _open(
            s, person.officer_id, username, role, counter, kind, now, limits.session_hours
        )
    return token, row, person


def resolve(s: Session, token: str, now: datetime, *, demo: bool) -> Principal | None:
    """The principal behind a bearer token, or None."""
    if token in DEMO_TOKENS:
        return Principal(role=DEMO_TOKENS[token], device_id=DEMO_DEVICE_ID) if demo else None
    h = token_hash(token)
    if token.startswith("dev_"):
        device = s.scalar(select(DeviceRow).where(DeviceRow.token_hash == h))
        if device is None or device.revoked:
            return None
        return Principal(role=device.role, device_id=device.id, counter=device.counter)
    if token.startswith("ses_"):
        sess = s.scalar(select(SessionRow).where(SessionRow.token_hash == h))
        if sess is None or sess.ended or sess.expires_at <= now:
            return None
        if sess.officer_id is None and not demo:
            return None  # a demo session does not outlive demo mode
        return Principal(
            role=sess.role,
            username=sess.username,
            counter=sess.counter or None,
            session_id=sess.id,
            officer_id=sess.officer_id,
            kind=sess.kind,
        )
    return None
