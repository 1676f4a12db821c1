"""counter.flow.CallFlow and counter.desk.Desk: what the officer may do, and what is said after.

Plain state and real wire models (tests/counter/wire.py): no server, no window.
"""

from __future__ import annotations

import pytest

from counter.desk import Desk, WaitingRow
from counter.flow import ACTIONS, CallFlow, Request
from counter.texts import sayer
from shared.errors import ApiError, ServerUnavailable
from shared.models import CounterAnswer, CounterState, CounterStatus, TicketStatus
from tests.counter.wire import counter, services, ticket

EVERY = (*ACTIONS, "resume")


def flow_at(state: CounterState | None, lang: str = "id") -> CallFlow:
    desk = Desk(lang)
    desk.state, desk.services = state, services(KTP=2, KK=1, INFO=4)
    return CallFlow(desk, sayer(lang))


def allowed(flow: CallFlow, online: bool = True) -> set[str]:
    return {a for a in EVERY if flow.allowed(a, online=online)}


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        (None, set()),
        (counter(), {"call", "requeue", "pause"}),
        (
            counter(ticket(status=TicketStatus.CALLED)),
            {"call", "recall", "start", "skip", "finish", "transfer", "requeue"},
        ),
        (counter(ticket(status=TicketStatus.SERVING)), {"call", "finish", "transfer", "requeue"}),
        (counter(status=CounterStatus.PAUSED), {"pause", "resume"}),  # F8 toggles back
    ],
    ids=["logged-out", "idle", "called", "serving", "paused"],
)
def test_what_is_allowed(state: CounterState | None, expected: set[str]) -> None:
    assert allowed(flow_at(state)) == expected


def test_nothing_while_offline_or_while_an_action_is_in_flight() -> None:
    flow = flow_at(counter(ticket()))
    assert allowed(flow, online=False) == set()
    assert flow.start("recall") is not None
    assert flow.busy == "recall" and flow.message == "Memproses..."
    assert allowed(flow) == set()
    assert flow.start("call") is None  # a double press sends one request


def test_f8_on_a_paused_counter_resumes() -> None:
    request = flow_at(counter(status=CounterStatus.PAUSED)).start("pause")
    assert request is not None and request.action == "resume"


def test_requeue_and_transfer_need_their_argument() -> None:
    flow = flow_at(counter(ticket()))
    assert flow.start("requeue", "  ") is None
    assert flow.start("transfer") is None
    assert flow.busy == ""  # nothing was started
    request = flow.start("requeue", " a012 ")
    assert request == Request("requeue", " a012 ", flow.desk.ticket)
    assert request.ticket_code == "A012"


def answered(
    flow: CallFlow, action: str, argument: str = "", after: CounterState | None = None
) -> tuple[str, str]:
    """Start `action`, then the server's answer: the counter `after` (holding its ticket)."""
    request = flow.start(action, argument)
    assert request is not None, action
    after = after if after is not None else counter()
    flow.desk.state = after  # (the controller stores the counter before the flow speaks)
    flow.done(request, CounterAnswer(counter=after, ticket=after.ticket), None)
    assert flow.busy == "" and flow.status_unknown == ""
    return flow.message, flow.message_kind


def test_what_a_success_says() -> None:
    called = counter(ticket("A002"))
    assert answered(flow_at(counter()), "call", after=called) == ("Memanggil A002", "ok")
    assert answered(flow_at(counter()), "call") == ("Tidak ada antrean", "warn")
    assert answered(flow_at(called), "recall", after=called) == ("Memanggil ulang A002", "ok")
    # finish and skip name the ticket the counter held when asked: it has none after
    assert answered(flow_at(called), "finish") == ("A002 selesai dilayani", "ok")
    assert answered(flow_at(called), "skip") == ("A002 ditandai tidak hadir", "ok")
    assert answered(flow_at(called), "requeue", "a012") == ("A012 dikembalikan ke antrean", "ok")
    assert answered(flow_at(called), "transfer", "INFO") == (
        "A002 dialihkan ke Informasi & Pengaduan",
        "ok",
    )
    english = flow_at(called, lang="en")
    assert answered(english, "transfer", "KK") == ("A002 transferred to Kartu Keluarga", "ok")


def test_a_lost_answer_is_not_resent_but_said_unknown_until_the_counter_is_read() -> None:
    flow = flow_at(counter())
    request = flow.start("call")
    assert request is not None
    flow.done(request, None, ServerUnavailable("connection refused"))
    assert flow.busy == "" and flow.status_unknown == "call"
    assert flow.message_kind == "warn" and "tidak pasti" in flow.message
    flow.state_read()
    assert flow.status_unknown == ""
    assert flow.message == "Keadaan loket dimuat ulang dari server."
    flow.state_read()  # a later re-read says nothing more
    assert flow.message == "Keadaan loket dimuat ulang dari server."


@pytest.mark.parametrize(
    ("exc", "message"),
    [
        (
            ApiError(404, "unknown_ticket", "no such ticket"),
            "Nomor Z999 tidak ditemukan hari ini untuk layanan loket ini.",
        ),
        (
            ApiError(409, "something_new", "the server's own words"),
            "Server menolak: the server's own words",
        ),
        (ZeroDivisionError("a bug"), "Terjadi kesalahan di aplikasi; rincian ada di log."),
    ],
    ids=["known", "unknown-code", "bug"],
)
def test_what_a_refusal_says(exc: BaseException, message: str) -> None:
    flow = flow_at(counter())
    request = flow.start("requeue", "z999")
    assert request is not None
    flow.done(request, None, exc)
    assert (flow.message, flow.message_kind) == (message, "error")
    assert flow.busy == "" and flow.status_unknown == ""


def test_nobody_waiting_goes_once_someone_waits() -> None:
    flow = flow_at(counter())
    assert answered(flow, "call")[0] == "Tidak ada antrean"
    flow.counts_read(0)
    assert flow.message == "Tidak ada antrean"
    flow.counts_read(1)
    assert flow.message == ""
    flow.tell("Memanggil A003", "ok")
    flow.counts_read(5)  # any other line stays
    assert flow.message == "Memanggil A003"


def test_a_call_button_that_cannot_act_says_so_unless_one_is_in_flight() -> None:
    flow = flow_at(counter())
    assert flow.key_not_now("finish")
    assert (flow.message, flow.message_kind) == (
        '"Selesai" tidak dapat dilakukan sekarang.',
        "warn",
    )
    assert flow.start("call") is not None
    assert not flow.key_not_now("call")
    assert flow.message == "Memproses..."


def test_the_desk_answers_from_the_last_counts() -> None:
    desk = flow_at(counter(ticket(service="KTP"), services=("KTP", "KK", "GONE"))).desk
    assert desk.waiting_rows() == [
        WaitingRow("KTP", "KTP-el", 2),
        WaitingRow("KK", "Kartu Keluarga", 1),
    ]
    assert desk.waiting_here() == 3  # INFO's four wait for another counter
    assert desk.service_name("AKTA") == "Akta" and desk.service_name("NOPE") == "NOPE"
    # transfer: not to the ticket's own service; words match name, agency, code or prefix
    assert [c for c, _ in desk.transfer_choices()] == ["KK", "AKTA", "INFO"]
    assert desk.transfer_choices("pengaduan") == [("INFO", "Informasi & Pengaduan - Pengelola MPP")]
    assert [c for c, _ in desk.transfer_choices("dukcapil akta")] == ["AKTA"]
    assert desk.transfer_choices("ktp") == []
    desk.lang = "en"
    assert desk.service_name("AKTA") == "Certificates"
    assert desk.service_name("KK") == "Kartu Keluarga"  # no English name: the Indonesian
