"""Call buttons: parsing rules with an explicit clock, then the reader thread over a pty."""

from __future__ import annotations

import os
import threading
import time

from hardware.buttons import CallButtons, KeypadParser
from shared.devices import ButtonsConfig
from tests.hardware.wire import PtyPeer


def parser(**kw: object) -> KeypadParser:
    return KeypadParser(ButtonsConfig(url="loop://", **kw))  # type: ignore[arg-type]


def test_each_key_maps_to_its_action() -> None:
    p = parser()
    assert p.feed(b"1\r\n", 0.0) == ["next"]
    assert p.feed(b"2\n", 1.0) == ["recall"]
    assert p.feed(b"3\r", 2.0) == ["no_show"]
    assert p.feed(b"4\r\n", 3.0) == ["finish"]


def test_partial_lines_are_joined_and_stale_ones_dropped() -> None:
    p = parser()
    assert p.feed(b"  ", 0.0) == []
    assert p.feed(b"1", 0.1) == []
    assert p.feed(b"\r\n", 0.2) == ["next"]
    assert p.feed(b"2", 5.0) == []  # half a message, then the line goes quiet
    assert p.feed(b"3\n", 9.0) == ["no_show"]  # not "23"


def test_garbage_is_ignored() -> None:
    p = parser()
    assert p.feed(b"\xff\xfe\x00zz\n99\n\n\r\n", 0.0) == []
    assert p.feed(b"x" * 100 + b"1\n", 5.0) == []  # overlong line
    assert p.feed(b"1\n", 10.0) == ["next"]
    assert p.dropped >= 3


def test_held_button_fires_once() -> None:
    p = parser(debounce_seconds=0.5)
    fired = []
    for i in range(30):  # auto-repeat every 100 ms for 3 s
        fired += p.feed(b"1\n", i * 0.1)
    assert fired == ["next"]
    assert p.feed(b"1\n", 2.9 + 0.6) == ["next"]  # released, pressed again


def test_a_burst_fires_only_its_first_message() -> None:
    p = parser()
    assert p.feed(b"1\n2\n3\n1\n4\n", 0.0) == ["next"]


def test_byte_framing_and_custom_keys() -> None:
    p = parser(framing="byte", keys={"N": "next", "R": "recall"}, debounce_seconds=0.2)
    assert p.feed(b"N", 0.0) == ["next"]
    assert p.feed(b"?", 1.0) == []
    assert p.feed(b"R", 2.0) == ["recall"]


def collect() -> tuple[list[str], threading.Event, object]:
    got: list[str] = []
    event = threading.Event()

    def on_action(action: str) -> None:
        got.append(action)
        event.set()

    return got, event, on_action


def test_reader_on_a_pty_and_clean_stop() -> None:
    peer = PtyPeer().start()
    got, event, on_action = collect()
    try:
        buttons = CallButtons(ButtonsConfig(url=peer.port, debounce_seconds=0.2), on_action)  # type: ignore[arg-type]
        with buttons:
            assert buttons.connected.wait(3)
            peer.write(b"\xff\x00garbage\n1")
            time.sleep(0.05)
            peer.write(b"\r\n")
            assert event.wait(3)
            event.clear()
            time.sleep(0.3)
            peer.write(b"4\r\n4\r\n4\r\n")
            assert event.wait(3)
            time.sleep(0.2)
        assert got == ["next", "finish"]
    finally:
        peer.close()


def test_reader_survives_a_failing_handler() -> None:
    peer = PtyPeer().start()
    seen = threading.Event()

    def broken(action: str) -> None:
        seen.set()
        raise RuntimeError("app bug")

    try:
        with CallButtons(ButtonsConfig(url=peer.port), broken) as buttons:
            assert buttons.connected.wait(3)
            peer.write(b"1\n")
            assert seen.wait(3)
            assert buttons._thread is not None and buttons._thread.is_alive()
    finally:
        peer.close()


def test_missing_port_retries_without_raising(tmp_path: object) -> None:
    got, _event, on_action = collect()
    config = ButtonsConfig(url=os.path.join(str(tmp_path), "ttyNONE"), reconnect_seconds=0.05)
    with CallButtons(config, on_action) as buttons:  # type: ignore[arg-type]
        time.sleep(0.2)
        assert not buttons.connected.is_set()
    assert got == []
