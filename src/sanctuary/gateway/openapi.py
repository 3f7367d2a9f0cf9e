"""The published OpenAPI document (/docs, /openapi.json): the request contract and the answers.

The request body is read by the gateway itself (so the requester can be taken from the key and
errors name the field the contract's way); these pieces describe it to clients and to schemathesis.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from sanctuary.gateway.problems import ERROR_SCHEMA
from sanctuary.models import Decision, Request

DESCRIPTION = """Outside agencies send requests here instead of reaching the department's databases.

Send `Authorization: Bearer <key>`. With an agency key the requester is the key's agency:
`requester.agency` may be left out, and if given it must name that same agency.
`on_behalf_of` is declared in the body and judged like the requester.

Database queries name a typed search (`resource.search`: person, plate, warrant, custody, contact),
never SQL. A permitted answer carries the records with the decision's redactions applied; every
answer carries the request id, the decision-log index and the handling caveat.
"""

_REF = "#/components/schemas/{model}"


def _schemas() -> dict[str, Any]:
    request = Request.model_json_schema(ref_template=_REF)
    decision = Decision.model_json_schema(ref_template=_REF)
    defs = {**request.pop("$defs", {}), **decision.pop("$defs", {})}
    request["required"] = [f for f in request.get("required", []) if f != "requester"]
    answer = {
        "type": "object",
        "required": ["request_id", "log_index", "decision", "caveat"],
        "properties": {
            "request_id": {"type": "string"},
            "log_index": {"type": ["integer", "null"], "description": "the decision's entry in the log"},
            "decision": {"$ref": _REF.format(model="Decision")},
            "caveat": {"type": "string"},
            "result": {
                "type": "object",
                "description": "permitted answers only: the records handed out, redacted",
                "properties": {"records": {"type": "array", "items": {"$ref": _REF.format(model="Record")}}},
            },
        },
    }
    record = {
        "type": "object",
        "required": ["record_id", "kind", "fields"],
        "properties": {"record_id": {"type": "string"}, "kind": {"type": "string"}, "fields": {"type": "object"}},
    }
    return {**defs, "Request": request, "Decision": decision, "Answer": answer, "Record": record, "Error": ERROR_SCHEMA}


def _content(*models: str) -> dict[str, Any]:
    refs = [{"$ref": _REF.format(model=m)} for m in models]
    return {"content": {"application/json": {"schema": refs[0] if len(refs) == 1 else {"anyOf": refs}}}}


REQUEST_BODY: dict[str, Any] = {"requestBody": {"required": True, **_content("Request")}}
_ERRORS: dict[int | str, dict[str, Any]] = {
    "400": {"description": "The body is not JSON", **_content("Error")},
    "401": {"description": "No key, or an unknown key", **_content("Error")},
    "413": {"description": "The body is too large", **_content("Error")},
    "429": {"description": "Rate limit for this key", **_content("Error")},
}
DECISION_RESPONSES: dict[int | str, dict[str, Any]] = {
    "200": {"description": "Permitted: the records, redacted", **_content("Answer")},
    "403": {"description": "Denied by a rule (cited), or a key used for another agency", **_content("Answer", "Error")},
    "422": {"description": "A request that cannot be decided as sent; names the field", **_content("Answer", "Error")},
    "503": {"description": "Fail closed: policy, store or log unavailable, or timeout; no data", **_content("Answer")},
    **_ERRORS,
}
LOOKUP_RESPONSES: dict[int | str, dict[str, Any]] = {
    "200": {"description": "The decision as answered (without the records)", **_content("Answer")},
    "404": {"description": "No decision for this id visible to this key", **_content("Error")},
    "503": {"description": "The store is unavailable", **_content("Error")},
    **{k: v for k, v in _ERRORS.items() if k == "401"},
}


def install(app: FastAPI) -> None:
    """Generate the document once, with the contract's schemas added to its components."""

    def build() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, summary=app.summary, description=app.description, routes=app.routes)
            schema.setdefault("components", {}).setdefault("schemas", {}).update(_schemas())
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = build  # type: ignore[method-assign]
