"""A visitor's way to a ticket: an agency's tile, one of its services, then the regular
or the priority queue, and for the priority who it is for (each step skipped when there
is nothing to choose), then, when the site sends messages, a number to text
(kiosk/asking.py). And "Butuh bantuan": an officer is called to this kiosk."""

from __future__ import annotations

import logging

from kiosk import view
from kiosk.asking import PhoneAsk
from kiosk.catalog import Catalog
from kiosk.check_in import CheckIn
from kiosk.issuing import Issuer
from kiosk.link import ServerLink
from kiosk.navigation import Navigation
from kiosk.ports import Run
from shared.errors import ServerUnavailable

log = logging.getLogger(__name__)


class Choosing:
    def __init__(
        self,
        nav: Navigation,
        catalog: Catalog,
        issuer: Issuer,
        checkin: CheckIn,
        link: ServerLink,
        run: Run,
        ask: PhoneAsk,
    ):
        self.nav = nav
        self.catalog = catalog
        self.issuer = issuer
        self.checkin = checkin
        self.ask = ask
        self.link = link
        self.run = run
        self.asking = False  # a call for help is on its way

    def agency(self, code: str) -> None:
        """A tile of the first screen: an agency, or the check-in tile."""
        nav, services = self.nav, self.catalog.services
        nav.touched()
        if nav.screen == "home" and code == view.HELP:  # help needs no printer
            self.help()
            return
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
        """The regular or the priority queue: the ticket is issued and printed, or for the
        priority the visitor first says who it is for (when the site has groups)."""
        self.nav.touched()
        if self.nav.screen != "priority" or self.nav.service is None:
            return
        services = self.catalog.services
        if priority and services is not None and services.priority_groups:
            self.nav.show("group")
            return
        self._take(self.nav.service.code, priority)

    def group(self, code: str) -> None:
        """Who the priority is for (lansia, disabilitas...): the ticket records it."""
        self.nav.touched()
        services = self.catalog.services
        if self.nav.screen != "group" or self.nav.service is None or services is None:
            return
        if any(g.code == code for g in services.priority_groups):
            self._take(self.nav.service.code, True, code)

    def _take(self, service: str, priority: bool, group: str | None = None) -> None:
        """Issue, or first ask for a number when the site sends messages."""
        services = self.catalog.services
        if services is not None and services.messages:
            self.ask.open(service, priority, group)
        else:
            self.issuer.issue(service, priority, group=group)

    def help(self) -> None:
        """ "Butuh bantuan": every counter and the floor are told this kiosk needs an
        officer; the visitor is told one is coming (or, with no server, to ask at a desk).
        On the done screen it is "petugas menghampiri": the call names the ticket just
        printed, so the officer finds its holder."""
        self.nav.touched()
        client = self.link.client
        if self.asking or client is None or not self.link.up:
            return
        ticket = self.issuer.ticket if self.nav.screen == "done" else None
        self.asking = True

        def done(_answer: object, exc: BaseException | None) -> None:
            self.asking = False
            if exc is None and ticket is not None:
                self.nav.show_notice("help_coming_ticket", {"code": ticket.code})
                return
            if exc is None:
                self.nav.show_notice("help_coming")
                return
            log.warning("asking for help failed: %s", exc)
            if isinstance(exc, ServerUnavailable):
                self.link.lost()
            self.nav.show_notice("server_down")

        ticket_id = ticket.id if ticket is not None else None
        self.run(lambda: client.ask_help("", ticket_id), done)
