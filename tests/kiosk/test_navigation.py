"""Navigation on its own: which screen, which language, home for the next visitor.

No server and no window: the clock is a number the test moves.
"""

from __future__ import annotations

from datetime import date

import pytest

from kiosk.navigation import Navigation
from shared.config import KioskConfig
from shared.models import AgencyInfo, ServiceInfo, ServicesAnswer

GRACE = 1.0
SETTINGS = KioskConfig(language="id", idle_seconds=45, done_seconds=8)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def service(code: str) -> ServiceInfo:
    return ServiceInfo(code=code, name=code, name_en=code, prefix=code[0],
                       priority_allowed=True, open_now=True, waiting=0)  # fmt: skip


def agency(code: str, *services: str, name: str = "") -> AgencyInfo:
    return AgencyInfo(code=code, name=name or code, name_en=code, color="#1565C0",
                      services=[service(s) for s in services])  # fmt: skip


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def nav(clock: Clock) -> Navigation:
    nav = Navigation(SETTINGS, GRACE, clock, lambda: None)
    nav.show("home")  # connected
    return nav


def test_nothing_takes_the_visitor_home_before_the_kiosk_works(clock: Clock) -> None:
    nav = Navigation(SETTINGS, GRACE, clock, lambda: None)
    nav.home(new_visitor=True)
    assert nav.screen == "connecting"
    nav.config_error("no_token")
    clock.now += 3600
    nav.tick(clock.now)
    nav.home()
    assert (nav.screen, nav.config_problem) == ("config_error", "no_token")


def test_a_visitor_who_walks_away_half_way_leaves_home_in_the_default_language(
    nav: Navigation, clock: Clock
) -> None:
    nav.toggle_language()
    nav.agency = agency("DUKCAPIL", "KTP", "KK")
    nav.show("services")
    clock.now += SETTINGS.idle_seconds - 1
    nav.tick(clock.now)
    assert (nav.screen, nav.lang) == ("services", "en")
    nav.touched()  # still there: the idle time starts again
    clock.now += SETTINGS.idle_seconds - 1
    nav.tick(clock.now)
    assert nav.screen == "services"
    clock.now += 1
    nav.tick(clock.now)
    assert (nav.screen, nav.lang, nav.agency) == ("home", "id", None)
    for half_way in ("priority", "checkin"):
        nav.show(half_way)
        clock.now += SETTINGS.idle_seconds
        nav.tick(clock.now)
        assert nav.screen == "home", half_way
    nav.show("printing")  # not half way: the ticket is coming, whatever the visitor does
    clock.now += SETTINGS.idle_seconds
    nav.tick(clock.now)
    assert nav.screen == "printing"


def test_the_first_screen_left_in_another_language_goes_back_to_the_default(
    nav: Navigation, clock: Clock
) -> None:
    clock.now += 3600
    nav.tick(clock.now)
    assert (nav.screen, nav.lang) == ("home", "id")  # nothing to do: already so
    nav.toggle_language()
    clock.now += SETTINGS.idle_seconds
    nav.tick(clock.now)
    assert (nav.screen, nav.lang) == ("home", "id")


def test_a_result_stays_its_time_and_a_double_taps_tail_does_not_dismiss_it(
    nav: Navigation, clock: Clock
) -> None:
    nav.show_notice("too_early", {"time": "08.00"})
    assert (nav.notice, nav.notice_values) == ("too_early", {"time": "08.00"})
    clock.now += GRACE / 2
    nav.touch_result()  # the second tap of the tap that made it
    assert nav.screen == "notice"
    clock.now += GRACE / 2
    nav.touch_result()
    assert nav.screen == "home"

    nav.show("done")
    clock.now += SETTINGS.done_seconds - 0.1
    nav.tick(clock.now)
    assert nav.screen == "done"
    clock.now += 0.1
    nav.tick(clock.now)
    assert nav.screen == "home"
    nav.show_notice("closed")  # a new notice: nothing left of the last one's values
    assert nav.notice_values == {}


def test_back_from_the_queue_choice_goes_to_the_services_only_when_there_was_a_choice(
    nav: Navigation,
) -> None:
    nav.agency = agency("DUKCAPIL", "KTP", "KK")
    nav.service = nav.agency.services[0]
    nav.show("priority")
    nav.back()
    assert (nav.screen, nav.service, nav.agency.code) == ("services", None, "DUKCAPIL")
    nav.back()
    assert (nav.screen, nav.agency) == ("home", None)

    nav.agency = agency("POLRES", "SKCK")  # one service: its screen was skipped
    nav.service = nav.agency.services[0]
    nav.show("priority")
    nav.back()
    assert (nav.screen, nav.agency, nav.service) == ("home", None, None)


def test_a_fresh_answer_renames_the_agency_shown_and_keeps_one_it_lacks(nav: Navigation) -> None:
    nav.agency = agency("DUKCAPIL", "KTP", name="Dispendukcapil")
    renamed = agency("DUKCAPIL", "KTP", "KK", name="Disdukcapil")
    answer = ServicesAnswer(site="MPP", business_day=date(2026, 1, 5), agencies=[renamed])
    nav.renew(answer)
    assert nav.agency is renamed
    nav.renew(ServicesAnswer(site="MPP", business_day=date(2026, 1, 5), agencies=[]))
    assert nav.agency is renamed
