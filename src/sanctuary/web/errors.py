"""Error answers: pages in the site's layout and the reader's language; JSON for the API's paths.

A person who follows a wrong link sees a page with the site's menus saying what happened, never
`{"detail":"Not Found"}`; a program calling the API (paths under /v1/ and the service endpoints)
keeps getting the API's JSON error shape, `{"error": {"field": ..., "reason": ...}}`.
"""

from __future__ import annotations

import logging

from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request as HttpRequest
from starlette.responses import JSONResponse, Response

from sanctuary.gateway.problems import validation_handler
from sanctuary.web.i18n import N_
from sanctuary.web.site import Site, event

API_PREFIXES = ("/v1/", "/healthz", "/readyz", "/metrics", "/openapi.json")
log = logging.getLogger("sanctuary.web")

MESSAGES = {
    404: (N_("Page not found"), N_("There is no page at this address. Check the address, or start again from the home page.")),
    405: (N_("Page not found"), N_("There is no page at this address. Check the address, or start again from the home page.")),
    403: (N_("Not allowed"), N_("This page is not open to you.")),
    500: (
        N_("Something went wrong"),
        N_(
            "The page could not be shown because of an error on the server. The error has been logged for the administrator; try again later."
        ),
    ),
}


def is_api(http: HttpRequest) -> bool:
    return http.url.path.startswith(API_PREFIXES)


def add_error_pages(app, site: Site) -> None:  # noqa: ANN001 - a FastAPI or Starlette app
    """Install the handlers: HTTP errors and unexpected failures as pages, except on API paths."""

    async def http_error(http: HttpRequest, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if is_api(http):
            field = "path" if exc.status_code in (404, 405) else "request"
            return JSONResponse({"error": {"field": field, "reason": str(exc.detail)}}, status_code=exc.status_code, headers=exc.headers)
        title, message = MESSAGES.get(exc.status_code, MESSAGES[404 if exc.status_code < 500 else 500])
        return site.error(http, exc.status_code, title, message)

    async def invalid_page_input(http: HttpRequest, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        if is_api(http):
            return await validation_handler(http, exc)  # the API's own shape for its paths
        return site.error(http, 404, *MESSAGES[404])

    async def server_error(http: HttpRequest, exc: Exception) -> Response:
        log.exception("unexpected error on %s", http.url.path, exc_info=exc)
        event(logging.INFO, "server_error", path=http.url.path, error=type(exc).__name__)
        if is_api(http):
            return JSONResponse({"error": {"field": "server", "reason": "internal error"}}, status_code=500)
        return site.error(http, 500, *MESSAGES[500])

    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(RequestValidationError, invalid_page_input)
    app.add_exception_handler(Exception, server_error)
