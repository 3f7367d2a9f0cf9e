"""The request desk page: the form, and the decision the gateway's own handling gives it."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from fastapi import APIRouter
from starlette.datastructures import UploadFile
from starlette.requests import Request as HttpRequest
from starlette.responses import Response

from sanctuary.gateway.fulfil import plan
from sanctuary.gateway.problems import Problem
from sanctuary.models import RequestError, parse_request
from sanctuary.policy.facts import CUSTODY_TOPICS
from sanctuary.web import desk
from sanctuary.web.site import Site, event

DESK_ROLES = ("desk", "admin")


def add_desk_routes(router: APIRouter, site: Site) -> None:
    def form_page(http: HttpRequest, values: dict[str, Any], error: desk.FormError | None = None, **extra: Any) -> Response:
        agencies = sorted((a.id, a.name) for a in site.gw.policy.registry)
        return site.render(
            http,
            "desk.html",
            status=422 if error else 200,
            title="Request desk",
            values=values,
            error=error,
            error_id=desk.form_name(error.field) if error else None,
            agencies=agencies,
            channels=desk.CHANNELS,
            kinds=desk.KIND_CHOICES,
            categories=desk.CATEGORIES,
            carveouts=desk.CARVEOUT_FIELDS,
            topics=CUSTODY_TOPICS,
            search_types=desk.SEARCH_CHOICES,
            operation_types=desk.OPERATION_CHOICES,
            civil_choices=desk.CIVIL_CHOICES,
            document_types=desk.DOCUMENT_CHOICES,
            slots=desk.DOCUMENT_SLOTS,
            **extra,
        )

    @router.get("/desk", include_in_schema=False)
    def desk_form(http: HttpRequest) -> Response:
        guard = site.require(http, DESK_ROLES)
        if isinstance(guard, Response):
            return guard
        return form_page(http, {"channel": "phone", "kind": "custody_inquiry"})

    @router.post("/desk", include_in_schema=False)
    async def desk_submit(http: HttpRequest) -> Response:
        posted = await site.staff_form(http, DESK_ROLES)
        if isinstance(posted, Response):
            return posted
        guard, form = posted
        values = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf"}
        topics = [t for t in form.getlist("topics") if isinstance(t, str)]
        values["topics"] = topics
        try:
            texts = {}
            for slot in desk.DOCUMENT_SLOTS:
                upload = form.get(f"doc{slot}_file")
                if isinstance(upload, UploadFile) and upload.filename:
                    texts[slot] = desk.document_text(await upload.read(), f"doc{slot}_file")
            raw = desk.build_request(values, topics, texts)
            request = parse_request(raw)
            steps = plan(request)
        except desk.FormError as exc:
            return form_page(http, values, exc)
        except RequestError as exc:
            return form_page(http, values, desk.FormError(exc.field, exc.reason))
        except Problem as exc:
            return form_page(http, values, desk.FormError(exc.field, exc.reason))
        gw = site.gw
        loop = asyncio.get_running_loop()
        work = loop.run_in_executor(gw.executor, gw.handle, request, steps, time.monotonic() + gw.cfg.timeout)
        try:
            status, body = await asyncio.wait_for(work, gw.cfg.timeout)
        except TimeoutError:
            status, body = 503, gw.timeout_answer(request)
        decision = body["decision"]
        agency = gw.policy.registry.resolve(request.requester.agency)
        advice = desk.advice(
            {**decision, "log_index": body["log_index"]}, gw.policy.engine, agency.name if agency else request.requester.agency
        )
        event(
            "desk_request",
            user=guard.user,
            request_id=request.id,
            decision=decision["decision"],
            status=status,
            log_index=body["log_index"],
        )
        return form_page(
            http,
            values,
            None,
            request=request.model_dump(mode="json", exclude_defaults=True),
            body=body,
            http_status=status,
            advice=advice,
            channel=desk.CHANNELS[values["channel"]],
            officer_user=guard.user,
        )
