"""The ways a message leaves the building: a GSM modem on the server box, or an HTTP gateway.

A send either succeeds, or raises `NotSent` (certainly not delivered: try again later)
or `MaybeSent` (the outcome cannot be known). What the worker does with MaybeSent is
each channel's `retry_unknown`: the HTTP gateway gets an Idempotency-Key per message, so
a second try cannot make a second message at a gateway that honours it; the modem has
nothing of the kind, so a message in doubt is never sent again (at most once).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Protocol

import httpx

from hardware.errors import ModemUnavailable, SmsNotConfirmed
from hardware.modem import GsmModem
from server.notify.rules import local_number
from shared.config import NotifyConfig

log = logging.getLogger(__name__)

# the gateway's answer must come within this (seconds); a slow one is "maybe sent"
HTTP_TIMEOUT = 10.0


class NotSent(Exception):
    """The channel did not take the message (it can be tried again)."""


class MaybeSent(Exception):
    """The message went out towards the channel and no answer says whether it arrived."""


@dataclass(frozen=True)
class Outgoing:
    id: int  # the outbox row: the message's identity at the gateway
    phone: str  # 62812...
    text: str


class Channel(Protocol):
    name: str
    retry_unknown: bool

    def send(self, message: Outgoing) -> None: ...

    def close(self) -> None: ...


class SmsChannel:
    """The GSM modem (hardware/modem.py), kept open between messages."""

    name = "sms"
    retry_unknown = False

    def __init__(self, device: str, *, command_timeout: float = 3.0, send_timeout: float = 40.0):
        self.modem = GsmModem(device, command_timeout=command_timeout, send_timeout=send_timeout)

    def send(self, message: Outgoing) -> None:
        try:
            self.modem.send(local_number(message.phone), message.text)
        except ModemUnavailable as exc:
            raise NotSent(str(exc)) from exc
        except SmsNotConfirmed as exc:
            raise MaybeSent(str(exc)) from exc

    def close(self) -> None:
        self.modem.close()


def render_body(template: str, phone: str, text: str) -> tuple[str, str]:
    """The gateway's body with {phone} and {text} filled, and its content type.

    A template that is JSON gets its values JSON-escaped (a quote in a site's name must
    not break the document); any other is filled as it is.
    """
    probe = template.replace("{phone}", "0").replace("{text}", "x")
    try:
        json.loads(probe)
        is_json = True
    except ValueError:
        is_json = False
    if is_json:

        def esc(v: str) -> str:
            return json.dumps(v)[1:-1]

        return template.replace("{phone}", esc(phone)).replace(
            "{text}", esc(text)
        ), "application/json"
    return template.replace("{phone}", phone).replace("{text}", text), "text/plain; charset=utf-8"


class HttpChannel:
    """A gateway (SMS or WhatsApp provider, or the MPP's own): a URL, headers, a body."""

    name = "http"
    retry_unknown = True  # the Idempotency-Key makes a second try safe

    def __init__(self, cfg: NotifyConfig, site_key: str = "antrian") -> None:
        self.url = cfg.url
        self.headers = dict(cfg.headers)
        self.template = cfg.body
        self.site_key = site_key
        self.client = httpx.Client(timeout=HTTP_TIMEOUT)

    def send(self, message: Outgoing) -> None:
        body, kind = render_body(self.template, message.phone, message.text)
        headers = {"Content-Type": kind, **self.headers}
        headers["Idempotency-Key"] = f"{self.site_key}-{message.id}"
        try:
            answer = self.client.post(self.url, content=body.encode("utf-8"), headers=headers)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise NotSent(f"gateway unreachable: {exc}") from exc
        except httpx.HTTPError as exc:  # sent, then no answer
            raise MaybeSent(f"gateway gave no answer: {exc}") from exc
        if answer.status_code >= 300:
            raise NotSent(f"gateway answered {answer.status_code}: {answer.text[:120]}")

    def close(self) -> None:
        self.client.close()


def channel_for(cfg: NotifyConfig, site_key: str = "antrian") -> Channel | None:
    """The site's channel, or None when messages are off."""
    if cfg.channel == "sms":
        return SmsChannel(cfg.device)
    if cfg.channel == "http":
        return HttpChannel(cfg, site_key)
    return None
