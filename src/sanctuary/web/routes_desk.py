"""The request desk: who asks and what kind first, then only that kind's questions, then the result.

Step 1 (GET /desk) asks the agency, how the request arrived and its kind; step 2 (GET /desk with
those) shows the sections that kind needs and warns when the caller's identity is ambiguous; the
POST decides and records through the gateway's own handling, keeps the result in the session and
redirects to it (GET /desk/result/KEY), so reloading the result never records the request again.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request as HttpRequest
from starlette.responses import RedirectResponse, Response

from sanctuary.egress import asked_categories
from sanctuary.gateway.answers import answer
from sanctuary.gateway.app import Submission
from sanctuary.gateway.credentials import DESK_ROLES
from sanctuary.gateway.held import HeldItem, NotWaiting
from sanctuary.models import SELF, Request, RequestError
from sanctuary.policy.facts import TOPICS
from sanctuary.web import desk, i18n, labels
from sanctuary.web.errors import MESSAGES
from sanctuary.web.i18n import N_
from sanctuary.web.laws import clauses
from sanctuary.web.sessions import Session
from sanctuary.web.site import STAFF, Site, event


def add_desk_routes(router: APIRouter, site: Site) -> None:
    def form_page(http: HttpRequest, values: dict[str, Any], error: desk.FormError | None = None) -> Response:
        lang = site.lang(http)
        words = i18n.gettext_for(lang)
        agencies = sorted((a.id, desk.agency_name(a, lang)) for a in site.gw.policy.registry)
        kind = values.get("kind", "")
        # "own": the person herself ticked at step 1 and refused there (an agency named too, not in person)
        step = 2 if kind in desk.SECTIONS and values.get("agency") and not values.get("own") else 1
        own = values.get("agency") == SELF  # a person's own request: her identity check, not a caller
        registry = site.gw.policy.registry
        return site.render(
            http,
            "desk.html",
            status=422 if error else 200,
            title=words(N_("Request desk")),
            step=step,
            sections=desk.SECTIONS.get(kind, ()),
            warning=desk.ambiguity(registry, values.get("agency", ""), words, lang) if step == 2 and not own else None,
            own=own,
            self_words=desk.SELF_WORDS,
            id_documents=desk.ID_CHOICES,
            values=values,
            error=error.said(words) if error else None,
            error_id=desk.form_name(error.field) if error else None,
            agencies=agencies,
            channels=desk.CHANNELS,
            kinds=desk.KIND_CHOICES,
            kind_label=dict(desk.KIND_CHOICES).get(kind, ""),
            categories=desk.CATEGORIES,
            carveouts=desk.CARVEOUT_FIELDS,
            topics=[(t, labels.CUSTODY_TOPICS[t]) for t in TOPICS],
            search_types=desk.SEARCH_CHOICES,
            operation_types=desk.OPERATION_CHOICES,
            civil_choices=desk.CIVIL_CHOICES,
            criminal_choices=desk.CRIMINAL_CHOICES,
            document_types=desk.DOCUMENT_CHOICES,
            slots=desk.DOCUMENT_SLOTS,
        )

    @router.get("/desk", include_in_schema=False)
    def desk_form(http: HttpRequest, agency: str = "", channel: str = "phone", kind: str = "", own: str = "") -> Response:
        """Step 1, or step 2 with the agency (or, `own`, the person herself) and the kind chosen."""
        guard = site.require(http, DESK_ROLES)
        if isinstance(guard, Response):
            return guard
        values = {"agency": agency.strip()[:200], "channel": channel if channel in desk.CHANNELS else "phone", "kind": kind}
        if own or values["agency"] == SELF:  # no agency: the person herself, at the counter (docs/requests.md)
            if values["agency"] not in ("", SELF):
                why = N_("a person asking for her own records is not an agency: leave the agency empty, or untick “the person herself”")
                return form_page(http, {**values, "own": "1"}, desk.FormError("agency", why))
            if values["channel"] != "in_person":
                return form_page(http, {**values, "own": "1"}, desk.FormError("channel", desk.IN_PERSON))
            values["agency"] = SELF
        if kind and kind not in desk.SECTIONS:
            return form_page(http, {**values, "kind": ""}, desk.FormError("kind", N_("choose the kind of request")))
        if kind and not values["agency"]:
            return form_page(http, values, desk.FormError("agency", N_("name the agency that made the request")))
        return form_page(http, values)

    @router.post("/desk", include_in_schema=False)
    async def desk_submit(http: HttpRequest) -> Response:
        posted = await site.staff_form(http, DESK_ROLES)
        if isinstance(posted, Response):
            return posted
        session, form = posted
        values: dict[str, Any] = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf"}
        topics = [t for t in form.getlist("topics") if isinstance(t, str)]
        values["topics"] = topics
        try:
            texts = {}
            for slot in desk.DOCUMENT_SLOTS:
                upload = form.get(f"doc{slot}_file")
                if isinstance(upload, UploadFile) and upload.filename:
                    texts[slot] = desk.document_text(await upload.read(), f"doc{slot}_file")
            raw = desk.build_request(values, topics, texts, desk_user=session.user or "")
        except desk.FormError as exc:
            return form_page(http, values, exc)
        gw = site.gw
        # The gateway's one way in, as if the request had come through the API with a desk key (a
        # held request enters the held queue there, as one held through the API does).
        submission = await gw.submit(json.dumps(raw).encode(), None, "desk", session.user or "?")
        if submission.refused is not None and submission.status < 500:
            refused = submission.refused
            return form_page(http, values, desk.FormError(refused.field, "%(why)s", why=refused.reason))
        request = submission.request
        body = submission.body if submission.refused is None else answer(submission.decision.id, submission.decision, None)
        log_index = submission.decision.log_index
        event(
            logging.INFO,
            "desk_request",
            user=session.user,
            request_id=submission.decision.id,
            decision=submission.decision.decision,
            status=submission.status,
            log_index=log_index,
        )
        entered = request.model_dump(mode="json", exclude_defaults=True) if request is not None else raw
        key = session.keep_result(
            {
                "body": {**body, "log_index": log_index, "request_id": submission.decision.id},
                "agency_given": request.requester.agency if request is not None else values.get("agency", ""),
                "channel": values.get("channel", ""),
                "entered": {k: v for k, v in entered.items() if k != "id"},
                "asked": sorted(asked_categories(request)) if request is not None else [],
                "officer_user": session.user,
                "at": datetime.now(UTC).isoformat(),  # kept as JSON (sealed, on replicas)
            }
        )
        return RedirectResponse(f"/desk/result/{key}", status_code=303)

    @router.get("/desk/result/{key}", include_in_schema=False)
    def desk_result(http: HttpRequest, key: str) -> Response:
        guard = site.require(http, DESK_ROLES)
        if isinstance(guard, Response):
            return guard
        kept = guard.result(key)
        if kept is None:
            return site.error(http, 404, *MESSAGES[404])
        lang = site.lang(http)
        words = i18n.gettext_for(lang)
        body = kept["body"]
        decision = body["decision"]
        gw = site.gw
        agency = gw.policy.registry.resolve(kept["agency_given"])
        named = desk.agency_name(agency, lang) if agency else kept["agency_given"]
        records = (body.get("result") or {}).get("records")
        found = len(records) if records is not None else None
        said = desk.script(
            {**decision, "log_index": body["log_index"]},
            gw.policy.engine,
            named,
            found,
            frozenset(kept["asked"]),
            words,
            lang,
            site.deployment.department(lang),
        )
        outcome = "held" if decision.get("held") else decision["decision"]
        at = datetime.fromisoformat(kept["at"])
        held_reference = decision["held"].get("reference") if decision.get("held") else None
        item = gw.held.get(held_reference) if held_reference else None
        return site.render(
            http,
            "desk_result.html",
            title=words(desk.OUTCOMES[outcome][0]),
            body=body,
            d=decision,
            outcome=outcome,
            outcome_words=desk.OUTCOMES[outcome],
            script=said,
            records=[desk.record_fields(r, words, lang) for r in records or []],
            found=found,
            clauses=clauses(gw.policy.engine, lang),
            entered=desk.as_entered(kept["entered"], kept["channel"], words),
            channel=words(desk.CHANNELS[kept["channel"]]) if kept["channel"] in desk.CHANNELS else kept["channel"],
            officer_user=kept["officer_user"],
            local_time=site.deployment.local_time(at, lang),
            utc_time=at.strftime("%Y-%m-%d %H:%M:%S UTC"),
            agency_name=named if agency else None,
            base=str(http.base_url).rstrip("/"),
            held_reference=held_reference,
            item=item if item is not None and item.resolved_at is None and item.request is not None else None,
            resolves=kept.get("resolves"),
            note=kept.get("note"),
            repeat=kept.get("repeat"),
            self_id=SELF,
        )

    @router.get("/desk/held", include_in_schema=False)
    def held_queue(http: HttpRequest) -> Response:
        """The queue, for the desk, which resolves its items, and for oversight, which reads it (how
        many wait, since when, why, and how each ended): the list holds no personal value. An
        item's page shows the request as entered, and stays the desk's."""
        guard = site.require(http, STAFF)
        if isinstance(guard, Response):
            return guard
        items, waiting = site.gw.held.items(), site.gw.held.waiting()
        resolves = guard.role in DESK_ROLES
        title = site.text(site.lang(http), N_("Held requests"))
        return site.render(http, "held.html", title=title, items=items, waiting=waiting, resolves=resolves)

    def held_page(http: HttpRequest, item: HeldItem, error: str | None = None, status: int = 422, **values: Any) -> Response:
        lang = site.lang(http)
        words = i18n.gettext_for(lang)
        entered = item.request.model_dump(mode="json", exclude_defaults=True) if item.request is not None else {}
        return site.render(
            http,
            "held_item.html",
            status=status if error else 200,
            title=words(N_("Held request %(reference)s")) % {"reference": item.reference},
            item=item,
            entered=desk.as_entered({k: v for k, v in entered.items() if k != "id"}, "", words) if entered else [],
            clauses=clauses(site.gw.policy.engine, lang),
            rules=site.gw.policy.engine.rules if site.gw.policy.engine is not None else {},
            error=(words(error) % values if values else words(error)) if error else None,
        )

    @router.get("/desk/held/{reference}", include_in_schema=False)
    def held_item(http: HttpRequest, reference: str) -> Response:
        guard = site.require(http, DESK_ROLES)
        if isinstance(guard, Response):
            return guard
        item = site.gw.held.get(reference)
        return site.error(http, 404, *MESSAGES[404]) if item is None else held_page(http, item)

    @router.post("/desk/held/{reference}", include_in_schema=False)
    async def resolve_held(http: HttpRequest, reference: str) -> Response:
        found = await waiting(http, reference)
        if isinstance(found, Response):
            return found
        session, form, item, request = found
        verified = [doc for i, doc in enumerate(request.documents) if form.get(f"verified_{i}")]
        how = str(form.get("how", "")).strip()[:300]
        if request.documents and not verified:
            return held_page(http, item, N_("tick each document you verified with whoever issued it"))
        if not how:
            return held_page(http, item, N_("say how you verified it: whom you called, what you checked"))
        officer = f"{session.user} ({how})"
        closing = site.gw.resolve_held(request, item.decision, verified, officer, session.user or "?", hand_out=not item.called)
        return await close(http, session, item, request, closing, "desk_held_resolved", how)

    @router.post("/desk/held/{reference}/refuse", include_in_schema=False)
    async def refuse_held(http: HttpRequest, reference: str) -> Response:
        found = await waiting(http, reference)
        if isinstance(found, Response):
            return found
        session, form, item, request = found
        why = str(form.get("why", "")).strip()[:300]
        if not why:
            return held_page(http, item, N_("say why you refuse it: what the verification or the review found"))
        closing = site.gw.refuse_held(request, item.decision, session.user or "?", why, session.user or "?")
        return await close(http, session, item, request, closing, "desk_held_refused", why)

    async def waiting(http: HttpRequest, reference: str) -> tuple[Session, FormData, HeldItem, Request] | Response:
        """The posted form and the held item it is about, with its request as read; else the answer:
        not signed in, no such item, or resolved already (another officer, another tab: shown)."""
        posted = await site.staff_form(http, DESK_ROLES)
        if isinstance(posted, Response):
            return posted
        item = site.gw.held.get(reference)
        if item is None:
            return site.error(http, 404, *MESSAGES[404])
        if item.request is None:
            return RedirectResponse(f"/desk/held/{reference}", status_code=303)
        return *posted, item, item.request

    async def close(
        http: HttpRequest, session: Session, item: HeldItem, request: Request, closing: Awaitable[Submission], name: str, note: str
    ) -> Response:
        """Await the second decision about a held item and show it; or the item again, saying why not."""
        try:
            submission = await closing
        except NotWaiting as exc:  # another officer is resolving it, or has: nothing was done for this one
            return held_page(http, site.gw.held.get(item.reference) or item, "%(reason)s", status=409, reason=exc.reason)
        except RequestError as exc:
            return held_page(http, item, "%(field)s: %(reason)s", field=exc.field, reason=exc.reason)
        event(logging.INFO, name, user=session.user, reference=item.reference, decision=submission.decision.decision)
        return held_result(session, item, request, submission, note)

    def held_result(session: Session, item: HeldItem, request: Request, submission: Submission, note: str) -> Response:
        """The desk's result page for the second decision about a held item (its request as read: `request`)."""
        entered = request.model_dump(mode="json", exclude_defaults=True)
        key = session.keep_result(
            {
                "body": {**submission.body, "log_index": submission.decision.log_index, "request_id": submission.decision.id},
                "agency_given": request.requester.agency,
                "channel": "",
                "entered": {k: v for k, v in entered.items() if k != "id"},
                "asked": sorted(asked_categories(request)),
                "officer_user": session.user,
                "at": datetime.now(UTC).isoformat(),  # kept as JSON (sealed, on replicas)
                "resolves": (item.reference, item.log_index if item.elsewhere is None else None),  # linked when in this log
                "note": note,  # how the officer verified it, or why they refused it
                # a call on a department system allowed here is answered when the agency repeats it
                "repeat": item.reference if item.called and submission.decision.decision == "permit" else None,
            }
        )
        return RedirectResponse(f"/desk/result/{key}", status_code=303)
