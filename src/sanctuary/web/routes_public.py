"""Pages anyone may open (home, sign-in, the transparency report, /rights) and signing in and out."""

from __future__ import annotations

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request as HttpRequest
from starlette.responses import FileResponse, RedirectResponse, Response

from sanctuary.web import charts, i18n, transparency
from sanctuary.web.rights import rights
from sanctuary.web.sessions import clear_cookie, set_cookie
from sanctuary.web.site import STATIC, LogUnavailable, Site, event, safe_next


def add_public_routes(router: APIRouter, site: Site) -> None:
    @router.get("/", include_in_schema=False)
    def home(http: HttpRequest) -> Response:
        return site.render(http, "home.html", title="Home")

    @router.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:  # pages that are not ours (a scan's report.html) ask for it by this name
        return FileResponse(STATIC / "favicon.svg", media_type="image/svg+xml")

    @router.get("/login", include_in_schema=False)
    def login_form(http: HttpRequest, next: str = "/") -> Response:
        return site.render(http, "login.html", title="Sign in", next=safe_next(next), error=None, name="")

    @router.post("/login", include_in_schema=False)
    async def login(http: HttpRequest) -> Response:
        posted = await site.form(http)
        if isinstance(posted, Response):
            return posted
        session, form = posted
        name, password = str(form.get("name", "")).strip()[:40], str(form.get("password", ""))
        if site.throttle.blocked(name):
            event("sign_in_throttled", name=name)
            return site.render(
                http,
                "login.html",
                status=429,
                title="Sign in",
                next=safe_next(form.get("next")),
                error="Too many failed attempts for this user name; wait five minutes and try again.",
                name=name,
            )
        user = await run_in_threadpool(site.gw.cfg.users.check, name, password)
        if user is None:
            site.throttle.failed(name)
            event("sign_in_failed", name=name)
            return site.render(
                http,
                "login.html",
                status=401,
                title="Sign in",
                next=safe_next(form.get("next")),
                error="That user name and password do not match.",
                name=name,
            )
        site.throttle.succeeded(name)
        site.sessions.end(session)  # a new session (and cookie) on sign-in: no fixation
        fresh = site.sessions.new(user.name, user.role)
        event("signed_in", user=user.name, role=user.role)
        response = RedirectResponse(safe_next(form.get("next")), status_code=303)
        set_cookie(response, fresh)
        return response

    @router.post("/logout", include_in_schema=False)
    async def logout(http: HttpRequest) -> Response:
        posted = await site.form(http)
        if isinstance(posted, Response):
            return posted
        site.sessions.end(posted[0])
        response = RedirectResponse("/", status_code=303)
        clear_cookie(response)
        return response

    @router.get("/report", include_in_schema=False)
    def report(http: HttpRequest, lang: str = Query(default="en")) -> Response:
        lang = i18n.lang_of(lang)
        try:
            found = transparency.quarters(site.rows(), site.gw.policy.registry)
        except LogUnavailable as exc:
            return site.log_down(http, exc, lang)
        text = i18n.TEXT[lang]
        chart = charts.permit_deny_bars(
            [(q.quarter, q.by_outcome["permit"], q.by_outcome["deny"]) for q in reversed(found)],
            text["chart_quarters"],
            text["permitted"],
            text["denied"],
        )
        family_charts = {
            q.quarter: charts.permit_deny_bars(
                [(i18n.family_label(lang, f), c["permit"], c["deny"]) for f, c in sorted(q.by_family.items())],
                f"{text['by_family']} ({q.quarter})",
                text["permitted"],
                text["denied"],
            )
            for q in found
        }
        return site.render(
            http,
            "report.html",
            lang=lang,
            title=text["report"],
            quarters=found,
            chart=chart,
            family_charts=family_charts,
            outcomes=i18n.OUTCOMES[lang],
        )

    @router.get("/report.csv", include_in_schema=False)
    def report_csv() -> Response:
        try:
            found = transparency.quarters(site.rows(), site.gw.policy.registry)
        except LogUnavailable as exc:
            return Response(f"decision log unavailable: {exc}\n", status_code=503, media_type="text/plain")
        return Response(
            transparency.to_csv(found),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="transparency-report.csv"'},
        )

    @router.get("/rights", include_in_schema=False)
    def rights_page(http: HttpRequest, lang: str = Query(default="en")) -> Response:
        lang = i18n.lang_of(lang)
        engine = site.gw.policy.engine
        if engine is None:
            return site.render(
                http,
                "error.html",
                status=503,
                lang=lang,
                title=i18n.TEXT[lang]["rights"],
                message=f"The rules could not be loaded ({site.gw.policy.error}); every request is being refused.",
            )
        return site.render(http, "rights.html", lang=lang, title=i18n.TEXT[lang]["rights"], rights=rights(engine, lang))
