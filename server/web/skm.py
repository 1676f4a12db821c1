"""SKM's pages: the visitor's ticket page (/t/{token}) with the survey once served.

No rules here: server/skm/ decides (rules, views); these routes read the form, call
it, and lay out the answer.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from fractions import Fraction
from functools import partial
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from server.access.auth import DEMO_DEVICE_ID
from server.access.deps import get_ctx, in_writer, principal_for
from server.complaints import register as complaints
from server.documents.numbers import format_number
from server.notify.views import PhonePanel, phone_panel
from server.office import evidence_files
from server.problems import Problem, field_errors
from server.queue.events import last_seq
from server.queue.site import Site
from server.skm import followup, rules
from server.skm.exports import skm_download
from server.skm.questions import questions, reset_question, save_question
from server.skm.report import Filters, SkmReport, filters_for, skm_report
from server.skm.views import TicketPage, ticket_page
from server.skm.words import WORDS
from server.web.forms import answer_form, download, uploaded
from server.web.i18n import LANGUAGES, add_words, t
from server.web.menu import CONSOLE, menu
from server.web.render import page
from server.web.session import SURVEY_COOKIE, AdminDep, ConsoleDep, Visitor, csrf_for, language
from shared.models import API_PATH
from shared.timeutil import business_day, utcnow

router = APIRouter()
add_words(WORDS)
add_words(
    {
        "skm_problem_answers": ("Mohon jawab semua pertanyaan.", "Please answer every question."),
        "skm_problem_too_long": (
            "Saran terlalu panjang: paling banyak {n} karakter.",
            "The suggestion is too long: at most {n} characters.",
        ),
        "skm_problem_markup": (
            "Saran hanya berupa teks biasa, tanpa tanda < dan > untuk HTML.",
            "Plain text only in the suggestion, no HTML tags.",
        ),
        "skm_problem_profile": ("Pilihan tidak dikenal.", "Unknown choice."),
        "skm_problem_form": (
            "Formulir kedaluwarsa. Silakan muat ulang halaman.",
            "The form has expired. Please reload the page.",
        ),
    }
)


def problem_text(problem: Problem, lang: str) -> str:
    """A refused answer in the visitor's words."""
    if problem.code == "invalid_answers":
        return t("skm_problem_answers", lang)
    if problem.code == "too_long":
        return t("skm_problem_too_long", lang, n=rules.SUGGESTION_MAX)
    if problem.code == "markup_not_allowed":
        return t("skm_problem_markup", lang)
    if problem.code == "invalid_profile":
        return t("skm_problem_profile", lang)
    return problem.message


def form_values(form: Any) -> dict[str, str]:
    """The survey form's fields as text (a file counts as empty)."""
    names = [f"u{i}" for i in range(1, 10)]
    names += ["age_group", "sex", "education", "occupation", "suggestion", "csrf"]
    # Bounded already: BodyLimit refuses a body over 64 KB; the rules bound each field.
    return {name: v if isinstance(v := form.get(name), str) else "" for name in names}


def entry_from_form(
    ticket_id: int, values: dict[str, str], *, channel: rules.Channel, counter: str | None
) -> rules.Entry:
    """The same checks as POST /api/v1/surveys (rules.make_entry), from a form's text."""
    profile = {k: values[k] for k in ("age_group", "sex", "education", "occupation")}
    return rules.make_entry(
        ticket_id,
        rules.answers_from_form([values[f"u{i}"] for i in range(1, 10)]),
        channel=channel,
        counter=counter,
        profile=profile,
        suggestion=values["suggestion"],
    )


async def _ticket_page(
    request: Request,
    token: str,
    *,
    status: int = 200,
    problem: str = "",
    form: dict[str, str] | None = None,
    phone_problem: str = "",
) -> HTMLResponse:
    ctx = await get_ctx(request)
    lang = language(request)
    ticket_id = ctx.pages.ticket_id(token)

    def read() -> tuple[TicketPage | None, PhonePanel | None]:
        if ticket_id is None:
            return None, None
        with ctx.store.read() as s:
            # the page shows two rooms: where the ticket stands (and the survey), messages
            return ticket_page(s, ctx.site, ticket_id, lang), phone_panel(s, ctx.site, ticket_id)

    view, messages = await run_in_threadpool(read)
    if view is None:
        return page(request, "ticket.html", status=404, view=None, token=token)
    skipped = request.query_params.get("skip") == "1"
    return page(
        request,
        "ticket.html",
        status=status,
        view=view,
        token=token,
        form_key=ctx.pages.form_key(token),
        thanks=request.query_params.get("thanks") == "1",
        skipped=skipped and view.survey,
        problem=problem,
        form=form or {},
        suggestion_max=rules.SUGGESTION_MAX,
        messages=messages,
        live_alert=live_alert(view, ctx.site.config.notify.near_ahead),
        phone_problem=phone_problem,
        phone_saved=request.query_params.get("phone") == "1",
    )


def live_alert(view: TicketPage, near_ahead: int) -> str:
    """When the open page vibrates and beeps (once each): near (as the site's messages
    say it, by how many are ahead), then called."""
    status, ahead = view.ticket.status.value, view.ticket.ahead
    if status == "called":
        return "called"
    return "near" if status == "waiting" and ahead <= near_ahead else ""


ticket_page_response = _ticket_page  # the page again, for the forms of other rooms on it


@router.get("/t/{token}", response_class=HTMLResponse)
async def ticket(request: Request, token: str) -> HTMLResponse:
    """The page behind the ticket's QR code."""
    return await _ticket_page(request, token)


@router.post("/t/{token}", response_class=HTMLResponse)
async def answer_on_phone(request: Request, token: str) -> Response:
    """The survey's form on the visitor's phone: the page token is the proof of the ticket."""
    ctx = await get_ctx(request)
    lang = language(request)
    ticket_id = ctx.pages.ticket_id(token)
    if ticket_id is None:
        return await _ticket_page(request, token)
    values = form_values(await request.form())  # its token was checked (web/forms.py)
    try:
        entry = entry_from_form(ticket_id, values, channel="phone", counter=None)
        await in_writer(ctx, rules.record, ctx.store, ctx.site, entry, utcnow())
    except Problem as problem:
        if problem.status == 409:  # answered already, or not done: the page says which
            return RedirectResponse(f"/t/{token}", status_code=303)
        status = problem.status if 400 <= problem.status < 500 else 422
        text = problem_text(problem, lang)
        return await _ticket_page(request, token, status=status, problem=text, form=values)
    return RedirectResponse(f"/t/{token}?thanks=1", status_code=303)


# -- the survey tablet at a counter (/survey/) -------------------------------------------

SURVEY_COUNTER_COOKIE = "antrian_survey_counter"  # the demo tablet's ?counter=
YEAR = 365 * 86400
add_words(
    {
        "survey_sign_in": (
            "Tablet survei: masukkan token perangkat",
            "Survey tablet: device token",
        ),
        "survey_token": ("Token perangkat", "Device token"),
        "survey_bad_token": (
            "Token tidak dikenal, dicabut, atau bukan token tablet survei.",
            "Unknown or revoked token, or not a survey tablet's.",
        ),
        "survey_counter": ("Loket", "Counter"),
        "survey_counter_hint": ("kode loket, mis. L01", "a counter's code, e.g. L01"),
        "survey_no_counter": (
            "Token benar, tetapi loket belum diisi: isi token dan Loket (mis. L01).",
            "The token is right, but no counter was given: fill in the token and Counter"
            " (e.g. L01).",
        ),
        "survey_wrong_counter": (
            "Token benar, tetapi loket itu tidak dikenal atau bukan loket tablet ini.",
            "The token is right, but that counter is unknown or not this tablet's.",
        ),
        "survey_unbound": (
            "Token benar, tetapi tablet ini belum terikat ke loket: daftarkan lagi dengan "
            "antrian device add NAMA --role survey --counter L01.",
            "The token is right, but this tablet is bound to no counter: register it again "
            "with antrian device add NAME --role survey --counter L01.",
        ),
    }
)


class Tablet:
    """A signed-in survey tablet: its token (from the cookie) and its counter."""

    def __init__(self, token: str, counter: str) -> None:
        self.token = token
        self.counter = counter

    @property
    def csrf(self) -> str:
        return csrf_for(self.token)


async def tablet_of(request: Request, token: str | None, asked: str | None) -> Tablet | str:
    """The survey tablet behind `token` (the device's own counter, or the demo's ?counter=),
    or why not: the key of the words the sign-in page says (the token, or the counter)."""
    if not token or len(token) > 200:
        return "survey_bad_token"
    ctx = await get_ctx(request)
    address = request.client.host if request.client else None
    who = ctx.cached_principal(token) or await run_in_threadpool(principal_for, ctx, token, address)
    if who is None or who.role != "survey":
        return "survey_bad_token"
    try:
        counter = rules.survey_counter(
            who.role,
            who.counter,
            asked or None,
            demo_any=ctx.demo and who.device_id == DEMO_DEVICE_ID,
            known=ctx.site.counters,
        )
    except Problem as problem:
        if problem.code != "counter_required":
            return "survey_wrong_counter"
        if problem.status != 422:
            return "survey_unbound"
        return "survey_wrong_counter" if asked else "survey_no_counter"
    return Tablet(token, counter)


def _signed_in_tablet(answer: Response, tablet: Tablet) -> Response:
    answer.set_cookie(SURVEY_COOKIE, tablet.token, max_age=YEAR, httponly=True,
                      samesite="strict", path="/survey")  # fmt: skip
    answer.set_cookie(SURVEY_COUNTER_COOKIE, tablet.counter, max_age=YEAR, httponly=True,
                      samesite="strict", path="/survey")  # fmt: skip
    return answer


@router.get("/survey", include_in_schema=False)
async def survey_root() -> Response:
    return RedirectResponse("/survey/", status_code=307)


@router.get("/survey/", response_class=HTMLResponse)
async def survey_tablet(request: Request) -> Response:
    """The tablet: idle it thanks and invites; a ticket finished at its counter opens the
    survey (the page listens to WS /api/v1/events for ticket.done there)."""
    given = request.query_params.get("token")
    if given:  # ?token= once, then kept in an HttpOnly cookie and out of the address bar
        tablet = await tablet_of(request, given, request.query_params.get("counter"))
        if isinstance(tablet, str):
            return _survey_sign_in(request, status=401, problem=tablet)
        return _signed_in_tablet(RedirectResponse("/survey/", status_code=303), tablet)
    tablet = await tablet_of(
        request, request.cookies.get(SURVEY_COOKIE), request.cookies.get(SURVEY_COUNTER_COOKIE)
    )
    if isinstance(tablet, str):
        return _survey_sign_in(request)  # not signed in yet: nothing to complain of
    ctx = await get_ctx(request)

    def read() -> tuple[int, dict[str, Any], dict[str, Any] | None]:
        with ctx.store.read() as s:
            asked = {lang: [_question(q) for q in questions(s, lang)] for lang in LANGUAGES}
            # a ticket finished while this page was closed or reloading: asked at once
            row = rules.pending_for(s, tablet.counter, utcnow())
            pending = {"id": row.id, "code": row.code} if row is not None else None
            return last_seq(s), asked, pending

    seq, asked, pending = await run_in_threadpool(read)
    lang = language(request)
    texts = {
        lang_: {k: t(k, lang_) for k in TABLET_WORDS} for lang_ in LANGUAGES
    }  # both languages: the switch works mid-survey, with no reload
    config = {
        "counter": tablet.counter,
        "after": seq,
        "pending": pending,
        "csrf": tablet.csrf,
        "lang": lang,
        "questions": asked,
        "texts": texts,
        "suggestion_max": rules.SUGGESTION_MAX,
        "events": API_PATH + "/events",
        "answer": "/survey/answer",
        "timeout_seconds": SURVEY_TIMEOUT,
        "thanks_seconds": THANKS_SECONDS,
    }
    counter_name = ctx.site.counters[tablet.counter].name
    return page(request, "skm/tablet.html", config=config, counter_name=counter_name)


SURVEY_TIMEOUT = 90  # seconds without a touch: back to the thank-you screen
THANKS_SECONDS = 6
TABLET_WORDS = (
    "skm_how_today", "skm_thanks", "skm_suggestion", "skm_skip", "skm_send", "skm_back",
    "skm_question_of", "skm_invite", "skm_for_ticket", "thanks", "language", "skm_anonymous",
    "skm_problem_too_long", "skm_problem_markup", "connecting",
)  # fmt: skip


def _question(q: Any) -> dict[str, Any]:
    return {"unsur": q.unsur, "code": q.code, "name": q.name, "text": q.text,
            "answers": list(q.answers)}  # fmt: skip


def _survey_sign_in(
    request: Request, *, status: int = 200, problem: str = "", counter: str | None = None
) -> Response:
    """The form; `problem`: what was wrong, the token or the counter (never both words for
    one: a technician must not revoke a good token for a missing counter). The counter
    asked (?counter= of the README's link, or the form) stays filled in."""
    counter = (request.query_params.get("counter", "") if counter is None else counter)[:32]
    return page(request, "skm/tablet_login.html", status=status, problem=problem, counter=counter)


@router.post("/survey/login", response_class=HTMLResponse)
async def survey_login(request: Request) -> Response:
    form = await request.form()
    token = form.get("token")
    counter = form.get("counter")
    tablet = await tablet_of(
        request,
        token.strip() if isinstance(token, str) else None,
        counter.strip() if isinstance(counter, str) else None,
    )
    if isinstance(tablet, str):
        asked = counter.strip() if isinstance(counter, str) else ""
        return _survey_sign_in(request, status=401, problem=tablet, counter=asked)
    return _signed_in_tablet(RedirectResponse("/survey/", status_code=303), tablet)


@router.post("/survey/answer")
async def survey_answer(request: Request) -> Response:
    """The tablet's answer (JSON, as POST /api/v1/surveys takes it), by its cookie."""
    tablet = await tablet_of(
        request, request.cookies.get(SURVEY_COOKIE), request.cookies.get(SURVEY_COUNTER_COOKIE)
    )
    if isinstance(tablet, str):
        return JSONResponse({"code": "unauthorized", "message": "Sign the tablet in."}, 401)
    ctx = await get_ctx(request)
    try:
        body = await request.json()
        if not isinstance(body, dict) or type(body.get("ticket")) is not int:
            raise Problem(422, "invalid_request", "ticket: the id of a ticket", field="ticket")
        entry = rules.make_entry(
            body["ticket"],
            body.get("answers"),
            channel="tablet",
            counter=tablet.counter,
            profile=body.get("profile") if isinstance(body.get("profile"), dict) else None,
            suggestion=body.get("suggestion"),
        )
        done = await in_writer(ctx, rules.record, ctx.store, ctx.site, entry, utcnow())
    except ValueError:  # not JSON
        return JSONResponse({"code": "bad_request", "message": "The body is not JSON."}, 400)
    except Problem as problem:
        return JSONResponse(problem.answer(), problem.status)
    return JSONResponse({"ticket": done.ticket_id, "code": done.code}, 201)


# -- the console's results (/console/skm) ---------------------------------------------------

menu(60, "/console/skm", "skm", CONSOLE)
add_words(
    {
        "skm_title": ("Survei Kepuasan Masyarakat (SKM)", "Public satisfaction survey (SKM)"),
        "skm_from": ("Dari tanggal", "From"),
        "skm_to": ("Sampai tanggal", "To"),
        "skm_show": ("Tampilkan", "Show"),
        "skm_all": ("(semua)", "(all)"),
        "skm_ikm": ("IKM", "Index (IKM)"),
        "skm_grade": ("Mutu pelayanan", "Grade"),
        "skm_respondents": ("Responden", "Respondents"),
        "skm_served": ("Dilayani", "Served"),
        "skm_sample": ("Sampel minimal (Krejcie-Morgan)", "Sample needed (Krejcie-Morgan)"),
        "skm_per_unsur": ("Per unsur", "Per element"),
        "skm_total": ("Jumlah nilai", "Total score"),
        "skm_nrr": ("NRR", "Mean (NRR)"),
        "skm_weighted": ("NRR x 1/9", "NRR x 1/9"),
        "skm_weights_note": (
            "Bobot tiap unsur tepat 1/9 (bukan 0,11 yang dibulatkan).",
            "Each element weighs exactly 1/9 (not a rounded 0.11).",
        ),
        "skm_group_agency": ("Per instansi", "Per agency"),
        "skm_group_service": ("Per layanan", "Per service"),
        "skm_group_counter": ("Per loket", "Per counter"),
        "skm_group_officer": ("Per petugas", "Per officer"),
        "skm_group_wait": ("Menurut waktu tunggu", "By waiting time"),
        "skm_group_month": ("Per bulan", "Per month"),
        "skm_suggestions": ("Saran dan masukan (terbaru dulu)", "Suggestions (newest first)"),
        "skm_download": ("Unduh", "Download"),
        "skm_questions": ("Pertanyaan survei", "Survey questions"),
        "skm_reset": ("Kembalikan ke bawaan", "Back to the default"),
        "skm_custom": ("diubah situs", "reworded by the site"),
        "skm_answer_n": ("Jawaban {n}", "Answer {n}"),
        "skm_question_saved": ("Pertanyaan {code} tersimpan.", "Question {code} saved."),
    }
)


FILTER_FIELDS = ("from", "to", "agency", "service", "counter", "officer")


def _asked(request: Request) -> dict[str, str]:
    """The filters' form as sent (the skm room reads and checks it: filters_for)."""
    return {k: request.query_params.get(k, "") for k in FILTER_FIELDS}


def _filters(asked: dict[str, str], site: Site, role: str) -> Filters:
    return filters_for(
        site,
        business_day(site.tz, utcnow()),
        start=asked["from"],
        end=asked["to"],
        agency=asked["agency"],
        service=asked["service"],
        counter=asked["counter"],
        officer=asked["officer"],
        role=role,
    )


async def _results_page(
    request: Request,
    visitor: Visitor,
    asked: dict[str, str],
    problem: Problem | None = None,
    *,
    question: dict[str, Any] | None = None,
    followup_problem: Problem | None = None,
    followup_typed: dict[str, str] | None = None,
) -> HTMLResponse:
    """The results of the filters, or the form as sent with its problem in the page's
    language (the API's answer to the same query: the same code and fields). `question`:
    a question's form as sent, refused, open with its errors (unsur, form, errors)."""
    ctx = await get_ctx(request)
    admin = visitor.who.role == "admin"
    filters: Filters | None = None
    if problem is None:
        try:
            filters = _filters(asked, ctx.site, visitor.who.role)
        except Problem as refused:
            problem = refused

    def read() -> tuple[SkmReport | None, list[Any]]:
        with ctx.store.read() as s:
            asked_questions = questions(s, "id")
            if filters is None:
                return None, asked_questions
            report = skm_report(s, ctx.site, filters, officers=admin, lang=visitor.lang)
            return report, asked_questions

    report, asked_questions = await run_in_threadpool(read)
    # A suggestion promoted to a complaint links to it (the rooms never import each other).
    surveys = [s.survey_id for s in report.suggestions] if report else []
    promoted = await run_in_threadpool(complaints.promoted, ctx.store, surveys)
    form = dict(asked)
    if filters is not None:
        form.update({"from": filters.start.isoformat(), "to": filters.end.isoformat()})
    query = urlencode({k: v for k, v in form.items() if v})
    r = report.overall.result if report else None
    # After a save, the question's code from the redirect: shown only if it is one.
    saved = request.query_params.get("question", "")
    notice = ""
    if any(q.code == saved for q in asked_questions):
        notice = t("skm_question_saved", visitor.lang, code=saved)
    shown = problem or followup_problem
    status = question["status"] if question else shown.status if shown else 200
    return page(
        request,
        "skm/console.html",
        visitor,
        status=status,
        report=report,
        filters=filters,
        problem=problem,
        errors=field_errors(problem, visitor.lang) if problem else {},
        form=form,
        query=query,
        ikm=format_number(r.ikm_shown if r else None, 2, visitor.lang),
        grade=r.grade if r else None,
        unsur=_unsur_lines(report, visitor.lang) if report else [],
        groups=_group_lines(report, visitor.lang) if report else [],
        agencies=[(c, a.name) for c, a in ctx.site.agencies.items()],
        services=[(c, svc.name) for c, (_, svc) in ctx.site.services.items()],
        counters=[(c, k.name) for c, k in ctx.site.counters.items()],
        questions=asked_questions,
        admin=admin,
        notice=notice,
        question=question,
        promoted=promoted,
        typed=followup_typed or {},  # a refused action's form as it was sent
        followup_problem=followup_problem,
        followup_errors=field_errors(followup_problem, visitor.lang) if followup_problem else {},
        lowest=report.lowest_unsur() if report else None,
        nrr_text=lambda v: format_number(Fraction(str(v)), 4, visitor.lang),
        one_decimal=lambda v: format_number(
            None if v is None else Fraction(str(v)), 1, visitor.lang
        ),
        unsur_codes=[(u["unsur"], u["name"]) for u in report.unsur()] if report else [],
    )


@router.get("/console/skm", response_class=HTMLResponse)
async def console_skm(request: Request, visitor: ConsoleDep) -> HTMLResponse:
    """The results as GET /api/v1/reports/skm gives them, with their downloads."""
    return await _results_page(request, visitor, _asked(request))


def _unsur_lines(report: SkmReport, lang: str) -> list[dict[str, str]]:
    r = report.overall.result
    return [
        {
            "code": u["unsur"],
            "name": u["name"],
            "total": format_number(u["total"], 0, lang),
            "nrr": format_number(r.nrrs[i] if r else None, 4, lang),
            "weighted": format_number(r.weighted[i] if r else None, 4, lang),
        }
        for i, u in enumerate(report.unsur())
    ]


def _group_lines(report: SkmReport, lang: str) -> list[tuple[str, list[tuple[str, str, str, str]]]]:
    out = []
    for key in ("agency", "service", "counter", "officer", "wait", "month"):
        rows = report.groups.get(key)
        if rows:
            lines = []
            for row in rows:
                res = row.result
                ikm = format_number(res.ikm_shown if res else None, 2, lang)
                grade = f"{res.grade.letter} ({res.grade.name})" if res else "-"
                lines.append((row.label, format_number(row.respondents, 0, lang), ikm, grade))
            out.append((f"skm_group_{key}", lines))
    return out


@router.get("/console/skm/download")
async def console_skm_download(request: Request, visitor: ConsoleDep) -> Response:
    """The XLSX or PDF of the page's period, as GET /api/v1/reports/skm?format= gives them;
    a query that cannot be answers the page with its problem."""
    ctx = await get_ctx(request)
    asked = _asked(request)
    admin = visitor.who.role == "admin"
    today = business_day(ctx.site.tz, utcnow())
    try:
        filters = _filters(asked, ctx.site, visitor.who.role)
        fmt = request.query_params.get("format", "")
        got = await run_in_threadpool(
            partial(skm_download, ctx.store, ctx.site, filters, fmt, today, officers=admin)
        )
    except Problem as problem:
        return await _results_page(request, visitor, asked, problem)
    return Response(got.data, media_type=got.media, headers=got.headers)


@router.post("/console/skm/questions", response_class=HTMLResponse)
async def console_skm_question(request: Request, visitor: AdminDep) -> Response:
    """A site's own wording of one question (or back to the regulation's), admin only."""
    form = await request.form()
    values = {k: v if isinstance(v, str) else "" for k, v in form.items()}
    ctx = await get_ctx(request)
    try:
        unsur = int(values.get("unsur", "0"))
    except ValueError:
        unsur = 0

    def save() -> str:
        with ctx.store.write() as s:
            if values.get("reset"):
                return reset_question(s, unsur, "id").code
            answers = [values.get(f"a{i}", "") for i in range(1, 5)]
            return save_question(s, unsur, "id", values.get("text", ""), answers,
                                 who=visitor.who.username, now=utcnow()).code  # fmt: skip

    async def again(problem: Problem) -> Response:
        errors = field_errors(problem, visitor.lang) or {"text": problem.message}
        sent = {"unsur": unsur, "form": values, "errors": errors, "status": problem.status}
        return await _results_page(request, visitor, _asked(request), question=sent)

    return await answer_form(
        save, lambda code: "/console/skm?" + urlencode({"question": code}) + "#questions", again
    )


# -- the follow-up (rencana tindak lanjut) ---------------------------------------------

add_words(
    {
        "fu_title": ("Rencana tindak lanjut", "Follow-up actions"),
        "fu_lowest": (
            "Unsur terendah periode ini: {code} {name} (NRR {nrr}).",
            "The lowest unsur of this period: {code} {name} (NRR {nrr}).",
        ),
        "fu_unit": ("Unit", "Unit"),
        "fu_unsur": ("Unsur", "Unsur"),
        "fu_what": ("Tindakan", "Action"),
        "fu_who": ("Penanggung jawab", "Who"),
        "fu_due": ("Batas waktu", "Due"),
        "fu_status": ("Status", "Status"),
        "fu_evidence": ("Bukti (catatan)", "Evidence (a note)"),
        "fu_file": (
            "Bukti berkas: foto (JPEG, PNG) atau PDF, paling besar 5 MB",
            "Evidence file: a photo (JPEG, PNG) or a PDF, at most 5 MB",
        ),
        "fu_file_link": ("Berkas bukti {n}", "Evidence file {n}"),
        "fu_planned": ("Direncanakan", "Planned"),
        "fu_in_progress": ("Dikerjakan", "In progress"),
        "fu_done": ("Selesai", "Done"),
        "fu_add": ("Tambah tindakan", "Add an action"),
        "fu_share": (
            "{done} dari {n} tindakan selesai ({share}%); median {days} hari.",
            "{done} of {n} actions done ({share}%); median {days} days.",
        ),
        "fu_none": ("Belum ada tindakan.", "No actions yet."),
    }
)


def _followup_again(
    request: Request, visitor: Visitor, values: dict[str, str], action: int | None = None
) -> Callable[[Problem], Awaitable[Response]]:
    """A refused action: the page of the form's period again, the problem at the follow-up,
    and what was typed in the form (`action`: an action's row, None: the new action's)."""

    async def again(problem: Problem) -> Response:
        asked = {k: values.get(k, "") for k in FILTER_FIELDS}
        typed = {**values, "action": str(action or "")}
        return await _results_page(
            request, visitor, asked, followup_problem=problem, followup_typed=typed
        )

    return again


def _back(values: dict[str, str]) -> str:
    keep = {k: values[k] for k in ("from", "to", "agency", "service") if values.get(k)}
    return "/console/skm?" + urlencode(keep) + "#followup"


@router.post("/console/skm/actions", response_class=HTMLResponse)
async def console_skm_action(request: Request, visitor: ConsoleDep) -> Response:
    """A follow-up action for the page's period and unit."""
    form = await request.form()
    values = {k: v if isinstance(v, str) else "" for k, v in form.items()}
    ctx = await get_ctx(request)

    def save() -> object:
        try:
            start = date.fromisoformat(values.get("from", ""))
            end = date.fromisoformat(values.get("to", ""))
            due = date.fromisoformat(values.get("due", ""))
            unsur = int(values.get("unsur", "0"))
        except ValueError:
            raise Problem(422, "invalid_fields", "from, to, due: dates; unsur: 1 to 9") from None
        unit = followup.unit_of(values.get("agency") or None, values.get("service") or None)
        return followup.add(
            ctx.store, visitor.who, start=start, end=end, unit=unit, unsur=unsur,
            what=values.get("what", ""), person=values.get("who", ""), due=due, now=utcnow(),
        )  # fmt: skip

    return await answer_form(save, _back(values), _followup_again(request, visitor, values))


@router.post("/console/skm/actions/{action_id}", response_class=HTMLResponse)
async def console_skm_action_status(
    request: Request, visitor: ConsoleDep, action_id: int
) -> Response:
    """An action's status (done: dated now) and its evidence note."""
    form = await request.form()
    values = {k: v if isinstance(v, str) else "" for k, v in form.items()}
    file = await uploaded(form.get("evidence_file"))
    ctx = await get_ctx(request)
    act = partial(
        followup.update, ctx.store, visitor.who, action_id, values.get("status", ""),
        values.get("evidence", ""), utcnow(), file,
    )  # fmt: skip
    again = _followup_again(request, visitor, values, action_id)
    return await answer_form(act, _back(values), again)


@router.get("/console/skm/evidence/{file_id}")
async def console_skm_evidence(request: Request, visitor: ConsoleDep, file_id: int) -> Response:
    """A follow-up action's file (a photo or PDF of it done), for the console; audited."""
    ctx = await get_ctx(request)

    def read() -> tuple[evidence_files.Evidence, bytes]:
        found = evidence_files.find(ctx.store, file_id)
        if found.owner != "skm_action":
            raise Problem(404, "unknown_evidence", "No such file.")
        return found, evidence_files.content(ctx.store, visitor.who, file_id, utcnow(), "console")

    found, data = await run_in_threadpool(read)
    return download(found, data)
