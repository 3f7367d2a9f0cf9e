"""What every page shares: the gateway it is served by, sign-in, CSRF, templates, the log as rows."""

from __future__ import annotations

import json
import logging
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.datastructures import FormData
from starlette.requests import Request as HttpRequest
from starlette.responses import HTMLResponse, RedirectResponse, Response

from sanctuary import config
from sanctuary.audit import AuditError
from sanctuary.errors import SanctuaryError
from sanctuary.events import Events
from sanctuary.gateway.credentials import OVERSIGHT_ROLES, STAFF_ROLES
from sanctuary.gateway.services import Unavailable
from sanctuary.gateway.shared import shared_database
from sanctuary.policy.engine import PolicyEngine
from sanctuary.policy.errors import PolicyError
from sanctuary.policy.profiles import available
from sanctuary.web import i18n, labels, laws
from sanctuary.web.deployment import deployment
from sanctuary.web.desk import plain_category
from sanctuary.web.i18n import N_
from sanctuary.web.record import PublicRecord, open_record
from sanctuary.web.sessions import Session, Sessions, SharedSessions, csrf_ok, set_cookie
from sanctuary.web.signin import Attempts, SharedAttempts, trusted_proxies

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
LANG_COOKIE = "sanctuary_lang"  # the language a reader chose with ?lang=, kept for the pages that follow
INLINE_CATCH_UP = 20_000  # log entries a page request counts itself; a larger backlog is counted apart
event = Events("sanctuary.web")


class LogUnavailable(SanctuaryError):
    """The decision log cannot be opened or read; pages say so instead of showing stale or no data."""

    def __init__(self, reason: str) -> None:
        super().__init__("log", reason)
        self.args = (reason,)


def verification_file() -> Any:
    return config.home() / "web-last-verification.json"


class Site:
    def __init__(self, gw: Gateway, contacts_file: Path | None = None) -> None:
        self.gw = gw
        shared = shared_database(gw.cfg.log_url or config.log_url())
        self.sessions: Sessions | SharedSessions = Sessions() if shared is None else SharedSessions(shared)
        self.attempts: Attempts | SharedAttempts = Attempts() if shared is None else SharedAttempts(shared)
        self.proxies = trusted_proxies()
        self._record: PublicRecord | None = None
        self._record_lock = threading.Lock()
        self._counting: threading.Thread | None = None
        self.contacts_file = contacts_file
        self._clauses: dict[str, dict[str, Any]] = {}
        self.deployment = deployment(gw.cfg.jurisdiction, gw.cfg.profiles)  # whom the pages speak for
        self.envs = {lang: self._environment(lang) for lang in i18n.languages()}

    def _environment(self, lang: str) -> Environment:
        """The templates in one language: its catalog installed for `{% trans %}` and `_()`."""
        env = Environment(
            loader=PackageLoader("sanctuary.web", "templates"),
            autoescape=select_autoescape(["html"]),
            trim_blocks=True,
            lstrip_blocks=True,
            extensions=["jinja2.ext.i18n"],
        )
        env.install_gettext_translations(i18n.translations(lang), newstyle=True)  # type: ignore[attr-defined]
        words = i18n.gettext_for(lang)
        in_context = i18n.translations(lang).pgettext
        env.filters["kind"] = lambda k: words(labels.KINDS.get(k, k))
        env.filters["family"] = lambda f: words(labels.FAMILY_LABELS.get(f, f))
        env.filters["outcome"] = lambda o: words(labels.OUTCOMES.get(o, o))
        env.filters["outcome_one"] = lambda o: in_context(*labels.OUTCOME[o]) if o in labels.OUTCOME else o
        env.filters["cite"] = lambda c: i18n.citation(c, lang)
        env.filters["agency"] = lambda agency_id: self.agency_name(agency_id, lang)
        env.filters["document"] = lambda d: words(labels.DOCUMENTS.get(d, d))
        env.filters["role"] = lambda r: words(labels.ROLES.get(r, r))
        env.filters["purpose"] = lambda p: words(labels.PURPOSES.get(p or "", p))
        env.filters["topic"] = lambda t: words(labels.CUSTODY_TOPICS.get(t, t))
        env.filters["search"] = lambda s: words(labels.SEARCHES.get(s, s))
        env.filters["category"] = lambda c: plain_category(c, lang)
        env.globals.update(
            languages=i18n.languages(),
            language_name=i18n.language_name,
            document_names=labels.DOCUMENTS,
            held_reasons=labels.HELD_REASONS,
            channel_names=labels.CHANNELS,
            brand=self.deployment.brand(lang),
            department=self.deployment.department(lang),
        )
        return env

    def clauses(self, lang: str) -> dict[str, Any]:
        """Citation -> its name and plain words in `lang` (`laws.Clause`): the rules in force, then
        those of every shipped profile, since a log can hold decisions made under earlier law."""
        found = self._clauses.get(lang)
        if found is None:
            found = {}
            for name in available():
                try:
                    found.update(laws.clauses(PolicyEngine.load([name], self.gw.policy.registry), lang))
                except PolicyError:
                    continue
            found.update(laws.clauses(self.gw.policy.engine, lang))
            self._clauses[lang] = found
        return found

    def agency_name(self, agency: str | None, lang: str) -> str:
        """A registered agency, named by its id or its name, as a reader of `lang` knows it (the
        registry's name, or the glossary's); an unregistered one as given."""
        if not agency:
            return ""
        found = self.gw.policy.registry.resolve(agency)
        if found is None:
            return agency
        return (i18n.agency_name(found.id, lang) or found.id) if lang != i18n.SOURCE else found.name

    def lang(self, http: HttpRequest) -> str:
        """The reader's language: `?lang=`, else the one they last chose (a cookie), else the
        browser's preference, else English. Every page, the staff's included, follows it."""
        return i18n.negotiate(http.query_params.get("lang") or http.cookies.get(LANG_COOKIE), http.headers.get("accept-language"))

    def text(self, lang: str, message: str, **values: Any) -> str:
        """A message of the catalogs (marked with N_ where it is written) in `lang`, filled in."""
        translated = i18n.gettext_for(lang)(message)
        return translated % values if values else translated

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
            return self.error(
                http,
                403,
                N_("Not allowed"),
                N_("You are signed in as %(role)s staff: this page is for %(roles)s staff."),
                role=session.role,
                roles=" / ".join(roles),
            )
        return session

    async def form(self, http: HttpRequest) -> tuple[Session, FormData] | Response:
        """The POSTed form and its session, if it carries the session's CSRF token; else a refusal page."""
        form = await http.form()
        session = self.session(http)
        token = form.get("csrf")
        if session is not None and csrf_ok(session, token if isinstance(token, str) else None):
            return session, form
        event(logging.INFO, "csrf_refused", path=http.url.path)
        return self.error(
            http,
            403,
            N_("Form expired"),
            N_("This form was not sent from a page of this site, or it expired. Go back, reload the page and send it again."),
        )

    async def staff_form(self, http: HttpRequest, roles: tuple[str, ...]) -> tuple[Session, FormData] | Response:
        """`form`, for a signed-in session whose role is one of `roles`."""
        guard = self.require(http, roles)
        return guard if isinstance(guard, Response) else await self.form(http)

    # -- pages -------------------------------------------------------------------------------
    def render(
        self,
        http: HttpRequest,
        template: str,
        status: int = 200,
        lang: str | None = None,
        headers: dict[str, str] | None = None,
        **ctx: Any,
    ) -> HTMLResponse:
        """Render a page in `lang` (default: the reader's, `lang`); a visitor without a session gets
        one, so every form can carry a CSRF token. A language chosen with `?lang=` is kept (a cookie)
        for the pages that follow, forms and redirects included."""
        session = self.session(http)
        fresh = session is None
        if session is None:
            session = self.sessions.new()
        lang = lang or self.lang(http)
        others = urlencode([(k, v) for k, v in http.query_params.multi_items() if k != "lang"])
        html = (
            self.envs[lang]
            .get_template(template)
            .render(
                me=session if session.user else None,
                csrf=session.csrf,
                lang=lang,
                query_without_lang=others,
                path=http.url.path,
                **ctx,
            )
        )
        response = HTMLResponse(html, status_code=status, headers={**HEADERS, **(headers or {})})
        if fresh:
            set_cookie(response, session)
        asked = http.query_params.get("lang")
        if asked in i18n.languages() and asked != http.cookies.get(LANG_COOKIE):
            response.set_cookie(LANG_COOKIE, asked, max_age=365 * 24 * 3600, httponly=True, samesite="strict")
        return response

    # -- the decision log --------------------------------------------------------------------
    def decision_log(self) -> Any:
        try:
            return self.gw.log.get()
        except Unavailable as exc:
            raise LogUnavailable(str(exc)) from None

    def public_record(self) -> tuple[PublicRecord, int]:
        """The public record of the log and the log's size now.

        A request counts the entries appended since the last one itself (up to INLINE_CATCH_UP of
        them); a larger backlog (a first start over a large log) is counted by a background thread
        while the pages show what is counted so far and say how far the count has got.
        """
        decision_log = self.decision_log()
        with self._record_lock:
            if self._record is None:
                self._record = open_record(decision_log.url, self.gw.policy.registry)
            public = self._record
        try:
            size = decision_log.size()
            if abs(size - public.upto()) <= INLINE_CATCH_UP:
                public.catch_up(decision_log, wait=False)
            else:
                self._count_in_background(public, decision_log)
        except (AuditError, ValueError, KeyError) as exc:
            raise LogUnavailable(f"decision log unreadable: {exc}") from None
        except Unavailable as exc:  # the replicas' shared totals
            raise LogUnavailable(str(exc)) from None
        return public, size

    def _count_in_background(self, public: PublicRecord, decision_log: Any) -> None:
        with self._record_lock:
            if self._counting is not None and self._counting.is_alive():
                return

            def count() -> None:
                try:
                    public.catch_up(decision_log)
                except Exception as exc:  # noqa: BLE001 - logged; the next request tries again
                    event(logging.INFO, "public_record_failed", reason=str(exc))

            self._counting = threading.Thread(target=count, name="public-record", daemon=True)
            self._counting.start()

    def log_down(self, http: HttpRequest, exc: LogUnavailable) -> HTMLResponse:
        event(logging.INFO, "log_unavailable", path=http.url.path, reason=str(exc))
        return self.error(
            http,
            503,
            N_("Decision log unavailable"),
            N_("The decision log cannot be read right now (%(reason)s). Nothing is shown rather than something unchecked."),
            reason=str(exc),
        )

    def error(self, http: HttpRequest, status: int, title: str, message: str, **values: Any) -> HTMLResponse:
        """An error page in the site's layout and the reader's language (`title`, `message`: msgids)."""
        lang = self.lang(http)
        return self.render(
            http, "error.html", status=status, lang=lang, title=self.text(lang, title), message=self.text(lang, message, **values)
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
