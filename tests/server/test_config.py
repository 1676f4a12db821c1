"""The site file: the sample loads; mistakes are named with their field."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shared.config import load_config, parse_config, sample_path
from shared.errors import ConfigError
from shared.schedule import open_state
from shared.timeutil import business_day, format_date

SAMPLE = sample_path().read_text()


def test_sample_site_is_jombang() -> None:
    c = load_config(None)
    assert c.site.name == "MPP Kabupaten Jombang" and c.site.timezone == "Asia/Jakarta"
    assert len(c.agencies) == 12
    assert all(1 <= sum(x.agency == a.code for x in c.counters) <= 3 for a in c.agencies)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('services = ["AK1"]', 'services = ["NOPE"]'), "unknown service 'NOPE'"),
        (('prefix = "M"', 'prefix = "A"'), "both use prefix 'A'"),
        (('monday = ["08:00-15:00"]', 'monday = ["15:00-08:00"]'), "ends before it starts"),
        (('monday = ["08:00-15:00"]', 'monday = ["8-15"]'), "not a time range"),
        (('timezone = "Asia/Jakarta"', 'timezone = "Asia/Jombang"'), "unknown time zone"),
        (('agency = "DISNAKER"', 'agency = "DINAS"'), "unknown agency 'DINAS'"),
        (("\n[queue]\n", "\n[queue]\nbogus = 1\n"), "queue.bogus"),
        (('ticket_format = "{prefix}{number:03d}"', 'ticket_format = "{kode}"'), "ticket_format"),
    ],
)
def test_mistakes_are_named(change: tuple[str, str], message: str) -> None:
    old, new = change
    assert old in SAMPLE
    with pytest.raises(ConfigError) as exc:
        parse_config(SAMPLE.replace(old, new, 1), "site.toml")
    assert message in str(exc.value) and "site.toml" in str(exc.value)


def test_unreadable_and_invalid_files(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[site\nname=")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(bad)


def wib(day: int, hour: int, minute: int = 0) -> datetime:
    """A time in Jombang in Nov/Dec 2026, given as UTC (WIB = UTC+7)."""
    return (
        datetime(2026, 11, day, hour - 7, minute, tzinfo=UTC)
        if hour >= 7
        else datetime(2026, 11, day - 1, hour + 17, minute, tzinfo=UTC)
    )


@pytest.mark.parametrize(
    ("when", "is_open", "reason", "opens"),
    [
        (wib(30, 9), True, None, None),  # Monday 09:00
        (wib(30, 7, 30), False, "closed", "2026-11-30T08:00"),  # before opening
        (wib(30, 14, 40), False, "cutoff", "2026-12-01T08:00"),  # last 30 minutes
        (wib(30, 15, 10), False, "closed", "2026-12-01T08:00"),
        (wib(27, 12, 0), False, "break", "2026-11-27T13:00"),  # Friday prayer
        (wib(27, 13, 30), True, None, None),
        (wib(27, 14, 10), False, "cutoff", "2026-11-30T08:00"),  # Friday closes 14:30
        (wib(28, 10), False, "closed", "2026-11-30T08:00"),  # Saturday
    ],
)
def test_opening_hours(
    when: datetime, is_open: bool, reason: str | None, opens: str | None
) -> None:
    c = load_config(None)
    state = open_state(c.schedule, c.site.tz, when)
    assert (state.open, state.reason) == (is_open, reason)
    got = state.opens_at.strftime("%Y-%m-%dT%H:%M") if state.opens_at else None
    assert got == opens


def test_holiday_and_business_day_in_local_time() -> None:
    c = load_config(None)
    christmas = datetime(2026, 12, 25, 3, 0, tzinfo=UTC)  # Friday 10:00 WIB, a holiday
    state = open_state(c.schedule, c.site.tz, christmas)
    assert state.reason == "holiday" and state.opens_at is not None
    assert state.opens_at.date().isoformat() == "2026-12-28"
    # 18:00 UTC on the 29th is already the 30th in Jombang.
    assert business_day(c.site.tz, datetime(2026, 11, 29, 18, 0, tzinfo=UTC)).day == 30
    assert format_date(datetime(2024, 12, 13)) == "Jumat, 13 Desember 2024"


def test_one_off_dates_change_the_hours_or_close_the_day() -> None:
    c = load_config(None)
    c.schedule.dates = {
        datetime(2026, 12, 1).date(): [],  # a Tuesday, closed
        datetime(2026, 12, 2).date(): parse_config(
            '[schedule.week]\nmonday = "10:00-12:00"'
        ).schedule.week["monday"],
    }
    tuesday_9am = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    closed = open_state(c.schedule, c.site.tz, tuesday_9am)
    assert not closed.open and closed.reason == "holiday"
    assert closed.opens_at is not None and closed.opens_at.hour == 10  # the changed day
    wednesday_9am = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)
    assert open_state(c.schedule, c.site.tz, wednesday_9am).reason == "closed"
    assert open_state(c.schedule, c.site.tz, datetime(2026, 12, 2, 3, 30, tzinfo=UTC)).open


@pytest.mark.parametrize(
    ("sessions", "message"),
    [
        ('[{range = "08:00-10:00", places = 150}, {range = "10:00-12:00", places = 60}]', "quota"),
        ('[{range = "08:00-10:00", places = 5}, {range = "09:00-11:00", places = 5}]', "overlap"),
        ('[{range = "10:00-09:00", places = 5}]', "ends before"),
    ],
)
def test_booking_sessions_are_checked(sessions: str, message: str) -> None:
    text = sample_path().read_text(encoding="utf-8")
    text = text.replace(
        'prefix = "A"\n  quota = 200', f'prefix = "A"\n  quota = 200\n  sessions = {sessions}'
    )
    with pytest.raises(ConfigError, match=message):
        parse_config(text)
