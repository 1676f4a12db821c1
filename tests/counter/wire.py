"""The server's answers as the counter reads them (shared.models), built by hand for unit tests."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from shared.models import (
    AgencyInfo,
    CounterState,
    CounterStatus,
    ServiceInfo,
    ServicesAnswer,
    Ticket,
    TicketStatus,
)

AT = datetime(2025, 3, 3, 1, 30, tzinfo=UTC)  # 08:30 in Jakarta
DAY = date(2025, 3, 3)


def ticket(
    code: str = "A001", status: TicketStatus = TicketStatus.CALLED, id: int = 1, **kw: Any
) -> Ticket:
    fields: dict[str, Any] = {
        "id": id,
        "code": code,
        "number": int(code[1:]),
        "service": "KTP",
        "service_name": "KTP-el",
        "agency": "DUKCAPIL",
        "agency_name": "Dukcapil",
        "priority": False,
        "status": status,
        "issued_at": AT,
        "counter": "L03",
        "business_day": DAY,
        **kw,
    }
    return Ticket(**fields)


def counter(
    held: Ticket | None = None,
    status: CounterStatus = CounterStatus.OPEN,
    services: tuple[str, ...] = ("KTP", "KK"),
) -> CounterState:
    return CounterState(
        code="L03",
        name="Loket 3",
        agency="DUKCAPIL",
        agency_name="Dukcapil",
        services=list(services),
        status=status,
        ticket=held,
    )


def service(code: str, name: str, name_en: str = "", waiting: int = 0) -> ServiceInfo:
    return ServiceInfo(
        code=code,
        name=name,
        name_en=name_en,
        prefix=code[0],
        priority_allowed=True,
        open_now=True,
        waiting=waiting,
    )


def services(**waiting: int) -> ServicesAnswer:
    """Two agencies: Dukcapil (KTP, KK, AKTA) and the information desk (INFO)."""
    dukcapil = [
        service("KTP", "KTP-el", "ID card", waiting.get("KTP", 0)),
        service("KK", "Kartu Keluarga", "", waiting.get("KK", 0)),
        service("AKTA", "Akta", "Certificates", waiting.get("AKTA", 0)),
    ]
    info = [service("INFO", "Informasi & Pengaduan", "Information", waiting.get("INFO", 0))]
    return ServicesAnswer(
        site="test",
        business_day=DAY,
        agencies=[
            AgencyInfo(code="DUKCAPIL", name="Dukcapil", name_en="", color="#1565C0",
                       services=dukcapil),
            AgencyInfo(code="MPP", name="Pengelola MPP", name_en="", color="#546E7A",
                       services=info),
        ],
    )  # fmt: skip
