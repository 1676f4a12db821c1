"""The agencies and services the tiles show, with their waiting counts: read again every
few seconds, and at once when the site's setup changed.

The kiosk has no event stream: it asks the server's site_version (GET /health, cheap)
every few seconds and reloads the services when it moved (site.changed).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from kiosk.link import ServerLink
from kiosk.navigation import Navigation
from kiosk.ports import Run, Timing
from shared.errors import ServerUnavailable
from shared.models import Health, ServicesAnswer
from shared.periodic import Every

log = logging.getLogger(__name__)


class Catalog:
    def __init__(
        self,
        link: ServerLink,
        nav: Navigation,
        timing: Timing,
        run: Run,
        clock: Callable[[], float],
        paused: Callable[[], bool],
    ) -> None:
        self.link = link
        self.nav = nav
        self.run = run
        self.clock = clock
        self.paused = paused  # a ticket is being issued: no reload in its way
        self.services: ServicesAnswer | None = None
        self.site_version = 0  # the server's site_version the services shown are from
        self.refresh = Every(timing.refresh_seconds, self._refresh)
        self.site_check = Every(timing.site_check_seconds, self._check_site)

    def loaded(self, services: ServicesAnswer, site_version: int) -> None:
        """The services the server gave on (re)connecting."""
        now = self.clock()
        self.services, self.site_version = services, site_version
        self.refresh.after(now)
        self.site_check.after(now)

    def answered(self, services: ServicesAnswer) -> None:
        """Show this answer to GET /services (what a refresh does when it returns)."""
        self._refreshed(services, None)

    def _refresh(self) -> bool:
        client = self.link.client
        if client is None:
            return False
        self.run(client.services, self._refreshed)
        return True

    def _refreshed(self, services: ServicesAnswer | None, exc: BaseException | None) -> None:
        self.refresh.finished(self.clock())
        if services is None:
            if isinstance(exc, ServerUnavailable):
                log.warning("lost the queue server: %s", exc)
                self.link.lost()
            else:
                log.warning("refreshing services failed: %s", exc)
            return
        self.services = services
        self.nav.renew(services)
        self.nav.changed()

    def _check_site(self) -> bool:
        client = self.link.client
        if client is None:
            return False
        self.run(client.health, self._site_checked)
        return True

    def _site_checked(self, health: Health | None, exc: BaseException | None) -> None:
        self.site_check.finished(self.clock())
        if health is None or health.site_version == self.site_version:
            return
        log.info(
            "the site's setup changed (version %d): reloading the services", health.site_version
        )
        self.site_version = health.site_version
        self.refresh.soon()
        if not self.paused():
            self.refresh.tick(self.clock())
