"""Everything a request handler needs, built once in main and passed to create_app."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from sqlalchemy import update

from server.access.auth import Principal
from server.access.limits import BookingLimiter, CheckInLimiter, LookUpLimiter
from server.access.ratelimit import Buckets
from server.queue.events import Hub
from server.queue.pages import TicketPages
from server.queue.rules import QueueService
from server.queue.site import Site
from server.store.db import Store
from server.store.tables import DeviceRow
from shared.config import ServerConfig
from shared.timeutil import utcnow

# Device last-contact is written at most this often per device (seconds).
_SEEN_INTERVAL = 60.0
# A token's principal is reused this long (seconds): a revoked device stops within it.
PRINCIPAL_TTL = 5.0


@dataclass
class ServerContext:
    store: Store
    site: Site
    settings: ServerConfig
    hub: Hub = field(default_factory=Hub)
    queue: QueueService = field(init=False)
    # /t/{token} of each ticket, from the site's secret (read once: on every issue).
    pages: TicketPages = field(init=False)
    _seen: dict[int, float] = field(default_factory=dict)
    # token -> (monotonic time, principal): a hot kiosk skips a database read per request.
    _principals: dict[str, tuple[float, Principal]] = field(default_factory=dict)
    _seen_lock: threading.Lock = field(default_factory=threading.Lock)
    booking_limits: BookingLimiter = field(default_factory=BookingLimiter)
    # the public complaint form: the booking's rate, in buckets of its own
    complaint_limits: BookingLimiter = field(default_factory=lambda: BookingLimiter("complaint"))
    check_in_limits: CheckInLimiter = field(default_factory=CheckInLimiter)
    lookup_limits: LookUpLimiter = field(default_factory=LookUpLimiter)
    # Texts of messages never written to the database (a booking's SMS code), by outbox
    # id: the notify worker of this process sends them (server/notify/rules.send_code).
    held_texts: dict[int, str] = field(default_factory=dict)

    sign_in_per_address: Buckets = field(init=False)
    sign_in_overall: Buckets = field(init=False)

    def __post_init__(self) -> None:
        self.queue = QueueService(self.store, lambda: self.site, publish=self.hub.publish)
        self.pages = TicketPages.load(self.store)
        per_minute = self.settings.sign_in_per_minute
        self.sign_in_per_address = Buckets(rate=per_minute / 60, burst=per_minute)
        per_second = self.settings.sign_in_per_second
        self.sign_in_overall = Buckets(rate=per_second, burst=max(1.0, per_second * 5))

    def cached_principal(self, token: str) -> Principal | None:
        hit = self._principals.get(token)
        if hit is None or time.monotonic() - hit[0] > PRINCIPAL_TTL:
            return None
        return hit[1]

    def remember_principal(self, token: str, who: Principal) -> None:
        if len(self._principals) > 10_000:  # bounded: old entries go first
            self._principals.clear()
        self._principals[token] = (time.monotonic(), who)

    def forget_principals(self) -> None:
        """After a logout: the next request of every token is checked again."""
        self._principals.clear()

    @property
    def demo(self) -> bool:
        return self.site.demo

    def device_seen(self, device_id: int, address: str | None, printer: str | None) -> None:
        """Remember a device's last contact (throttled, so it is not a write per request)."""
        now = time.monotonic()
        with self._seen_lock:
            if printer is None and now - self._seen.get(device_id, -1e9) < _SEEN_INTERVAL:
                return
            self._seen[device_id] = now
        values: dict[str, object] = {"last_seen_at": utcnow(), "last_address": address}
        if printer is not None:
            values["printer_status"] = printer[:32]
        with self.store.write() as s:
            s.execute(update(DeviceRow).where(DeviceRow.id == device_id).values(**values))
