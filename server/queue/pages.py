"""The ticket page's address, /t/{token}: unguessable, and no work for the issuing path's writes.

token = base64url(ticket id, 4 bytes big-endian (8 past 2**32) || HMAC-SHA256(secret, id)[:12])

Derived, not stored: issuing writes nothing more, and a token is checked by computing it
again. 96 bits of MAC cannot be guessed; the id inside only saves a look-up. The secret
is the site's, made at first start (table ticket_page_keys), so every server process of a
site (several on one PostgreSQL) derives the same tokens.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from datetime import datetime

from sqlalchemy import select

from server.store.db import Store
from server.store.tables import PageKeyRow
from shared.timeutil import utcnow

MAC_BYTES = 12
PAGE_PREFIX = "/t/"
_SHORT = 2**32
_BLOCK = 64  # SHA-256's block size


class TicketPages:
    """Derive and check ticket page tokens with the site's secret."""

    def __init__(self, secret: bytes) -> None:
        if not 16 <= len(secret) <= _BLOCK:
            raise ValueError(f"a page secret has 16 to {_BLOCK} bytes")
        self._secret = secret
        # HMAC (RFC 2104) with its two keyed states made once: each token copies them.
        # OpenSSL's HMAC object costs ~4x as much per token (~9 µs against ~2.4 µs here,
        # on every issue: bench/page_token.py); tests check both agree.
        key = secret.ljust(_BLOCK, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))

    @classmethod
    def load(cls, store: Store, site_id: int = 1, now: datetime | None = None) -> TicketPages:
        """The site's secret from the database, made on the first start of all."""
        with store.read() as s:
            found = s.scalar(select(PageKeyRow.secret).where(PageKeyRow.site_id == site_id))
        if found is None:
            with store.write() as s:  # serialised: two processes starting at once agree
                found = s.scalar(select(PageKeyRow.secret).where(PageKeyRow.site_id == site_id))
                if found is None:
                    found = secrets.token_hex(32)
                    s.add(PageKeyRow(site_id=site_id, secret=found, created_at=now or utcnow()))
        return cls(bytes.fromhex(found))

    def _sign(self, raw_id: bytes) -> bytes:
        inner = self._inner.copy()
        inner.update(raw_id)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.digest()[:MAC_BYTES]

    def token(self, ticket_id: int) -> str:
        if ticket_id < 0:
            raise ValueError("ticket ids are positive")
        raw_id = ticket_id.to_bytes(4 if ticket_id < _SHORT else 8, "big")
        return base64.urlsafe_b64encode(raw_id + self._sign(raw_id)).rstrip(b"=").decode()

    def path(self, ticket_id: int) -> str:
        """The page's path, e.g. /t/AAAAKp3v...: what the kiosk's answer carries as `page`."""
        return PAGE_PREFIX + self.token(ticket_id)

    def form_key(self, token: str) -> str:
        """The hidden field of the page's survey form (its CSRF token): the page token is
        already the proof of the ticket; this ties a posted form to that page."""
        return hmac.new(self._secret, b"form:" + token.encode(), hashlib.sha256).hexdigest()[:32]

    def ticket_id(self, token: str) -> int | None:
        """The ticket a token is for, or None when it is not one of this site's tokens."""
        if not 20 <= len(token) <= 32 or not token.isascii():
            return None
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        except (binascii.Error, ValueError):
            return None
        if len(raw) not in (4 + MAC_BYTES, 8 + MAC_BYTES):
            return None
        raw_id, mac = raw[:-MAC_BYTES], raw[-MAC_BYTES:]
        if not hmac.compare_digest(mac, self._sign(raw_id)):
            return None
        # One spelling per ticket: a short id written in 8 bytes is not a second address.
        ticket_id = int.from_bytes(raw_id, "big")
        if (len(raw_id) == 8) != (ticket_id >= _SHORT):
            return None
        if token != self.token(ticket_id):  # base64's padding bits: one spelling only
            return None
        return ticket_id
