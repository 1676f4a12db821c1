"""Which screen the counter shows and what moves with a change, with no Kivy.

The app owns the widgets; after each `CounterView` it asks the `Navigator` what to
do (switch screens, close a dialog, ask for the PIN again) and does it, and it asks
which F-key is an action now.
"""

from __future__ import annotations

from dataclasses import dataclass

from counter.flow import ACTIONS
from counter.view import CounterView

# SDL key codes of F1..F8, in the order of flow.ACTIONS; F9 opens the complaint form.
F_KEYS = {282 + i: action for i, action in enumerate(ACTIONS)} | {290: "complain"}


@dataclass(frozen=True)
class Moves:
    """What the app does after a view: all False/"" is "just show it"."""

    screen: str = ""  # "login" | "main": switch to it (an open dialog closes)
    close_dialog: bool = False  # the open dialog's action is not possible any more
    retry_pin: bool = False  # a login just failed: the PIN field, emptied, gets the cursor


class Navigator:
    """Login or main screen, from the views the controller sends."""

    def __init__(self) -> None:
        self.screen = "login"
        self._was_busy = False  # the last view had a login in flight

    def show(self, view: CounterView, dialog: str = "") -> Moves:
        """The moves for `view`, with `dialog` the action of the dialog open now ("" none)."""
        retry_pin = self._was_busy and not view.login_busy and not view.logged_in
        self._was_busy = view.login_busy
        screen = "main" if view.logged_in else "login"
        if screen != self.screen:
            self.screen = screen
            return Moves(screen=screen, close_dialog=bool(dialog), retry_pin=retry_pin)
        # e.g. the ticket was finished from the keypad while the transfer dialog was open
        gone = bool(dialog) and view.logged_in and not view.enabled.get(dialog, False)
        return Moves(close_dialog=gone, retry_pin=retry_pin)

    def f_key(self, key: int, dialog_open: bool) -> str:
        """The action of an F-key press, or "" when that key is not an action here and now."""
        if dialog_open or self.screen != "main":
            return ""  # (a dialog's text field or the login form has the keys)
        return F_KEYS.get(key, "")
