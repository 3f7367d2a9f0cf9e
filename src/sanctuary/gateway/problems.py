"""Errors as JSON that names the field: ``{"error": {"field": ..., "reason": ...}}``.

Raised anywhere in a handler as ``Problem``; the app turns it into the response. Validation errors
of FastAPI's own parameters come out in the same shape.
"""

from __future__ import annotations

from typing import Any

from fastapi.exceptions import RequestValidationError
from starlette.requests import Request as HttpRequest
from starlette.responses import JSONResponse

from sanctuary.errors import SanctuaryError


class Problem(SanctuaryError):
    """An HTTP answer that is an error: the status, the field at fault and the reason."""

    def __init__(self, status: int, field: str, reason: str, headers: dict[str, str] | None = None, **extra: Any) -> None:
        super().__init__(field, reason)
        self.status = status
        self.headers = headers
        self.extra = extra

    def response(self) -> JSONResponse:
        body: dict[str, Any] = {"error": {"field": self.field, "reason": self.reason}, **self.extra}
        return JSONResponse(body, status_code=self.status, headers=self.headers)


async def problem_handler(_http: HttpRequest, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Problem)
    return exc.response()


async def validation_handler(_http: HttpRequest, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    first = errors[0] if errors else {"loc": ("request",), "msg": "invalid"}
    field = ".".join(str(p) for p in first["loc"] if p not in ("body", "path", "query", "header"))
    return Problem(422, field or "request", str(first["msg"])).response()


ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["field", "reason"],
            "properties": {"field": {"type": "string"}, "reason": {"type": "string"}},
        }
    },
}
