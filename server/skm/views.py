"""What the SKM pages show, computed here so templates only lay it out (docs/ARCHITECTURE.md)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from server.queue.site import Site
from server.queue.wire import ticket_wire
from server.skm.questions import Question, questions
from server.skm.rules import answered, follow_transfers
from server.skm.words import PROFILE_CHOICES, word
from shared.i18n import queue_lines, tr
from shared.models import Ticket, TicketStatus


@dataclass(frozen=True)
class Choice:
    name: str  # the form field
    label: str
    options: list[tuple[str, str]]  # (value, label), the first one empty


@dataclass
class TicketPage:
    ticket: Ticket
    status_line: str
    ahead_line: str = ""
    wait_line: str = ""
    refresh_seconds: int = 0  # 0: the page stays (done: the survey is being filled in)
    survey: bool = False  # the survey's form is shown
    answered: bool = False
    questions: list[Question] = field(default_factory=list)
    profile: list[Choice] = field(default_factory=list)


def profile_choices(lang: str) -> list[Choice]:
    return [
        Choice(
            name,
            word(label, lang),
            [("", word("skm_choose", lang))]
            + [(c.value, word(f"{prefix}_{c.value}", lang)) for c in choices],
        )
        for name, label, prefix, choices in PROFILE_CHOICES
    ]


REFRESH_SECONDS = 15


def ticket_page(s: Session, site: Site, ticket_id: int, lang: str) -> TicketPage | None:
    """The visitor's page: where the ticket stands, then (done) the survey or the thanks."""
    row = follow_transfers(s, ticket_id)
    if row is None or row.service not in site.services:
        return None
    ticket = ticket_wire(s, site, row)
    counter = ticket.counter_name or tr("counter", lang)
    status = TicketStatus(ticket.status)
    view = TicketPage(ticket, word(f"tp_{status.value}", lang, counter=counter))
    if status == TicketStatus.WAITING:
        view.refresh_seconds = REFRESH_SECONDS
        # the kiosk's screen and the printed ticket's two lines: one truth in three places
        view.ahead_line, view.wait_line = queue_lines(
            ticket.ahead, ticket.counters_open, ticket.estimated_wait_minutes, lang
        )
    elif status in (TicketStatus.CALLED, TicketStatus.SERVING):
        view.refresh_seconds = REFRESH_SECONDS
    elif status == TicketStatus.DONE:
        view.answered = answered(s, row.id)
        if not view.answered:
            view.survey = True
            view.questions = questions(s, lang)
            view.profile = profile_choices(lang)
    return view
