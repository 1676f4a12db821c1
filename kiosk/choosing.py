"""A visitor's way to a ticket: an agency's tile, one of its services, then the regular
or the priority queue (each step skipped when there is nothing to choose), then, when the
site sends messages, a number to text (kiosk/asking.py)."""

from __future__ import annotations

from kiosk import view
from kiosk.asking import PhoneAsk
from kiosk.catalog import Catalog
from kiosk.check_in import CheckIn
from kiosk.issuing import Issuer
from kiosk.navigation import Navigation


class Choosing:
    def __init__(
        self, nav: Navigation, catalog: Catalog, issuer: Issuer, checkin: CheckIn, ask: PhoneAsk
    ):
        self.nav = nav
        self.catalog = catalog
        self.issuer = issuer
        self.checkin = checkin
        self.ask = ask

    def agency(self, code: str) -> None:
        """A tile of the first screen: an agency, or the check-in tile."""
        nav, services = self.nav, self.catalog.services
        nav.touched()
        if nav.screen != "home" or not self.issuer.ready or services is None:
            return
        if code == view.CHECK_IN:
            self.checkin.open()
            return
        agency = next((a for a in services.agencies if a.code == code), None)
        if agency is None:
            return
        nav.agency = agency
        if len(agency.services) == 1:
            nav.screen = "services"  # skipped: straight on to priority or printing
            self.service(agency.services[0].code)
        else:
            nav.show("services")

    def service(self, code: str) -> None:
        """A row of the services screen; a closed one takes no touch."""
        nav, agency = self.nav, self.nav.agency
        nav.touched()
        if nav.screen != "services" or not self.issuer.ready or agency is None:
            return
        svc = next((s for s in agency.services if s.code == code), None)
        if svc is None or not svc.open_now:
            return
        nav.service = svc
        if svc.priority_allowed:
            nav.show("priority")
        else:
            self._take(svc.code, False)

    def priority(self, priority: bool) -> None:
        """The regular or the priority queue: the ticket is issued and printed."""
        self.nav.touched()
        if self.nav.screen == "priority" and self.nav.service is not None:
            self._take(self.nav.service.code, priority)

    def _take(self, service: str, priority: bool) -> None:
        """Issue, or first ask for a number when the site sends messages."""
        services = self.catalog.services
        if services is not None and services.messages:
            self.ask.open(service, priority)
        else:
            self.issuer.issue(service, priority)
