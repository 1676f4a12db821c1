"""Which screen the kiosk shows, in which language, for which agency and service.

Screens: connecting, home, services, priority, group (who the priority is for), phone,
checkin, printing, done, notice, config_error. The kiosk goes home for the next
visitor when a result has been read, or when a visitor walked away half way.
"""

from __future__ import annotations

from collections.abc import Callable

from kiosk.ports import Changed
from shared.config import KioskConfig
from shared.models import AgencyInfo, ServiceInfo, ServicesAnswer

# half way through: a visitor who stops touching has walked away
CHOOSING = ("services", "priority", "group", "phone", "checkin")
RESULTS = ("done", "notice")
# no home button: nothing works yet, or nothing will until the config is fixed
NO_HOME = ("config_error", "connecting")


class Navigation:
    def __init__(
        self,
        settings: KioskConfig,
        grace_seconds: float,
        clock: Callable[[], float],
        changed: Changed,
    ) -> None:
        self.settings = settings
        self.grace_seconds = grace_seconds  # a second tap must not dismiss a result
        self.clock = clock
        self.changed = changed
        self.screen = "connecting"
        self.lang = settings.language
        self.agency: AgencyInfo | None = None
        self.service: ServiceInfo | None = None
        self.notice = ""  # the message on the notice screen (a text key)
        self.notice_values: dict[str, object] = {}  # what its text says (a time, a date)
        self.config_problem = ""  # "no_printer", "no_token": the config_error screen's
        self._last_touch = clock()
        self._shown_at = clock()

    def show(self, screen: str) -> None:
        self.screen = screen
        self._shown_at = self.clock()
        self.changed()

    def show_notice(self, key: str, values: dict[str, object] | None = None) -> None:
        self.notice, self.notice_values = key, values or {}
        self.show("notice")

    def config_error(self, problem: str) -> None:
        """Nothing works until a technician fixes the config: say what to fix."""
        self.config_problem = problem
        self.show("config_error")

    def touched(self) -> None:
        """Any touch anywhere: the idle timer starts again."""
        self._last_touch = self.clock()

    def toggle_language(self) -> None:
        self.touched()
        self.lang = "en" if self.lang == "id" else "id"
        self.changed()

    def home(self, new_visitor: bool = False) -> None:
        if self.screen in NO_HOME:
            return
        if new_visitor:
            self.lang = self.settings.language
        self.agency = self.service = None
        self.show("home")

    def back(self) -> None:
        self.touched()
        if self.screen == "group" or (
            self.screen == "phone" and self.service is not None and self.service.priority_allowed
        ):
            self.show("priority")
        elif self.screen in ("priority", "phone") and self.agency and len(self.agency.services) > 1:
            self.service = None
            self.show("services")
        else:
            self.home()

    def touch_result(self) -> None:
        """A touch on the done or notice screen: home, unless it is the tail of a double tap."""
        self.touched()
        if self.clock() - self._shown_at >= self.grace_seconds:
            self.home(new_visitor=True)

    def renew(self, services: ServicesAnswer) -> None:
        """A fresh answer from the server: the agency shown as it has it now."""
        if self.agency is not None:
            code = self.agency.code
            self.agency = next((a for a in services.agencies if a.code == code), self.agency)

    def tick(self, now: float) -> None:
        """Home for the next visitor when a result was shown long enough, or when the
        visitor walked away half way (or left the first screen in another language)."""
        idle = now - self._last_touch >= self.settings.idle_seconds
        shown = now - self._shown_at
        result_over = self.screen in RESULTS and shown >= max(
            self.settings.done_seconds, self.grace_seconds
        )
        walked_away = idle and (
            self.screen in CHOOSING
            or (self.screen == "home" and self.lang != self.settings.language)
        )
        if result_over or walked_away:
            self.home(new_visitor=True)
