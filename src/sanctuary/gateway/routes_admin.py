"""Admin endpoints: keys, and the protected record behind each log entry. Admin role only."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict, Field
from starlette.requests import Request as HttpRequest
from starlette.responses import JSONResponse, Response

from sanctuary.gateway.credentials import ADMIN_ROLES, CredentialError, Role
from sanctuary.gateway.problems import Problem
from sanctuary.gateway.routes_audit import Index, audit_call, open_log_or_503

if TYPE_CHECKING:  # the gateway mounts these routes: no import at run time
    from sanctuary.gateway.app import Gateway


class NewKey(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Role
    agency: str | None = Field(default=None, min_length=1, max_length=200)
    label: str = Field(default="", max_length=200)


def add_admin_routes(app: FastAPI) -> None:
    """The admin routes over the gateway mounted on ``app`` (``app.state.gateway``)."""
    gw: Gateway = app.state.gateway

    @app.get("/v1/admin/keys", summary="Issued keys (ids, roles, agencies; never the keys)")
    def list_keys(http: HttpRequest) -> JSONResponse:
        gw.authenticate(http, ADMIN_ROLES)
        return JSONResponse(
            [
                {"key_id": p.key_id, "role": p.role, "agency": p.agency, "label": p.label, "created": p.created}
                for p in gw.cfg.keys.principals()
            ]
        )

    @app.post("/v1/admin/keys", status_code=201, summary="Issue a key: shown once, stored hashed")
    def issue_key(new: NewKey, http: HttpRequest) -> JSONResponse:
        gw.authenticate(http, ADMIN_ROLES)
        agency = None
        if new.agency is not None:
            found = gw.policy.registry.resolve(new.agency)
            if found is None:
                raise Problem(422, "agency", f"{new.agency!r} is not in the registry")
            agency = found.id
        try:
            key, principal = gw.cfg.keys.issue(new.role, agency, new.label)
        except CredentialError as exc:
            raise Problem(422, exc.field, exc.reason) from None
        return JSONResponse({"key": key, "key_id": principal.key_id, "role": principal.role, "agency": principal.agency}, status_code=201)

    @app.delete("/v1/admin/keys/{key_id}", status_code=204, summary="Revoke a key at once")
    def revoke_key(key_id: str, http: HttpRequest) -> Response:
        gw.authenticate(http, ADMIN_ROLES)
        if not gw.cfg.keys.revoke(key_id):
            raise Problem(404, "key_id", f"no key {key_id[:64]!r}")
        return Response(status_code=204)

    @app.get("/v1/admin/log/{index}", summary="A log entry with its protected record (the clear text it does not copy)")
    def reveal(index: Index, http: HttpRequest) -> JSONResponse:
        gw.authenticate(http, ADMIN_ROLES)
        decision_log = open_log_or_503(gw)
        entry, clear = audit_call(lambda: (decision_log.entry(index), decision_log.reveal(index)))
        return JSONResponse({"index": index, "entry": json.loads(entry), "clear": clear})
