"""The counter controller (no Kivy) against a real server process."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from counter.controller import CounterController
from counter.view import CounterView
from shared.client import ApiClient, ServerLocator, Worker
from shared.config import load_config
from shared.models import TicketStatus
from tests.counter.conftest import ServerProcess, Site, UiThread

TZ = load_config(None).site.tz

Make = Callable[..., CounterController]


class Recorder:
    """A stand-in LED sign at the controller's boundary: records what it was told."""

    def __init__(self) -> None:
        self.shown: list[tuple[str, bool]] = []

    def show(self, code: str, blink: bool = True) -> None:
        self.shown.append((code, blink))

    def clear(self) -> None:
        self.shown.append(("", False))


@pytest.fixture
def make(ui: UiThread) -> Iterator[Make]:
    made: list[tuple[CounterController, Worker]] = []

    def factory(url: str, live: bool = False, **kw: object) -> CounterController:
        worker = Worker("counter-test")
        views: list[CounterView] = []
        c = CounterController(
            ServerLocator(url, None),
            worker,
            ui.post,
            tz=TZ,
            live=live,
            on_change=views.append,
            **kw,  # type: ignore[arg-type]
        )
        c.views = views  # type: ignore[attr-defined]
        made.append((c, worker))
        return c

    yield factory
    for c, worker in made:
        c.close()
        worker.stop()
        if c.client is not None:
            c.client.close()


def login(c: CounterController, ui: UiThread, counter: str) -> None:
    assert c.login("demo", "123456", counter)
    ui.pump(lambda: not c.login_busy)
    assert c.logged_in, c.login_error


def act(c: CounterController, ui: UiThread, action: str, argument: str = "") -> None:
    assert c.act(action, argument), f"{action} not allowed"
    ui.pump(lambda: not c.busy)


def test_wrong_pin_then_login(site: Site, make: Make, ui: UiThread) -> None:
    code, _ = site.counter()
    c = make(site.url)
    assert c.login("demo", "654321", code)
    ui.pump(lambda: not c.login_busy)
    assert not c.logged_in
    assert c.login_error == "PIN salah"
    login(c, ui, code)
    v = c.view()
    assert v.logged_in and v.title.startswith("Loket ")
    assert v.officer == "Petugas: Demo"
    assert v.ticket_state == "Belum ada nomor dipanggil"


def test_form_checked_before_asking_the_server(site: Site, make: Make) -> None:
    c = make(site.url)
    assert not c.login("demo", "12", "L01")
    assert c.login_error == "PIN harus 4 sampai 12 angka."
    assert not c.login("", "123456", "L01")
    assert c.login_error == "Isi nama pengguna."
    assert not c.login("demo", "123456", "")
    assert c.client is None  # nothing was sent


def test_wrong_counter_then_lockout_are_clear(site: Site, make: Make, ui: UiThread) -> None:
    code, _ = site.counter()
    site.server.add_officer("sri", "2468", code)  # a real officer: the demo one never locks
    c = make(site.url)
    assert c.login("sri", "2468", "L05")
    ui.pump(lambda: not c.login_busy)
    assert c.login_error == "Anda tidak terdaftar untuk L05. Pilih loket lain."
    errors = []
    for _ in range(6):  # the site locks after 5 failures
        assert c.login("sri", "1111", code)
        ui.pump(lambda: not c.login_busy)
        errors.append(c.login_error)
    assert errors[:5] == ["PIN salah"] * 5
    assert errors[5] == "Akun dikunci sementara, coba lagi dalam 5 menit"
    assert not c.logged_in


def test_a_day_at_the_counter(site: Site, make: Make, ui: UiThread) -> None:
    code, services = site.counter()
    sign = Recorder()
    c = make(site.url, sign=sign)
    login(c, ui, code)
    assert not c.allowed("finish") and not c.allowed("recall") and c.allowed("call")
    first = site.issue(services[0])
    second = site.issue(services[0], priority=True)

    act(c, ui, "call")
    assert c.state is not None and c.state.ticket is not None
    assert c.state.ticket.code == second.code  # priority first
    assert c.message == f"Memanggil {second.code}"
    assert sign.shown[-1] == (second.code, True)
    v = c.view()
    assert v.code == second.code and v.priority and v.enabled["recall"] and not v.enabled["pause"]

    act(c, ui, "recall")
    assert c.state.ticket is not None and c.state.ticket.recalls == 1
    assert sign.shown[-1] == (second.code, True)  # sent again, blinking
    act(c, ui, "start")
    assert c.state.ticket is not None and c.state.ticket.status == TicketStatus.SERVING
    assert sign.shown[-1] == (second.code, False)  # steady while served
    assert not c.allowed("skip") and c.allowed("finish")
    act(c, ui, "finish")
    assert c.state.ticket is None and c.state.served_today == 1
    assert c.message == f"{second.code} selesai dilayani"
    assert sign.shown[-1] == ("", False)

    act(c, ui, "call")
    assert c.state.ticket is not None and c.state.ticket.code == first.code
    act(c, ui, "call")  # finishes `first`; nobody else waits
    assert c.state.ticket is None
    assert c.message == "Tidak ada antrean" and c.message_kind == "warn"
    assert c.state.served_today == 2
    ui.settle()
    assert c.view().waiting_total == 0


def test_double_press_calls_one_ticket(site: Site, make: Make, ui: UiThread) -> None:
    code, services = site.counter()
    c = make(site.url)
    login(c, ui, code)
    tickets = [site.issue(services[0]) for _ in range(2)]
    assert c.act("call")
    assert not c.act("call")  # the first is still in flight
    assert not c.button("next")
    ui.pump(lambda: not c.busy)
    ui.settle()
    assert site.kiosk.ticket(tickets[0].id).status == TicketStatus.CALLED
    assert site.kiosk.ticket(tickets[1].id).status == TicketStatus.WAITING


def test_another_officer_took_the_last_ticket(site: Site, make: Make, ui: UiThread) -> None:
    code, services = site.counter("L09")  # L10 serves SKCK too
    c = make(site.url)
    login(c, ui, code)
    site.issue(services[0])
    other = ApiClient(site.url)
    try:
        other.login("demo", "123456", "L10")
        assert other.call("L10").ticket is not None
    finally:
        other.close()
    act(c, ui, "call")
    assert c.message == "Tidak ada antrean" and c.message_kind == "warn"


def test_pause_resume_and_the_sign(site: Site, make: Make, ui: UiThread) -> None:
    code, services = site.counter()
    sign = Recorder()
    c = make(site.url, sign=sign)
    login(c, ui, code)
    site.issue(services[0])
    act(c, ui, "call")
    assert not c.allowed("pause")  # finish or skip first
    act(c, ui, "skip")
    act(c, ui, "pause")  # F8 pauses...
    assert c.view().paused and not c.allowed("call")
    assert c.view().ticket_state == "Loket sedang istirahat"
    assert sign.shown[-1] == ("", False)
    act(c, ui, "pause")  # ...and F8 again resumes
    assert not c.view().paused and c.allowed("call")
    assert c.message == "Loket dibuka kembali"


def test_transfer_and_requeue(site: Site, make: Make, ui: UiThread) -> None:
    code, services = site.counter()
    c = make(site.url)
    login(c, ui, code)
    late = site.issue(services[0])
    moved = site.issue(services[0])
    act(c, ui, "call")
    act(c, ui, "skip")
    assert c.message == f"{late.code} ditandai tidak hadir"
    act(c, ui, "call")
    choices = c.transfer_choices("pengaduan")
    assert [s for s, _ in choices] == ["INFO"]
    assert all(s != services[0] for s, _ in c.transfer_choices(""))  # not its own service
    act(c, ui, "transfer", "INFO")
    assert c.message == f"{moved.code} dialihkan ke Informasi & Pengaduan"
    assert c.state is not None and c.state.ticket is None
    act(c, ui, "requeue", late.code.lower())
    assert c.message == f"{late.code} dikembalikan ke antrean"
    assert site.kiosk.ticket(late.id).status == TicketStatus.WAITING
    act(c, ui, "requeue", "Z999")
    assert c.message_kind == "error" and "Z999 tidak ditemukan" in c.message


def test_live_counts_follow_the_kiosk(site: Site, make: Make, ui: UiThread) -> None:
    code, services = site.counter()
    c = make(site.url, live=True)
    login(c, ui, code)
    ui.pump(lambda: c.connection == "connected")
    before = c.view().waiting_total
    site.issue(services[-1])
    site.issue(services[-1])
    ui.pump(lambda: c.view().waiting_total == before + 2)


@pytest.mark.slow
def test_server_restart_keeps_the_officer_and_repeats_nothing(
    own_server: ServerProcess, make: Make, ui: UiThread, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shared.stream

    monkeypatch.setattr(shared.stream, "BACKOFF_CAP", 0.5)  # reconnect quickly in the test
    c = make(own_server.url, live=True)
    login(c, ui, "L06")
    ui.pump(lambda: c.connection == "connected")
    kiosk = ApiClient(own_server.url, token="demo-kiosk")
    try:
        ticket = kiosk.issue("JKN", False, "restart-test-0001")
        ui.pump(lambda: c.view().waiting_total == 1)
        own_server.kill()
        # The officer presses F1 before the app has heard of the outage.
        assert c.act("call")
        ui.pump(lambda: not c.busy)
        assert c.status_unknown == "call"
        assert "tidak pasti" in c.message and "Tidak diulang" in c.message
        ui.pump(lambda: c.connection == "down")
        assert c.view().banner.startswith("Koneksi ke server terputus")
        assert not c.allowed("call")  # nothing more is sent into the void
        own_server.start()
        ui.pump(lambda: c.connection == "connected" and not c.status_unknown, timeout=20)
        ui.settle()
        assert c.logged_in  # the session survived the restart
        assert c.message == "Keadaan loket dimuat ulang dari server."
        assert kiosk.ticket(ticket.id).status == TicketStatus.WAITING  # not silently called
        act(c, ui, "call")  # the token is still good
        assert c.state is not None and c.state.ticket is not None
        assert c.state.ticket.id == ticket.id
    finally:
        kiosk.close()


def test_ended_session_asks_to_log_in_again(site: Site, make: Make, ui: UiThread) -> None:
    code, _ = site.counter()
    c = make(site.url)
    login(c, ui, code)
    assert c.client is not None
    other = ApiClient(site.url, token=c.client.token)  # e.g. a supervisor ended it
    try:
        other.logout()
    finally:
        other.close()
    assert c.act("pause")
    ui.pump(lambda: not c.logged_in)
    assert c.login_error == "Sesi Anda berakhir. Silakan masuk lagi."


def test_the_servers_counters_for_the_login_choice(site: Site, make: Make, ui: UiThread) -> None:
    c = make(site.url)
    c.load_counters()
    ui.pump(lambda: bool(c.counters))
    config = load_config(None)
    assert [t.split(" ", 1)[0] for t in c.counters] == [k.code for k in config.counters]
    assert c.view().counters == c.counters
    jht = next(t for t in c.counters if t.startswith("L08 "))
    assert jht.endswith("(BPJS Ketenagakerjaan)")


def test_nobody_waiting_goes_when_a_ticket_arrives(site: Site, make: Make, ui: UiThread) -> None:
    code, services = site.counter()
    c = make(site.url, live=True)
    login(c, ui, code)
    ui.pump(lambda: c.connection == "connected" and not c.link.refreshing)
    act(c, ui, "call")
    assert c.state is not None and c.state.ticket is None
    assert c.view().message == "Tidak ada antrean"
    site.issue(services[0])
    ui.pump(lambda: c.view().waiting_total == 1)
    ui.pump(lambda: not c.link.refreshing)
    assert c.view().message == ""  # not "nobody waiting" beside "1 waiting"
