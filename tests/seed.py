"""People and devices for tests, made by the product's own functions (server/office/):
the same rules as the console's forms, the API and `antrian officer|admin|device`."""

from __future__ import annotations

from datetime import datetime
from functools import cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.office import devices, people
from server.office.audit import Actor
from server.store.tables import OfficerRow
from shared.config import load_config
from shared.timeutil import utcnow

TESTS = Actor("tests", "technician", "cli")


@cache
def sample_counters() -> frozenset[str]:
    """The bundled sample site's counters (the sites the tests run)."""
    return frozenset(c.code for c in load_config(None).counters)


def add_officer(
    s: Session,
    username: str,
    name: str,
    pin: str | None,
    counters: list[str],
    role: str = "officer",
    *,
    password: str | None = None,
) -> people.PersonView:
    """Add a person (or change one) through office.people.save."""
    exists = s.scalar(select(OfficerRow).where(OfficerRow.username == username))
    change = people.PersonChange(
        username=username,
        name=name,
        role=role,
        counters=counters,
        pin=pin,
        password=password,
        active=True,
    )
    return people.save(s, change, set(sample_counters()), create=exists is None, actor=TESTS)


def add_device(
    s: Session, name: str, role: str, now: datetime | None = None, counter: str | None = None
) -> str:
    """Register a device through office.devices.register; its token."""
    token, _ = devices.register(
        s, name, role, counter, set(sample_counters()), now or utcnow(), actor=TESTS
    )
    return token
