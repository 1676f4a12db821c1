"""counter.session: the login form, what a failed login says, the login's counters."""

from __future__ import annotations

import pytest

from counter.link import ServerLink
from counter.session import CounterChoice, Session, lock_minutes
from counter.texts import sayer
from shared.client import ServerLocator, Worker
from shared.errors import ApiError, ServerUnavailable
from shared.models import Officer
from tests.counter.conftest import UiThread

# A port nothing listens on: "no server" at the wire, refused at once.
DEAD = "http://127.0.0.1:9"


@pytest.mark.parametrize(
    ("form", "error"),
    [
        (("", "123456", "L01"), "Isi nama pengguna."),
        (("demo", "123456", ""), "Pilih loket terlebih dahulu."),
        (("demo", "123", "L01"), "PIN harus 4 sampai 12 angka."),
        (("demo", "12345678901234", "L01"), "PIN harus 4 sampai 12 angka."),
        (("demo", "12a4", "L01"), "PIN harus 4 sampai 12 angka."),
    ],
)
def test_a_form_filled_wrong_is_not_sent(form: tuple[str, str, str], error: str) -> None:
    session = Session(sayer("id"))
    assert not session.start(*form)
    assert session.login_error == error and not session.login_busy


def test_a_login_from_the_form_to_the_officer_and_out() -> None:
    session = Session(sayer("id"))
    session.login_error = "PIN salah"  # the last attempt's
    assert session.start("demo", "1234", "L01")
    assert session.login_busy and session.login_error == ""
    session.opened(Officer(username="demo", name="Demo", role="officer"), "L01")
    assert session.logged_in and not session.login_busy and session.counter_code == "L01"
    session.closed("Sesi Anda berakhir. Silakan masuk lagi.")
    assert not session.logged_in and session.login_error.startswith("Sesi Anda berakhir")


@pytest.mark.parametrize(
    ("exc", "error"),
    [
        (ServerUnavailable("refused"), "Server antrean tidak dapat dihubungi."),
        (ApiError(401, "wrong_pin", "wrong PIN"), "PIN salah"),
        (
            ApiError(403, "counter_not_allowed", "no"),
            "Anda tidak terdaftar untuk L05. Pilih loket lain.",
        ),
        (ApiError(404, "unknown_counter", "no"), "Loket L05 tidak dikenal server."),
        (ApiError(400, "brand_new", "a new rule"), "Server menolak: a new rule"),
        (KeyError("a bug"), "Terjadi kesalahan di aplikasi; rincian ada di log."),
    ],
    ids=["no-server", "wrong-pin", "not-allowed", "unknown-counter", "other", "bug"],
)
def test_what_a_failed_login_says(exc: BaseException, error: str) -> None:
    session = Session(sayer("id"))
    assert session.start("demo", "1234", "L05")
    session.failed(exc, "L05")
    assert session.login_error.startswith(error) and not session.login_busy
    assert not session.logged_in


def test_a_lockout_says_how_long() -> None:
    assert lock_minutes(ApiError(423, "locked", "locked", {"minutes": 12})) == 12
    assert lock_minutes(ApiError(423, "locked", "locked for 7 minutes")) == 7  # older servers
    assert lock_minutes(ApiError(423, "locked", "locked")) == 5
    session = Session(sayer("en"))
    session.failed(ApiError(423, "locked", "locked", {"minutes": 3}), "L01")
    assert "3" in session.login_error


def test_the_login_counters_are_asked_again_until_read(ui: UiThread) -> None:
    worker = Worker("counter-test")
    link = ServerLink(
        ServerLocator(DEAD, None),
        worker,
        ui.post,
        timeout=1.0,
        on_read=lambda _state, _services: None,
        on_session_over=lambda: None,
        on_change=lambda: None,
        mine=list,
    )
    changes: list[int] = []
    choice = CounterChoice(link, lambda: changes.append(1))
    try:
        choice.load()
        assert choice.loading
        choice.load()  # one request at a time
        ui.pump(lambda: not choice.loading)
        assert choice.counters == [] and changes == []  # the app keeps the config's list
        choice.tick(50.0)  # the first tick asks again
        assert choice.loading
        ui.pump(lambda: not choice.loading)
        choice.tick(51.0)  # not yet: every RETRY_SECONDS
        assert not choice.loading
        choice.tick(53.0)
        assert choice.loading
        ui.pump(lambda: not choice.loading)
    finally:
        worker.stop()
        if link.client is not None:
            link.client.close()
