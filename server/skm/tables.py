"""The SKM room's tables (on server.store.tables.Base, runtime/schema.py; migration 0007)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, Index, Integer, SmallInteger, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from server.store.tables import Base, UTCDateTime

SCORE_COLUMNS = tuple(f"u{i}" for i in range(1, 10))


class SurveyRow(Base):
    """One answered survey: anonymous (no name, no NIK), at most one per served ticket.

    The ticket's service, agency, counter, officer and wait are copied in when it is
    answered, so results group and filter on this table alone (and survive a rename).
    """

    __tablename__ = "skm_surveys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    site_id: Mapped[int] = mapped_column(Integer, server_default=text("1"))
    ticket_id: Mapped[int] = mapped_column(Integer, unique=True)
    business_day: Mapped[date] = mapped_column(Date)  # the ticket's
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    channel: Mapped[str] = mapped_column(String(8))  # tablet | phone
    u1: Mapped[int] = mapped_column(SmallInteger)
    u2: Mapped[int] = mapped_column(SmallInteger)
    u3: Mapped[int] = mapped_column(SmallInteger)
    u4: Mapped[int] = mapped_column(SmallInteger)
    u5: Mapped[int] = mapped_column(SmallInteger)
    u6: Mapped[int] = mapped_column(SmallInteger)
    u7: Mapped[int] = mapped_column(SmallInteger)
    u8: Mapped[int] = mapped_column(SmallInteger)
    u9: Mapped[int] = mapped_column(SmallInteger)
    age_group: Mapped[str | None] = mapped_column(String(16))
    sex: Mapped[str | None] = mapped_column(String(16))
    education: Mapped[str | None] = mapped_column(String(16))
    occupation: Mapped[str | None] = mapped_column(String(16))
    suggestion: Mapped[str | None] = mapped_column(Text)  # plain text, never markup
    service: Mapped[str] = mapped_column(String(32))
    agency: Mapped[str] = mapped_column(String(32))
    counter: Mapped[str | None] = mapped_column(String(32))
    officer: Mapped[str | None] = mapped_column(String(64))  # username, when known
    wait_minutes: Mapped[int | None] = mapped_column(Integer)
    target_minutes: Mapped[int] = mapped_column(Integer)  # the service's, when answered
    within_target: Mapped[bool | None] = mapped_column()

    __table_args__ = (
        *(
            CheckConstraint(f"{c} BETWEEN 1 AND 4", name=f"ck_skm_surveys_{c}")
            for c in SCORE_COLUMNS
        ),
        # Every result reads a period of one site; the suggestions list reads it newest first.
        Index("ix_skm_surveys_day", "site_id", "business_day"),
    )


class QuestionRow(Base):
    """A site's own wording of one unsur's question and its four answers, in one language."""

    __tablename__ = "skm_questions"

    site_id: Mapped[int] = mapped_column(Integer, primary_key=True, server_default=text("1"))
    unsur: Mapped[int] = mapped_column(Integer, primary_key=True)  # 1..9
    lang: Mapped[str] = mapped_column(String(2), primary_key=True)  # id | en
    question: Mapped[str] = mapped_column(String(300))
    a1: Mapped[str] = mapped_column(String(80))
    a2: Mapped[str] = mapped_column(String(80))
    a3: Mapped[str] = mapped_column(String(80))
    a4: Mapped[str] = mapped_column(String(80))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[str | None] = mapped_column(String(64))


__all__ = ["SCORE_COLUMNS", "QuestionRow", "SurveyRow"]


class ActionRow(Base):
    """One follow-up action (rencana tindak lanjut) of a period's SKM result for a unit:
    what, who, by when, its status and the evidence of it done (a note)."""

    __tablename__ = "skm_actions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    site_id: Mapped[int] = mapped_column(Integer, server_default=text("1"))
    period_from: Mapped[date] = mapped_column(Date)
    period_to: Mapped[date] = mapped_column(Date)
    unit: Mapped[str] = mapped_column(String(48))  # site | agency:CODE | service:CODE
    unsur: Mapped[int] = mapped_column(Integer)  # 1..9: the unsur it answers
    what: Mapped[str] = mapped_column(Text)
    who: Mapped[str] = mapped_column(String(80))
    due: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))  # planned | in_progress | done
    evidence: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_skm_actions_unit", "site_id", "unit", "period_from"),)
