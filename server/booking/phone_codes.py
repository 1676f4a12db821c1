"""Proof that the phone is the booker's: a one-time code sent by SMS before a booking.

On only where the site says so (`[booking] require_sms_code`, which the one validator
allows only with a message channel: shared/config.site_problems). The code is six digits,
good for CODE_MINUTES and CODE_TRIES tries; a newer code replaces the phone's older one.
Only a salted hash is kept, and the text the SMS carries lives in the notify worker's
memory, never in a row (server/notify/rules.send_code); neither code nor phone is logged.
A phone gets at most PER_PHONE codes in PHONE_WINDOW (the address's rate is the route's).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from server.booking import rules
from server.booking.tables import PhoneCodeRow
from server.problems import Problem, conflict, refused
from server.queue.site import Site
from server.store.db import Store

log = logging.getLogger(__name__)

CODE_MINUTES = 5
CODE_TRIES = 3
PER_PHONE = 3
PHONE_WINDOW = timedelta(minutes=15)
# rows (with their phone) are deleted this long after they were made
KEEP = timedelta(days=1)

# The notify room's send_code, bound by the caller: (session, phone, code, lang, now).
Deliver = Callable[[Session, str, str, str, datetime], None]


def required(site: Site) -> bool:
    return site.config.booking.require_sms_code


def _hash(salt: str, code: str) -> str:
    return hashlib.sha256(f"{salt}:{code}".encode()).hexdigest()


_SAID = {
    "sms_code_missing": "Minta kode lewat SMS dulu.",
    "sms_code_tries_over": "Terlalu banyak kode salah: minta kode baru.",
    "sms_code_used": "Kode ini sudah dipakai: minta kode baru.",
    "sms_code_expired": "Kode ini sudah kedaluwarsa: minta kode baru.",
    "sms_code_wrong": "Kode ini bukan kode yang dikirim ke nomor HP ini.",
}


def _refused(code: str, message: str) -> Problem:
    """A 422 naming the field sms_code, in Indonesian and English."""
    return refused(422, code, ("sms_code", _SAID[code], message))


def ask(store: Store, site: Site, phone: str, lang: str, now: datetime, deliver: Deliver) -> int:
    """Send a new code to `phone`; returns its validity in seconds. 409 when the site asks
    for no code; 429 past PER_PHONE codes in PHONE_WINDOW for this phone."""
    if not required(site):
        raise conflict("sms_code_off", "This site does not send booking codes by SMS.")
    number = rules.normalize_phone(phone)
    code = f"{secrets.randbelow(10**6):06d}"
    salt = secrets.token_hex(16)
    with store.write() as s:
        recent = s.scalars(
            select(PhoneCodeRow.made_at)
            .where(PhoneCodeRow.phone == number, PhoneCodeRow.made_at > now - PHONE_WINDOW)
            .order_by(PhoneCodeRow.made_at)
        ).all()
        if len(recent) >= PER_PHONE:
            wait = max(1, math.ceil((recent[-PER_PHONE] + PHONE_WINDOW - now).total_seconds()))
            raise Problem(
                429,
                "rate_limited",
                f"Too many codes for this phone; try again in {wait} s.",
                retry_after=wait,
            )
        # one live code per phone: the newest
        s.execute(
            update(PhoneCodeRow)
            .where(PhoneCodeRow.phone == number, PhoneCodeRow.used_at.is_(None))
            .values(expires_at=now)
        )
        row = PhoneCodeRow(
            phone=number,
            salt=salt,
            code_hash=_hash(salt, code),
            made_at=now,
            expires_at=now + timedelta(minutes=CODE_MINUTES),
            tries=0,
        )
        s.add(row)
        s.flush()
        deliver(s, number, code, lang, now)
    log.info("booking SMS code #%d asked for", row.id)
    return CODE_MINUTES * 60


def _latest(s: Session, phone: str) -> PhoneCodeRow:
    row = s.scalar(
        select(PhoneCodeRow)
        .where(PhoneCodeRow.phone == phone)
        .order_by(PhoneCodeRow.made_at.desc(), PhoneCodeRow.id.desc())
        .limit(1)
    )
    if row is None:
        raise _refused("sms_code_missing", "Ask for a code by SMS first.")
    return row


def _check_live(row: PhoneCodeRow, now: datetime) -> None:
    if row.used_at is not None:
        raise _refused("sms_code_used", "This code was already used: ask for a new one.")
    if row.expires_at <= now:
        raise _refused("sms_code_expired", "This code has expired: ask for a new one.")


def use(s: Session, phone: str, given: str | None, now: datetime) -> None:
    """First in the booking's transaction: the code must be the phone's live one, with a
    try left; it is then used. A wrong code's try is kept although the booking fails."""
    row = _latest(s, phone)
    _check_live(row, now)
    if row.tries >= CODE_TRIES:
        raise _refused("sms_code_tries_over", "Too many wrong codes: ask for a new one.")
    row.tries += 1  # counted before the code is compared
    typed = "".join(ch for ch in (given or "") if ch.isdigit())
    if not hmac.compare_digest(_hash(row.salt, typed), row.code_hash):
        s.info["commit_on_error"] = True  # the store keeps this try (server/store/db.py)
        raise _refused("sms_code_wrong", "This is not the code sent to this phone.")
    row.used_at = now


def forget_old(store: Store, now: datetime) -> int:
    """Housekeeping: codes (and their phones) a day old go."""
    with store.write() as s:
        result = s.execute(delete(PhoneCodeRow).where(PhoneCodeRow.made_at < now - KEEP))
        return int(getattr(result, "rowcount", 0) or 0)
