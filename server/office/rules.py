"""The one validator of a site change, and the day's safety.

Every change (a console form, an API route, a TOML import) builds the whole changed
definition and comes here: the section models and `site_problems` of shared/config.py
decide (422 with each field and an Indonesian message), then `plan` keeps today whole
(409 with the reason): nothing with tickets today is deleted, and a prefix change of a
service with tickets today waits for the next day.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.office.definition import Pending, Stored, with_prefixes
from server.problems import Problem
from server.store.tables import CounterRow, DailyNumber, TicketRow
from shared.api import TicketStatus
from shared.config import SiteDefinition, SiteProblem, default_priority_groups, site_problems

# -- messages ----------------------------------------------------------------------------

# pydantic's error types, in Indonesian ({...} from the error's context)
_TYPES = {
    "missing": "Wajib diisi.",
    "string_too_short": "Minimal {min_length} karakter.",
    "string_too_long": "Maksimal {max_length} karakter.",
    "string_type": "Harus berupa teks.",
    "greater_than_equal": "Minimal {ge}.",
    "less_than_equal": "Maksimal {le}.",
    "greater_than": "Harus lebih dari {gt}.",
    "less_than": "Harus kurang dari {lt}.",
    "int_parsing": "Harus bilangan bulat.",
    "int_type": "Harus bilangan bulat.",
    "int_from_float": "Harus bilangan bulat.",
    "float_parsing": "Harus berupa angka.",
    "float_type": "Harus berupa angka.",
    "finite_number": "Harus berupa angka.",
    "bool_parsing": "Harus ya atau tidak.",
    "bool_type": "Harus ya atau tidak.",
    "list_type": "Harus berupa daftar.",
    "dict_type": "Harus berupa objek.",
    "model_type": "Harus berupa objek.",
    "model_attributes_type": "Harus berupa objek.",
    "too_short": "Minimal {min_length} isian.",
    "too_long": "Maksimal {max_length} isian.",
    "extra_forbidden": "Isian tidak dikenal.",
    "time_parsing": "Jam tidak valid (contoh 08:00).",
    "time_type": "Jam tidak valid (contoh 08:00).",
    "date_parsing": "Tanggal tidak valid (contoh 2026-12-25).",
    "date_type": "Tanggal tidak valid (contoh 2026-12-25).",
    "date_from_datetime_parsing": "Tanggal tidak valid (contoh 2026-12-25).",
    "date_from_datetime_inexact": "Tanggal tidak valid (contoh 2026-12-25).",
    "literal_error": "Pilihan tidak dikenal.",
    "enum": "Pilihan tidak dikenal.",
    "string_unicode": "Harus berupa teks.",
}
_PATTERNS = {
    "code": "Kode hanya boleh huruf, angka, - dan _ (1 sampai 32).",
    "prefix": "Awalan harus 1 sampai 3 huruf kapital (A-Z).",
    "color": "Warna harus berbentuk #RRGGBB, misalnya #1565C0.",
}
# the validators' own messages (shared/config.py), in Indonesian
_VALUE_ERRORS = [
    (r"unknown time zone '(.*)'", "Zona waktu {0} tidak dikenal (contoh Asia/Jakarta)."),
    (
        r"ticket_format .* must use only",
        "Format nomor hanya boleh memakai {{prefix}} dan {{number}}.",
    ),
    (r"unknown day '(.*)';", "Hari {0} tidak dikenal; gunakan monday sampai sunday."),
    (r"(.*): periods overlap or are out of order", "{0}: jam buka tumpang tindih atau tidak urut."),
    (r"'(.*)' is not a time range", "'{0}' bukan rentang jam seperti 08:00-15:00."),
    (r"'(.*)' ends before it starts", "'{0}' selesai sebelum mulai."),
    (r"a period ends after it starts", "Jam selesai harus setelah jam mulai."),
    (r"a session ends after it starts", "Sesi harus selesai setelah mulai."),
    (r"booking sessions overlap", "Sesi pemesanan saling tumpang tindih."),
    (
        r"booking sessions offer (\d+) places, more than the daily quota (\d+)",
        "Sesi pemesanan menawarkan {0} tempat, lebih dari kuota harian {1}.",
    ),
    (r"channel sms needs a device", "Saluran SMS memerlukan perangkat modem (mis. /dev/ttyUSB0)."),
    (
        r"channel http needs a url",
        "Saluran HTTP memerlukan alamat gateway yang diawali http:// atau https://.",
    ),
    (r"header '(.*)' is not a valid HTTP header", "Header {0} bukan header HTTP yang sah."),
    (r"body must hold \{text\}", "Isi permintaan harus memuat {{text}}."),
    (r"only plain text", "Hanya teks biasa: tanpa karakter kendali."),
]
_DAYS_ID = {
    "monday": "Senin",
    "tuesday": "Selasa",
    "wednesday": "Rabu",
    "thursday": "Kamis",
    "friday": "Jumat",
    "saturday": "Sabtu",
    "sunday": "Minggu",
}
# site_problems' kinds, in Indonesian
_KINDS = {
    "agency_twice": "Instansi {agency} sudah ada.",
    "service_twice": "Layanan {service} sudah ada.",
    "prefix_shared": "Awalan {prefix} sudah dipakai layanan {other}.",
    "counter_twice": "Loket {counter} sudah ada.",
    "unknown_agency": "Instansi {agency} tidak dikenal.",
    "unknown_service": "Layanan {service} tidak dikenal.",
    "sms_code_needs_channel": (
        "Kode SMS untuk booking memerlukan saluran pesan: atur notify.channel ke sms atau http."
    ),
}


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str  # Indonesian
    message_en: str

    def answer(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message, "message_en": self.message_en}


class SiteInvalid(Problem):
    """A change breaks a rule of the site: 422 with every field and its message."""

    def __init__(self, errors: list[FieldError]) -> None:
        first = errors[0]
        super().__init__(
            422,
            "invalid_site",
            f"{first.field}: {first.message}",
            message_en=f"{first.field}: {first.message_en}",
            errors=[e.answer() for e in errors],
        )
        self.errors = errors


def day_conflict(code: str, message: str, message_en: str, field: str) -> Problem:
    """A change that would break today (409): the reason in Indonesian and English."""
    return Problem(409, code, message, message_en=message_en, field=field)


def _indonesian(err: ErrorDetails) -> str:
    kind, ctx = err["type"], err.get("ctx") or {}
    if kind == "value_error":
        text = str(err["msg"]).removeprefix("Value error, ")
        for pattern, template in _VALUE_ERRORS:
            m = re.search(pattern, text)
            if m:
                return template.format(*(_DAYS_ID.get(g, g) for g in m.groups()))
        return "Nilai tidak valid."
    if kind == "string_pattern_mismatch":
        last = next((str(p) for p in reversed(err["loc"]) if isinstance(p, str)), "")
        return _PATTERNS.get(last, "Format tidak sesuai.")
    if kind == "string_too_short" and ctx.get("min_length") == 1:
        return "Wajib diisi."
    found = _TYPES.get(kind)
    if found is None:
        return "Nilai tidak valid."
    try:
        return found.format(**ctx)
    except (KeyError, IndexError):
        return found


def field_path(loc: tuple[int | str, ...], data: Any) -> str:
    """pydantic's location as the console names it: ('agencies', 0, 'services', 2, 'quota')
    -> 'services.IZIN.quota' (codes are unique in the site, so the code names the item)."""
    out: list[str] = []
    node: Any = data
    i = 0
    while i < len(loc):
        key = loc[i]
        nxt = loc[i + 1] if i + 1 < len(loc) else None
        if key in ("agencies", "services", "counters") and isinstance(nxt, int):
            items = node.get(key) if isinstance(node, dict) else None
            item = items[nxt] if isinstance(items, list) and 0 <= nxt < len(items) else None
            code = item.get("code") if isinstance(item, dict) else None
            out = [str(key), code if isinstance(code, str) and code else str(nxt)]
            node = item
            i += 2
            continue
        out.append(str(key))
        if isinstance(node, dict):
            node = node.get(key)
        elif isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
            node = node[key]
        else:
            node = None
        i += 1
    return ".".join(out) or "site"


def _problem_error(p: SiteProblem) -> FieldError:
    return FieldError(
        p.field, _KINDS.get(p.kind, "Nilai tidak valid.").format(**p.values), p.message
    )


def validate(data: Any) -> SiteDefinition:
    """The changed definition through the section models and the site's rules; 422 if not."""
    try:
        definition = SiteDefinition.model_validate(data)
    except ValidationError as exc:
        errors = [
            FieldError(
                field_path(tuple(e["loc"]), data),
                _indonesian(e),
                str(e["msg"]).removeprefix("Value error, "),
            )
            for e in exc.errors()
        ]
        raise SiteInvalid(errors) from exc
    problems = site_problems(
        definition.agencies, definition.counters, definition.booking, definition.notify
    )
    if problems:
        raise SiteInvalid([_problem_error(p) for p in problems])
    return definition


# -- the day's safety ----------------------------------------------------------------


def services_with_tickets(s: Session, day: date) -> set[str]:
    """Services that issued or hold a ticket today."""
    issued = s.scalars(select(DailyNumber.service).where(DailyNumber.business_day == day))
    holding = s.scalars(select(TicketRow.service).where(TicketRow.business_day == day).distinct())
    return set(issued) | set(holding)


def _on_tickets(s: Session, day: date, column: Any) -> set[str]:
    """The values a column of today's tickets holds (none left out)."""
    rows = s.scalars(
        select(column).where(TicketRow.business_day == day, column.is_not(None)).distinct()
    )
    return set(rows)


def counters_with_tickets(s: Session, day: date) -> set[str]:
    return _on_tickets(s, day, TicketRow.counter)


def counters_holding(s: Session) -> set[str]:
    """Counters with a ticket called or being served."""
    rows = s.execute(
        select(CounterRow.code)
        .join(TicketRow, TicketRow.id == CounterRow.ticket_id)
        .where(TicketRow.status.in_([TicketStatus.CALLED, TicketStatus.SERVING]))
    )
    return {code for (code,) in rows}


def codes(data: Any) -> tuple[set[str], set[str], set[str]]:
    """The agency, service and counter codes an edited site (valid or not) still has."""
    agencies: set[str] = set()
    services: set[str] = set()
    counters: set[str] = set()
    if not isinstance(data, dict):
        return agencies, services, counters
    for a in data.get("agencies") or []:
        if isinstance(a, dict):
            agencies.add(str(a.get("code")))
            for svc in a.get("services") or []:
                if isinstance(svc, dict):
                    services.add(str(svc.get("code")))
    for c in data.get("counters") or []:
        if isinstance(c, dict):
            counters.add(str(c.get("code")))
    return agencies, services, counters


def groups_in_use(s: Session, day: date) -> set[str]:
    """The priority groups today's tickets record."""
    return _on_tickets(s, day, TicketRow.priority_group)


def group_codes(data: Any) -> set[str]:
    """The priority group codes an edited site (valid or not) still has (none given: the
    defaults, as the validator fills them in)."""
    queue = data.get("queue") if isinstance(data, dict) else None
    if not isinstance(queue, dict) or not isinstance(queue.get("priority_groups"), list):
        return {g.code for g in default_priority_groups()}
    return {str(g.get("code")) for g in queue["priority_groups"] if isinstance(g, dict)}


def refuse_group_removal(s: Session, now: SiteDefinition, data: Any, today: date) -> None:
    """409 when a priority group today's tickets record is removed: their reports and the
    officer's view still name it. Renaming it (same code) is fine; remove it tomorrow."""
    kept = group_codes(data)
    gone = [g for g in now.queue.priority_groups if g.code not in kept]
    if not gone:
        return
    used = groups_in_use(s, today)
    for g in gone:
        if g.code in used:
            raise day_conflict(
                "priority_group_in_use",
                f"Kelompok prioritas {g.name} ({g.code}) dipakai antrean hari ini: "
                "ubah namanya bila perlu, hapus besok.",
                f"Priority group {g.name_en or g.name} ({g.code}) is on today's tickets: "
                "rename it if needed, remove it from tomorrow.",
                f"queue.priority_groups.{g.code}",
            )


def refuse_removals(s: Session, stored: Stored | None, data: Any, today: date) -> None:
    """409 when the edit removes what today's tickets need. Asked before the validator:
    "it has tickets today" is the answer, not what else the removal leaves dangling."""
    if stored is None:
        return
    now, _waiting = stored.on(today)
    refuse_group_removal(s, now, data, today)
    new_agencies, new_services, new_counters = codes(data)
    removed = [(a, svc) for a in now.agencies for svc in a.services if svc.code not in new_services]
    gone_counters = [c.code for c in now.counters if c.code not in new_counters]
    if not removed and not gone_counters:
        return
    busy = services_with_tickets(s, today)
    for a, svc in removed:
        if svc.code not in busy:
            continue
        if a.code not in new_agencies:
            raise day_conflict(
                "agency_has_tickets",
                f"Instansi {a.code} punya layanan dengan antrean hari ini ({svc.code}): "
                "sembunyikan atau tutup untuk hari ini, jangan dihapus.",
                f"Agency {a.code} has a service with tickets today ({svc.code}): "
                "hide it or close it for the day instead of deleting it.",
                f"agencies.{a.code}",
            )
        raise day_conflict(
            "service_has_tickets",
            f"Layanan {svc.code} sudah punya antrean hari ini: sembunyikan (hidden) "
            "atau tutup untuk hari ini, jangan dihapus.",
            f"Service {svc.code} has tickets today: hide it or close it for the day "
            "instead of deleting it.",
            f"services.{svc.code}",
        )
    holding = counters_holding(s)
    served_at = counters_with_tickets(s, today)
    for code in gone_counters:
        if code in holding:
            raise day_conflict(
                "counter_busy",
                f"Loket {code} sedang melayani antrean: selesaikan dulu.",
                f"Counter {code} holds a ticket: finish it first.",
                f"counters.{code}",
            )
        if code in served_at:
            raise day_conflict(
                "counter_has_tickets",
                f"Loket {code} sudah melayani antrean hari ini: hapus besok.",
                f"Counter {code} served tickets today: delete it from tomorrow.",
                f"counters.{code}",
            )


def plan(
    s: Session, stored: Stored | None, target: SiteDefinition, today: date
) -> tuple[SiteDefinition, dict[str, Pending]]:
    """What to write so today stays whole: the definition in force now and the waiting
    prefix changes (a service with tickets today keeps its prefix until tomorrow); 409
    when that leaves two services with one prefix today."""
    if stored is None:  # a first seed: nothing to keep whole yet
        return target, {}
    now, _waiting = stored.on(today)
    busy = services_with_tickets(s, today)
    old_prefix = {svc.code: svc.prefix for a in now.agencies for svc in a.services}
    pending: dict[str, Pending] = {}
    keep: dict[str, str] = {}
    for a in target.agencies:
        for svc in a.services:
            before = old_prefix.get(svc.code)
            if before is not None and before != svc.prefix and svc.code in busy:
                # today's tickets and the kiosk keep the old prefix; the new one from tomorrow
                pending[svc.code] = Pending(svc.prefix, today + timedelta(days=1))
                keep[svc.code] = before
    applied = with_prefixes(target, keep)
    for p in site_problems(applied.agencies, applied.counters):
        raise day_conflict(
            "prefix_in_use_today",
            f"Awalan {p.values.get('prefix', '')} masih dipakai hari ini oleh layanan "
            f"{p.values.get('other', '')}: pakai mulai besok.",
            f"Prefix {p.values.get('prefix', '')} is still used today by service "
            f"{p.values.get('other', '')}: use it from tomorrow.",
            p.field,
        )
    return applied, pending
