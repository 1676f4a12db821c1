"""counter.view.make_view: what the screens show, from the parts' state."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from counter.desk import Desk, WaitingRow
from counter.flow import CallFlow
from counter.session import Session
from counter.texts import sayer
from counter.view import CounterView, make_view
from shared.models import CounterState, CounterStatus, Officer, TicketStatus
from tests.counter.wire import AT, counter, services, ticket

JAKARTA = ZoneInfo("Asia/Jakarta")


def view_of(
    state: CounterState | None, *, connection: str = "connected", unknown: str = ""
) -> CounterView:
    say = sayer("id")
    session, desk = Session(say), Desk()
    if state is not None:
        session.opened(Officer(username="sri", name="Sri", role="officer"), state.code)
    desk.state, desk.services = state, services(KTP=2, KK=1)
    flow = CallFlow(desk, say)
    flow.status_unknown = unknown
    return make_view(
        session, desk, flow, counters=["L03 - Loket 3 (Dukcapil)"], connection=connection,
        say=say, tz=JAKARTA,
    )  # fmt: skip


def test_the_login_screens_view() -> None:
    v = view_of(None)
    assert not v.logged_in and v.counters == ["L03 - Loket 3 (Dukcapil)"]
    assert v.title == "" and not any(v.enabled.values())


def test_a_called_ticket_with_its_times() -> None:
    held = ticket(
        "A004", TicketStatus.CALLED, priority=True, called_at=AT + timedelta(minutes=25), recalls=2
    )
    v = view_of(counter(held))
    assert v.title == "Loket 3 - Dukcapil" and v.officer == "Petugas: Sri"
    assert (v.code, v.service_name, v.priority) == ("A004", "KTP-el", True)
    assert v.ticket_state == "Dipanggil - menunggu pengunjung datang"
    assert v.times == "Dipanggil 08.55 | Ambil tiket 08.30 | dipanggil ulang 2x"
    assert v.waiting == [WaitingRow("KTP", "KTP-el", 2), WaitingRow("KK", "Kartu Keluarga", 1)]
    assert v.waiting_total == 3
    assert v.enabled["recall"] and not v.enabled["pause"] and v.banner == ""


def test_idle_paused_and_serving_say_so() -> None:
    assert view_of(counter()).ticket_state == "Belum ada nomor dipanggil"
    paused = view_of(counter(status=CounterStatus.PAUSED))
    assert paused.paused and paused.ticket_state == "Loket sedang istirahat"
    serving = view_of(counter(ticket(status=TicketStatus.SERVING)))
    assert serving.ticket_state == "Sedang dilayani" and serving.times == "Ambil tiket 08.30"


def test_the_banner_the_outage_first() -> None:
    down = view_of(counter(), connection="down", unknown="call")
    assert down.banner.startswith("Koneksi ke server terputus")
    assert not any(down.enabled.values())  # nothing is sent into the void
    unknown = view_of(counter(), unknown="call")
    assert unknown.banner.startswith('Status tindakan "Panggil Berikutnya" tidak pasti')
