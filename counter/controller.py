"""The counter terminal's logic, with no Kivy: the parts below, wired, behind one face.

- session.py: the login (form, errors, officer) and the counters to choose from
- flow.py: the officer's actions on the current ticket, one in flight at a time
- desk.py: the counter and the waiting counts as the server last said
- link.py: requests on the worker, the event stream, re-reads and their retry
- devices.py: the LED sign kept on the current ticket; the call buttons' keys
- view.py: what the screens show

Everything here runs on one thread (the UI thread in the app, the test thread in
tests); the link sends network calls to a `Worker` and posts their answers back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from counter.complaint import ComplaintForm
from counter.desk import Desk
from counter.devices import BUTTON_ACTIONS, Sign, SignBridge
from counter.flow import CALLS, CallFlow, Request
from counter.link import Post, ServerLink, SignIn
from counter.session import CounterChoice, Session
from counter.texts import sayer
from counter.view import CounterView, make_view
from shared.errors import ApiError
from shared.models import (
    ComplaintCreated,
    CounterAnswer,
    CounterState,
    HelpInfo,
    HelpList,
    HelpOpen,
    ServicesAnswer,
    Ticket,
)

if TYPE_CHECKING:
    from shared.client import ApiClient, ServerLocator, Worker


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
        self.tz = tz
        self.say = sayer(lang)
        self.on_change = on_change
        self.desk = Desk(lang)
        self.session = Session(self.say)
        self.flow = CallFlow(self.desk, self.say)
        self.sign = SignBridge(sign)
        self.link = ServerLink(
            locator,
            worker,
            post,
            live=live,
            timeout=timeout,
            on_read=self._read,
            on_session_over=lambda: self.logout(reason=self.say("session_over")),
            on_change=self._changed,
            mine=self.desk.mine,
        )
        self.choice = CounterChoice(self.link, self._changed)
        # Calls for help nobody has taken (GET /help, read again on help.* events).
        self.help_calls: list[HelpOpen] = []
        # (ticket id, priority group) from the officer's own answers: the group is never
        # in what the counter re-reads openly (GET /counters/{code}).
        self.group_of: tuple[int, str | None] | None = None
        # The ticket this counter held last: a visitor may complain just after service.
        self.last_ticket: Ticket | None = None

    # -- what the app and the tests read ---------------------------------------------

    @property
    def logged_in(self) -> bool:
        return self.session.logged_in

    @property
    def login_busy(self) -> bool:
        return self.session.login_busy

    @property
    def login_error(self) -> str:
        return self.session.login_error

    @property
    def counter_code(self) -> str:
        return self.session.counter_code

    @property
    def counters(self) -> list[str]:
        return self.choice.counters

    @property
    def state(self) -> CounterState | None:
        return self.desk.state

    @property
    def busy(self) -> str:
        return self.flow.busy

    @property
    def message(self) -> str:
        return self.flow.message

    @property
    def message_kind(self) -> str:
        return self.flow.message_kind

    @property
    def status_unknown(self) -> str:
        return self.flow.status_unknown

    @property
    def connection(self) -> str:
        """connected | connecting (first time) | down (stream lost or a request failed)."""
        return self.link.connection.state

    @property
    def client(self) -> ApiClient | None:
        return self.link.client

    def view(self) -> CounterView:
        """What the screens show now."""
        v = make_view(
            self.session,
            self.desk,
            self.flow,
            counters=self.choice.counters,
            connection=self.connection,
            say=self.say,
            tz=self.tz,
            help_calls=self.help_calls,
            group_name=self.group_name(),
        )
        # Offline too: the form keeps what was typed and says when it could not be sent.
        v.enabled["complain"] = self.complaint_ticket() is not None
        return v

    def group_name(self) -> str:
        """The name of the current ticket's priority group ("" when none is known)."""
        ticket = self.desk.ticket
        if ticket is None or self.group_of is None or self.group_of[0] != ticket.id:
            return ""
        code = self.group_of[1]
        services = self.desk.services
        groups = services.priority_groups if services is not None else []
        named = next((g for g in groups if g.code == code), None)
        if named is None:
            return code or ""
        return named.name if self.desk.lang == "id" else named.name_en

    def allowed(self, action: str) -> bool:
        """Whether an action makes sense now (its button is enabled)."""
        if action == "complain":
            return self.complaint_ticket() is not None
        return self.logged_in and self.flow.allowed(action, online=self.connection != "down")

    def complaint_ticket(self) -> Ticket | None:
        """The ticket a complaint made here is linked to: the one at the counter, else the
        one it held last (the server accepts either from this counter's officer)."""
        if not self.logged_in:
            return None
        return self.desk.ticket or self.last_ticket

    def transfer_choices(self, query: str = "") -> list[tuple[str, str]]:
        return self.desk.transfer_choices(query)

    # -- login / logout -------------------------------------------------------------

    def load_counters(self) -> None:
        """Read the server's counters (GET /board) for the login's choice, in the background."""
        self.choice.load()

    def login(self, username: str, pin: str, counter: str) -> bool:
        """Start logging in; False (with login_error set) when the form is not filled right."""
        if self.session.login_busy or self.logged_in:
            return False
        username, pin, counter = username.strip(), pin.strip(), counter.strip()
        started = self.session.start(username, pin, counter)
        self._changed()
        if started:
            self.link.sign_in(username, pin, counter, lambda r, e: self._signed_in(counter, r, e))
        return started

    def _signed_in(self, counter: str, result: SignIn | None, exc: BaseException | None) -> None:
        if exc is not None or result is None:
            self.session.failed(exc, counter)
            self._changed()
            return
        self.session.opened(result.answer.officer, counter)
        self.desk.services = result.services
        self.flow.tell()
        self.link.begin(counter, result.seq)
        self._show(result.answer.counter, new_call=False)
        self.link.want("help")
        self._changed()

    def logout(self, reason: str = "") -> None:
        """Back to the login screen; the server session is closed in the background."""
        if not self.logged_in:
            return
        self.link.end()
        if not reason:  # (a session the server ended needs no closing)
            self.link.sign_out()
        self.session.closed(reason)
        self.desk.clear()
        self.last_ticket = None
        self.flow.reset()
        self.sign.clear()
        self._changed()

    def close(self) -> None:
        """The app is quitting: stop the stream (the session stays for the next start)."""
        self.link.end()

    # -- actions and the server's answers ---------------------------------------------

    def act(self, action: str, argument: str = "") -> bool:
        """Run an action (F-key, button or call-button); False when it is not possible now."""
        if not self.logged_in:
            return False
        request = self.flow.start(action, argument, online=self.connection != "down")
        if request is None:
            return False
        self._changed()
        self.link.act(request, lambda r, e: self._acted(request, r, e))
        return True

    def button(self, key_action: str) -> bool:
        """A press on the serial call-button keypad: the same action as the app's button."""
        action = BUTTON_ACTIONS.get(key_action, "")
        if not self.logged_in or not action:
            return False
        if self.act(action):
            return True
        if self.flow.key_not_now(action):
            self._changed()
        return False

    def _acted(
        self, request: Request, answer: CounterAnswer | None, exc: BaseException | None
    ) -> None:
        if answer is not None:
            new_call = request.action in CALLS and answer.ticket is not None
            self._show(answer.counter, new_call=new_call)
            self._group(answer)
        self.flow.done(request, answer, exc)
        if exc is None:
            self.link.want("services")  # counts move with every call: re-read, not guessed
        else:
            self.link.want("counter", "services")  # what did happen? the server knows
        self._changed()

    def _group(self, answer: CounterAnswer) -> None:
        current = answer.counter.ticket
        self.group_of = (current.id, answer.priority_group) if current is not None else None

    def set_group(self, group: str | None) -> None:
        """Say who the current ticket's visitor is (a priority group's code, or None)."""
        if not self.logged_in or self.desk.ticket is None:
            return
        code = self.counter_code

        def done(answer: CounterAnswer | None, exc: BaseException | None) -> None:
            if answer is not None:
                self._show(answer.counter, new_call=False)
                self._group(answer)
            self._changed()

        self.link.request(lambda client: client.set_group(code, group), done)

    def complain(
        self, form: ComplaintForm, text: str, contact: str, shown: Callable[[], None]
    ) -> bool:
        """File the visitor's complaint (POST /complaints, linked to the form's ticket);
        `shown()` when the answer is on the form. False when it cannot be sent now."""
        if not self.logged_in or not form.sending():
            return False
        ticket = form.ticket_id

        def done(created: ComplaintCreated | None, exc: BaseException | None) -> None:
            form.answered(created, exc, self.say, self.desk.lang)
            if form.created is not None:
                self.flow.tell(self.say("complaint_filed", reference=form.created.reference), "ok")
                self._changed()
            shown()

        request_id = form.request_id
        self.link.request(
            lambda client: client.complain(ticket, text, contact or None, request_id), done
        )
        return True

    def take_help(self, help_id: int | None = None) -> bool:
        """Go to the visitor who asked (the oldest call by default); every counter's notice
        ends. False when there is no call to take."""
        target = help_id
        if target is None and self.help_calls:
            target = self.help_calls[0].id
        if not self.logged_in or target is None:
            return False

        def done(info: HelpInfo | None, exc: BaseException | None) -> None:
            if isinstance(exc, ApiError) and exc.status == 409:
                self.flow.tell(self.say("help_taken_by", name=exc.extra.get("taken_by", "")))
            self.link.want("help")
            self._changed()

        self.link.request(lambda client: client.take_help(target), done)
        return True

    def _read(
        self,
        state: CounterState | None,
        services: ServicesAnswer | None,
        calls: HelpList | None = None,
    ) -> None:
        if calls is not None:
            self.help_calls = list(calls.open)
        if state is not None:
            self._show(state, new_call=False)
            self.flow.state_read()
        if services is not None:
            self.desk.services = services
            self.flow.counts_read(self.desk.waiting_here())

    def _show(self, state: CounterState, *, new_call: bool) -> None:
        old, self.desk.state = self.desk.ticket, state
        if old is not None and (state.ticket is None or state.ticket.id != old.id):
            self.last_ticket = old
        self.sign.follow(old, state, new_call=new_call)

    def tick(self, now: float) -> None:
        """The app's clock (about every second): the retries that are due."""
        if not self.logged_in:
            self.choice.tick(now)
        self.link.tick(now)

    def _changed(self) -> None:
        if self.on_change is not None:
            self.on_change(self.view())
