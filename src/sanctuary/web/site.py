"""What every page shares: the gateway it is served by, sign-in, CSRF, templates, the log as rows."""

from __future__ import annotations

import json
import logging
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.datastructures import FormData
from starlette.requests import Request as HttpRequest
from starlette.responses import HTMLResponse, RedirectResponse, Response

from sanctuary import config
from sanctuary.audit import AuditError
from sanctuary.errors import SanctuaryError
from sanctuary.gateway.credentials import OVERSIGHT_ROLES, STAFF_ROLES
from sanctuary.gateway.services import Unavailable
from sanctuary.web import i18n
from sanctuary.web.entries import LoggedDecision, read_range
from sanctuary.web.sessions import Session, Sessions, Throttle, csrf_ok, set_cookie

if TYPE_CHECKING:
    from sanctuary.gateway.app import Gateway

STATIC = Path(__file__).parent / "static"
# Pages load only their own stylesheet and script, cannot be framed, and post only to this site.
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
STAFF = STAFF_ROLES
OVERSIGHT = OVERSIGHT_ROLES
log = logging.getLogger("sanctuary.web")


class LogUnavailable(SanctuaryError):
    """The decision log cannot be opened or read; pages say so instead of showing stale or no data."""

    def __init__(self, reason: str) -> None:
        super().__init__("log", reason)
        self.args = (reason,)


def event(name: str, /, **fields: Any) -> None:
    log.info(json.dumps({"event": name, **fields}, default=str))


def verification_file() -> Any:
    return config.home() / "web-last-verification.json"


class Site:
    def __init__(self, gw: Gateway) -> None:
        self.gw = gw
        self.sessions = Sessions()
        self.throttle = Throttle()
        self._rows: list[LoggedDecision] = []
        self._rows_lock = threading.Lock()
        self.env = Environment(
            loader=PackageLoader("sanctuary.web", "templates"), autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True
        )
        self.env.filters["kind"] = lambda k, lang="en": i18n.KINDS[lang].get(k, k)
        self.env.filters["family"] = lambda f, lang="en": i18n.family_label(lang, f)

    # -- people ------------------------------------------------------------------------------
    def session(self, http: HttpRequest) -> Session | None:
        return self.sessions.get(http)

    def require(self, http: HttpRequest, roles: tuple[str, ...]) -> Session | Response:
        """The signed-in session if its role is one of `roles`; else the page to show instead."""
        session = self.session(http)
        if session is None or session.user is None:
            target = http.url.path + (f"?{http.url.query}" if http.url.query else "")
            return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
        if session.role not in roles:
            return self.render(
                http,
                "error.html",
                status=403,
                title="Not allowed",
                message=f"Signed in as {session.role}: this page is for {' or '.join(roles)} staff.",
            )
        return session

    async def form(self, http: HttpRequest) -> tuple[Session, FormData] | Response:
        """The POSTed form and its session, if it carries the session's CSRF token; else a refusal page."""
        form = await http.form()
        session = self.session(http)
        token = form.get("csrf")
        if session is not None and csrf_ok(session, token if isinstance(token, str) else None):
            return session, form
        event("csrf_refused", path=http.url.path)
        return self.render(
            http,
            "error.html",
            status=403,
            title="Form expired",
            message="This form was not sent from a page of this site, or it expired. Go back, reload the page and send it again.",
        )

    async def staff_form(self, http: HttpRequest, roles: tuple[str, ...]) -> tuple[Session, FormData] | Response:
        """`form`, for a signed-in session whose role is one of `roles`."""
        guard = self.require(http, roles)
        return guard if isinstance(guard, Response) else await self.form(http)

    # -- pages -------------------------------------------------------------------------------
    def render(self, http: HttpRequest, template: str, status: int = 200, lang: str = "en", **ctx: Any) -> HTMLResponse:
        """Render a page; a visitor without a session gets one, so every form can carry a CSRF token."""
        session = self.session(http)
        fresh = session is None
        if session is None:
            session = self.sessions.new()
        html = self.env.get_template(template).render(
            me=session if session.user else None, csrf=session.csrf, lang=lang, t=i18n.TEXT[lang], path=http.url.path, **ctx
        )
        response = HTMLResponse(html, status_code=status, headers=HEADERS)
        if fresh:
            set_cookie(response, session)
        return response

    # -- the decision log --------------------------------------------------------------------
    def decision_log(self) -> Any:
        try:
            return self.gw.log.get()
        except Unavailable as exc:
            raise LogUnavailable(str(exc)) from None

    def rows(self) -> list[LoggedDecision]:
        """Every decision in the log, oldest first; LogUnavailable when the log cannot be read.

        The log only grows, so rows already read are kept and only new entries are read. Whether an
        old entry was changed afterwards is for the proofs and the full verification to find.
        """
        decision_log = self.decision_log()
        with self._rows_lock:
            try:
                size = decision_log.size()
                if size < len(self._rows):  # shrunk: not this log any more; read it again
                    self._rows = []
                self._rows += read_range(decision_log, self.gw.policy.registry, len(self._rows), size)
            except (AuditError, ValueError, KeyError) as exc:
                raise LogUnavailable(f"decision log unreadable: {exc}") from None
            return list(self._rows)

    def log_down(self, http: HttpRequest, exc: LogUnavailable, lang: str = "en") -> HTMLResponse:
        event("log_unavailable", path=http.url.path, reason=str(exc))
        return self.render(
            http,
            "error.html",
            status=503,
            lang=lang,
            title="Decision log unavailable",
            message=f"The decision log cannot be read right now ({exc}). Nothing is shown rather than something unchecked.",
        )

    # -- last full verification ----------------------------------------------------------------
    def last_verification(self) -> dict | None:
        try:
            return json.loads(verification_file().read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def save_verification(self, result: dict, by: str) -> dict:
        record = {**result, "at": datetime.now(UTC).isoformat(timespec="seconds"), "by": by}
        path = verification_file()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(record), encoding="utf-8")
        return record


def safe_next(value: Any) -> str:
    """Where to go after sign-in: a path on this site only."""
    if isinstance(value, str) and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"
