"""Console pages of the site's setup: settings, agencies, services, counters, hours, the
change log. Each form posts to a handler that makes the same edit as the API route
(server/office/edits.py) through the same `live.change`: the one validator decides, its
errors show beside their fields, and nothing is half-saved."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from server.access.deps import get_ctx
from server.documents.numbers import format_number
from server.office import audit, edits, live
from server.office import views as office_views
from server.office.audit import actor
from server.office.definition import Stored
from server.problems import Problem, field_errors
from server.web.forms import answer_form
from server.web.i18n import add_words, t
from server.web.menu import ADMIN, menu
from server.web.render import page
from server.web.session import AdminDep, Visitor
from shared.config import DAYS, STANDARD_FIELDS

router = APIRouter()
menu(20, "/console/site", "site_setup", ADMIN)
menu(22, "/console/agencies", "agencies", ADMIN, under="/console/site")
menu(24, "/console/services", "services", ADMIN, under="/console/site")
menu(26, "/console/counters", "counters", ADMIN, under="/console/site")
menu(28, "/console/hours", "hours", ADMIN, under="/console/site")
menu(90, "/console/audit", "audit", ADMIN, under="/console/site")

add_words(
    {
        "agencies": ("Instansi", "Agencies"),
        "services": ("Layanan", "Services"),
        "hours": ("Jam layanan", "Opening hours"),
        "site_title": ("Pengaturan gedung", "The building's settings"),
        "site_name": ("Nama gedung", "Building name"),
        "running_text": ("Teks berjalan di layar TV", "TV running text"),
        "tv_publish": (
            "TV menampilkan hasil SKM dan standar pelayanan di antara panggilan",
            "TVs show the SKM result and the service standards between calls",
        ),
        "tv_publish_help": (
            "Panggilan selalu didahulukan; juga di halaman publik /info/",
            "A call always comes first; also on the public page /info/",
        ),
        "running_help": (
            "Kosong: tiap TV memakai teksnya sendiri",
            "Empty: each TV shows its own text",
        ),
        "alerts_help": (
            "Peringatan waktu tunggu memakai target waktu tunggu tiap layanan (halaman Layanan).",
            "The waiting-time alert uses each service's waiting-time target (Services page).",
        ),
        "footer": ("Teks kaki tiket", "Ticket footer"),
        "signature": ("Blok tanda tangan laporan", "Report signature block"),
        "place": ("Tempat", "Place"),
        "head_title": ("Jabatan kepala", "Head's title"),
        "head_name": ("Nama kepala", "Head's name"),
        "head_id": ("NIP", "Civil-servant number (NIP)"),
        "queue_rules": ("Aturan antrean", "Queue rules"),
        "priority_max_in_row": ("Prioritas berturut-turut maks.", "Priority calls in a row, max"),
        "requeue_window_minutes": ("Batas panggil ulang (menit)", "Requeue window (minutes)"),
        "default_service_minutes": ("Lama layanan awal (menit)", "Default service time (min)"),
        "alerts_title": ("Peringatan", "Alerts"),
        "pause_minutes": ("Loket jeda lebih dari (menit)", "Counter paused over (minutes)"),
        "quota_left": ("Sisa kuota kurang dari", "Quota left below"),
        "device_silent_minutes": ("Perangkat diam lebih dari (menit)", "Device silent (minutes)"),
        "booking_settings": ("Antrean online", "Online booking"),
        "days_ahead": ("Hari ke depan", "Days ahead"),
        "retention_days": ("Simpan data pribadi (hari)", "Keep personal data (days)"),
        "early_minutes": ("Boleh datang lebih awal (menit)", "May check in early (minutes)"),
        "require_sms_code": ("Wajib kode SMS", "Require an SMS code"),
        "require_sms_code_help": (
            "Nomor HP dibuktikan dengan kode sekali pakai lewat SMS sebelum booking. Perlu"
            " saluran pesan (Pesan ke pengunjung, di bawah).",
            "The phone is proven by a one-time code by SMS before booking. Needs a message"
            " channel (Messages to visitors, below).",
        ),
        "complaints_settings": ("Pengaduan", "Complaints"),
        "target_days": ("Target jawaban (hari kerja)", "Answer within (working days)"),
        "notify_settings": ("Pesan ke pengunjung", "Messages to visitors"),
        "channel": ("Saluran", "Channel"),
        "channel_none": ("Tidak ada", "None"),
        "channel_sms": ("SMS (modem GSM di server)", "SMS (GSM modem on the server)"),
        "channel_http": ("Gateway HTTP", "HTTP gateway"),
        "device": ("Perangkat modem", "Modem device"),
        "url": ("Alamat gateway", "Gateway URL"),
        "body": ("Isi permintaan ({phone}, {text})", "Request body ({phone}, {text})"),
        "near_ahead": ("Kirim saat antrean di depan tinggal", "Send when this many are ahead"),
        "near_minutes": (
            "Atau bila perkiraan kurang dari (menit, 0 = mati)",
            "Or when the estimate is under (min, 0 = off)",
        ),
        "per_minute": ("Pesan per menit maks.", "Messages a minute, max"),
        "per_day": ("Pesan per hari maks.", "Messages a day, max"),
        "code": ("Kode", "Code"),
        "name_en": ("Nama (Inggris)", "Name (English)"),
        "color": ("Warna", "Colour"),
        "agency": ("Instansi", "Agency"),
        "prefix": ("Awalan", "Prefix"),
        "prefix_later": ("{now} hari ini, {new} mulai {day}", "{now} today, {new} from {day}"),
        "quota": ("Kuota harian", "Daily quota"),
        "quota_help": ("Kosong: tanpa kuota", "Empty: no quota"),
        "has_priority": ("Ada antrean prioritas", "Has a priority line"),
        "priority_badge": ("Prioritas", "Priority"),
        "target_minutes": ("Target waktu tunggu (menit)", "Waiting-time target (minutes)"),
        "hidden": ("Disembunyikan", "Hidden"),
        "needs_nik": ("Wajib NIK (online)", "Needs NIK (online)"),
        "sessions": ("Sesi online", "Online sessions"),
        "sessions_help": (
            "mis. 08:00-10:00=20, 10:00-12:00=20 (jam=tempat)",
            "e.g. 08:00-10:00=20, 10:00-12:00=20 (hours=places)",
        ),
        "add_agency": (
            "Tambah instansi (dengan layanan pertamanya)",
            "Add an agency (and its first service)",
        ),
        "add_service": ("Tambah layanan", "Add a service"),
        "add_counter": ("Tambah loket", "Add a counter"),
        "first_service": ("Layanan pertama", "First service"),
        "serves": ("Layanan yang dilayani", "Services served"),
        "serves_help": ("Kode layanan dipisah koma, mis. KTP,KK", "Service codes, e.g. KTP,KK"),
        "delete": ("Hapus", "Delete"),
        "delete_confirm": (
            "Hapus {what}? Ini tidak dapat dibatalkan.",
            "Delete {what}? This cannot be undone.",
        ),
        "deleted": ("{what} dihapus.", "{what} deleted."),
        "saved_what": ("{what} tersimpan dan langsung berlaku.", "{what} saved; in force now."),
        "hours_of": ("Jam layanan: {what}", "Opening hours: {what}"),
        "whole_site": ("seluruh gedung", "the whole building"),
        "own_hours": ("Jam sendiri", "Own hours"),
        "follows": ("mengikuti", "follows"),
        "day_help": (
            "mis. 08:00-11:30, 13:00-14:30 (jeda di antaranya); kosong: tutup",
            "e.g. 08:00-11:30, 13:00-14:30 (a break between); empty: closed",
        ),
        "holidays": ("Hari libur", "Holidays"),
        "holidays_help": ("Tanggal dipisah koma, mis. 2026-12-25", "Dates, e.g. 2026-12-25"),
        "dates": ("Tanggal khusus", "One-off dates"),
        "dates_help": (
            "Satu per baris: 2026-12-24 tutup, atau 2026-12-31 08:00-12:00",
            "One a line: 2026-12-24 closed, or 2026-12-31 08:00-12:00",
        ),
        "last_issue_minutes": (
            "Tiket terakhir sebelum tutup (menit)",
            "Last ticket before closing (min)",
        ),
        "follow_again": ("Ikuti jam di atasnya lagi", "Follow the hours above again"),
        "monday": ("Senin", "Monday"),
        "tuesday": ("Selasa", "Tuesday"),
        "wednesday": ("Rabu", "Wednesday"),
        "thursday": ("Kamis", "Thursday"),
        "friday": ("Jumat", "Friday"),
        "saturday": ("Sabtu", "Saturday"),
        "sunday": ("Minggu", "Sunday"),
        "audit_title": ("Riwayat perubahan pengaturan", "Changes to the setup"),
        "when": ("Waktu", "When"),
        "who": ("Oleh", "By"),
        "source": ("Melalui", "Through"),
        "what": ("Apa", "What"),
        "before": ("Sebelum", "Before"),
        "after": ("Sesudah", "After"),
        "newer": ("Lebih baru", "Newer"),
        "older": ("Lebih lama", "Older"),
        "action_create": ("dibuat", "created"),
        "action_update": ("diubah", "changed"),
        "action_delete": ("dihapus", "deleted"),
        "standard": ("Standar pelayanan", "Service standard"),
        "standard_of": ("Standar pelayanan: {what}", "Service standard: {what}"),
        "standard_help": (
            "Teks biasa (boleh beberapa baris); tampil di halaman publik /info/. Kosongkan"
            " semua untuk tidak menampilkan standar.",
            "Plain text (lines allowed); shown on the public page /info/. Leave every part"
            " empty to publish no standard.",
        ),
        # the standard's parts (std_requirements...) are web/info.py's words
        "std_cost_help": ("mis. Gratis, atau Rp 50.000 (PNBP)", "e.g. Gratis (free), or Rp 50.000"),
        "yes": ("ya", "yes"),
        "no": ("tidak", "no"),
        "groups_title": ("Kelompok prioritas", "Priority groups"),
        "groups_help": (
            "Siapa antrean prioritas itu (dipilih di anjungan). Kode tetap; nama boleh diubah."
            " Kelompok yang dipakai antrean hari ini baru dapat dihapus besok.",
            "Who a priority ticket is for (chosen at the kiosk). Codes stay; names may change."
            " A group on today's tickets can be removed from tomorrow.",
        ),
        "group_new": ("Kelompok baru", "A new group"),
        "remove": ("Hapus", "Remove"),
        "save_groups": ("Simpan kelompok", "Save the groups"),
        # the change log's field names that no form label already gives
        "af_always_open": ("Buka sepanjang waktu", "Always open"),
        "af_week": ("Jam per hari", "Hours by weekday"),
        "af_priority": ("Ada antrean prioritas", "Has a priority line"),
        "af_logo": ("Logo", "Logo"),
        "af_counters": ("Loket", "Counters"),
        "af_services": ("Layanan", "Services"),
        "af_revoked": ("Dicabut", "Revoked"),
        "af_role": ("Peran", "Role"),
        "af_counter": ("Loket", "Counter"),
        "entity_site": ("Gedung", "Building"),
        "entity_agency": ("Instansi", "Agency"),
        "entity_service": ("Layanan", "Service"),
        "entity_counter": ("Loket", "Counter"),
        "entity_schedule": ("Jam layanan", "Opening hours"),
        "entity_device": ("Perangkat", "Device"),
        "entity_officer": ("Petugas", "Officer"),
        "none_value": ("(kosong)", "(empty)"),
    }
)

CLOSED_WORDS = {"tutup", "closed", "libur", "-"}


async def _form(request: Request) -> dict[str, str]:
    data = await request.form()
    return {k: v for k, v in data.items() if isinstance(v, str)}


def _number(text: str) -> Any:
    """A form's number as the validator gets it: "" -> None; else the text, which the
    validator reads (and refuses in words when it is not a number)."""
    text = text.strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text


def _list(text: str) -> list[str]:
    return [p.strip() for p in text.replace(";", ",").split(",") if p.strip()]


def _sessions(text: str) -> list[dict[str, Any]]:
    """'08:00-10:00=20, 10:00-12:00=20' as booking sessions (the validator reads each)."""
    out: list[dict[str, Any]] = []
    for part in _list(text):
        hours, _, places = part.partition("=")
        item: dict[str, Any] = {"range": hours.strip()}
        if places.strip():
            item["places"] = _number(places)
        out.append(item)
    return out


def _local(prefix: str, errors: dict[str, str]) -> dict[str, str]:
    """The validator's field paths (services.IZIN.quota) as this form's names (quota)."""
    out: dict[str, str] = {}
    for key, text in errors.items():
        short = key.removeprefix(prefix)
        out.setdefault(short.split(".")[0] if short != key else key, text)
    return out


async def _read(request: Request) -> Stored:
    ctx = await get_ctx(request)

    def read() -> Stored:
        with ctx.store.read() as s:
            return office_views.stored(s)

    return await run_in_threadpool(read)


async def _submit(
    request: Request,
    visitor: Visitor,
    edit: live.Edit,
    done: str,
    again: Callable[[Problem], Awaitable[Response]],
) -> Response:
    """Make the change through the one validator (live.change): to `done` when saved, else
    `again(problem)`, the same page with the field errors (nothing saved then)."""
    ctx = await get_ctx(request)
    return await answer_form(
        partial(live.change, ctx, actor(visitor.who, "console"), edit), done, again
    )


def _notice(problem: Problem, lang: str) -> str:
    if problem.status == 422:
        return ""
    english = problem.extra.get("message_en")
    return str(english) if lang == "en" and english else problem.message


def _saved_at(path: str, what: str) -> str:
    return f"{path}?{urlencode({'saved': what})}"


def _saved(visitor: Visitor, saved: str, deleted: str = "") -> str:
    if deleted:
        return t("deleted", visitor.lang, what=deleted)
    return t("saved_what", visitor.lang, what=saved) if saved else ""


# -- settings --------------------------------------------------------------------------

SETTING_FIELDS = {
    "site": ("name", "running_text", "footer", "place", "head_title", "head_name", "head_id"),
    "queue": ("priority_max_in_row", "requeue_window_minutes", "default_service_minutes"),
    "alerts": ("pause_minutes", "quota_left", "device_silent_minutes"),
    "booking": ("days_ahead", "retention_days", "early_minutes"),
    "complaints": ("target_days", "retention_days"),
    "notify": (
        "channel",
        "device",
        "url",
        "body",
        "near_ahead",
        "near_minutes",
        "per_minute",
        "per_day",
    ),
}
# Fields kept as typed (the others are numbers)
TEXT_FIELDS = {"site.*", "notify.channel", "notify.device", "notify.url", "notify.body"}
# Checkboxes: an unchecked box is absent from the form (off)
# the site form's checkboxes: an unticked box is absent from the form, so it means off
SWITCHES = (("site", "tv_publish"), ("booking", "require_sms_code"))


async def _site_page(
    request: Request,
    visitor: Visitor,
    *,
    status: int = 200,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    notice: str = "",
    bad: bool = False,
    groups_form: list[dict[str, Any]] | None = None,
) -> HTMLResponse:
    view = office_views.settings_view(await _read(request))
    values = {
        f"{sec}.{f}": str(view[sec][f]) for sec, fields in SETTING_FIELDS.items() for f in fields
    }
    values.update(form or {})
    for sec, f in SWITCHES:  # as sent back (an unchecked box is absent), else as stored
        on = view[sec][f] if form is None else form.get(f"{sec}.{f}") == "on"
        values[f"{sec}.{f}"] = "on" if on else ""
    return page(
        request,
        "console/setup_site.html",
        visitor,
        status=status,
        values=values,
        sections=SETTING_FIELDS,
        groups=_group_rows(view["queue"]["priority_groups"], groups_form),
        errors=errors or {},
        notice=notice,
        bad=bad,
    )


def _group_rows(
    stored: list[dict[str, Any]], form: list[dict[str, str]] | None
) -> list[dict[str, Any]]:
    """The groups' form rows: as stored (or as sent back), then an empty one to add."""
    if form is not None:
        return form
    rows = [
        {"code": str(g["code"]), "name": str(g["name"]), "name_en": str(g.get("name_en") or ""),
         "known": True, "remove": False}
        for g in stored
    ]  # fmt: skip
    return [*rows, {"code": "", "name": "", "name_en": "", "known": False, "remove": False}]


@router.get("/console/site", response_class=HTMLResponse)
async def site_page(request: Request, visitor: AdminDep, saved: str = "") -> HTMLResponse:
    return await _site_page(request, visitor, notice=_saved(visitor, saved))


@router.post("/console/site", response_class=HTMLResponse)
async def site_save(request: Request, visitor: AdminDep) -> Response:
    form = await _form(request)
    changes: dict[str, dict[str, Any]] = {}
    for section, fields in SETTING_FIELDS.items():
        for f in fields:
            key = f"{section}.{f}"
            if key in form:
                raw = form[key]
                text = f"{section}.*" in TEXT_FIELDS or key in TEXT_FIELDS
                changes.setdefault(section, {})[f] = raw if text else _number(raw)
    for section, f in SWITCHES:
        changes.setdefault(section, {})[f] = form.get(f"{section}.{f}") == "on"

    async def again(problem: Problem) -> Response:
        return await _site_page(
            request,
            visitor,
            status=problem.status,
            errors=field_errors(problem, visitor.lang),
            form={k: v for k, v in form.items() if k != "csrf"},
            notice=_notice(problem, visitor.lang),
            bad=True,
        )

    return await _submit(
        request,
        visitor,
        edits.patch_settings(changes),
        _saved_at("/console/site", t("site_title", visitor.lang)),
        again,
    )


@router.post("/console/site/groups", response_class=HTMLResponse)
async def groups_save(request: Request, visitor: AdminDep) -> Response:
    """[queue] priority_groups as a whole list, through the same edit as PATCH /admin/site
    and the TOML import: the validator checks it, the day's safety refuses removing a
    group on today's tickets (409, said at the top)."""
    form = await _form(request)
    rows: list[dict[str, Any]] = []
    i = 0
    while f"g{i}.code" in form or f"g{i}.known" in form:
        rows.append(
            {
                "code": form.get(f"g{i}.code", form.get(f"g{i}.known", "")).strip(),
                "name": form.get(f"g{i}.name", "").strip(),
                "name_en": form.get(f"g{i}.name_en", "").strip(),
                "known": f"g{i}.known" in form,
                "remove": f"g{i}.remove" in form,
            }
        )
        i += 1
    # the rows sent to the validator, and each one's row on the form (for its errors)
    kept = [
        (n, r)
        for n, r in enumerate(rows)
        if not r["remove"] and (r["known"] or r["code"] or r["name"] or r["name_en"])
    ]
    groups = [{"code": r["code"], "name": r["name"], "name_en": r["name_en"]} for _n, r in kept]

    async def again(problem: Problem) -> Response:
        errors: dict[str, str] = {}
        for key, text in field_errors(problem, visitor.lang).items():
            parts = key.split(".")
            if parts[:2] == ["queue", "priority_groups"] and len(parts) >= 3:
                at = parts[2]
                row = (
                    kept[int(at)][0]
                    if at.isdigit() and int(at) < len(kept)
                    else next((n for n, r in enumerate(rows) if r["code"] == at), None)
                )
                if row is not None:
                    errors[f"g{row}.{parts[3] if len(parts) > 3 else 'code'}"] = text
                    continue
            errors[key] = text
        return await _site_page(
            request,
            visitor,
            status=problem.status,
            errors=errors,
            notice=_notice(problem, visitor.lang),
            bad=True,
            groups_form=rows,
        )

    return await _submit(
        request,
        visitor,
        edits.patch_settings({"queue": {"priority_groups": groups}}),
        _saved_at("/console/site", t("groups_title", visitor.lang)),
        again,
    )


# -- agencies -------------------------------------------------------------------------------


async def _agencies_page(
    request: Request,
    visitor: Visitor,
    *,
    status: int = 200,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    notice: str = "",
    bad: bool = False,
    editing: str = "",
) -> HTMLResponse:
    st = await _read(request)
    return page(
        request,
        "console/setup_agencies.html",
        visitor,
        status=status,
        agencies=office_views.agencies_view(st),
        errors=errors or {},
        form=form or {},
        notice=notice,
        bad=bad,
        editing=editing,
    )


@router.get("/console/agencies", response_class=HTMLResponse)
async def agencies_page(
    request: Request, visitor: AdminDep, edit: str = "", saved: str = "", deleted: str = ""
) -> HTMLResponse:
    return await _agencies_page(
        request, visitor, editing=edit, notice=_saved(visitor, saved, deleted)
    )


@router.post("/console/agencies", response_class=HTMLResponse)
async def agencies_save(request: Request, visitor: AdminDep) -> Response:
    form = await _form(request)
    code = form.get("code", "").strip()
    fields: dict[str, Any] = {k: form[k] for k in ("name", "name_en", "color") if k in form}
    if form.get("create") == "1":
        first = {
            "code": form.get("service_code", "").strip(),
            "name": form.get("service_name", ""),
            "prefix": form.get("service_prefix", "").strip(),
            "quota": _number(form.get("service_quota", "")),
        }
        edit = edits.add_agency({"code": code, **fields, "services": [first]})
    else:
        edit = edits.patch_agency(code, fields)

    async def again(problem: Problem) -> Response:
        errors = field_errors(problem, visitor.lang)
        local = _local(f"agencies.{code}.", errors)
        for key, text in errors.items():  # the first service's fields, by their form names
            if key.startswith("services."):
                local.setdefault("service_" + key.split(".")[-1], text)
        return await _agencies_page(
            request,
            visitor,
            status=problem.status,
            errors=local,
            form=form,
            notice=_notice(problem, visitor.lang),
            bad=True,
            editing="" if form.get("create") == "1" else code,
        )

    return await _submit(request, visitor, edit, _saved_at("/console/agencies", code), again)


@router.post("/console/agencies/{code}/delete", response_class=HTMLResponse)
async def agency_delete(request: Request, visitor: AdminDep, code: str) -> Response:
    return await _delete(
        request,
        visitor,
        edits.delete_agency(code),
        f"/console/agencies?deleted={code}",
        _agencies_page,
    )


async def _delete(
    request: Request,
    visitor: Visitor,
    edit: live.Edit,
    done: str,
    page_of: Callable[..., Awaitable[HTMLResponse]],
) -> Response:
    """A delete button's post: to `done` when deleted, else its page saying why not."""

    async def again(problem: Problem) -> Response:
        return await page_of(
            request,
            visitor,
            status=problem.status,
            notice=_problem_text(problem, visitor.lang),
            bad=True,
        )

    return await _submit(request, visitor, edit, done, again)


def _problem_text(problem: Problem, lang: str) -> str:
    if problem.status == 422:
        errors = field_errors(problem, lang)
        return "; ".join(f"{k}: {v}" for k, v in errors.items()) or problem.message
    return _notice(problem, lang)


# -- services ---------------------------------------------------------------------------------


async def _services_page(
    request: Request,
    visitor: Visitor,
    *,
    status: int = 200,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    notice: str = "",
    bad: bool = False,
    editing: str = "",
) -> HTMLResponse:
    st = await _read(request)
    services = office_views.services_view(st)
    for svc in services:
        svc["sessions_text"] = ", ".join(
            f"{b['start'][:5]}-{b['end'][:5]}={b['places']}" for b in svc["sessions"]
        )
    return page(
        request,
        "console/setup_services.html",
        visitor,
        status=status,
        services=services,
        agencies=[(a["code"], a["name"]) for a in office_views.agencies_view(st)],
        errors=errors or {},
        form=form or {},
        notice=notice,
        bad=bad,
        editing=editing,
    )


@router.get("/console/services", response_class=HTMLResponse)
async def services_page(
    request: Request, visitor: AdminDep, edit: str = "", saved: str = "", deleted: str = ""
) -> HTMLResponse:
    return await _services_page(
        request, visitor, editing=edit, notice=_saved(visitor, saved, deleted)
    )


def _service_fields(form: dict[str, str]) -> dict[str, Any]:
    fields: dict[str, Any] = {k: form[k] for k in ("name", "name_en") if k in form}
    if "prefix" in form:
        fields["prefix"] = form["prefix"].strip()
    for k in ("quota", "target_minutes"):
        if k in form:
            fields[k] = _number(form[k])
    if "sessions" in form:
        fields["sessions"] = _sessions(form["sessions"])
    if "checkboxes" in form:  # the edit form has them: unticked is false
        for k in ("priority", "hidden", "needs_nik"):
            fields[k] = form.get(k) == "1"
    return fields


@router.post("/console/services", response_class=HTMLResponse)
async def services_save(request: Request, visitor: AdminDep) -> Response:
    form = await _form(request)
    code = form.get("code", "").strip()
    fields = _service_fields(form)
    if form.get("create") == "1":
        edit = edits.add_service(form.get("agency", ""), {"code": code, **fields})
    else:
        if form.get("agency"):
            fields["agency"] = form["agency"]
        edit = edits.patch_service(code, fields)

    async def again(problem: Problem) -> Response:
        return await _services_page(
            request,
            visitor,
            status=problem.status,
            errors=_local(f"services.{code}.", field_errors(problem, visitor.lang)),
            form=form,
            notice=_notice(problem, visitor.lang),
            bad=True,
            editing="" if form.get("create") == "1" else code,
        )

    return await _submit(request, visitor, edit, _saved_at("/console/services", code), again)


# -- a service's standard (standar pelayanan) ---------------------------------------------


async def _standard_page(
    request: Request,
    visitor: Visitor,
    code: str,
    *,
    status: int = 200,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    notice: str = "",
    bad: bool = False,
) -> Response:
    services = office_views.services_view(await _read(request))
    svc = next((s for s in services if s["code"] == code), None)
    if svc is None:
        return Response(status_code=404)
    values = {f: (svc["standard"] or {}).get(f, "") for f in STANDARD_FIELDS}
    values.update({f: form[f] for f in STANDARD_FIELDS if form and f in form})
    return page(
        request,
        "console/setup_standard.html",
        visitor,
        status=status,
        service=svc,
        parts=STANDARD_FIELDS,
        values=values,
        errors=errors or {},
        notice=notice,
        bad=bad,
    )


@router.get("/console/services/{code}/standard", response_class=HTMLResponse)
async def standard_page(
    request: Request, visitor: AdminDep, code: str, saved: str = ""
) -> Response:
    return await _standard_page(request, visitor, code, notice=_saved(visitor, saved))


@router.post("/console/services/{code}/standard", response_class=HTMLResponse)
async def standard_save(request: Request, visitor: AdminDep, code: str) -> Response:
    """The same edit as PATCH /admin/services/{code} {standard}: every part empty is none."""
    form = await _form(request)
    parts = {f: form.get(f, "") for f in STANDARD_FIELDS}
    standard = parts if any(v.strip() for v in parts.values()) else None
    edit = edits.patch_service(code, {"standard": standard})

    async def again(problem: Problem) -> Response:
        return await _standard_page(
            request,
            visitor,
            code,
            status=problem.status,
            errors=_local(f"services.{code}.standard.", field_errors(problem, visitor.lang)),
            form=form,
            notice=_notice(problem, visitor.lang),
            bad=True,
        )

    done = _saved_at(f"/console/services/{code}/standard", t("standard", visitor.lang))
    return await _submit(request, visitor, edit, done, again)


@router.post("/console/services/{code}/delete", response_class=HTMLResponse)
async def service_delete(request: Request, visitor: AdminDep, code: str) -> Response:
    return await _delete(
        request,
        visitor,
        edits.delete_service(code),
        f"/console/services?deleted={code}",
        _services_page,
    )


# -- counters -------------------------------------------------------------------------------


async def _counters_page(
    request: Request,
    visitor: Visitor,
    *,
    status: int = 200,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    notice: str = "",
    bad: bool = False,
    editing: str = "",
) -> HTMLResponse:
    st = await _read(request)
    return page(
        request,
        "console/setup_counters.html",
        visitor,
        status=status,
        counters=office_views.counters_view(st),
        agencies=[(a["code"], a["name"]) for a in office_views.agencies_view(st)],
        errors=errors or {},
        form=form or {},
        notice=notice,
        bad=bad,
        editing=editing,
    )


@router.get("/console/counters", response_class=HTMLResponse)
async def counters_page(
    request: Request, visitor: AdminDep, edit: str = "", saved: str = "", deleted: str = ""
) -> HTMLResponse:
    return await _counters_page(
        request, visitor, editing=edit, notice=_saved(visitor, saved, deleted)
    )


@router.post("/console/counters", response_class=HTMLResponse)
async def counters_save(request: Request, visitor: AdminDep) -> Response:
    form = await _form(request)
    code = form.get("code", "").strip()
    fields: dict[str, Any] = {k: form[k] for k in ("name", "agency") if k in form}
    if "services" in form:
        fields["services"] = _list(form["services"])
    if form.get("create") == "1":
        edit = edits.add_counter({"code": code, **fields})
    else:
        edit = edits.patch_counter(code, fields)

    async def again(problem: Problem) -> Response:
        return await _counters_page(
            request,
            visitor,
            status=problem.status,
            errors=_local(f"counters.{code}.", field_errors(problem, visitor.lang)),
            form=form,
            notice=_notice(problem, visitor.lang),
            bad=True,
            editing="" if form.get("create") == "1" else code,
        )

    return await _submit(request, visitor, edit, _saved_at("/console/counters", code), again)


@router.post("/console/counters/{code}/delete", response_class=HTMLResponse)
async def counter_delete(request: Request, visitor: AdminDep, code: str) -> Response:
    return await _delete(
        request,
        visitor,
        edits.delete_counter(code),
        f"/console/counters?deleted={code}",
        _counters_page,
    )


# -- hours --------------------------------------------------------------------------------------


def _hours_values(view: dict[str, Any] | None) -> dict[str, str]:
    view = view or {"week": {}, "holidays": [], "dates": {}, "last_issue_minutes": 30}
    values = {day: ", ".join(view["week"].get(day, [])) for day in DAYS}
    values["holidays"] = ", ".join(view["holidays"])
    values["dates"] = "\n".join(
        f"{d} {', '.join(r) if r else 'tutup'}" for d, r in view["dates"].items()
    )
    values["last_issue_minutes"] = str(view["last_issue_minutes"])
    return values


def _dates(text: str) -> dict[str, list[str]]:
    """'2026-12-24 tutup' / '2026-12-31 08:00-12:00' lines (the validator reads each)."""
    out: dict[str, list[str]] = {}
    for line in text.splitlines():
        day, _, rest = line.strip().partition(" ")
        if not day:
            continue
        rest = rest.strip()
        out[day] = [] if rest.lower() in CLOSED_WORDS or not rest else _list(rest)
    return out


async def _hours_page(
    request: Request,
    visitor: Visitor,
    scope: str,
    key: str,
    *,
    status: int = 200,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    notice: str = "",
    bad: bool = False,
) -> HTMLResponse:
    st = await _read(request)
    view = office_views.schedules_view(st)
    if scope == "site":
        own: dict[str, Any] | None = view["site"]
    else:
        own = view["agencies" if scope == "agency" else "services"].get(key)
    shown = own or view["site"]
    values = _hours_values(shown)
    values.update(form or {})
    return page(
        request,
        "console/setup_hours.html",
        visitor,
        status=status,
        scope=scope,
        key=key,
        own=own is not None,
        values=values,
        days=DAYS,
        agencies=[(a, h is not None) for a, h in view["agencies"].items()],
        services=[(sv, h is not None) for sv, h in view["services"].items()],
        errors=errors or {},
        notice=notice,
        bad=bad,
    )


def _scope(scope: str, key: str) -> tuple[str, str]:
    return (scope, key) if scope in ("agency", "service") and key else ("site", "")


@router.get("/console/hours", response_class=HTMLResponse)
async def hours_page(
    request: Request, visitor: AdminDep, scope: str = "site", key: str = "", saved: str = ""
) -> HTMLResponse:
    scope, key = _scope(scope, key)
    return await _hours_page(request, visitor, scope, key, notice=_saved(visitor, saved))


@router.post("/console/hours", response_class=HTMLResponse)
async def hours_save(request: Request, visitor: AdminDep) -> Response:
    form = await _form(request)
    scope, key = _scope(form.get("scope", "site"), form.get("key", ""))
    where = f"/console/hours?scope={scope}&key={key}" if key else "/console/hours"
    edit: Callable[[dict[str, Any]], dict[str, Any]]
    if form.get("follow") == "1":
        edit = edits.clear_schedule(scope, key)
    else:
        changes: dict[str, Any] = {
            "week": {day: _list(form[day]) for day in DAYS if form.get(day, "").strip()},
            "holidays": _list(form.get("holidays", "")),
            "dates": _dates(form.get("dates", "")),
            "last_issue_minutes": _number(form.get("last_issue_minutes", "")),
        }
        edit = edits.set_schedule(scope, key, changes, replace=False)

    async def again(problem: Problem) -> Response:
        errors = field_errors(problem, visitor.lang)
        local: dict[str, str] = {}
        for path, text in errors.items():
            name = path.split("schedule.", 1)[-1].split(".")[0]
            local.setdefault("week" if name == "week" else name, text)
        return await _hours_page(
            request,
            visitor,
            scope,
            key,
            status=problem.status,
            errors=local,
            form={k: v for k, v in form.items() if k != "csrf"},
            notice=_notice(problem, visitor.lang),
            bad=True,
        )

    sep = "&" if "?" in where else "?"
    return await _submit(request, visitor, edit, f"{where}{sep}saved={key or scope}", again)


# -- the change log ---------------------------------------------------------------------------

PAGE_SIZE = 30


@router.get("/console/audit", response_class=HTMLResponse)
async def audit_page(request: Request, visitor: AdminDep, page_no: int = 1) -> HTMLResponse:
    ctx = await get_ctx(request)
    number = max(1, min(page_no, 100_000))

    def read() -> audit.AuditPage:
        with ctx.store.read() as s:
            return audit.page(s, number, PAGE_SIZE)

    found = await run_in_threadpool(read)
    entries = [audit.entry_view(r) for r in found.entries]
    tz = ctx.site.tz
    for e in entries:
        e["at_local"] = e["at"].astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")
        e["changes"] = _changes(e["before"], e["after"], visitor.lang)
        e["entity_word"] = _field(f"entity_{e['entity']}", visitor.lang)
    return page(
        request,
        "console/setup_audit.html",
        visitor,
        entries=entries,
        number=number,
        more=found.total > number * PAGE_SIZE,
    )


def _changes(
    before: dict[str, Any] | None, after: dict[str, Any] | None, lang: str
) -> list[tuple[str, str, str]]:
    """(field, before, after) of what differs, in words a manager reads: the form's label
    for the field, ya/tidak, 08.00-11.30, Jumat... (never always_open: -> False)."""
    keys = list((after or before or {}).keys())
    out = []
    for k in keys:
        b = "" if before is None else _short(_readable(before.get(k), lang))
        a = "" if after is None else _short(_readable(after.get(k), lang))
        if before is None or after is None or b != a:
            out.append((_field(k, lang), b, a))
    return out[:12]


def _field(key: str, lang: str) -> str:
    """The form's own label for a stored field ('alerts.pause_minutes' -> its label)."""
    last = key.rsplit(".", 1)[-1]
    for word in (f"af_{last}", last):
        text = t(word, lang)
        if text != word:
            return text
    return last.replace("_", " ")


_TIME = re.compile(r"^(\d{2}):(\d{2})(:\d{2})?$")


def _readable(value: Any, lang: str) -> str:
    """A stored value as the console writes it."""
    if value is None or value == "" or value == [] or value == {}:
        return t("none_value", lang)
    if isinstance(value, bool):
        return t("yes" if value else "no", lang)
    if isinstance(value, int | float):
        return format_number(value, 0 if isinstance(value, int) else 1, lang)
    if isinstance(value, str):
        clock = _TIME.match(value)
        return f"{clock[1]}{'.' if lang == 'id' else ':'}{clock[2]}" if clock else value
    if isinstance(value, list):
        return ", ".join(_readable(v, lang) for v in value)
    if isinstance(value, dict):
        if "start" in value and "end" in value:  # a period, with a session's places
            span = f"{_readable(value['start'], lang)}-{_readable(value['end'], lang)}"
            return f"{span} ({value['places']})" if "places" in value else span
        days = [d for d in DAYS if d in value]
        if days:  # a week: in the week's order, each day's periods
            return "; ".join(f"{t(d, lang)} {_readable(value[d], lang)}" for d in days)
        return "; ".join(f"{_field(k, lang)}: {_readable(v, lang)}" for k, v in value.items())
    return str(value)


def _short(value: Any) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= 200 else text[:197] + "..."
