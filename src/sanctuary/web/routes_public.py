"""Pages anyone may open without signing in: home, sign-in, the public record, the laws, /rights,
/verify; each in the reader's language (`?lang=`)."""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter
from markupsafe import Markup, escape
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request as HttpRequest
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response

from sanctuary.audit import AuditError, verifier
from sanctuary.policy.engine import PolicyEngine
from sanctuary.policy.jurisdictions import jurisdictions
from sanctuary.web import charts, compare, i18n, labels, laws, record
from sanctuary.web.entries import FAMILIES
from sanctuary.web.i18n import N_, gettext_for, localized
from sanctuary.web.rights import WHAT_TO_DO, contacts, glossary, rights
from sanctuary.web.sessions import clear_cookie, set_cookie
from sanctuary.web.signin import client_address
from sanctuary.web.site import HEADERS, STATIC, LogUnavailable, Site, event, safe_next

VERIFIER = Path(verifier.__file__)  # tools/verify_log.py is this file (a link to it)
PAGE = 25  # decisions a page of /report/decisions shows (a phone scrolls through each as a card)
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def quarter_months(period: str) -> tuple[str, str] | None:
    """A quarter "2026-Q4" as its first and last month ("2026-10", "2026-12"); None otherwise."""
    found = _QUARTER.match(period)
    if not found:
        return None
    year, q = int(found.group(1)), int(found.group(2))
    return f"{year}-{3 * q - 2:02d}", f"{year}-{3 * q:02d}"


def quarters_of(months: list[str]) -> list[str]:
    return sorted({f"{m[:4]}-Q{(int(m[5:7]) - 1) // 3 + 1}" for m in months}, reverse=True)


def add_public_routes(router: APIRouter, site: Site) -> None:
    add_sign_in_routes(router, site)
    add_report_routes(router, site)
    add_law_routes(router, site)


def add_sign_in_routes(router: APIRouter, site: Site) -> None:
    @router.get("/", include_in_schema=False)
    def home(http: HttpRequest) -> Response:
        lang = site.lang(http)
        return site.render(http, "home.html", lang=lang, title=site.text(lang, N_("Home")))

    @router.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:  # pages that are not ours (a scan's report.html) ask for it by this name
        return FileResponse(STATIC / "favicon.svg", media_type="image/svg+xml")

    @router.get("/login", include_in_schema=False)
    def login_form(http: HttpRequest, next: str = "/") -> Response:
        lang = site.lang(http)
        return site.render(
            http, "login.html", lang=lang, title=site.text(lang, N_("Staff sign-in")), next=safe_next(next), error=None, name=""
        )

    @router.post("/login", include_in_schema=False)
    async def login(http: HttpRequest) -> Response:
        posted = await site.form(http)
        if isinstance(posted, Response):
            return posted
        session, form = posted
        lang = site.lang(http)
        name, password = str(form.get("name", "")).strip()[:40], str(form.get("password", ""))
        address = client_address(http, site.proxies)

        def again(status: int, error: str, headers: dict[str, str] | None = None) -> Response:
            return site.render(
                http,
                "login.html",
                status=status,
                lang=lang,
                title=site.text(lang, N_("Staff sign-in")),
                next=safe_next(form.get("next")),
                error=error,
                name=name,
                headers=headers,
            )

        wait = await run_in_threadpool(site.attempts.admit, name, address)  # counted before the hash: parallel tries cannot slip past
        if wait:
            event(logging.INFO, "sign_in_throttled", name=name, address=address, wait=round(wait, 1))
            seconds = max(1, math.ceil(wait))
            return again(
                429,
                site.text(lang, N_("Too many attempts: wait %(seconds)s seconds and try again."), seconds=seconds),
                {"Retry-After": str(seconds)},
            )
        user = await run_in_threadpool(site.gw.cfg.users.check, name, password)
        if user is None:
            event(logging.INFO, "sign_in_failed", name=name, address=address)
            return again(401, site.text(lang, N_("That user name and password do not match.")))
        await run_in_threadpool(site.attempts.succeeded, name, address)
        site.sessions.end(session)  # a new session (and cookie) on sign-in: no fixation
        fresh = site.sessions.new(user.name, user.role)
        event(logging.INFO, "signed_in", user=user.name, role=user.role)
        landing = {"desk": "/desk", "oversight": "/decisions"}.get(user.role, "/")
        target = safe_next(form.get("next"))
        response = RedirectResponse(landing if target == "/" else target, status_code=303)
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


def add_report_routes(router: APIRouter, site: Site) -> None:
    @router.get("/report", include_in_schema=False)
    def report(http: HttpRequest, period: str = "") -> Response:
        lang = site.lang(http)
        words = gettext_for(lang)
        try:
            public, size = site.public_record()
        except LogUnavailable as exc:
            return site.log_down(http, exc)
        months = public.months()
        bounds = quarter_months(period) or ("", "")
        counts = public.counts(*bounds)
        outcome_words = {o: words(labels.OUTCOMES[o]) for o in record.OUTCOMES}
        peak_month = max((counts.month(m, "requests") for m in counts.months), default=0)
        trend = [(m, {o: counts.month(m, "outcome", o, o) for o in record.OUTCOMES}, counts.month(m, "requests")) for m in counts.months]
        return site.render(
            http,
            "report.html",
            lang=lang,
            title=words("Public report"),
            c=counts,
            period=period if bounds[0] else "",
            quarters=quarters_of(months),
            trend=trend,
            bar=charts.bar,
            peak_month=peak_month,
            patterns=charts.PATTERNS,
            key=charts.key(outcome_words),
            clauses=site.clauses(lang),
            outcomes=record.OUTCOMES,
            counted=public.upto(),
            size=size,
        )

    @router.get("/report.csv", include_in_schema=False)
    def report_csv() -> Response:
        try:
            rows = site.public_record()[0].all_counts()
        except LogUnavailable as exc:
            return Response(f"decision log unavailable: {exc}\n", status_code=503, media_type="text/plain")
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(record.FIELDS)
        writer.writerows(rows)
        return Response(buf.getvalue(), media_type="text/csv; charset=utf-8", headers=_attachment("sanctuary-report.csv"))

    @router.get("/report.json", include_in_schema=False)
    def report_json(http: HttpRequest) -> Response:
        lang = site.lang(http)
        try:
            public = site.public_record()[0]
            rows = public.all_counts()
            c = public.counts()
        except LogUnavailable as exc:
            return JSONResponse({"error": {"field": "log", "reason": str(exc)}}, status_code=503)
        return JSONResponse(
            {
                "period": {"first": c.first, "last": c.last},
                "updated": c.updated,
                "dictionary": _dictionary(lang),
                "counts": [dict(zip(record.FIELDS, row, strict=True)) for row in rows],
            },
            headers=_attachment("sanctuary-report.json"),
        )

    @router.get("/report/dictionary", include_in_schema=False)
    def dictionary(http: HttpRequest) -> Response:
        lang = site.lang(http)
        d = _dictionary(lang, as_code=True)
        return site.render(http, "dictionary.html", lang=lang, title=site.text(lang, N_("Data dictionary")), d=d)

    @router.get("/report/decisions", include_in_schema=False)
    def public_decisions(http: HttpRequest) -> Response:
        lang = site.lang(http)
        try:
            public = site.public_record()[0]
            where, before = _decision_filter(http)
        except LogUnavailable as exc:
            return site.log_down(http, exc)
        except ValueError as exc:
            field = str(exc)
            return site.error(
                http, 422, N_("Check the filter"), N_("%(field)s: use a date as YYYY-MM-DD, and a choice from the list."), field=field
            )
        rows, matched = public.decisions(where, before, PAGE)
        query = _query(where) + ("&lang=" + lang if lang != i18n.SOURCE else "")
        return site.render(
            http,
            "public_decisions.html",
            lang=lang,
            title=site.text(lang, N_("Every decision")),
            rows=rows,
            matched=matched,
            by_outcome=public.outcomes(where),
            where=where,
            families=FAMILIES,
            kinds=list(labels.KINDS),
            outcomes=record.OUTCOMES,
            clause_list=public.clauses(),
            clauses=site.clauses(lang),
            cited=list(dict.fromkeys(c for r in rows for c in r.clauses)),
            pages=public.pages(where, before, PAGE, rows, matched, query.lstrip("&")),
            filter_query=_query(where),
        )

    @router.get("/report/decisions.csv", include_in_schema=False)
    def public_decisions_csv(http: HttpRequest) -> Response:
        try:
            public = site.public_record()[0]
            where, before = _decision_filter(http)
        except LogUnavailable as exc:
            return Response(f"decision log unavailable: {exc}\n", status_code=503, media_type="text/plain")
        except ValueError as exc:
            return Response(f"{exc}: use a date as YYYY-MM-DD and a listed choice\n", status_code=422, media_type="text/plain")
        rows, _ = public.decisions(where, before, limit=2**62)
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(record.DECISION_FIELDS)
        for r in rows:
            writer.writerow(
                (r.index, r.date, r.agency, r.agency_family, r.kind, r.outcome, record.SEP.join(r.clauses), record.SEP.join(r.documents))
            )
        return Response(buf.getvalue(), media_type="text/csv; charset=utf-8", headers=_attachment("sanctuary-decisions.csv"))

    @router.get("/report/decisions.json", include_in_schema=False)
    def public_decisions_json(http: HttpRequest) -> Response:
        lang = site.lang(http)
        try:
            public = site.public_record()[0]
            where, before = _decision_filter(http)
        except LogUnavailable as exc:
            return JSONResponse({"error": {"field": "log", "reason": str(exc)}}, status_code=503)
        except ValueError as exc:
            return JSONResponse({"error": {"field": str(exc), "reason": "use a date as YYYY-MM-DD and a listed choice"}}, status_code=422)
        rows, matched = public.decisions(where, before, limit=2**62)
        words = gettext_for(lang)
        return JSONResponse(
            {
                "matched": matched,
                "dictionary": {k: words(v) for k, v in record.DECISION_FIELDS.items()},
                "decisions": [r.to_json() for r in rows],
            },
            headers=_attachment("sanctuary-decisions.json"),
        )


def add_law_routes(router: APIRouter, site: Site) -> None:
    def rules_page(http: HttpRequest, template: str, title: str, context: Callable[[PolicyEngine, str], dict[str, Any]]) -> Response:
        """A page of the rules in force: `context` builds it from the loaded rules; while they are
        not loaded, an error page saying so (every request is being refused)."""
        lang = site.lang(http)
        engine = site.gw.policy.engine
        if engine is None:
            return site.error(
                http,
                503,
                N_("The rules could not be loaded"),
                N_("The rules could not be loaded (%(reason)s); every request is being refused."),
                reason=str(site.gw.policy.error),
            )
        return site.render(http, template, lang=lang, title=site.text(lang, title), **context(engine, lang))

    @router.get("/laws", include_in_schema=False)
    def laws_page(http: HttpRequest) -> Response:
        return rules_page(
            http,
            "laws.html",
            N_("The rules in force"),
            lambda engine, lang: {"laws": laws.laws(engine, lang), "policy_hash": engine.policy_hash},
        )

    @router.get("/laws/compare", include_in_schema=False)
    def laws_compare(http: HttpRequest) -> Response:
        lang = site.lang(http)
        places = jurisdictions()
        asked = [j for j in http.query_params.getlist("j") if j]
        unknown = [j for j in asked if j not in places.by_name]
        if unknown:
            return site.error(
                http,
                422,
                N_("Check the places to compare"),
                N_("%(field)s: %(value)s is not one of the places on the list; choose the places to compare from the list."),
                field="j",
                value=repr(unknown[0][:40]),
            )
        names = tuple(asked) or tuple(places.by_name)
        registry = site.gw.policy.registry
        found = compare.matrix(names, registry)
        texts = {c.name: {rid: laws.rule_text(rule, lang) for rid, rule in compare.rules(c.name, registry).items()} for c in found.columns}
        return site.render(
            http,
            "laws_compare.html",
            lang=lang,
            title=site.text(lang, N_("The laws side by side")),
            m=found,
            names_of={e.id: localized(e, "name", lang) for e in compare.examples()[0]},
            texts=texts,
            titles={c.name: localized(c, "title", lang) for c in found.columns},
            every=[(n, localized(p, "title", lang)) for n, p in places.by_name.items()],
            chosen=names,
        )

    @router.get("/rights", include_in_schema=False)
    def rights_page(http: HttpRequest) -> Response:
        return rules_page(
            http,
            "rights.html",
            N_("Your rights"),
            lambda engine, lang: {
                "rights": rights(engine, lang),
                "contacts": contacts(site.contacts_file, lang),
                "what_to_do": WHAT_TO_DO,
                "glossary": glossary(engine),
            },
        )

    @router.get("/verify", include_in_schema=False)
    def verify_page(http: HttpRequest) -> Response:
        lang = site.lang(http)
        try:
            decision_log = site.decision_log()
            size = decision_log.size()
            note = decision_log.checkpoint()
            vkey = str(decision_log.vkey())
        except LogUnavailable as exc:
            return site.log_down(http, exc)
        except AuditError as exc:
            return site.log_down(http, LogUnavailable(str(exc)))
        base = str(http.base_url).rstrip("/")
        return site.render(
            http,
            "verify.html",
            lang=lang,
            title=site.text(lang, N_("Check the log yourself")),
            size=size,
            note=note,
            vkey=vkey,
            last=site.last_verification(),
            base=base,
            verifier_sha256=hashlib.sha256(VERIFIER.read_bytes()).hexdigest(),
        )

    @router.get("/verify/verify_log.py", include_in_schema=False)
    def verifier_file() -> Response:
        """The stand-alone verifier (tools/verify_log.py in the repository), served as it is shipped,
        so a resident needs nothing but this site and Python; its SHA-256 is published apart from this
        site (the project's README and release notes) to show the copy was not swapped."""
        return FileResponse(VERIFIER, media_type="text/x-python; charset=utf-8", filename="verify_log.py", headers=HEADERS)

    @router.get("/verify/checkpoint.txt", include_in_schema=False)
    def checkpoint_file() -> Response:
        try:
            return Response(site.decision_log().checkpoint(), media_type="text/plain; charset=utf-8")
        except (LogUnavailable, AuditError) as exc:
            return Response(f"decision log unavailable: {exc}\n", status_code=503, media_type="text/plain")

    @router.get("/verify/vkey.txt", include_in_schema=False)
    def vkey_file() -> Response:
        try:
            return Response(str(site.decision_log().vkey()) + "\n", media_type="text/plain; charset=utf-8")
        except (LogUnavailable, AuditError) as exc:
            return Response(f"decision log unavailable: {exc}\n", status_code=503, media_type="text/plain")


def _attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"'}


# The values the downloads hold as they are (codes): a dictionary's sentences name them in place.
VALUES = ("permit", "deny", "held", "all", "unregistered")


def _dictionary(lang: str, as_code: bool = False) -> dict[str, dict[str, str]]:
    """What each field and measure of the downloads means, in `lang`; the values of the data it names
    are set apart as code on the page (`as_code`), plain in the JSON."""
    words = gettext_for(lang)
    values = {v: Markup("<code>%s</code>") % v if as_code else v for v in VALUES}

    def said(message: str) -> str:
        text = words(message)
        if "%(" not in text:
            return text
        return escape(text) % values if as_code else text % values

    return {
        "report_fields": {k: said(v) for k, v in record.FIELDS.items()},
        "measures": {k: said(v) for k, v in record.MEASURES.items()},
        "decision_fields": {k: said(v) for k, v in record.DECISION_FIELDS.items()},
    }


def _decision_filter(http: HttpRequest) -> tuple[record.DecisionFilter, int | None]:
    """The filter of /report/decisions from the query; ValueError names a field that does not fit."""
    q = http.query_params
    values = {k: q.get(k, "").strip() for k in ("since", "until", "family", "kind", "outcome", "clause")}
    for day in ("since", "until"):
        if values[day] and not _DAY.match(values[day]):
            raise ValueError(day)
    for name, allowed in (("family", FAMILIES), ("kind", tuple(labels.KINDS)), ("outcome", record.OUTCOMES)):
        if values[name] and values[name] not in allowed:
            raise ValueError(name)
    if len(values["clause"]) > 200:
        raise ValueError("clause")
    before = q.get("before", "")
    if before and not before.isdigit():
        raise ValueError("before")
    return record.DecisionFilter(**values), int(before) if before else None


def _query(where: record.DecisionFilter) -> str:
    return urlencode({k: v for k, v in where.__dict__.items() if v})
