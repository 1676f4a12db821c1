"""The same bad input to a console page, the API and the command line, and the one answer
all three must give: the code, and each field's message in Indonesian and English.

The rules live in the rooms (server/skm, server/reports, server/office); these cases pin
what they answer, and the readers below take that answer out of an HTTP response, a
page (its `[data-code]` and `.error#e-FIELD` elements) or `antrian`'s standard error.
tests/server/test_same_answers.py holds the API and the CLI to them, and
tests/web/test_same_answers.py the pages (with the API and the CLI beside them).
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from typing import Any

import httpx

from tests.serverproc import ServerProcess, antrian


@dataclass(frozen=True)
class Answer:
    status: int
    code: str
    fields: dict[str, tuple[str, str]]  # field: (message in Indonesian, in English)

    @property
    def english(self) -> tuple[str, dict[str, str]]:
        """What the command line says: the code and each field's English message."""
        return self.code, {name: en for name, (_id, en) in self.fields.items()}


@dataclass(frozen=True)
class Case:
    """One bad input, as query parameters or form fields (text, as a form sends them)."""

    name: str
    asked: dict[str, str]
    want: Answer

    def __str__(self) -> str:
        return self.name


def of_api(r: httpx.Response) -> Answer:
    body = r.json()
    fields: dict[str, tuple[str, str]] = {}
    for e in body.get("errors", []):
        fields.setdefault(e["field"], (e["message"], e["message_en"]))
    return Answer(r.status_code, body["code"], fields)


_CLI = re.compile(r"^antrian: (?P<text>.*) \[(?P<code>[a-z_]+)\]$")


def of_cli(run: subprocess.CompletedProcess[str]) -> tuple[str, dict[str, str]]:
    """`antrian: FIELD: message; FIELD: message [code]` (server/cli/common.py problem_text)."""
    assert run.returncode == 2, (run.returncode, run.stdout, run.stderr)
    assert "Traceback" not in run.stderr, run.stderr
    line = run.stderr.strip().splitlines()[-1]
    found = _CLI.match(line)
    assert found is not None, run.stderr
    fields: dict[str, str] = {}
    for part in found["text"].split("; "):
        name, _, message = part.partition(": ")
        fields.setdefault(name, message)
    return found["code"], fields


def flags(asked: dict[str, str], names: dict[str, str] | None = None) -> list[str]:
    """Query parameters as the command line's options (--from 2026-11-01 ...)."""
    out: list[str] = []
    for key, value in asked.items():
        out += [f"--{(names or {}).get(key, key)}", value]
    return out


# -- SKM results: GET /api/v1/reports/skm, /console/skm, `antrian report skm` --------------

DATE = (
    "Tanggal ditulis TTTT-BB-HH, mis. 2026-11-30",
    "A date is written YYYY-MM-DD, e.g. 2026-11-30",
)
SKM_YEARS = ("Tahun 2000 sampai 2999", "dates from 2000 to 2999")

SKM = [
    Case("bad date", {"from": "2026-13-01"}, Answer(422, "invalid_period", {"from": DATE})),
    Case(
        "not dates",
        {"from": "kemarin", "to": "30/11/2026"},
        Answer(422, "invalid_period", {"from": DATE, "to": DATE}),
    ),
    Case(
        "years",
        {"from": "1999-12-01", "to": "1999-12-31"},
        Answer(422, "invalid_period", {"from": SKM_YEARS, "to": SKM_YEARS}),
    ),
    Case(
        "to before from",
        {"from": "2026-12-02", "to": "2026-12-01"},
        Answer(
            422,
            "invalid_period",
            {"to": ("Tanggal akhir sebelum tanggal awal", "to is before from")},
        ),
    ),
    Case(
        "over three years",
        {"from": "2020-01-01", "to": "2026-01-01"},
        Answer(
            422,
            "invalid_period",
            {"to": ("Paling lama tiga tahun sekaligus", "at most three years at once")},
        ),
    ),
    Case(
        "unknown agency",
        {"agency": "NOPE"},
        Answer(
            404,
            "unknown_agency",
            {"agency": ("Instansi 'NOPE' tidak dikenal.", "No agency 'NOPE'.")},
        ),
    ),
    Case(
        "unknown service",
        {"service": "NOPE"},
        Answer(
            404,
            "unknown_service",
            {"service": ("Layanan 'NOPE' tidak dikenal.", "No service 'NOPE'.")},
        ),
    ),
    Case(
        "unknown counter",
        {"counter": "L99"},
        Answer(
            404, "unknown_counter", {"counter": ("Loket 'L99' tidak dikenal.", "No counter 'L99'.")}
        ),
    ),
]

# Asked by a supervisor (the command line is the box's technician: it sees everything).
SKM_PER_OFFICER = Case(
    "per officer, not an admin",
    {"officer": "demo"},
    Answer(
        403,
        "forbidden",
        {
            "officer": (
                "Hasil per petugas hanya untuk admin.",
                "Results per officer are for an admin.",
            )
        },
    ),
)

# -- the summary: GET /api/v1/reports/summary, /console/reports, `antrian report summary` -

CUSTOM = {"period": "custom"}  # the page's form opens on a month; the API's default is custom

REPORTS = [
    Case(
        "unknown group",
        {**CUSTOM, "from": "2026-11-01", "to": "2026-11-30", "group": "bogus"},
        Answer(
            422,
            "invalid_group",
            {
                "group": (
                    "Kelompok: instansi, layanan, loket, petugas, jam, hari, kelompok prioritas.",
                    "group is one of agency, service, counter, officer, hour, weekday, "
                    "priority_group.",
                )
            },
        ),
    ),
    Case(
        "unknown period",
        {"period": "year", "from": "2026-11-01"},
        Answer(
            422,
            "invalid_period",
            {
                "period": (
                    "Periode: hari, minggu, bulan, dari-sampai.",
                    "period is one of day, week, month, custom.",
                )
            },
        ),
    ),
    Case(
        "bad date",
        {**CUSTOM, "from": "2026-13-01", "to": "2026-12-01"},
        Answer(422, "invalid_period", {"from": DATE}),
    ),
    Case(
        "from after to",
        {**CUSTOM, "from": "2026-12-02", "to": "2026-12-01"},
        Answer(
            422,
            "invalid_period",
            {
                "from": (
                    "Tanggal dari tidak boleh sesudah tanggal sampai.",
                    "from must not be after to.",
                )
            },
        ),
    ),
    Case(
        "too long",
        {**CUSTOM, "from": "2025-01-01", "to": "2026-12-01"},
        Answer(
            422,
            "invalid_period",
            {
                "to": (
                    "Satu periode paling lama 366 hari (700 diminta).",
                    "A period is at most 366 days (700 given).",
                )
            },
        ),
    ),
    Case(
        "years",
        {**CUSTOM, "from": "1999-01-01", "to": "1999-01-02"},
        Answer(
            422,
            "invalid_period",
            {
                "from": (
                    "1999-01-01 di luar rentang (tahun 2000-2999).",
                    "1999-01-01 is out of range.",
                ),
                "to": (
                    "1999-01-02 di luar rentang (tahun 2000-2999).",
                    "1999-01-02 is out of range.",
                ),
            },
        ),
    ),
]

# -- the evidence pack: GET /api/v1/reports/evidence, the reports page's buttons, ---------
# `antrian report evidence`: the summary's period rules (from..to), a format of its own

EVIDENCE = [
    Case(c.name, {k: v for k, v in c.asked.items() if k != "period"}, c.want)
    for c in REPORTS
    if set(c.asked) <= {"period", "from", "to"} and c.asked.get("period") == "custom"
] + [
    Case(
        "no from",
        {"to": "2026-11-30"},
        Answer(
            422,
            "invalid_period",
            {
                "from": (
                    "Isi tanggal dari dan sampai (TTTT-BB-HH).",
                    "Give both from and to (YYYY-MM-DD).",
                )
            },
        ),
    ),
    Case(
        "unknown format",
        {"from": "2026-11-01", "to": "2026-11-30", "format": "docx"},
        Answer(
            422, "invalid_request", {"format": ("Format: pdf, zip.", "format is one of pdf, zip.")}
        ),
    ),
]

# -- people: POST /api/v1/admin/officers, /console/people, `antrian officer|admin add` ---

USERNAME = (
    "2-32 huruf kecil, angka, titik, garis bawah atau tanda hubung",
    "2-32 lowercase letters, digits, dots, underscores or hyphens",
)
NAME = ("Nama wajib diisi (maks. 80 karakter)", "A name is required (at most 80 characters)")
PIN = ("PIN berupa 4 sampai 12 angka", "The PIN must be 4 to 12 digits")


def _person(want: dict[str, tuple[str, str]]) -> Answer:
    return Answer(422, "invalid_fields", want)


OFFICERS = [
    Case(
        "short pin, one-letter username",
        {"username": "x", "name": "X", "counters": "L03", "pin": "12"},
        _person({"username": USERNAME, "pin": PIN}),
    ),
    # Pydantic answered these on the API before (max_length=12, 80; min_length=1; Literal).
    Case(
        "long pin",
        {"username": "rina", "name": "Rina", "counters": "L03", "pin": "1234567890123"},
        _person({"pin": PIN}),
    ),
    Case(
        "long name",
        {"username": "rina", "name": "R" * 81, "counters": "L03", "pin": "2468"},
        _person({"name": NAME}),
    ),
    Case(
        "empty name",
        {"username": "rina", "name": "", "counters": "L03", "pin": "2468"},
        _person({"name": NAME}),
    ),
    Case(
        "unknown role",
        {"username": "rina", "name": "Rina", "role": "boss", "pin": "2468"},
        _person({"role": ("Pilih peran", "Choose a role")}),
    ),
    Case(
        "unknown counter",
        {"username": "rina", "name": "Rina", "counters": "L03,L77", "pin": "2468"},
        _person({"counters": ("Loket tidak dikenal: L77", "Unknown counter(s): L77")}),
    ),
    Case(
        "an officer without a PIN",
        {"username": "rina", "name": "Rina", "counters": "L03"},
        _person({"pin": ("Petugas loket perlu PIN", "An officer needs a PIN")}),
    ),
]

ADMINS = [
    Case(
        "short password",
        {"username": "kepala", "name": "Kepala", "role": "admin", "password": "short"},
        _person(
            {
                "password": (
                    "Kata sandi minimal 10 karakter",
                    "The password needs at least 10 characters",
                )
            }
        ),
    ),
    Case(
        "long password",  # pydantic's max_length=200 on the API before
        {"username": "kepala", "name": "Kepala", "role": "admin", "password": "p" * 201},
        _person(
            {
                "password": (
                    "Kata sandi paling banyak 200 karakter",
                    "The password has at most 200 characters",
                )
            }
        ),
    ),
]


def person_body(asked: dict[str, str]) -> dict[str, Any]:
    """A form's text as the API's JSON body (counters as a list; empty fields left out)."""
    body: dict[str, Any] = {k: v for k, v in asked.items() if k != "counters"}
    body["counters"] = [c for c in asked.get("counters", "").split(",") if c]
    return body


def officer_args(asked: dict[str, str]) -> list[str]:
    args = ["officer", "add", asked["username"], "--name", asked["name"]]
    for key in ("pin", "counters", "role"):
        if key in asked:
            args += [f"--{key}", asked[key]]
    return args


def admin_args(asked: dict[str, str]) -> list[str]:
    return ["admin", "add", asked["username"], "--name", asked["name"], "--password-stdin"]


# -- devices: POST /api/v1/admin/devices, /console/devices, `antrian device add` ----------

DEVICE_NAME = (
    "1-64 huruf, angka, titik, garis bawah atau tanda hubung",
    "1-64 letters, digits, dots, underscores or hyphens",
)

DEVICES = [
    Case("bad name", {"name": "kiosk lobby!", "role": "kiosk"}, _person({"name": DEVICE_NAME})),
    Case(  # pydantic's max_length=64 on the API before
        "long name", {"name": "k" * 65, "role": "kiosk"}, _person({"name": DEVICE_NAME})
    ),
    Case(  # pydantic's Literal on the API before
        "unknown kind",
        {"name": "printer-1", "role": "printer"},
        _person({"role": ("Pilih jenis perangkat", "Choose the kind of device")}),
    ),
    Case(
        "survey tablet without its counter",
        {"name": "tablet-1", "role": "survey"},
        _person({"counter": ("Tablet survei perlu loketnya", "A survey tablet needs its counter")}),
    ),
]


def device_args(asked: dict[str, str]) -> list[str]:
    return ["device", "add", asked["name"], *flags({k: v for k, v in asked.items() if k != "name"})]


ADMIN = ("admin", "demo-admin-2026")  # the demo's
SUPERVISOR = ("kepala-uji", "kepala-password-26")


class Site:
    """A demo server with an admin's and a supervisor's API session, and its database for
    `antrian ... --db`: where the same bad input is sent three ways."""

    def __init__(self, proc: ServerProcess, db: str) -> None:
        self.proc, self.db, self.url = proc, db, proc.url
        with httpx.Client(base_url=proc.url + "/api/v1", timeout=10) as c:
            r = c.post("/sessions", json={"username": ADMIN[0], "password": ADMIN[1]})
            assert r.status_code == 201, r.text
            self.admin = str(r.json()["token"])
            made = c.post(
                "/admin/officers",
                json={
                    "username": SUPERVISOR[0],
                    "name": "Kepala",
                    "role": "supervisor",
                    "password": SUPERVISOR[1],
                },
                headers={"Authorization": f"Bearer {self.admin}"},
            )
            assert made.status_code == 201, made.text
            r = c.post("/sessions", json={"username": SUPERVISOR[0], "password": SUPERVISOR[1]})
            self.supervisor = str(r.json()["token"])

    def api(self, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token or self.admin}"}
        return httpx.Client(base_url=self.url + "/api/v1", headers=headers, timeout=30)

    def cli(self, *args: str, stdin: str = "") -> tuple[str, dict[str, str]]:
        return of_cli(antrian(*args, "--db", self.db, stdin=stdin))
