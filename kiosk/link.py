"""The queue server: found (by URL or zeroconf), reached again when it goes away, and
told every half minute that the kiosk is still there."""

from __future__ import annotations

import logging
from collections.abc import Callable
from zoneinfo import ZoneInfo

from kiosk.navigation import Navigation
from kiosk.ports import Client, Locator, Run, Timing
from shared.config import Config
from shared.errors import ApiError
from shared.models import Health, ServicesAnswer, Ticket
from shared.periodic import Every

log = logging.getLogger(__name__)

# (service, priority, request_id) of a ticket the server may have made before the line dropped
Orphan = tuple[str, bool, str]


class NoToken(Exception):
    """The server is not in demo mode and the config holds no kiosk token."""


class ServerLink:
    def __init__(
        self,
        config: Config,
        locator: Locator,
        make_client: Callable[[str, str | None], Client],
        timing: Timing,
        run: Run,
        clock: Callable[[], float],
        nav: Navigation,
        printer_state: Callable[[], str | None],
        on_connected: Callable[[Health, ServicesAnswer], None],
    ) -> None:
        self.config = config
        self.locator = locator
        self.make_client = make_client
        self.run = run
        self.clock = clock
        self.nav = nav
        self.printer_state = printer_state  # as last reported (read on the worker thread)
        self.on_connected = on_connected  # the other parts start again from its answers
        self.client: Client | None = None
        self.down = False  # it stopped answering: the tiles stay off until it answers again
        self.server_url = config.client.server
        # Where printed QR codes point: the site's public URL, when the server has one.
        self.public_url = ""
        self.tz = config.site.tz
        self._orphan: Orphan | None = None
        self._clients: dict[str, Client] = {}  # worker thread only
        self.reconnect = Every(timing.retry_seconds, self._connect)
        self.heartbeat = Every(timing.heartbeat_seconds, self._beat)

    @property
    def up(self) -> bool:
        return self.client is not None and not self.down

    def connect(self) -> None:
        """Find the server (URL or zeroconf), pick the token, load the services: now."""
        self.reconnect.start()

    def _connect(self) -> bool:
        self.run(self._connect_job, self._connected)
        return True

    def _connect_job(self) -> tuple[Client, Health, ServicesAnswer]:
        url = self.locator.locate()
        client = self._clients.get(url)
        if client is None:  # one client (one connection pool) per server address
            client = self._clients[url] = self.make_client(url, self.config.client.token or None)
        health = client.health()
        token = self.config.client.token or ("demo-kiosk" if health.demo else "")
        if not token:
            raise NoToken(url)
        client.set_token(token)
        return client, health, client.services()

    def _connected(
        self, result: tuple[Client, Health, ServicesAnswer] | None, exc: BaseException | None
    ) -> None:
        # (a later loss sets the next try itself: this one's time only matters on failure)
        self.reconnect.finished(self.clock())
        if result is None:
            if isinstance(exc, NoToken):
                log.error("server %s is not in demo mode and [client] token is empty", exc)
                self.nav.config_error("no_token")
                return
            where = self.config.client.server or "(zeroconf)"
            log.warning("cannot reach the queue server %s: %s", where, exc)
            self.lost()
            return
        client, health, services = result
        first = self.client is None
        self.client = client
        self.server_url = client.base_url
        self.public_url = health.public_url
        try:
            self.tz = ZoneInfo(health.timezone)
        except (KeyError, ValueError):
            log.warning("server time zone %r unknown; keeping %s", health.timezone, self.tz)
        log.info("connected to %s (%s, demo=%s)", client.base_url, health.site, health.demo)
        self.down = False
        self.on_connected(health, services)
        if self._orphan:
            self._cancel_orphan(client, self._orphan)
            self._orphan = None
        if first and self.nav.screen == "connecting":
            self.nav.show("home")
        else:
            self.nav.changed()

    def lost(self, orphan: Orphan | None = None) -> None:
        """The server stopped answering: tiles off, reconnect by URL or zeroconf.

        `orphan`: a ticket it may have made before the line dropped, cancelled once it
        answers again."""
        if orphan is not None:
            self._orphan = orphan
        self.down = True
        self.reconnect.after(self.clock())
        if not self.config.client.server:
            self.locator.forget()  # zeroconf again: the server may have a new address
        if self.nav.screen == "connecting":
            self.nav.show("home")
        else:
            self.nav.changed()

    def _cancel_orphan(self, client: Client, orphan: Orphan) -> None:
        service, priority, request_id = orphan

        def job() -> Ticket:
            # same request_id: returns the ticket if the server made it, so we can cancel it
            ticket = client.issue(service, priority, request_id)
            return client.cancel(ticket.id)

        def done(ticket: Ticket | None, exc: BaseException | None) -> None:
            if ticket is not None:
                log.info("cancelled unprinted ticket %s from a lost connection", ticket.code)
            elif not (isinstance(exc, ApiError) and exc.status == 409):
                log.warning("could not clear the unprinted ticket %s: %s", request_id, exc)

        self.run(job, done)

    def _beat(self) -> bool:
        """Tell the server the kiosk is there (its printer as last seen)."""
        client = self.client
        if client is None:
            return False

        def job() -> None:
            client.heartbeat(printer=self.printer_state() or "unknown")

        def done(_result: None, exc: BaseException | None) -> None:
            self.heartbeat.finished(self.clock())
            if exc is not None:
                log.warning("heartbeat failed: %s", exc)

        self.run(job, done)
        return True
