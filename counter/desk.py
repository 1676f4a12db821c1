"""The counter as the server last described it: its state and the services' waiting counts.

Plain data with the questions the screens ask of it; nothing here talks to the
server (the link reads, the controller stores the answers here).
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.models import CounterState, ServiceInfo, ServicesAnswer, Ticket


@dataclass
class WaitingRow:
    service: str
    name: str
    waiting: int


class Desk:
    """This counter's state (GET /counters/{code}) and the site's services (GET /services)."""

    def __init__(self, lang: str = "id") -> None:
        self.lang = lang
        self.state: CounterState | None = None
        self.services: ServicesAnswer | None = None

    @property
    def ticket(self) -> Ticket | None:
        """The ticket at the counter now (called or being served)."""
        return self.state.ticket if self.state is not None else None

    def mine(self) -> list[str]:
        """The codes of the services this counter serves."""
        return list(self.state.services) if self.state is not None else []

    def clear(self) -> None:
        """Logged out: no counter (the services stay until the next login reads them)."""
        self.state = None

    def _all(self) -> list[tuple[str, ServiceInfo]]:
        """(agency name, service) for every service of the site, in the server's order."""
        agencies = self.services.agencies if self.services is not None else []
        return [(agency.name, svc) for agency in agencies for svc in agency.services]

    def _name(self, svc: ServiceInfo) -> str:
        return svc.name_en if self.lang == "en" and svc.name_en else svc.name

    def service_name(self, code: str) -> str:
        """A service's name in our language; the code itself when it is not known."""
        return next((self._name(svc) for _, svc in self._all() if svc.code == code), code)

    def transfer_choices(self, query: str = "") -> list[tuple[str, str]]:
        """(service code, "Service - Agency") to transfer to, filtered by a search text."""
        current = self.ticket.service if self.ticket is not None else ""
        words = query.lower().split()
        out: list[tuple[str, str]] = []
        for agency, svc in self._all():
            if svc.code == current:
                continue  # not to the service it is in already
            label = f"{self._name(svc)} - {agency}"
            hay = f"{label} {svc.code} {svc.prefix}".lower()
            if all(w in hay for w in words):
                out.append((svc.code, label))
        return out

    def waiting_rows(self) -> list[WaitingRow]:
        """How many wait for each of this counter's services, in the counter's order."""
        counts = {svc.code: svc for _, svc in self._all()}
        rows = []
        for code in self.mine():
            info = counts.get(code)
            if info is not None:
                rows.append(WaitingRow(code, self._name(info), info.waiting))
        return rows

    def waiting_here(self) -> int:
        """How many wait for this counter's services, by the last counts read."""
        mine = set(self.mine())
        return sum(svc.waiting for _, svc in self._all() if svc.code in mine)
