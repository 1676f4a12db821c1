"""The counter terminal's logic, with no Kivy: session, actions, live state, the sign.

Everything here runs on one thread (the UI thread in the app, the test thread in
tests). Network calls go to a `Worker`; their results come back through `post`,
which the app maps to `Clock.schedule_once`. One action is in flight at a time,
and an action whose answer was lost is never sent again on its own.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol
from zoneinfo import ZoneInfo

from counter.texts import TEXTS
from shared.client import ApiClient, EventStream
from shared.errors import ApiError, ServerUnavailable
from shared.i18n import tr
from shared.models import (
    CounterAnswer,
    CounterState,
    CounterStatus,
    Event,
    EventType,
    Officer,
    ServiceInfo,
    ServicesAnswer,
    SessionAnswer,
    TicketStatus,
)
from shared.timeutil import format_time

if TYPE_CHECKING:
    from shared.client import ServerLocator, Worker

log = logging.getLogger(__name__)

# The officer's actions, in the order of the F-keys (F1..F8); "pause" toggles with resume.
ACTIONS = ("call", "recall", "start", "finish", "skip", "requeue", "transfer", "pause")
TERM_OF = {
    "call": "call_next",
    "recall": "recall",
    "start": "start",
    "finish": "finish",
    "skip": "skip",
    "requeue": "requeue",
    "transfer": "transfer",
    "pause": "pause",
    "resume": "resume",
}
# What the serial call-button keypad sends (shared.devices.ButtonAction) -> our action.
BUTTON_ACTIONS = {
    "next": "call",
    "recall": "recall",
    "no_show": "skip",
    "finish": "finish",
    "start": "start",
    "pause": "pause",
    "resume": "resume",
}
_LOCK_MINUTES = re.compile(r"(\d+)\s*minute")
_PIN = re.compile(r"^[0-9]{4,12}$")

Post = Callable[[Callable[[], object]], None]


class Sign(Protocol):
    """The LED sign above the counter (hardware.sign.CounterSign)."""

    def show(self, code: str, blink: bool = True) -> None: ...

    def clear(self) -> None: ...


@dataclass
class WaitingRow:
    service: str
    name: str
    waiting: int


@dataclass
class CounterView:
    """Plain data the screens show; rebuilt after every change."""

    logged_in: bool = False
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


class CounterController:
    """Owns the officer's session at one counter and keeps it true to the server."""

    def __init__(
        self,
        locator: ServerLocator,
        worker: Worker,
        post: Post,
        *,
        tz: ZoneInfo,
        lang: str = "id",
        live: bool = True,
        timeout: float = 5.0,
        sign: Sign | None = None,
        on_change: Callable[[CounterView], None] | None = None,
    ) -> None:
        self.locator = locator
        # Made on the worker's thread at the first login (finding the server may take a while).
        self.client: ApiClient | None = None
        self.worker = worker
        self.post = post
        self.tz = tz
        self.lang = lang
        self.live = live  # False: no event stream (tests of the request path alone)
        self.timeout = timeout
        self.sign = sign
        self.on_change = on_change
        self.counter_code = ""
        self.officer: Officer | None = None
        self.state: CounterState | None = None
        self.services: ServicesAnswer | None = None
        self.busy = ""
        self.stream_state = "connecting"  # as the event stream last said
        self.http_down = False  # the last request found no server
        self.status_unknown = ""  # the action whose answer was lost, until re-read
        self.login_error = ""
        self.login_busy = False
        self.message = ""
        self.message_kind = "info"
        self.stream: EventStream | None = None
        self.last_seq = 0
        self._pending: set[str] = set()  # "counter", "services": re-reads wanted
        self._refreshing = False
        self._generation = 0  # bumps on login/logout so late answers of an old session drop
        self._sign_shown: tuple[str, int | None, bool] | None = None

    # -- text ---------------------------------------------------------------

    def t(self, key: str, **values: object) -> str:
        return tr(key, self.lang, TEXTS, **values)

    def action_label(self, action: str) -> str:
        return self.t(TERM_OF.get(action, action))

    # -- login / logout -------------------------------------------------------

    @property
    def logged_in(self) -> bool:
        return self.officer is not None

    def login(self, username: str, pin: str, counter: str) -> bool:
        """Start logging in; False (with login_error set) when the form is not filled right."""
        if self.login_busy or self.logged_in:
            return False
        username, pin, counter = username.strip(), pin.strip(), counter.strip()
        error = ""
        if not username:
            error = self.t("need_username")
        elif not counter:
            error = self.t("need_counter")
        elif not _PIN.match(pin):
            error = self.t("bad_pin")
        if error:
            self.login_error = error
            self._changed()
            return False
        self.login_busy = True
        self.login_error = ""
        self._changed()
        generation = self._generation

        def job() -> tuple[SessionAnswer, ServicesAnswer, int]:
            client = self._client()
            answer = client.login(username, pin, counter)
            # The board's seq is where the live stream starts: no replay of the whole day.
            seq = client.board(recent=0).seq
            return answer, client.services(), seq

        self._submit(job, lambda r, e: self._login_done(generation, counter, r, e))
        return True

    def _login_done(
        self, generation: int, counter: str, result: Any, exc: BaseException | None
    ) -> None:
        if generation != self._generation:
            return
        self.login_busy = False
        if exc is not None:
            self.login_error = self._login_error_text(exc, counter)
            self._changed()
            return
        answer, services, seq = result
        self._generation += 1
        self.officer = answer.officer
        self.counter_code = counter
        self.services = services
        self.last_seq = seq
        self.stream_state = "connecting" if self.live else "connected"
        self.http_down = False
        self.message, self.message_kind = "", "info"
        self._apply_counter(answer.counter, new_call=False)
        self._start_stream()
        self._changed()

    def _login_error_text(self, exc: BaseException, counter: str) -> str:
        if isinstance(exc, ServerUnavailable):
            return self.t("server_unreachable")
        if isinstance(exc, ApiError):
            if exc.code == "wrong_pin":
                return self.t("wrong_pin")
            if exc.code == "locked":
                return self.t("locked", n=_lock_minutes(exc))
            if exc.code == "counter_not_allowed":
                return self.t("counter_not_allowed", counter=counter)
            if exc.code == "unknown_counter":
                return self.t("unknown_counter", counter=counter)
            return self.t("err_other", message=exc.message)
        log.error("login failed unexpectedly", exc_info=exc)
        return self.t("err_bug")

    def logout(self, reason: str = "") -> None:
        """Back to the login screen; the server session is closed in the background."""
        if not self.logged_in:
            return
        self._stop_stream()
        self._generation += 1
        client = self.client
        if not reason and client is not None:
            self._submit(client.logout, lambda r, e: None)
        self.officer = None
        self.state = None
        self.busy = ""
        self.status_unknown = ""
        self._pending.clear()
        self._refreshing = False
        self.login_error = reason
        self._show_sign("", None, blink=False)
        self._changed()

    def close(self) -> None:
        """The app is quitting: stop the stream (the session stays for the next start)."""
        self._stop_stream()
        self._generation += 1

    # -- actions --------------------------------------------------------------

    def allowed(self, action: str) -> bool:
        """Whether an action makes sense now (its button is enabled)."""
        if not self.logged_in or self.busy or self.state is None:
            return False
        if self.connection == "down":
            return False
        paused = self.state.status == CounterStatus.PAUSED
        ticket = self.state.ticket
        status = ticket.status if ticket is not None else None
        if action == "call":
            return not paused
        if action in ("recall", "start", "skip"):
            return status == TicketStatus.CALLED
        if action in ("finish", "transfer"):
            return status in (TicketStatus.CALLED, TicketStatus.SERVING)
        if action == "requeue":
            return not paused
        if action == "pause":
            return paused or ticket is None  # toggles: resume when paused
        if action == "resume":
            return paused
        return False

    def act(self, action: str, argument: str = "") -> bool:
        """Run an action (F-key, button or call-button); False when it is not possible now."""
        if action == "pause" and self.state is not None and self.state.status == "paused":
            action = "resume"
        if not self.allowed(action):
            return False
        if action in ("requeue", "transfer") and not argument.strip():
            return False
        code = self.counter_code
        client = self._client()
        calls: dict[str, Callable[[], CounterAnswer]] = {
            "call": lambda: client.call(code),
            "recall": lambda: client.recall(code),
            "start": lambda: client.start(code),
            "finish": lambda: client.finish(code),
            "skip": lambda: client.skip(code),
            "pause": lambda: client.pause(code),
            "resume": lambda: client.resume(code),
            "requeue": lambda: client.requeue(code, argument.strip().upper()),
            "transfer": lambda: client.transfer(code, argument.strip()),
        }
        before = self.state.ticket if self.state is not None else None
        self.busy = action
        self.message, self.message_kind = self.t("working"), "info"
        generation = self._generation
        self._changed()
        self._submit(
            calls[action],
            lambda r, e: self._act_done(generation, action, argument, before, r, e),
        )
        return True

    def button(self, key_action: str) -> bool:
        """A press on the serial call-button keypad: the same action as the app's button."""
        action = BUTTON_ACTIONS.get(key_action, "")
        if not self.logged_in or not action:
            return False
        if self.act(action):
            return True
        if not self.busy:  # a second press while the first is in flight is just dropped
            self.message = self.t("key_not_now", action=self.action_label(action))
            self.message_kind = "warn"
            self._changed()
        return False

    def _act_done(
        self,
        generation: int,
        action: str,
        argument: str,
        before: Any,
        result: Any,
        exc: BaseException | None,
    ) -> None:
        if generation != self._generation:
            return
        self.busy = ""
        if exc is None and isinstance(result, CounterAnswer):
            self.status_unknown = ""
            self.http_down = False
            ticket = result.ticket
            new_call = action in ("call", "recall") and ticket is not None
            self._apply_counter(result.counter, new_call=new_call)
            self.message, self.message_kind = self._success_text(action, argument, before, result)
            # Counts move with every call; re-read them rather than guess.
            self._want("services")
        elif isinstance(exc, ServerUnavailable):
            # The request may or may not have reached the server: never resend it, ask instead.
            log.warning("%s: no answer from the server (%s); re-reading state", action, exc)
            self.status_unknown = action
            self.http_down = True
            self.message = self.t("status_unknown", action=self.action_label(action))
            self.message_kind = "warn"
            self._want("counter", "services")
        elif isinstance(exc, ApiError):
            log.info("%s refused: %s", action, exc)
            if exc.status == 401:
                self.logout(reason=self.t("session_over"))
                return
            self.message, self.message_kind = self._refusal_text(exc, argument), "error"
            self._want("counter", "services")
        else:
            log.error("%s failed unexpectedly", action, exc_info=exc)
            self.message, self.message_kind = self.t("err_bug"), "error"
            self._want("counter", "services")
        self._changed()

    def _success_text(
        self, action: str, argument: str, before: Any, answer: CounterAnswer
    ) -> tuple[str, str]:
        ticket = answer.ticket
        old = before.code if before is not None else ""
        if action == "call":
            if ticket is None:
                return self.t("nobody_waiting"), "warn"
            return self.t("calling", code=ticket.code), "ok"
        if action == "recall" and ticket is not None:
            return self.t("recalling", code=ticket.code), "ok"
        if action == "start" and ticket is not None:
            return self.t("serving", code=ticket.code), "ok"
        if action == "finish":
            return self.t("finished", code=old), "ok"
        if action == "skip":
            return self.t("skipped", code=old), "ok"
        if action == "requeue":
            return self.t("requeued", code=argument.strip().upper()), "ok"
        if action == "transfer":
            return self.t("transferred", code=old, service=self.service_name(argument)), "ok"
        if action == "pause":
            return self.t("paused"), "info"
        if action == "resume":
            return self.t("resumed"), "ok"
        return "", "info"

    def _refusal_text(self, exc: ApiError, argument: str) -> str:
        code = argument.strip().upper()
        key = "err_" + exc.code
        if key in TEXTS:
            return self.t(key, code=code)
        return self.t("err_other", message=exc.message)

    # -- live state -------------------------------------------------------------

    def _start_stream(self) -> None:
        if not self.live or self.client is None:
            return
        generation = self._generation

        def on_event(event: Event) -> None:  # the stream's thread
            self.post(lambda: self._on_event(generation, event))

        def on_state(state: str) -> None:  # the stream's thread
            self.post(lambda: self._on_stream_state(generation, state))

        self.stream = EventStream(
            self.locator, on_event, on_state, after=self.last_seq, token=self.client.token
        )
        self.stream.start()

    def _stop_stream(self) -> None:
        stream, self.stream = self.stream, None
        if stream is not None:
            stream.stop()

    @property
    def connection(self) -> str:
        """connected | connecting (first time) | down (stream lost or a request failed)."""
        if self.http_down or self.stream_state == "disconnected":
            return "down"
        return "connected" if self.stream_state == "connected" else "connecting"

    def _on_stream_state(self, generation: int, state: str) -> None:
        if generation != self._generation:
            return
        was = self.connection
        if state == "connecting" and self.stream_state == "disconnected":
            state = "disconnected"  # still away: keep saying so until connected
        previous, self.stream_state = self.stream_state, state
        if state == "connected" and previous != "connected":
            # Whatever happened while we were away, the server's word is the truth.
            self.http_down = False
            self._want("counter", "services")
        if self.connection != was:
            self._changed()

    def tick(self) -> None:
        """Called every few seconds by the app: retry a re-read that found no server."""
        if self.logged_in and (self.http_down or self._pending) and not self._refreshing:
            self._want()

    def _on_event(self, generation: int, event: Event) -> None:
        if generation != self._generation:
            return
        self.last_seq = max(self.last_seq, event.seq)
        mine = self.state.services if self.state is not None else []
        mine_changed = event.counter is not None and event.counter.code == self.counter_code
        # site.changed: the setup changed (names, services), so both are read again
        if event.type == EventType.SITE_CHANGED or mine_changed:
            self._want("counter", "services")
        elif event.ticket is not None and event.ticket.service in mine:
            self._want("services")

    def refresh(self) -> None:
        """Re-read the counter and the waiting counts from the server."""
        self._want("counter", "services")

    def _want(self, *what: str) -> None:
        if not self.logged_in:
            return
        self._pending.update(what)
        if self._refreshing:
            return  # the running refresh picks these up when it ends
        todo, self._pending = self._pending, set()
        self._refreshing = True
        code, client, generation = self.counter_code, self._client(), self._generation

        def job() -> tuple[CounterState | None, ServicesAnswer | None]:
            state = client.counter(code) if "counter" in todo else None
            services = client.services() if "services" in todo else None
            return state, services

        self._submit(job, lambda r, e: self._refresh_done(generation, todo, r, e))

    def _refresh_done(
        self, generation: int, todo: set[str], result: Any, exc: BaseException | None
    ) -> None:
        if generation != self._generation:
            return
        self._refreshing = False
        if exc is None:
            state, services = result
            if state is not None:
                self._apply_counter(state, new_call=False)
                if self.status_unknown:
                    self.status_unknown = ""
                    self.message, self.message_kind = self.t("state_refreshed"), "info"
            if services is not None:
                self.services = services
            self.http_down = False
        elif isinstance(exc, ServerUnavailable):
            # Keep what we wanted; the stream's next "connected" (or tick) asks again.
            self._pending |= todo
            self.http_down = True
        elif isinstance(exc, ApiError) and exc.status == 401:
            self.logout(reason=self.t("session_over"))
            return
        else:
            log.error("refresh failed", exc_info=exc)
        self._changed()
        if self._pending and not self.http_down:
            self._want()

    def _apply_counter(self, state: CounterState, *, new_call: bool) -> None:
        old = self.state.ticket if self.state is not None else None
        self.state = state
        ticket = state.ticket
        if state.status == CounterStatus.PAUSED or ticket is None:
            self._show_sign("", None, blink=False)
            return
        # Blink while the visitor is being called, steady once served; a call or recall
        # (or a ticket this sign has not shown, whoever called it) is sent again.
        fresh = old is None or old.id != ticket.id
        blink = ticket.status == TicketStatus.CALLED
        self._show_sign(ticket.code, ticket.id, blink=blink, force=new_call or fresh)

    def _show_sign(
        self, code: str, ticket_id: int | None, *, blink: bool, force: bool = False
    ) -> None:
        if self.sign is None:
            return
        wanted = (code, ticket_id, blink)
        if wanted == self._sign_shown and not force:
            return
        self._sign_shown = wanted
        try:
            if code:
                self.sign.show(code, blink=blink)
            else:
                self.sign.clear()
        except Exception:  # the sign must never take the counter down
            log.exception("counter sign update failed")

    # -- helpers ----------------------------------------------------------------

    def _client(self) -> ApiClient:
        """The API client, made (finding the server first) on first use: worker thread only."""
        if self.client is None:
            self.client = ApiClient(self.locator.locate(), timeout=self.timeout)
        return self.client

    def _submit(
        self, fn: Callable[[], Any], done: Callable[[Any, BaseException | None], None]
    ) -> None:
        def on_done(result: Any, exc: BaseException | None) -> None:  # the worker's thread
            self.post(lambda: done(result, exc))

        self.worker.submit(fn, on_done)

    def service_name(self, code: str) -> str:
        for agency in self.services.agencies if self.services is not None else []:
            for svc in agency.services:
                if svc.code == code:
                    return svc.name_en if self.lang == "en" and svc.name_en else svc.name
        return code

    def transfer_choices(self, query: str = "") -> list[tuple[str, str]]:
        """(service code, "Service - Agency") to transfer to, filtered by a search text."""
        current = self.state.ticket.service if self.state and self.state.ticket else ""
        words = query.lower().split()
        out: list[tuple[str, str]] = []
        for agency in self.services.agencies if self.services is not None else []:
            for svc in agency.services:
                if svc.code == current:
                    continue
                name = svc.name_en if self.lang == "en" and svc.name_en else svc.name
                label = f"{name} - {agency.name}"
                hay = f"{label} {svc.code} {svc.prefix}".lower()
                if all(w in hay for w in words):
                    out.append((svc.code, label))
        return out

    def view(self) -> CounterView:
        """What the screens show now."""
        v = CounterView(
            logged_in=self.logged_in,
            login_error=self.login_error,
            login_busy=self.login_busy,
            connection=self.connection,
            busy=self.busy,
            message=self.message,
            message_kind=self.message_kind,
        )
        v.enabled = {a: self.allowed(a) for a in (*ACTIONS, "resume")}
        if self.connection == "down":
            v.banner = self.t("server_down")
        elif self.status_unknown:
            v.banner = self.t("status_unknown", action=self.action_label(self.status_unknown))
        state = self.state
        if state is None or self.officer is None:
            return v
        v.title = f"{state.name} - {state.agency_name}"
        v.officer = f"{self.t('officer')}: {self.officer.name}"
        v.served_today = state.served_today
        v.paused = state.status == CounterStatus.PAUSED
        ticket = state.ticket
        if ticket is not None:
            v.code = ticket.code
            v.service_name = ticket.service_name
            v.priority = ticket.priority
            v.ticket_state = self.t(
                "state_serving" if ticket.status == TicketStatus.SERVING else "state_called"
            )
            parts = []
            if ticket.called_at is not None:
                parts.append(self.t("called_at", time=self._time(ticket.called_at)))
            parts.append(self.t("waiting_since", time=self._time(ticket.issued_at)))
            if ticket.recalls:
                parts.append(self.t("recalls", n=ticket.recalls))
            v.times = " | ".join(parts)
        elif v.paused:
            v.ticket_state = self.t("state_paused")
        else:
            v.ticket_state = self.t("no_ticket")
        counts: dict[str, ServiceInfo] = {}
        for agency in self.services.agencies if self.services is not None else []:
            for svc in agency.services:
                counts[svc.code] = svc
        for code in state.services:
            info = counts.get(code)
            if info is not None:
                name = info.name_en if self.lang == "en" and info.name_en else info.name
                v.waiting.append(WaitingRow(code, name, info.waiting))
        v.waiting_total = sum(r.waiting for r in v.waiting)
        return v

    def _time(self, when: Any) -> str:
        return format_time(when.astimezone(self.tz), self.lang)

    def _changed(self) -> None:
        if self.on_change is not None:
            self.on_change(self.view())


def _lock_minutes(exc: ApiError) -> int:
    """Minutes left of a lock-out: the answer's `minutes` field, else read from the message."""
    minutes = exc.extra.get("minutes")
    if isinstance(minutes, int):
        return minutes
    m = _LOCK_MINUTES.search(exc.message)
    return int(m.group(1)) if m else 5
