"""A console page, the API and the command line give the same answer to the same bad
input: the same status and code, the same fields, the page's message in its language
(Indonesian, or English after ?lang=en) the API's `message` and `message_en`, and the
command line's the English one. In a real browser against a real `antrian server`.

The pages show the code on the refused form (`data-code`) and each field's message
beside it (`.error#e-FIELD`); the cases and their answers are tests/answers.py's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from tests import answers
from tests.answers import (
    ADMIN,
    ADMINS,
    DEVICES,
    EVIDENCE,
    OFFICERS,
    REPORTS,
    SKM,
    SKM_PER_OFFICER,
    SUPERVISOR,
    Answer,
    Case,
    admin_args,
    device_args,
    flags,
    of_api,
    officer_args,
    person_body,
)
from tests.serverproc import ServerProcess
from tests.web.conftest import sign_in


def of_page(page: Page, load: Callable[[str], int]) -> Answer:
    """The page's answer, loaded once in each language: status, code, fields' messages."""
    seen: dict[str, tuple[int, str | None, dict[str, str]]] = {}
    for lang in ("id", "en"):
        status = load(lang)
        code = page.locator("[data-code]").first.get_attribute("data-code")
        fields = {
            str(e.get_attribute("id"))[2:]: e.inner_text().strip()
            for e in page.locator(".error[id^='e-']").all()
        }
        seen[lang] = (status, code, fields)
    (status, code, ids), (status_en, code_en, ens) = seen["id"], seen["en"]
    assert (status, code, set(ids)) == (status_en, code_en, set(ens)), seen
    assert code is not None
    return Answer(status, code, {name: (ids[name], ens[name]) for name in ids})


class Site(answers.Site):
    """tests/answers.py's site, with an admin's and a supervisor's signed-in page."""

    def __init__(self, proc: ServerProcess, db: str, browser: Browser) -> None:
        super().__init__(proc, db)
        self.contexts: list[BrowserContext] = []
        self.admin_page = self._signed_in(browser, ADMIN)
        self.supervisor_page = self._signed_in(browser, SUPERVISOR)

    def _signed_in(self, browser: Browser, user: tuple[str, str]) -> Page:
        context = browser.new_context(viewport={"width": 1366, "height": 768})
        self.contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        sign_in(page, self.url, user)
        return page

    def get(self, path: str, asked: dict[str, str], page: Page | None = None) -> Answer:
        """A page's GET with the query as a form sends it."""
        page = page or self.admin_page

        def load(lang: str) -> int:
            answer = page.goto(f"{self.url}{path}?{urlencode({**asked, 'lang': lang})}")
            assert answer is not None
            return answer.status

        return of_page(page, load)

    def post(self, path: str, form: dict[str, str]) -> Answer:
        """A console form posted as the page posts it (its CSRF token, the session's cookie)."""
        page = self.admin_page
        page.goto(f"{self.url}{path}")
        csrf = page.locator("input[name=csrf]").first.get_attribute("value") or ""

        def load(lang: str) -> int:
            sent: dict[str, Any] = {**form, "csrf": csrf}
            answer = page.request.post(f"{self.url}{path}?lang={lang}", form=sent)
            page.set_content(answer.text())
            return answer.status

        return of_page(page, load)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, browser: Browser) -> Iterator[Site]:
    data: Path = tmp_path_factory.mktemp("same-answers-web")
    db = f"sqlite:///{data}/antrian.sqlite"
    proc = ServerProcess(data, demo=True, db=db)
    proc.start()
    made = Site(proc, db, browser)
    yield made
    for context in made.contexts:
        context.close()
    proc.stop()


@pytest.mark.parametrize("case", SKM, ids=str)
def test_skm_results_page(site: Site, case: Case) -> None:
    page = site.get("/console/skm", case.asked)
    with site.api() as c:
        api = of_api(c.get("/reports/skm", params=case.asked))
    assert page == api == case.want
    assert site.cli("report", "skm", *flags(case.asked)) == case.want.english
    # The download buttons' route answers the same (the page, with the problem shown).
    download = site.get("/console/skm/download", {**case.asked, "format": "xlsx"})
    with site.api() as c:
        api_download = of_api(c.get("/reports/skm", params={**case.asked, "format": "xlsx"}))
    assert download == api_download == case.want


def test_skm_per_officer_is_refused_not_dropped(site: Site) -> None:
    """A supervisor's officer filter was silently dropped by the page: now the API's 403."""
    case = SKM_PER_OFFICER
    page = site.get("/console/skm", case.asked, site.supervisor_page)
    with site.api(site.supervisor) as c:
        api = of_api(c.get("/reports/skm", params=case.asked))
    assert page == api == case.want
    download = site.get(
        "/console/skm/download", {**case.asked, "format": "pdf"}, site.supervisor_page
    )
    assert download == case.want
    # An admin's: the page shows the results with the filter kept.
    site.admin_page.goto(f"{site.url}/console/skm?officer=demo")
    assert site.admin_page.locator("#problem").count() == 0
    assert site.admin_page.locator("#f-officer").input_value() == "demo"


@pytest.mark.parametrize("case", REPORTS, ids=str)
def test_reports_page(site: Site, case: Case) -> None:
    page = site.get("/console/reports", case.asked)
    with site.api() as c:
        api = of_api(c.get("/reports/summary", params=case.asked))
    assert page == api == case.want
    assert site.cli("report", "summary", *flags(case.asked)) == case.want.english
    download = site.get("/console/reports/download", {**case.asked, "format": "csv"})
    assert download == case.want


@pytest.mark.parametrize("case", EVIDENCE, ids=str)
def test_evidence_pack_buttons(site: Site, case: Case) -> None:
    page = site.get("/console/reports/evidence", case.asked)
    with site.api() as c:
        api = of_api(c.get("/reports/evidence", params=case.asked))
    assert page == api == case.want
    assert site.cli("report", "evidence", *flags(case.asked)) == case.want.english


@pytest.mark.parametrize("case", OFFICERS + ADMINS, ids=str)
def test_people_page(site: Site, case: Case) -> None:
    page = site.post("/console/people", {"create": "1", **case.asked})
    with site.api() as c:
        api = of_api(c.post("/admin/officers", json=person_body(case.asked)))
    assert page == api == case.want
    if case.asked.get("role") == "admin":
        cli = site.cli(*admin_args(case.asked), stdin=case.asked["password"] + "\n")
    else:
        cli = site.cli(*officer_args(case.asked))
    assert cli == case.want.english


@pytest.mark.parametrize("case", DEVICES, ids=str)
def test_devices_page(site: Site, case: Case) -> None:
    page = site.post("/console/devices", case.asked)
    with site.api() as c:
        api = of_api(c.post("/admin/devices", json=case.asked))
    assert page == api == case.want
    assert site.cli(*device_args(case.asked)) == case.want.english


def test_nothing_was_saved(site: Site) -> None:
    with site.api() as c:
        people = {p["username"] for p in c.get("/admin/officers").json()}
        devices = c.get("/admin/devices").json()
    assert people == {SUPERVISOR[0]} and devices == []
