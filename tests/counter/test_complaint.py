"""Pengaduan at the counter (issue 25): the officer enters the complaint of the visitor
being served, in a real offscreen Kivy window against a real server process; the server's
refusals show beside the fields with nothing typed lost, and the filed complaint reaches
the register linked to the ticket. (Screenshots at the counter's sizes: the tour,
`antrian counter --screenshots DIR --size 1280x720`, shots 05b and 05c.)"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.gui

from counter.screens import ComplaintDialog, ComplaintFiledDialog  # noqa: E402 - after the marker
from counter.ui import CounterApp  # noqa: E402
from tests.counter.conftest import Site  # noqa: E402
from tests.counter.test_help import console  # noqa: E402
from tests.counter.test_ui import ENTER, F, frames, key, pump, settled, type_text  # noqa: E402
from tests.counter.test_ui import make_app as make_app  # noqa: E402  (a fixture)

F9 = 290
TEXT = "Persyaratan di papan informasi berbeda dengan yang diminta petugas; saya datang dua kali."


def sign_in(app: CounterApp, username: str, pin: str) -> None:
    ls = app.login_screen
    ls.ids.username.text = ""
    type_text(ls.ids.username, username)
    key(ENTER)
    frames(2)
    type_text(ls.ids.pin, pin)
    key(ENTER)
    pump(lambda: app.manager.current == "main" and app.controller.connection == "connected")


def register(admin: httpx.Client) -> list[dict[str, Any]]:
    got = admin.get("/admin/complaints")
    assert got.status_code == 200, got.text
    return list(got.json())


def test_the_officer_files_the_visitors_complaint_linked_to_the_ticket(
    site: Site, make_app: Callable[..., CounterApp]
) -> None:
    code, services = site.counter()
    username = f"desk{code.lower()}"
    site.server.add_officer(username, "2468", code)
    app = make_app(counter=code)
    sign_in(app, username, "2468")
    ms = app.main_screen
    assert "complain" not in ms.allowed  # no visitor yet: nobody to complain for
    ticket = site.issue(services[0])
    key(F["F1"])
    pump(lambda: settled(app) and ms.code == ticket.code)
    key(F["F3"])
    pump(lambda: settled(app) and ms.ticket_state == "Sedang dilayani")
    assert "complain" in ms.allowed

    with console(site) as admin:
        before = len(register(admin))
        key(F9)
        pump(lambda: isinstance(app.dialog, ComplaintDialog))
        form = app.dialog
        assert isinstance(form, ComplaintDialog)
        dialog: ComplaintDialog = form
        pump(lambda: dialog.ids.text.focus)  # the cursor is in the text at once
        assert dialog.title == f"Pengaduan pengunjung {ticket.code} ({ticket.service_name})"
        key(F["F1"])  # the queue's keys do nothing while the form is open
        # The server's refusals, each beside its field; everything typed stays.
        type_text(dialog.ids.text, "terlalu")
        key(9)  # Tab: to the contact
        frames(2)
        assert dialog.ids.contact.focus
        type_text(dialog.ids.contact, "besok saja")
        key(ENTER)  # Enter in the contact saves
        pump(lambda: not dialog.busy and bool(dialog.text_error))
        frames(3)
        assert dialog.text_error == "Tuliskan pengaduan Anda (minimal 10 karakter)."
        assert dialog.contact_error.startswith("Isi nomor HP")
        assert (dialog.ids.text.text, dialog.ids.contact.text) == ("terlalu", "besok saja")
        assert app.dialog is dialog and len(register(admin)) == before  # nothing kept
        assert site.kiosk.ticket(ticket.id).status.value == "serving"  # F1 did nothing

        dialog.ids.text.text = ""
        type_text(dialog.ids.text, TEXT)
        dialog.ids.contact.text = ""
        type_text(dialog.ids.contact, "0812-3456-7890")
        key(ENTER)
        pump(lambda: isinstance(app.dialog, ComplaintFiledDialog))
        filed = app.dialog
        assert isinstance(filed, ComplaintFiledDialog)
        frames(3)
        assert filed.reference.startswith("ADU-") and filed.qr is not None
        assert filed.link.startswith(site.url + "/pengaduan/")
        assert ms.message == f"Pengaduan {filed.reference} dicatat"

        # In the register, linked to the ticket, as entered at the desk by this officer.
        entry = next(e for e in register(admin) if e["reference"] == filed.reference)
        assert (entry["ticket"], entry["channel"], entry["filed_by"], entry["service"]) == (
            ticket.code, "desk", username, ticket.service,
        )  # fmt: skip
        assert entry["text"] == TEXT and entry["contact"] == "+62812*****890"
    # The visitor's follow-up link answers on the page it names.
    token = filed.link.rsplit("/", 1)[1]
    seen = httpx.get(f"{site.url}/api/v1/complaints/{token}").json()
    assert seen["reference"] == filed.reference and seen["status"] == "received"
    page = httpx.get(filed.link)
    assert page.status_code == 200 and filed.reference in page.text
    filed.dismiss()
    pump(lambda: app.dialog is None)

    # Just after service the visitor may still complain: linked to the ticket finished.
    key(F["F4"])
    pump(lambda: settled(app) and ms.code == "")
    assert "complain" in ms.allowed
    assert app.controller.complaint_ticket() is not None
    assert app.controller.complaint_ticket().id == ticket.id  # type: ignore[union-attr]
