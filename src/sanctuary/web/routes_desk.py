"""The request desk page: the form, and the decision the gateway's own handling gives it."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter
from starlette.datastructures import UploadFile
from starlette.requests import Request as HttpRequest
from starlette.responses import Response

from sanctuary.gateway.app import answer
from sanctuary.gateway.credentials import DESK_ROLES
from sanctuary.policy.facts import CUSTODY_TOPICS
from sanctuary.web import desk
from sanctuary.web.site import Site, event


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
        values: dict[str, Any] = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf"}
        topics = [t for t in form.getlist("topics") if isinstance(t, str)]
        values["topics"] = topics
        try:
            texts = {}
            for slot in desk.DOCUMENT_SLOTS:
                upload = form.get(f"doc{slot}_file")
                if isinstance(upload, UploadFile) and upload.filename:
                    texts[slot] = desk.document_text(await upload.read(), f"doc{slot}_file")
            raw = desk.build_request(values, topics, texts)
        except desk.FormError as exc:
            return form_page(http, values, exc)
        gw = site.gw
        # The gateway's one way in, as if the request had come through the API with a desk key.
        submission = await gw.submit(json.dumps(raw).encode(), None, "desk")
        if submission.refused is not None and submission.status < 500:
            return form_page(http, values, desk.FormError(submission.refused.field, submission.refused.reason))
        request, status = submission.request, submission.status
        body = submission.body if submission.refused is None else answer(submission.decision.id, submission.decision, None)
        decision = body["decision"]
        claimed = request.requester.agency if request is not None else values.get("agency", "")
        agency = gw.policy.registry.resolve(claimed)
        advice = desk.advice({**decision, "log_index": submission.decision.log_index}, gw.policy.engine, agency.name if agency else claimed)
        event(
            "desk_request",
            user=guard.user,
            request_id=submission.decision.id,
            decision=decision["decision"],
            status=status,
            log_index=submission.decision.log_index,
        )
        return form_page(
            http,
            values,
            None,
            request=request.model_dump(mode="json", exclude_defaults=True) if request is not None else raw,
            body=body,
            http_status=status,
            advice=advice,
            channel=desk.CHANNELS[values["channel"]],
            officer_user=guard.user,
        )
