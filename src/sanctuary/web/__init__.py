"""Pages for people: the request desk, oversight dashboard and the public record.

Mounted on the gateway's API by `sanctuary.server` (`install(app, gateway)`: the page routes, the
static files and the error pages), rendered on the server with Jinja2 in the reader's language
(gettext catalogs, Babel); every asset ships in this package (no CDN; one small script, for Print).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

from sanctuary.web.errors import add_error_pages
from sanctuary.web.rights import DEMO_CONTACTS
from sanctuary.web.routes_desk import add_desk_routes
from sanctuary.web.routes_oversight import add_oversight_routes
from sanctuary.web.routes_public import add_public_routes
from sanctuary.web.site import STATIC, Site

if TYPE_CHECKING:
    from sanctuary.gateway.app import Gateway


def pages(site: Site) -> APIRouter:
    """The page routes over one site (its gateway: pipeline, log, registry and staff accounts)."""
    router = APIRouter()
    add_public_routes(router, site)
    add_desk_routes(router, site)
    add_oversight_routes(router, site)
    return router


def install(app: FastAPI, gw: Gateway) -> Site:
    """Serve the pages from `app`: routes, /static, and error pages (JSON kept for the API's paths)."""
    site = Site(gw)
    app.state.pages = site
    app.include_router(pages(site))
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    add_error_pages(app, site)
    return site


__all__ = ["DEMO_CONTACTS", "STATIC", "install", "pages"]
