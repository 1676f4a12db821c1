"""SKM's pages: the visitor's ticket page (/t/{token}) with the survey once served.

No rules here: server/skm/ decides (rules, views); these routes read the form, call
it, and lay out the answer.
"""

from __future__ import annotations

import hmac
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from server.api.deps import get_ctx, in_writer
from server.problems import Problem
from server.skm import rules
from server.skm.views import TicketPage, ticket_page
from server.skm.words import WORDS
from server.web.i18n import t, words
from server.web.render import page
from server.web.session import language
from shared.timeutil import utcnow

router = APIRouter()
words.update(WORDS)
words.update(
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
) -> HTMLResponse:
    ctx = await get_ctx(request)
    lang = language(request)
    ticket_id = ctx.pages.ticket_id(token)

    def read() -> TicketPage | None:
        if ticket_id is None:
            return None
        with ctx.store.read() as s:
            return ticket_page(s, ctx.site, ticket_id, lang)

    view = await run_in_threadpool(read)
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
    )


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
    values = form_values(await request.form())
    if not hmac.compare_digest(values["csrf"], ctx.pages.form_key(token)):
        text = t("skm_problem_form", lang)
        return await _ticket_page(request, token, status=403, problem=text, form=values)
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
