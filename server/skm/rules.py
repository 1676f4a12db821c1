"""The survey's rules: who may answer for which ticket, what an answer may hold, and storing it.

One answer per served ticket (409 after, and for a ticket not done); anonymous (the
optional profile is four choices, never a name or a NIK); nine scores of 1 to 4; the
suggestion plain text of at most SUGGESTION_MAX characters. A survey tablet answers only
for tickets finished at its own counter; the visitor's phone proves the ticket with the
page token (server/queue/pages.py) before it gets here. The JSON API and the pages both
call make_entry and record: nothing is decided twice.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.problems import Problem, conflict, not_found
from server.queue.site import Site
from server.skm.results import SCORE_MAX, SCORE_MIN, UNSUR_COUNT
from server.skm.tables import SurveyRow
from server.skm.text import plain_text
from server.store.db import Store
from server.store.tables import SessionRow, TicketRow
from shared.models import TicketStatus

log = logging.getLogger(__name__)

SUGGESTION_MAX = 1000
Channel = Literal["tablet", "phone"]


class AgeGroup(StrEnum):
    UNDER_20 = "under_20"
    FROM_20 = "20_29"
    FROM_30 = "30_39"
    FROM_40 = "40_49"
    FROM_50 = "50_59"
    FROM_60 = "60_plus"


class Sex(StrEnum):
    MALE = "male"
    FEMALE = "female"


class Education(StrEnum):
    SD = "sd"
    SMP = "smp"
    SMA = "sma"
    D1_D3 = "d1_d3"
    S1 = "s1"
    S2_PLUS = "s2_plus"


class Occupation(StrEnum):
    CIVIL_SERVANT = "civil_servant"  # PNS
    MILITARY_POLICE = "military_police"  # TNI/Polri
    PRIVATE = "private"  # Swasta
    SELF_EMPLOYED = "self_employed"  # Wiraswasta
    STUDENT = "student"  # Pelajar/Mahasiswa
    OTHER = "other"  # Lainnya


PROFILE_FIELDS: dict[str, type[StrEnum]] = {
    "age_group": AgeGroup,
    "sex": Sex,
    "education": Education,
    "occupation": Occupation,
}


@dataclass(frozen=True)
class Profile:
    age_group: AgeGroup | None = None
    sex: Sex | None = None
    education: Education | None = None
    occupation: Occupation | None = None


@dataclass(frozen=True)
class Entry:
    """A checked answer, ready to store."""

    ticket_id: int
    answers: tuple[int, ...]
    channel: Channel
    counter: str | None  # the survey tablet's counter; None: the visitor, by the page token
    profile: Profile = field(default_factory=Profile)
    suggestion: str | None = None


@dataclass(frozen=True)
class Recorded:
    id: int
    ticket_id: int
    code: str
    channel: Channel
    answered_at: datetime


def clean_answers(values: object) -> tuple[int, ...]:
    """Exactly nine whole numbers from 1 to 4 (true/false and "3" are not numbers)."""
    if not isinstance(values, Sequence) or isinstance(values, str | bytes):
        raise Problem(422, "invalid_answers", "answers: a list of nine scores", field="answers")
    if len(values) != UNSUR_COUNT:
        raise Problem(
            422,
            "invalid_answers",
            f"answers: exactly {UNSUR_COUNT} scores, got {len(values)}",
            field="answers",
        )
    for i, v in enumerate(values):
        if type(v) is not int or not SCORE_MIN <= v <= SCORE_MAX:
            raise Problem(
                422,
                "invalid_answers",
                f"answers.{i}: a whole number from {SCORE_MIN} to {SCORE_MAX}",
                field=f"answers.{i}",
            )
    return tuple(int(v) for v in values)


def answers_from_form(values: Sequence[str]) -> tuple[int, ...]:
    """A form's fields are text: digits become numbers, then the same rule decides."""
    return clean_answers([int(v) if v.isascii() and v.isdigit() else v for v in values])


def clean_profile(values: Mapping[str, object] | None) -> Profile:
    """The optional profile: each field empty or one of its choices; nothing else accepted."""
    if not values:
        return Profile()
    unknown = sorted(set(values) - set(PROFILE_FIELDS))
    if unknown:
        raise Problem(
            422, "invalid_profile", f"profile: unknown field {unknown[0]}", field="profile"
        )
    chosen: dict[str, StrEnum | None] = {}
    for name, kind in PROFILE_FIELDS.items():
        value = values.get(name)
        if value is None or value == "":
            chosen[name] = None
            continue
        try:
            if not isinstance(value, str):
                raise ValueError(value)
            chosen[name] = kind(value)
        except ValueError:
            choices = ", ".join(k.value for k in kind)
            raise Problem(
                422,
                "invalid_profile",
                f"profile.{name}: one of {choices}",
                field=f"profile.{name}",
            ) from None
    return Profile(**chosen)  # type: ignore[arg-type]


def clean_suggestion(value: object) -> str | None:
    if value is None:
        return None
    text = plain_text(value, SUGGESTION_MAX, "suggestion")
    return text or None


def make_entry(
    ticket_id: int,
    answers: object,
    *,
    channel: Channel,
    counter: str | None,
    profile: Mapping[str, object] | None = None,
    suggestion: object = None,
) -> Entry:
    """Check everything that does not need the database; 422 with the field otherwise."""
    if channel == "tablet" and not counter:
        raise Problem(403, "counter_required", "A survey tablet answers for its own counter.")
    return Entry(
        ticket_id=ticket_id,
        answers=clean_answers(answers),
        channel=channel,
        counter=counter,
        profile=clean_profile(profile),
        suggestion=clean_suggestion(suggestion),
    )


def survey_counter(
    role: str, bound: str | None, asked: str | None, *, demo_any: bool, known: Collection[str]
) -> str:
    """The counter a survey tablet answers for: the one its device is bound to; the demo
    tablet (`demo-survey`, bound to none) says which with ?counter=."""
    if role != "survey":
        raise Problem(403, "forbidden", f"A {role} may not answer a survey.")
    if bound:
        if asked and asked != bound:
            raise Problem(
                403, "counter_not_allowed", f"This survey tablet is for {bound}, not {asked}."
            )
        return bound
    if demo_any and asked is not None and asked in known:
        return asked
    if demo_any:
        raise Problem(422, "counter_required", "Say which counter: ?counter=L01.", field="counter")
    raise Problem(403, "counter_required", "This survey tablet is bound to no counter.")


def officer_at(s: Session, counter: str, at: datetime) -> str | None:
    """Who was signed in at `counter` at `at`: the latest session opened there before it."""
    return s.scalar(
        select(SessionRow.username)
        .where(
            SessionRow.counter == counter,
            SessionRow.kind == "counter",
            SessionRow.created_at <= at,
            SessionRow.expires_at > at,
        )
        .order_by(SessionRow.created_at.desc(), SessionRow.id.desc())
        .limit(1)
    )


# A transfer makes a new entry with the same code; a page follows it at most this far.
MAX_TRANSFERS = 20


def follow_transfers(s: Session, ticket_id: int) -> TicketRow | None:
    """The ticket now standing for `ticket_id`: itself, or the entry it was transferred to."""
    row = s.get(TicketRow, ticket_id)
    for _ in range(MAX_TRANSFERS):
        if row is None or row.status != TicketStatus.TRANSFERRED:
            return row
        # (business_day, code) is indexed; the copy keeps both.
        following = s.scalar(
            select(TicketRow)
            .where(
                TicketRow.business_day == row.business_day,
                TicketRow.code == row.code,
                TicketRow.transferred_from == row.id,
            )
            .limit(1)
        )
        if following is None:
            return row
        row = following
    return row


# A survey tablet answers for the ticket last finished at its counter, within this many
# minutes of its finish: the visitor who was just served, not any unanswered ticket of
# the day (the visitor's own phone, by the page's token, has no such window).
TABLET_MINUTES = 10


def check_ticket(
    s: Session, ticket_id: int, counter: str | None, now: datetime | None = None
) -> TicketRow:
    """The ticket this answer is for, if it may be answered now (404, 403, 409 otherwise)."""
    row = s.get(TicketRow, ticket_id)
    if row is None:
        raise not_found("ticket", ticket_id)
    if counter is not None and row.counter != counter:
        raise Problem(
            403,
            "counter_not_allowed",
            f"This survey tablet is for {counter}; ticket {row.code} was not served there.",
        )
    if row.status != TicketStatus.DONE:
        raise conflict("ticket_not_done", f"Ticket {row.code} is {row.status}, not done yet.")
    if counter is not None and now is not None and row.finished_at is not None:
        later = s.scalar(
            select(TicketRow.id)
            .where(
                TicketRow.business_day == row.business_day,
                TicketRow.counter == counter,
                TicketRow.finished_at > row.finished_at,
            )
            .limit(1)
        )
        if later is not None:
            raise conflict(
                "not_the_last_ticket",
                f"Ticket {row.code} is not the last one finished at {counter}.",
            )
        if now - row.finished_at > timedelta(minutes=TABLET_MINUTES):
            raise conflict(
                "survey_window_over",
                f"Ticket {row.code} was finished over {TABLET_MINUTES} minutes ago.",
            )
    if s.scalar(select(SurveyRow.id).where(SurveyRow.ticket_id == ticket_id)) is not None:
        raise conflict("already_answered", f"The survey for ticket {row.code} is already in.")
    return row


def pending_for(s: Session, counter: str, now: datetime) -> TicketRow | None:
    """The ticket a survey tablet at `counter` should ask about when its page (re)opens:
    the last one finished there, within TABLET_MINUTES, not yet answered; else None."""
    row = s.scalar(
        select(TicketRow)
        .where(
            TicketRow.counter == counter,
            TicketRow.finished_at.is_not(None),
            TicketRow.finished_at >= now - timedelta(minutes=TABLET_MINUTES),
        )
        .order_by(TicketRow.finished_at.desc())
        .limit(1)
    )
    if row is None or row.status != TicketStatus.DONE or answered(s, row.id):
        return None
    return row


def record(store: Store, site: Site, entry: Entry, now: datetime) -> Recorded:
    """Store one answer with what it is about (service, agency, counter, officer, wait).

    Run as a serialised write (the writer thread): the check and the insert cannot be
    split by a second answer for the same ticket; the unique ticket_id backs that.
    """
    with store.write() as s:
        ticket_id = entry.ticket_id
        if entry.counter is None:  # the visitor's page token names the ticket first issued
            found = follow_transfers(s, ticket_id)
            ticket_id = found.id if found is not None else ticket_id
        row = check_ticket(s, ticket_id, entry.counter, now)
        known = site.services.get(row.service)
        agency = known[0].code if known else ""
        target = known[1].target_minutes if known else 0
        wait_minutes: int | None = None
        within: bool | None = None
        if row.called_at is not None:
            waited = (row.called_at - row.queued_at).total_seconds()
            wait_minutes = max(0, int(waited // 60))
            within = waited <= target * 60 if target else None
        officer = None
        if row.counter is not None and row.finished_at is not None:
            officer = officer_at(s, row.counter, row.finished_at)
        p = entry.profile
        survey = SurveyRow(
            ticket_id=row.id,
            business_day=row.business_day,
            answered_at=now,
            channel=entry.channel,
            **{f"u{i + 1}": score for i, score in enumerate(entry.answers)},
            age_group=p.age_group,
            sex=p.sex,
            education=p.education,
            occupation=p.occupation,
            suggestion=entry.suggestion,
            service=row.service,
            agency=agency,
            counter=row.counter,
            officer=officer,
            wait_minutes=wait_minutes,
            target_minutes=target,
            within_target=within,
        )
        s.add(survey)
        s.flush()
        log.info("survey for ticket %s (%s) recorded", row.code, entry.channel)
        return Recorded(survey.id, row.id, row.code, entry.channel, now)


def answered(s: Session, ticket_id: int) -> bool:
    return s.scalar(select(SurveyRow.id).where(SurveyRow.ticket_id == ticket_id)) is not None
