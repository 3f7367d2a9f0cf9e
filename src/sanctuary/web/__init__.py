"""Pages for people: the request desk, oversight dashboard and the public transparency report.

Mounted on the gateway's API by ``sanctuary.server`` (``app.include_router(pages(gateway))`` plus the static mount), rendered
on the server with Jinja2; every asset ships in this package (no CDN; one small script, for Print).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter

from sanctuary.web.routes_desk import add_desk_routes
from sanctuary.web.routes_oversight import add_oversight_routes
from sanctuary.web.routes_public import add_public_routes
from sanctuary.web.site import STATIC, Site

if TYPE_CHECKING:
    from sanctuary.gateway.app import Gateway


def pages(gw: Gateway) -> APIRouter:
    """The page routes over one gateway (its pipeline, log, registry and staff accounts)."""
    router = APIRouter()
    site = Site(gw)
    add_public_routes(router, site)
    add_desk_routes(router, site)
    add_oversight_routes(router, site)
    return router


__all__ = ["STATIC", "pages"]
