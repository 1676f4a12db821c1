"""The survey's rules on a real database (SQLite and PostgreSQL): who, what, once."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import func, select

from server.problems import Problem
from server.queue.rules import QueueService
from server.queue.site import Site
from server.skm import rules
from server.skm.tables import SurveyRow
from server.store.db import Store
from tests.server.conftest import FakeClock
from tests.server.skm.helpers import serve, sign_in

GOOD = [4, 3, 3, 4, 3, 4, 4, 3, 2]


def count(store: Store) -> int:
    with store.read() as s:
        return int(s.scalar(select(func.count()).select_from(SurveyRow)) or 0)


def answer(
    store: Store, site: Site, clock: FakeClock, ticket: int, counter: str | None = "L03", **kw: Any
) -> rules.Recorded:
    entry = rules.make_entry(
        ticket,
        kw.pop("answers", GOOD),
        channel="tablet" if counter else "phone",
        counter=counter,
        **kw,
    )
    return rules.record(store, site, entry, clock())


def test_an_answer_is_stored_with_what_it_is_about(
    store: Store, site: Site, queue: QueueService, clock: FakeClock
) -> None:
    sign_in(store, clock, "siti", "L03")
    ticket = serve(queue, clock, "KTP", "L03", wait_minutes=12)
    done = answer(
        store,
        site,
        clock,
        ticket,
        profile={"age_group": "60_plus", "sex": "female", "education": "", "occupation": None},
        suggestion="  Pelayanan cepat.\r\nTerima kasih!  ",
    )
    assert (done.ticket_id, done.channel) == (ticket, "tablet")
    with store.read() as s:
        row = s.scalars(select(SurveyRow)).one()
    assert [getattr(row, f"u{i}") for i in range(1, 10)] == GOOD
    assert (row.service, row.agency, row.counter, row.officer) == ("KTP", "DUKCAPIL", "L03", "siti")
    assert (row.wait_minutes, row.target_minutes, row.within_target) == (12, 30, True)
    assert (row.age_group, row.sex, row.education, row.occupation) == (
        "60_plus",
        "female",
        None,
        None,
    )
    assert row.suggestion == "Pelayanan cepat.\nTerima kasih!"
    assert row.channel == "tablet"
    assert row.business_day == queue.today()


def test_a_wait_over_the_target_and_an_unknown_officer(
    store: Store, site: Site, queue: QueueService, clock: FakeClock
) -> None:
    ticket = serve(queue, clock, "IZIN", "L01", wait_minutes=45)
    answer(store, site, clock, ticket, counter=None)
    with store.read() as s:
        row = s.scalars(select(SurveyRow)).one()
    assert (row.wait_minutes, row.within_target, row.officer) == (45, False, None)
    assert (row.channel, row.agency) == ("phone", "DPMPTSP")


def test_one_answer_per_ticket(
    store: Store, site: Site, queue: QueueService, clock: FakeClock
) -> None:
    ticket = serve(queue, clock)
    answer(store, site, clock, ticket)
    with pytest.raises(Problem) as second:
        answer(store, site, clock, ticket, counter=None, answers=[1] * 9)
    assert (second.value.status, second.value.code) == (409, "already_answered")
    assert count(store) == 1


def test_two_answers_for_one_ticket_at_once_make_one(
    store: Store, site: Site, queue: QueueService, clock: FakeClock
) -> None:
    ticket = serve(queue, clock)
    results: list[object] = []
    start = threading.Barrier(4)

    def attempt() -> None:
        start.wait()
        try:
            results.append(answer(store, site, clock, ticket))
        except Problem as exc:
            results.append(exc.status)

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r if isinstance(r, int) else 201 for r in results) == [201, 409, 409, 409]
    assert count(store) == 1


def test_no_answer_for_a_ticket_not_done(
    store: Store, site: Site, queue: QueueService, clock: FakeClock
) -> None:
    waiting = queue.issue("AKTA", False, "waiting-1", None).ticket.id
    called = serve(queue, clock, "KTP", "L04", finish=False)
    for ticket, counter in ((waiting, None), (called, "L04"), (called, None)):
        with pytest.raises(Problem) as refused:
            answer(store, site, clock, ticket, counter=counter)
        assert (refused.value.status, refused.value.code) == (409, "ticket_not_done")
    with pytest.raises(Problem) as unknown:
        answer(store, site, clock, 99_999)
    assert unknown.value.status == 404
    assert count(store) == 0


def test_a_tablet_answers_only_for_its_own_counter(
    store: Store, site: Site, queue: QueueService, clock: FakeClock
) -> None:
    ticket = serve(queue, clock, "KTP", "L03")
    with pytest.raises(Problem) as other:
        answer(store, site, clock, ticket, counter="L04")
    assert (other.value.status, other.value.code) == (403, "counter_not_allowed")
    assert count(store) == 0
    answer(store, site, clock, ticket, counter="L03")
    assert count(store) == 1


@pytest.mark.parametrize(
    "bad",
    [
        [],
        [3] * 8,
        [3] * 10,
        [0, 3, 3, 3, 3, 3, 3, 3, 3],
        [3, 3, 3, 3, 3, 3, 3, 3, 5],
        [3, 3, 3, 3, -1, 3, 3, 3, 3],
        ["3"] * 9,
        [3.0] * 9,
        [True] * 9,
        [None] * 9,
        "333333333",
        {"u1": 3},
        None,
    ],
)
def test_answers_are_nine_scores_of_one_to_four(bad: object) -> None:
    with pytest.raises(Problem) as refused:
        rules.make_entry(1, bad, channel="phone", counter=None)
    assert (refused.value.status, refused.value.code) == (422, "invalid_answers")


def test_form_answers_are_checked_by_the_same_rule() -> None:
    assert rules.answers_from_form(["4"] * 9) == (4,) * 9
    for bad in (["5"] * 9, ["3"] * 8, ["x"] * 9, ["٣"] * 9, [" 3"] * 9):
        with pytest.raises(Problem):
            rules.answers_from_form(bad)


@pytest.mark.parametrize(
    ("suggestion", "code"),
    [
        ("x" * 100_000, "too_long"),
        ("x" * 1001, "too_long"),
        ("<script>alert(1)</script>", "markup_not_allowed"),
        ("Bagus <b>sekali</b>", "markup_not_allowed"),
        ("<!-- komentar -->", "markup_not_allowed"),
        ("< img src=x onerror=alert(1)>", "markup_not_allowed"),
        (42, "invalid_text"),
    ],
)
def test_a_suggestion_that_is_too_long_or_markup_is_refused(suggestion: object, code: str) -> None:
    with pytest.raises(Problem) as refused:
        rules.make_entry(1, GOOD, channel="phone", counter=None, suggestion=suggestion)
    assert (refused.value.status, refused.value.code) == (422, code)


def test_a_suggestion_is_plain_text_cleaned() -> None:
    def cleaned(text: str) -> str | None:
        return rules.make_entry(1, GOOD, channel="phone", counter=None, suggestion=text).suggestion

    assert cleaned("Bagus\x00 sekali\x1b[31m\u202e!") == "Bagus sekali[31m!"
    assert cleaned("nilai 3 < 4 & \"ok\" 'ya'") == "nilai 3 < 4 & \"ok\" 'ya'"
    assert cleaned('=HYPERLINK("http://x","klik")') == '=HYPERLINK("http://x","klik")'
    assert cleaned("a\n\n\n\n\nb\tc") == "a\n\nb c"
    assert cleaned("   \n\t ") is None
    assert cleaned("y" * 1000) == "y" * 1000
    assert cleaned("\ud800 sisa") == "sisa"  # a lone surrogate from JSON


@pytest.mark.parametrize(
    "profile",
    [{"name": "Budi"}, {"nik": "3517000000000001"}, {"sex": "L"}, {"age_group": 70}],
)
def test_the_profile_is_four_choices_and_nothing_else(profile: dict[str, object]) -> None:
    with pytest.raises(Problem) as refused:
        rules.make_entry(1, GOOD, channel="phone", counter=None, profile=profile)
    assert (refused.value.status, refused.value.code) == (422, "invalid_profile")


def test_which_counter_a_survey_tablet_is_for() -> None:
    known = {"L01", "L03"}
    assert rules.survey_counter("survey", "L03", None, demo_any=False, known=known) == "L03"
    assert rules.survey_counter("survey", "L03", "L03", demo_any=False, known=known) == "L03"
    assert rules.survey_counter("survey", None, "L01", demo_any=True, known=known) == "L01"
    for role, bound, asked, demo in (
        ("survey", "L03", "L01", False),  # another counter than its own
        ("survey", None, "L01", False),  # bound to none, outside the demo
        ("kiosk", None, "L01", True),
        ("officer", "L01", "L01", False),
    ):
        with pytest.raises(Problem) as refused:
            rules.survey_counter(role, bound, asked, demo_any=demo, known=known)
        assert refused.value.status == 403
    with pytest.raises(Problem) as unknown:
        rules.survey_counter("survey", None, "L99", demo_any=True, known=known)
    assert unknown.value.status == 422


def test_a_tablet_answers_only_the_ticket_just_finished_at_its_counter(
    store: Store, site: Site, queue: QueueService, clock: FakeClock
) -> None:
    """Not any unanswered ticket finished there hours ago: the last one, within the window."""
    first = serve(queue, clock, "KTP", "L03")
    second = serve(queue, clock, "KTP", "L03")
    older = pytest.raises(Problem)
    with older as refused:
        answer(store, site, clock, first, counter="L03")
    assert (refused.value.status, refused.value.code) == (409, "not_the_last_ticket")
    answer(store, site, clock, first, counter=None)  # the visitor's own phone still may
    third = serve(queue, clock, "KTP", "L03")
    clock.advance(minutes=rules.TABLET_MINUTES, seconds=1)
    with pytest.raises(Problem) as late:
        answer(store, site, clock, third, counter="L03")
    assert (late.value.status, late.value.code) == (409, "survey_window_over")
    assert count(store) == 1
    fourth = serve(queue, clock, "KTP", "L03")
    answer(store, site, clock, fourth, counter="L03")
    assert count(store) == 2
    assert second != fourth
