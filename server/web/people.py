"""Console pages: officers (add, change, disable, reset a PIN) and devices (register, revoke)."""

from __future__ import annotations

from functools import partial
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from server.access.deps import RowId, get_ctx
from server.office import devices as office_devices
from server.office import people as office_people
from server.office.audit import actor
from server.office.devices import register_device, revoke_device
from server.office.people import save_person
from server.office.views import DeviceRegistered
from server.problems import Problem, field_errors
from server.web.forms import answer_form
from server.web.i18n import add_words, t
from server.web.menu import ADMIN, menu
from server.web.render import page
from server.web.session import AdminDep, Visitor
from shared.timeutil import utcnow

router = APIRouter()
menu(70, "/console/people", "people", ADMIN)
menu(80, "/console/devices", "devices", ADMIN)

add_words(
    {
        "people_title": ("Petugas dan pengguna konsol", "Officers and console users"),
        # `antrian server --demo`: its accounts and devices are built in, never rows
        "demo_builtin": ("bawaan mode demo", "built into demo mode"),
        "demo_no_actions": ("tetap selama mode demo", "fixed while in demo mode"),
        "demo_not_recorded": (
            "kontak tidak dicatat untuk perangkat bawaan demo",
            "contact is not recorded for demo devices",
        ),
        "any_counter": ("semua loket", "any counter"),
        "signed_in_at": ("masuk: {at}", "signed in: {at}"),
        "not_signed_in": ("tidak sedang masuk", "not signed in"),
        "add_person": ("Tambah petugas", "Add an officer"),
        "edit_person": ("Ubah {name}", "Change {name}"),
        "pin_new": ("PIN baru (4-12 angka)", "New PIN (4-12 digits)"),
        "password_new": (
            "Kata sandi baru (min. 10 karakter)",
            "New password (at least 10 characters)",
        ),
        "blank_keeps": ("Kosongkan agar tidak berubah", "Leave empty to keep it"),
        "counters_help": (
            "Kode loket dipisah koma, mis. L01,L02",
            "Counter codes, comma separated, e.g. L01,L02",
        ),
        "disable": ("Nonaktifkan", "Disable"),
        "enable": ("Aktifkan", "Enable"),
        "person_saved": (
            "{name} tersimpan. Sesi lamanya telah diakhiri.",
            "{name} saved. Their sessions have ended.",
        ),
        "devices_title": (
            "Perangkat: anjungan, layar TV, tablet survei",
            "Devices: kiosks, TVs, survey tablets",
        ),
        "register_device": ("Daftarkan perangkat", "Register a device"),
        "device_kind": ("Jenis", "Kind"),
        "device_counter": ("Loket (tablet survei)", "Counter (survey tablet)"),
        "last_contact": ("Kontak terakhir", "Last contact"),
        "address": ("Alamat", "Address"),
        "state": ("Keadaan", "State"),
        "revoke": ("Cabut", "Revoke"),
        "revoked": ("Dicabut", "Revoked"),
        "token_once": (
            "Token perangkat {name} (hanya ditampilkan sekarang; salin ke [client] token"
            " di konfigurasi perangkat):",
            "The token of {name} (shown only now; put it in the device's [client] token):",
        ),
        "revoke_confirm": (
            "Cabut {name}? Tokennya langsung berhenti berlaku.",
            "Revoke {name}? Its token stops working at once.",
        ),
        "device_revoked": (
            "{name} dicabut; tokennya tidak berlaku lagi.",
            "{name} revoked; its token no longer works.",
        ),
        "none": ("tidak ada", "none"),
    }
)

# Text as typed: the office's rules (server/office/) check each field and the page shows
# their messages; the bound only caps the memory (above any rule's), as the API's.
TEXT = 1000
FormText = Annotated[str, Form(max_length=TEXT)]

ROLE_WORDS = {"admin": "role_admin", "supervisor": "role_supervisor", "officer": "role_officer"}


def _counters(text: str) -> list[str]:
    return [c.strip() for c in text.replace(";", ",").split(",") if c.strip()]


async def _people_page(
    request: Request,
    visitor: Visitor,
    *,
    status: int = 200,
    errors: dict[str, str] | None = None,
    code: str = "",
    form: dict[str, str] | None = None,
    notice: str = "",
    editing: str = "",
) -> HTMLResponse:
    ctx = await get_ctx(request)

    def read() -> tuple[list[office_people.PersonView], list[office_people.DemoAccount]]:
        with ctx.store.read() as s:
            demo = office_people.demo_accounts(s, utcnow()) if ctx.demo else []
            return office_people.people(s), demo

    listed, demo = await run_in_threadpool(read)
    return page(
        request,
        "console/people.html",
        visitor,
        status=status,
        people=listed,
        demo_accounts=demo,
        errors=errors or {},
        code=code,  # the refusal's code, as the API answers it (on the form, for tools)
        form=form or {},
        notice=notice,
        editing=editing,
        role_words=ROLE_WORDS,
        counters=list(ctx.site.counters),
    )


@router.get("/console/people", response_class=HTMLResponse)
async def people_page(
    request: Request, visitor: AdminDep, edit: str = "", saved: str = ""
) -> HTMLResponse:
    notice = ""
    if saved:
        notice = t("person_saved", visitor.lang, name=saved)
    return await _people_page(request, visitor, editing=edit, notice=notice)


@router.post("/console/people", response_class=HTMLResponse)
async def people_save(
    request: Request,
    visitor: AdminDep,
    create: Annotated[str, Form(max_length=1)] = "",
    username: FormText = "",
    name: FormText = "",
    role: FormText = "officer",
    counters: Annotated[str, Form(max_length=4 * TEXT)] = "",
    pin: FormText = "",
    password: FormText = "",
    active: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    form = {"username": username, "name": name, "role": role, "counters": counters}
    ctx = await get_ctx(request)
    change = office_people.PersonChange(
        username=username.strip(),
        name=name,
        role=role,
        counters=_counters(counters),
        pin=pin or None,
        password=password or None,
        active=None if not active else active == "1",
    )

    async def again(problem: Problem) -> Response:
        return await _people_page(
            request,
            visitor,
            status=problem.status,
            errors=field_errors(problem, visitor.lang),
            code=problem.code,
            form=form,
            editing="" if create == "1" else username,
        )

    by = actor(visitor.who, "console")
    return await answer_form(
        partial(save_person, ctx, change, create=create == "1", by=by),
        lambda saved: f"/console/people?saved={saved.username}",
        again,
    )


@router.post("/console/people/{username}/active", response_class=HTMLResponse)
async def people_active(
    request: Request,
    visitor: AdminDep,
    username: str,
    active: Annotated[str, Form(max_length=1)] = "0",
) -> Response:
    ctx = await get_ctx(request)
    change = office_people.PersonChange(username=username, active=active == "1")

    async def again(problem: Problem) -> Response:
        return await _people_page(request, visitor, status=problem.status, notice=problem.message)

    by = actor(visitor.who, "console")
    return await answer_form(
        partial(save_person, ctx, change, create=False, by=by), "/console/people", again
    )


async def _devices_page(
    request: Request,
    visitor: Visitor,
    *,
    status: int = 200,
    errors: dict[str, str] | None = None,
    code: str = "",
    form: dict[str, str] | None = None,
    notice: str = "",
    token: str = "",
    token_name: str = "",
) -> HTMLResponse:
    ctx = await get_ctx(request)

    def read() -> list[office_devices.DeviceView]:
        with ctx.store.read() as s:
            return office_devices.devices(s)

    listed = await run_in_threadpool(read)
    answer = page(
        request,
        "console/devices.html",
        visitor,
        status=status,
        devices=listed,
        demo_devices=office_devices.demo_devices() if ctx.demo else [],
        errors=errors or {},
        code=code,  # the refusal's code, as the API answers it (on the form, for tools)
        form=form or {},
        notice=notice,
        token=token,
        token_name=token_name,
        counters=list(ctx.site.counters),
        tz=ctx.site.tz,
    )
    return answer


@router.get("/console/devices", response_class=HTMLResponse)
async def devices_page(
    request: Request, visitor: AdminDep, shown: str = "", revoked: str = ""
) -> HTMLResponse:
    kept = request.app.state.once.pop(shown) if shown else None
    if kept is None:
        notice = t("device_revoked", visitor.lang, name=revoked) if revoked else ""
        return await _devices_page(request, visitor, notice=notice)
    name, token = kept
    return await _devices_page(request, visitor, token=token, token_name=name)


@router.post("/console/devices", response_class=HTMLResponse)
async def devices_register(
    request: Request,
    visitor: AdminDep,
    name: FormText = "",
    role: FormText = "kiosk",
    counter: FormText = "",
) -> Response:
    form = {"name": name, "role": role, "counter": counter}
    ctx = await get_ctx(request)

    async def again(problem: Problem) -> Response:
        return await _devices_page(
            request,
            visitor,
            status=problem.status,
            errors=field_errors(problem, visitor.lang),
            code=problem.code,
            form=form,
        )

    def shown(saved: DeviceRegistered) -> str:
        # Shown once, on the page the redirect leads to (so a reload cannot register
        # again): kept in memory for that one view, never in a URL or a log.
        return f"/console/devices?shown={request.app.state.once.put((saved.name, saved.token))}"

    by = actor(visitor.who, "console")
    return await answer_form(
        partial(register_device, ctx, name.strip(), role, counter.strip() or None, by),
        shown,
        again,
    )


@router.post("/console/devices/{device_id}/revoke", response_class=HTMLResponse)
async def devices_revoke(
    request: Request,
    visitor: AdminDep,
    device_id: RowId,
) -> Response:
    ctx = await get_ctx(request)

    async def again(problem: Problem) -> Response:
        return await _devices_page(request, visitor, status=problem.status, notice=problem.message)

    return await answer_form(
        partial(revoke_device, ctx, device_id, actor(visitor.who, "console")),
        lambda saved: "/console/devices?" + urlencode({"revoked": saved.name}),
        again,
    )
