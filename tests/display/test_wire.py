"""The TV's own reading of GET /board and the events, against a real server and bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from display import wire
from display.net import BoardClient
from shared.api import EventType, TicketStatus
from shared.client import ApiClient
from shared.errors import ApiError, ServerUnavailable
from shared.models import Event
from tests.display.conftest import ServerProcess, call_once, issue

ROOT = Path(__file__).resolve().parents[2]


def test_the_board_read_by_hand_matches_the_wire_model(server: ServerProcess) -> None:
    issue(server.url, "IZIN", 2)
    code = call_once(server.url, "L01")
    ours = BoardClient(server.url).board(recent=5)
    with ApiClient(server.url) as api:
        theirs = api.board(recent=5)
    assert ours.seq == theirs.seq > 0
    assert ours.time.utcoffset() == theirs.time.utcoffset() is not None
    assert abs((theirs.time - ours.time).total_seconds()) < 5  # two requests, one after the other
    assert [(c.code, c.name, c.status) for c in ours.counters] == [
        (c.code, c.name, c.status) for c in theirs.counters
    ]
    l01 = next(c for c in ours.counters if c.code == "L01")
    assert l01.ticket is not None and l01.ticket.code == code
    assert l01.ticket.status == TicketStatus.CALLED
    assert [t.code for t in ours.recent] == [t.code for t in theirs.recent] == [code]
    assert [(w.service, w.waiting) for w in ours.waiting] == [
        (w.service, w.waiting) for w in theirs.waiting
    ]


def test_an_event_from_the_wire_model_reads_back() -> None:
    sent = {
        "seq": 12,
        "type": "ticket.called",
        "at": "2026-11-27T09:00:00+07:00",
        "ticket": {
            "id": 3,
            "code": "A003",
            "number": 3,
            "service": "IZIN",
            "service_name": "Perizinan",
            "agency": "DPMPTSP",
            "agency_name": "DPMPTSP",
            "priority": False,
            "status": "called",
            "issued_at": "2026-11-27T08:50:00+07:00",
            "counter": "L01",
            "counter_name": "Loket 1",
            "business_day": "2026-11-27",
        },
        "counter": None,
    }
    text = Event.model_validate(sent).model_dump_json()  # as the server sends it
    got = wire.parse_event(text)
    assert got.seq == 12 and got.type == EventType.CALLED
    assert got.ticket is not None and got.ticket.counter_name == "Loket 1"
    assert got.at.utcoffset() is not None and got.counter is None


@pytest.mark.parametrize(
    "change",
    [
        {"seq": "12"},  # a string where a number goes
        {"seq": True},  # JSON true is not a number here
        {"type": "ticket.vanished"},
        {"at": "2026-11-27T09:00:00"},  # no offset: which zone?
        {"at": "yesterday"},
        {"ticket": {"id": 1}},
        {"counter": []},
    ],
)
def test_a_bad_event_is_refused(change: dict[str, object]) -> None:
    good = {"seq": 1, "type": "counter.paused", "at": "2026-11-27T09:00:00Z"}
    wire.parse_event(json.dumps(good))
    with pytest.raises(wire.WireError):
        wire.parse_event(json.dumps({**good, **change}))


def test_not_json_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        wire.parse_board(b"<html>")


def test_the_server_s_error_and_no_server(server: ServerProcess) -> None:
    with pytest.raises(ApiError) as caught:
        BoardClient(server.url + "/elsewhere").board()
    assert caught.value.status == 404
    url = server.url
    server.stop()
    with pytest.raises(ServerUnavailable):
        BoardClient(url, timeout=2).board()


def test_the_tv_loads_no_pydantic_nor_httpx_nor_zeroconf() -> None:
    """What the display imports to run with a server URL: its config, main, board, stream."""
    code = (
        "import sys\n"
        "from display.settings import load_settings\n"
        "load_settings(None)\n"
        "from display.app import prepare_kivy\n"
        "prepare_kivy(False, (800, 600), offscreen=True)\n"
        "import display.ui\n"
        "bad = {'pydantic', 'httpx', 'zeroconf', 'shared.models', 'shared.config', 'server'}\n"
        "print(sorted(bad & set(sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"
