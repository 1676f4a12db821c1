"""People: officers (a PIN at their counters), supervisors and admins (a console password).

The one place their rules live (_check: every field's message in Indonesian and English):
the console's forms, `/api/v1/admin/officers`, `antrian officer|admin` and the tests' seeds
all call these. server/access/auth.py only hashes and checks what is stored here. A change
to a person ends their sessions at once.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.access import auth
from server.access.context import ServerContext
from server.office import audit
from server.office.views import PersonAnswer
from server.problems import Problem, invalid, refused
from server.store.tables import OfficerRow, SessionRow
from shared.timeutil import utcnow

# Matched whole (fullmatch): a "$" would let a trailing newline through.
USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,31}")
ROLES = ("officer", "supervisor", "admin")
NAME_MAX = 80
PIN = re.compile(r"[0-9]{4,12}")  # ASCII digits (str.isdigit also takes other scripts)
MIN_PASSWORD = 10
MAX_PASSWORD = 200


@dataclass(frozen=True)
class PersonView:
    username: str
    name: str
    role: str
    counters: list[str]
    active: bool
    has_pin: bool
    has_password: bool


@dataclass
class PersonChange:
    """What a form or a request asks; None leaves a value as it is (on an edit)."""

    username: str
    name: str | None = None
    role: str | None = None
    counters: list[str] | None = None
    pin: str | None = None
    password: str | None = None
    active: bool | None = None


def view(row: OfficerRow) -> PersonView:
    return PersonView(
        username=row.username,
        name=row.name,
        role=row.role,
        counters=[c for c in row.counters.split(",") if c],
        active=row.active,
        has_pin=bool(row.pin_hash),
        has_password=bool(row.password_hash),
    )


@dataclass
class DemoAccount:
    """A built-in account of `antrian server --demo`: no row, so never in people(); where
    it is signed in now (its open sessions' counters, or "console")."""

    username: str
    role: str
    signed_in: list[str]


def demo_accounts(s: Session, now: datetime) -> list[DemoAccount]:
    """The demo officer and admin, each with where it is signed in now (the console listed
    nobody while the demo officer worked at a counter)."""
    where: dict[str, list[str]] = {}
    open_ones = select(SessionRow).where(
        SessionRow.officer_id.is_(None), SessionRow.ended.is_(False), SessionRow.expires_at > now
    )
    for row in s.scalars(open_ones.order_by(SessionRow.counter)):
        place = row.counter if row.kind == "counter" else "console"
        if place not in where.setdefault(row.username, []):
            where[row.username].append(place)
    return [
        DemoAccount(auth.DEMO_OFFICER[0], "supervisor", where.get(auth.DEMO_OFFICER[0], [])),
        DemoAccount(auth.DEMO_ADMIN[0], "admin", where.get(auth.DEMO_ADMIN[0], [])),
    ]


def people(s: Session) -> list[PersonView]:
    rows = s.scalars(select(OfficerRow).order_by(OfficerRow.active.desc(), OfficerRow.username))
    return [view(r) for r in rows]


def _check(change: PersonChange, row: OfficerRow | None, known_counters: set[str]) -> None:
    errors: list[tuple[str, str, str]] = []
    if row is None and not USERNAME.fullmatch(change.username):
        errors.append(
            (
                "username",
                "2-32 huruf kecil, angka, titik, garis bawah atau tanda hubung",
                "2-32 lowercase letters, digits, dots, underscores or hyphens",
            )
        )
    name = change.name if change.name is not None else (row.name if row else "")
    if not name.strip() or len(name) > NAME_MAX:
        errors.append(
            (
                "name",
                "Nama wajib diisi (maks. 80 karakter)",
                "A name is required (at most 80 characters)",
            )
        )
    role = change.role or (row.role if row else "")
    if role not in ROLES:
        errors.append(("role", "Pilih peran", "Choose a role"))
    counters = (
        change.counters if change.counters is not None else (view(row).counters if row else [])
    )
    unknown = [c for c in counters if c not in known_counters]
    if unknown:
        errors.append(
            (
                "counters",
                f"Loket tidak dikenal: {', '.join(unknown)}",
                f"Unknown counter(s): {', '.join(unknown)}",
            )
        )
    elif role == "officer" and not counters:
        errors.append(
            (
                "counters",
                "Petugas loket perlu minimal satu loket",
                "An officer needs at least one counter",
            )
        )
    if change.pin is not None and not PIN.fullmatch(change.pin):
        errors.append(("pin", "PIN berupa 4 sampai 12 angka", "The PIN must be 4 to 12 digits"))
    if change.password is not None and len(change.password) < MIN_PASSWORD:
        errors.append(
            (
                "password",
                f"Kata sandi minimal {MIN_PASSWORD} karakter",
                f"The password needs at least {MIN_PASSWORD} characters",
            )
        )
    elif change.password is not None and len(change.password) > MAX_PASSWORD:
        errors.append(
            (
                "password",
                f"Kata sandi paling banyak {MAX_PASSWORD} karakter",
                f"The password has at most {MAX_PASSWORD} characters",
            )
        )
    has_pin = change.pin is not None or bool(row and row.pin_hash)
    has_password = change.password is not None or bool(row and row.password_hash)
    if role == "officer" and not has_pin and "pin" not in {e[0] for e in errors}:
        errors.append(("pin", "Petugas loket perlu PIN", "An officer needs a PIN"))
    if role in auth.ROLES_CONSOLE and not (has_pin or has_password):
        errors.append(
            (
                "password",
                "Perlu kata sandi (untuk konsol) atau PIN",
                "A password (console) or a PIN is needed",
            )
        )
    if role == "admin" and not has_password and "password" not in {e[0] for e in errors}:
        errors.append(("password", "Admin perlu kata sandi", "An admin needs a password"))
    if errors:
        raise invalid(*errors)


def _audited(
    view: PersonView | None, change: PersonChange | None = None
) -> dict[str, object] | None:
    """A person for the audit log: never a PIN or password, only that one was set."""
    if view is None:
        return None
    out: dict[str, object] = asdict(view)
    if change is not None:
        out["pin_set"] = change.pin is not None
        out["password_set"] = change.password is not None
    return out


def save(
    s: Session,
    change: PersonChange,
    known_counters: set[str],
    *,
    create: bool,
    actor: audit.Actor,
    now: datetime | None = None,
) -> PersonView:
    """Add a person (create) or change one; ends their sessions when they change; audited."""
    row = s.scalar(select(OfficerRow).where(OfficerRow.username == change.username))
    before = view(row) if row is not None else None
    if create and row is not None:
        raise invalid(("username", "Nama pengguna sudah dipakai", "This username is taken"))
    if not create and row is None:
        raise _unknown(change.username)
    _check(change, row, known_counters)
    if row is None:
        row = OfficerRow(
            username=change.username, failures=0, active=True, pin_hash="", counters=""
        )
        s.add(row)
    else:
        auth.end_sessions(s, row.id)
    if change.name is not None:
        row.name = change.name.strip()
    if change.role is not None:
        row.role = change.role
    if change.counters is not None:
        row.counters = ",".join(change.counters)
    if change.pin is not None:
        row.pin_hash = auth.hash_pin(change.pin)
    if change.password is not None:
        row.password_hash = auth.hash_password(change.password)
    if change.active is not None:
        row.active = change.active
    auth.clear_failures(s, row.username)
    s.flush()
    after = view(row)
    entry = audit.Entry(
        "create" if before is None else "update",
        "officer",
        row.username,
        _audited(before),
        _audited(after, change),
    )
    audit.record(s, actor, now or utcnow(), [entry])
    return after


def _unknown(username: str) -> Problem:
    return refused(
        404,
        "unknown_officer",
        ("username", f"Tidak ada petugas {username!r}.", f"No officer {username!r}."),
    )


def remove(s: Session, username: str, *, actor: audit.Actor, now: datetime | None = None) -> None:
    """Remove a person; their sessions end at once; audited."""
    row = s.scalar(select(OfficerRow).where(OfficerRow.username == username))
    if row is None:
        raise _unknown(username)
    before = view(row)
    auth.end_sessions(s, row.id)
    s.delete(row)
    entry = audit.Entry("delete", "officer", username, _audited(before), None)
    audit.record(s, actor, now or utcnow(), [entry])


def one_time_password() -> str:
    """A password to hand to a new admin once (they should change it)."""
    return secrets.token_urlsafe(12)


def save_person(
    ctx: ServerContext, change: PersonChange, *, create: bool, by: audit.Actor
) -> PersonAnswer:
    """For the API and the console page alike: one transaction, then sessions re-checked."""
    with ctx.store.write() as s:
        saved = save(s, change, set(ctx.site.counters), create=create, actor=by)
    ctx.forget_principals()  # an ended session stops at once, not after the cache's TTL
    return PersonAnswer(**asdict(saved))
