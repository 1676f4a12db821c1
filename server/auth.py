"""Device tokens and officer PIN sessions, stored hashed; lock-out after failures."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.problems import Problem
from server.tables import DeviceRow, OfficerRow, SessionRow

ROLES_DEVICE = ("kiosk", "display")
ROLES_OFFICER = ("officer", "supervisor")
_PBKDF2_ROUNDS = 120_000

# Documented demo credentials; accepted only when the server runs with --demo.
DEMO_TOKENS = {"demo-kiosk": "kiosk", "demo-display": "display"}
DEMO_OFFICER = ("demo", "123456")
# The demo devices' id: no row has it (ids start at 1), yet a demo kiosk can cancel its own tickets.
DEMO_DEVICE_ID = 0


@dataclass(frozen=True)
class Principal:
    """Who is making a request."""

    role: str  # kiosk | display | officer | supervisor
    device_id: int | None = None
    username: str | None = None
    counter: str | None = None  # an officer's session is bound to one counter
    session_id: int | None = None

    @property
    def is_supervisor(self) -> bool:
        return self.role == "supervisor"


def token_hash(token: str) -> str:
    # Tokens are long and random, so a plain SHA-256 is enough (no guessing to slow down).
    return hashlib.sha256(token.encode()).hexdigest()


def new_token(prefix: str) -> str:
    return f"{prefix}_{secrets.token_urlsafe(24)}"


def hash_pin(pin: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", pin.encode(), salt, _PBKDF2_ROUNDS)
    return f"pbkdf2_sha256${_PBKDF2_ROUNDS}${salt.hex()}${digest.hex()}"


def check_pin(pin: str, stored: str) -> bool:
    try:
        _, rounds, salt, digest = stored.split("$")
        got = hashlib.pbkdf2_hmac("sha256", pin.encode(), bytes.fromhex(salt), int(rounds))
    except ValueError:
        return False
    return hmac.compare_digest(got.hex(), digest)


def add_device(s: Session, name: str, role: str, now: datetime) -> str:
    """Register a kiosk or display; returns the token (shown once, stored hashed)."""
    if role not in ROLES_DEVICE:
        raise Problem(422, "invalid_role", f"role must be one of {', '.join(ROLES_DEVICE)}")
    existing = s.scalar(select(DeviceRow).where(DeviceRow.name == name))
    token = new_token("dev")
    if existing is not None:
        # Re-adding a name replaces its token: how a technician swaps a broken box.
        existing.token_hash = token_hash(token)
        existing.role = role
        existing.revoked = False
    else:
        s.add(DeviceRow(name=name, role=role, token_hash=token_hash(token), created_at=now))
    return token


def add_officer(
    s: Session, username: str, name: str, pin: str, counters: list[str], role: str
) -> None:
    if role not in ROLES_OFFICER:
        raise Problem(422, "invalid_role", f"role must be one of {', '.join(ROLES_OFFICER)}")
    if not (pin.isdigit() and 4 <= len(pin) <= 12):
        raise Problem(422, "invalid_pin", "The PIN must be 4 to 12 digits.")
    row = s.scalar(select(OfficerRow).where(OfficerRow.username == username))
    if row is None:
        row = OfficerRow(username=username, failures=0, active=True)
        s.add(row)
    row.name = name
    row.role = role
    row.pin_hash = hash_pin(pin)
    row.counters = ",".join(counters)
    row.failures = 0
    row.locked_until = None


def login(
    s: Session,
    username: str,
    pin: str,
    counter: str,
    now: datetime,
    *,
    demo: bool,
    max_failures: int,
    lock_minutes: int,
    session_hours: int,
) -> tuple[str, SessionRow, OfficerRow | None]:
    """Check a PIN and open a session at a counter; returns (token, session, officer)."""
    officer: OfficerRow | None = None
    if demo and username == DEMO_OFFICER[0]:
        if not hmac.compare_digest(pin, DEMO_OFFICER[1]):
            raise Problem(401, "wrong_pin", "Wrong PIN.")
        role = "supervisor"
    else:
        officer = s.scalar(select(OfficerRow).where(OfficerRow.username == username))
        if officer is None or not officer.active:
            # Same answer as a wrong PIN, so usernames cannot be probed.
            raise Problem(401, "wrong_pin", "Wrong username or PIN.")
        if officer.locked_until is not None and officer.locked_until > now:
            left = max(1, int((officer.locked_until - now).total_seconds() // 60) + 1)
            raise Problem(
                423, "locked", f"Account locked; try again in {left} minutes.", minutes=left
            )
        if not check_pin(pin, officer.pin_hash):
            officer.failures += 1
            if officer.failures >= max_failures:
                officer.locked_until = now + timedelta(minutes=lock_minutes)
                officer.failures = 0
            # Commit the failure count even though the request fails.
            s.info["commit_on_error"] = True
            raise Problem(401, "wrong_pin", "Wrong username or PIN.")
        officer.failures = 0
        officer.locked_until = None
        role = officer.role
        allowed = [c for c in officer.counters.split(",") if c]
        if role != "supervisor" and counter not in allowed:
            raise Problem(403, "counter_not_allowed", f"{username} may not work at {counter}.")
    token = new_token("ses")
    row = SessionRow(
        token_hash=token_hash(token),
        officer_id=officer.id if officer else None,
        username=username,
        role=role,
        counter=counter,
        created_at=now,
        expires_at=now + timedelta(hours=session_hours),
        ended=False,
    )
    s.add(row)
    s.flush()
    return token, row, officer


def resolve(s: Session, token: str, now: datetime, *, demo: bool) -> Principal | None:
    """The principal behind a bearer token, or None."""
    if token in DEMO_TOKENS:
        return Principal(role=DEMO_TOKENS[token], device_id=DEMO_DEVICE_ID) if demo else None
    h = token_hash(token)
    if token.startswith("dev_"):
        device = s.scalar(select(DeviceRow).where(DeviceRow.token_hash == h))
        if device is None or device.revoked:
            return None
        return Principal(role=device.role, device_id=device.id)
    if token.startswith("ses_"):
        sess = s.scalar(select(SessionRow).where(SessionRow.token_hash == h))
        if sess is None or sess.ended or sess.expires_at <= now:
            return None
        if sess.officer_id is None and not demo:
            return None  # a demo session does not outlive demo mode
        return Principal(
            role=sess.role, username=sess.username, counter=sess.counter, session_id=sess.id
        )
    return None
