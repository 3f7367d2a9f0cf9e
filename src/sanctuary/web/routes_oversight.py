"""Staff pages over the record: decisions and their proofs, policy and "what if", the log, retro audits."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from fastapi import APIRouter, Query
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
from sanctuary.web import charts, proofs, retro_runs, whatif
from sanctuary.web.desk import KINDS
from sanctuary.web.entries import FAMILIES, parse_day
from sanctuary.web.errors import MESSAGES
from sanctuary.web.record import DecisionFilter, RecordedRequest
from sanctuary.web.site import OVERSIGHT, STAFF, LogUnavailable, Site, event

PAGE = 200
WHATIF_DEFAULT = ("chicago-2019-mayoral", "chicago-2019-proposed-eo")


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
            title="Decisions",
            rows=rows,
            matched=matched,
            total=total,
            values=values,
            families=FAMILIES,
            kinds=KINDS,
            clauses=public.clauses(),
            error=error,
            page=PAGE,
            older=f"/decisions?{query}{'&' if query else ''}before={rows[-1].index}" if len(rows) == PAGE else None,
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
            return site.render(http, "error.html", status=status, title="No such decision", message=str(exc))
        check = proofs.check_inclusion(decision_log, index)
        engine = site.gw.policy.engine
        rules = engine.rules if engine is not None else {}
        explained = [(r, rules[r].citation, rules[r].explain) for r in entry.get("rules") or [] if r in rules]
        entry.pop("identifiers", None)  # pseudonyms: of no use to a reader, and never shown
        return site.render(
            http,
            "decision.html",
            title=f"Decision {index}",
            index=index,
            entry=entry,
            explained=explained,
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
            return site.render(http, "error.html", status=404, title="No such profile", message=str(exc))
        rules = [r for r in engine.rules.values() if r.profile != "baseline"]
        return site.render(
            http, "policy.html", title="Policy", names=names, active=active, chosen=chosen, meta=meta, engine=engine, rules=rules
        )

    @router.get("/policy/whatif", include_in_schema=False)
    def what_if(
        http: HttpRequest,
        a: str = Query(default=WHATIF_DEFAULT[0]),
        b: str = Query(default=WHATIF_DEFAULT[1]),
        since: str = "",
        until: str = "",
        last: str = "",
    ) -> Response:
        guard = site.require(http, STAFF)
        if isinstance(guard, Response):
            return guard
        values = {"since": since, "until": until, "last": last or str(whatif.DEFAULT_LIMIT)}
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
            title="What if",
            names=available(),
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
            not_kept=whatif.NOT_KEPT,
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
            return site.render(http, "error.html", status=503, title="Audit log", message=f"The log cannot be checked: {exc}")
        return site.render(
            http,
            "audit.html",
            title="Audit log",
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
        event("full_verification", user=guard.user, ok=result.ok, size=result.size, first_bad_index=result.first_bad_index)
        return RedirectResponse("/audit#last-verification", status_code=303)


def add_retro_routes(router: APIRouter, site: Site) -> None:
    @router.get("/retro", include_in_schema=False)
    def retro_form(http: HttpRequest) -> Response:
        guard = site.require(http, OVERSIGHT)
        if isinstance(guard, Response):
            return guard
        return site.render(http, "retro.html", title="Retro audits", error=None, home_state="IL", what="export", runs=retro_runs.runs())

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
                http, "retro.html", status=422, title="Retro audits", error=exc, home_state=home, what=what, runs=retro_runs.runs()
            )
        event("retro_scan", user=guard.user, run=run_id, what=what)
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
            http, "retro_run.html", title="Retro audit results", run_id=run_id, what=what, s=summary, run=retro_runs.run_of(run_id)
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
