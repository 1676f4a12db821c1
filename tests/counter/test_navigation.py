"""counter.navigation.Navigator: which screen, which dialog closes, which F-key acts (no Kivy)."""

from __future__ import annotations

from counter.navigation import F_KEYS, Moves, Navigator
from counter.view import CounterView

F1, F7, F8 = 282, 288, 289


def logged_in(**enabled: bool) -> CounterView:
    return CounterView(logged_in=True, enabled=enabled)


def test_login_and_logout_switch_screens_once() -> None:
    nav = Navigator()
    assert nav.show(CounterView()) == Moves()  # the login screen is where it starts
    assert nav.show(CounterView(login_busy=True)) == Moves()
    assert nav.show(logged_in()) == Moves(screen="main")  # no PIN to retype: it worked
    assert nav.show(logged_in()) == Moves()
    assert nav.show(CounterView(login_error="Sesi Anda berakhir.")) == Moves(screen="login")


def test_a_failed_login_asks_for_the_pin_again_once() -> None:
    nav = Navigator()
    nav.show(CounterView(login_busy=True))
    assert nav.show(CounterView(login_error="PIN salah")) == Moves(retry_pin=True)
    assert nav.show(CounterView(login_error="PIN salah")) == Moves()


def test_a_dialog_closes_when_its_action_is_no_longer_possible() -> None:
    nav = Navigator()
    nav.show(logged_in(transfer=True))
    assert nav.show(logged_in(transfer=True), dialog="transfer") == Moves()
    # the ticket was finished from the call buttons while the transfer dialog was open
    assert nav.show(logged_in(transfer=False), dialog="transfer") == Moves(close_dialog=True)
    assert nav.show(CounterView(), dialog="requeue") == Moves(screen="login", close_dialog=True)


def test_f_keys_act_only_on_the_main_screen_with_no_dialog() -> None:
    nav = Navigator()
    assert nav.f_key(F1, dialog_open=False) == ""  # the login screen
    nav.show(logged_in())
    assert nav.f_key(F1, dialog_open=False) == "call"
    assert nav.f_key(F7, dialog_open=False) == "transfer"
    assert nav.f_key(F8, dialog_open=False) == "pause"
    assert nav.f_key(F1, dialog_open=True) == ""
    assert nav.f_key(13, dialog_open=False) == ""  # Enter is not an action
    assert nav.f_key(290, dialog_open=False) == "complain"  # F9: the complaint form
    assert len(F_KEYS) == 9
