"""The API and the command line give the same answer to the same bad input: the code, the
fields and their messages (tests/answers.py pins them; the pages: tests/web/)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.answers import (
    ADMINS,
    DEVICES,
    EVIDENCE,
    OFFICERS,
    REPORTS,
    SKM,
    SKM_PER_OFFICER,
    SUPERVISOR,
    Case,
    Site,
    admin_args,
    device_args,
    flags,
    of_api,
    officer_args,
    person_body,
)
from tests.serverproc import ServerProcess


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    data: Path = tmp_path_factory.mktemp("same-answers")
    db = f"sqlite:///{data}/antrian.sqlite"
    proc = ServerProcess(data, demo=True, db=db)
    proc.start()
    yield Site(proc, db)
    proc.stop()


@pytest.mark.parametrize("case", SKM, ids=str)
def test_skm_filters(site: Site, case: Case) -> None:
    with site.api() as c:
        api = of_api(c.get("/reports/skm", params=case.asked))
    assert api == case.want
    assert site.cli("report", "skm", *flags(case.asked)) == case.want.english


def test_skm_per_officer_is_an_admins(site: Site) -> None:
    case = SKM_PER_OFFICER
    with site.api(site.supervisor) as c:
        assert of_api(c.get("/reports/skm", params=case.asked)) == case.want
    with site.api() as c:  # an admin's
        assert c.get("/reports/skm", params=case.asked).status_code == 200


@pytest.mark.parametrize("case", REPORTS, ids=str)
def test_summary_query(site: Site, case: Case) -> None:
    with site.api() as c:
        api = of_api(c.get("/reports/summary", params=case.asked))
    assert api == case.want
    assert site.cli("report", "summary", *flags(case.asked)) == case.want.english


@pytest.mark.parametrize("case", OFFICERS + ADMINS, ids=str)
def test_people(site: Site, case: Case) -> None:
    with site.api() as c:
        api = of_api(c.post("/admin/officers", json=person_body(case.asked)))
    assert api == case.want
    if case.asked.get("role") == "admin":
        cli = site.cli(*admin_args(case.asked), stdin=case.asked["password"] + "\n")
    else:
        cli = site.cli(*officer_args(case.asked))
    assert cli == case.want.english


@pytest.mark.parametrize("case", DEVICES, ids=str)
def test_devices(site: Site, case: Case) -> None:
    with site.api() as c:
        api = of_api(c.post("/admin/devices", json=case.asked))
    assert api == case.want
    assert site.cli(*device_args(case.asked)) == case.want.english


def test_nothing_was_saved(site: Site) -> None:
    with site.api() as c:
        people = {p["username"] for p in c.get("/admin/officers").json()}
        devices = c.get("/admin/devices").json()
    assert people == {SUPERVISOR[0]} and devices == []


@pytest.mark.parametrize("case", EVIDENCE, ids=str)
def test_evidence_pack(site: Site, case: Case) -> None:
    with site.api(site.supervisor) as c:
        assert of_api(c.get("/reports/evidence", params=case.asked)) == case.want
    assert site.cli("report", "evidence", *flags(case.asked)) == case.want.english
