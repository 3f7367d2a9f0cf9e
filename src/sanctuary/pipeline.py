"""The decision pipeline every request takes, in this order (stated here only):

    read -> screen -> resolve -> facts -> decide, with the duties it triggers -> fetch -> record -> hand out

read: the bytes against the contract (`models`); screen: the purpose screen over every free-text
field; resolve: the requester and everyone it is made for, from the registry; facts: about the
subject from the department's records, documents classified (claims when the body is not the
department's); decide: the rules and the duties' conditions, judged together and cached
(`Pipeline.decide`); fetch: what a permit allows, fetched and checked by the caller's fetch
step (the store, a proxied system), held back; record: the decision, what it releases and its duty
entries, one commit (`sanctuary.recording`); only then is anything handed out.

One request path (`RequestPath.handle_raw`) serves `sanctuary decide`, the Python API, the gateway's
API and the request desk, so no rule exists twice. Data flows one way: nothing is handed out that
was not decided and recorded first, and any failure on the way (bad input, unknown agency, policy
error, log or store down, deadline) ends in a deny that says why, with its kind in
`Decision.failure` (set where it happens, never read back from the explanation).
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable, Collection, Iterable
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

from sanctuary.agencies import Agency, Registry
from sanctuary.audit import DecisionLog
from sanctuary.duties.book import DutyBook
from sanctuary.duties.ledger import duty_entry
from sanctuary.egress import asked_categories, public_categories
from sanctuary.models import (
    SELF,
    Decision,
    Document,
    Failure,
    ForeignRequester,
    Held,
    Request,
    RequestError,
    Unregistered,
    parse_request,
    read_json,
)
from sanctuary.policy.courts import prosecutor_subpoenas
from sanctuary.policy.declarations import read_declarations
from sanctuary.policy.disclosure import Disclosure, Judgement, judge
from sanctuary.policy.engine import DEFAULT_DENY, HOME_STATE, Evaluation, PolicyEngine, Query
from sanctuary.policy.errors import PolicyError
from sanctuary.policy.facts import (
    NO_SOURCE,
    TOPIC_CATEGORIES,
    TOPICS,
    Facts,
    FactSource,
    Identity,
    claimed_carveouts,
    claims_of,
    derive,
    direct_access,
    free_text,
    subject_of,
)
from sanctuary.policy.immigration import by_words
from sanctuary.policy.jurisdictions import in_force
from sanctuary.policy.profiles import PROFILES, expand
from sanctuary.recording import recorder
from sanctuary.screening import DocumentClass, PurposeScreen, classify, screen_fields
from sanctuary.screening.documents import ATTESTATIONS
from sanctuary.screening.purpose import BIDI_RULE, CIVIL_IMMIGRATION, NEEDS_REVIEW

UNREGISTERED = "unregistered requester"
FAIL_CLOSED = "Fail closed: the request could not be decided"
DATA_KINDS = ("database_query", "custody_inquiry")  # the kinds whose permit releases records
CACHE_LIMIT = 100_000
READ_LIMIT = 10_000  # request contents read and kept (Pipeline._read)
VERIFICATION_REQUIRED = "Held: a document must be verified"
OFFICER_REFUSAL = "Refused by an officer: a request held for review, closed without being acted on"


# The entries that follow a decision's own in the log, given its index: the duties it triggers.
Followers = Callable[[int], list[bytes]]


class Recorder(Protocol):
    """The decision log, as the pipeline sees it: durable when `record` returns, or when the future
    `record_later` gives is done (its index, or the error). `then`: the entries committed with the
    decision's, in the same transaction (both or neither), built once its index is known."""

    def record(
        self, request: Request, decision: Decision, disclosed: list[dict[str, Any]] | None = None, then: Followers | None = None
    ) -> int: ...

    def record_later(
        self, request: Request, decision: Decision, disclosed: list[dict[str, Any]] | None = None, then: Followers | None = None
    ) -> Future[int]: ...

    def record_refusal(self, raw: bytes, decision: Decision) -> int: ...


# A fetch step fetches what a permitted decision hands out, held back until it is recorded: (result, disclosed [{record_id, fields}]).
Fetch = Callable[[Request, Decision], tuple[Any, list[dict[str, Any]]]]
# What a pipeline records to: a recorder, or a decision log (its entries encoded by sanctuary.recording).
Log = Recorder | DecisionLog | None
# Readies a parsed request for serving, before it is decided: its fetch step (None: nothing to hand
# out). A request that cannot be served as asked raises RequestError naming the field: it is refused.
Prepare = Callable[[Request], Fetch | None]


@dataclass(frozen=True)
class Parties:
    requester: Agency
    beneficiaries: tuple[Agency, ...]  # on whose behalf: declared in on_behalf_of or named in a free-text field
    acting: tuple[Agency, ...] = ()  # every agency judged: each reading of the requester and of each proxy


@dataclass(frozen=True)
class Read:
    """What a request's content alone decides (`Pipeline._read_request`): the same for every request
    that differs from it only in its id. `judged`: what it is judged by, per carve-outs the subject
    meets (looked up for every request)."""

    who: Identity | None  # the one person it is about (`subject_of`), None: it names no one
    purpose: PurposeScreen
    attested: PurposeScreen  # the screen with every attestation's text set aside (`facts.free_text`)
    parties: Parties
    claimed: list[DocumentClass]
    asked: frozenset[str]
    review: tuple[tuple[str, str], ...] | None
    claims: list[str] | None  # None: trusted input, its statements are not claims
    public: frozenset[str] = frozenset()  # the categories asked the department states it publishes (`_judgement`)
    judged: dict[frozenset[str], Judged] = field(default_factory=dict)


@dataclass
class Judged:
    """A request's content under the carve-outs its subject meets: the facts it is judged by, those
    with its claimed documents counted (None: it claims none), the decision cache's key (every input
    `Pipeline._judge_held` reads) and, once decided, the decision."""

    facts: Facts
    hypothesis: Facts | None
    key: tuple[Any, ...]
    template: Decision | None = None


@dataclass
class Outcome:
    """A handled request: the decision, what it hands out, and (refused before deciding) the error."""

    decision: Decision
    result: Any = None
    request: Request | None = None  # None: the request could not be read
    refused: RequestError | None = None  # why it was refused before it was decided (field, reason)
    recording: Future[int] | None = None  # the log entry, still being committed (`act(defer=True)`)

    def recorded(self, index: int) -> Outcome:
        """This outcome, its log entry durable at `index`."""
        self.decision.log_index = index
        return Outcome(self.decision, self.result, self.request, self.refused)

    def unrecorded(self, error: BaseException) -> Outcome:
        """A deny that hands out nothing, since the decision could not be recorded (`error`):
        unrecorded means not acted on."""
        return Outcome(_fail(self.decision, f"decision log unavailable: {error}", Failure.log), request=self.request)

    def settled(self) -> Outcome:
        """This outcome once `recording` is done (waiting for it if it is not): recorded or unrecorded."""
        if self.recording is None:
            return self
        try:
            return self.recorded(self.recording.result())
        except Exception as exc:  # noqa: BLE001 - the log's error, handed over by the committer
            return self.unrecorded(exc)


def screen_request(request: Request, attested: Collection[Document] = ()) -> PurposeScreen:
    """The purpose screen over every free-text field of the request (FREE_TEXT), judged together.
    A screen that flags immigration or asks for review only because an agency is named makes that
    agency a beneficiary, judged as if it had asked (one rule path for direct and indirect
    requests), not an immigration purpose by itself. That holds for a unit whose name the screen
    reads as a purpose ("Border Patrol", "ERO"): its name is set aside and the words are screened
    again without it (the agency stays named, judged by its own mission), so "alien smuggling case"
    for Border Patrol is the criminal case it says it is. `attested`: verified documents whose
    attestation text is set aside (`facts.free_text`)."""
    fields = free_text(request, attested)
    screened = screen_fields(fields)
    names = [
        e
        for e in screened.evidence
        if e.field in fields and (e.rule.startswith("agency:") or e.rule.removeprefix("unit:") in screened.agencies)
    ]
    if screened.category in (CIVIL_IMMIGRATION, NEEDS_REVIEW) and names:
        masked = dict(fields)
        for e in sorted(names, key=lambda e: e.start, reverse=True):
            where = str(e.field)
            text = masked[where]
            masked[where] = text[: e.start] + " " * (e.end - e.start) + text[e.end :]
        words = screen_fields(masked)
        screened = replace(words, agencies=screened.agencies, evidence=(*words.evidence, *names))
    return by_words(screened)


def review_evidence(purpose: PurposeScreen, read: Collection[int] = ()) -> tuple[tuple[str, str], ...] | None:
    """(rule, field) of each piece of the screen's evidence: what a hold for review rests on, or None:
    nothing to hold. `read`: the indices of documents an officer has verified as a judge's (at the
    department's own tool, its statement of the papers). Verifying a judge's paper is reading it, so
    its words hold nothing for review; they are still screened, and what they say of the purpose
    still counts (a civil immigration matter stays one)."""
    skip = tuple(f"documents[{i}]." for i in read)
    found = {(e.rule, e.field or "purpose.text") for e in purpose.evidence}
    return tuple(sorted((rule, where) for rule, where in found if not any(where.startswith(s) for s in skip))) or None


@lru_cache(maxsize=4096)
def _classify(document: Document) -> DocumentClass:
    """Documents repeat across requests (the same form types and fields): classify each once."""
    return classify(document)


def _content(request: Request) -> str:
    """The whole request but its id, serialised: what a request's content alone decides is read
    once per content (`Pipeline._read`)."""
    return Request.__pydantic_serializer__.to_json(request, exclude={"id"}).decode()


def judged_as_data(request: Request) -> bool:
    """Whether a request is judged for every data category too (policy.disclosure): a data request, or
    an agreement giving direct access to the department's data (a standing query for whatever the
    system holds: `policy.facts.direct_access`), whose permit still releases nothing."""
    return request.kind.value in DATA_KINDS or direct_access(request)


def held_reference(request: Request) -> str:
    """A stable reference for a held request: the same request always gets the same one."""
    return "H-" + hashlib.sha256(request.model_dump_json().encode()).hexdigest()[:16]


class RequestPath:
    """The pipeline's order (module docstring), for any way of deciding: the one path every entry point
    takes (CLI, gateway API, request desk), so a failure anywhere is a typed deny that is recorded."""

    registry: Registry
    log: Recorder | None
    profiles: list[str]
    policy_hash: str
    duties: DutyBook | None = None  # the duties the policy set imposes (its profiles' duties.toml)

    def decide(self, request: Request) -> Decision:
        raise NotImplementedError

    def serving(self, log: Log, facts: FactSource | None) -> RequestPath:
        """This path as built (nothing loaded or compiled again), recording to `log`, with facts about
        a subject from `facts` (the department's records): a server builds the law once and serves
        it through each of its doors."""
        raise NotImplementedError

    def record(self, request: Request, decision: Decision, disclosed: list[dict[str, Any]] | None = None) -> int:
        """Record a decision (and what it handed out) with the entries of the duties it triggers, in
        one commit; durable when it returns. Returns the decision's index."""
        assert self.log is not None
        return self.log.record(request, decision, disclosed, then=self._duty_entries(request, decision))

    def _duty_entries(self, request: Request, decision: Decision) -> Followers | None:
        """The entries of the duties `decision` carries, each naming the decision's index."""
        if not decision.duties or self.duties is None:
            return None
        owed = [self.duties.by_id[d] for d in decision.duties]
        return lambda index: [duty_entry(d, index, request.kind.value, decision) for d in owed]

    # -- read ------------------------------------------------------------------------------
    def read(self, raw: str | bytes, agency: str | None = None) -> Request:
        """The request in `raw`; RequestError names the field. With `agency` (the registry id a
        credential speaks for) the request is made in its name: a body naming another is refused."""
        body = read_json(raw)
        if not isinstance(body, dict):
            raise RequestError("body", "must be a JSON object (a request)")
        if agency is None:
            return parse_request(body)
        if agency == SELF:  # a key issued for it would let its holder bind herself to anyone
            raise ForeignRequester(
                "requester.agency",
                f"no key speaks for {SELF}: a person's request for her own records is entered at the department's desk, "
                "after an identity check (requester.person_id)",
            )
        requester = body.get("requester", {})
        if not isinstance(requester, dict):
            raise RequestError("requester", "must be an object")
        claimed = requester.get("agency")
        if claimed is not None:
            resolved = self.registry.resolve(claimed) if isinstance(claimed, str) else None
            if resolved is None or resolved.id != agency:
                raise ForeignRequester(
                    "requester.agency", f"this key belongs to {agency}; it cannot make requests as {str(claimed)[:200]!r}"
                )
        body["requester"] = {**requester, "agency": agency}
        return parse_request(body)

    def decide_raw(self, raw: str | bytes | dict[str, Any]) -> tuple[Request | None, Decision]:
        """Parse and decide one request; bad input is a deny naming the field, never an exception."""
        try:
            request = parse_request(raw)
        except RequestError as exc:
            return None, self.refusal(request_id_of(raw), exc)
        return request, self.decide(request)

    def refusal(self, request_id: str, exc: RequestError, citation: str = FAIL_CLOSED) -> Decision:
        return refused(request_id, str(exc), exc.failure, profiles=self.profiles, policy_hash=self.policy_hash, citation=citation)

    # -- fetch -> record -> hand out ----------------------------------------------------------
    def handle_raw(self, raw: str | bytes, prepare: Prepare | None = None, *, agency: str | None = None, defer: bool = False) -> Outcome:
        """`handle` for bytes as received (see `read`): a request that cannot be read, or that
        `prepare` cannot serve, is refused before it is decided, and recorded too (its hash).
        `defer`: see `act`."""
        try:
            request = self.read(raw, agency)
            fetch = prepare(request) if prepare is not None else None
        except RequestError as exc:
            decision = self.refusal(request_id_of(raw), exc)
            if self.log is not None:
                data = raw.encode() if isinstance(raw, str) else raw
                try:
                    decision.log_index = self.log.record_refusal(data, decision)
                except Exception as log_exc:  # the refusal stands; say the log did not take it
                    decision = _fail(decision, f"decision log unavailable: {log_exc}", Failure.log, keep_citations=True)
            return Outcome(decision, refused=exc)
        return self.handle(request, fetch, defer=defer)

    def handle(self, request: Request, fetch: Fetch | None = None, *, defer: bool = False) -> Outcome:
        """Decide, prepare what a permit hands out, record (durably), and only then release it."""
        return self.act(request, self.decide(request), fetch, defer=defer)

    def act(self, request: Request, decision: Decision, fetch: Fetch | None = None, *, defer: bool = False) -> Outcome:
        """Hand out what a decided request permits, record (durably), and only then release it.

        `defer`: return as soon as the entry is queued, with the commit in `Outcome.recording`; the
        caller waits for it and releases nothing before `Outcome.settled()` says it is recorded (the
        gateway waits on its event loop, so no worker thread sleeps through the commit)."""
        result, disclosed = None, None
        if decision.decision == "permit" and fetch is not None:
            try:
                result, disclosed = fetch(request, decision)
            except TimeoutError as exc:  # the deadline passed while the store was asked
                decision = _fail(decision, f"timeout: {exc}", Failure.timeout)
                result, disclosed = None, None
            except Exception as exc:  # the store (or a proxied system) failed: deny, hand out nothing
                failure = getattr(exc, "failure", None)  # a fetch step may name its own kind (upstream, upstream_timeout)
                decision = _fail(decision, str(exc) if failure else f"store unavailable: {exc}", failure or Failure.store)
                result, disclosed = None, None
        outcome = Outcome(decision, result, request)
        if self.log is None:
            return outcome
        try:
            if defer:
                outcome.recording = self.log.record_later(request, decision, disclosed, then=self._duty_entries(request, decision))
                return outcome
            return outcome.recorded(self.record(request, decision, disclosed))
        except Exception as exc:
            return outcome.unrecorded(exc)


class Unloaded(RequestPath):
    """The path under a policy set that did not load: every request is denied with the reason (a
    policy failure), and recorded like any other decision."""

    def __init__(self, profiles: list[str], registry: Registry, error: str, log: Log = None) -> None:
        self.profiles = profiles
        self.registry = registry
        self.error = error
        self.log: Recorder | None = recorder(log)
        self.policy_hash = ""

    def serving(self, log: Log, facts: FactSource | None) -> Unloaded:
        return Unloaded(self.profiles, self.registry, self.error, log)

    def decide(self, request: Request) -> Decision:
        return refused(
            request.id,
            self.error,
            Failure.policy,
            profiles=self.profiles,
            explanation=f"Denied: the policy set did not load ({self.error}); nothing was handed out.",
        )


def load_pipeline(
    profiles: list[str],
    registry: Registry,
    params: dict[str, list[str]] | None = None,
    log: Log = None,
    *,
    jurisdiction: str | None = None,
    declarations: Path | None = None,
    facts: FactSource | None = None,
    trusted: bool = False,
    root: Path = PROFILES,
) -> RequestPath:
    """`build_pipeline`, or if the law in force does not load, the path that denies (and records)
    every request, saying why: what a server runs."""
    try:
        jurisdiction = in_force(jurisdiction, profiles)
    except PolicyError as exc:  # the jurisdictions file does not load
        return Unloaded(profiles, registry, f"policy: {exc}", log)
    try:
        return build_pipeline(
            profiles, registry, params, log, jurisdiction=jurisdiction, declarations=declarations, facts=facts, trusted=trusted, root=root
        )
    except PolicyError as exc:
        names = profiles if jurisdiction is None else [jurisdiction, *profiles]
        return Unloaded(names, registry, f"policy: {exc}", log)


def build_pipeline(
    profiles: list[str],
    registry: Registry,
    params: dict[str, list[str]] | None = None,
    log: Log = None,
    *,
    jurisdiction: str | None = None,
    declarations: Path | None = None,
    declared: Iterable[str] = (),
    home_state: str | None = None,
    facts: FactSource | None = None,
    trusted: bool = False,
    root: Path = PROFILES,
) -> Pipeline:
    """The one place a pipeline is built, for every entry point (the API, `sanctuary decide`, the
    gateway, the proxy and the hook, the pages, the policy tools): the law in force — a
    jurisdiction (with `profiles` composed on top), the profiles alone, or with neither the
    configured default jurisdiction (`in_force`) — with the duties it imposes. PolicyError when it
    does not load. A registry is loaded by the caller: one that does not load is a start-up error.
    `declarations`: the 625 ILCS 5/2-130 declarations on file (CSV); `declared`: agency ids whose
    declaration is on file besides (a scenario table's). `home_state`: the state profiles decided
    without a jurisdiction are read in (default: `HOME_STATE`); a jurisdiction has its own, and
    giving both is a PolicyError. `facts`: the department's
    records. `trusted`: the input's facts and documents are the department's (`sanctuary decide`,
    the policy tools)."""
    jurisdiction = in_force(jurisdiction, profiles)
    on_file = (read_declarations(declarations, registry).agencies if declarations else frozenset()) | set(declared)
    if jurisdiction is None:
        home = home_state or HOME_STATE
        engine = PolicyEngine(expand(profiles, root), registry, params or {}, root=root, declarations=on_file, home_state=home)
    elif home_state is not None:
        raise PolicyError("home_state", f"{jurisdiction} has its own home state")
    else:
        engine = PolicyEngine.for_jurisdiction(
            jurisdiction, registry, params or {}, extra_profiles=profiles, declarations=on_file, root=root
        )
    return Pipeline(engine, log, facts=facts, trusted=trusted, duties=DutyBook.for_engine(engine, root))


class Pipeline(RequestPath):
    """Decide requests under one policy engine.

    `facts`: the department's records, consulted for facts about the subject (the gateway: the
    records store). `trusted`: the input is the department's own (`sanctuary decide` by default):
    its facts and documents count as the department's; otherwise (an outside body) they are claims,
    recorded and never decisive, and a request only a claimed document could open is held.
    `stated_crime`: a criminal purpose the requester states (a declared category or words naming a
    crime, both claims) lifts the 287(g)/ERO presumption; None (the default): as the law in force
    says (`PolicyEngine.stated_crime`, each profile's `stated_purpose` parameter, restrictive unless
    every profile that speaks to it turns it on).
    `duties`: the duties the policy set imposes, judged with each decision (none without a book)."""

    def __init__(
        self,
        engine: PolicyEngine,
        log: Log = None,
        *,
        cache: bool = True,
        facts: FactSource | None = None,
        trusted: bool = False,
        stated_crime: bool | None = None,
        duties: DutyBook | None = None,
    ):
        self.engine = engine
        self.duties = duties
        # The rules and the duties' conditions in one Cedar request per acting agency; None: the reference judges
        self.disclosure = Disclosure.compile(engine, duties.conditions if duties is not None else ())
        self.stated_crime = engine.stated_crime if stated_crime is None else stated_crime
        self.registry = engine.registry
        self.profiles = engine.names
        self.policy_hash = engine.policy_hash
        self.log: Recorder | None = recorder(log)
        self.fact_source = facts
        self.trusted = trusted
        # An outside request must name one person, alike, where facts about the person decide
        # (`subject_of`); at the department's own tool the subject is its statement of who it is.
        self.one_person = engine.reads_subject and not trusted
        # Decisions repeat (real request streams do). The key holds every input _judge reads
        # except what is copied in per request (id, claims, sources), so a cached decision is the
        # decision; tests compare both ways.
        self._cache: dict[tuple[Any, ...], Decision] | None = {} if cache else None
        # Request streams repeat their content under new ids: what the content alone decides (the
        # checks, the screen, the parties, the documents, and per carve-outs the facts) is read once
        # per content, the whole request but its id (read only when the decision is copied out).
        self._read: dict[tuple[str, bool], Read] | None = {} if cache else None

    def serving(self, log: Log, facts: FactSource | None) -> Pipeline:
        path = copy.copy(self)  # the engine, the duties and the compiled disclosure are shared
        path.log, path.fact_source = recorder(log), facts
        # its own caches: decisions (and contents read, with the decisions they hold) over these facts only
        path._cache = None if self._cache is None else {}
        path._read = None if self._read is None else {}
        return path

    # -- resolve -------------------------------------------------------------------------
    def resolve(self, request: Request, purpose: PurposeScreen) -> Parties:
        requester = self.registry.resolve(request.requester.agency)
        if requester is None:
            raise Unregistered("requester.agency", f"{UNREGISTERED}: {request.requester.agency!r}")
        beneficiaries: list[Agency] = []
        if request.on_behalf_of:
            declared = self.registry.resolve(request.on_behalf_of)
            if declared is None:
                raise Unregistered("on_behalf_of", f"{UNREGISTERED}: {request.on_behalf_of!r}")
            beneficiaries.append(declared)
        for agency_id in purpose.agencies:
            named = self.registry.resolve(agency_id)
            if named is None:
                where = next((e.field for e in purpose.evidence if e.field and e.rule.endswith(agency_id)), None)
                raise RequestError(where or "purpose.text", f"names agency {agency_id!r}, which is not in the registry")
            beneficiaries.append(named)
        unique = tuple({a.id: a for a in beneficiaries if a.id != requester.id}.values())
        acting = {a.id: a for a in self.registry.readings(requester.id)}
        for beneficiary in unique:
            acting.update((a.id, a) for a in self.registry.readings(beneficiary.id))
        if request.kind.value == "custody_inquiry":
            unknown = set(request.resource.fields) - set(TOPICS) - TOPIC_CATEGORIES.keys()
            if unknown:
                raise RequestError("resource.fields", f"unknown custody topic(s) {sorted(unknown)}; use {', '.join(TOPICS)}")
        for i, document in enumerate(request.documents):
            strange = sorted(c for c in document.compels or () if c not in self.engine.vocabulary)
            if strange:
                raise RequestError(
                    f"documents[{i}].compels", f"unknown data categor(ies) {strange}: name categories or groups of the data vocabulary"
                )
        return Parties(requester, unique, tuple(acting.values()))

    def bind_self(self, request: Request, requester: Agency, who: Identity | None) -> None:
        """A self-request (requester `SELF`) is bound to its subject by the department, or refused
        naming the field: the person the department's identity check found the requester to be
        (`requester.person_id`, entered at the desk) is the subject's person_id. At the department's
        own tool (`trusted`) the request is its statement: `SELF` with a subject's person_id says the
        subject asks; a search it makes names her by that person_id (a plate or a name may find another
        person). `requester.person_id` on anyone else's request is refused: it binds no agency."""
        checked = request.requester.person_id
        if requester.id != SELF:
            if checked is not None:
                raise RequestError("requester.person_id", f"only a person's request for her own records (requester {SELF}) carries it")
            return
        subject = who.person_id if who is not None else None
        if subject is None:
            raise RequestError("subject.person_id", "a person's request for her own records names her by the person_id of her record")
        if checked is None and not self.trusted:
            raise RequestError(
                "requester.person_id",
                "a person's request for her own records must be bound to the subject by the department: the person_id its "
                "identity check (her identification, at the desk) found her to be",
            )
        if checked is not None and checked.strip() != subject.strip():
            raise RequestError(
                "requester.person_id, subject.person_id",
                "the person the identity check found the requester to be is not the subject: a person may ask only for her own records",
            )
        search = request.resource.search
        if search is not None and search.person_id is None:  # a plate or a name is not her identity (`subject_of`)
            raise RequestError(
                "resource.search",
                "a person's request for her own records searches by the person_id of her record: a plate or a name may find "
                "another person's records",
            )

    # -- facts ---------------------------------------------------------------------------
    def subject(self, request: Request, who: Identity | None) -> tuple[frozenset[str], str]:
        """The carve-outs the subject meets and where that came from. The records win over a
        statement; a requester's statement is only a claim. The person looked up is `who`, the
        request's one subject (`subject_of`: a request naming two people is refused before this)."""
        if not self.engine.reads_subject:
            return frozenset(), "not consulted: no rule in force turns on facts about the subject"
        statement = claimed_carveouts(request.subject)
        records = None
        if self.fact_source is not None:
            who = who or Identity()
            records = self.fact_source.lookup(who.person_id, who.name, who.dob)
            if records.several and self.one_person:
                raise who.several()
        if records is None:
            if self.trusted:
                return statement, "department statement (sanctuary decide input)"
            return frozenset(), NO_SOURCE.source
        source = records.source if records.found else f"{records.source} (unknown: carve-outs read as not met)"
        if records.in_custody is not None:
            source += "; in custody" if records.in_custody else "; not in custody"
        if self.trusted and statement != records.carveouts:
            said = ", ".join(sorted(statement)) or "none"
            shown = ", ".join(sorted(records.carveouts)) or "none"
            source += f"; the statement (carve-outs: {said}) disagrees with the records (carve-outs: {shown}): the records decide"
        return records.carveouts, source

    def facts(
        self,
        request: Request,
        parties: Parties,
        purpose: PurposeScreen,
        documents: list[DocumentClass] | None = None,
        carveouts: frozenset[str] = frozenset(),
        attested: Collection[Document] = (),
    ) -> Facts:
        return derive(
            request,
            purpose=purpose,
            acting=parties.acting or (parties.requester, *parties.beneficiaries),
            documents=[_classify(d) for d in request.documents] if documents is None else documents,
            carveouts=carveouts,
            dropped_carveouts=self.engine.dropped_carveouts,
            stated_crime=self.stated_crime,
            public_data=self.trusted and request.resource.publicly_available_to_anyone,
            requester=parties.requester,
            # bound to the subject, or refused (`bind_self`); opened only where every profile speaks to it
            self_request=parties.requester.id == SELF and self.engine.self_requests,
            declaring=frozenset(a.id for a in self.registry.readings(parties.requester.id)),
            attested=attested,
            home_state=self.engine.home_state,  # whose courts bind the department besides the federal courts
        )

    # -- decide --------------------------------------------------------------------------
    def decide(self, request: Request, *, verified: list[Document] | None = None, reviewed: bool = False) -> Decision:
        """Decide one request. `verified`: documents an officer has verified (resolving a held
        request); they count whatever the pipeline's trust in the request body. `reviewed`: an
        officer has reviewed the request's words (resolving a hold for review), so the screen's
        needs_review holds nothing."""
        content = None if self._read is None or verified is not None else (_content(request), reviewed)
        read = None if content is None or self._read is None else self._read.get(content)
        if read is None:
            try:
                read = self._read_request(request, reviewed)
            except RequestError as exc:
                return self.refusal(request.id, exc, citation=UNREGISTERED if isinstance(exc, Unregistered) else FAIL_CLOSED)
            if content is not None and self._read is not None:
                if len(self._read) >= READ_LIMIT:
                    self._read.clear()
                self._read[content] = read
        try:
            carveouts, source = self.subject(request, read.who)
        except RequestError as exc:  # the records know several people by the identity given
            return self.refusal(request.id, exc, citation=FAIL_CLOSED)
        except Exception as exc:  # the records did not answer: fail closed, say why
            return self._store_failure(request.id, f"store unavailable: facts about the subject could not be looked up: {exc}")
        known = read.judged.get(carveouts) if verified is None else None
        if known is None:
            known = self._facts_and_key(request, read, carveouts, verified)
            if verified is None:
                read.judged[carveouts] = known
        facts, hypothesis, key = known.facts, known.hypothesis, known.key
        parties, asked, review = read.parties, read.asked, read.review
        template = known.template or (None if self._cache is None else self._cache.get(key))
        if template is None:
            judgement = self._judgement(request, parties, facts, read.public)
            template = self._judge_held(request, parties, facts, judgement, asked, hypothesis, review)
            if self.duties is not None:  # judged by the same queries and facts, cached with the decision
                owed = (
                    self.duties.triggered(self.engine, self._action_queries(request, parties), facts)
                    if judgement.conditions is None
                    else self.duties.owed(judgement.conditions)
                )
                if owed:
                    template = template.model_copy(update={"duties": owed})
            if self._cache is not None:
                if len(self._cache) >= CACHE_LIMIT:
                    self._cache.clear()
                self._cache[key] = template
            known.template = template
        update: dict[str, Any] = {"id": request.id, "facts_source": source, "immigration_purpose": facts.immigration_purpose}
        if read.claims is not None:
            update["claims"] = read.claims
        if template.held is not None:
            update["held"] = template.held.model_copy(update={"reference": held_reference(request)})
        return template.model_copy(update=update)  # lists are never mutated in place

    def _read_request(self, request: Request, reviewed: bool) -> Read:
        """What the request's content alone decides, or RequestError: it is refused."""
        who = subject_of(request, facts_decide=self.one_person)  # one person, or refused naming both fields
        # At the department's own tool its documents are verified; from outside, an attestation's
        # text is read as the request's words until an officer verifies it (`attested`: as if verified).
        purpose = screen_request(request, request.documents if self.trusted else ())
        parties = self.resolve(request, purpose)
        self.bind_self(request, parties.requester, who)
        attesting = not self.trusted and any(d.type in ATTESTATIONS and d.text for d in request.documents)
        return Read(
            who=who,
            purpose=purpose,
            attested=screen_request(request, request.documents) if attesting else purpose,
            parties=parties,
            claimed=[_classify(d) for d in request.documents],
            asked=asked_categories(request) if judged_as_data(request) else frozenset(),
            # the department's statement only (from outside a claim): what it publishes, field by field
            public=public_categories(request) if self.trusted and not request.resource.publicly_available_to_anyone else frozenset(),
            review=(
                review_evidence(purpose, [i for i, d in enumerate(request.documents) if _classify(d).judicial] if self.trusted else ())
                if purpose.category == "needs_review" and not reviewed
                else None
            ),
            claims=None if self.trusted else claims_of(request),
        )

    def _facts_and_key(self, request: Request, read: Read, carveouts: frozenset[str], verified: list[Document] | None) -> Judged:
        """The facts the request is judged by (and, a claimed judicial document, written consent or ALPR
        declaration, by with it counted: such a claim is held for an officer to verify),
        and the decision cache's key: every input `_judge_held` reads."""
        claimed, parties, purpose = read.claimed, read.parties, read.purpose
        attested: Collection[Document] = ()  # the verified documents whose attestation text is set aside
        if verified is not None:
            counted = [d for d in claimed if d.administrative] + [_classify(d) for d in verified]
            purpose, attested = screen_request(request, verified), verified
        elif self.trusted:
            counted, attested = claimed, request.documents
        else:  # an unverified document lifts nothing; a request resting on a detainer still rests on it
            counted = [d for d in claimed if d.administrative]
        facts = self.facts(request, parties, purpose, counted, carveouts, attested)
        hypothesis = None
        if (
            verified is None
            and not self.trusted
            and (any(d.judicial or d.type in ATTESTATIONS for d in claimed) or prosecutor_subpoenas(claimed))
        ):
            hypothesis = self.facts(request, parties, read.attested, claimed, carveouts, request.documents)
        key: tuple[Any, ...] = (tuple(a.id for a in parties.acting), tuple(a.id for a in parties.beneficiaries), request.kind)
        key += (request.resource.system, facts, read.asked, read.public, hypothesis, read.review)
        return Judged(facts, hypothesis, key)

    def _store_failure(self, request_id: str, reason: str) -> Decision:
        return refused(
            request_id, reason, Failure.store, profiles=self.profiles, policy_hash=self.policy_hash, explanation=f"Denied: {reason}."
        )

    def _judge_held(
        self,
        request: Request,
        parties: Parties,
        facts: Facts,
        judgement: Judgement,
        asked: frozenset[str],
        hypothesis: Facts | None,
        review: tuple[tuple[str, str], ...] | None,
    ) -> Decision:
        """The decision, or a hold: when only a claimed document would lift a rule that decides
        (verification_required), or a permit rests on text the screen wants reviewed (needs_review;
        `review`: the screen's evidence, as `review_evidence` gives it)."""
        decision = self._judge(request, parties, judgement, asked)
        if hypothesis is not None and hypothesis != facts:
            alt = self._judge(request, parties, self._judgement(request, parties, hypothesis), asked)
            opened = decision.decision == "deny" and alt.decision == "permit"
            opened = opened or (alt.decision == "permit" and bool(asked & (set(decision.redact) - set(alt.redact))))
            if opened and not decision.error:
                lifts = [r for r in decision.rules if r not in alt.rules]
                return self._held(decision, "verification_required", lifts, self._held_text(lifts))
        if review is not None and decision.decision == "permit":
            evasion = sorted({where for rule, where in review if rule == BIDI_RULE})
            why = (
                f"Held: bidirectional control characters in {', '.join(evasion)} make what is shown differ from what was typed, "
                "evidence of an evasion: an officer reviews the request before anything is disclosed."
                if evasion
                else "Held: a free-text field of the request needs review by an officer before anything is disclosed."
            )
            return self._held(decision, "needs_review", [], why, sorted({rule for rule, _ in review}))
        return decision

    def _held_text(self, lifts: list[str]) -> str:
        rules = "; ".join(f"{self.engine.rules[r].citation}" for r in lifts) or "the rules that decide"
        return (
            f"{VERIFICATION_REQUIRED}: only the document the request describes could lift {rules}, and a document "
            "described in a request is a claim until an officer verifies the real one. Nothing is disclosed until then."
        )

    def _held(self, decision: Decision, reason: str, lifts: list[str], explanation: str, evidence: list[str] | None = None) -> Decision:
        rules = decision.rules if decision.decision == "deny" else lifts
        return decision.model_copy(
            update={
                "decision": "deny",
                "rules": rules,
                "citations": self._citations(rules) or decision.citations,
                "redact": [],
                "explanation": explanation,
                "held": Held(reason=reason, reference="", lifts=lifts, evidence=evidence or []),
            }
        )

    @staticmethod
    def _action_queries(request: Request, parties: Parties) -> list[Query]:
        """The request's action, asked for every agency judged: what the duties' conditions are judged by."""
        action = request.kind.value
        acting = parties.acting or (parties.requester, *parties.beneficiaries)
        return [Query(a.id, action, request.resource.system or action) for a in acting]

    def _judgement(self, request: Request, parties: Parties, facts: Facts, public: frozenset[str] = frozenset()) -> Judgement:
        """The request judged under `facts` for every agency judged (and, compiled, the duties' conditions).
        `public`: the categories the department states it publishes to everyone, when only some of what
        is asked are (`Read.public`): each is judged with the fact `public_data`, the rest without, and the
        request itself with the fact `public_part`."""
        action = request.kind.value
        acting = [a.id for a in parties.acting or (parties.requester, *parties.beneficiaries)]
        data = judged_as_data(request)  # judged for every data category too (policy.disclosure)
        resource = request.resource.system or action
        part = bool(public and data) and not facts.public_data
        judged = judge(self.engine, self.disclosure, acting, action, resource, replace(facts, public_part=True) if part else facts, data)
        if not part:
            return judged
        published = judge(self.engine, self.disclosure, acting, action, resource, replace(facts, public_data=True), data)
        withheld = {leaf: v for leaf, v in judged.withheld.items() if leaf not in public}
        withheld.update((leaf, v) for leaf, v in published.withheld.items() if leaf in public)
        return replace(judged, withheld=withheld, errors=judged.errors + published.errors)

    def _judge(self, request: Request, parties: Parties, judgement: Judgement, asked: frozenset[str]) -> Decision:
        action = request.kind.value
        acting = parties.acting or (parties.requester, *parties.beneficiaries)
        data = judged_as_data(request)
        base = {
            "id": request.id,
            "profiles": self.engine.names,
            "policy_hash": self.engine.policy_hash,
            "requester": parties.requester.id,
            "on_behalf_of": [a.id for a in parties.beneficiaries],
            "judged_as": [a.id for a in acting],
        }
        if judgement.errors:
            return self._unevaluable(judgement.errors[0], base)
        judged = list(zip(acting, judgement.actions, strict=True))
        by_id = {a.id: a for a in acting}
        # A name that may be any of its components (ICE, DHS): every forbid rule applies to each
        # reading; the baseline (a registered law-enforcement agency) is asked of the agencies named
        # only, so a component no rule matched (ICE OPLA for a DEA request naming ICE) refuses nothing.
        named = {parties.requester.id, *(a.id for a in parties.beneficiaries)}
        withheld = {
            leaf: kept
            for leaf, by in judgement.withheld.items()
            if (kept := [(by_id[a], forbids) for a, forbids in by if a in named or forbids])
        }
        refused_by = [(a, ev) for a, ev in judged if not ev.allowed and (a.id in named or self._forbids(ev))]
        if refused_by:  # the data rules that also forbid what was asked are cited after the action's
            also = self._withholding_rules(asked & withheld.keys(), withheld)
            return self._denial(refused_by, parties, base, also)
        redact = sorted(withheld)
        if data and asked and asked <= withheld.keys():
            return self._withheld_denial(asked, withheld, parties, base)
        if data and action == "agreement" and asked & withheld.keys():  # direct access cannot withhold a part
            return self._withheld_denial(asked & withheld.keys(), withheld, parties, base, standing=True)
        redact_rules = _unique([r for leaf in redact for _, rules in withheld[leaf] for r in rules])
        rules = _unique([r for _, ev in judged for r in ev.rules] + redact_rules)
        shown = f" Withheld: {', '.join(redact)}." if redact else ""
        return _decision(
            decision="permit",
            rules=rules,
            citations=self._citations(rules),
            redact=redact,
            explanation=f"Permitted: no rule of {self.engine.label} forbids this request from {parties.requester.name}.{shown}",
            **base,
        )

    def _forbids(self, ev: Evaluation) -> bool:
        return any(self.engine.rules[r].effect == "forbid" for r in ev.rules)

    def _unevaluable(self, error: str, base: dict[str, Any]) -> Decision:
        return _decision(
            decision="deny",
            citations=[FAIL_CLOSED],
            explanation="Denied: a rule could not be evaluated; the request fails closed.",
            error=f"policy evaluation error: {error}",
            failure=Failure.policy,
            **base,
        )

    def _as_whom(self, agency: Agency, parties: Parties) -> str:
        """Why an agency other than the requester was judged: a beneficiary, or a reading of a name."""
        if agency.id == parties.requester.id:
            readings = self.registry.readings(agency.id)
            if len(readings) > 1:
                return f" {agency.name} may be any of its components ({', '.join(a.id for a in readings)}); it is judged as each."
            return ""
        if any(agency.id == p.id for p in parties.beneficiaries):
            return f" Judged as a request by {agency.name}, on whose behalf it is made."
        for named in (parties.requester, *parties.beneficiaries):
            readings = self.registry.readings(named.id)
            if len(readings) > 1 and any(agency.id == a.id for a in readings):
                others = ", ".join(a.id for a in readings)
                return (
                    f" {named.name} may be any of its components ({others}); judged as each, the request is refused"
                    f" as {agency.name}: a permit that holds under one reading only is a deny."
                )
        return f" Judged as a request by {agency.name}."

    def _withholding_rules(self, asked: frozenset[str], withheld: dict[str, list[tuple[Agency, list[str]]]]) -> list[str]:
        """The rules that withhold asked categories, those withholding the most of them first."""
        reach: dict[str, set[str]] = {}
        for leaf in asked:
            for _, forbids in withheld[leaf]:
                for rule in forbids:
                    reach.setdefault(rule, set()).add(leaf)
        return sorted(reach, key=lambda r: (-len(reach[r]), self.engine.rank(r)))

    def _denial(
        self, refused_by: list[tuple[Agency, Evaluation]], parties: Parties, base: dict[str, Any], also: list[str] | None = None
    ) -> Decision:
        rules = _unique([r for _, ev in refused_by for r in ev.rules])
        if rules:
            rules = _unique([*rules, *(also or [])])
        if not rules:  # the baseline refuses; the rules that also forbid what was asked are cited with it
            agency = refused_by[0][0]
            also = also or []
            more = "".join(f" {self.engine.rules[r].explain} ({self.engine.rules[r].citation})." for r in also)
            return _decision(
                decision="deny",
                rules=also,
                citations=[DEFAULT_DENY, *self._citations(also)],
                explanation=(
                    f"Denied: {agency.name} is not a registered law-enforcement agency, and no rule permits its requests."
                    f"{self._as_whom(agency, parties)}{more}"
                ),
                **base,
            )
        first = self.engine.rules[rules[0]]
        agency = next(a for a, ev in refused_by if rules[0] in ev.rules)
        more = f" {len(rules) - 1} more rule(s) also forbid it." if len(rules) > 1 else ""
        return _decision(
            decision="deny",
            rules=rules,
            citations=self._citations(rules),
            explanation=f"Denied: {first.explain} ({first.citation}).{self._as_whom(agency, parties)}{more}",
            **base,
        )

    def _withheld_denial(
        self,
        asked: frozenset[str],
        withheld: dict[str, list[tuple[Agency, list[str]]]],
        parties: Parties,
        base: dict[str, Any],
        *,
        standing: bool = False,
    ) -> Decision:
        """Everything the request asks for is withheld (`standing`: an agreement giving direct access
        would open `asked`, which is withheld, and a standing access cannot withhold a part of what it
        opens): a deny citing the rules that withhold it."""
        rules = self._withholding_rules(asked, withheld)
        if not rules:  # withheld by default deny only (no permitting rule)
            agency = withheld[min(asked)][0][0]
            return _decision(
                decision="deny",
                citations=[DEFAULT_DENY],
                explanation=f"Denied: no rule permits disclosing what is asked to {agency.name}.{self._as_whom(agency, parties)}",
                **base,
            )
        first = self.engine.rules[rules[0]]
        agency = next(a for leaf in sorted(asked) for a, forbids in withheld[leaf] if rules[0] in forbids)
        more = f" {len(rules) - 1} more rule(s) also forbid it." if len(rules) > 1 else ""
        what = "every data category" if len(asked) == len(self.engine.leaves) else ", ".join(sorted(asked))
        said = (
            f"direct access would open {what}, which is withheld, and a standing access cannot withhold a part of what it opens"
            if standing
            else f"everything asked ({what}) is withheld"
        )
        return _decision(
            decision="deny",
            rules=rules,
            citations=self._citations(rules),
            explanation=(f"Denied: {said}. {first.explain} ({first.citation}).{self._as_whom(agency, parties)}{more}"),
            **base,
        )

    def _citations(self, rules: list[str]) -> list[str]:
        return _unique([self.engine.rules[r].citation for r in rules])

    # -- held requests -------------------------------------------------------------------
    def resolve_held(
        self,
        request: Request,
        held: Decision,
        documents: list[Document],
        officer: str,
        fetch: Fetch | None = None,
        *,
        unreadable: bool = False,
    ) -> Outcome:
        """An officer has verified the real documents behind a held request: decide it again with
        them counted, and record the new decision, which names the held one it resolves. An
        administrative form verified is still an administrative form: it lifts nothing. Resolving a
        hold for review (`needs_review`) is the review: the officer has read the request's words.
        `unreadable`: the classifier could not read the scan; the officer confirmed it (by name and
        court, in `documents`), and the decision says so."""
        hold = _held_of(request, held, officer)
        reviewed = hold.reason == "needs_review"
        decision = self.decide(request, verified=documents, reviewed=reviewed)
        how = " (a scan the classifier could not read, confirmed by the officer)" if unreadable else ""
        shown = ", ".join(d.type for d in documents) or "no document"
        review = "reviewed the request and " if reviewed else ""
        note = f" Resolves held request {hold.reference}: {officer.strip()} {review}verified {shown}{how}."
        # The duties the request triggered were logged with the held decision: not again.
        decision = decision.model_copy(update={"resolves": hold.reference, "explanation": decision.explanation + note, "duties": None})
        return self.act(request, decision, fetch)

    def refuse_held(self, request: Request, held: Decision, officer: str, reason: str) -> Outcome:
        """An officer closes a held request without acting on it: the document could not be verified
        (no such warrant, not signed by a judge), or the request's words read as civil immigration
        enforcement. Nothing is decided again and nothing is handed out: the refusal is the held
        deny, no longer held, recorded with the held one named (`resolves`). It stands on the rules
        the held decision cites, which still decide; a permit held for review stands on the
        officer's refusal (`OFFICER_REFUSAL`). `reason` (what the verification or the review
        found) goes into the explanation, which is not published."""
        hold = _held_of(request, held, officer)
        why = reason.strip()
        if not why:
            raise RequestError("reason", "say why the request is refused: what the verification or the review found")
        explanation = (
            f"Refused: {officer.strip()} closed held request {hold.reference} without acting on it: {why}. Nothing was handed out."
        )
        update: dict[str, Any] = {"held": None, "resolves": hold.reference, "log_index": None, "explanation": explanation, "duties": None}
        if hold.reason == "needs_review":
            update["citations"] = [OFFICER_REFUSAL]
        return self.act(request, held.model_copy(update=update))


def _held_of(request: Request, held: Decision, officer: str) -> Held:
    """The hold of `held`, once it is checked to be the held decision of `request` and an officer is named."""
    if held.held is None:
        raise RequestError("held", f"decision {held.id!r} is not held")
    if held.id != request.id or held.held.reference != held_reference(request):
        raise RequestError("held.reference", "the request is not the one that was held")
    if not officer.strip():
        raise RequestError("officer", "the verifying officer is required")
    return held.held


def _decision(**fields: Any) -> Decision:
    """A decision the pipeline built itself from checked parts: no second validation on the hot path."""
    return Decision.model_construct(**fields)


def refused(
    request_id: str,
    reason: str,
    failure: Failure,
    *,
    profiles: list[str],
    policy_hash: str = "",
    citation: str = FAIL_CLOSED,
    explanation: str | None = None,
) -> Decision:
    """The deny for a request that could not be decided: it cites why, `error` names the problem
    and `failure` its kind."""
    return _decision(
        id=request_id,
        decision="deny",
        citations=[citation],
        profiles=profiles,
        policy_hash=policy_hash,
        explanation=explanation or f"Denied: {reason}.",
        error=reason,
        failure=failure,
    )


def _fail(decision: Decision, reason: str, failure: Failure, *, keep_citations: bool = False) -> Decision:
    """`decision` turned into a deny because `reason` (of kind `failure`) happened after deciding."""
    update: dict[str, Any] = {
        "decision": "deny",
        "rules": [],
        "redact": [],
        "explanation": f"Denied: {reason}; nothing was handed out.",
        "error": reason if not keep_citations or not decision.error else f"{decision.error}; {reason}",
        "failure": failure,
        "log_index": None,
    }
    if not keep_citations:
        update["citations"] = [FAIL_CLOSED]
    return decision.model_copy(update=update)


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def request_id_of(raw: str | bytes | dict[str, Any]) -> str:
    """The request id of an invalid request, if one can be read, so the error can be matched up."""
    try:
        obj = raw if isinstance(raw, dict) else json.loads(raw)
        rid = obj.get("id") if isinstance(obj, dict) else None
        return rid if isinstance(rid, str) and 0 < len(rid) <= 128 else "?"
    except (ValueError, TypeError, RecursionError):  # RecursionError: a body nested 100,000 deep
        return "?"
