"""`sanctuary demo-upstream`: a small records-management system (RMS) with a JSON API over the demo data.

It stands for a department system that `sanctuary` did not write and cannot change: it answers
anyone who reaches it, with every field it has. `examples/rms/routes.toml` maps it for the proxy
and the authorization hook. Calls:

    GET /persons/{person_id}            identity, document numbers, status fields, contacts
    GET /persons/{person_id}/custody    bookings: arrest, charge, custody, facility, release
    GET /persons/{person_id}/warrants   active and past warrants
    GET /persons/{person_id}/facts      what the carve-outs turn on: active criminal warrant, gang database
    GET /plates/{plate}/reads           license-plate-reader captures of a plate

Every answer names the call it served (`X-RMS-Served: custody P0000001`), so a test can check that
the call sanctuary decided is the call the system answered.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sanctuary.records.demo import generate

SERVED_HEADER = "X-RMS-Served"
PATHS = {
    "person": "/persons/{person_id}",
    "custody": "/persons/{person_id}/custody",
    "warrants": "/persons/{person_id}/warrants",
    "facts": "/persons/{person_id}/facts",
    "plate-reads": "/plates/{plate}/reads",
}
_PERSON_FIELDS = ("first_name", "last_name", "date_of_birth", "sex", "ir_number", "drivers_license")
_STATUS_FIELDS = ("immigration_status", "citizenship", "place_of_birth")


class DemoRMS:
    """The demo data, indexed by person and plate (in memory: the RMS's speed is not what is measured)."""

    def __init__(self, persons: int = 0, seed: int = 1) -> None:
        tables: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for name, rows in generate(persons, seed):
            tables[name] += rows
        self.persons = {p["person_id"]: p for p in tables["persons"]}
        self.by_person: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
        for table in ("bookings", "warrants", "contacts", "gang_entries"):
            for row in tables[table]:
                self.by_person[row["person_id"]][table].append(row)
        self.reads: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in tables["plate_reads"]:
            self.reads[row["plate"]].append(row)

    def person(self, person_id: str) -> dict[str, Any] | None:
        p = self.persons.get(person_id)
        if p is None:
            return None
        contacts = [{k: v for k, v in c.items() if k != "person_id"} for c in self.by_person[person_id]["contacts"]]
        return {
            "person_id": person_id,
            **{k: p[k] for k in _PERSON_FIELDS},
            "status": {k: p[k] for k in _STATUS_FIELDS},
            "contacts": contacts,
        }

    def custody(self, person_id: str) -> dict[str, Any] | None:
        if person_id not in self.persons:
            return None
        bookings = sorted(self.by_person[person_id]["bookings"], key=lambda b: b["arrested_at"], reverse=True)
        return {"person_id": person_id, "bookings": [{k: v for k, v in b.items() if k != "person_id"} for b in bookings]}

    def warrants(self, person_id: str) -> dict[str, Any] | None:
        if person_id not in self.persons:
            return None
        rows = self.by_person[person_id]["warrants"]
        return {"person_id": person_id, "warrants": [{k: v for k, v in w.items() if k != "person_id"} for w in rows]}

    def facts(self, person_id: str) -> dict[str, Any] | None:
        if person_id not in self.persons:
            return None
        rows = self.by_person[person_id]
        return {
            "person_id": person_id,
            "active_criminal_warrant": any(w["status"] == "active" and w["kind"] == "criminal" for w in rows["warrants"]),
            "gang_database": bool(rows["gang_entries"]),
        }

    def plate_reads(self, plate: str) -> dict[str, Any] | None:
        rows = self.reads.get(plate.upper())
        return None if rows is None else {"plate": plate.upper(), "reads": rows}


def _encode(value: Any) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")


def create_app(rms: DemoRMS | None = None) -> Starlette:
    """The RMS's calls; every answer says which call it served in `SERVED_HEADER` (the route map's
    route name and the path parameter, percent-encoded): what the tests check the decision against."""
    rms = rms or DemoRMS()

    def call(name: str, param: str, lookup: Callable[[str], dict[str, Any] | None]) -> Route:
        async def serve(request: Request) -> Response:
            value = request.path_params[param]
            served = {SERVED_HEADER: f"{name} {quote(value, safe='')}"}
            found = lookup(value)
            if found is None:
                return Response(b'{"error": "not found"}', status_code=404, media_type="application/json", headers=served)
            return Response(json.dumps(found, default=_encode), media_type="application/json", headers=served)

        return Route(PATHS[name], serve, name=name)

    return Starlette(
        routes=[
            call("person", "person_id", rms.person),
            call("custody", "person_id", rms.custody),
            call("warrants", "person_id", rms.warrants),
            call("facts", "person_id", rms.facts),
            call("plate-reads", "plate", rms.plate_reads),
        ]
    )
