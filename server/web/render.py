"""Rendering a page: the Jinja2 environment (autoescape on), the words, the layout's data."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from server.documents.numbers import Number, format_number
from server.web.i18n import t
from server.web.menu import nav, section_of, subnav
from server.web.session import LANG_COOKIE, Visitor, language


@lru_cache(maxsize=1)
def environment() -> Environment:
    # Autoescape everything: nothing a citizen or an officer types is ever markup.
    return Environment(
        loader=PackageLoader("server.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(template: str, lang: str, **values: Any) -> str:
    """A template (or a fragment) as text, with `_` for words and `num` for numbers in
    `lang` (one number format per language, server.documents.numbers)."""

    def words(key: str, **kw: object) -> str:
        return t(key, lang, **kw)

    def num(value: Number | None, decimals: int = 0) -> str:
        return format_number(value, decimals, lang)

    return environment().get_template(template).render(_=words, num=num, lang=lang, **values)


def layout_text(
    request: Request, template: str, visitor: Visitor | None, lang: str, **values: Any
) -> str:
    """A whole page in the layout, as text."""
    ctx = request.app.state.ctx
    return render(
        template,
        lang,
        site_name=ctx.site.name,
        visitor=visitor,
        path=request.url.path,
        demo=ctx.demo,
        nav=nav(),
        section=section_of(request.url.path),
        subnav=subnav(request.url.path),
        **values,
    )


def text_answer(request: Request, text: str, lang: str, status: int = 200) -> HTMLResponse:
    """A page's text as the answer; `?lang=` switches the language and is remembered."""
    answer = HTMLResponse(text, status_code=status)
    # Pages are never cached: a signed-out browser's back button must not show them.
    answer.headers["Cache-Control"] = "no-store"
    if request.query_params.get("lang") == lang:
        answer.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="strict")
    return answer


def page(
    request: Request,
    template: str,
    visitor: Visitor | None = None,
    *,
    status: int = 200,
    **values: Any,
) -> HTMLResponse:
    """A whole page in the layout; `?lang=` switches the language and is remembered."""
    lang = visitor.lang if visitor is not None else language(request)
    text = layout_text(request, template, visitor, lang, **values)
    return text_answer(request, text, lang, status)
