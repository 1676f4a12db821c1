"""The HTTP client every app uses to talk to the queue server (API v1).

Synchronous (httpx) and thread-safe: call it from a Worker, never from the Kivy
UI thread. Discovery and the event stream live in shared/discovery.py and
shared/stream.py and are re-exported here.
"""

from __future__ import annotations

import logging
import socket
import threading
from datetime import date
from json import JSONDecodeError
from types import TracebackType
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from shared.discovery import ServerLocator, discover, normalize_url
from shared.errors import ApiError, ServerUnavailable
from shared.models import (
    API_PATH,
    Board,
    ComplaintCreated,
    CounterAnswer,
    CounterState,
    DailyReport,
    Health,
    HelpCreated,
    HelpInfo,
    HelpList,
    IssuedTicket,
    OnlineTicket,
    ServiceInfo,
    ServicesAnswer,
    SessionAnswer,
    Ticket,
)
from shared.stream import EventStream
from shared.worker import Worker

__all__ = ["ApiClient", "EventStream", "ServerLocator", "Worker", "discover"]

log = logging.getLogger(__name__)
KEEPALIVE_SECONDS = 2.0
M = TypeVar("M", bound=BaseModel)


class ApiClient:
    """Typed calls to /api/v1; raises ServerUnavailable or ApiError, never httpx errors."""

    def __init__(self, base_url: str, token: str | None = None, timeout: float = 5.0) -> None:
        self.base_url = normalize_url(base_url)
        self._token = token or None
        self._lock = threading.Lock()
        # TCP_NODELAY: httpx writes a POST's headers and body separately; with Nagle
        # on, the body waits for the server's delayed ACK (40 ms on Linux).
        # keepalive_expiry under uvicorn's 5 s keep-alive: reusing a connection the server
        # is closing at that instant gives "connection reset" on a request it never saw.
        transport = httpx.HTTPTransport(
            socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)],
            limits=httpx.Limits(keepalive_expiry=KEEPALIVE_SECONDS),
        )
        # trust_env=False: a proxy from the environment must never sit between LAN boxes.
        self._http = httpx.Client(
            base_url=self.base_url + API_PATH,
            timeout=httpx.Timeout(timeout),
            trust_env=False,
            transport=transport,
            headers={"Accept": "application/json"},
        )

    # -- session -----------------------------------------------------------------

    @property
    def token(self) -> str | None:
        with self._lock:
            return self._token

    def set_token(self, token: str | None) -> None:
        with self._lock:
            self._token = token or None

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"ApiClient({self.base_url!r})"

    # -- reads -------------------------------------------------------------------

    def health(self) -> Health:
        return self._get(Health, "/health")

    def services(self) -> ServicesAnswer:
        return self._get(ServicesAnswer, "/services")

    def ticket(self, ticket_id: int) -> Ticket:
        return self._get(Ticket, f"/tickets/{int(ticket_id)}")

    def counter(self, code: str) -> CounterState:
        return self._get(CounterState, f"/counters/{code}")

    def board(self, recent: int = 10) -> Board:
        return self._get(Board, "/board", params={"recent": recent})

    def report_daily(self, day: date | None = None) -> DailyReport:
        params = {"date": day.isoformat()} if day else None
        return self._get(DailyReport, "/reports/daily", params=params)

    # -- kiosk -------------------------------------------------------------------

    def issue(
        self,
        service: str,
        priority: bool,
        request_id: str,
        phone: str | None = None,
        lang: str = "id",
        group: str | None = None,
    ) -> IssuedTicket:
        """Take a ticket (with its page's path); a retry with the same request_id returns the
        same ticket. `phone`: the visitor's number for "your turn is near" messages; `group`:
        who a priority ticket is for (one of the site's groups)."""
        body: dict[str, object] = {
            "service": service,
            "priority": priority,
            "request_id": request_id,
        }
        if phone:
            body.update(phone=phone, lang=lang)
        if group is not None:
            body["priority_group"] = group
        return self._post(IssuedTicket, "/tickets", body)

    def ask_help(self, note: str = "", ticket: int | None = None) -> HelpCreated:
        """A visitor at this kiosk needs help ("Butuh bantuan"; with the ticket this kiosk
        just issued, "petugas menghampiri"): every officer is told."""
        body: dict[str, Any] = {"note": note}
        if ticket is not None:
            body["ticket"] = ticket
        return self._post(HelpCreated, "/help", body)

    # -- help for visitors (officers) ----------------------------------------------

    def help_calls(self) -> HelpList:
        """The calls for help nobody has taken yet."""
        return self._get(HelpList, "/help")

    def set_group(self, code: str, group: str | None) -> CounterAnswer:
        """The officer says who the current ticket's visitor is (null clears it)."""
        return self._post(CounterAnswer, f"/counters/{code}/group", {"priority_group": group})

    def stop_service(self, service: str, reason: str) -> ServiceInfo:
        """A supervisor stops a service for the rest of the day (kiosks refuse it, TVs say it)."""
        return self._post(ServiceInfo, f"/services/{service}/stop", {"reason": reason})

    def take_help(self, help_id: int) -> HelpInfo:
        """Go to the visitor: the call ends for every counter (409 if someone was first)."""
        return self._post(HelpInfo, f"/help/{int(help_id)}/take")

    def check_in(self, code: str, request_id: str) -> OnlineTicket:
        """A booking's check-in (antrean online): its ticket; the same request_id, the same one."""
        body = {"code": code, "request_id": request_id}
        return self._post(OnlineTicket, "/bookings/check-in", body)

    def cancel(self, ticket_id: int) -> Ticket:
        return self._post(Ticket, f"/tickets/{int(ticket_id)}/cancel")

    def device_status(self, printer: str, detail: str = "") -> None:
        self._request("POST", "/devices/status", json={"printer": printer, "detail": detail})

    def heartbeat(
        self,
        *,
        printer: str | None = None,
        voice: str | None = None,
        last_seq: int | None = None,
        detail: str | None = None,
    ) -> None:
        """A device says it is there, with its state (POST /devices/heartbeat)."""
        body = {"printer": printer, "voice": voice, "last_seq": last_seq, "detail": detail}
        self._request(
            "POST", "/devices/heartbeat", json={k: v for k, v in body.items() if v is not None}
        )

    # -- officer -----------------------------------------------------------------

    def login(self, username: str, pin: str, counter: str) -> SessionAnswer:
        """Open an officer session at a counter; the client keeps its token."""
        body = {"username": username, "pin": pin, "counter": counter}
        answer = self._post(SessionAnswer, "/sessions", body)
        self.set_token(answer.token)
        return answer

    def logout(self) -> None:
        """End the session; the token is dropped unless the server could not be reached."""
        try:
            self._request("DELETE", "/sessions/current")
        except ApiError as exc:
            if exc.status != 401:  # 401: the session is already gone
                raise
        self.set_token(None)

    def call(self, code: str) -> CounterAnswer:
        """Call the next ticket (finishing the current one); answer.ticket None: none wait."""
        return self._act(code, "call")

    def recall(self, code: str) -> CounterAnswer:
        return self._act(code, "recall")

    def start(self, code: str) -> CounterAnswer:
        return self._act(code, "start")

    def finish(self, code: str) -> CounterAnswer:
        return self._act(code, "finish")

    def skip(self, code: str) -> CounterAnswer:
        return self._act(code, "skip")

    def pause(self, code: str) -> CounterAnswer:
        return self._act(code, "pause")

    def resume(self, code: str) -> CounterAnswer:
        return self._act(code, "resume")

    def transfer(self, code: str, service: str) -> CounterAnswer:
        return self._post(CounterAnswer, f"/counters/{code}/transfer", {"service": service})

    def requeue(self, code: str, ticket_code: str) -> CounterAnswer:
        return self._post(CounterAnswer, f"/counters/{code}/requeue", {"code": ticket_code})

    def complain(
        self, ticket: int, text: str, contact: str | None = None, request_id: str | None = None
    ) -> ComplaintCreated:
        """The information desk files a complaint for the visitor it serves, linked to
        that ticket (the server checks it is this counter's). The same `request_id` again
        (after a lost answer) is the complaint filed before, not a second one."""
        body: dict[str, Any] = {"ticket": ticket, "text": text, "channel": "desk"}
        if request_id:
            body["request_id"] = request_id
        if contact:
            body["contact"] = contact
        return self._post(ComplaintCreated, "/complaints", body)

    # -- plumbing ----------------------------------------------------------------

    def _act(self, code: str, action: str) -> CounterAnswer:
        return self._post(CounterAnswer, f"/counters/{code}/{action}")

    def _get(self, model: type[M], path: str, params: dict[str, Any] | None = None) -> M:
        return _parse(model, self._request("GET", path, params=params))

    def _post(self, model: type[M], path: str, body: dict[str, Any] | None = None) -> M:
        return _parse(model, self._request("POST", path, json=body))

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: dict[str, Any] | None = None,
    ) -> httpx.Response:
        token = self.token
        headers = {"Authorization": f"Bearer {token}"} if token else None
        try:
            response = self._http.request(method, path, params=params, json=json, headers=headers)
        except httpx.TransportError as exc:  # connect, read, timeouts, dropped connections
            raise ServerUnavailable(
                f"server {self.base_url} unreachable: {type(exc).__name__}: {exc}"
            ) from exc
        if response.is_success:
            return response
        raise _api_error(response)


def _parse(model: type[M], response: httpx.Response) -> M:
    try:
        return model.model_validate_json(response.content)
    except ValidationError as exc:
        # A 2xx with a body we cannot read: a different server or API version.
        raise ApiError(
            response.status_code, "bad_answer", f"unexpected answer to {response.url.path}: {exc}"
        ) from exc


def _api_error(response: httpx.Response) -> ApiError:
    code = f"http_{response.status_code}"
    message = response.text.strip()[:500] or response.reason_phrase
    try:
        body = response.json()
    except (JSONDecodeError, UnicodeDecodeError):
        body = None
    extra: dict[str, object] = {}
    if isinstance(body, dict):
        code = str(body.get("code") or code)
        message = str(body.get("message") or body.get("detail") or message)
        extra = {k: v for k, v in body.items() if k not in ("code", "message")}
    return ApiError(response.status_code, code, message, extra)
