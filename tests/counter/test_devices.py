"""counter.devices.SignBridge: the LED sign shows the counter's ticket, and hears only changes."""

from __future__ import annotations

import logging

import pytest

from counter.devices import SignBridge
from shared.models import CounterStatus, TicketStatus
from tests.counter.wire import counter, ticket


class Recorder:
    """A stand-in LED sign at the serial line: records what it was told."""

    def __init__(self, fail: bool = False) -> None:
        self.shown: list[tuple[str, bool]] = []
        self.fail = fail

    def show(self, code: str, blink: bool = True) -> None:
        self.shown.append((code, blink))
        if self.fail:
            raise OSError("the serial line is gone")

    def clear(self) -> None:
        self.shown.append(("", False))
        if self.fail:
            raise OSError("the serial line is gone")


def test_the_sign_follows_a_ticket_through_its_states() -> None:
    sign = Recorder()
    bridge = SignBridge(sign)
    called = ticket("A007", TicketStatus.CALLED, id=7)
    bridge.follow(None, counter(called), new_call=True)
    assert sign.shown == [("A007", True)]  # blinking while the visitor is called
    bridge.follow(called, counter(called), new_call=False)  # a re-read: nothing new
    assert len(sign.shown) == 1
    bridge.follow(called, counter(called), new_call=True)  # a recall: blinks anew
    assert sign.shown[-1] == ("A007", True) and len(sign.shown) == 2
    serving = ticket("A007", TicketStatus.SERVING, id=7)
    bridge.follow(called, counter(serving), new_call=False)
    assert sign.shown[-1] == ("A007", False)  # steady while served
    bridge.follow(serving, counter(), new_call=False)  # finished
    assert sign.shown[-1] == ("", False)
    bridge.clear()  # e.g. a logout after that: already blank
    assert len(sign.shown) == 4


def test_a_ticket_the_sign_has_not_shown_is_sent_even_with_the_same_look() -> None:
    sign = Recorder()
    bridge = SignBridge(sign)
    first = ticket("A007", id=7)
    bridge.follow(None, counter(first), new_call=False)  # e.g. the state at login
    assert sign.shown == [("A007", True)]
    # another officer's transfer brings a ticket the sign has not shown (same code, new id)
    bridge.follow(first, counter(ticket("A007", id=8)), new_call=False)
    assert len(sign.shown) == 2


def test_a_paused_counter_blanks_the_sign() -> None:
    sign = Recorder()
    bridge = SignBridge(sign)
    held = ticket("B002", id=2)
    bridge.follow(None, counter(held), new_call=True)
    bridge.follow(held, counter(held, status=CounterStatus.PAUSED), new_call=False)
    assert sign.shown[-1] == ("", False)


def test_a_broken_sign_never_takes_the_counter_down(caplog: pytest.LogCaptureFixture) -> None:
    sign = Recorder(fail=True)
    bridge = SignBridge(sign)
    with caplog.at_level(logging.ERROR, logger="counter.devices"):
        bridge.follow(None, counter(ticket("A001")), new_call=True)
        bridge.clear()
    assert len(sign.shown) == 2
    assert caplog.text.count("counter sign update failed") == 2
    SignBridge(None).follow(None, counter(ticket()), new_call=True)  # no sign configured
