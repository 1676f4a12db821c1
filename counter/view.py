"""What the counter's screens show, as plain data: `CounterView`, rebuilt after every change."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from counter.desk import Desk, WaitingRow
from counter.flow import ACTIONS, CallFlow
from counter.session import Session
from counter.texts import Say
from shared.models import CounterStatus, HelpOpen, Ticket, TicketStatus
from shared.timeutil import format_time


@dataclass
class CounterView:
    """Plain data the screens show; rebuilt after every change."""

    logged_in: bool = False
    counters: list[str] = field(default_factory=list)  # the server's, "L01 - Loket 1 (Agency)"
    login_error: str = ""
    login_busy: bool = False
    title: str = ""
    officer: str = ""
    connection: str = "connecting"  # connecting | connected | down
    banner: str = ""
    code: str = ""
    ticket_state: str = ""
    service_name: str = ""
    priority: bool = False
    times: str = ""
    waiting: list[WaitingRow] = field(default_factory=list)
    waiting_total: int = 0
    served_today: int = 0
    paused: bool = False
    enabled: dict[str, bool] = field(default_factory=dict)
    busy: str = ""
    message: str = ""
    message_kind: str = "info"  # info | ok | warn | error
    # A visitor asked for help at a kiosk: the notice stays until any officer takes it.
    help_notice: str = ""
    help_id: int | None = None  # the oldest open call, the one "take" takes
    priority_group: str = ""  # who the current priority ticket is for (its name)


def make_view(
    session: Session,
    desk: Desk,
    flow: CallFlow,
    *,
    counters: list[str],
    connection: str,
    say: Say,
    tz: ZoneInfo,
    help_calls: Sequence[HelpOpen] = (),
    group_name: str = "",
) -> CounterView:
    """The view of the counter's parts as they are now."""
    v = CounterView(
        logged_in=session.logged_in,
        counters=list(counters),
        login_error=session.login_error,
        login_busy=session.login_busy,
        connection=connection,
        busy=flow.busy,
        message=flow.message,
        message_kind=flow.message_kind,
    )
    online = connection != "down"
    v.enabled = {
        a: session.logged_in and flow.allowed(a, online=online) for a in (*ACTIONS, "resume")
    }
    if not online:
        v.banner = say("server_down")
    elif flow.status_unknown:
        v.banner = say("status_unknown", action=flow.label(flow.status_unknown))
    state = desk.state
    if state is None or session.officer is None:
        return v
    if help_calls:
        first = help_calls[0]
        v.help_id = first.id
        v.help_notice = say("help_asked", kiosk=first.kiosk)
        if first.note:
            v.help_notice += f" ({first.note})"
        if len(help_calls) > 1:
            v.help_notice += " " + say("help_more", n=len(help_calls) - 1)
    v.title = f"{state.name} - {state.agency_name}"
    v.officer = f"{say('officer')}: {session.officer.name}"
    v.served_today = state.served_today
    v.paused = state.status == CounterStatus.PAUSED
    ticket = state.ticket
    if ticket is not None:
        v.code = ticket.code
        v.service_name = ticket.service_name
        v.priority = ticket.priority
        v.priority_group = group_name
        serving = ticket.status == TicketStatus.SERVING
        v.ticket_state = say("state_serving" if serving else "state_called")
        v.times = _times(ticket, say, tz, desk.lang)
    elif v.paused:
        v.ticket_state = say("state_paused")
    else:
        v.ticket_state = say("no_ticket")
    v.waiting = desk.waiting_rows()
    v.waiting_total = sum(r.waiting for r in v.waiting)
    return v


def _times(ticket: Ticket, say: Say, tz: ZoneInfo, lang: str) -> str:
    """ "Called 09:12 | Ticket taken 08:55 | recalled 2x"."""

    def hm(when: datetime) -> str:
        return format_time(when.astimezone(tz), lang)

    parts = []
    if ticket.called_at is not None:
        parts.append(say("called_at", time=hm(ticket.called_at)))
    parts.append(say("waiting_since", time=hm(ticket.issued_at)))
    if ticket.recalls:
        parts.append(say("recalls", n=ticket.recalls))
    return " | ".join(parts)
