"""Turn the server's answers into plain dicts the kiosk's widgets show (no Kivy here)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from kiosk.texts import t
from shared.api import BOOKING_CODE_ALPHABET
from shared.i18n import queue_lines
from shared.models import AgencyInfo, ServiceInfo, ServicesAnswer, Ticket, TicketStatus
from shared.timeutil import DAY_NAMES_EN, DAY_NAMES_ID, format_time

Row = dict[str, Any]
GREY = "#5F6368"
CLOSED_BG = "#E3E5E8"  # a closed service: light, with dark text that stays readable
# The whole kiosk out of order (server down, no paper): every tile light grey with dark
# grey text (7.4:1), not its colour faded, whose white text on pastel nobody could read.
FADED_BG = "#DADCE0"
FADED_INK = [0.24, 0.25, 0.27, 1.0]


def hex_rgba(color: str) -> list[float]:
    """'#1565C0' -> [r, g, b, 1] in 0..1."""
    c = color.lstrip("#")
    return [int(c[i : i + 2], 16) / 255 for i in (0, 2, 4)] + [1.0]


def _luminance(color: str) -> float:
    def chan(v: float) -> float:
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b, _ = hex_rgba(color)
    return 0.2126 * chan(r) + 0.7152 * chan(g) + 0.0722 * chan(b)


def text_color_on(color: str) -> list[float]:
    """White or black, whichever has the higher WCAG contrast on `color`."""
    lum = _luminance(color)
    white = 1.05 / (lum + 0.05)
    black = (lum + 0.05) / 0.05
    return [1.0, 1.0, 1.0, 1.0] if white >= black else [0.0, 0.0, 0.0, 1.0]


def name_of(item: AgencyInfo | ServiceInfo, lang: str) -> str:
    return item.name_en if lang == "en" and item.name_en else item.name


def closed_text(svc: ServiceInfo, lang: str, tz: ZoneInfo, now: datetime) -> str:
    """Why a service takes no tickets now and when it opens again."""
    if svc.open_now:
        return ""
    if svc.closed_reason == "stopped":
        return t("stopped_today", lang, reason=svc.stop_reason or "")
    opens = svc.opens_at.astimezone(tz) if svc.opens_at else None
    if svc.closed_reason == "quota" and opens is None:
        return t("quota_full", lang)
    if opens is None:
        return t("closed", lang)
    time = format_time(opens, lang)
    same_day = opens.date() == now.astimezone(tz).date()
    if svc.closed_reason == "break" or (same_day and svc.closed_reason != "quota"):
        return t("break" if svc.closed_reason == "break" else "closed_today", lang, time=time)
    days = DAY_NAMES_EN if lang == "en" else DAY_NAMES_ID
    day = days[opens.weekday()]
    key = "quota_until" if svc.closed_reason == "quota" else "closed_until"
    return t(key, lang, day=day, time=time)


def waiting_text(svc: ServiceInfo, lang: str) -> str:
    """'Menunggu: 5 orang · Perkiraan tunggu: 20 menit', or that nobody waits."""
    if svc.waiting <= 0:
        return t("nobody_waiting_now", lang)
    parts = [t("waiting_n", lang, n=svc.waiting)]
    if svc.counters_open == 0:
        parts.append(t("no_counter_short", lang))
    elif svc.estimated_wait_minutes is not None:
        parts.append(t("estimate_short", lang, n=svc.estimated_wait_minutes))
    return "  ·  ".join(parts)


def agency_tiles(answer: ServicesAnswer | None, lang: str, enabled: bool) -> list[Row]:
    """One tile per agency, coloured as the site configured it."""
    rows: list[Row] = []
    for agency in answer.agencies if answer else []:
        open_any = any(s.open_now for s in agency.services)
        color = agency.color if open_any else GREY
        if not enabled:
            color = FADED_BG
        rows.append(
            {
                "code": agency.code,
                "text": name_of(agency, lang),
                "bg": hex_rgba(color),
                "fg": FADED_INK if not enabled else text_color_on(color),
                "enabled": enabled,
                "faded": not enabled,
                "note": "" if open_any else t("closed", lang),
            }
        )
    return rows


def service_rows(
    agency: AgencyInfo | None, lang: str, tz: ZoneInfo, now: datetime, enabled: bool
) -> list[Row]:
    """One row per service; closed and full ones stay visible, greyed, with the reason."""
    rows: list[Row] = []
    for svc in agency.services if agency else []:
        color = agency.color if (agency and svc.open_now) else CLOSED_BG
        if not enabled:
            color = FADED_BG
        rows.append(
            {
                "code": svc.code,
                "text": name_of(svc, lang),
                "detail": waiting_text(svc, lang)
                if svc.open_now
                else closed_text(svc, lang, tz, now),
                "bg": hex_rgba(color),
                "fg": FADED_INK if not enabled else text_color_on(color),
                "enabled": enabled and svc.open_now,
                "faded": not enabled,  # the whole kiosk is out of order, not this service
                "open": svc.open_now,
            }
        )
    return rows


def ticket_names(ticket: Ticket | None, answer: ServicesAnswer | None, lang: str) -> str:
    """'Agency · Service' of a ticket, in `lang` when the services answer names them."""
    if ticket is None:
        return ""
    agency_name, service_name = ticket.agency_name, ticket.service_name
    for agency in answer.agencies if answer else []:
        for svc in agency.services:
            if svc.code == ticket.service:
                agency_name = name_of(agency, lang)
                service_name = name_of(svc, lang)
    online = f" · {t('online_mark', lang)}" if getattr(ticket, "online", False) else ""
    return f"{agency_name} · {service_name}{online}"


def done_lines(ticket: Ticket, lang: str) -> tuple[str, str]:
    """The two lines under the code: people ahead and the estimated wait (as on paper)."""
    counters_open = ticket.counters_open if ticket.status == TicketStatus.WAITING else None
    return queue_lines(ticket.ahead, counters_open, ticket.estimated_wait_minutes, lang)


def ticket_mark(ticket: Ticket, lang: str) -> str:
    """'PRIORITAS' over a priority ticket's code, as the printed ticket says."""
    return t("priority_mark", lang) if ticket.priority else ""


# -- antrean online: check-in ---------------------------------------------------------

CHECK_IN = "__check_in__"  # the first screen's check-in tile (no agency has this code)
CHECK_IN_COLOR = "#00695C"
# The server's refusal codes of POST /bookings/check-in -> the notice's text key.
REFUSALS = {
    "too_early": "too_early",
    "too_late": "too_late",
    "booking_expired": "booking_expired",
    "booking_cancelled": "booking_cancelled",
    "booking_checked_in": "booking_used",
    "unknown_booking": "booking_unknown",
}


HIGH_BG = [0.0, 0.0, 0.0, 1.0]
HIGH_INK = [1.0, 0.92, 0.23, 1.0]  # yellow on black: 17:1


def high_contrast(row: Row) -> Row:
    """A tile in the large-text mode: yellow on black while it can be chosen."""
    if not row.get("enabled", True) or row.get("faded"):
        return row
    return {**row, "bg": HIGH_BG, "fg": HIGH_INK}


HELP = "__help__"  # the first screen's "Butuh bantuan" tile
HELP_COLOR = "#B3261E"


def help_tile(lang: str, enabled: bool) -> Row:
    return {
        "code": HELP,
        "text": t("help_tile", lang),
        "bg": hex_rgba(HELP_COLOR),
        "fg": text_color_on(HELP_COLOR),
        "enabled": enabled,
        "faded": not enabled,
        "note": t("help_note", lang),
    }


GROUP_COLOR = "#6A1B9A"


def group_tiles(answer: ServicesAnswer | None, lang: str, enabled: bool) -> list[Row]:
    """One tile per priority group of the site, named in the screen's language."""
    return [
        {
            "code": g.code,
            "text": g.name_en if lang == "en" and g.name_en else g.name,
            "bg": hex_rgba(GROUP_COLOR if enabled else FADED_BG),
            "fg": text_color_on(GROUP_COLOR) if enabled else FADED_INK,
            "enabled": enabled,
            "faded": not enabled,
            "note": "",
        }
        for g in (answer.priority_groups if answer else [])
    ]


def check_in_tile(lang: str, enabled: bool) -> Row:
    return {
        "code": CHECK_IN,
        "text": t("checkin_tile", lang),
        "bg": hex_rgba(CHECK_IN_COLOR),
        "fg": text_color_on(CHECK_IN_COLOR),
        "enabled": enabled,
        "faded": not enabled,
        "note": t("checkin_note", lang),
    }


def refusal(
    code: str, extra: dict[str, object], tz: ZoneInfo, now: datetime, lang: str
) -> tuple[str, dict[str, object]]:
    """The notice (text key and values) for a refused check-in: what to do, and when."""
    key = REFUSALS[code]
    come = extra.get("come_at")
    if key != "too_early" or not isinstance(come, str):
        return key, {}
    try:
        at = datetime.fromisoformat(come).astimezone(tz)
    except ValueError:
        return key, {"time": "?"}
    values: dict[str, object] = {"time": format_time(at, lang)}
    if at.date() != now.astimezone(tz).date():
        days = DAY_NAMES_EN if lang == "en" else DAY_NAMES_ID
        values["day"] = f"{days[at.weekday()]} {at.day}/{at.month}"
        return "too_early_day", values
    return key, values


def phone_keys() -> list[str]:
    """The number pad of the messages question: digits, delete, OK."""
    return ["1", "2", "3", "4", "5", "6", "7", "8", "9", "back", "0", "ok"]


def keypad_keys() -> list[str]:
    """The check-in keypad: the booking code's characters, then delete and OK."""
    return [*BOOKING_CODE_ALPHABET, "back", "ok"]
