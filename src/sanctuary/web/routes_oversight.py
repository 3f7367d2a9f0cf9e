"""Staff pages over the record: decisions and their proofs, policy and "what if", the log, retro audits."""

from __future__ import annotations

import csv
import io
import json
import logging
from urllib.parse import urlencode

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request as HttpRequest
from starlette.responses import FileResponse, RedirectResponse, Response

from sanctuary.audit import AuditError
from sanctuary.policy.diff import Difference
from sanctuary.policy.engine import PolicyEngine
from sanctuary.policy.errors import PolicyError
from sanctuary.policy.profiles import available, read_profile
from sanctuary.retro import RetroError
from sanctuary.web import charts, i18n, proofs, retro_runs, whatif
from sanctuary.web.desk import KINDS, plain_category
from sanctuary.web.entries import FAMILIES, parse_day
from sanctuary.web.errors import MESSAGES
from sanctuary.web.i18n import N_
from sanctuary.web.record import SEP, DecisionFilter, RecordedRequest
from sanctuary.web.site import OVERSIGHT, STAFF, LogUnavailable, Site, event

PAGE = 50  # decisions a page of the staff list shows; the CSV holds every match
# The staff CSV's columns: the public list's, with who asked as resolved (id and name) and as claimed.
STAFF_CSV = (
    "log_index",
    "time_utc",
    "requester",
    "requester_name",
    "requester_claimed",
    "on_behalf_of",
    "agency_family",
    "kind",
    "outcome",
    "clauses",
)


def add_oversight_routes(router: APIRouter, site: Site) -> None:
    add_decision_routes(router, site)
    add_policy_routes(router, site)
    add_audit_routes(router, site)
    add_retro_routes(router, site)


def add_decision_routes(router: APIRouter, site: Site) -> None:
    @router.get("/decisions", include_in_schema=False)
    def decisions(
        http: HttpRequest,
        family: str = "",
        kind: str = "",
        outcome: str = "",
        clause: str = "",
        since: str = "",
        until: str = "",
        before: int | None = None,
    ) -> Response:
        guard = site.require(http, STAFF)
        if isinstance(guard, Response):
            return guard
        values = {"family": family, "kind": kind, "outcome": outcome, "clause": clause, "since": since, "until": until}
        try:
            public = site.public_record()[0]
        except LogUnavailable as exc:
            return site.log_down(http, exc)
        error = None
        try:
            for name, day in (("since", since), ("until", until)):
                parse_day(day, name)
            rows, matched, total = public.staff_decisions(DecisionFilter(since, until, family, kind, outcome, clause), before, PAGE)
        except ValueError as exc:
            error, rows, matched, total = str(exc), [], 0, public.upto()
        query = urlencode({k: v for k, v in values.items() if v})
        return site.render(
            http,
            "decisions.html",
            status=422 if error else 200,
            title=site.text(site.lang(http), N_("Decisions")),
            rows=rows,
            matched=matched,
            total=total,
            values=values,
            families=FAMILIES,
            kinds=KINDS,
            clauses=public.clauses(),
            named=site.clauses(site.lang(http)),
            error=error,
            pages=public.pages(DecisionFilter(since, until, family, kind, outcome, clause), before, PAGE, rows, matched, query)
            if not error
            else None,
            query=query,
        )

    @router.get("/decisions.csv", include_in_schema=False)
    def decisions_csv(
        http: HttpRequest, family: str = "", kind: str = "", outcome: str = "", clause: str = "", since: str = "", until: str = ""
    ) -> Response:
        """The staff list as CSV, every decision the filter matches, with who asked as resolved and
        as claimed (the public list's CSV has no claimed name)."""
        guard = site.require(http, STAFF)
        if isinstance(guard, Response):
            return guard
        try:
            public = site.public_record()[0]
            for name, day in (("since", since), ("until", until)):
                parse_day(day, name)
            rows, _, _ = public.staff_decisions(DecisionFilter(since, until, family, kind, outcome, clause), None, 2**62)
        except LogUnavailable as exc:
            return Response(f"decision log unavailable: {exc}\n", status_code=503, media_type="text/plain")
        except ValueError as exc:
            return Response(f"{exc}\n", status_code=422, media_type="text/plain")
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(STAFF_CSV)
        registry = site.gw.policy.registry
        for r in rows:
            known = registry.resolve(r.requester) if r.requester else None
            writer.writerow(
                (
                    r.index,
                    r.time.isoformat(),
                    r.requester,
                    known.name if known else "",
                    r.requester_claimed,
                    SEP.join(r.on_behalf_of),
                    r.family,
                    r.kind,
                    r.outcome,
                    SEP.join(r.citations),
                )
            )
        name = "sanctuary-staff-decisions.csv"
        return Response(
            buf.getvalue(), media_type="text/csv; charset=utf-8", headers={"Content-Disposition": f'attachment; filename="{name}"'}
        )

    @router.get("/decisions/{index}", include_in_schema=False)
    def decision(http: HttpRequest, index: int) -> Response:
        guard = site.require(http, STAFF)
        if isinstance(guard, Response):
            return guard
        try:
            decision_log = site.decision_log()
            entry = json.loads(decision_log.entry(index))
        except LogUnavailable as exc:
            return site.log_down(http, exc)
        except AuditError as exc:
            status = 404 if exc.field == "index" else 503
            return site.error(http, status, N_("No such decision"), "%(reason)s", reason=str(exc))
        check = proofs.check_inclusion(decision_log, index)
        engine = site.gw.policy.engine
        rules = engine.rules if engine is not None else {}
        lang = site.lang(http)
        explained = [
            (r, i18n.citation(rules[r].citation, lang), i18n.localized(rules[r], "explain", lang) or rules[r].explain)
            for r in entry.get("rules") or []
            if r in rules
        ]
        entry.pop("identifiers", None)  # pseudonyms: of no use to a reader, and never shown
        return site.render(
            http,
            "decision.html",
            title=site.text(lang, N_("Decision %(index)s"), index=index),
            index=index,
            entry=entry,
            explained=explained,
            named=site.clauses(lang),
            withheld=[plain_category(c, lang) for c in entry.get("redact") or []],
            check=check,
            base=str(http.base_url).rstrip("/"),
        )


def add_policy_routes(router: APIRouter, site: Site) -> None:
    @router.get("/policy", include_in_schema=False)
    def policy(http: HttpRequest, profile: str = "") -> Response:
        guard = site.require(http, STAFF)
        if isinstance(guard, Response):
            return guard
        names = available()
        active = site.gw.policy.profiles
        chosen = profile or active[0]
        try:
            meta = read_profile(chosen)
            engine = PolicyEngine.load([chosen], site.gw.policy.registry)
        except PolicyError as exc:
            return site.error(http, 404, N_("No such profile"), "%(reason)s", reason=str(exc))
        rules = [r for r in engine.rules.values() if r.profile != "baseline"]
        lang = site.lang(http)
        return site.render(
            http,
            "policy.html",
            title=site.text(lang, N_("Policy")),
            names=names,
            active=active,
            chosen=chosen,
            meta=meta,
            engine=engine,
            rules=rules,
            profile_title=i18n.localized(meta, "title", lang),
        )

    @router.get("/policy/whatif", include_in_schema=False)
    def what_if(
        http: HttpRequest,
        a: str = "",
        b: str = "",
        since: str = "",
        until: str = "",
        last: str = "",
    ) -> Response:
        guard = site.require(http, STAFF)
        if isinstance(guard, Response):
            return guard
        values = {"since": since, "until": until, "last": last or str(whatif.DEFAULT_LIMIT)}
        default = site.deployment.default_comparison()  # the deployment's: never another place's law
        a, b = a or default[0], b or default[1]
        try:
            public, size = site.public_record()
        except LogUnavailable as exc:
            return site.log_down(http, exc)
        error: str | None = None
        changes: list[Difference] = []
        rows: list[RecordedRequest] = []
        matched = 0
        try:
            for name, day in (("since", since), ("until", until)):
                parse_day(day, name)
            limit = _count(values["last"], "last", whatif.MAX_LIMIT)
            rows, matched = public.requests(since, until, limit)
            changes = whatif.replay(rows, a, b, site.gw.policy.registry)
        except (ValueError, PolicyError) as exc:
            error = str(exc)
        return site.render(
            http,
            "whatif.html",
            status=422 if error else 200,
            title=site.text(site.lang(http), N_("What if")),
            shapes={f"log-{r.index}": r for r in rows},
            names=available(),
            often=site.deployment.often_compared(site.lang(http)),
            a=a,
            b=b,
            values=values,
            error=error,
            changes=changes,
            replayed=len(rows),
            matched=matched,
            counted=public.upto(),
            size=size,
            default_limit=whatif.DEFAULT_LIMIT,
            max_limit=whatif.MAX_LIMIT,
            not_kept=[site.text(site.lang(http), t) for t in whatif.NOT_KEPT],
        )


def _count(value: str, field: str, most: int) -> int:
    """A whole number from 1 to `most`; ValueError names the field otherwise."""
    if not value.isdigit() or not 1 <= int(value) <= most:
        raise ValueError(f"{field}: {value[:20]!r} is not a whole number from 1 to {most:,}")
    return int(value)


def add_audit_routes(router: APIRouter, site: Site) -> None:
    @router.get("/audit", include_in_schema=False)
    def audit(http: HttpRequest) -> Response:
        guard = site.require(http, STAFF)
        if isinstance(guard, Response):
            return guard
        try:
            decision_log = site.decision_log()
            size = decision_log.size()
            note = decision_log.checkpoint()
            vkey = str(decision_log.vkey())
            chain = proofs.history(decision_log)
        except LogUnavailable as exc:
            return site.log_down(http, exc)
        except AuditError as exc:
            return site.error(http, 503, N_("Audit log"), N_("The log cannot be checked: %(reason)s"), reason=str(exc))
        return site.render(
            http,
            "audit.html",
            title=site.text(site.lang(http), N_("Audit log")),
            size=size,
            note=note,
            vkey=vkey,
            chain=chain,
            last=site.last_verification(),
            may_verify=guard.role in OVERSIGHT,
            cosigning=site.gw.cosigner.status() if site.gw.cosigner is not None else None,
        )

    @router.post("/audit/verify", include_in_schema=False)
    async def verify(http: HttpRequest) -> Response:
        posted = await site.staff_form(http, OVERSIGHT)
        if isinstance(posted, Response):
            return posted
        guard, _ = posted
        try:
            decision_log = site.decision_log()
        except LogUnavailable as exc:
            return site.log_down(http, exc)
        result = await run_in_threadpool(decision_log.verify, True, 1)
        site.save_verification(result.to_json(), guard.user or "?")
        event(logging.INFO, "full_verification", user=guard.user, ok=result.ok, size=result.size, first_bad_index=result.first_bad_index)
        return RedirectResponse("/audit#last-verification", status_code=303)


def add_retro_routes(router: APIRouter, site: Site) -> None:
    @router.get("/retro", include_in_schema=False)
    def retro_form(http: HttpRequest) -> Response:
        guard = site.require(http, OVERSIGHT)
        if isinstance(guard, Response):
            return guard
        title = site.text(site.lang(http), N_("Retro audits"))
        return site.render(http, "retro.html", title=title, error=None, home_state="IL", what="export", runs=retro_runs.runs())

    @router.post("/retro", include_in_schema=False)
    async def retro_scan(http: HttpRequest) -> Response:
        posted = await site.staff_form(http, OVERSIGHT)
        if isinstance(posted, Response):
            return posted
        guard, form = posted
        upload, what, home = form.get("file"), str(form.get("what", "")), str(form.get("home_state", "")).strip()
        try:
            if not isinstance(upload, UploadFile) or not upload.filename:
                raise RetroError("file", "choose a file to upload")
            data = await upload.read(retro_runs.MAX_UPLOAD + 1)
            run_id, _ = await run_in_threadpool(retro_runs.run, data, upload.filename, what, home)
        except RetroError as exc:
            return site.render(
                http,
                "retro.html",
                status=422,
                title=site.text(site.lang(http), N_("Retro audits")),
                error=exc,
                home_state=home,
                what=what,
                runs=retro_runs.runs(),
            )
        event(logging.INFO, "retro_scan", user=guard.user, run=run_id, what=what)
        return RedirectResponse(f"/retro/{run_id}", status_code=303)

    @router.get("/retro/{run_id}", include_in_schema=False)
    def retro_run(http: HttpRequest, run_id: str) -> Response:
        guard = site.require(http, OVERSIGHT)
        if isinstance(guard, Response):
            return guard
        found = retro_runs.load(run_id)
        if found is None:
            return site.error(http, 404, *MESSAGES[404])
        what, summary = found
        return site.render(
            http,
            "retro_run.html",
            title=site.text(site.lang(http), N_("Retro audit results")),
            run_id=run_id,
            what=what,
            s=summary,
            run=retro_runs.run_of(run_id),
        )

    @router.get("/retro/{run_id}/report.html", include_in_schema=False)
    def retro_report(http: HttpRequest, run_id: str) -> Response:
        guard = site.require(http, OVERSIGHT)
        if isinstance(guard, Response):
            return guard
        found = retro_runs.load(run_id)
        if found is None or found[0] != "export":
            return site.error(http, 404, *MESSAGES[404])
        summary = found[1]
        direct = set(summary["direct_codes"])
        points = summary["over_time"]["points"]
        direct_rows = sum(p["direct"] for p in points)
        return site.render(
            http,
            "retro_report.html",
            lang=i18n.SOURCE,  # the report's words come from the scan (English); issue 30 rewrites it: then into the catalogs
            title="Retro audit report",
            run_id=run_id,
            run=retro_runs.run_of(run_id),
            s=summary,
            direct_flags=[(c, n) for c, n in summary["by_flag"].items() if c in direct],
            weaker_flags=[(c, n) for c, n in summary["by_flag"].items() if c not in direct],
            direct_rows=direct_rows,
            points=points,
            peak=max((p["flagged"] for p in points), default=0),
            org_peak=max((o["flagged"] for o in summary["organisations"]["top"]), default=0),
            bar=charts.bar,
            patterns=charts.PATTERNS,
        )

    @router.get("/retro/{run_id}/{name}", include_in_schema=False)
    def retro_output(http: HttpRequest, run_id: str, name: str) -> Response:
        guard = site.require(http, OVERSIGHT)
        if isinstance(guard, Response):
            return guard
        path = retro_runs.output(run_id, name)
        if path is None:
            return site.error(http, 404, *MESSAGES[404])
        return FileResponse(path, media_type=retro_runs.OUTPUTS[name])
