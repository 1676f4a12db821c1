"""Schemathesis against our own OpenAPI document, on a real `antrian server` process.

Every operation is fuzzed once per kind of caller (a registered kiosk, an officer of
one counter, a supervisor, no token, a wrong token): no 5xx; status, content type and
body as documented; invalid input refused; 405s that say what is allowed; a token
required where the document says so; every error JSON with a code and a message
(tests/server/schemathesis_hooks.py). Deterministic: schemathesis's deterministic
mode (derandomized, no example database) and its crash cache off.

It runs `schemathesis run`, the command line, rather than its pytest plugin: the
plugin's lazy loader does not work with pytest 9.2 (it sets Node._nodeid, gone there).
A failure prints the command to run again by hand.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from server.store.db import Store
from server.store.migrate import upgrade
from shared.config import sample_path
from shared.timeutil import utcnow
from tests import seed
from tests.pg import Cluster
from tests.server.schemathesis_hooks import WRONG_TOKEN
from tests.serverproc import ROOT, ServerProcess

MAX_EXAMPLES = 5
OFFICER = ("siti", "482913", "L03")
BROKEN = 1  # an officer of L03 only: other counters answer 403
SUPERVISOR = ("kepala", "135790", "L01")

# Real codes mixed into the generated ones, so the fuzzer gets past "unknown counter"
# into the handlers; unknown ones stay in the mix.
CONFIG = """\
[cache]
enabled = false  # no crashes replayed from an earlier run: each run is the same

[dictionaries.counters]
values = ["L03", "L01", "L04", "L99"]
[dictionaries.services]
values = ["KTP", "KK", "AKTA", "IZIN", "JKN", "NOPE"]
[dictionaries.tickets]
values = [1, 2, 3, 4, 5, 6]
[dictionaries.ticket_codes]
values = ["A001", "A002", "B001", "Z999"]

[parameters]
"path.code" = { dictionary = "counters", probability = 0.6 }
"path.ticket_id" = { dictionary = "tickets", probability = 0.6 }
"body.service" = { dictionary = "services", probability = 0.6 }
"body.counter" = { dictionary = "counters", probability = 0.6 }
"body.code" = { dictionary = "ticket_codes", probability = 0.6 }
"""

# A caller with a token must get past the 401s and 403s somewhere, or the run proves little.
AUTHENTICATED = """
[warnings]
fail-on = ["missing_auth"]
"""

# An officer's or supervisor's session: schemathesis logs in through POST /sessions
# and again after a 401 (the fuzzer also calls DELETE /sessions/current).
LOGIN = (
    AUTHENTICATED
    + """
[auth.dynamic.openapi.bearer]
path = "/api/v1/sessions"
payload = {{ username = "{0}", pin = "{1}", counter = "{2}" }}
extract_selector = "/token"
retry_on = [401]
"""
)

ADMIN_LOGIN = (
    AUTHENTICATED
    + """
[auth.dynamic.openapi.bearer]
path = "/api/v1/sessions"
payload = { username = "admin", password = "demo-admin-2026" }
extract_selector = "/token"
retry_on = [401]
"""
)

CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
        "negative_data_rejection",
        "unsupported_method",
        "ignored_auth",
        "error_is_json_with_code_and_message",
        "wrong_token_gets_no_2xx",
    ]
)


class Site:
    def __init__(self, proc: ServerProcess, kiosk_token: str) -> None:
        self.proc = proc
        self.kiosk_token = kiosk_token

    def api(self) -> httpx.Client:
        return httpx.Client(base_url=self.proc.url + "/api/v1", timeout=10)


def start_site(db: str, data: Path) -> Site:
    """The demo site on `db`, with a registered kiosk, an officer and a supervisor."""
    store = Store(db)
    upgrade(store)
    with store.write() as s:
        kiosk_token = seed.add_device(s, "kiosk-lobby", "kiosk", utcnow())
        seed.add_officer(s, OFFICER[0], "Siti", OFFICER[1], [OFFICER[2]], "officer")
        seed.add_officer(s, SUPERVISOR[0], "Kepala", SUPERVISOR[1], [], "supervisor")
    store.dispose()
    # Sign-in limits lifted: the fuzzer signs in far more often than 20 times a minute.
    config = data / "site.toml"
    config.write_text(
        sample_path().read_text(encoding="utf-8") + "\n[server]\nsign_in_per_minute = 10000\n"
        "sign_in_per_second = 1000\n"
    )
    proc = ServerProcess(data, demo=True, db=db, config=config)
    proc.start()
    return Site(proc, kiosk_token)


def running_site(data: Path, db: str | None = None) -> Iterator[Site]:
    site = start_site(db or f"sqlite:///{data}/antrian.sqlite", data)
    yield site
    site.proc.stop()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    yield from running_site(tmp_path_factory.mktemp("schemathesis"))


@pytest.fixture(scope="module")
def admin_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The manager's own: a fuzzed setup may revoke the kiosk's token the others seed with."""
    yield from running_site(tmp_path_factory.mktemp("schemathesis-admin"))


@pytest.fixture(scope="module")
def pg_site(tmp_path_factory: pytest.TempPathFactory, pg_cluster: Cluster) -> Iterator[Site]:
    db = pg_cluster.create_database(f"schemathesis_{os.getpid()}")
    yield from running_site(tmp_path_factory.mktemp("schemathesis-pg"), db)


def seed_tickets(site: Site, caller: str) -> None:
    """Tickets waiting at L03's services, so the officers' actions reach real states."""
    with site.api() as c:
        for n, service in enumerate(["KTP", "KK", "AKTA", "KTP"]):
            r = c.post(
                "/tickets",
                json={"service": service, "request_id": f"seed-{caller}-{n}"},
                headers={"Authorization": f"Bearer {site.kiosk_token}"},
            )
            assert r.status_code == 201, r.text


def schemathesis_run(site: Site, workdir: Path, config: str, *args: str) -> None:
    config_file = workdir / "schemathesis.toml"
    config_file.write_text(CONFIG + config)
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "--config-file",
        str(config_file),
        "run",
        site.proc.url + "/openapi.json",
        "--generation-deterministic",
        f"--max-examples={MAX_EXAMPLES}",
        "--workers=1",
        f"--checks={CHECKS}",
        "--request-timeout=10",
        "--no-color",
        *args,
    ]
    env = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": "tests.server.schemathesis_hooks",
        "PYTHONPATH": str(ROOT),
    }
    run = subprocess.run(
        command, cwd=workdir, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    again = f"SCHEMATHESIS_HOOKS={env['SCHEMATHESIS_HOOKS']} {shlex.join(command)}"
    assert run.returncode == 0, f"{run.stdout[-12000:]}\n{run.stderr[-3000:]}\nagain: {again}"
    assert "No issues found" in run.stdout or " passed" in run.stdout, run.stdout[-3000:]


# Each caller fuzzes what it may do, the reads once (the kiosk); no token goes through
# every operation's edge cases (the coverage phase), a wrong token through the writes.
# About 40 s in all here, with a benchmark running on the same two cores.
CALLERS = {
    "kiosk": (
        "coverage,fuzzing",
        # (GET /help and taking a call are the officers': the kiosk only asks)
        [
            "--exclude-path-regex",
            r"/counters/\{code\}/|/sessions|/reports|/admin/|/floor$|/help/",
            "--exclude-name",
            "GET /api/v1/help",
        ],
    ),
    "officer": ("coverage,fuzzing", ["--include-path-regex", r"/counters/|/sessions|/help"]),
    # What only a supervisor may: the report, cancelling, acting at any counter.
    "supervisor": (
        "fuzzing",
        ["--include-path-regex", r"/reports|/floor$|/cancel|/call$|/transfer$"],
    ),
    # (/admin/ without a token is only 401s, which the wrong token's run and
    # tests/server/test_office_api.py cover; leaving it out keeps this run in time)
    "none": ("coverage", ["--exclude-path-regex", r"/admin/"]),
    "wrong": ("fuzzing", ["--exclude-method", "GET", "--max-examples=3"]),
    # The console's setup as the manager edits it, on a site of its own (admin_site): it
    # may revoke the kiosk's token.
    "admin": ("coverage,fuzzing", ["--include-path-regex", r"/admin/"]),
}


SITES = {"none": "pg_site", "admin": "admin_site"}


@pytest.mark.slow
@pytest.mark.parametrize("caller", list(CALLERS))
def test_api_as_documented(request: pytest.FixtureRequest, caller: str, tmp_path: Path) -> None:
    # No token reaches every read's database query: that one runs on PostgreSQL, whose
    # INTEGER is 32 bits (SQLite's took ids that PostgreSQL answered with a 500).
    site: Site = request.getfixturevalue(SITES.get(caller, "site"))
    seed_tickets(site, caller)
    phases, args = CALLERS[caller]
    config = ""
    if caller == "kiosk":
        config = AUTHENTICATED
        args = [*args, "-H", f"Authorization: Bearer {site.kiosk_token}"]
    elif caller == "officer":
        config = LOGIN.format(*OFFICER)
    elif caller == "supervisor":
        config = LOGIN.format(*SUPERVISOR)
    elif caller == "admin":
        config = ADMIN_LOGIN
    elif caller == "wrong":
        args = [*args, "-H", f"Authorization: Bearer {WRONG_TOKEN}"]
    schemathesis_run(site, tmp_path, config, f"--phases={phases}", *args)
