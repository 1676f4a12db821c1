"""What the TV reads from the server (GET /board, WS /events), read from JSON by hand.

The display needs a few fields of a few answers. Reading them here instead of
through shared/models.py keeps pydantic (and its models, ~10 MB) out of the TV.
The names match the wire models'; a missing or mistyped field raises WireError.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from shared.api import CounterStatus, EventType, TicketStatus


class WireError(ValueError):
    """An answer or event that is not what API v1 sends."""


@dataclass(frozen=True, slots=True)
class Ticket:
    id: int
    code: str
    service: str
    service_name: str
    agency: str
    agency_name: str
    status: TicketStatus
    counter: str | None = None
    counter_name: str | None = None
    business_day: date | None = None  # None only from a server older than the field


@dataclass(frozen=True, slots=True)
class CounterInfo:
    code: str
    name: str
    agency: str
    agency_name: str
    status: CounterStatus
    services: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CounterState(CounterInfo):
    ticket: Ticket | None = None


@dataclass(frozen=True, slots=True)
class WaitingCount:
    service: str
    agency: str
    waiting: int
    service_name: str = ""
    stop_reason: str | None = None  # stopped for the rest of the day, and why


@dataclass(frozen=True, slots=True)
class Board:
    seq: int
    time: datetime
    counters: list[CounterState]
    recent: list[Ticket]
    waiting: list[WaitingCount]
    running_text: str = ""  # the site's; "" leaves the TV its own marquee
    publish: bool = False  # the site's tv_publish: show GET /info between calls


@dataclass(frozen=True, slots=True)
class Event:
    seq: int
    type: EventType
    at: datetime
    ticket: Ticket | None = None
    counter: CounterInfo | None = None


def _get(d: dict[str, Any], key: str, kind: type | tuple[type, ...]) -> Any:
    value = d.get(key)
    # bool is an int in Python, never on this wire
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
        raise WireError(f"{key}: expected {getattr(kind, '__name__', kind)}, got {value!r:.80}")
    return value


def _opt_str(d: dict[str, Any], key: str) -> str | None:
    value = d.get(key)
    if value is not None and not isinstance(value, str):
        raise WireError(f"{key}: expected a string or null, got {value!r:.80}")
    return value


def _time(d: dict[str, Any], key: str) -> datetime:
    try:
        at = datetime.fromisoformat(_get(d, key, str))
    except ValueError as exc:
        raise WireError(f"{key}: not an ISO 8601 time") from exc
    if at.tzinfo is None:
        raise WireError(f"{key}: a time without its offset")
    return at


def _opt_date(d: dict[str, Any], key: str) -> date | None:
    value = _opt_str(d, key)
    try:
        return date.fromisoformat(value) if value is not None else None
    except ValueError as exc:
        raise WireError(f"{key}: not an ISO 8601 date") from exc


def _dict(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise WireError(f"{what}: expected an object, got {value!r:.80}")
    return value


def _enum(kind: Any, d: dict[str, Any], key: str) -> Any:
    try:
        return kind(_get(d, key, str))
    except ValueError as exc:
        raise WireError(f"{key}: unknown value {d.get(key)!r:.40}") from exc


def ticket(value: Any) -> Ticket:
    d = _dict(value, "ticket")
    return Ticket(
        id=_get(d, "id", int),
        code=_get(d, "code", str),
        service=_get(d, "service", str),
        service_name=_get(d, "service_name", str),
        agency=_get(d, "agency", str),
        agency_name=_get(d, "agency_name", str),
        status=_enum(TicketStatus, d, "status"),
        counter=_opt_str(d, "counter"),
        counter_name=_opt_str(d, "counter_name"),
        business_day=_opt_date(d, "business_day"),
    )


def counter_info(value: Any) -> CounterInfo:
    d = _dict(value, "counter")
    return CounterInfo(
        code=_get(d, "code", str),
        name=_get(d, "name", str),
        agency=_get(d, "agency", str),
        agency_name=_get(d, "agency_name", str),
        status=_enum(CounterStatus, d, "status"),
        services=tuple(str(code) for code in d.get("services") or ()),
    )


def counter_state(value: Any) -> CounterState:
    info = counter_info(value)
    t = value.get("ticket")
    return CounterState(
        info.code,
        info.name,
        info.agency,
        info.agency_name,
        info.status,
        info.services,
        ticket(t) if t is not None else None,
    )


def board(value: Any) -> Board:
    d = _dict(value, "board")
    waiting = []
    for w in _get(d, "waiting", list):
        w = _dict(w, "waiting")
        waiting.append(
            WaitingCount(
                _get(w, "service", str),
                _get(w, "agency", str),
                _get(w, "waiting", int),
                _opt_str(w, "service_name") or "",
                _opt_str(w, "stop_reason"),  # an older server sends none
            )
        )
    return Board(
        seq=_get(d, "seq", int),
        time=_time(d, "time"),
        counters=[counter_state(c) for c in _get(d, "counters", list)],
        recent=[ticket(t) for t in _get(d, "recent", list)],
        waiting=waiting,
        # an older server sends none
        running_text=_opt_str(d, "running_text") or "",
        publish=d.get("publish") is True,
    )


def event(value: Any) -> Event:
    d = _dict(value, "event")
    t, c = d.get("ticket"), d.get("counter")
    return Event(
        seq=_get(d, "seq", int),
        type=_enum(EventType, d, "type"),
        at=_time(d, "at"),
        ticket=ticket(t) if t is not None else None,
        counter=counter_info(c) if c is not None else None,
    )


def parse_event(message: str | bytes) -> Event:
    """One WS /events message (EventStream's `parse`); raises ValueError."""
    return event(json.loads(message))


def parse_board(body: str | bytes) -> Board:
    """The body of GET /board; raises ValueError."""
    return board(json.loads(body))
